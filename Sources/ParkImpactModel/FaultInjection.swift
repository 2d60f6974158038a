import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test hook for the crash-safety tests: `PARKIMPACT_FAULT=<point>:<n>` makes the process kill itself with SIGKILL
/// the n-th time it reaches `point` (`kill` action), and `PARKIMPACT_FAULT=pause@<point>:<ms>` sleeps there. Points:
/// `locked` (lock taken), `committed` (a file's transaction committed), `settled` (a group of copies settled),
/// `output` (an output file renamed into place), `recorded` (output fingerprints recorded), `planned` (the files to
/// read are decided), `opened` (a file opened for its read), `first-chunk` (the first chunk of a file read in chunks
/// is read), `offered` (a read's new files offered to other workers), `handed` (a helper handed a file's result
/// over). Unset in normal runs: one
/// environment lookup per process. With `PARKIMPACT_FAULT_REACHED=<path>` a pause first creates that file, so a test
/// acts when the process is inside the pause rather than after a guessed delay (a kill point creates it the first time
/// it is reached). With `PARKIMPACT_FAULT_UNTIL=<path>` a pause goes on after its time until that file exists (at most
/// 120 s more): another process's marker, so that a slow machine does not change what the test sees.
///
/// `PARKIMPACT_FAULT=<error>@<point>:<n>` makes the n-th call at an I/O point fail with that error instead (`enospc`,
/// `eio`, `eacces`): points `write` (a write to an output's temporary file) and `rename` (an output renamed into
/// place), so that a disk filling up between two outputs can be tested.
public enum FaultInjection {
    private struct Plan {
        let point: String
        let pause: Bool
        let value: Int
        /// The `errno` an I/O point fails with.
        var failure: Int32? = nil
    }

    private static let errors: [String: Int32] = ["enospc": ENOSPC, "eio": EIO, "eacces": EACCES]

    private static let plan: Plan? = {
        guard let text = ProcessInfo.processInfo.environment["PARKIMPACT_FAULT"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let value = Int(parts[1]) else { return nil }
        if parts[0].hasPrefix("pause@") { return Plan(point: String(parts[0].dropFirst(6)), pause: true, value: value) }
        let named = parts[0].split(separator: "@")
        if named.count == 2, let code = errors[String(named[0])] {
            return Plan(point: String(named[1]), pause: false, value: value, failure: code)
        }
        return Plan(point: String(parts[0]), pause: false, value: value)
    }()

    /// Called at each I/O point: the `errno` to fail with the n-th time, else nil.
    public static func failure(_ point: String) -> Int32? {
        guard let plan, plan.point == point, let code = plan.failure else { return nil }
        let count = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return count == plan.value ? code : nil
    }

    private static let counter = Mutex(0)

    /// `PARKIMPACT_FAULT_REACHED`: the file a pause creates when it starts.
    private static let reachedMarker = ProcessInfo.processInfo.environment["PARKIMPACT_FAULT_REACHED"]

    /// `PARKIMPACT_FAULT_UNTIL`: the file whose existence ends a pause once its time is over.
    private static let untilMarker = ProcessInfo.processInfo.environment["PARKIMPACT_FAULT_UNTIL"]

    /// Called at each named point.
    public static func reach(_ point: String) {
        guard let plan, plan.point == point, plan.failure == nil else { return }
        if plan.pause {
            if let reachedMarker { _ = FileManager.default.createFile(atPath: reachedMarker, contents: Data()) }
            usleep(UInt32(plan.value) * 1000)
            if let untilMarker {
                let deadline = Date().addingTimeInterval(120)
                while !FileManager.default.fileExists(atPath: untilMarker), Date() < deadline { usleep(5_000) }
            }
            return
        }
        let count = counter.withLock { value -> Int in
            value += 1
            // Under the lock: another thread's later reach (the kill) waits until the marker exists.
            if value == 1, let reachedMarker { _ = FileManager.default.createFile(atPath: reachedMarker, contents: Data()) }
            return value
        }
        if count == plan.value { kill(getpid(), SIGKILL) }
    }
}

import Synchronization
