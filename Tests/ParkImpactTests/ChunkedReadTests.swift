import CSVReading
import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A large file read in chunks on several cores gives exactly what one sequential read gives: the same cells bit for
/// bit, the same rejects with the same line numbers, the same counts, whatever the chunk size.
struct ChunkedReadTests {
    /// A parkimpact-long export in time order with three meters, values whose sums depend on the order of
    /// additions, quoted series names and qualities that span lines, and bad rows (rejects) all through it.
    static func longExport(water: Bool = false) -> (text: String, quotedSpans: [Range<Int>]) {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        var spans: [Range<Int>] = []
        let meters = water ? ["m1", "m2", "w1"] : ["m1", "m2", "\"meter\nthree\""]
        var serial = 0
        for day in 1...3 {
            for quarter in 0..<40 {
                let minutes = quarter * 15
                let stamp = String(format: "2024-10-%02dT%02d:%02d:00+02:00", day, minutes / 60, minutes % 60)
                for (index, meter) in meters.enumerated() {
                    serial += 1
                    let quantity = meter == "w1" ? "water" : (index == 1 ? "gas" : "electricity_offtake")
                    let unit = meter == "w1" ? "m3" : "kWh"
                    let value = String(format: "%.3f", Double((serial * 7919) % 1013) / 10.0 + 0.1)
                    var quality = "measured"
                    var valueText = value
                    if serial % 53 == 0 { valueText = "12,5x" }  // not a number: a reject
                    if serial % 41 == 0 { quality = "\"esti\nmated\"" }  // unknown quality across two lines
                    if serial % 29 == 0 { quality = "estimated" }
                    if serial % 31 == 0 { valueText = "" }  // missing
                    let row = "\(stamp),s1,\(meter),\(quantity),\(valueText),\(unit),\(quality)\n"
                    let start = text.utf8.count
                    text += row
                    if row.contains("\"") { spans.append(start..<(start + row.utf8.count)) }
                }
            }
        }
        return (text, spans)
    }

    func expectSame(_ chunked: FileResult, _ whole: FileResult, _ note: Comment) {
        #expect(chunked.summary.problem == nil, note)
        #expect(chunked.series.map(\.key) == whole.series.map(\.key), note)
        for (a, b) in zip(chunked.series, whole.series) {
            #expect(a.days == b.days, note)
            #expect(a.intervalSeconds == b.intervalSeconds, note)
            #expect(a.inputs == b.inputs, note)
            #expect(a.readings == b.readings, note)
        }
        #expect(chunked.rejects == whole.rejects, note)
        #expect(chunked.summary.acceptedRows == whole.summary.acceptedRows, note)
        #expect(chunked.summary.rejectedRows == whole.summary.rejectedRows, note)
        #expect(chunked.summary.ignoredRows == whole.summary.ignoredRows, note)
        #expect(chunked.statistics.physicalLines == whole.statistics.physicalLines, note)
        #expect(chunked.statistics.records == whole.statistics.records, note)
        #expect(chunked.statistics.bytes == whole.statistics.bytes, note)
        #expect(chunked.headerLine == whole.headerLine, note)
    }

    func read(_ text: String, format: SourceFormatName, name: String, yaml: PipelineDefinition? = nil,
              check: (FileResult, FileResult, Int) -> Void, chunkSizes: some Sequence<Int>,
              refused: Bool = false, windows1252: Bool = false) throws {
        let folder = try Scratch()
        defer { folder.remove() }
        if windows1252 {
            try #require(text.data(using: .windowsCP1252)).write(to: URL(fileURLWithPath: folder.root + "/" + name))
        } else {
            try folder.write(name, text)
        }
        let definition = try yaml ?? definition(format: format)
        let file = InputFile(path: folder.root + "/" + name, relativePath: name, pilot: "test",
                             source: definition.sources[0])
        let whole = ReadFile.read(file, definition: definition)
        #expect((whole.summary.problem != nil) == refused, "\(whole.summary.problem ?? "")")
        for chunkBytes in chunkSizes {
            for parallel in [false, true] {
                check(ReadFile.readChunked(file, definition: definition, chunkBytes: chunkBytes, parallel: parallel),
                      whole, chunkBytes)
            }
            // Shared days summed again from their rows (no sum log), or partly logged (cells begun after a chunk's
            // 5th line are not: a shared one makes the merge read the rows again).
            for lines in [0, 5] {
                check(ReadFile.readChunked(file, definition: definition, chunkBytes: chunkBytes, parallel: false,
                                           sumLogLines: lines), whole, chunkBytes)
            }
            // As a run reads it: chunks merged in order as the workers hand them in, whatever order they finish in.
            let run = Aggregate.readAll([file, file], definitions: ["test": definition], threads: 2,
                                        chunkBytes: chunkBytes)
            check(run[0], whole, chunkBytes)
            check(run[1], whole, chunkBytes)
        }
    }

    @Test func aLongExportInChunksOfAnySizeGivesTheSequentialResult() throws {
        let (text, spans) = Self.longExport()
        let size = text.utf8.count
        let chunkSizes = Array(stride(from: 97, through: size / 2, by: 211))
        // Some planned chunk starts fall inside a quoted field that spans lines.
        let insideQuote = chunkSizes.contains { chunkBytes in
            let count = ReadFile.chunkCount(size: size, chunkBytes: chunkBytes)
            return (1..<count).contains { chunk in spans.contains { $0.contains(size * chunk / count) } }
        }
        #expect(insideQuote)
        try read(text, format: .parkimpactLong, name: "long.csv", check: { chunked, whole, chunkBytes in
            #expect(!whole.rejects.isEmpty)
            #expect(whole.rejects.contains { $0.reason.contains("quality") && $0.raw.contains("\n") })
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: chunkSizes)
    }

    /// An export by time of four meters over 12 days (values scrambled by 389: a ramp would be a running total, which
    /// the reader refuses): `header`, then `row(stamp, meter, value)` for each reading; with the offsets where days begin.
    static func byTimeExport(header: String, row: (String, Int, String) -> String) -> (text: String, dayStarts: [Int]) {
        var text = header
        var dayStarts: [Int] = []
        for day in 1...12 {
            for quarter in 0..<96 {
                let stamp = String(format: "2024-03-%02dT%02d:%02d:00+01:00", day, quarter / 4, quarter % 4 * 15)
                if quarter == 0 { dayStarts.append(text.utf8.count) }
                for meter in 1...4 {
                    text += row(stamp, meter, "\(Double((day * 96 + quarter) * meter * 389 % 997) / 7)")
                }
            }
        }
        return (text, dayStarts)
    }

    /// `byTimeExport` as a long export of site `s1`, meters `m1`…`m4`, every reading measured.
    static func longByTime(header: String = "timestamp,site,series,quantity,value,unit,quality\n")
        -> (text: String, dayStarts: [Int]) {
        byTimeExport(header: header) { stamp, meter, value in
            "\(stamp),s1,m\(meter),electricity_offtake,\(value),kWh,measured\n"
        }
    }

    /// A long-format pipeline and the file `name` in `folder` as its input.
    static func longInput(_ folder: Scratch, _ name: String) throws -> (PipelineDefinition, InputFile) {
        let definition = try definition(format: .parkimpactLong)
        return (definition, InputFile(path: folder.root + "/" + name, relativePath: name, pilot: "test",
                                      source: definition.sources[0]))
    }

    /// Chunk starts planned at offsets through `path` move only to where a day begins, and always when a day begins
    /// within the farthest probe (4 KiB doubled while within `reach`: 32 KiB here). Returns how many moved.
    func expectCutsAtDayStarts(_ path: String, size: Int, dayStarts: [Int], reach: Int,
                               key: ReadFile.DayKey = .lineStart) -> Int {
        var moved = 0
        guard let opened = try? CSVOpenedFile(path: path) else {
            Issue.record("cannot open \(path)")
            return 0
        }
        for offset in stride(from: 5_000, to: size - 5_000, by: 7_919) {
            let lineStart = ReadFile.lineStart(path: path, at: offset, terminator: 0x0A, size: size)
            let start = ReadFile.chunkStart(path: path, at: offset, terminator: 0x0A, size: size, reach: reach, key: key)
            #expect(start == lineStart || dayStarts.contains(start), "offset \(offset)")
            if let nextDay = dayStarts.first(where: { $0 > lineStart }), nextDay - lineStart <= 32_768 {
                #expect(start == nextDay, "offset \(offset)")
            }
            if start != lineStart {
                moved += 1
                // A day begins there, and its next row is of the same day: rows in time order.
                #expect(ReadFile.dayContinues(opened, at: start, terminator: 0x0A, size: size, key: key))
            }
            // Too little reach to probe: the line start.
            #expect(ReadFile.chunkStart(path: path, at: offset, terminator: 0x0A, size: size, reach: 4_000, key: key)
                    == lineStart)
        }
        return moved
    }

    /// An export by time, large enough for chunk starts to move to where a day begins: chunks then share no day
    /// cell; the result is still the sequential one, and each moved start is the first row of a day.
    @Test func aTimeOrderedExportIsCutWhereADayBegins() throws {
        let (text, dayStarts) = Self.longByTime()
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("by-time.csv", text)
        let moved = expectCutsAtDayStarts(folder.root + "/by-time.csv", size: text.utf8.count, dayStarts: dayStarts,
                                          reach: 40_000)
        #expect(moved > 10)
        try read(text, format: .parkimpactLong, name: "by-time.csv", check: { chunked, whole, chunkBytes in
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: [20_011, 33_333, 61_001])
    }

    /// A run cuts a file whose day is longer than three quarters of a chunk into fewer, larger chunks, halving their
    /// number (down to two per worker) until the first boundary finds where a day begins; one whose days fit keeps
    /// one chunk per `chunkBytes`. The export by time has days of 4 × 96 rows (about 31 KB).
    @Test func chunksGrowToHoldADay() throws {
        let (text, dayStarts) = Self.longByTime()
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("by-time.csv", text)
        let (definition, file) = try Self.longInput(folder, "by-time.csv")
        guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: definition) else {
            Issue.record("not prepared")
            return
        }
        let size = text.utf8.count
        #expect(size == 376_546)
        #expect(Array(dayStarts.prefix(4)) == [50, 31_434, 62_728, 94_168])
        func firstCut(_ count: Int) -> Int {
            ReadFile.chunkStart(path: file.path, at: size / count, terminator: 0x0A, size: size,
                                reach: size / count * 3 / 4, key: .lineStart)
        }
        // 4,096 bytes: 92 chunks, the first boundary at 4,092 with a reach of 3,069 bytes (under one probe); halved
        // to 46 (8,185 + 6,138), 23 (16,371 + 12,278), 11 (34,231 + 25,673: short of the day at 62,728), then 5
        // (75,309 + 56,481: the day at 94,168 is found).
        #expect(ReadFile.chunkCount(size: size, chunkBytes: 4_096) == 92)
        #expect(reader.chunkPlan(file, context, size, 4_096, 2) == 5)
        #expect(dayStarts.contains(firstCut(5)) && !dayStarts.contains(firstCut(11)))
        #expect(reader.chunkPlan(file, context, size, 4_096, 1) == 5)
        // Never fewer than two per worker: five workers stop at 10, forty at 80.
        #expect(reader.chunkPlan(file, context, size, 4_096, 5) == 10)
        #expect(reader.chunkPlan(file, context, size, 4_096, 40) == 80)
        // Days that fit keep their chunks: 20,011 bytes (19 chunks: the day at 31,434 lies within 19,818 + 14,863),
        // 61,001 (7); and a file of one chunk stays whole.
        #expect(reader.chunkPlan(file, context, size, 20_011, 2) == 19)
        #expect(dayStarts.contains(firstCut(19)))
        #expect(reader.chunkPlan(file, context, size, 61_001, 1) == 7)
        #expect(reader.chunkPlan(file, context, size, 400_000, 2) == 1)
        // A few chunks are as many for each worker: three chunks' worth (130,000 bytes) on two workers are read in
        // four (three would take two chunks' time), on one or three workers in three.
        #expect(ReadFile.chunkCount(size: size, chunkBytes: 130_000) == 3)
        #expect(reader.chunkPlan(file, context, size, 130_000, 2) == 4)
        #expect(reader.chunkPlan(file, context, size, 130_000, 1) == 3)
        #expect(reader.chunkPlan(file, context, size, 130_000, 3) == 3)
        // As a run reads it, the sequential result.
        let whole = ReadFile.read(file, definition: definition)
        let run = Aggregate.readAll([file], definitions: ["test": definition], threads: 2, chunkBytes: 4_096)
        expectSame(run[0], whole, "a run's chunks")
    }

    /// How a run cuts its files (`Aggregate.ChunkSizing.plan`): files of two chunks or more into chunks; whole
    /// files that would keep one worker busy over a tenth longer than its share, largest first, into a piece per
    /// worker; files under two `smallestPieceBytes` never.
    @Test func aRunCutsFilesThatWouldLeaveAWorkerIdle() {
        let mb = 1_000_000
        func plan(_ sizes: [Int], threads: Int = 2) -> [String: Int] {
            Aggregate.ChunkSizing.plan(sizes.enumerated().map { ("f\($0.offset)", $0.element) }, threads: threads).pieces
        }
        // One file under two chunks: a piece per worker; an odd size too (two halves, the first a byte longer).
        #expect(plan([57 * mb]) == ["f0": 2])
        #expect(plan([57 * mb], threads: 3) == ["f0": 3])
        #expect(plan([57 * mb], threads: 1) == [:])
        let odd = Aggregate.ChunkSizing(pieces: ["f": 2])
        #expect(odd.chunkBytes(path: "f", size: 57_000_001) == 28_500_001)
        #expect(ReadFile.chunkCount(size: 57_000_001, chunkBytes: 28_500_001) == 2)
        #expect(ReadFile.chunkCount(size: 57_000_000, chunkBytes: 28_500_000) == 2)
        #expect(ReadFile.chunkCount(size: 57_000_000, chunkBytes: 28_500_001) == 1)
        // Three of 38 MB: two whole and one would end at 76 MB for a share of 57; with the first in halves, each
        // worker takes a whole file and a half (57 MB). Four: two each.
        #expect(plan([38 * mb, 38 * mb, 38 * mb]) == ["f0": 2])
        #expect(plan([38 * mb, 38 * mb, 38 * mb, 38 * mb]) == [:])
        // Five: three for one worker, 114 MB for a share of 95: the largest cut until the rest fits (ties by path).
        #expect(plan(Array(repeating: 38 * mb, count: 5)) == ["f0": 2])
        // A large file with small ones: its chunks and the small files fill both workers.
        #expect(plan([300 * mb] + Array(repeating: 50_000, count: 100)) == [:])
        #expect(plan([60 * mb] + Array(repeating: 1 * mb, count: 60)) == [:])
        // A file of 60 MB beside 20 MB of small files: cut.
        #expect(plan([60 * mb] + Array(repeating: 1 * mb, count: 20)) == ["f0": 2])
        // Under two pieces of 8 MiB: never cut; ten thousand small files: none.
        #expect(plan([16 * mb]) == [:])
        #expect(plan(Array(repeating: 8_000, count: 10_000)) == [:])
        // Files cut anyway keep the chunk size.
        #expect(Aggregate.ChunkSizing(pieces: ["f": 2]).chunkBytes(path: "g", size: 100 * mb) == ReadFile.defaultChunkBytes)
    }

    /// Rows in no time order: every chunk shares its days with the others. A chunk starts on a line after which the
    /// day changes within 64 lines (`dayContinues` says no), so it logs the values of all its cells and the merge
    /// continues the sums from them; any chunk size gives the sequential result. Orders: every 7,919th row (the next
    /// row of another day), every 13th (the day changes every 7 rows or so), and sorted by the value column (as a
    /// spreadsheet sorts it; rows of equal value in file order).
    @Test(arguments: ["7919", "13", "value"])
    func rowsInNoOrderGiveTheSequentialResult(order: String) throws {
        let (ordered, _) = Self.longByTime(header: "")
        let rows = ordered.split(separator: "\n")
        #expect(rows.count == 4_608)
        // Row k is row k × step mod 4,608 of the ordered export: a permutation (7,919 and 13 are prime).
        let permuted: [Substring]
        if let step = Int(order) {
            permuted = rows.indices.map { rows[$0 * step % rows.count] }
        } else {
            permuted = rows.enumerated().sorted { a, b in
                let x = Double(a.element.split(separator: ",")[4])!, y = Double(b.element.split(separator: ",")[4])!
                return (x, a.offset) < (y, b.offset)
            }.map(\.element)
        }
        let text = "timestamp,site,series,quantity,value,unit,quality\n" + permuted.map { $0 + "\n" }.joined()
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("shuffled.csv", text)
        let opened = try CSVOpenedFile(path: folder.root + "/shuffled.csv")
        let size = text.utf8.count
        var unordered = 0
        for offset in stride(from: 5_000, to: size - 5_000, by: 7_919) {
            let start = ReadFile.chunkStart(opened, at: offset, terminator: 0x0A, size: size, reach: 40_000)
            if !ReadFile.dayContinues(opened, at: start, terminator: 0x0A, size: size, key: .lineStart) {
                unordered += 1
            }
        }
        #expect(unordered > 40)
        // The second of two chunks keeps its log and the merge continues the sums with it (no rows read again).
        let (definition, file) = try Self.longInput(folder, "shuffled.csv")
        guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: definition) else {
            Issue.record("not prepared")
            return
        }
        // Read in the fewest chunks (two per worker) of at most four times the chunk size: 4,096-byte chunks (92)
        // become 23 of 16 KiB, 20,011-byte ones (19) five of 80,044 bytes; five workers take ten.
        #expect(size == 376_546)
        #expect(reader.chunkPlan(file, context, size, 4_096, 2) == 23)
        #expect(reader.chunkPlan(file, context, size, 20_011, 2) == 5)
        #expect(reader.chunkPlan(file, context, size, 20_011, 5) == 10)
        let parts = (0..<2).map { ReadFile.readChunk(ParkImpactLongFormat.self, file, context, CSVReadLimits(),
                                                    index: $0, count: 2, size: size) }
        #expect(parts[1].aggregator.logsSums)
        var merged = parts[0].aggregator
        let mapping = merged.seriesIndices(of: parts[1].aggregator)
        let continued = merged.appendContinuingSums(parts[1].aggregator,
                                                    lineOffset: parts[0].statistics.physicalLines, mapping: mapping)
        #expect(continued)
        try read(text, format: .parkimpactLong, name: "shuffled.csv", check: { chunked, whole, chunkBytes in
            #expect(whole.summary.acceptedRows == 4_608)
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: [4_096, 20_011, 61_001])
    }

    /// Exports written otherwise: every field quoted (`"2024-03-01T…"`: the line's first 10 bytes hold only 9 of the
    /// date), or the timestamp in the fourth column. Chunk starts still move to where a day begins, found in the time
    /// column (`DayKey`), and the result is the sequential one.
    @Test(arguments: [false, true])
    func daysAreFoundInTheTimeColumnQuotedOrNot(quoted: Bool) throws {
        func row(_ fields: [String]) -> String {
            (quoted ? fields.map { "\"\($0)\"" } : fields).joined(separator: ",") + "\n"
        }
        let header = quoted ? row(["timestamp", "site", "series", "quantity", "value", "unit", "quality"])
                            : row(["site", "series", "quantity", "timestamp", "value", "unit", "quality"])
        let (text, dayStarts) = Self.byTimeExport(header: header) { stamp, meter, value in
            quoted ? row([stamp, "s1", "m\(meter)", "electricity_offtake", value, "kWh", "measured"])
                   : row(["s1", "m\(meter)", "electricity_offtake", stamp, value, "kWh", "measured"])
        }
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("by-time.csv", text)
        var key = ReadFile.DayKey()
        key.column = quoted ? 0 : 3
        let moved = expectCutsAtDayStarts(folder.root + "/by-time.csv", size: text.utf8.count, dayStarts: dayStarts,
                                          reach: 60_000, key: key)
        #expect(moved > 10)
        try read(text, format: .parkimpactLong, name: "by-time.csv", check: { chunked, whole, chunkBytes in
            #expect(whole.summary.acceptedRows == 12 * 96 * 4)
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: [20_011, 61_001])
    }

    /// A running total in a long export is refused (`register_as_interval`) with the same evidence whether the
    /// file is read whole or in chunks: the register rule's counts cross the chunk boundaries exactly.
    /// A day anywhere within the reach is found, also past the largest doubling of the first probe that fits in it
    /// (32 KiB for a reach of 40,000 bytes): the last probe is at the reach itself.
    @Test func aDayBeginningNearTheEndOfTheReachIsFound() throws {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        var dayStarts: [Int] = []
        for day in 1...6 {
            for quarter in 0..<96 {
                let stamp = String(format: "2024-03-%02dT%02d:%02d:00+01:00", day, quarter / 4, quarter % 4 * 15)
                if quarter == 0 { dayStarts.append(text.utf8.count) }
                for meter in 1...6 {
                    text += "\(stamp),s1,m\(meter),electricity_offtake,1.5,kWh,measured\n"
                }
            }
        }
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("by-time.csv", text)
        let path = folder.root + "/by-time.csv"
        let size = text.utf8.count
        var beyondDoubling = 0
        for offset in stride(from: 1_000, to: size - 1_000, by: 997) {
            let lineStart = ReadFile.lineStart(path: path, at: offset, terminator: 0x0A, size: size)
            let start = ReadFile.chunkStart(path: path, at: offset, terminator: 0x0A, size: size, reach: 40_000)
            guard let nextDay = dayStarts.first(where: { $0 > lineStart }) else { continue }
            if nextDay - lineStart <= 40_000 {
                #expect(start == nextDay, "offset \(offset)")
                if nextDay - lineStart > 32_768 { beyondDoubling += 1 }
            } else {
                #expect(start == lineStart, "offset \(offset)")
            }
        }
        #expect(beyondDoubling > 3)  // days of 6 × 96 rows (about 46 KB): the case occurs
    }

    @Test func aRegisterInALongExportIsRefusedTheSameInChunks() throws {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        for day in 1...12 {
            for quarter in 0..<96 {
                let stamp = String(format: "2024-03-%02dT%02d:%02d:00+01:00", day, quarter / 4, quarter % 4 * 15)
                // m1: a register rising by 0.25 kWh a quarter (flat every 7th); m2: interval values.
                let index = (day - 1) * 96 + quarter
                text += "\(stamp),s1,m1,electricity_offtake,\(48_000 + Double(index - index / 7) / 4),kWh,measured\n"
                text += "\(stamp),s1,m2,electricity_offtake,\(Double(index * 389 % 997) / 7),kWh,measured\n"
            }
        }
        var problems: Set<String> = []
        try read(text, format: .parkimpactLong, name: "register.csv", check: { chunked, whole, chunkBytes in
            #expect(chunked.summary.problem == whole.summary.problem, "chunks of \(chunkBytes) bytes")
            #expect(chunked.series.isEmpty)
            problems.insert(chunked.summary.problem ?? "")
        }, chunkSizes: [20_011, 33_333, 61_001], refused: true)
        // 1152 readings, 1151 steps: the flat ones are every 7th quarter from index 7 on (164 of them).
        #expect(problems == ["\(problems.first!.prefix { $0 != ":" }): series s1/electricity_offtake/m1 is read as "
            + "use per interval but behaves like a running total (a meter register): it rises or stays equal in 1151 "
            + "of 1151 steps between readings (rises in 987); in 987 of the 987 rises the value is at least 10 "
            + "times the rise (e.g. 48246.75 kWh after a rise of 0.25 kWh, line 2304); read as interval values, "
            + "every reading would count the whole register again. Fix: its values must be the use per interval: "
            + "export the use per interval, or read the register with `format: generic` and `kind: cumulative`. "
            + "The file is not read until then"])
    }

    /// Water night flow with inferred intervals depends on earlier rows: such a file is read sequentially.
    @Test func waterWithInferredIntervalsStillGivesTheSequentialResult() throws {
        let (text, _) = Self.longExport(water: true)
        try read(text, format: .parkimpactLong, name: "water.csv", check: { chunked, whole, chunkBytes in
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: [301, 1024, 4096])
    }

    /// Files read whole that are larger than a chunk are read first, largest first, so that no long read is left
    /// for one core at the end; the smaller ones after the chunks, in their order.
    @Test func largeWholeFilesAreReadFirst() {
        let mb = 1 << 20
        let order = Aggregate.wholeFileOrder([10 * mb, 64 * mb, 40 * mb, 5 * mb, 64 * mb, 32 * mb], chunkBytes: 32 * mb)
        #expect(order.first == [1, 4, 2])
        #expect(order.last == [0, 3, 5])
    }

    /// Water without interval ends (its night flow needs the interval from the row before): when the first rows
    /// show it, the file is planned as one chunk; when it comes later (a meter after 6,000 rows of another), the
    /// chunk that meets it stops at its first row, the chunks not yet read are not read, and a run gives the
    /// sequential result. A chunk read also stops once its file is abandoned (`ReadContext.chunksAbandoned`).
    @Test func waterWithoutEndsStopsTheChunkedRead() throws {
        func rows(_ meter: String, _ quantity: String, _ unit: String, count: Int) -> String {
            var text = ""
            let iso = ISO8601DateFormatter()
            for hour in 0..<count {
                let stamp = iso.string(from: Date(timeIntervalSince1970: 1_704_067_200 + Double(hour) * 3_600))
                let value = String(format: "%d.%02d", hour % 3, hour % 100)
                text += "\(stamp),s1,\(meter),\(quantity),\(value),\(unit),measured\n"
            }
            return text
        }
        let header = "timestamp,site,series,quantity,value,unit,quality\n"
        let electricity = rows("e1", "electricity_offtake", "kWh", count: 6_000)
        let water = rows("w1", "water", "m3", count: 3_000)
        for waterFirst in [true, false] {
            let folder = try Scratch()
            defer { folder.remove() }
            try folder.write("long.csv", header + (waterFirst ? water + electricity : electricity + water))
            let (definition, file) = try Self.longInput(folder, "long.csv")
            guard case .ready(var context, let reader) = ReadFile.prepare(file, definition: definition) else {
                Issue.record("not prepared")
                return
            }
            let size = Int(context.opened.status.size)
            #expect(header.utf8.count + electricity.utf8.count > ReadFile.sampleBytes)
            let count = reader.chunkPlan(file, context, size, 32_768, 2)
            #expect(waterFirst ? count == 1 : count >= 4, "water first: \(waterFirst), \(count) chunks")
            if !waterFirst {
                // The last chunk holds only water: it stops after its first row.
                let last = reader.chunk(file, context, CSVReadLimits(), count - 1, count, size)
                #expect(!last.usable && last.statistics.records == 1)
                let second = reader.chunk(file, context, CSVReadLimits(), 1, count, size)
                #expect(second.usable && second.statistics.records > 1_024)
                // Abandoned: the first chunk and a later one stop at their next check.
                context.chunksAbandoned = AbandonFlag()
                context.chunksAbandoned!.set()
                for index in [0, 1] {
                    let stopped = reader.chunk(file, context, CSVReadLimits(), index, count, size)
                    #expect(!stopped.usable && stopped.statistics.records <= 1_024, "chunk \(index)")
                }
            }
            let whole = ReadFile.read(file, definition: definition)
            #expect(whole.summary.acceptedRows == 9_000 && whole.rejects.isEmpty)
            let run = Aggregate.readAll([file], definitions: ["test": definition], threads: 2, chunkBytes: 32_768)
            expectSame(run[0], whole, "water first: \(waterFirst)")
        }
    }

    /// A Fluvius export over the autumn clock change: the repeated hour resolved by row order, whether or not a
    /// chunk boundary falls inside it, plus a malformed row (the file is then read sequentially).
    @Test(arguments: [false, true])
    func aFluviusExportOverTheAutumnChangeGivesTheSequentialResult(malformed: Bool) throws {
        var text = "\u{FEFF}Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN;Meter;Metertype;Register;"
            + "Volume;Eenheid;Validatiestatus\n"
        let times = (0..<(4 * 24)).map { String(format: "%02d:%02d:00", $0 / 4, ($0 % 4) * 15) }
        var serial = 0
        for day in 26...28 {
            var rows: [(String, String)] = []
            for (index, time) in times.enumerated() {
                let end = index + 1 < times.count ? times[index + 1] : "00:00:00"
                rows.append((time, end))
                if day == 27, time.hasPrefix("02:") {
                    rows[rows.count - 1].1 = time == "02:45:00" ? "02:00:00" : end  // summer, then winter
                    rows.append((time, end))
                }
            }
            for (from, to) in rows {
                serial += 1
                let endDay = to == "00:00:00" ? day + 1 : day
                let volume = String(format: "%.3f", Double((serial * 7919) % 1013) / 100.0).replacingOccurrences(of: ".", with: ",")
                text += "\(day)-10-2023;\(from);\(endDay)-10-2023;\(to);=\"541448820000000001\";1SAG1;Digitale Meter;"
                    + "Afname Dag;\(volume);kWh;Gevalideerd\n"
                if malformed, serial == 150 { text += "27-10-2023;01:00:00;\"unterminated\n" }
            }
        }
        try read(text, format: .fluvius, name: "fluvius.csv", check: { chunked, whole, chunkBytes in
            #expect(whole.summary.acceptedRows + whole.summary.rejectedRows == 3 * 96 + 4 + (malformed ? 1 : 0))
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: [113, 500, 997, 2048, 5000])
    }

    /// A generic export by time as a portal writes it: `;`, decimal commas, dates whose layout is detected from the
    /// first row, local times over the autumn change (the repeated hour of each meter resolved by row order), a
    /// `where:` on a type column whose 25 other texts no value selects (20 named, the rest counted together), a
    /// trailing `;` on the first row (rows with two are refused), and rows that are no number or no date.
    /// Saved in Windows-1252 (as Excel saves a CSV), with `é` and `€` in the meter names: cut into chunks all the
    /// same, each converted to UTF-8 on its own; a quoted name across two lines that a chunk boundary splits makes
    /// the file be read sequentially.
    @Test(arguments: [(crlf: false, bom: false, quoted: false, windows1252: false),
                      (crlf: true, bom: true, quoted: true, windows1252: false),
                      (crlf: false, bom: false, quoted: false, windows1252: true),
                      (crlf: true, bom: false, quoted: true, windows1252: true)])
    func aGenericExportInChunksGivesTheSequentialResult(crlf: Bool, bom: Bool, quoted: Bool, windows1252: Bool) throws {
        var text = "Datum;Tijd;Meter;Type;Verbruik\n"
        let times = (0..<96).map { String(format: "%02d:%02d", $0 / 4, ($0 % 4) * 15) }
        var serial = 0
        for day in 26...28 {
            var stamps = times
            if day == 27 { stamps.insert(contentsOf: ["02:00", "02:15", "02:30", "02:45"], at: 12) }  // the hour twice
            for time in stamps {
                for meter in ["A", "B", "C"] {
                    serial += 1
                    let date = serial % 97 == 0 ? "31/02/2024" : "\(day)/10/2024"
                    let value = serial % 53 == 0 ? "12,5x"
                        : String(format: "%.3f", Double((serial * 7919) % 1013) / 100.0)
                            .replacingOccurrences(of: ".", with: ",")
                    let end = serial == 1 || serial % 89 == 0 ? ";" : (serial % 61 == 0 ? ";;" : "")
                    // Quoted meter names, one of them across two lines (as a spreadsheet writes a cell with a line
                    // break): chunk starts planned inside it are moved to where the record ends.
                    let plain = windows1252 ? ["A": "Café A", "B": "B €", "C": "C"][meter]! : meter
                    let name = !quoted ? plain : meter == "C" ? "\"C\nhal 2\"" : "\"\(plain)\""
                    text += "\(date);\(time);\(name);Elektriciteit;\(value)\(end)\n"
                    if serial % 7 == 0 { text += "\(day)/10/2024;\(time);\(name);Soort \((serial * 11) % 25);1,0\n" }
                }
            }
        }
        if crlf { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
        if bom { text = "\u{FEFF}" + text }
        let yaml = try definition(format: .generic, source: "columns: { date: Datum, time: Tijd, meter: Meter }, "
            + "values: [ { column: Verbruik, quantity: electricity_offtake, unit: kWh, "
            + "where: { Type: Elektriciteit } } ]")
        try read(text, format: .generic, name: "generic.csv", yaml: yaml, check: { chunked, whole, chunkBytes in
            #expect(whole.rejects.contains { $0.reason.contains("a delimiter too many") })
            #expect(whole.rejects.contains { $0.code == .notADate })
            #expect(whole.rejects.contains { $0.code == .notANumber })
            let unselected = whole.summary.ignoredRows.keys.filter { $0.hasPrefix("no_value_mapping_selects_row") }
            #expect(unselected.count == 21 && unselected.contains("no_value_mapping_selects_row: other texts"))
            #expect(whole.series.count == 3 && whole.summary.acceptedRows > 800)
            if windows1252 { #expect(Set(whole.series.map(\.key.meter)).isSuperset(of: ["B €", "Café A"])) }
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
        }, chunkSizes: [700, 2048, 5000, 9000], windows1252: windows1252)
        guard windows1252 else { return }
        // The second of two chunks: read on its own from where a day begins to the file's end.
        let folder = try Scratch()
        defer { folder.remove() }
        let data = try #require(text.data(using: .windowsCP1252))
        try data.write(to: URL(fileURLWithPath: folder.root + "/generic.csv"))
        let file = InputFile(path: folder.root + "/generic.csv", relativePath: "generic.csv", pilot: "test",
                             source: yaml.sources[0])
        guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: yaml) else {
            Issue.record("not prepared")
            return
        }
        #expect(context.dialect.encoding == .windows1252 && ReadFile.readsInChunks(context.dialect.encoding))
        // The first of two chunks ends where the second begins, in the file's bytes (its text, in UTF-8, is longer).
        let first = reader.chunk(file, context, CSVReadLimits(), 0, 2, data.count)
        let second = reader.chunk(file, context, CSVReadLimits(), 1, 2, data.count)
        #expect(second.start > data.count / 4 && second.end == data.count)
        #expect(first.usable && first.end == second.start)
        // A middle chunk ends where the next begins too.
        let middle = reader.chunk(file, context, CSVReadLimits(), 1, 3, data.count)
        let last = reader.chunk(file, context, CSVReadLimits(), 2, 3, data.count)
        #expect(middle.usable && middle.start > first.start && middle.end == last.start && last.end == data.count)
        #expect(second.usable && (quoted || second.statistics.malformedRecords == 0))
    }

    /// The date layout is detected from the first data row: `03/04/2024` fits both orders and is read day first,
    /// so a later `04/13/2024` is no date. A chunk that begins there reads its rows in that layout too, not in the
    /// month-first layout its own first row would suggest.
    @Test func aLayoutDetectedFromTheFirstRowHoldsInEveryChunk() throws {
        var text = "Date,Time,kWh\n"
        for day in 3...20 {
            for hour in 0..<24 {
                text += String(format: "04/%02d/2024,%02d:00,%d.5\n", day, hour, (day * 24 + hour) % 17)
            }
        }
        let yaml = try definition(format: .generic, source: "columns: { date: Date, time: Time }, "
            + "values: [ { column: kWh, quantity: electricity_offtake, unit: kWh } ]")
        try read(text, format: .generic, name: "dates.csv", yaml: yaml, check: { chunked, whole, chunkBytes in
            // Days 3–12 read day first (3 April … 12 April is 4 March … 4 December); days 13–20 are no date.
            #expect(whole.summary.acceptedRows == 10 * 24 && whole.summary.rejectedRows == 8 * 24)
            #expect(whole.mapping.contains { $0.role.contains("dd/MM/yyyy, detected") })
            expectSame(chunked, whole, "chunks of \(chunkBytes) bytes")
            #expect(chunked.mapping == whole.mapping)
        }, chunkSizes: [1024, 3000])
    }

    /// A generic source with a cumulative register is read whole: its readings are differenced across all rows; so
    /// is water without an end column (its night flow's intervals come from the rows before).
    @Test func aGenericRegisterIsNotReadInChunks() throws {
        let register = try definition(format: .generic, source: "columns: { timestamp: Tijd }, "
            + "values: [ { column: Stand, quantity: water, unit: m3, kind: cumulative } ]")
        let interval = try definition(format: .generic, source: "columns: { timestamp: Tijd }, "
            + "values: [ { column: Stand, quantity: gas, unit: kWh, kind: interval } ]")
        #expect(!FormatRegistry.readers[.generic]!.readsInChunks(register.sources[0]))
        #expect(FormatRegistry.readers[.generic]!.readsInChunks(interval.sources[0]))
        // Water's night flow takes each interval from the rows before when there is no end column: read whole.
        let water = try definition(format: .generic, source: "columns: { timestamp: Tijd }, "
            + "values: [ { column: Stand, quantity: water, unit: m3, kind: interval }, "
            + "{ column: E, quantity: gas, unit: kWh } ]")
        let waterWithEnd = try definition(format: .generic, source: "columns: { timestamp: Tijd, end: Tot }, "
            + "values: [ { column: Stand, quantity: water, unit: m3, kind: interval } ]")
        #expect(!FormatRegistry.readers[.generic]!.readsInChunks(water.sources[0]))
        #expect(FormatRegistry.readers[.generic]!.readsInChunks(waterWithEnd.sources[0]))
    }

    /// A Fluvius gas export (its header has the caloric value column): whether an m³ row is the twin of a kWh row
    /// depends on the row before it, so the file is read sequentially from the start, never in chunks that the merge
    /// would refuse (`RowFormat.chunkable`). Its electricity twin, the same rows without that column and in kWh only,
    /// is cut into chunks.
    @Test func aFluviusGasExportIsNotCutIntoChunks() throws {
        func export(gas: Bool) -> String {
            var text = "\u{FEFF}From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;"
                + "Volume;Unit;Validation status" + (gas ? ";Caloric upper value" : "") + "\n"
            for day in 1...20 {
                for hour in 0..<24 {
                    let from = String(format: "%02d/11/2023;%02d:00:00", day, hour)
                    let until = hour == 23 ? String(format: "%02d/11/2023;00:00:00", day + 1)
                        : String(format: "%02d/11/2023;%02d:00:00", day, hour + 1)
                    let volume = String(format: "%.3f", Double((day * 24 + hour) % 17) / 10)
                        .replacingOccurrences(of: ".", with: ",")
                    let prefix = "\(from);\(until);=\"541448820000000001\";7MIT1;Digital meter;Offtake;"
                    if gas { text += prefix + "\(volume);m³;Read;11,3\n" }
                    text += prefix + "\(volume);kWh;Read" + (gas ? ";11,3" : "") + "\n"
                }
            }
            return text
        }
        for gas in [true, false] {
            let folder = try Scratch()
            defer { folder.remove() }
            try folder.write("export.csv", export(gas: gas))
            let definition = try definition(format: .fluvius)
            let file = InputFile(path: folder.root + "/export.csv", relativePath: "export.csv", pilot: "test",
                                 source: definition.sources[0])
            guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: definition) else {
                Issue.record("not prepared")
                return
            }
            let size = Int(context.opened.status.size)
            #expect(ReadFile.chunkCount(size: size, chunkBytes: 4_096) > 8)
            #expect((reader.chunkPlan(file, context, size, 4_096, 2) == 1) == gas, "gas: \(gas)")
            let whole = ReadFile.read(file, definition: definition)
            #expect(whole.summary.acceptedRows == 480 && whole.rejects.isEmpty, "gas: \(gas)")
            let run = Aggregate.readAll([file], definitions: ["test": definition], threads: 2, chunkBytes: 4_096)
            expectSame(run[0], whole, "gas: \(gas)")
        }
    }
}
