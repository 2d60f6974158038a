import Foundation
import Testing
@testable import ParkImpactPostgres
@testable import ParkImpactState
import ParkImpactModel
import TestSupport

/// The libpq wrapper and the state's schema against a real PostgreSQL server (Debian's, on loopback).
@Suite struct PostgresConnectionTests {
    @Test func parametersAndTypesRoundTrip() throws {
        let db = try PostgresConnection(url: try PostgresTestServer.freshDatabase())
        try db.execute("CREATE TABLE t (s TEXT, i BIGINT, d DOUBLE PRECISION, b BYTEA)")
        let allBytes = (0...255).map(UInt8.init) + [0, 0, 255]
        let text = "Brouwerij De Kaai — m³ ; \"quoted\" \\ back\nline"
        try db.execute("INSERT INTO t VALUES ($1, $2, $3, $4)",
                       [.text(text), .int(-9_007_199_254_740_993), .double(0.1), .bytes(allBytes)])
        try db.execute("INSERT INTO t VALUES ($1, $2, $3, $4)", [.null, .null, .null, .bytes([])])
        let rows = try db.execute("SELECT s, i, d, b FROM t ORDER BY s NULLS LAST").rows
        #expect(rows.count == 2)
        #expect(rows[0]["s"] == text)
        #expect(rows[0].int("i") == -9_007_199_254_740_993)
        #expect(rows[0].double("d") == 0.1)
        #expect(rows[0].bytes("b") == allBytes)
        #expect(rows[1]["s"] == nil)
        #expect(rows[1].int("i") == nil)
        #expect(rows[1].bytes("b") == [])
        #expect(try db.execute("UPDATE t SET i = 1").affected == 2)
    }

    @Test func errorsCarryTheirSQLState() throws {
        let db = try PostgresConnection(url: try PostgresTestServer.freshDatabase())
        try db.execute("CREATE TABLE u (k TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO u VALUES ($1)", [.text("a")])
        do {
            try db.execute("INSERT INTO u VALUES ($1)", [.text("a")])
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.isUniqueViolation)
            #expect(error.sqlState == "23505")
            #expect(error.message.hasPrefix("ERROR:  duplicate key value violates unique constraint \"u_pkey\""))
        }
        // A failed transaction rolls back: the row inserted inside it is gone.
        #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.execute("INSERT INTO u VALUES ($1)", [.text("b")])
                try db.execute("INSERT INTO u VALUES ($1)", [.text("a")])
            }
        }
        #expect(try db.execute("SELECT count(*) FROM u").rows.first?.int(0) == 1)
    }

    @Test func aConnectionErrorNamesTheServerWithoutItsPassword() {
        do {
            _ = try PostgresConnection(url: "postgresql://worker:s3cret@127.0.0.1:1/parkimpact")
            Issue.record("connected to port 1")
        } catch {
            #expect(error.kind == .connection)
            #expect(error.message.hasPrefix("cannot connect to the PostgreSQL state at "
                + "postgresql://worker@127.0.0.1:1/parkimpact: "))
            #expect(!error.message.contains("s3cret"))
        }
        #expect(PostgresConnection.redacted("host=db user=w password=x dbname=p") == "host=db user=w password=… dbname=p")
    }

    /// A session's advisory lock holds other sessions off until it is released or its connection ends (the way a
    /// killed worker's locks go).
    @Test func advisoryLocksEndWithTheirConnection() throws {
        let url = try PostgresTestServer.freshDatabase()
        var first: PostgresConnection? = try PostgresConnection(url: url)
        let second = try PostgresConnection(url: url)
        #expect(try first!.tryAdvisoryLock(42))
        #expect(try !second.tryAdvisoryLock(42))
        try first!.advisoryUnlock(42)
        #expect(try second.tryAdvisoryLock(42))
        #expect(try !first!.tryAdvisoryLock(42))
        try second.advisoryUnlock(42)
        #expect(try first!.tryAdvisoryLock(42))
        first = nil  // the connection ends: its lock goes with it once the server has ended that session
        var taken = false
        let deadline = ContinuousClock.now + .seconds(10)
        while !taken, ContinuousClock.now < deadline {
            taken = try second.tryAdvisoryLock(42)
            if !taken { usleep(20_000) }
        }
        #expect(taken)
    }
}

@Suite struct PostgresSchemaTests {
    @Test func migratesOnceAndRefusesANewerSchema() throws {
        let url = try PostgresTestServer.freshDatabase()
        let db = try PostgresConnection(url: url)
        #expect(try PostgresSchema.version(db) == 0)
        #expect(try PostgresSchema.migrate(db) == Array(1...PostgresSchema.currentVersion))
        #expect(try PostgresSchema.version(db) == PostgresSchema.currentVersion)
        #expect(try PostgresSchema.migrate(db) == [])
        // A newer parkimpact migrated this database further: this binary refuses it and changes nothing.
        let newer = PostgresSchema.currentVersion + 1
        try db.execute("INSERT INTO parkimpact_schema (version) VALUES ($1)", [.int(Int64(newer))])
        do {
            try PostgresSchema.migrate(db)
            Issue.record("a newer schema was accepted")
        } catch let error as PostgresSchema.NewerSchema {
            let shown = url.replacingOccurrences(of: "postgres@", with: "postgres@")
            #expect(error.description == "the PostgreSQL state at \(shown) has schema version \(newer), newer than "
                + "this parkimpact knows (\(PostgresSchema.currentVersion)): it was written by a newer parkimpact; "
                + "upgrade parkimpact on this host (every worker of a state runs the same version), nothing was read "
                + "or changed")
        }
        #expect(try PostgresSchema.version(db) == newer)
    }

    /// A state written by a build of schema 1 (no `file_claim`): brought to the current version, its rows kept.
    @Test func upgradesAStateOfSchemaOne() throws {
        let url = try PostgresTestServer.freshDatabase()
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE parkimpact_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL "
            + "DEFAULT now())")
        try db.executeScript(PostgresSchema.migrations[0])
        try db.execute("INSERT INTO parkimpact_schema (version) VALUES (1)")
        try db.execute("INSERT INTO run (started_at, version) VALUES ('2026-01-01T00:00:00Z', 'old')")
        #expect(try db.execute("SELECT to_regclass('file_claim') IS NULL").rows.first?[0] == "t")
        #expect(try PostgresSchema.migrate(db) == Array(2...PostgresSchema.currentVersion))
        #expect(try db.execute("SELECT version FROM run").rows.first?[0] == "old")
        let store = try PostgresStateStore(url: url)
        let set = try store.offerReads([ReadOffer(seq: 0, pilot: "p", path: "p/a.csv", openPath: "/in/p/a.csv",
                                                  sourceIndex: 0, matchKey: "k", size: 10, modifiedNanoseconds: 1,
                                                  pvSites: ["s"])], pilots: ["p"])
        #expect(try store.claimOwn(set: set, from: 0, limit: 4) == [0])
        #expect(try store.claimReads(matching: ["k"], limit: 4, bytes: 1 << 20).isEmpty)
    }

    /// Claims: the holder from the first file on, a helper from the last one back within its byte budget; a result
    /// handed over reaches the holder; a helper gone loses its claims to the holder; a holder gone, its offer.
    @Test func claimsAndHandOvers() throws {
        let url = try PostgresTestServer.freshDatabase()
        var holder: PostgresStateStore? = try PostgresStateStore(url: url)
        let offers = (0..<6).map { index in
            ReadOffer(seq: index, pilot: "p", path: "p/\(index).csv", openPath: "/in/p/\(index).csv", sourceIndex: 0,
                      matchKey: "k", size: 100, modifiedNanoseconds: Int64(index), pvSites: [])
        }
        let set = try holder!.offerReads(offers, pilots: ["p"])
        #expect(try holder!.claimOwn(set: set, from: 0, limit: 2) == [0, 1])
        // The helper is another session (and in this process, the same worker name: it hands over by session here).
        let helper = try PostgresStateStore(url: url)
        #expect(try helper.claimReads(matching: ["other"], limit: 8, bytes: 1 << 20).isEmpty)
        let claimed = try helper.claimReads(matching: ["k"], limit: 8, bytes: 250)
        #expect(claimed.map(\.offer.seq) == [5, 4])
        #expect(claimed.first?.offer.openPath == "/in/p/5.csv" && claimed.first?.set == set)
        let summary = FileSummary(path: "p/5.csv", format: "parkimpact-long", dialect: "", acceptedRows: 3,
                                  rejectedRows: 0, ignoredRows: [:], problem: nil)
        let read = HandedRead(set: set, seq: 5, contribution: .init(series: [], rejects: [], summary: summary),
                              pvSites: ["s"], gridSitesWithoutReadings: [], sha256: "ab",
                              observed: FileDigest.Stat(size: 100, modifiedNanoseconds: 5, identity: "1:2:3"),
                              change: nil)
        #expect(try helper.handOver(read))
        #expect(try !helper.handOver(read))  // once
        // A file the helper could not open: given back, claimed by no helper again, taken back by the holder.
        #expect(try helper.claimReads(matching: ["k"], limit: 1, bytes: 1 << 20).map(\.offer.seq) == [3])
        try helper.decline(set: set, seq: 3)
        // The holder claims from 2 on: 3, 4 and 5 are the helper's.
        #expect(try holder!.claimOwn(set: set, from: 2, limit: 8) == [2])
        #expect(try helper.claimReads(matching: ["k"], limit: 8, bytes: 1 << 20).isEmpty)
        #expect(try holder!.takeBack(set: set, seqs: [3]) == [3])
        let handed = try holder!.handed(set: set, seqs: [4, 5], bytes: 1)
        #expect(handed.map(\.seq) == [5])
        #expect(handed.first?.contribution.summary.acceptedRows == 3 && handed.first?.pvSites == ["s"]
                && handed.first?.sha256 == "ab" && handed.first?.observed?.identity == "1:2:3")
        // The helper's claim of 4 holds (its session lives, its lease runs); the holder's own claims are its own.
        #expect(try holder!.takeBack(set: set, seqs: [2, 4]) == [])
        // A lease that ran out: taken back.
        try PostgresConnection(url: url).execute("UPDATE file_claim SET lease_until = now() - interval '1 s' WHERE seq = 4")
        #expect(try holder!.takeBack(set: set, seqs: [4]) == [4])
        try holder!.endOffer(set: set)
        let db = try PostgresConnection(url: url)
        #expect(try db.execute("SELECT count(*) FROM file_claim WHERE result IS NOT NULL").rows.first?.int(0) == 0)
        // A holder whose session ended: its offer is not claimed.
        try db.execute("UPDATE file_claim SET worker = NULL WHERE seq = 2")
        holder = nil
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try helper.claimReads(matching: ["k"], limit: 8, bytes: 1 << 20).isEmpty)
    }

    /// Workers starting together on an empty database: one migrates, the others wait for it and find nothing to do.
    @Test func workersStartingTogetherMigrateOnce() throws {
        let url = try PostgresTestServer.freshDatabase()
        let applied = Locked<[[Int]]>([])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let db = try PostgresConnection(url: url)
                let versions = try PostgresSchema.migrate(db)
                applied.withLock { $0.append(versions) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = applied.withLock { $0 }
        #expect(all.count == 4)
        #expect(all.filter { !$0.isEmpty } == [Array(1...PostgresSchema.currentVersion)])
        let db = try PostgresConnection(url: url)
        #expect(try db.execute("SELECT count(*) FROM parkimpact_schema").rows.first?.int(0)
            == Int64(PostgresSchema.currentVersion))
    }

    /// The BI views show the latest generation of each pilot's results.
    @Test func viewsShowTheLatestGeneration() throws {
        let db = try PostgresConnection(url: try PostgresTestServer.freshDatabase())
        try PostgresSchema.migrate(db)
        let run = try #require(try db.execute(
            "INSERT INTO run (started_at, version) VALUES ('2026-12-07T08:00:00Z', '0.2.0') RETURNING id").rows.first?.int(0))
        for (generation, value, at) in [("g1", 10.0, "2026-12-01T00:00:00Z"), ("g2", 12.5, "2026-12-02T00:00:00Z")] {
            let id = try #require(try db.execute("""
                INSERT INTO result_generation (pilot, generation, run_id, written_at) VALUES ($1, $2, $3, $4) RETURNING id
                """, [.text("demo"), .text(generation), .int(run), .text(at)]).rows.first?.int(0))
            try db.execute("""
                INSERT INTO kpi_value (generation_id, key, period, value, unit, provenance)
                VALUES ($1, 'co2.scope1_t', 'reporting', $2, 't CO2e', '{}')
                """, [.int(id), .double(value)])
        }
        let latest = try db.execute("SELECT generation, value FROM kpi_latest WHERE pilot = 'demo'").rows
        #expect(latest.count == 1)
        #expect(latest.first?["generation"] == "g2")
        #expect(latest.first?.double("value") == 12.5)
    }
}
