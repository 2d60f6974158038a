import Foundation
import Synchronization
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline
#if canImport(Glibc)
import Glibc
#endif

/// A file that changes or vanishes during its read, with the real binary: it is looked at again once it stayed the
/// same for the quiet time (`--settle-seconds 0`: 1 s) and read again in the same run (at most twice), or, when it
/// stays gone, handled as a deleted file. The run pauses at `opened` (`PARKIMPACT_FAULT=pause@opened:<ms>`, reached
/// at every open of a file for its read) and the test changes the file meanwhile.
@Suite("files read again when they changed during their read", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct ReadAgainProcessTests {
    func run(_ pilot: StatefulPilot, pause: Int? = nil, dailyCSV: Bool = false,
             during: @escaping () throws -> Void = {}) throws -> Binary.Outcome {
        let marker = pilot.scratch.path(".paused")
        let environment = pause.map { Binary.pause(at: "opened", ms: $0, marker: marker) } ?? [:]
        return try Binary.run(CrashFixture.arguments + (dailyCSV ? ["--daily-csv"] : []), in: pilot.scratch.root,
                              environment: environment) { _ in
            if pause != nil { Binary.waitForPause(marker) }
            try? during()
        }
    }

    /// Replaces the bytes of `path` in place (same inode: truncated, then written).
    static func rewrite(_ path: String, _ text: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Day 1: 24 × 3 kWh = 72; day 2: 24 × 0.5 kWh = 12; 84 in all.
    static let rewritten = longRows(days: 1...2) { day, _ in day == 1 ? "3" : "0.5" }

    @Test("a file rewritten in place once during its read is read again: the same run counts the new version")
    func rewrittenOnce() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))  // 24 × 1 kWh
        #expect(try run(pilot).status == 0)
        #expect(try pilot.offtake() == "24")
        try pilot.write("a.csv", longRows(days: 1...1) { _, _ in "2" })  // 48, never counted: rewritten in its read
        let racing = try run(pilot, pause: 1500, dailyCSV: true) {
            try Self.rewrite(pilot.scratch.path("input/p/a.csv"), Self.rewritten)
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/a.csv: changed during its read; read again once it stayed unchanged "
            + "for 1 s, and counted as it is now"), "\(racing.stderr)")
        #expect(!racing.stderr.contains("earlier version still counts"), "\(racing.stderr)")
        #expect(pilot.scratch.read("output/p/daily.csv") == "series,date,sum,count,missing\n"
            + "s/electricity_offtake/m1,2024-01-01,72.0,24,0\ns/electricity_offtake/m1,2024-01-02,12.0,24,0\n")
        #expect(try pilot.offtake() == "84")
        let entry = try #require(try pilot.ledger().first)
        #expect(entry.size == Int64(Self.rewritten.utf8.count))
        #expect(entry.sha256 == FileDigest.sha256(Array(Self.rewritten.utf8)))
        let after = try run(pilot)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(try pilot.offtake() == "84")
    }

    @Test("a new file replaced by another during its read is read again and counted in the same run")
    func newFileReplaced() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("b.csv", longRows(days: 1...1) { _, _ in "2" })
        let racing = try run(pilot, pause: 1500) {
            // Another file under the name (a new inode: written beside it, then renamed over it).
            try Self.rewritten.write(toFile: pilot.scratch.path("input/p/b.csv"), atomically: true, encoding: .utf8)
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/b.csv: changed during its read; read again"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "84")
        #expect(try pilot.ledger().map(\.status) == [.ingested])
    }

    @Test("a file rewritten all the time keeps its old contribution with one warning; the next run counts it")
    func keptChanging() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))
        #expect(try run(pilot).status == 0)
        let path = pilot.scratch.path("input/p/a.csv")
        try pilot.write("a.csv", longRows(days: 1...1) { _, _ in "2" })
        // Rewritten every 100 ms from inside the first read's pause (at `opened`) to the end of the run.
        let versions = [longRows(days: 1...1) { _, _ in "2" }, Self.rewritten]
        let writer = Mutex<Rewriter?>(nil)
        let racing = try run(pilot, pause: 1000) { writer.withLock { $0 = Rewriter(path: path, versions: versions) } }
        writer.withLock { $0?.stop() }
        #expect(racing.status == 0, "\(racing.stderr)")
        let warning = "input/p/a.csv: kept changing while the run read it (1 read, and it did not stay unchanged "
            + "for 1 s before a read again); its earlier version still counts; the next run looks at it again; a program "
            + "that rewrites it often can write to a temporary name (ending in .part) and rename it when done"
        #expect(racing.stderr.contains(warning), "\(racing.stderr)")
        #expect(racing.stderr.components(separatedBy: "kept changing").count == 2, "\(racing.stderr)")
        #expect(!racing.stderr.contains("changed while it was read"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "24")
        #expect(try pilot.ledger().first?.size == Int64(longRows(days: 1...1).utf8.count))
        // Stable now: 24 × 5 kWh.
        try Self.rewrite(path, longRows(days: 1...1) { _, _ in "5" })
        let after = try run(pilot)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(try pilot.offtake() == "120")
    }

    @Test("a file deleted during its read and put back before the run looks again is read and counted")
    func deletedAndPutBack() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))
        #expect(try run(pilot).status == 0)
        try pilot.write("a.csv", longRows(days: 1...1) { _, _ in "2" })
        let path = pilot.scratch.path("input/p/a.csv")
        let racing = try run(pilot, pause: 2500) {
            try FileManager.default.removeItem(atPath: path)
            // Back after the read (about 2.5 s after the start) or just before its end: read again either way.
            usleep(2_000_000)
            try Self.rewritten.write(toFile: path, atomically: false, encoding: .utf8)
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(!racing.stderr.contains("still gone"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "84")
        #expect(try pilot.ledger().first?.missingSinceRun == nil)
    }
    @Test("a folder under input/<pilot>/ swapped for a symbolic link after the listing is not followed")
    func folderSwappedForALink() throws {
        let pilot = try StatefulPilot(definition: StatefulPilot.definition.replacingOccurrences(
            of: "path: \"*.csv\"", with: "path: \"sub/*.csv\""))
        defer { pilot.scratch.remove() }
        try pilot.write("sub/a.csv", longRows(days: 1...1))
        #expect(try run(pilot).status == 0)
        #expect(try pilot.offtake() == "24")
        try pilot.write("sub/a.csv", longRows(days: 1...1) { _, _ in "2" })
        try pilot.scratch.write("secret/a.csv", longRows(days: 1...1) { _, _ in "secret-text" })
        let racing = try Binary.run(CrashFixture.arguments, in: pilot.scratch.root,
                                    environment: Binary.pause(at: "planned", ms: 1500,
                                                              marker: pilot.scratch.path(".paused"))) { _ in
            Binary.waitForPause(pilot.scratch.path(".paused"))
            let sub = pilot.scratch.path("input/p/sub")
            try? FileManager.default.removeItem(atPath: sub)
            try? FileManager.default.createSymbolicLink(atPath: sub, withDestinationPath: pilot.scratch.path("secret"))
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/sub/a.csv: the folder sub on its path is a symbolic link or no folder "
            + "now (it was a folder when the run listed the files); its earlier version still counts; the next run "
            + "looks at it again"), "\(racing.stderr)")
        #expect(!racing.stderr.contains("kept changing"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "24")
        #expect(!(pilot.scratch.read("output/p/rejects.csv") ?? "").contains("secret-text"))
    }
}

/// Rewrites a file in place every 100 ms, cycling through `versions`, until stopped.
final class Rewriter: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(path: String, versions: [String]) {
        Thread.detachNewThread { [self] in
            var index = 0
            while lock.withLock({ running }) {
                try? ReadAgainProcessTests.rewrite(path, versions[index % versions.count])
                index += 1
                usleep(100_000)
            }
            done.signal()
        }
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }
}
