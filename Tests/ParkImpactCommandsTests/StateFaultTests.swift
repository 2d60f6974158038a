import Foundation
import GRDB
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// State faults as cron meets them, with the real binary: each ends in a rebuilt state or in one message with an exit
/// code of its own, never in 75 (which cron and systemd count as "nothing wrong, try again later").
@Suite("state faults: damaged, unwritable, newer", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct StateFaultTests {
    static let statePath = "/output/.parkimpact/state.sqlite"

    /// A pilot after one clean run, with its outputs.
    static func ranFixture() throws -> (CrashFixture, [String: Data]) {
        let fixture = try CrashFixture()
        let first = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(first.status == 0, "\(first.stderr)")
        return (fixture, CrashFixture.outputs(fixture.root))
    }

    static func keptCopies(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/output/.parkimpact")) ?? [])
            .filter { $0.hasPrefix("state.sqlite.damaged-") && !$0.hasSuffix("-wal") }
    }

    @Test("a state truncated to half its size: run moves it aside, reads every input again, exit 0 and the same reports")
    func truncatedStateIsRebuilt() throws {
        let (fixture, clean) = try Self.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let path = fixture.root + Self.statePath
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 2)) == 0)

        let report = try Binary.run(["report"], in: fixture.root)
        #expect(report.status == 74)
        #expect(report.stderr.contains("\(path): the state database is damaged ("), "\(report.stderr)")
        #expect(report.stderr.contains("`parkimpact run` moves it aside and rebuilds it from input/"))

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 0, "\(run.stderr)")
        let kept = Self.keptCopies(fixture.root)
        #expect(kept.count == 1)
        #expect(run.stderr.contains("kept as \(fixture.root)/output/.parkimpact/\(kept.first ?? "?")"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("p: 12 file(s) ingested"), "\(run.stdout)")
        #expect(CrashFixture.outputs(fixture.root) == clean)
        // The kept copy is the damaged file, byte for byte as it was (half the size).
        let keptSize = try FileManager.default.attributesOfItem(
            atPath: fixture.root + "/output/.parkimpact/" + (kept.first ?? ""))[.size] as? Int
        #expect(keptSize == size / 2)

        let again = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing new"), "\(again.stdout)")
    }

    @Test("a state overwritten with other bytes (not a database at all): rebuilt the same way")
    func overwrittenHeaderIsRebuilt() throws {
        let (fixture, clean) = try Self.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let path = fixture.root + Self.statePath
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(repeating: 0x41, count: 4096))
        try handle.close()
        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.keptCopies(fixture.root).count == 1)
        #expect(CrashFixture.outputs(fixture.root) == clean)
    }

    @Test("a state that cannot be opened (its path is a folder): exit 74 with what and how to fix, never 75")
    func unwritableStateExits74() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try FileManager.default.createDirectory(atPath: fixture.root + "/state.sqlite", withIntermediateDirectories: true)
        let run = try Binary.run(CrashFixture.arguments + ["--state", fixture.root + "/state.sqlite"], in: fixture.root)
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stderr.contains("\(fixture.root)/state.sqlite: cannot open the state database ("), "\(run.stderr)")
        #expect(run.stderr.contains("check that it and its folder are readable and writable and that the disk has space"))
    }

    @Test("a state of a newer version (a schema step this binary does not know): refused with exit 78, untouched")
    func newerStateIsRefused() throws {
        let (fixture, _) = try Self.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let path = fixture.root + Self.statePath
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
            try db.execute(sql: "CREATE TABLE future (x INTEGER NOT NULL)")
        }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("the state was written by a newer ParkImpact (schema steps v99 are unknown to "
            + "this version); run the newer version, or give this one its own state with --state"), "\(run.stderr)")
        #expect(Self.keptCopies(fixture.root).isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("an output folder whose lock cannot be created: exit 73, not 78")
    func unwritableOutputExits73() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try "a file where the output folder should be".write(toFile: fixture.root + "/output", atomically: true,
                                                              encoding: .utf8)
        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("cannot create the lock file \(fixture.root)/output/.parkimpact/lock: "), "\(run.stderr)")
        #expect(run.stderr.contains("move or remove the file \(fixture.root)/output so that parkimpact can create a "
            + "folder there"))
    }
}
