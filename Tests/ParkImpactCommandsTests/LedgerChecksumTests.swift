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

/// Every ledger row carries the SHA-256 of its columns (schema v7), with the real binary: a row changed in the
/// state file since it was written is found on the next read; `run` drops it with its contribution and reads the
/// file again in the same run (the same reports as before), `report` leaves the file out with an error (exit 65).
@Suite("ledger row checksums", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct LedgerChecksumTests {
    static let statePath = "/output/.parkimpact/state.sqlite"

    /// Changes one ledger row the way a stray write would: its bytes, not its checksum.
    static func damage(_ root: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: root + statePath)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    static func message(_ root: String, _ path: String, _ rest: String) -> String {
        "\(path): its ledger row in \(root + statePath) " + rest
    }

    @Test("a row whose size changed (so that the file looks changed, or unchanged when it is not): run drops it, reads the file again, the same reports; the next run finds nothing new")
    func damagedRowIsRepaired() throws {
        let (fixture, clean) = try StateFaultTests.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try Self.damage(fixture.root, "UPDATE input_file SET size = size + 1 WHERE path = 'p/export-03.csv'")

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(Self.message(fixture.root, "p/export-03.csv", "was damaged (its checksum does not "
            + "match): the row and its stored contribution were dropped and the file is read again from the input "
            + "folder")), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("p: 1 file(s) ingested"), "\(run.stdout)")
        #expect(CrashFixture.outputs(fixture.root) == clean)
        #expect(try CrashFixture.ledger(fixture.root).count == 12)  // every row intact again (allEntries checks)

        let again = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing new"), "\(again.stdout)")
    }

    @Test("a row whose path changed (it names a file not in input/, the real file looks new): found, the reports stay the same")
    func damagedPathIsNotCountedTwice() throws {
        let (fixture, clean) = try StateFaultTests.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try Self.damage(fixture.root, "UPDATE input_file SET path = 'p/export-0X.csv' WHERE path = 'p/export-03.csv'")

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        // The row names a file that is not in input/: an error (its data might be gone); export-03.csv, unknown
        // now, is read as a new file.
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains(Self.message(fixture.root, "p/export-0X.csv", "was damaged (its checksum does not "
            + "match) and was dropped with its stored contribution; no such file is in the input folder, so its data "
            + "are no longer in the reports: if the file was deleted since it was read, put it back and the next run "
            + "reads it")), "\(run.stderr)")
        #expect(CrashFixture.outputs(fixture.root).filter { !$0.key.hasSuffix("last-run.json") }
            == clean.filter { !$0.key.hasSuffix("last-run.json") })
    }

    @Test("report with a damaged row: exit 65, an error naming the file; the state is left for run, which repairs it")
    func reportRefusesTheRow() throws {
        let (fixture, clean) = try StateFaultTests.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try Self.damage(fixture.root, "UPDATE input_file SET rows_accepted = rows_accepted + 1 WHERE path = 'p/export-05.csv'")

        let report = try Binary.run(["report"], in: fixture.root)
        #expect(report.status == 65, "\(report.stderr)")
        #expect(report.stderr.contains(Self.message(fixture.root, "p/export-05.csv", "is damaged (its checksum does not "
            + "match): this report lacks the file's data; `parkimpact run` drops the row and reads the file again from "
            + "the input folder")), "\(report.stderr)")
        let again = try Binary.run(["report"], in: fixture.root)
        #expect(again.status == 65)  // report changes nothing: said again until a run repairs it

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(CrashFixture.outputs(fixture.root) == clean)
    }

    @Test("a damaged row of a file deleted from input/ (its contribution kept until then): an error, exit 65")
    func damagedRowOfDeletedFile() throws {
        let (fixture, _) = try StateFaultTests.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try FileManager.default.removeItem(atPath: fixture.root + "/input/p/export-04.csv")
        #expect(try Binary.run(CrashFixture.arguments, in: fixture.root).status == 0)
        try Self.damage(fixture.root, "UPDATE input_file SET sha256 = 'x' || substr(sha256, 2) WHERE path = 'p/export-04.csv'")

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains(Self.message(fixture.root, "p/export-04.csv", "was damaged")), "\(run.stderr)")
        #expect(run.stderr.contains("no such file is in the input folder"))
    }

    @Test("a state of schema v6 (no checksums): migrated, every row sealed as it is; nothing new, no warning")
    func v6StateIsSealed() throws {
        let (fixture, clean) = try StateFaultTests.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try Self.damage(fixture.root, "ALTER TABLE input_file DROP COLUMN checksum; "
            + "DELETE FROM grdb_migrations WHERE identifier = 'v7'")
        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        #expect(run.stdout.contains("nothing new"), "\(run.stdout)")
        #expect(try CrashFixture.ledger(fixture.root).count == 12)
        #expect(CrashFixture.outputs(fixture.root) == clean)
    }

    @Test("a state of schema v7 (a contribution's data before its sha256): rebuilt with data last, every contribution kept; nothing new")
    func v7StateGetsDataLast() throws {
        let (fixture, clean) = try StateFaultTests.ranFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        func columns() throws -> [String] {
            let queue = try DatabaseQueue(path: fixture.root + Self.statePath)
            defer { try? queue.close() }
            return try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('contribution')")
            }
        }
        #expect(try columns() == ["file_id", "codec", "sha256", "data"])
        try Self.damage(fixture.root, """
            CREATE TABLE old (file_id INTEGER PRIMARY KEY REFERENCES input_file(id) ON DELETE CASCADE,
              codec INTEGER NOT NULL, data BLOB NOT NULL, sha256 BLOB);
            INSERT INTO old SELECT file_id, codec, data, sha256 FROM contribution;
            DROP TABLE contribution; ALTER TABLE old RENAME TO contribution;
            DELETE FROM grdb_migrations WHERE identifier = 'v8'
            """)
        #expect(try columns() == ["file_id", "codec", "data", "sha256"])
        let stored = try DatabaseQueue(path: fixture.root + Self.statePath).read { db in
            try Row.fetchAll(db, sql: "SELECT file_id, sha256, data FROM contribution ORDER BY file_id")
        }
        #expect(stored.count == 12)
        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        #expect(run.stdout.contains("nothing new"), "\(run.stdout)")
        #expect(try columns() == ["file_id", "codec", "sha256", "data"])
        let rebuilt = try DatabaseQueue(path: fixture.root + Self.statePath).read { db in
            try Row.fetchAll(db, sql: "SELECT file_id, sha256, data FROM contribution ORDER BY file_id")
        }
        #expect(rebuilt == stored)
        // The reports are rebuilt from the stored contributions: the same as before.
        let report = try Binary.run(["report"], in: fixture.root)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(CrashFixture.outputs(fixture.root) == clean)
    }

    @Test("an update of a damaged row (a touch, a mark as deleted) does not seal it again with its changed bytes")
    func updatesKeepDamageVisible() throws {
        let scratch = NSTemporaryDirectory() + "parkimpact-seal-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let store = try StateStore(path: scratch + "/state.sqlite")
        let run = try store.beginRun(startedAt: "t")
        for name in ["p/a.csv", "p/b.csv"] {
            try store.commit(LedgerEntry(pilot: "p", path: name, size: 10, modifiedNanoseconds: 1, sha256: "s" + name,
                                         readerKey: "k", sourceIndex: 0, format: "parkimpact-long", status: .ingested,
                                         runID: run), contribution: nil, events: [])
        }
        #expect(try store.ledger(pilot: "p").map(\.path) == ["p/a.csv", "p/b.csv"])
        try store.queue.write { db in try db.execute(sql: "UPDATE input_file SET size = 11 WHERE path = 'p/a.csv'") }
        try store.touch(pilot: "p", path: "p/a.csv", modifiedNanoseconds: 2, identity: "i")
        try store.setMissing(pilot: "p", path: "p/a.csv", run: run, event: nil)
        try store.touch(pilot: "p", path: "p/b.csv", modifiedNanoseconds: 2, identity: "i")
        let read = try store.checkedLedger(pilot: "p", pilots: ["p"])
        #expect(read.entries.map(\.path) == ["p/b.csv"])
        #expect(read.entries.first?.modifiedNanoseconds == 2)
        #expect(read.damaged.map(\.description) == ["p/a.csv"])
        #expect(throws: LedgerSeal.Damage.self) { try store.ledger(pilot: "p") }
        // A row whose pilot and path both changed names no pilot: it may be any pilot's.
        try store.queue.write { db in
            try db.execute(sql: "UPDATE input_file SET pilot = 'q', path = 'q/x' WHERE path = 'p/b.csv'")
        }
        #expect(try store.checkedLedger(pilot: "p", pilots: ["p"]).damaged.map(\.description) == ["p/a.csv", "q/x"])
        #expect(try store.checkedLedger(pilot: "p", pilots: ["p", "q"]).damaged.map(\.description) == ["p/a.csv"])
    }
}

/// The checksum of an inserted ledger row is computed from the values written (`LedgerSeal.inserted`), not read back:
/// it must be the one `LedgerSeal.checksum` computes from the row as SQLite stores it, for every kind of value.
@Suite("ledger row checksums from the values written")
struct LedgerSealFromValuesTests {
    @Test("rows with and without every optional column: the stored checksum is the read-back one")
    func insertedEqualsReadBack() throws {
        let folder = NSTemporaryDirectory() + "parkimpact-seal-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StateStore(path: folder + "/state.sqlite")
        #expect(store.sealsFromValues)
        let run = try store.beginRun(startedAt: "2026-12-07T00:00:00Z")
        var bare = LedgerEntry(pilot: "p", path: "p/a.csv", size: 0, modifiedNanoseconds: -5, sha256: "",
                               readerKey: "", sourceIndex: 0, format: "fluvius", status: .ingested, runID: run)
        bare.identity = nil
        var full = LedgerEntry(pilot: "p", path: "p/é ü;\"x\".csv", size: Int64.max, modifiedNanoseconds: 1_700_000_000_123,
                               sha256: String(repeating: "ab", count: 32), readerKey: "k", sourceIndex: 3,
                               format: "generic", status: .duplicate, duplicateOf: "p/a.csv", problem: "bad\nline",
                               rowsAccepted: 12, rowsRejected: 3, runID: run)
        full.problemCode = "encoding"
        full.pvSites = ["s2", "s1"]
        full.gridSitesWithoutReadings = ["s3"]
        full.conflict = LedgerEntry.pending
        full.identity = "2049:123:456"
        try store.commit([StateStore.FileCommit(bare, contribution: nil, events: []),
                          StateStore.FileCommit(full, contribution: nil, events: [("ingested", "x")])])
        let rows = try store.queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM input_file ORDER BY id") }
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["checksum"] as Data? == LedgerSeal.checksum(row), "\(row["path"] as String? ?? "")")
            #expect(LedgerSeal.isIntact(row))
        }
        #expect(try store.checkedLedger(pilot: "p", pilots: ["p"]).damaged.isEmpty)
    }
}
