import Foundation
public import ParkImpactModel
public import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// Files modified less than `--settle-seconds` ago may still be being written (a download, a copy over a share). A
/// `run` waits for them instead of skipping them: at most `--settle-seconds`, until the youngest such file is that
/// old. Ingestion then sees, with a fresh clock, which of them kept changing while it waited (their modification
/// time is recent again): those are left to a later run, the others are read.
///
/// A modification time in the future (the clock of the machine or share that wrote the file is ahead) says nothing
/// about the file's age: such a file is settled from when this run first saw it. The run notes its size and time,
/// waits the full `--settle-seconds`, and reads it if neither changed meanwhile (`Ingest.Settings.stableFuture`),
/// with a `future_mtime` warning about the clocks.
public enum Settling {
    public struct Wait: Sendable {
        public var files = 0
        public var seconds = 0
        /// The files dated in the future, with their size and time when first seen (by path).
        public var future: [String: FileDigest.Stat] = [:]

        public init() {}
    }

    /// What a run would wait for: the files modified less than `settleSeconds` ago or dated in the future, and the
    /// whole seconds until the youngest of them is `settleSeconds` old (`settleSeconds` for a future one).
    public static func wait(definitions: [PipelineDefinition], inputRoot: String, settleSeconds: Int, now: Int64)
        -> Wait {
        var wait = Wait()
        guard settleSeconds > 0 else { return wait }
        let settle = Int64(settleSeconds) * 1_000_000_000
        var youngest = Int64.max
        for definition in definitions {
            for file in Discover.files(for: definition, inputRoot: inputRoot).files {
                guard let stat = FileDigest.stat(file.path) else { continue }
                let age = now - stat.modifiedNanoseconds
                guard age < settle else { continue }
                if age < 0 { wait.future[file.path] = stat }
                wait.files += 1
                youngest = min(youngest, max(0, age))
            }
        }
        guard wait.files > 0 else { return wait }
        wait.seconds = Int((settle - youngest + 999_999_999) / 1_000_000_000)
        return wait
    }
}
