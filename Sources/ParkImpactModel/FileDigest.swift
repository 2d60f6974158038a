public import CSVReading
package import Crypto
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Size, modification time and SHA-256 of files: how the ledger recognises a file it has seen.
public enum FileDigest {
    /// `stat(2)` of a path: size in bytes and modification time in nanoseconds since 1970.
    public struct Stat: Sendable, Equatable {
        public let size: Int64
        public let modifiedNanoseconds: Int64
        /// Device, inode and status-change time (`dev:ino:ctime_ns`): an edit in place that restores size and
        /// modification time (`touch -r`, a tool that keeps times) still changes the ctime, which no user can set.
        public var identity: String = ""

        package init(size: Int64, modifiedNanoseconds: Int64, identity: String = "") {
            self.size = size
            self.modifiedNanoseconds = modifiedNanoseconds
            self.identity = identity
        }
    }

    /// The corresponding C function is `stat`; nil when the path cannot be stat'ed.
    public static func stat(_ path: String) -> Stat? {
        guard let info = systemStat(path) else { return nil }
        return Stat(size: Int64(info.st_size),
                    modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                    identity: "\(info.st_dev):\(info.st_ino):"
                        + "\(Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))")
    }

    /// SHA-256 of bytes in memory as lowercase hex (the factor catalogue's digest).
    public static func sha256(bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// SHA-256 of a file's bytes as lowercase hex, read in 1 MiB blocks (constant memory).
    /// `countingProgress`: add the bytes to `RunProgress` (not for digests computed while the files are read).
    public static func sha256(path: String, countingProgress: Bool = true) throws -> String {
        try fingerprint(path: path, countingProgress: countingProgress).sha256
    }

    /// A file that changed while it was hashed (its `fstat` before and after differ).
    public struct ChangedWhileHashed: Error, CustomStringConvertible {
        public let path: String

        package init(path: String) {
            self.path = path
        }
        public var description: String { "\(path): changed while it was fingerprinted" }
    }

    /// SHA-256 of a file's bytes and the `fstat` of the file that was hashed, the same before and after hashing
    /// (else `ChangedWhileHashed`): the digest is of the bytes the file has while its stat is that one.
    public static func fingerprint(path: String, countingProgress: Bool = true) throws -> (sha256: String, stat: Stat) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw POSIXFailure(call: "open", path: path, code: errno) }
        defer { close(descriptor) }
        guard let before = descriptorStat(descriptor) else { throw POSIXFailure(call: "fstat", path: path, code: errno) }
        var hasher = SHA256()
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, capacity)
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure(call: "read", path: path, code: errno)
            }
            if count == 0 { break }
            if countingProgress { RunProgress.shared.add(bytes: count) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        guard let after = descriptorStat(descriptor), after == before else { throw ChangedWhileHashed(path: path) }
        return (hex(hasher.finalize()), before)
    }

    /// The SHA-256 and hashed stat of each file in `paths` (those that cannot be read, or change while hashed, are
    /// left out), on `threads` cores (default: all), the largest first.
    public static func fingerprints(paths: [String], threads: Int? = nil) -> [String: (sha256: String, stat: Stat)] {
        let order = paths.map { (path: $0, size: stat($0)?.size ?? 0) }.sorted { ($1.size, $0.path) < ($0.size, $1.path) }
        let results = Mutex<[String: (sha256: String, stat: Stat)]>([:])
        ConcurrentMap.forEach(order.count, threads: threads) { index in
            if let print = try? fingerprint(path: order[index].path) {
                results.withLock { $0[order[index].path] = print }
            }
            RunProgress.shared.fileDone()
        }
        return results.withLock { $0 }
    }

    /// The SHA-256 of each file in `paths` (those that cannot be read are left out), on `threads` cores (default:
    /// all), the largest first.
    public static func sha256(paths: [String], threads: Int? = nil) -> [String: String] {
        fingerprints(paths: paths, threads: threads).mapValues(\.sha256)
    }

    public static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    package static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What identifies the running build: contributions read by another build are read again (a new version may
    /// read a file differently). The linker's GNU build ID (a hash of the linked executable, read from its ELF notes:
    /// a few hundred bytes instead of hashing 40 MB on every run), else the SHA-256 of `/proc/self/exe`, else the
    /// version string.
    public static let executable: String = {
        if let id = elfBuildID(path: "/proc/self/exe") { return "build-id " + id }
        return (try? sha256(path: "/proc/self/exe")) ?? sha256(Array("parkimpact-\(ParkImpactVersion.string)".utf8))
    }()

    /// The GNU build ID (`NT_GNU_BUILD_ID` note) of a 64-bit little-endian ELF file as lowercase hex; nil when the
    /// file is not one or has none.
    static func elfBuildID(path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return elfBuildID { offset, count in
            guard offset >= 0, count >= 0, count <= 1 << 20 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            return got == count ? bytes : nil
        }
    }

    /// `elfBuildID(path:)` over a reader of `count` bytes at `offset` (nil when they are not there): the ELF header,
    /// its program headers, then the notes of each `PT_NOTE` segment.
    static func elfBuildID(read: (_ offset: Int, _ count: Int) -> [UInt8]?) -> String? {
        func integer(_ bytes: [UInt8], _ at: Int, _ size: Int) -> Int? {
            guard at >= 0, at + size <= bytes.count else { return nil }
            var value = 0
            for index in (0..<size).reversed() { value = value << 8 | Int(bytes[at + index]) }
            return value
        }
        // e_ident: magic, ELFCLASS64 (2), ELFDATA2LSB (1).
        guard let header = read(0, 64), header[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]), header[4] == 2,
              header[5] == 1, let tableOffset = integer(header, 0x20, 8), let entrySize = integer(header, 0x36, 2),
              let count = integer(header, 0x38, 2), entrySize >= 56, count <= 4096,
              let table = read(tableOffset, entrySize * count) else { return nil }
        for index in 0..<count {
            let base = index * entrySize
            // p_type PT_NOTE (4), p_offset, p_filesz.
            guard integer(table, base, 4) == 4, let offset = integer(table, base + 8, 8),
                  let size = integer(table, base + 32, 8), size <= 1 << 16, let notes = read(offset, size) else { continue }
            var position = 0
            while let nameSize = integer(notes, position, 4), let descSize = integer(notes, position + 4, 4),
                  let type = integer(notes, position + 8, 4) {
                let nameStart = position + 12
                let descStart = nameStart + (nameSize + 3) / 4 * 4
                let next = descStart + (descSize + 3) / 4 * 4
                guard descStart + descSize <= notes.count else { break }
                // NT_GNU_BUILD_ID (3), owner "GNU\0".
                if type == 3, nameSize == 4, notes[nameStart..<nameStart + 4].elementsEqual(Array("GNU\0".utf8)),
                   descSize > 0 {
                    return notes[descStart..<descStart + descSize].map { String(format: "%02x", $0) }.joined()
                }
                position = next
            }
        }
        return nil
    }

    public struct POSIXFailure: Error, CustomStringConvertible {
        public let call: String
        public let path: String
        public let code: Int32
        public var description: String { "\(path): \(call) failed: \(String(cString: strerror(code)))" }

        /// The diagnostic code of the failure: the same as the CSV layer's for the same errno.
        public var diagnosticCode: DiagnosticCode {
            switch code {
            case ENOENT: .fileNotFound
            case EACCES, EPERM: .permissionDenied
            case EISDIR: .notAFile
            default: .ioError
            }
        }
    }
}

/// `fstat(2)` of an open descriptor as a `FileDigest.Stat`.
private func descriptorStat(_ descriptor: Int32) -> FileDigest.Stat? {
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { return nil }
    return FileDigest.Stat(size: Int64(info.st_size),
                           modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                           identity: "\(info.st_dev):\(info.st_ino):"
                               + "\(Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))")
}

/// `stat(2)`, outside `FileDigest` whose `stat` shadows the C function's name.
private func systemStat(_ path: String) -> stat? {
    var info = stat()
    return stat(path, &info) == 0 ? info : nil
}


extension FileDigest.Stat {
    /// The stat of an open file (`CSVOpenedFile.status`), in the ledger's terms.
    public init(_ status: CSVFileStatus) {
        self.init(size: status.size, modifiedNanoseconds: status.modifiedNanoseconds,
                  identity: "\(status.device):\(status.inode):\(status.changedNanoseconds)")
    }
}
