#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// `fstat(2)` of an open file: what says whether it is still the file that was opened, unchanged.
public struct CSVFileStatus: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modifiedNanoseconds: Int64
    public let changedNanoseconds: Int64
    /// Names the inode still has (0: the file was deleted while open).
    public let links: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changedNanoseconds = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        links = UInt64(info.st_nlink)
    }

    /// Same file (device, inode) with the same size, modification and status-change times: its bytes are the same.
    public func sameContent(as other: CSVFileStatus) -> Bool {
        device == other.device && inode == other.inode && size == other.size
            && modifiedNanoseconds == other.modifiedNanoseconds && changedNanoseconds == other.changedNanoseconds
    }
}

/// One file opened once for all the reads of one run's look at it (its dialect, its chunks, a sequential read, a
/// second pass): every read sees the same inode, whatever happens to the path meanwhile (replaced, deleted, swapped
/// for a symbolic link). Opened with `O_NOFOLLOW` (a path whose last component is a symbolic link is refused) and
/// checked with `fstat` to be a regular file. Reads use `pread(2)`, so readers share the descriptor.
public final class CSVOpenedFile: Sendable {
    public let path: String
    let descriptor: Int32
    /// `fstat` right after opening.
    public let status: CSVFileStatus

    /// Opens `path` (`openPath`, when given: the name to open, e.g. the link target discovery resolved; `path`
    /// names the file in messages). `root`: a folder the name to open lies under (the pilot's input folder): it is
    /// opened once and the components below it are opened one by one with `openat(2)` and `O_NOFOLLOW`, so a folder
    /// on the way that was swapped for a symbolic link (or for a file) is refused, not followed.
    public init(path: String, openPath: String? = nil, root: String? = nil) throws(CSVFileError) {
        self.path = path
        // O_NONBLOCK: a FIFO put in place of the file does not block the open (it is refused below).
        let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        let name = openPath ?? path
        let fd: Int32
        if let root, name.hasPrefix(root + "/") {
            fd = try Self.openBelow(root: root, components: name.dropFirst(root.count + 1).split(separator: "/"),
                                    flags: flags, path: path)
        } else {
            fd = open(name, flags)
        }
        guard fd >= 0 else {
            let number = errno
            if number == ELOOP {
                throw CSVFileError(code: .notAFile, path: path,
                                   detail: "it is a symbolic link now (it was not when the run listed the files)")
            }
            throw CSVFileError.fromErrno(number, path: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let number = errno
            close(fd)
            throw CSVFileError.fromErrno(number, path: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CSVFileError(code: .notAFile, path: path)
        }
        // Back to blocking reads for a regular file (O_NONBLOCK has no effect on them, but say what is meant).
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        status = CSVFileStatus(info)
    }

    deinit { close(descriptor) }

    /// The descriptor of `root`/`components` opened with `flags`, every folder below `root` opened with
    /// `O_NOFOLLOW | O_DIRECTORY` from the one before; -1 (with `errno` set) when the last open fails. A folder on the
    /// way that is a symbolic link or not a folder any more is refused with its name.
    static func openBelow(root: String, components: [Substring], flags: Int32, path: String) throws(CSVFileError)
        -> Int32 {
        var folder = open(root, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard folder >= 0 else { throw CSVFileError.fromErrno(errno, path: path) }
        for component in components.dropLast() {
            let next = openat(folder, String(component), O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW)
            let number = errno
            close(folder)
            guard next >= 0 else {
                if number == ELOOP || number == ENOTDIR {
                    throw CSVFileError(code: .notAFile, path: path, detail: "the folder \(component) on its path is a "
                        + "symbolic link or no folder now (it was a folder when the run listed the files)")
                }
                throw CSVFileError.fromErrno(number, path: path)
            }
            folder = next
        }
        let descriptor = openat(folder, String(components.last ?? "."), flags)
        let number = errno
        close(folder)
        errno = number
        return descriptor
    }

    /// `fstat` of the open file now; nil when it cannot be asked.
    public func currentStatus() -> CSVFileStatus? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? CSVFileStatus(info) : nil
    }

    /// What the path names now, without following a last symbolic link (`lstat`); nil when it names nothing.
    public static func pathStatus(_ path: String) -> CSVFileStatus? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return CSVFileStatus(info)
    }

    /// Up to `buffer.count` bytes at `offset`. The corresponding C function is `pread`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(CSVFileError) -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw CSVFileError.fromErrno(errno, path: path)
        }
    }

    /// Up to `count` bytes from the start of the file (for dialect and format detection).
    public func prefix(count: Int = 65_536) throws(CSVFileError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < count {
            let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), at: filled)
            if got == 0 { break }
            filled += got
        }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
    }
}

/// The bytes of an opened file from an offset on (`CSVOpenedFile`), read with `pread`: many such sources share
/// one descriptor.
public struct CSVOpenedFileSource: CSVByteSource {
    public let file: CSVOpenedFile
    public private(set) var position: Int
    /// The offset where the source ends (nil: the file's end): a part of the file read as if it were all of it.
    public let limit: Int?

    public init(_ file: CSVOpenedFile, offset: Int = 0, limit: Int? = nil) {
        self.file = file
        position = offset
        self.limit = limit
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVFileError) -> Int {
        var target = buffer
        if let limit {
            guard position < limit else { return 0 }
            if limit - position < buffer.count { target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(limit - position)]) }
        }
        let count = try file.read(into: target, at: position)
        position += count
        return count
    }
}
