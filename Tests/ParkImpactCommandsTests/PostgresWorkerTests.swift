import Foundation
import Testing
@testable import ParkImpactState
import ParkImpactPostgres
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Three pilots of 12 files each (two meters, one overlap, one rejected row in each), for the multi-worker tests.
struct WorkerFixture {
    let root: String
    static let pilots = ["p1", "p2", "p3"]

    init() throws {
        root = NSTemporaryDirectory() + "parkimpact-workers-" + UUID().uuidString
        for (number, pilot) in Self.pilots.enumerated() {
            let input = root + "/input/" + pilot
            try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
            try StatefulPilot.definition.replacingOccurrences(of: "pilot: p\n", with: "pilot: \(pilot)\n")
                .write(toFile: root + "/pipelines/\(pilot).yaml", atomically: true, encoding: .utf8)
            for index in 1...12 {
                var text = longRows(days: index...(index + 1), meter: index % 2 == 0 ? "m1" : "m2") { day, hour in
                    "\(day + hour % 5 + number).\(index)"
                }
                if index == 7 { text += "2024-01-09T00:00:00+01:00,s,m2,electricity_offtake,7x,kWh,measured\n" }
                try text.write(toFile: input + String(format: "/export-%02d.csv", index), atomically: true,
                               encoding: .utf8)
            }
        }
    }

    func copy() throws -> String {
        let other = NSTemporaryDirectory() + "parkimpact-workers-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: root, toPath: other)
        return other
    }

    static let arguments = ["run", "--settle-seconds", "0"]

    /// A ledger without run ids and row ids: what must be the same after crashes and reruns.
    static func normalized(_ entries: [LedgerEntry]) -> [String] {
        entries.map {
            [$0.pilot, $0.path, "\($0.size)", $0.sha256, $0.status.rawValue, "\($0.rowsAccepted)", "\($0.rowsRejected)"]
                .joined(separator: " ")
        }
    }

    /// Starts `count` workers together on `folder` with the state at `url`; `killAfter[i]` kills worker i after that
    /// many milliseconds.
    static func workers(_ count: Int, in folder: String, url: String, killAfter: [Int?] = [],
                        extra: [String] = []) -> [Binary.Outcome] {
        // Each worker's output lines and exit, by its index.
        let outcomes = Locked<[Int: Binary.Outcome]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let delay = index < killAfter.count ? killAfter[index] : nil
            let outcome = try? Binary.run(arguments + ["--state", url] + extra, in: folder, killAfter: delay)
            outcomes.withLock { $0[index] = outcome }
        }
        return (0..<count).compactMap { outcomes.withLock { $0 }[$0] }
    }
}

@Suite("workers sharing a PostgreSQL state", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct PostgresWorkerTests {
    /// The outputs and the ledger of one run on SQLite over the fixture.
    static func reference(_ fixture: WorkerFixture, extra: [String] = []) throws
        -> (outputs: [String: Data], ledger: [String]) {
        let folder = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try Binary.run(WorkerFixture.arguments + extra, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let ledger = WorkerFixture.normalized(try StateStore(path: folder + "/output/.parkimpact/state.sqlite")
            .allEntries())
        return (CrashFixture.outputs(folder), ledger)
    }

    static func ledger(_ url: String) throws -> [String] {
        WorkerFixture.normalized(try PostgresStateStore(url: url).allEntries())
    }

    @Test("three workers started together: the outputs of one SQLite run, every file once, KPIs queryable")
    func threeWorkers() throws {
        let fixture = try WorkerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let expected = try Self.reference(fixture, extra: ["--daily-csv"])
        #expect(expected.outputs.count == 3 * 5 + 1 && expected.ledger.count == 36)
        let url = try PostgresTestServer.freshDatabase()
        let outcomes = WorkerFixture.workers(3, in: fixture.root, url: url, extra: ["--daily-csv"])
        #expect(outcomes.count == 3)
        for outcome in outcomes { #expect(outcome.status == 0, "\(outcome.stderr)") }
        #expect(CrashFixture.outputs(fixture.root) == expected.outputs)
        #expect(try Self.ledger(url) == expected.ledger)
        // Each file was read by one worker: one `ingested` history line per file (none read twice).
        let db = try PostgresConnection(url: url)
        let reads = try db.execute("SELECT pilot, path, count(*) FROM file_event WHERE event = 'ingested' GROUP BY 1, 2")
            .rows
        #expect(reads.count == 36 && reads.allSatisfy { $0.int(2) == 1 }, "\(reads.map { [$0[0], $0[1], $0[2]] })")
        #expect(try db.execute("SELECT count(*) FROM run WHERE finished_at IS NOT NULL").rows.first?.int(0) == 3)
        // The BI view holds each pilot's KPIs as its kpis.json has them.
        for pilot in WorkerFixture.pilots {
            let json = try #require(expected.outputs["\(pilot)/kpis.json"])
            let kpis = try #require((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["kpis"]
                as? [[String: Any]])
            let rows = try db.execute("""
                SELECT key, period, site, value, unit, coverage FROM kpi_latest WHERE pilot = $1
                """, [.text(pilot)]).rows
            #expect(rows.count == kpis.count && !kpis.isEmpty)
            var byKey: [String: PostgresRow] = [:]
            for row in rows { byKey["\(row[0] ?? "")|\(row[1] ?? "")|\(row[2] ?? "(null)")"] = row }
            for kpi in kpis {
                let site = kpi["site"] as? String ?? "(null)"
                let row = try #require(byKey["\(kpi["key"] as? String ?? "")|\(kpi["period"] as? String ?? "")|\(site)"])
                #expect(row.double("value") == (kpi["value"] as? Double), "\(pilot) \(kpi["key"] ?? "")")
                #expect(row["unit"] == kpi["unit"] as? String)
                #expect(row.double("coverage") == (kpi["coverage"] as? Double))
            }
            // And each series-day as its daily.csv has it.
            let csv = String(decoding: try #require(expected.outputs["\(pilot)/daily.csv"]), as: UTF8.self)
            let lines = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
            let days = try db.execute("""
                SELECT series, day, sum, intervals, missing FROM daily_latest WHERE pilot = $1 ORDER BY series, day
                """, [.text(pilot)]).rows
            #expect(days.count == lines.count && !lines.isEmpty)
            for (line, day) in zip(lines, days) {
                #expect(line[0] == day[0] && line[1] == day[1] && Double(line[2]) == day.double("sum")
                        && line[3] == day[3] && line[4] == day[4], "\(line) ≠ \(day[0] ?? "") \(day[1] ?? "")")
            }
        }
        // Nothing new for a fourth worker.
        let again = WorkerFixture.workers(1, in: fixture.root, url: url, extra: ["--daily-csv"])
        #expect(again.first?.stdout.hasPrefix("nothing new: 36 file(s) unchanged") == true, "\(again.first?.stdout ?? "")")
        // `report` rebuilds every pilot from the shared state alone: the same outputs (daily.csv is `run`'s option).
        try FileManager.default.removeItem(atPath: fixture.root + "/output")
        let report = try Binary.run(["report", "--state", url], in: fixture.root)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(CrashFixture.outputs(fixture.root).filter { !$0.key.hasSuffix("daily.csv") }
            == expected.outputs.filter { !$0.key.hasSuffix("daily.csv") })
    }

    @Test("workers killed at random moments, then more runs: the same outputs, every file counted once")
    func killedWorkers() throws {
        let fixture = try WorkerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let expected = try Self.reference(fixture)
        var random = SplitMix64(state: 22)
        for round in 0..<6 {
            let folder = try fixture.copy()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let url = try PostgresTestServer.freshDatabase()
            // One to three of the three workers killed, each after 1–400 ms.
            let kills: [Int?] = (0..<3).map { index in
                index == 0 || random.next(below: 2) == 0 ? Int(1 + random.next(below: 400)) : nil
            }
            let first = WorkerFixture.workers(3, in: folder, url: url, killAfter: kills)
            for (outcome, kill) in zip(first, kills) where kill == nil || outcome.signal == nil {
                #expect(outcome.status == 0, "round \(round) kills \(kills): \(outcome.stderr)")
            }
            // Then two workers together, then one: all succeed, and the state ends as one SQLite run's.
            for outcome in WorkerFixture.workers(2, in: folder, url: url) {
                #expect(outcome.status == 0, "round \(round) kills \(kills): \(outcome.stderr)")
            }
            let last = WorkerFixture.workers(1, in: folder, url: url)
            #expect(last.first?.stdout.hasPrefix("nothing new: 36 file(s) unchanged") == true,
                    "round \(round) kills \(kills): \(last.first?.stdout ?? "")")
            #expect(CrashFixture.outputs(folder) == expected.outputs, "outputs, round \(round), kills \(kills)")
            #expect(try Self.ledger(url) == expected.ledger, "ledger, round \(round), kills \(kills)")
        }
        // Kills at named points: after each of a pilot's commits, an output, the outputs recorded.
        for fault in ["committed:5", "output:3", "recorded:1", "locked:1"] {
            let folder = try fixture.copy()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let url = try PostgresTestServer.freshDatabase()
            let crashed = try Binary.run(WorkerFixture.arguments + ["--state", url], in: folder,
                                         environment: ["PARKIMPACT_FAULT": fault])
            #expect(crashed.signal == SIGKILL, "\(fault): \(crashed.stderr)")
            for outcome in WorkerFixture.workers(2, in: folder, url: url) {
                #expect(outcome.status == 0, "\(fault): \(outcome.stderr)")
            }
            #expect(CrashFixture.outputs(folder) == expected.outputs, "outputs after a crash at \(fault)")
            #expect(try Self.ledger(url) == expected.ledger, "ledger after a crash at \(fault)")
        }
    }

    @Test("a pilot another worker holds past --lock-wait: the others processed, exit 75 with the reason")
    func lockWait() throws {
        let fixture = try WorkerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let url = try PostgresTestServer.freshDatabase()
        let other = try PostgresStateStore(url: url)
        #expect(try other.tryLock(PostgresStateStore.pilotLock("p2")))
        let run = try Binary.run(WorkerFixture.arguments + ["--state", url, "--lock-wait", "1"], in: fixture.root)
        #expect(run.status == 75)
        #expect(run.stderr.contains("pilot p2: another worker has been processing it for more than --lock-wait 1 s; "
            + "this worker left it and the portfolio to that worker after processing p1, p3"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/output/p1/report.html"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/output/p2"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/output/index.html"))
        try other.unlock(PostgresStateStore.pilotLock("p2"))
        let after = try Binary.run(WorkerFixture.arguments + ["--state", url], in: fixture.root)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/output/index.html"))
    }

    @Test("results that cannot be published: exit 74, the reports written but not recorded; the next run publishes them")
    func publishFailure() throws {
        let fixture = try WorkerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let url = try PostgresTestServer.freshDatabase()
        let db = try PostgresConnection(url: url)
        try PostgresSchema.migrate(db)
        try db.execute("ALTER TABLE daily_value RENAME TO daily_value_away")
        let failed = try Binary.run(WorkerFixture.arguments + ["--state", url], in: fixture.root)
        #expect(failed.status == 74)
        #expect(failed.stderr.contains("cannot keep the results of pilot p1 for BI tools"), "\(failed.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/output/p1/report.html"))
        #expect(try db.execute("SELECT count(*) FROM result_generation").rows.first?.int(0) == 0)
        try db.execute("ALTER TABLE daily_value_away RENAME TO daily_value")
        let again = try Binary.run(WorkerFixture.arguments + ["--state", url], in: fixture.root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try db.execute("SELECT count(DISTINCT pilot) FROM kpi_latest").rows.first?.int(0) == 3)
        #expect(!again.stderr.contains("worker_build_differs") && !again.stderr.contains("another build"))

        // A worker after a run of another build says so (a host with another binary re-reads every file).
        try db.execute("UPDATE run SET build = 'build-id 0123', host = 'other-host'")
        let mixed = try Binary.run(WorkerFixture.arguments + ["--state", url], in: fixture.root)
        #expect(mixed.status == 0, "\(mixed.stderr)")
        #expect(mixed.stderr.contains("the previous run of this state (host other-host) was another build of "
            + "parkimpact (build-id 0123, this one "), "\(mixed.stderr)")
    }

    @Test("a state of a newer schema is refused (78); an unreachable server is named (74); PARKIMPACT_STATE selects it")
    func refusals() throws {
        let fixture = try WorkerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let url = try PostgresTestServer.freshDatabase()
        let db = try PostgresConnection(url: url)
        try PostgresSchema.migrate(db)
        try db.execute("INSERT INTO parkimpact_schema (version) VALUES (99)")
        let newer = try Binary.run(WorkerFixture.arguments + ["--state", url], in: fixture.root)
        #expect(newer.status == 78)
        #expect(newer.stderr.contains("has schema version 99, newer than this parkimpact knows (\(PostgresSchema.currentVersion))"),
                "\(newer.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/output"))

        let closed = "postgresql://nobody:secret@127.0.0.1:1/none"
        let unreachable = try Binary.run(WorkerFixture.arguments + ["--state", closed], in: fixture.root)
        #expect(unreachable.status == 74)
        #expect(unreachable.stderr.contains("cannot connect to the PostgreSQL state at postgresql://nobody@127.0.0.1:1/none"),
                "\(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("secret"))

        let fresh = try PostgresTestServer.freshDatabase()
        let selected = try Binary.run(WorkerFixture.arguments, in: fixture.root, environment: ["PARKIMPACT_STATE": fresh])
        #expect(selected.status == 0, "\(selected.stderr)")
        #expect(try Self.ledger(fresh).count == 36)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/output/.parkimpact/state.sqlite"))

        // A libpq keyword string names a PostgreSQL state too.
        let parts = try #require(URLComponents(string: try PostgresTestServer.freshDatabase()))
        let keywords = "host=\(parts.host ?? "") port=\(parts.port ?? 5432) user=\(parts.user ?? "") dbname="
            + parts.path.dropFirst()
        let other = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: other) }
        let byKeywords = try Binary.run(WorkerFixture.arguments + ["--state", keywords], in: other)
        #expect(byKeywords.status == 0, "\(byKeywords.stderr)")
        #expect(!FileManager.default.fileExists(atPath: other + "/output/.parkimpact/state.sqlite"))
        #expect(try Self.ledger(keywords).count == 36)
    }
}
