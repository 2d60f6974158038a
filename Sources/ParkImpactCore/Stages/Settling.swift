import Foundation

/// Files modified less than `--settle-seconds` ago may still be being written (a download, a copy over a share). A
/// `run` waits for them instead of skipping them: at most `--settle-seconds`, until the youngest such file is that
/// old. Ingestion then sees, with a fresh clock, which of them kept changing while it waited (their modification
/// time is recent again): those are left to a later run, the others are read. A modification time in the future (a
/// clock ahead on a share) is not waited for: such a file is skipped as before.
public enum Settling {
    /// What a run would wait for: the files modified less than `settleSeconds` ago (not in the future) and the
    /// whole seconds until the youngest of them is `settleSeconds` old (0 when there is none).
    public static func wait(definitions: [PipelineDefinition], inputRoot: String, settleSeconds: Int, now: Int64)
        -> (files: Int, seconds: Int) {
        guard settleSeconds > 0 else { return (0, 0) }
        let settle = Int64(settleSeconds) * 1_000_000_000
        var files = 0
        var youngest = Int64.max
        for definition in definitions {
            for file in Discover.files(for: definition, inputRoot: inputRoot).files {
                guard let stat = FileDigest.stat(file.path) else { continue }
                let age = now - stat.modifiedNanoseconds
                guard age >= 0, age < settle else { continue }
                files += 1
                youngest = min(youngest, age)
            }
        }
        guard files > 0 else { return (0, 0) }
        let nanoseconds = settle - youngest
        return (files, Int((nanoseconds + 999_999_999) / 1_000_000_000))
    }
}
