import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The quick check that lets a run skip a file compares size, modification time and identity (device, inode, ctime).
@Suite("files edited in place")
struct FileIdentityTests {
    let old = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("an edit in place that keeps size and modification time (a tool restoring the time) is seen and read again")
    func sameSizeSameTime() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        #expect(try pilot.offtake() == "48")
        // Every 1 becomes a 2: the same number of bytes; the time set back to what it was.
        let path = pilot.scratch.path("input/p/a.csv")
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let edited = longRows(days: 1...2) { _, _ in "2" }
        try handle.write(contentsOf: Data(edited.utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        let (_, diagnostics) = try pilot.run()
        #expect(StatefulPilot.messages(diagnostics) == [path + ": changed since it was ingested: its old contribution "
            + "is replaced"])
        #expect(try pilot.offtake() == "96")
    }

    @Test("a file only touched (new ctime, same bytes) is fingerprinted, found unchanged and not read again")
    func touchedOnly() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        let path = pilot.scratch.path("input/p/a.csv")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)  // ctime changes
        let (result, diagnostics) = try pilot.run()
        #expect(diagnostics.entries.isEmpty)
        #expect(result.nothingNew)
        #expect(try pilot.offtake() == "48")
        let entry = try #require(try pilot.ledger().first)
        #expect(entry.identity == FileDigest.stat(path)?.identity)
    }
}
