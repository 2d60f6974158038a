/// Collects the fields libcsv reports for one record and hands the finished record to the handler.
///
/// Lives behind an `UnsafeMutablePointer` for the duration of one read (the `void *data` of libcsv's callbacks), so
/// the callbacks touch a plain struct: no class-property exclusivity checks on the hot path.
struct RecordAssembler {
    /// Field bytes of the current record, back to back.
    var storage: UnsafeMutableRawBufferPointer
    var storageUsed = 0
    /// End offset of each field in `storage`.
    var fieldEnds: UnsafeMutableBufferPointer<Int>
    var fieldCount = 0
    /// More fields than `fieldEnds` holds: the record is rejected, not silently cut.
    var overflowed = false

    /// Start line and raw text of the record being parsed (set by the reader before each feed).
    var line = 0
    var raw = UnsafeRawBufferPointer(start: nil, count: 0)

    var handler: (CSVRecord) -> CSVReadControl
    var malformedHandler: (CSVMalformedRecord) -> Void
    var statistics = CSVReadStatistics()
    var stopRequested = false
    let maxFields: Int

    init(
        maxFields: Int, handler: @escaping (CSVRecord) -> CSVReadControl,
        malformedHandler: @escaping (CSVMalformedRecord) -> Void
    ) {
        self.maxFields = maxFields
        storage = .allocate(byteCount: 4096, alignment: 1)
        fieldEnds = .allocate(capacity: min(maxFields, 256))
        self.handler = handler
        self.malformedHandler = malformedHandler
    }

    func deallocate() {
        storage.deallocate()
        fieldEnds.deallocate()
    }

    /// Copies one field (libcsv reuses its field buffer for the next field). Raw pointers, no slices: this runs
    /// for every field of every row.
    @inline(__always)
    mutating func appendField(_ bytes: UnsafeRawPointer?, count: Int) {
        if fieldCount == fieldEnds.count {
            guard fieldCount < maxFields else {
                overflowed = true
                return
            }
            growFieldEnds()
        }
        let needed = storageUsed &+ count
        if needed > storage.count { growStorage(needed) }
        let storageBase = storage.baseAddress.unsafelyUnwrapped
        if count > 0 { (storageBase + storageUsed).copyMemory(from: bytes.unsafelyUnwrapped, byteCount: count) }
        storageUsed = needed
        fieldEnds.baseAddress.unsafelyUnwrapped[fieldCount] = needed
        fieldCount &+= 1
    }

    @inline(never)
    private mutating func growFieldEnds() {
        let grown = UnsafeMutableBufferPointer<Int>.allocate(capacity: min(maxFields, fieldEnds.count * 2))
        _ = grown.initialize(from: fieldEnds)
        fieldEnds.deallocate()
        fieldEnds = grown
    }

    @inline(never)
    private mutating func growStorage(_ needed: Int) {
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(needed, storage.count * 2), alignment: 1)
        grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<storageUsed]))
        storage.deallocate()
        storage = grown
    }

    mutating func endRecord() {
        defer { reset() }
        if overflowed {
            statistics.malformedRecords += 1
            malformedHandler(CSVMalformedRecord(
                line: line, column: maxFields + 1,
                reason: "more than \(maxFields) fields in one record; is the delimiter right?",
                raw: CSVRecord.text(raw, limit: 4096)))
            return
        }
        guard !stopRequested else { return }
        statistics.records += 1
        let record = CSVRecord(
            line: line, fieldCount: fieldCount, storage: UnsafeRawBufferPointer(storage),
            fieldEnds: UnsafeBufferPointer(fieldEnds), raw: raw)
        if handler(record) == .stop { stopRequested = true }
    }

    /// Drops a partial record (after a parse error).
    @inline(__always)
    mutating func reset() {
        storageUsed = 0
        fieldCount = 0
        overflowed = false
    }
}
