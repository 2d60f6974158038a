import Foundation
import Testing
import TestSupport
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Within one file, an interval start of a series given twice counts once: the repeat is rejected as
/// `duplicate_interval` (same value and quality) or `conflicting_interval` (the first counts), in any row order.
@Suite("repeated intervals within a file") struct RepeatedIntervalTests {
    static let header = "timestamp,site,series,quantity,value,unit,quality\n"

    /// A `parkimpact-long` row of quarter-hour `quarter` counted from 2024-03-01 00:00 +01:00.
    static func row(_ quarter: Int, meter: String = "m1", value: String, quality: String = "measured",
                    quantity: String = "electricity_offtake", unit: String = "kWh") -> String {
        let day = 1 + quarter / 96
        let minutes = quarter % 96 * 15
        return String(format: "2024-03-%02dT%02d:%02d:00+01:00", day, minutes / 60, minutes % 60)
            + ",s1,\(meter),\(quantity),\(value),\(unit),\(quality)\n"
    }

    static func read(_ rows: [String]) throws -> FileResult {
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("x.csv", header + rows.joined())
        return try readFile(folder.root + "/x.csv", format: .parkimpactLong)
    }

    /// Lines and codes of the rejects.
    static func codes(_ result: FileResult) -> [String] { result.rejects.map { "\($0.line) \($0.code)" } }

    @Test("in time order: an exact repeat, a conflicting one, missing twice, missing then a value")
    func inOrder() throws {
        var rows = (0..<10).map { Self.row($0, value: "\($0 + 1)") }
        rows[7] = Self.row(7, value: "", quality: "missing")
        rows[8] = Self.row(8, value: "", quality: "missing")
        rows.insert(Self.row(3, value: "4"), at: 4)  // line 6 repeats line 5
        rows.insert(Self.row(5, value: "99"), at: 7)  // line 9 conflicts with line 8
        rows.insert(Self.row(7, value: "", quality: "missing"), at: 10)  // line 12 repeats line 11
        rows.insert(Self.row(8, value: "9"), at: 12)  // line 14: a value after the missing line 13
        let result = try Self.read(rows)
        #expect(Self.codes(result) == ["6 duplicate_interval", "9 conflicting_interval", "12 duplicate_interval",
                                       "14 conflicting_interval"])
        #expect(result.rejects.map(\.reason) == [
            "repeats line 5: the interval of m1 electricity_offtake starting 2024-02-29T23:45:00Z again with the same "
                + "value 4; counted once",
            "conflicts with line 8: the interval of m1 electricity_offtake starting 2024-03-01T00:15:00Z is 6 there "
                + "and 99 here (kWh); the first counts",
            "repeats line 11: the interval of m1 electricity_offtake starting 2024-03-01T00:45:00Z again with the "
                + "same missing value; counted once",
            "conflicts with line 13: the interval of m1 electricity_offtake starting 2024-03-01T01:00:00Z is missing "
                + "there and 9 here (kWh); the first counts",
        ])
        try #require(result.rejects.count == 4)
        #expect(result.rejects[0].raw == "2024-03-01T00:45:00+01:00,s1,m1,electricity_offtake,4,kWh,measured")
        // 1 + 2 + … + 10 without the two missing quarters (8 and 9), each interval once.
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 8, estimated: 0, missing: 2, sum: 38))
        #expect(result.summary.acceptedRows == 10)
    }

    @Test("newest first")
    func newestFirst() throws {
        var rows = (0..<200).reversed().map { Self.row($0, value: "\($0 % 7 + 1)") }
        rows.insert(Self.row(150, value: "4"), at: 50)  // line 52 repeats line 51 (150 % 7 + 1 = 4)
        rows.insert(Self.row(100, value: "1"), at: 101)  // line 103 conflicts with line 102 (100 % 7 + 1 = 3)
        let result = try Self.read(rows)
        #expect(Self.codes(result) == ["52 duplicate_interval", "103 conflicting_interval"])
        try #require(result.rejects.count == 2)
        #expect(result.rejects[1].reason.hasPrefix("conflicts with line 102: "))
        let sum = (0..<200).reduce(0) { $0 + $1 % 7 + 1 }
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 200, estimated: 0, missing: 0,
                                                                        sum: Double(sum)))
    }

    /// Rows of two meters in random order with repeats anywhere: the outcome of a trivial model (the first row of
    /// each interval counts) row by row.
    @Test("shuffled rows", arguments: [1, 2, 3] as [UInt64])
    func shuffled(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        var rows: [(meter: String, quarter: Int, value: Int)] = []
        for meter in ["m1", "m2"] {
            for quarter in 0..<300 { rows.append((meter, quarter, Int(random.next(below: 50)))) }
        }
        for _ in 0..<60 {  // repeats: half with the same value, half with another
            let original = rows[Int(random.next(below: UInt64(rows.count)))]
            rows.append((original.meter, original.quarter,
                         random.next(below: 2) == 0 ? original.value : original.value + 100))
        }
        for index in rows.indices.reversed() {
            rows.swapAt(index, Int(random.next(below: UInt64(index + 1))))
        }
        var first: [String: (value: Int, line: Int)] = [:]
        var expected: [String] = []
        var sum = 0
        for (offset, row) in rows.enumerated() {
            let line = offset + 2
            let key = "\(row.meter) \(row.quarter)"
            if let earlier = first[key] {
                expected.append("\(line) \(earlier.value == row.value ? "duplicate_interval" : "conflicting_interval")"
                    + " \(earlier.line)")
            } else {
                first[key] = (row.value, line)
                sum += row.value
            }
        }
        let result = try Self.read(rows.map { Self.row($0.quarter, meter: $0.meter, value: "\($0.value)") })
        // The line the reason names: `repeats line N: …`, `conflicts with line N: …`.
        #expect(result.rejects.map { "\($0.line) \($0.code) \($0.reason.split(separator: ":")[0].split(separator: " ").last!)" }
            == expected)
        #expect(result.rejects.count > 40)
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 600, estimated: 0, missing: 0,
                                                                        sum: Double(sum)))
    }

    /// Rows in no order put a series' starts on a grid that keeps no lines: a repeat's earlier line is found by the
    /// second pass as the first reading of its start that the first pass did not reject (a negative value, a value
    /// out of range, a year typed wrong before it are not the reading that counted).
    @Test("shuffled rows with rejected rows before the first reading: repeats name the reading that counted")
    func shuffledAfterRejectedRows() throws {
        var random = SplitMix64(state: 5)
        var quarters = Array(0..<400)
        for index in quarters.indices.reversed() { quarters.swapAt(index, Int(random.next(below: UInt64(index + 1)))) }
        var rows = quarters.map { Self.row($0, meter: "m1", value: "\($0 % 7)") }
        var expected: [String] = []
        // Quarters 10, 20, 30: a rejected row at the file's start, the reading later, then its repeat at the end.
        for (number, quarter) in [10, 20, 30].enumerated() {
            let wrongYear = Self.row(quarter, meter: "m1", value: "1").replacingOccurrences(of: "2024-", with: "6024-")
            let bad = [Self.row(quarter, meter: "m1", value: "-4"), Self.row(quarter, meter: "m1", value: "1e13"),
                       wrongYear][number]
            rows.insert(bad, at: number)
        }
        rows.append(Self.row(10, meter: "m1", value: "3"))  // 10 % 7: the same value
        rows.append(Self.row(20, meter: "m1", value: "9"))
        rows.append(Self.row(30, meter: "m1", value: "2"))  // 30 % 7: the same value
        let line = { (quarter: Int) in 2 + 3 + quarters.firstIndex(of: quarter)! }
        expected = ["2 negative_value", "3 value_out_of_range", "4 date_out_of_range",
                    "\(rows.count - 1) duplicate_interval \(line(10))",
                    "\(rows.count) conflicting_interval \(line(20))",
                    "\(rows.count + 1) duplicate_interval \(line(30))"]
        let result = try Self.read(rows)
        #expect(result.rejects.map { reject in
            reject.code.rawValue.hasSuffix("_interval")
                ? "\(reject.line) \(reject.code) \(reject.reason.split(separator: ":")[0].split(separator: " ").last!)"
                : "\(reject.line) \(reject.code)"
        } == expected)
        #expect(totals(result, .electricityOfftake).sum == Double(quarters.reduce(0) { $0 + $1 % 7 }))
    }

    @Test("two exports concatenated that overlap: the repeated days are rejected, the new one counts")
    func concatenatedExports() throws {
        // Export A: days 1–3; export B: days 2–4, day 3 corrected.
        let exportA = (0..<288).map { Self.row($0, value: "\($0 % 10 + 1)") }
        let exportB = (96..<384).map { Self.row($0, value: "\($0 % 10 + 1 + ($0 >= 192 && $0 < 288 ? 1 : 0))") }
        let result = try Self.read(exportA + exportB)
        let lineOfB = { (quarter: Int) in 2 + 288 + quarter - 96 }
        try #require(result.rejects.count == 192)
        #expect(result.rejects.prefix(96).allSatisfy { $0.code == .duplicateInterval })
        #expect(result.rejects.suffix(96).allSatisfy { $0.code == .conflictingInterval })
        #expect(result.rejects[0].line == lineOfB(96))
        #expect(result.rejects[0].reason == "repeats line 98: the interval of m1 electricity_offtake starting "
            + "2024-03-01T23:00:00Z again with the same value 7; counted once")
        #expect(result.rejects[96].line == lineOfB(192))
        #expect(result.rejects[96].reason == "conflicts with line 194: the interval of m1 electricity_offtake "
            + "starting 2024-03-02T23:00:00Z is 3 there and 4 here (kWh); the first counts")
        let sum = (0..<384).reduce(0) { $0 + $1 % 10 + 1 }
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 384, estimated: 0, missing: 0,
                                                                        sum: Double(sum)))
    }

    /// Real Fluvius exports over the autumn change (`Fixtures/fluvius`, see PROVENANCE.md there): both passes of the
    /// repeated hour are read, at different UTC instants, so none is a repeat.
    @Test("the autumn repeated hour is not a repeat", arguments: [
        ("fluvius_nl_elektriciteit_DST_fallback_2021-10-31_excerpt.csv", 32),
        ("fluvius_en_electricity_15min_DST_fallback_2023-10-29_excerpt.csv", 32),
        ("fluvius_en_gas_hourly_DST_fallback_2023-10-29_excerpt.csv", 6),
    ])
    func autumnHourIsNotARepeat(name: String, readings: Int) throws {
        let path = packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/fluvius/\(name)").path
        let result = try readFile(path, traceLimit: 100)
        #expect(!result.rejects.contains { $0.code == .duplicateInterval || $0.code == .conflictingInterval })
        #expect(result.trace.count == readings)
        var seen = Set<String>()
        for reading in result.trace { seen.insert("\(reading.series) \(reading.startUTC)") }
        #expect(seen.count == readings)
    }

    @Test("a repeated Fluvius row and a negative one name their column (Volume) and keep their raw text")
    func rejectsNameTheValueColumn() throws {
        let fixture = packageRoot.appendingPathComponent(
            "Tests/ParkImpactTests/Fixtures/fluvius/fluvius_en_electricity_15min_DST_fallback_2023-10-29_excerpt.csv")
        var lines = try String(contentsOf: fixture, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let repeated = lines[1]
        let negative = lines[3].replacingOccurrences(of: ";Offtake Night;", with: ";Offtake Night;-")
        lines[3] = negative
        lines.append(repeated)
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("f.csv", lines.joined(separator: "\r\n") + "\r\n")
        let result = try readFile(scratch.root + "/f.csv")
        #expect(result.rejects.map { "\($0.line) \($0.code) \($0.column)" }
            == ["4 negative_value Volume", "\(lines.count) duplicate_interval Volume"])
        #expect(result.rejects.map(\.raw) == [negative, repeated])
    }

    @Test("records of events on the same date add up: two collections are not a repeat")
    func eventsAddUp() throws {
        let result = try Self.read([Self.row(0, meter: "200301", value: "120", quantity: "waste_mass", unit: "kg"),
                                    Self.row(0, meter: "200301", value: "80", quantity: "waste_mass", unit: "kg")])
        #expect(result.rejects.isEmpty)
        #expect(totals(result, .wasteMass).sum == 200)
    }

    @Test("a negative value is rejected, except for a temperature")
    func negative() throws {
        let result = try Self.read([
            Self.row(0, value: "-1.5"), Self.row(1, value: "2"),
            Self.row(0, meter: "t", value: "-3.5", quantity: "temperature", unit: "degC"),
            Self.row(0, meter: "w", value: "-0.2", quantity: "water", unit: "m3"),
        ])
        #expect(Self.codes(result) == ["2 negative_value", "5 negative_value"])
        #expect(result.rejects.map(\.reason) == [
            "negative value -1.5 kWh for electricity_offtake (interval starting 2024-02-29T23:00:00Z), which cannot "
                + "be negative",
            "negative value -0.2 m3 for water (interval starting 2024-02-29T23:00:00Z), which cannot be negative",
        ])
        // A negative value that was rejected does not take the interval: a later row for it counts.
        let again = try Self.read([Self.row(0, value: "-1.5"), Self.row(0, value: "1.5")])
        #expect(Self.codes(again) == ["2 negative_value"])
        #expect(totals(again, .electricityOfftake).sum == 1.5)
        #expect(totals(result, .temperature).sum == -3.5)
    }

    @Test("a reading spread over several days is one reading: its repeat is one reject")
    func spreadReadingRepeated() throws {
        var aggregator = FileAggregator(file: "x.csv", table: try #require(LocalTimeTable.cached("Europe/Brussels")))
        let series = aggregator.intern(SeriesKey(site: "s1", quantity: .water, meter: "m"))
        let from: Int64 = 1_704_063_600  // 2024-01-01T00:00:00+01:00
        aggregator.line = 2
        aggregator.addSpread(series: series, fromUTC: from, toUTC: from + 3 * 86_400, value: 30, quality: .measured)
        aggregator.line = 3
        aggregator.addSpread(series: series, fromUTC: from, toUTC: from + 3 * 86_400, value: 30, quality: .measured)
        #expect(aggregator.rejects.map { "\($0.line) \($0.code)" } == ["3 duplicate_interval"])
        #expect(aggregator.rejects.first?.reason == "repeats line 2: the interval of m water starting "
            + "2023-12-31T23:00:00Z again with the same value 30; counted once")
        let data = aggregator.takeSeriesData()
        #expect(data[0].days.values.map(\.sum) == [10, 10, 10])
    }

    @Test("rows ignored under keys that alternate are counted per key; a key moved keeps its rows")
    func ignoredRowsPerKey() throws {
        var aggregator = FileAggregator(file: "x.csv", table: try #require(LocalTimeTable.cached("Europe/Brussels")))
        let channels = IgnoreKey(.emptyRow, detail: "GridMs.TotW, GridMs.Hz")
        for _ in 0..<3 { aggregator.ignore(channels) }
        aggregator.ignore(.emptyRow)
        aggregator.ignore(IgnoreKey(.emptyRow, detail: "GridMs.TotW, GridMs.Hz"))  // equal key, another string
        aggregator.ignore(.chainStart)
        aggregator.ignore(.chainStart)
        #expect(aggregator.ignoredRows == [channels.key: 4, IgnoreCode.chainStart.rawValue: 2,
                                           IgnoreCode.emptyRow.rawValue: 1])
        // The rows of the key counted last are moved too.
        aggregator.moveIgnored(IgnoreKey(.chainStart), to: IgnoreKey(.emptyRow))
        #expect(aggregator.ignoredRows == [channels.key: 4, IgnoreCode.emptyRow.rawValue: 3])
        aggregator.ignore(channels)
        #expect(aggregator.ignoredRows == [channels.key: 5, IgnoreCode.emptyRow.rawValue: 3])
    }

    @Test("memory: a series in time order keeps one run of starts per gap, oldest or newest first")
    func boundedMemory() throws {
        for newestFirst in [false, true] {
            var aggregator = FileAggregator(file: "x.csv", table: try #require(LocalTimeTable.cached("Europe/Brussels")))
            let series = aggregator.intern(SeriesKey(site: "s1", quantity: .electricityOfftake, meter: "m"))
            let other = aggregator.intern(SeriesKey(site: "s1", quantity: .gas, meter: "g"))
            let quarters = (0..<40_000).filter { $0 % 2_000 != 1_999 }  // a gap every 2,000 quarters: 20 stretches
            for (row, quarter) in (newestFirst ? quarters.reversed() : quarters).enumerated() {
                aggregator.line = 2 + 2 * row  // by time: the two series alternate
                let start = 1_704_063_600 + Int64(quarter) * 900
                aggregator.add(series: series, startUTC: start, intervalSeconds: 900, value: 1, quality: .measured)
                aggregator.line += 1
                aggregator.add(series: other, startUTC: start, intervalSeconds: 900, value: 1, quality: .measured)
            }
            #expect(aggregator.rejects.isEmpty)
            #expect(aggregator.seenStarts(0).runs.count == 20)
            #expect(aggregator.seenStarts(1).runs.count == 20)
            #expect(aggregator.seenStarts(0).line(of: 1_704_063_600 + 3 * 900) == Int64(newestFirst ? 2 + 2 * (quarters.count - 4) : 8))
        }
    }

    /// A large file read in chunks finds repeats inside a chunk and across chunk boundaries exactly as one
    /// sequential read does.
    @Test("chunked and sequential reads refuse the same repeats")
    func chunked() throws {
        var rows: [String] = []
        var withRepeat: [String] = []
        for quarter in 0..<960 {
            for meter in ["m1", "m2", "m3"] {
                rows.append(Self.row(quarter, meter: meter, value: "\(Double(quarter * 7 % 13) / 3)"))
            }
            withRepeat.append(contentsOf: rows.suffix(3))
            if quarter == 500 { withRepeat.append(Self.row(500, meter: "m2", value: "1")) }  // adjacent, conflicting
        }
        let cases: [(String, [String])] = [
            ("in order", rows),
            ("one repeat", withRepeat),
            ("two exports overlapping", rows + rows[2000..<2300]),
            ("a day repeated much later", rows + rows[10..<300] + rows[2800...]),
        ]
        let definition = try definition(format: .parkimpactLong)
        for (name, lines) in cases {
            let folder = try Scratch()
            defer { folder.remove() }
            try folder.write("x.csv", Self.header + lines.joined())
            let file = InputFile(path: folder.root + "/x.csv", relativePath: "x.csv", pilot: "test",
                                 source: definition.sources[0])
            let whole = ReadFile.read(file, definition: definition)
            for chunkBytes in [20_011, 47_777] {
                for parallel in [false, true] {
                    let chunked = ReadFile.readChunked(file, definition: definition, chunkBytes: chunkBytes,
                                                       parallel: parallel)
                    #expect(chunked.rejects == whole.rejects, "\(name), \(chunkBytes)")
                    #expect(chunked.series.map(\.days) == whole.series.map(\.days), "\(name), \(chunkBytes)")
                    #expect(chunked.summary.acceptedRows == whole.summary.acceptedRows, "\(name)")
                }
            }
            #expect(whole.summary.acceptedRows == 960 * 3, "\(name)")
            #expect(whole.rejects.rowCount == lines.count - 960 * 3, "\(name)")
        }
    }
}

/// The starts of one series: runs for in-order data, exact for any order.
@Suite("seen interval starts") struct SeenStartsTests {
    @Test("in order, oldest or newest first, by meter or by time: one run")
    func compressed() {
        for (step, lineStep) in [(900, 1), (900, 4), (-900, 1), (-3600, 3)] as [(Int64, Int64)] {
            var seen = SeenStarts()
            for index in 0..<10_000 as Range<Int64> {
                #expect(seen.insert(1_700_000_000 + index * step, line: 2 + index * lineStep) == nil)
            }
            #expect(seen.runs.count == 1)
            #expect(seen.insert(1_700_000_000 + 17 * step, line: 99_999) == 2 + 17 * lineStep)
        }
        var gaps = SeenStarts()
        for index in 0..<1000 as Range<Int64> where index % 100 != 50 {
            _ = gaps.insert(index * 900, line: index + 2)
        }
        #expect(gaps.runs.count == 11)
    }

    @Test("any order: every start found again with its line", arguments: [7, 8, 9] as [UInt64])
    func anyOrder(seed: UInt64) {
        var random = SplitMix64(state: seed)
        var starts = (0..<3000).map { Int64($0) * 300 + ($0 % 3 == 0 ? 0 : 7) }
        for index in starts.indices.reversed() { starts.swapAt(index, Int(random.next(below: UInt64(index + 1)))) }
        var seen = SeenStarts()
        var model: [Int64: Int64] = [:]
        for (line, start) in starts.enumerated() {
            let line = Int64(line)
            #expect(seen.insert(start, line: line) == model[start])
            if model[start] == nil { model[start] = line }
            let probe = Int64(random.next(below: 3000)) * 300 + 7
            #expect(seen.line(of: probe) == model[probe])
        }
        for (start, line) in model { #expect(seen.insert(start, line: -1) == line) }
        for pair in zip(seen.runs, seen.runs.dropFirst()) { #expect(pair.0.last < pair.1.first) }
    }

    @Test("any order on a grid: the starts move into a grid of bits (no lines); off the grid or far away, runs again")
    func grid() {
        var random = SplitMix64(state: 11)
        // 20,000 quarter-hours of one series, shuffled: more than 64 runs, all on the 900-second grid.
        var starts = (0..<20_000).map { 1_700_000_100 + Int64($0) * 900 }
        for index in starts.indices.reversed() { starts.swapAt(index, Int(random.next(below: UInt64(index + 1)))) }
        var seen = SeenStarts()
        var model: [Int64: Int64] = [:]
        for (line, start) in starts.enumerated() {
            #expect(seen.insert(start, line: Int64(line) + 2) == nil)
            model[start] = Int64(line) + 2
            // Moved once the grid (20,000 slots) holds fewer than 8 slots a run: at the try past 4,096 runs.
            if line == 1_000 { #expect(seen.grid == nil) }
            if line == 12_000 { #expect(seen.grid?.step == 900 && seen.runs.isEmpty) }
        }
        #expect(seen.grid?.count == 20_000)
        #expect(seen.lowest == 1_700_000_100 && seen.highest == 1_700_000_100 + 19_999 * 900)
        // Every start found again; its line is not kept on the grid.
        let unknown = SeenStarts.unknownLine
        var wrong = 0
        for (start, _) in model where seen.insert(start, line: 5) != unknown || seen.line(of: start) != unknown {
            wrong += 1
        }
        #expect(wrong == 0 && seen.grid != nil)
        #expect(seen.line(of: 1_700_000_100 + 450) == nil && seen.line(of: 1_700_000_100 - 900) == nil)
        var ordered: [Int64] = []
        seen.forEachStart { start, line in
            ordered.append(start)
            return line == unknown
        }
        #expect(ordered == model.keys.sorted())

        // Parts of a file: a later part on the grid is found shared or not, and absorbed.
        var later = SeenStarts()
        for index in 0..<200 as Range<Int64> { _ = later.insert(1_700_000_100 + (20_000 + index) * 900, line: index) }
        #expect(!seen.intersects(later))
        var both = seen
        both.absorb(later, lineOffset: 20_002)
        #expect(both.grid?.count == 20_200)
        #expect(both.line(of: 1_700_000_100 + 20_100 * 900) == unknown)
        _ = later.insert(starts[5], line: 500)
        #expect(seen.intersects(later))

        // A start between two slots: back to runs, everything still there.
        var off = seen
        #expect(off.insert(1_700_000_100 + 450, line: 99) == nil)
        // Back from the grid in order, their lines unknown: one run, split by the new start.
        #expect(off.grid == nil && off.runs.count == 3)
        #expect(off.line(of: 1_700_000_100 + 450) == 99 && off.line(of: starts[7]) == unknown)
        #expect(off.runs.allSatisfy { ($0.firstLine == unknown && $0.lineStep == 0) || $0.firstLine >= 0 })
        // A start years away: a grid that wide would hold more than 8 slots a start; runs again.
        var far = seen
        #expect(far.insert(1_700_000_100 + 10_000_000 * 900, line: 7) == nil)
        #expect(far.grid == nil && far.line(of: 1_700_000_100 + 10_000_000 * 900) == 7)
        #expect(far.insert(starts[9], line: 3) == unknown && far.line(of: 1_700_000_100 + 10_000_000 * 900) == 7)

        // Rows in time order cut into 300 parts (a run each, 96 starts long): the runs take less than a grid would.
        var parts = SeenStarts()
        for part in 0..<300 as Range<Int64> {
            var run = SeenStarts()
            for index in 0..<96 as Range<Int64> { _ = run.insert((part * 96 + index) * 900, line: index) }
            parts.absorb(run, lineOffset: part * 1_000)
        }
        #expect(parts.grid == nil && parts.runs.count == 300)
        #expect(parts.line(of: (150 * 96 + 7) * 900) == 150_007)
    }

    @Test("between two starts of a run: the run is split")
    func split() {
        var seen = SeenStarts()
        for (index, start) in [0, 900, 1800, 2700].enumerated() { _ = seen.insert(Int64(start), line: Int64(index)) }
        #expect(seen.insert(1350, line: 10) == nil)
        #expect(seen.insert(1350, line: 11) == 10)
        #expect(seen.insert(1800, line: 12) == 2)
        #expect(seen.insert(0, line: 12) == 0)
        #expect(seen.insert(2700, line: 12) == 3)
        #expect(seen.runs.count == 3)
    }

    @Test("parts of a file: shared starts found, parts without any joined")
    func parts() {
        var early = SeenStarts()
        var late = SeenStarts()
        var overlapping = SeenStarts()
        for index in 0..<100 as Range<Int64> {
            _ = early.insert(index * 900, line: index)
            _ = late.insert((100 + index) * 900, line: index)
            _ = overlapping.insert(450 + index * 1800, line: index)
        }
        #expect(!early.intersects(late))
        #expect(!early.intersects(overlapping))
        _ = overlapping.insert(99 * 900, line: 500)
        #expect(early.intersects(overlapping))
        early.absorb(late, lineOffset: 100)
        #expect(early.runs.count == 2)
        #expect(early.line(of: 150 * 900) == 150)
    }
}
