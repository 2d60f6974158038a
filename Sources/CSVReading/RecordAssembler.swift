#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Collects the fields libcsv reports for one record and hands the finished record to the handler.
///
/// Lives behind an `UnsafeMutablePointer` for the duration of one read (the `void *data` of libcsv's callbacks), so
/// the callbacks touch a plain struct: no class-property exclusivity checks on the hot path.
struct RecordAssembler {
    /// Field bytes of the current record, back to back, with at least `copySlack` bytes spare after them.
    var storage: UnsafeMutableRawPointer
    var storageCapacity: Int
    var storageUsed = 0
    /// `offsets[i]..<offsets[i + 1]` are the bytes of field `i` in `storage`; `offsets[0]` is always 0. Room for
    /// `maxFields + 1` offsets from the start (32 KiB at the default limit): no growth check per field.
    let offsets: UnsafeMutablePointer<Int>
    var fieldCount = 0
    /// More fields than `maxFields`: the record is rejected, not silently cut.
    var overflowed = false

    /// Start line and raw text of the record being parsed (set by the reader before each feed).
    var line = 0
    var raw = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Several plain lines fed to libcsv at once (`ReadSession.feedSpan`): where the next record's line starts, where
    /// the span ends, and the number of the last line given out. `spanCursor` is nil when lines are fed one by one.
    var spanCursor: UnsafeRawPointer?
    var spanEnd: UnsafeRawPointer?
    var spanLine = 0

    var handler: (CSVRecord) -> CSVReadControl
    var malformedHandler: (CSVMalformedRecord) -> Void
    var statistics = CSVReadStatistics()
    var stopRequested = false
    let maxFields: Int

    /// Fields up to this long are copied as one 16-byte block (no `memcpy` call): libcsv hands over its entry buffer,
    /// which is at least its block size (4096, `CSVParser`) long, so 16 bytes can always be read from its start, and
    /// `storage` keeps this many bytes spare.
    static let copySlack = 16

    init(
        maxFields: Int, handler: @escaping (CSVRecord) -> CSVReadControl,
        malformedHandler: @escaping (CSVMalformedRecord) -> Void
    ) {
        self.maxFields = maxFields
        storageCapacity = 4096
        storage = .allocate(byteCount: storageCapacity, alignment: 16)
        offsets = .allocate(capacity: maxFields + 1)
        offsets[0] = 0
        self.handler = handler
        self.malformedHandler = malformedHandler
    }

    func deallocate() {
        storage.deallocate()
        offsets.deallocate()
    }

    /// Copies one field (libcsv reuses its field buffer for the next field). Raw pointers, no slices: this runs
    /// for every field of every row.
    @inline(__always)
    mutating func appendField(_ bytes: UnsafeRawPointer?, count: Int) {
        guard fieldCount < maxFields else {
            overflowed = true
            return
        }
        let needed = storageUsed &+ count
        if needed &+ Self.copySlack > storageCapacity { growStorage(needed &+ Self.copySlack) }
        let target = storage + storageUsed
        if count <= Self.copySlack {
            if count > 0 {
                target.storeBytes(of: bytes.unsafelyUnwrapped.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
            }
        } else {
            target.copyMemory(from: bytes.unsafelyUnwrapped, byteCount: count)
        }
        storageUsed = needed
        fieldCount &+= 1
        offsets[fieldCount] = needed
    }

    @inline(never)
    private mutating func growStorage(_ needed: Int) {
        let capacity = max(needed, storageCapacity * 2)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: storage, byteCount: storageUsed)
        storage.deallocate()
        storage = grown
        storageCapacity = capacity
    }

    mutating func endRecord() {
        defer { reset() }
        if spanCursor != nil {
            // Lines after a stop are not looked at (as when fed one by one, the read ends at the stopping record).
            guard !stopRequested else { return }
            takeSpanLine()
        }
        if overflowed {
            statistics.malformedRecords += 1
            malformedHandler(CSVMalformedRecord(
                line: line, column: maxFields + 1, kind: .tooManyFields,
                reason: "more than \(maxFields) fields in one record; is the delimiter right?",
                raw: CSVRecord.text(raw, limit: 4096)))
            return
        }
        guard !stopRequested else { return }
        statistics.records += 1
        let record = CSVRecord(
            line: line, fieldCount: fieldCount, storage: UnsafeRawPointer(storage), offsets: UnsafePointer(offsets),
            raw: raw)
        if handler(record) == .stop { stopRequested = true }
    }

    /// The line of the record libcsv just ended, in a span of plain lines: the next line that is not blank (only spaces
    /// and tabs, which libcsv skips without a record). Counts the lines passed, as `ReadSession.processLine` does.
    mutating func takeSpanLine() {
        var cursor = spanCursor.unsafelyUnwrapped
        let end = spanEnd.unsafelyUnwrapped
        while cursor < end {
            let newline = UnsafeRawPointer(memchr(cursor, 0x0A, end - cursor).unsafelyUnwrapped)
            let length = newline - cursor
            spanLine += 1
            statistics.physicalLines += 1
            if Self.isBlank(cursor, length) {
                statistics.blankLines += 1
                cursor = newline + 1
                continue
            }
            line = spanLine
            raw = UnsafeRawBufferPointer(start: cursor, count: length)
            spanCursor = newline + 1
            return
        }
        spanCursor = end  // not reached: libcsv ends a record only at a line that is not blank
    }

    /// Only spaces and tabs (or nothing).
    @inline(__always)
    static func isBlank(_ start: UnsafeRawPointer, _ count: Int) -> Bool {
        for offset in 0..<count {
            let byte = start.load(fromByteOffset: offset, as: UInt8.self)
            if byte != 0x20, byte != 0x09 { return false }
        }
        return true
    }

    /// Drops a partial record (after a parse error).
    @inline(__always)
    mutating func reset() {
        storageUsed = 0
        fieldCount = 0
        overflowed = false
    }
}
