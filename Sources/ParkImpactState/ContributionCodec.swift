public import ParkImpactModel

/// The binary form of one file's contribution as the state store keeps it: the series (day cells, spans, interval
/// readings), the rejects and the file summary. Little-endian, length-prefixed, no padding; a `Double` is stored as
/// its bit pattern, so a decoded contribution sums to exactly the same bits as the one that was read.
///
/// Layout: `magic "PIC2"`, summary (ending with the problem and its code), series count, series…, reject count,
/// rejects…; a reject is file, line, column, code, reason, raw, site, day. Version 1 (`PIC1`) is the same without the
/// problem's code and the reject's code, and its ignored rows are keyed by English texts: it still decodes, its rejects
/// with the code `unclassified`, its known ignored-row texts mapped to their `IgnoreCode` (a deleted input's
/// contribution stays readable). Version 3 (`PIC3`) adds to each reject, after its day, the number of rows it
/// tallies without detail (`Reject.omittedRows`, 0 for a reject kept in full); it is written only when a reject is
/// such a tally, so a contribution whose rejects are all kept in full is the same `PIC2` bytes as before.
///
/// Version 4 (`PIC4`, written now) keeps the `PIC3` layout but stores day cells and interval readings compactly (a
/// file of one value per meter and day has one cell per row: 76 bytes a cell in `PIC3`, about 20 in `PIC4`). Integers
/// there are LEB128 varints, signed ones zigzag-encoded. A cell: its day as the difference from the series' day
/// before (the first from 0), a flag byte, the sum's bits, the present count, then only what differs from an empty
/// cell's value, in this order, as the flags say: estimated count (1), missing count (2), maximum's bits (4), night
/// minimum rate's bits (8), first start (16), last start (32), the starts in seconds from the day's midnight in UTC. A
/// reading: its start as the difference from the
/// reading before (the first from 0), its seconds, its quality byte and its value's bits. A reject always carries its
/// tallied rows. A version the decoder does not know is refused: the store then re-reads the file (or, for a deleted
/// input, says it cannot).
public enum ContributionCodec {
    public static let version: Int64 = 4
    /// The versions `decode` reads.
    public static let readableVersions: ClosedRange<Int64> = 1...4
    static let magic: [UInt8] = Array("PIC2".utf8)
    static let magicVersion1: [UInt8] = Array("PIC1".utf8)
    static let magicVersion3: [UInt8] = Array("PIC3".utf8)
    static let magicVersion4: [UInt8] = Array("PIC4".utf8)

    /// Which layout `encode` writes: the current one, or that of earlier builds (`PIC2`, or `PIC3` with tallied
    /// rejects), kept to prove that states they wrote still decode.
    package enum Layout: Sendable { case current, version3 }

    /// Cell flags of `PIC4`.
    enum CellFlag {
        static let estimated: UInt8 = 1, missing: UInt8 = 2, maximum: UInt8 = 4, night: UInt8 = 8
        static let firstStart: UInt8 = 16, lastStart: UInt8 = 32
    }
    /// The bits of an empty cell's maximum and night minimum rate (`DayCell()`): not stored.
    static let emptyMaximum = (-Double.infinity).bitPattern
    static let emptyNight = Double.infinity.bitPattern

    public struct DecodingError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What the store keeps of a `FileResult`.
    public struct Contribution: Sendable {
        public var series: [SeriesData]
        public var rejects: [Reject]
        public var summary: FileSummary

        public init(series: [SeriesData], rejects: [Reject], summary: FileSummary) {
            self.series = series
            self.rejects = rejects
            self.summary = summary
        }
    }

    public static func encode(_ contribution: Contribution) -> [UInt8] {
        encode(contribution, layout: .current)
    }

    package static func encode(_ contribution: Contribution, layout: Layout) -> [UInt8] {
        var out = BinaryWriter()
        out.reserve(encodedSize(contribution, layout: layout))
        write(contribution, to: &out, layout: layout)
        return out.bytes
    }

    /// The number of bytes `encode` gives, without encoding.
    public static func encodedSize(_ contribution: Contribution) -> Int {
        encodedSize(contribution, layout: .current)
    }

    static func encodedSize(_ contribution: Contribution, layout: Layout) -> Int {
        var counter = BinaryWriter(countOnly: true)
        write(contribution, to: &counter, layout: layout)
        return counter.count
    }

    /// Encodes in pieces of about `piece` bytes, each handed to `drain` in order and then reused: a contribution of
    /// tens of MB is never whole in memory (`StateStore.commit` writes the pieces into its blob).
    public static func encode(_ contribution: Contribution, piece: Int = 1 << 20,
                              to drain: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        var out = BinaryWriter(drainingAt: piece, to: drain)
        write(contribution, to: &out)
        out.flush()
        if let failure = out.failure { throw failure }
    }

    private static func write(_ contribution: Contribution, to out: inout BinaryWriter, layout: Layout = .current) {
        let compact = layout == .current
        let tallies = compact || contribution.rejects.contains { !$0.isDetailed }
        out.raw(compact ? magicVersion4 : tallies ? magicVersion3 : magic)
        let summary = contribution.summary
        out.string(summary.path)
        out.string(summary.format)
        out.string(summary.dialect)
        out.int(summary.acceptedRows)
        out.int(summary.rejectedRows)
        out.int(summary.ignoredRows.count)
        for (reason, count) in summary.ignoredRows.sorted(by: { $0.key < $1.key }) {
            out.string(reason)
            out.int(count)
        }
        out.optionalString(summary.problem)
        out.optionalString(summary.problemCode)
        out.int(contribution.series.count)
        for data in contribution.series {
            out.string(data.key.site)
            out.string(data.key.quantity.rawValue)
            out.string(data.key.meter)
            out.int32(data.intervalSeconds)
            out.int(data.days.count)
            if compact {
                writeCompact(data, to: &out)
                continue
            }
            for (day, cell) in data.days {
                out.int(day)
                out.double(cell.sum)
                out.double(0)  // was the estimated sum: nothing read it, no longer kept (the layout stays PIC1)
                out.int32(cell.present)
                out.int32(cell.estimated)
                out.int32(cell.missing)
                out.double(cell.maximum)
                out.double(cell.nightMinimumRate)
                out.int(Int(cell.firstStart))
                out.int(Int(cell.lastStart))
            }
            writeSpans(data.inputs, to: &out)
            out.int(data.readings.count)
            for reading in data.readings {
                out.int(Int(reading.startUTC))
                out.int32(reading.seconds)
                out.byte(reading.quality.rawValue)
                out.double(reading.value)
            }
        }
        out.int(contribution.rejects.count)
        for reject in contribution.rejects {
            out.string(reject.file)
            out.int(reject.line)
            out.string(reject.column)
            out.string(reject.code.rawValue)
            out.string(reject.reason)
            out.string(reject.raw)
            out.optionalString(reject.site)
            out.byte(reject.day == nil ? 0 : 1)
            out.int(reject.day ?? 0)
            if tallies { out.int(reject.omittedRows) }
        }
    }

    /// A series' cells, spans and readings in the `PIC4` layout (after its day count).
    private static func writeCompact(_ data: SeriesData, to out: inout BinaryWriter) {
        // Each cell is put together in a buffer on the stack (at most 85 bytes) and appended at once.
        withUnsafeTemporaryAllocation(byteCount: 96, alignment: 8) { buffer in
            let base = buffer.baseAddress!
            var previousDay = 0
            for (day, cell) in data.days {
                var end = 0
                @inline(__always) func varint(_ value: UInt64) {
                    var rest = value
                    while rest >= 0x80 {
                        base.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, toByteOffset: end, as: UInt8.self)
                        end += 1
                        rest >>= 7
                    }
                    base.storeBytes(of: UInt8(rest), toByteOffset: end, as: UInt8.self)
                    end += 1
                }
                @inline(__always) func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
                @inline(__always) func double(_ value: Double) {
                    base.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: end, as: UInt64.self)
                    end += 8
                }
                zigzag(Int64(day - previousDay))
                previousDay = day
                var flags: UInt8 = 0
                if cell.estimated != 0 { flags |= CellFlag.estimated }
                if cell.missing != 0 { flags |= CellFlag.missing }
                if cell.maximum.bitPattern != emptyMaximum { flags |= CellFlag.maximum }
                if cell.nightMinimumRate.bitPattern != emptyNight { flags |= CellFlag.night }
                if cell.firstStart != .max { flags |= CellFlag.firstStart }
                if cell.lastStart != .min { flags |= CellFlag.lastStart }
                base.storeBytes(of: flags, toByteOffset: end, as: UInt8.self)
                end += 1
                double(cell.sum)
                zigzag(Int64(cell.present))
                if flags & CellFlag.estimated != 0 { zigzag(Int64(cell.estimated)) }
                if flags & CellFlag.missing != 0 { zigzag(Int64(cell.missing)) }
                if flags & CellFlag.maximum != 0 { double(cell.maximum) }
                if flags & CellFlag.night != 0 { double(cell.nightMinimumRate) }
                // Starts as seconds from the day number's midnight in UTC, as the cells hold them (`PackedDayCell`).
                let midnight = Int64(day) * 86_400
                if flags & CellFlag.firstStart != 0 { zigzag(cell.firstStart &- midnight) }
                if flags & CellFlag.lastStart != 0 { zigzag(cell.lastStart &- midnight) }
                out.raw(UnsafeRawBufferPointer(start: base, count: end))
            }
        }
        writeSpans(data.inputs, to: &out)
        out.int(data.readings.count)
        var previousStart: Int64 = 0
        for reading in data.readings {
            out.zigzag(reading.startUTC &- previousStart)
            previousStart = reading.startUTC
            out.zigzag(Int64(reading.seconds))
            out.byte(reading.quality.rawValue)
            out.double(reading.value)
        }
    }

    /// A series' input spans (every layout): count, then per span its file, first and last day.
    private static func writeSpans(_ spans: [InputSpan], to out: inout BinaryWriter) {
        out.int(spans.count)
        for span in spans {
            out.string(span.file)
            out.int(span.firstDay)
            out.int(span.lastDay)
        }
    }

    fileprivate static func readSpans(_ input: inout BinaryReader) throws -> [InputSpan] {
        var spans: [InputSpan] = []
        for _ in 0..<(try input.count()) {
            let file = try input.string()
            let first = try input.int()
            spans.append(InputSpan(file: file, firstDay: first, lastDay: try input.int()))
        }
        return spans
    }

    /// Days are numbered from 1970-01-01; the readers accept four-digit years (9999-12-31 is day 2,932,896), so a
    /// stored day beyond ±3 × 10⁶ is damage.
    static let largestDayNumber = 3_000_000

    public static func decode(_ bytes: [UInt8]) throws -> Contribution {
        try bytes.withUnsafeBufferPointer { buffer in
            var input = BinaryReader(buffer: buffer)
            let head = try input.take(4)
            let version1 = head.elementsEqual(magicVersion1)
            let version4 = head.elementsEqual(magicVersion4)
            let version3 = version4 || head.elementsEqual(magicVersion3)
            guard version1 || version3 || head.elementsEqual(magic) else {
                throw DecodingError(description: "not a contribution of a version this build reads (PIC1 to PIC4)")
            }
            let path = try input.string()
            let format = try input.string()
            let dialect = try input.string()
            let accepted = try input.int()
            let rejected = try input.int()
            var ignored: [String: Int] = [:]
            for _ in 0..<(try input.count()) {
                var reason = try input.string()
                // Version 1 kept the English texts: the known ones become their codes, others stay as text.
                if version1, let key = IgnoreKey.fromVersion1(reason) { reason = key.key }
                let (sum, overflow) = ignored[reason, default: 0].addingReportingOverflow(try input.int())
                guard !overflow else { throw DecodingError(description: "corrupt ignored-row count") }
                ignored[reason] = sum
            }
            let problem = try input.optionalString()
            let problemCode = version1 ? nil : try input.optionalString()
            let summary = FileSummary(path: path, format: format, dialect: dialect, acceptedRows: accepted,
                                      rejectedRows: rejected, ignoredRows: ignored, problem: problem,
                                      problemCode: problemCode)
            var series: [SeriesData] = []
            for _ in 0..<(try input.count()) {
                let site = try input.string()
                let quantityName = try input.string()
                guard let quantity = Quantity(rawValue: quantityName) else {
                    throw DecodingError(description: "unknown quantity \(quantityName)")
                }
                let meter = try input.string()
                let interval = try input.int32()
                let dayCount = try input.count()
                var days = DayCells(extras: DayCells.Extras(for: quantity))
                days.reserveCapacity(dayCount)
                if version4 {
                    series.append(try decodeCompact(&input, key: SeriesKey(site: site, quantity: quantity, meter: meter),
                                                    interval: interval, dayCount: dayCount, into: days))
                    continue
                }
                for _ in 0..<dayCount {
                    let day = try input.int()
                    guard abs(day) <= Self.largestDayNumber else {
                        throw DecodingError(description: "day \(day) out of range")
                    }
                    var cell = DayCell()
                    cell.sum = try input.double()
                    _ = try input.double()  // the estimated sum of version 1 writers
                    cell.present = try input.int32()
                    cell.estimated = try input.int32()
                    cell.missing = try input.int32()
                    cell.maximum = try input.double()
                    cell.nightMinimumRate = try input.double()
                    cell.firstStart = Int64(try input.int())
                    cell.lastStart = Int64(try input.int())
                    if let last = days.lastDay, day <= last {
                        throw DecodingError(description: "day cells out of order (day \(day) after \(last))")
                    }
                    days.append(day: day, cell)
                }
                let inputs = try readSpans(&input)
                let readingCount = try input.count()
                var readings = IntervalReadings()
                readings.reserveCapacity(readingCount)
                for _ in 0..<readingCount {
                    let start = try input.int()
                    let seconds = try input.int32()
                    guard let quality = Quality(rawValue: try input.byte()) else {
                        throw DecodingError(description: "unknown quality code")
                    }
                    readings.append(IntervalReading(startUTC: Int64(start), seconds: seconds, quality: quality,
                                                    value: try input.double()))
                }
                series.append(SeriesData(key: SeriesKey(site: site, quantity: quantity, meter: meter),
                                         intervalSeconds: interval, days: days, inputs: inputs, readings: readings))
            }
            var rejects: [Reject] = []
            for _ in 0..<(try input.count()) {
                let file = try input.string()
                let line = try input.int()
                let column = try input.string()
                var code = RejectCode.unclassified
                if !version1 {
                    let text = try input.string()
                    guard let known = RejectCode(rawValue: text) else {
                        throw DecodingError(description: "unknown reject code \"\(text)\"")
                    }
                    code = known
                }
                let reason = try input.string()
                let raw = try input.string()
                let site = try input.optionalString()
                let hasDay = try input.byte() == 1
                let day = try input.int()
                let omitted = version3 ? try input.int() : 0
                guard omitted >= 0 else { throw DecodingError(description: "a negative count of rejected rows") }
                rejects.append(Reject(file: file, line: line, column: column, code: code, reason: reason, raw: raw,
                                      site: site, day: hasDay ? day : nil, omittedRows: omitted))
            }
            guard input.atEnd else { throw DecodingError(description: "trailing bytes after the contribution") }
            return Contribution(series: series, rejects: rejects, summary: summary)
        }
    }
}

extension ContributionCodec {
    /// A series' cells, spans and readings in the `PIC4` layout (`writeCompact`), after its day count.
    fileprivate static func decodeCompact(_ input: inout BinaryReader, key: SeriesKey, interval: Int32, dayCount: Int,
                                          into cells: DayCells) throws -> SeriesData {
        var days = cells
        var day = 0
        var first = true
        func count32(_ value: Int64) throws -> Int32 {
            guard let narrow = Int32(exactly: value) else { throw DecodingError(description: "corrupt value \(value)") }
            return narrow
        }
        for _ in 0..<dayCount {
            let (next, overflow) = day.addingReportingOverflow(Int(try input.zigzag()))
            guard !overflow, abs(next) <= Self.largestDayNumber else {
                throw DecodingError(description: "day out of range")
            }
            if !first, next <= day {
                throw DecodingError(description: "day cells out of order (day \(next) after \(day))")
            }
            first = false
            day = next
            let flags = try input.byte()
            guard flags & ~63 == 0 else { throw DecodingError(description: "unknown cell flags \(flags)") }
            var cell = DayCell()
            cell.sum = try input.double()
            cell.present = try count32(try input.zigzag())
            if flags & CellFlag.estimated != 0 { cell.estimated = try count32(try input.zigzag()) }
            if flags & CellFlag.missing != 0 { cell.missing = try count32(try input.zigzag()) }
            if flags & CellFlag.maximum != 0 { cell.maximum = try input.double() }
            if flags & CellFlag.night != 0 { cell.nightMinimumRate = try input.double() }
            let midnight = Int64(day) * 86_400
            if flags & CellFlag.firstStart != 0 { cell.firstStart = midnight + Int64(try count32(try input.zigzag())) }
            if flags & CellFlag.lastStart != 0 { cell.lastStart = midnight + Int64(try count32(try input.zigzag())) }
            days.append(day: day, cell)
        }
        let inputs = try readSpans(&input)
        // Each reading takes at least 11 bytes (two varints, the quality, the value).
        let readingCount = try input.int()
        guard readingCount >= 0, readingCount <= (input.buffer.count - input.offset) / 11 else {
            throw DecodingError(description: "corrupt reading count \(readingCount)")
        }
        var readings = IntervalReadings()
        readings.reserveCapacity(readingCount)
        var start: Int64 = 0
        for _ in 0..<readingCount {
            start = start &+ (try input.zigzag())
            let seconds = try count32(try input.zigzag())
            guard let quality = Quality(rawValue: try input.byte()) else {
                throw DecodingError(description: "unknown quality code")
            }
            readings.append(IntervalReading(startUTC: start, seconds: seconds, quality: quality, value: try input.double()))
        }
        return SeriesData(key: key, intervalSeconds: interval, days: days, inputs: inputs, readings: readings)
    }
}

/// Appends little-endian values: into `bytes`, handed on to a drain piece by piece, or only counted.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []
    /// Every byte written so far (counted also when only counting or once drained).
    private(set) var count = 0
    private let countOnly: Bool
    private let drainAt: Int
    private let drain: ((UnsafeRawBufferPointer) throws -> Void)?
    /// The first error of `drain`; what is written after it is dropped.
    private(set) var failure: (any Error)?

    init(countOnly: Bool = false) {
        self.countOnly = countOnly
        drainAt = .max
        drain = nil
    }

    init(drainingAt piece: Int, to drain: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        countOnly = false
        drainAt = max(1, piece)
        self.drain = drain
        bytes.reserveCapacity(drainAt + 4096)
    }

    mutating func reserve(_ capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Hands what is buffered to the drain (at once when the buffer holds a piece).
    mutating func flush() {
        guard let drain, !bytes.isEmpty else { return }
        if failure == nil {
            do { try bytes.withUnsafeBytes(drain) } catch { failure = error }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always) private mutating func wrote() {
        if bytes.count >= drainAt { flush() }
    }

    mutating func raw(_ value: some Collection<UInt8>) {
        count += value.count
        guard !countOnly else { return }
        bytes.append(contentsOf: value)
        wrote()
    }

    mutating func byte(_ value: UInt8) {
        count += 1
        guard !countOnly else { return }
        bytes.append(value)
        wrote()
    }

    /// LEB128: seven bits a byte, low first, the high bit set on every byte but the last.
    mutating func varint(_ value: UInt64) {
        var length = 1
        var rest = value
        while rest >= 0x80 {
            length += 1
            rest >>= 7
        }
        count += length
        guard !countOnly else { return }
        rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        wrote()
    }

    /// A signed value as a varint, small magnitudes short: 0, -1, 1, -2, … → 0, 1, 2, 3, …
    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { raw($0) } }
    mutating func int32(_ value: Int32) { withUnsafeBytes(of: value.littleEndian) { raw($0) } }
    mutating func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw($0) } }
    mutating func string(_ value: String) {
        let utf8 = value.utf8
        int(utf8.count)
        raw(utf8)
    }
    mutating func optionalString(_ value: String?) {
        if let value {
            byte(1)
            string(value)
        } else {
            byte(0)
        }
    }
}

/// Reads what `BinaryWriter` wrote; every read checks the bounds (a truncated blob throws, never traps).
struct BinaryReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var offset = 0

    var atEnd: Bool { offset == buffer.count }

    mutating func take(_ count: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard count >= 0, count <= buffer.count - offset else {
            throw ContributionCodec.DecodingError(description: "truncated contribution at byte \(offset)")
        }
        defer { offset += count }
        return UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    mutating func byte() throws -> UInt8 { try take(1)[0] }

    mutating func int() throws -> Int {
        let raw = try take(8)
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(raw[index]) }
        return Int(Int64(bitPattern: value))
    }

    mutating func int32() throws -> Int32 {
        let raw = try take(4)
        var value: UInt32 = 0
        for index in (0..<4).reversed() { value = value << 8 | UInt32(raw[index]) }
        return Int32(bitPattern: value)
    }

    mutating func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: Int64(try int()))) }

    /// A LEB128 varint of at most 10 bytes (64 bits).
    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            guard shift < 64, shift < 63 || byte <= 1 else {
                throw ContributionCodec.DecodingError(description: "corrupt varint at byte \(offset - 1)")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A count of items that follow: never more than the bytes left (a corrupt count cannot allocate gigabytes).
    mutating func count() throws -> Int {
        let value = try int()
        guard value >= 0, value <= buffer.count - offset else {
            throw ContributionCodec.DecodingError(description: "corrupt count \(value) at byte \(offset - 8)")
        }
        return value
    }

    mutating func string() throws -> String { String(decoding: try take(try count()), as: UTF8.self) }

    mutating func optionalString() throws -> String? { try byte() == 1 ? try string() : nil }
}
