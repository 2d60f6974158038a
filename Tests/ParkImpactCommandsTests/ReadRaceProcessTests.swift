import Foundation
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

/// Files that change, vanish or are swapped while a run reads them, with the real binary: the run pauses at a
/// fault-injection point (`PARKIMPACT_FAULT=pause@<point>:<ms>`) and the test changes the file meanwhile.
@Suite("files changing while a run reads them", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct ReadRaceProcessTests {
    /// Runs the binary paused `pause` ms at `point`; `during` runs once the binary is inside the pause.
    func run(_ pilot: StatefulPilot, pausedAt point: String? = nil, pause: Int = 1500,
             during: @escaping () throws -> Void = {}) throws -> Binary.Outcome {
        let marker = pilot.scratch.path(".paused")
        let environment = point.map { Binary.pause(at: $0, ms: pause, marker: marker) } ?? [:]
        return try Binary.run(CrashFixture.arguments, in: pilot.scratch.root, environment: environment) { _ in
            if point != nil { Binary.waitForPause(marker) }
            try? during()
        }
    }

    @Test("a file deleted while it is read again, still gone a second later, keeps its contribution as deleted")
    func deletedDuringAReread() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))  // 24 × 1 kWh
        #expect(try run(pilot).status == 0)
        #expect(try pilot.offtake() == "24")
        try pilot.write("a.csv", longRows(days: 1...1) { _, _ in "2" })
        let racing = try run(pilot, pausedAt: "opened") {
            try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p/a.csv"))
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/a.csv: deleted or moved away while it was read, and still gone 1 s "
            + "later: its contribution (24 rows) is kept in the reports so that no data is lost; put the file back if "
            + "it was deleted by mistake"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "24")
        #expect(try pilot.ledger().first?.missingSinceRun != nil)
        let after = try run(pilot)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(!after.stderr.contains("a.csv"), "said once: \(after.stderr)")
        #expect(try pilot.offtake() == "24")
    }

    @Test("a new file deleted during its read leaves nothing behind: the next run exits 0 without a word about it")
    func newFileDeletedDuringItsRead() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))
        #expect(try run(pilot).status == 0)
        try pilot.write("b.csv", longRows(days: 2...2))
        let racing = try run(pilot, pausedAt: "opened") {
            try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p/b.csv"))
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/b.csv: deleted or moved away while it was read, and still gone 1 s "
            + "later; it was not counted, so the reports do not change"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "24")
        let after = try run(pilot)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(!after.stderr.contains("b.csv"), "\(after.stderr)")
        #expect(try pilot.offtake() == "24")
    }

    @Test("a file appended to during its read is read again: the same run counts the new version")
    func changedDuringItsRead() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))
        #expect(try run(pilot).status == 0)
        try pilot.write("a.csv", longRows(days: 1...1) { _, _ in "2" })
        let racing = try run(pilot, pausedAt: "opened") {
            // Written in place (same inode): the size grows, so the read's before and after differ.
            let handle = try #require(FileHandle(forWritingAtPath: pilot.scratch.path("input/p/a.csv")))
            handle.seekToEndOfFile()
            handle.write(Data("2024-01-02T00:00:00+01:00,s,m1,electricity_offtake,3,kWh,measured\n".utf8))
            try handle.close()
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/a.csv: changed during its read; read again once it stayed "
            + "unchanged for 1 s, and counted as it is now"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "51")  // 24 × 2 + 3
        let after = try run(pilot)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(try pilot.offtake() == "51")
    }

    @Test("a file swapped for a symbolic link to another folder after the run listed it is not followed")
    func swappedForALink() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))
        #expect(try run(pilot).status == 0)
        try pilot.scratch.write("secret/outside.csv", longRows(days: 1...1) { _, _ in "secret-text" })
        try pilot.write("a.csv", longRows(days: 1...1) { _, _ in "2" })
        let racing = try run(pilot, pausedAt: "planned") {
            let path = pilot.scratch.path("input/p/a.csv")
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path,
                                                       withDestinationPath: pilot.scratch.path("secret/outside.csv"))
        }
        #expect(racing.status == 0, "\(racing.stderr)")
        #expect(racing.stderr.contains("input/p/a.csv: it is a symbolic link now (it was not when the run listed "
            + "the files); its earlier version still counts"), "\(racing.stderr)")
        #expect(try pilot.offtake() == "24")
        #expect(!(pilot.scratch.read("output/p/rejects.csv") ?? "").contains("secret-text"))
        let after = try run(pilot)
        #expect(after.stderr.contains("input/p/a.csv: skipped: it links outside "), "\(after.stderr)")
        #expect(!(pilot.scratch.read("output/p/rejects.csv") ?? "").contains("secret-text"))
    }

    @Test("a relative symbolic link leaving input/<pilot>/ is refused; one that stays inside is read at its target")
    func relativeLinks() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.scratch.write("secret.csv", longRows(days: 2...2) { _, _ in "7" })
        try FileManager.default.createSymbolicLink(atPath: pilot.scratch.path("input/p/escape.csv"),
                                                   withDestinationPath: "../../secret.csv")
        try pilot.write("inside/a.txt", longRows(days: 1...1))
        try FileManager.default.createSymbolicLink(atPath: pilot.scratch.path("input/p/link.csv"),
                                                   withDestinationPath: "inside/a.txt")
        let outcome = try run(pilot)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("input/p/escape.csv: skipped: it links outside "), "\(outcome.stderr)")
        #expect(try pilot.offtake() == "24")  // link.csv's 24 × 1 kWh; never the 24 × 7 kWh outside
    }
}
