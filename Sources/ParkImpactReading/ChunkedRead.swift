public import CSVReading
import Dispatch
import ParkImpactModel
public import ParkImpactDefinition

/// One chunk of a large file read on its own (`ReadFile.readChunk`): its partial aggregate with chunk-local line
/// numbers, and where it really began and ended.
package struct ChunkOutcome: Sendable {
    /// Byte offset of its first line.
    let start: Int
    /// Byte offset just after its last line: the first record boundary at or after `plannedEnd`.
    let end: Int
    /// Where the next chunk was planned to begin (nil: the file's end).
    let plannedEnd: Int?
    var aggregator: FileAggregator
    let statistics: CSVReadStatistics
    /// `RowFormat.orderDependentKeys` of the chunk.
    let orderKeys: Set<String>
    /// Chunk 0 only: the header's line and the format's column mapping.
    var headerLine = 0
    var mapping: [ColumnRole] = []
    /// False when the chunk could not be read as planned (I/O error, no header, what the merge refuses): the file is
    /// read sequentially.
    var usable = true

    /// A chunk not read: its file is read sequentially.
    static func skipped(_ file: InputFile, _ context: ReadContext) -> ChunkOutcome {
        ChunkOutcome(start: 0, end: 0, plannedEnd: nil,
                     aggregator: FileAggregator(file: file.relativePath, table: context.daysTable,
                                                readingPolicy: context.readingPolicy),
                     statistics: CSVReadStatistics(), orderKeys: [], usable: false)
    }
}

/// Reading one large file on several cores: the file is cut into chunks at line starts, each chunk is read by its
/// own parser into its own aggregate, and the chunks are merged in order into exactly what one sequential read gives
/// (cells bit for bit, rejects with their line numbers, counts).
///
/// Why the merge is exact:
/// - Each chunk stops at the first record boundary at or after the next chunk's planned start, reading a record
///   that runs past it (a quoted field with newlines) to its end. A chunk whose planned start turns out to lie
///   inside such a record is read again from where the previous one really ended. So every chunk begins where a
///   sequential read is between records, with a fresh parser, as a sequential read would be there.
/// - Line numbers are chunk-local and shifted by the lines of the chunks before. A chunk with a malformed record
///   (whose message names lines) makes the whole file be read sequentially: rare, and always exact.
/// - Floating-point sums depend on the order of additions: a (series, day) cell that two chunks share is
///   recomputed by replaying the later chunk's rows up to the last one touching a shared cell, starting from the
///   earlier total, which is the sequential order of additions.
/// - Per-series state that crosses rows: interval inference takes the gap across the boundary into account
///   (`FileAggregator.append`); the autumn repeated hour (`RowFormat.orderDependentKeys`) and water night flow with
///   inferred intervals fall back to a sequential read when a boundary splits them.
extension ReadFile {
    /// Chunk size for large files (at least two chunks' worth makes a file be read in chunks).
    public static let defaultChunkBytes = 32 << 20

    /// How many chunks of `chunkBytes` a file of `size` bytes is cut into: one when it holds less than two chunks
    /// (a byte less counts as two: an odd size cut into two halves rounded up, `Aggregate.ChunkSizing`).
    package static func chunkCount(size: Int, chunkBytes: Int) -> Int {
        (size + 1) / 2 >= chunkBytes && size > 1 ? (size + chunkBytes - 1) / chunkBytes : 1
    }

    /// Whether a file in `encoding` can be cut into chunks: UTF-8, and Windows-1252, whose line ends, delimiters,
    /// quotes and dates are the same single bytes as in UTF-8, so that chunk starts are found in the file's bytes.
    /// A Windows-1252 chunk is read as a file of its own bytes (`CSVOpenedFileSource.limit`), converted to UTF-8 on
    /// the way; a quoted field running past its end is then malformed there, and the file is read sequentially.
    /// UTF-16 is not cut: a byte search for the line end would land inside a two-byte character.
    package static func readsInChunks(_ encoding: CSVTextEncoding) -> Bool {
        encoding == .utf8 || encoding == .windows1252
    }

    /// How much of a file's start `chunkPlan` reads.
    static let sampleBytes = 256 << 10

    /// How many chunks `Aggregate.readAll` cuts a file of `size` bytes into: `chunkCount`, or fewer and larger ones
    /// (halved while there are more than two per worker) when the first chunk boundary finds no day start within
    /// its reach (`chunkStart`): an export by time whose day is longer than three quarters of a chunk (16,000 meters:
    /// 125 MB a day). Every boundary inside a day makes the chunk after it repeat the work of its series (each chunk
    /// creates them, the merge matches them and continues their sums), a cost that grows with the series and the
    /// chunks, not the bytes; larger chunks have fewer such boundaries and some land where a day begins.
    static func chunkPlan<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, size: Int, chunkBytes: Int, workers: Int
    ) -> Int {
        var count = chunkCount(size: size, chunkBytes: chunkBytes)
        guard count > 1 else { return count }
        // The header and the first rows: a file whose header says row order decides (`chunkable`), or whose first
        // rows already hold what the merge refuses (a water series without interval ends: `refusesChunkMerge`), is
        // read whole rather than cut, read and read again.
        let sampleEnd = lineStart(context.opened, at: min(size, sampleBytes), terminator: context.dialect.lineTerminator,
                                  size: size)
        let header = pass(type, file, context, CSVReadLimits(), traceLimit: 0, boundary: sampleEnd)
        if let format = header.format, !format.chunkable || header.aggregator.refusesChunkMerge { return 1 }
        let workers = max(1, workers)
        let fewest = 2 * workers
        // Few chunks: as many for each worker (three chunks on two workers take two chunks' time, four as long).
        if count < fewest * 2 { count = (count + workers - 1) / workers * workers }
        guard count > fewest, let format = header.format else { return count }
        let key = DayKey(format, context.dialect)
        let terminator = context.dialect.lineTerminator
        while count > fewest {
            let offset = Int(Int64(size) / Int64(count))
            let start = chunkStart(context.opened, at: offset, terminator: terminator, size: size,
                                   reach: size / count * 3 / 4, key: key)
            if start != lineStart(context.opened, at: offset, terminator: terminator, size: size) {
                // Rows in no time order (the day changes again within a few lines): every chunk holds every
                // series-day and logs every value, and the merge carries each chunk's cells over: the fewest
                // chunks, of at most four times the chunk size (each chunk's log grows with its bytes).
                if !dayContinues(context.opened, at: start, terminator: terminator, size: size, key: key) {
                    let largest = 4 * chunkBytes
                    return min(count, max(fewest, (size + largest - 1) / largest))
                }
                break
            }
            count = max(fewest, count / 2)
        }
        return count
    }

    /// Reads a file in chunks of about `chunkBytes` (on all cores when `parallel`) and merges them; a file of a
    /// format that is not read in chunks, or too small, is read whole. For tests: runs read chunks through
    /// `Aggregate.readAll`, which schedules the chunks of every file on one set of workers.
    public static func readChunked(
        _ file: InputFile, definition: PipelineDefinition, chunkBytes: Int = defaultChunkBytes,
        limits: CSVReadLimits = .init(), parallel: Bool = true, sumLogLines: Int? = nil
    ) -> FileResult {
        guard case .ready(var context, let reader) = prepare(file, definition: definition) else {
            return read(file, definition: definition, limits: limits)
        }
        context.sumLogLines = sumLogLines
        return readChunked(file, context, reader, chunkBytes: chunkBytes, limits: limits, parallel: parallel)
    }

    /// `readChunked` of a file already opened and prepared (`prepare`): every chunk reads that open file.
    static func readChunked(
        _ file: InputFile, _ context: ReadContext, _ reader: FormatRegistry.Reader, chunkBytes: Int,
        limits: CSVReadLimits = .init(), parallel: Bool = true
    ) -> FileResult {
        let size = Int(context.opened.status.size)
        let count = chunkCount(size: size, chunkBytes: max(1, chunkBytes))
        guard reader.readsInChunks(context.source), readsInChunks(context.dialect.encoding), count > 1 else {
            var result = reader.read(file, context, limits, 0)
            seal(&result, file, context)
            return result
        }
        let slots = Slots<ChunkOutcome>(count: count)
        if parallel {
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots.store(reader.chunk(file, context, limits, index, count, size), at: index)
            }
        } else {
            for index in 0..<count { slots.store(reader.chunk(file, context, limits, index, count, size), at: index) }
        }
        return reader.assemble(file, context, limits, slots.results())  // sealed by `ChunkAssembly.finish`
    }

    /// The first line start at or after `offset` (the file's size when there is none).
    static func lineStart(path: String, at offset: Int, terminator: UInt8, size: Int) -> Int {
        guard let opened = try? CSVOpenedFile(path: path) else { return size }
        return lineStart(opened, at: offset, terminator: terminator, size: size)
    }

    static func lineStart(_ opened: CSVOpenedFile, at offset: Int, terminator: UInt8, size: Int) -> Int {
        guard offset > 0 else { return 0 }
        var source = CSVOpenedFileSource(opened, offset: offset - 1)
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
        defer { window.deallocate() }
        var position = offset - 1
        while true {
            guard let got = try? source.read(into: window), got > 0 else { return size }
            if let hit = UnsafeRawBufferPointer(rebasing: window[0..<got]).firstIndex(of: terminator) {
                return position + hit + 1
            }
            position += got
        }
    }

    /// Where a chunk begins: the first line start at or after `offset`, moved forward by at most `reach` bytes to a
    /// line whose day key (`DayKey`: the first 10 bytes of the time column's text, its quote left out) differs from
    /// the line's before it. Long and Fluvius exports write each row's local date first in that column, so that is
    /// where a new day begins, whatever the column's place and quoting: neighbouring chunks
    /// then share no (series, day) cell and the merge replays nothing (`ChunkAssembly`; in an export by time a shared
    /// day is every meter's, up to a day of rows replayed per boundary). `readChunk` reaches three quarters of a
    /// chunk: an export by time with up to that many bytes a day is cut where its days begin, and every chunk keeps
    /// at least a quarter of its bytes. Only a hint: any line start gives the exact
    /// result, and a file whose rows begin otherwise keeps its first line start. Deterministic, so the chunk before
    /// ends where this one begins. The change is found by galloping then bisecting: a few small reads.
    static func chunkStart(path: String, at offset: Int, terminator: UInt8, size: Int, reach: Int,
                           key: DayKey = .lineStart) -> Int {
        guard let opened = try? CSVOpenedFile(path: path) else { return size }
        return chunkStart(opened, at: offset, terminator: terminator, size: size, reach: reach, key: key)
    }

    /// Where `chunkStart` finds a row's day in its line: the first 10 bytes of the text of field `column` (0: the
    /// line's start), an opening quote left out, up to the field's end.
    struct DayKey: Sendable {
        var column = 0
        var delimiter: UInt8 = 0x2C
        var quote: UInt8 = 0x22

        static let lineStart = DayKey()

        /// The time column of `format` (`RowFormat.timeColumnIndex`) in `dialect`'s fields; the line's start when
        /// the format has none.
        init<Format: RowFormat>(_ format: Format, _ dialect: CSVDialect) {
            column = format.timeColumnIndex ?? 0
            delimiter = dialect.delimiter
            quote = dialect.quote
        }

        init() {}

        static let keyBytes = 10

        /// The key of the line whose first bytes are `line` (up to its terminator or the window's end).
        func key(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var position = line.startIndex
            var field = 0
            var quoted = false
            // Past `column` delimiters outside quotes (a hint only: an unusual line just gives another key).
            while field < column, position < line.endIndex {
                let byte = line[position]
                if byte == quote { quoted.toggle() } else if byte == delimiter, !quoted { field += 1 }
                position += 1
            }
            if position < line.endIndex, line[position] == quote { position += 1 }
            var end = position
            while end < line.endIndex, end - position < Self.keyBytes {
                let byte = line[end]
                if byte == delimiter || byte == quote || byte == 0x0D { break }
                end += 1
            }
            return line[position..<end]
        }
    }

    /// Whether the line at `start` (a line start) and the `dayContinuesLines` - 1 lines after it (those of them
    /// within 32 KiB, at least one) have the same day key: rows in time order at a day start. Rows in another order
    /// change their day within a few lines (shuffled at once; sorted by another column, or every n-th row, within
    /// dozens).
    static func dayContinues(_ opened: CSVOpenedFile, at start: Int, terminator: UInt8, size: Int, key: DayKey)
        -> Bool {
        var window = [UInt8](repeating: 0, count: 32_768)
        let got = window.withUnsafeMutableBytes { (try? opened.read(into: $0, at: start)) ?? 0 }
        var rest = window[0..<got]
        var first: ArraySlice<UInt8>?
        var lines = 0
        while lines < dayContinuesLines, let end = rest.firstIndex(of: terminator) {
            let lineKey = key.key(rest[..<end])
            if let first {
                if !lineKey.elementsEqual(first) { return false }
            } else {
                first = lineKey
            }
            lines += 1
            rest = rest[(end + 1)...]
        }
        return lines >= 2
    }

    static let dayContinuesLines = 64

    static func chunkStart(_ opened: CSVOpenedFile, at offset: Int, terminator: UInt8, size: Int, reach: Int,
                           key dayKey: DayKey = .lineStart) -> Int {
        let first = lineStart(opened, at: offset, terminator: terminator, size: size)
        let step = 4096
        guard first < size, reach >= step else { return first }
        // The bytes of a line read to find its key: enough for the time column of any export seen.
        let lineBytes = 512
        var window = [UInt8](repeating: 0, count: 4096)
        /// The first line start at or after `position` (after the header: `position` > 0) and its key.
        func line(at position: Int) -> (start: Int, key: ArraySlice<UInt8>)? {
            var cursor = position - 1
            var start: Int?
            while start == nil {
                let got = window.withUnsafeMutableBytes { (try? opened.read(into: $0, at: cursor)) ?? 0 }
                guard got > 0 else { return nil }
                if let hit = window[0..<got].firstIndex(of: terminator) { start = cursor + hit + 1 } else { cursor += got }
            }
            guard let start, start < size else { return nil }
            let got = window.withUnsafeMutableBytes {
                (try? opened.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<lineBytes]), at: start)) ?? 0
            }
            guard got > 0 else { return nil }
            let text = window[0..<got]
            return (start, dayKey.key(text.firstIndex(of: terminator).map { text[..<$0] } ?? text))
        }
        guard let head = line(at: first) else { return first }
        let key = Array(head.key)
        // Gallop: the first probe whose line has another key; `low` stays on a line with the first line's key.
        var low = first
        var high: Int?
        var distance = step
        while high == nil {
            guard let probe = line(at: first + distance) else { return first }
            if probe.key.elementsEqual(key) { low = probe.start } else { high = probe.start }
            // The last probe is at `reach` itself: a day of up to `reach` bytes is always found.
            if distance == reach { break }
            distance = min(distance * 2, reach)
        }
        guard var high else { return first }
        // Bisect down to two neighbouring lines: `low` with the key, `high` without.
        while true {
            guard let next = line(at: low + 1) else { return first }
            if next.start >= high { return high }
            let middle = line(at: low + (high - low) / 2).flatMap { $0.start < high ? $0 : nil } ?? next
            if middle.key.elementsEqual(key) { low = middle.start } else { high = middle.start }
        }
    }

    static func readChunk<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits,
        index: Int, count: Int, size: Int
    ) -> ChunkOutcome {
        let header = pass(type, file, context, limits, traceLimit: 0, headerOnly: true)
        // Days are found in the rows' time column (any column, quoted or not); the line's start without a header.
        let dayKey = header.format.map { DayKey($0, context.dialect) } ?? .lineStart
        func planned(_ chunk: Int) -> Int {
            chunkStart(context.opened, at: Int(Int64(size) * Int64(chunk) / Int64(count)),
                       terminator: context.dialect.lineTerminator, size: size, reach: size / count * 3 / 4,
                       key: dayKey)
        }
        let end = index + 1 < count ? planned(index + 1) : nil
        if index == 0 {
            let first = pass(type, file, context, limits, traceLimit: 0, boundary: end)
            FaultInjection.reach("first-chunk")
            let usable = problem(of: first, file) == nil && !first.abandoned
            return ChunkOutcome(
                start: 0, end: first.statistics.stoppedAtBoundary ?? size, plannedEnd: end,
                aggregator: first.aggregator, statistics: first.statistics,
                orderKeys: first.format?.orderDependentKeys(first.aggregator.seriesKeys) ?? [],
                headerLine: first.headerLine, mapping: usable ? first.format!.mapping : [], usable: usable)
        }
        // The format and the aggregate as a read from the file's start has them at the end of the first chunk
        // (a date layout detected from the first row, the first row's trailing empty fields).
        let primed = pass(type, file, context, limits, traceLimit: 0, boundary: planned(1), prime: true)
        guard problem(of: header, file) == nil, primed.primed, let format = primed.format else {
            return ChunkOutcome(start: 0, end: 0, plannedEnd: end, aggregator: header.aggregator,
                                statistics: header.statistics, orderKeys: [], usable: false)
        }
        // A chunk that begins where a day begins shares no day with the one before in a file ordered by time (by
        // meter or by time, oldest or newest first): no sum log. Where the day changes again within the next lines
        // (`dayContinues`), the rows are in no such order (sorted by another column, shuffled): any of its cells may
        // be shared, so the log covers them all. Otherwise (a day longer than the reach) the cells begun near the
        // start.
        let start = planned(index)
        let offset = Int(Int64(size) * Int64(index) / Int64(count))
        let terminator = context.dialect.lineTerminator
        var sumLog = SumLogScope.head
        if start != lineStart(context.opened, at: offset, terminator: terminator, size: size) {
            sumLog = dayContinues(context.opened, at: start, terminator: terminator, size: size, key: dayKey)
                ? .none : .whole
        }
        return readPart(type, file, context, limits, format: format,
                        trailingEmptyFields: primed.aggregator.trailingEmptyFields, start: start, end: end,
                        sumLog: sumLog)
    }

    /// Which cells of a chunk keep the values added to their sums (`FileAggregator.keepSumLog`).
    enum SumLogScope { case none, head, whole }

    /// Reads the records from byte `start` (a line start after the header) to the first record boundary at or
    /// after `end`, with `format` as made from the header and primed (`pass(prime:)`), and the file's first row's
    /// `trailingEmptyFields`. `replay`: only the seeded cells are updated, and reading
    /// stops after the record at chunk-local line `lastLine`. `sumLog`: keep the values of the cells begun near the
    /// start, or of all (`FileAggregator.keepSumLog`), so that days shared with the chunk before are not read again.
    static func readPart<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits, format: Format,
        trailingEmptyFields: Int?, start: Int, end: Int?,
        replay: (seeds: [(key: SeriesKey, day: Int, cell: DayCell)], lastLine: Int)? = nil,
        sumLog: SumLogScope = .head
    ) -> ChunkOutcome {
        var dialect = context.dialect
        dialect.byteOrderMarkLength = 0
        dialect.hasSeparatorLine = false
        var aggregator = FileAggregator(file: file.relativePath, table: context.daysTable,
                                        readingPolicy: context.readingPolicy)
        aggregator.trailingEmptyFields = trailingEmptyFields
        if let replay {
            for seed in replay.seeds { aggregator.seedCell(seed.key, day: seed.day, seed.cell) }
            aggregator.onlyExistingCells = true
        } else if sumLog != .none {
            // Sums of the days it shares with the chunk before are continued from this log (`ChunkAssembly`): the
            // cells begun in about the first eighth of the chunk (rows of 64 bytes or more), or all, at most one
            // value per 24 bytes of the chunk (rows are longer), else its rows are replayed.
            let bytes = (end ?? Int(context.opened.status.size)) - start
            let lines = context.sumLogLines ?? (sumLog == .whole ? FileAggregator.everyLine : max(4_096, bytes / 512))
            if lines > 0 { aggregator.keepSumLog(lines: lines, limit: max(1 << 16, bytes / 24), expected: bytes / 64) }
        }
        let stopLine = replay?.lastLine ?? Int.max
        let stops = replay == nil
        let abandon = context.chunksAbandoned
        // State behind pointers, not captured variables: no run-time exclusivity checks per record.
        let state = UnsafeMutablePointer<(format: Format, aggregator: FileAggregator)>.allocate(capacity: 1)
        state.initialize(to: (format, aggregator))
        defer { state.deallocate() }  // after `move()` below
        var statistics = CSVReadStatistics()
        var usable = true
        do {
            // UTF-8: up to the first record boundary at or after `end`; another encoding: the bytes up to `end`, as
            // a file of their own (`readsInChunks`), whose statistics count the file's bytes.
            let utf8 = dialect.encoding == .utf8
            var source = CountingSource(base: CSVOpenedFileSource(context.opened, offset: start, limit: utf8 ? nil : end))
            statistics = try CSVStreamReader(dialect: dialect, limits: limits,
                                             stopAtRecordBoundary: utf8 ? end.map { $0 - start } : nil)
                .read(
                    from: &source,
                    onRecord: { record in
                        if record.line > stopLine { return .stop }
                        state.pointee.aggregator.line = record.line
                        state.pointee.format.read(record, into: &state.pointee.aggregator)
                        if state.pointee.aggregator.needsRaw {
                            let format = state.pointee.format
                            state.pointee.aggregator.fillRaw(record.rawText()) { format.valueColumnName($0) }
                        }
                        // What the merge refuses (a repeat, an interval inferred from the rows before): the file is
                        // read sequentially, so the rest of this chunk is not read.
                        if stops, state.pointee.aggregator.refusesChunkMerge
                            || record.line & AbandonFlag.checkMask == 0 && abandon?.isSet == true {
                            usable = false
                            return .stop
                        }
                        return .proceed
                    },
                    onMalformed: { malformed in
                        let column = malformed.column.map { state.pointee.format.columnName($0 - 1) } ?? ""
                        state.pointee.aggregator.reject(line: malformed.line, column: column,
                                                    code: RejectCode(malformed.kind), reason: malformed.reason,
                                                        raw: malformed.raw, site: file.source.site)
                    })
        } catch {
            usable = false
        }
        let (finalFormat, finalAggregator) = state.move()
        return ChunkOutcome(
            start: start, end: start + (statistics.stoppedAtBoundary ?? statistics.bytes), plannedEnd: end,
            aggregator: finalAggregator, statistics: statistics,
            orderKeys: finalFormat.orderDependentKeys(finalAggregator.seriesKeys), usable: usable)
    }

    /// Merges a file's chunks in order (see the type's comment for why the result equals a sequential read).
    static func assemble<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits,
        _ chunks: [ChunkOutcome]
    ) -> FileResult {
        let assembly = ChunkAssembly(type, file, context, limits)
        for chunk in chunks { assembly.add(chunk) }
        return assembly.finish()
    }
}

/// A file's chunks merged one by one, in order, as they arrive (`Aggregate.readAll` hands each over as soon as the
/// chunks before it are in), so a large file never holds all its chunks' aggregates at once.
package protocol ChunkAssembling: AnyObject, Sendable {
    /// The next chunk in order (0, 1, 2, …).
    func add(_ chunk: ChunkOutcome)
    /// True once a chunk could not be merged exactly: the file will be read sequentially, later chunks are not needed.
    var failed: Bool { get }
    /// The merged result; a sequential read when a chunk could not be merged exactly.
    func finish() -> FileResult
}

/// `@unchecked Sendable`: used by one thread at a time (`Aggregate.readAll` hands it from worker to worker under a
/// lock).
final class ChunkAssembly<Format: RowFormat>: ChunkAssembling, @unchecked Sendable {
    private let file: InputFile
    private let context: ReadContext
    private let limits: CSVReadLimits
    private var format: Format?
    /// The first row's trailing empty fields (`pass(prime:)`), for the chunks read again here.
    private var trailingEmptyFields: Int?
    private var merged: FileAggregator?
    private var statistics = CSVReadStatistics()
    private var headerLine = 0
    private var expected = 0
    private var lineOffset = 0
    private var orderKeys: Set<String> = []
    /// A chunk could not be merged exactly: the file is read sequentially at the end; later chunks are dropped.
    private(set) var failed = false

    init(_ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits) {
        self.file = file
        self.context = context
        self.limits = limits
    }

    func add(_ planned: ChunkOutcome) {
        // A refused repeat names its earlier line, chunk-local here: the file is read sequentially (rare).
        guard !failed, planned.usable, planned.aggregator.refusedRepeats == 0 else {
            failed = true
            merged = nil
            return
        }
        guard var merged else {
            let header = ReadFile.pass(Format.self, file, context, limits, traceLimit: 0, boundary: planned.end,
                                       prime: true)
            guard header.primed, let format = header.format else {
                failed = true
                return
            }
            self.format = format
            trailingEmptyFields = header.aggregator.trailingEmptyFields
            merged = planned.aggregator
            statistics = planned.statistics
            statistics.stoppedAtBoundary = nil
            expected = planned.end
            lineOffset = planned.statistics.physicalLines
            orderKeys = planned.orderKeys
            headerLine = planned.headerLine
            return
        }
        self.merged = nil  // merged in place below, not copied
        let format = format!
        var chunk = planned
        if chunk.start != expected {
            // The previous chunk's last record ran past this chunk's planned start (a quoted newline).
            chunk = ReadFile.readPart(Format.self, file, context, limits, format: format,
                                      trailingEmptyFields: trailingEmptyFields, start: expected, end: chunk.plannedEnd)
            guard chunk.usable else {
                failed = true
                return
            }
        }
        // A repeat in the chunk, or an interval start both parts have (a repeat across the boundary): read
        // sequentially (rare).
        guard chunk.statistics.malformedRecords == 0, !chunk.aggregator.usedInferredInterval,
              chunk.aggregator.refusedRepeats == 0,
              case let mapping = merged.seriesIndices(of: chunk.aggregator),
              !merged.sharesStarts(with: chunk.aggregator, mapping: mapping),
              orderKeys.isDisjoint(with: chunk.orderKeys) else {
            failed = true
            return
        }
        orderKeys.formUnion(chunk.orderKeys)
        // The days both have: their sums continued from the chunk's log of values, else its rows read again.
        if !merged.appendContinuingSums(chunk.aggregator, lineOffset: lineOffset, mapping: mapping) {
            let shared = merged.sharedCells(with: chunk.aggregator)
            var replayed: [SeriesKey: [Int: DayCell]] = [:]
            if !shared.cells.isEmpty {
                let seeds = shared.cells.map { (key: $0.key, day: $0.day, cell: merged.cell($0.key, day: $0.day)!) }
                let replay = ReadFile.readPart(Format.self, file, context, limits, format: format,
                                               trailingEmptyFields: trailingEmptyFields, start: chunk.start,
                                               end: chunk.plannedEnd, replay: (seeds, shared.lastLine))
                for (key, day) in shared.cells { replayed[key, default: [:]][day] = replay.aggregator.cell(key, day: day) }
            }
            merged.append(chunk.aggregator, lineOffset: lineOffset, replayed: replayed)
        }
        statistics.bytes += chunk.statistics.bytes
        statistics.physicalLines += chunk.statistics.physicalLines
        statistics.records += chunk.statistics.records
        statistics.blankLines += chunk.statistics.blankLines
        statistics.preambleLines += chunk.statistics.preambleLines
        statistics.replacedCharacters += chunk.statistics.replacedCharacters
        lineOffset += chunk.statistics.physicalLines
        expected = chunk.end
        self.merged = merged
    }

    func finish() -> FileResult {
        var result: FileResult
        if !failed, var merged, let format {
            self.merged = nil  // freed as soon as the result is built, not when the whole read stage ends
            Format.finishMerged(&merged)
            result = ReadFile.result(file, context, format: format, aggregator: merged, headerLine: headerLine,
                                     statistics: statistics)
        } else {
            result = ReadFile.read(Format.self, file, context, limits, 0)
        }
        ReadFile.seal(&result, file, context)
        return result
    }
}

import Foundation
