import CSVReading
import Crypto
import ParkImpactModel

/// A byte source that counts what it reads into `RunProgress.shared`.
struct CountingSource<Base: CSVByteSource>: CSVByteSource {
    var base: Base
    /// When set, every byte read goes through it too (`ReadContext.fingerprint`).
    var hasher: SHA256?

    init(base: Base, hashing: Bool = false) {
        self.base = base
        hasher = hashing ? SHA256() : nil
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVFileError) -> Int {
        let count = try base.read(into: buffer)
        RunProgress.shared.add(bytes: count)
        if count > 0, hasher != nil { hasher!.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        return count
    }

    /// Reads what the parser left (it may stop early: no header) and returns the SHA-256 of all the bytes, as
    /// `FileDigest.sha256(path:)` gives it; nil when not hashing.
    mutating func finishDigest() throws(CSVFileError) -> String? {
        guard hasher != nil else { return nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
        return FileDigest.hex(hasher!.finalize())
    }
}
