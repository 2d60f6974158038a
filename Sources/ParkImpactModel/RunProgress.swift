import CSVReading
import Crypto
import Synchronization

/// How far the long stages of a run are: fingerprinting the inputs (SHA-256), reading them, building the reports. Workers add bytes as
/// they go (one atomic add per 1 MiB read, nothing per row); a display on a terminal (`parkimpact run` with stderr
/// on a terminal) samples it a few times a second.
public final class RunProgress: Sendable {
    /// The process's progress (one run per process).
    public static let shared = RunProgress()

    /// `reporting` counts pilots (files: pilots whose outputs are rebuilt), not bytes.
    public enum Stage: String, Sendable { case fingerprinting, reading, reporting }

    public struct Snapshot: Sendable, Equatable {
        public var stage: Stage
        /// Bytes done, and in all (0: not known in advance).
        public var bytes: Int
        public var totalBytes: Int
        public var files: Int
        public var totalFiles: Int
        /// Seconds since the stage began.
        public var seconds: Double

        public init(stage: Stage, bytes: Int, totalBytes: Int, files: Int, totalFiles: Int, seconds: Double) {
            self.stage = stage
            self.bytes = bytes
            self.totalBytes = totalBytes
            self.files = files
            self.totalFiles = totalFiles
            self.seconds = seconds
        }
    }

    private struct Current {
        var stage: Stage
        var totalBytes: Int
        var totalFiles: Int
        var started: ContinuousClock.Instant
    }

    private let current = Mutex<Current?>(nil)
    private let bytes = Atomic<Int>(0)
    private let files = Atomic<Int>(0)

    public init() {}

    public func begin(_ stage: Stage, totalBytes: Int = 0, totalFiles: Int) {
        bytes.store(0, ordering: .relaxed)
        files.store(0, ordering: .relaxed)
        current.withLock { $0 = Current(stage: stage, totalBytes: totalBytes, totalFiles: totalFiles,
                                        started: ContinuousClock().now) }
    }

    /// More work found while the stage runs (files read again for PV matching).
    public func extend(bytes more: Int, files moreFiles: Int) {
        current.withLock {
            $0?.totalBytes += more
            $0?.totalFiles += moreFiles
        }
    }

    public func end() { current.withLock { $0 = nil } }

    public func add(bytes count: Int) { bytes.add(count, ordering: .relaxed) }
    public func fileDone() { files.add(1, ordering: .relaxed) }

    /// Nil between stages.
    public func snapshot() -> Snapshot? {
        guard let stage = current.withLock({ $0 }) else { return nil }
        return Snapshot(stage: stage.stage, bytes: bytes.load(ordering: .relaxed), totalBytes: stage.totalBytes,
                        files: files.load(ordering: .relaxed), totalFiles: stage.totalFiles,
                        seconds: Phases.seconds(ContinuousClock().now - stage.started))
    }
}

