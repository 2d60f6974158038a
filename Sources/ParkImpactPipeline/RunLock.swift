import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// The advisory lock that keeps two runs from writing the same output folder at once (cron overlapping itself).
///
/// `flock(2)` on `<output>/.parkimpact/lock`: released by the kernel when the process ends, even after `kill -9`,
/// so a crashed run never leaves a stale lock. The file holds the holder's pid, for the message.
public final class RunLock {
    private let descriptor: Int32
    public let path: String

    public struct Busy: Error, CustomStringConvertible {
        public let path: String
        public let holder: String?
        public var description: String {
            "another parkimpact run\(holder.map { " (pid \($0))" } ?? "") holds the lock \(path); it changed nothing. "
                + "Try again when it has finished (cron: the next run picks up whatever is new)"
        }
    }

    /// Takes the lock without waiting. The corresponding C function is `flock` with `LOCK_EX | LOCK_NB`.
    public convenience init(outputFolder: String) throws {
        try self.init(lockFile: Self.path(outputFolder: outputFolder))
    }

    /// `<output>/.parkimpact/lock`.
    public static func path(outputFolder: String) -> String {
        ((outputFolder as NSString).appendingPathComponent(".parkimpact") as NSString).appendingPathComponent("lock")
    }

    /// Takes the lock on any file (a state database kept outside the output folder has a lock of its own).
    public init(lockFile: String) throws {
        let folder = (lockFile as NSString).deletingLastPathComponent
        try OutputFiles.makeFolder(folder)
        path = lockFile
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputFailure(call: "open", path: path, code: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines) : nil
            throw Busy(path: path, holder: holder?.isEmpty == false ? holder : nil)
        }
        descriptor = fd
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
