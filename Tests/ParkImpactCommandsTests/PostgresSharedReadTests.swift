import Foundation
import Testing
@testable import ParkImpactState
import ParkImpactPostgres
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One pilot of 44 files for the tests of reads shared inside a pilot: two sites, four meters, overlapping days, a copy
/// of one file under another name, a file whose every row is rejected, and PV production of site t (so the files of
/// t's grid offtake read without its readings are read again by the pilot's holder).
struct SharedReadFixture {
    let root: String
    static let pilot = "big"
    static let definition = """
        pilot: big
        name: "Big"
        language: en
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: s, name: "S" }, { id: t, name: "T" } ]
        sources: [ { path: "*.csv", format: parkimpact-long } ]
        """
    static let files = 44

    init() throws {
        root = NSTemporaryDirectory() + "parkimpact-shared-" + UUID().uuidString
        let input = root + "/input/" + Self.pilot
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        try Self.definition.write(toFile: root + "/pipelines/big.yaml", atomically: true, encoding: .utf8)
        var texts: [String: String] = [:]
        for index in 1...40 {
            let first = 1 + index % 27
            texts[String(format: "export-%02d.csv", index)] = longRows(days: first...(first + 1),
                                                                      meter: "m\(index % 4)") { day, hour in
                "\(day + hour % 7).\(index % 10)"
            }
        }
        texts["export-41.csv"] = texts["export-03.csv"]  // the same bytes under another name: counted once
        texts["export-42.csv"] = "timestamp,site,series,quantity,value,unit,quality\n"
            + "2024-01-05T00:00:00+01:00,s,m9,electricity_offtake,4,kWh,measured\n"
            + "2024-01-05T01:00:00+01:00,s,m9,electricity_offtake,x,kWh,measured\n"
        var grid = "timestamp,site,series,quantity,value,unit,quality\n"
        var pv = grid
        for hour in 0..<24 {
            let stamp = String(format: "2024-01-03T%02d:00:00+01:00", hour)
            grid += "\(stamp),t,g1,electricity_offtake,\(2 + hour % 3),kWh,measured\n"
            grid += "\(stamp),t,g2,electricity_injection,\(hour % 2),kWh,measured\n"
            pv += "\(stamp),t,pv1,pv_production,\(hour >= 8 && hour < 18 ? 3 : 0),kWh,measured\n"
        }
        texts["t-grid.csv"] = grid
        texts["u-pv.csv"] = pv
        #expect(texts.count == Self.files)
        // Distinct, fixed modification times: where two files disagree on a day, the newer one's cells win.
        for (number, name) in texts.keys.sorted().enumerated() {
            try texts[name]!.write(toFile: input + "/" + name, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000
                + Double(number))], ofItemAtPath: input + "/" + name)
        }
    }

    /// A copy with the files' modification times.
    func copy() throws -> String {
        let other = NSTemporaryDirectory() + "parkimpact-shared-" + UUID().uuidString
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", root, other]
        try copy.run()
        copy.waitUntilExit()
        #expect(copy.terminationStatus == 0)
        return other
    }

    static let arguments = ["run", "--settle-seconds", "0", "--daily-csv"]

    /// Starts the workers together (`environments[i]` for worker i, after `delays[i]` ms); their outcomes by index.
    static func start(_ environments: [[String: String]], in folder: String, url: String, delays: [Int] = [],
                      killAfter: [Int?] = []) -> [Binary.Outcome?] {
        let outcomes = Locked<[Int: Binary.Outcome]>([:])
        DispatchQueue.concurrentPerform(iterations: environments.count) { index in
            if index < delays.count { usleep(UInt32(delays[index]) * 1000) }
            let outcome = try? Binary.run(arguments + ["--state", url], in: folder, environment: environments[index],
                                          killAfter: index < killAfter.count ? killAfter[index] : nil)
            outcomes.withLock { $0[index] = outcome }
        }
        return (0..<environments.count).map { outcomes.withLock { $0 }[$0] }
    }

    /// The marker a helper creates when it first hands a result over (`helperMarks`): a holder paused with `ms`
    /// waits for it too, so that helpers slow to start on a busy machine still find files to claim.
    static func handedMarker(_ folder: String) -> String { folder + "/first-handed" }

    /// A helper's environment: `fault` (`PARKIMPACT_FAULT`, default a pause of 0 ms at `handed`) and the marker.
    static func helperMarks(_ folder: String, fault: String = "pause@handed:0") -> [String: String] {
        ["PARKIMPACT_FAULT": fault, "PARKIMPACT_FAULT_REACHED": handedMarker(folder)]
    }

    /// Starts a worker that pauses once it has offered its files (the pilot's holder): `ms`, then until a helper
    /// handed a result over (`handedMarker`, at most 120 s more); returns when it is paused: a wait for its outcome.
    static func pausedHolder(in folder: String, url: String, ms: Int) -> () -> Binary.Outcome? {
        let marker = folder + "/offered"
        try? FileManager.default.removeItem(atPath: handedMarker(folder))
        let environment = Binary.pause(at: "offered", ms: ms, marker: marker, until: handedMarker(folder))
        let outcome = Locked<Binary.Outcome?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let result = try? Binary.run(arguments + ["--state", url], in: folder, environment: environment)
            outcome.withLock { $0 = result }
            done.signal()
        }
        #expect(Binary.waitForPause(marker))
        return {
            done.wait()
            return outcome.withLock { $0 }
        }
    }
}

@Suite("reads shared by workers inside one pilot (PostgreSQL state)", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct PostgresSharedReadTests {
    static func reference(_ fixture: SharedReadFixture) throws -> (outputs: [String: Data], ledger: [String]) {
        let folder = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try Binary.run(SharedReadFixture.arguments, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let ledger = WorkerFixture.normalized(try StateStore(path: folder + "/output/.parkimpact/state.sqlite")
            .allEntries())
        return (CrashFixture.outputs(folder), ledger)
    }

    /// How many `ingested` lines each file has in the history: one per read committed (a file of t's grid offtake
    /// read again for PV matching has two, as in one SQLite run).
    static func ingestedLines(_ url: String) throws -> [String: Int64] {
        let rows = try PostgresConnection(url: url).execute("""
            SELECT path, count(*) FROM file_event WHERE event = 'ingested' GROUP BY 1
            """).rows
        var lines: [String: Int64] = [:]
        for row in rows { lines[row[0] ?? ""] = row.int(1) }
        return lines
    }

    static let expectedLines: [String: Int64] = {
        var lines: [String: Int64] = [:]
        for index in 1...40 { lines[String(format: "big/export-%02d.csv", index)] = 1 }
        lines["big/export-42.csv"] = 1
        lines["big/t-grid.csv"] = 2
        lines["big/u-pv.csv"] = 1
        return lines
    }()

    /// The state and outputs equal the SQLite run's, and every file was read into the ledger once.
    static func expectSame(_ folder: String, _ url: String, _ expected: (outputs: [String: Data], ledger: [String]),
                           _ context: String) throws {
        #expect(CrashFixture.outputs(folder) == expected.outputs, "outputs: \(context)")
        #expect(WorkerFixture.normalized(try PostgresStateStore(url: url).allEntries()) == expected.ledger,
                "ledger: \(context)")
    }

    /// A session that looks like another worker to the workers started (so none of them runs alone, unshared).
    static func otherWorker(_ url: String) throws -> PostgresStateStore { try PostgresStateStore(url: url) }

    /// The fixture, one SQLite run's outputs and ledger over it, a fresh database, and another worker's session on it.
    struct Scene {
        let fixture: SharedReadFixture
        let expected: (outputs: [String: Data], ledger: [String])
        let url: String
        let other: PostgresStateStore

        init() throws {
            fixture = try SharedReadFixture()
            expected = try PostgresSharedReadTests.reference(fixture)
            url = try PostgresTestServer.freshDatabase()
            other = try PostgresSharedReadTests.otherWorker(url)
        }

        func remove() { try? FileManager.default.removeItem(atPath: fixture.root) }
    }

    @Test("helpers read a pilot's new files for its holder: the outputs of one SQLite run, each file read by one worker")
    func helpersRead() throws {
        let scene = try Scene()
        defer { scene.remove() }
        let (fixture, expected, url) = (scene.fixture, scene.expected, scene.url)
        #expect(expected.ledger.count == SharedReadFixture.files)
        // The holder offers its files, then pauses: the two helpers started then claim and read them.
        let holder = SharedReadFixture.pausedHolder(in: fixture.root, url: url, ms: 1500)
        let marks = SharedReadFixture.helperMarks(fixture.root)
        for outcome in SharedReadFixture.start([marks, marks], in: fixture.root, url: url) {
            #expect(outcome?.status == 0, "\(outcome?.stderr ?? "")")
        }
        let first = try #require(holder())
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("big: 43 file(s) ingested, 1 duplicate(s) not counted"), "\(first.stdout)")
        try Self.expectSame(fixture.root, url, expected, "holder and two helpers")
        let db = try PostgresConnection(url: url)
        // Each file has one `ingested` line (read into the ledger once, by its holder's commit) …
        #expect(try Self.ingestedLines(url) == Self.expectedLines)
        // … and was read by one worker: the helpers handed the results of most files over.
        let claims = try db.execute("""
            SELECT worker, count(*) FILTER (WHERE done), count(*) FROM file_claim GROUP BY 1 ORDER BY 1
            """).rows
        let handed = claims.reduce(0) { $0 + Int($1.int(1) ?? 0) }
        #expect(claims.reduce(0) { $0 + Int($1.int(2) ?? 0) } == SharedReadFixture.files)
        #expect(claims.filter { ($0.int(1) ?? 0) > 0 }.count >= 1 && handed >= SharedReadFixture.files / 2,
                "\(claims.map { [$0[0], $0[1], $0[2]] })")
        #expect(try db.execute("SELECT count(*) FROM file_claim WHERE result IS NOT NULL").rows.first?.int(0) == 0)
        // Nothing new for the next worker.
        let again = SharedReadFixture.start([[:]], in: fixture.root, url: url)
        #expect(again.first??.stdout.hasPrefix("nothing new: 44 file(s) unchanged") == true)
    }

    @Test("a helper killed after handing two files over: the holder takes its other claims back and reads them")
    func killedHelper() throws {
        let scene = try Scene()
        defer { scene.remove() }
        let (fixture, expected, url) = (scene.fixture, scene.expected, scene.url)
        let holder = SharedReadFixture.pausedHolder(in: fixture.root, url: url, ms: 1500)
        let helper = SharedReadFixture.start([SharedReadFixture.helperMarks(fixture.root, fault: "handed:2")],
                                             in: fixture.root, url: url)
        #expect(helper.first??.signal == SIGKILL, "\(helper.first??.stderr ?? "")")
        let first = holder()
        #expect(first?.status == 0, "\(first?.stderr ?? "")")
        try Self.expectSame(fixture.root, url, expected, "a helper killed")
        let db = try PostgresConnection(url: url)
        // It claimed 8 files (4 per thread), handed 2 over (a third may have gone through before the signal landed),
        // and the holder read the rest of its claim itself.
        let handed = try db.execute("SELECT count(*) FROM file_claim WHERE done").rows.first?.int(0) ?? 0
        #expect((2...7).contains(handed), "\(handed)")
        #expect(try Self.ingestedLines(url) == Self.expectedLines)
    }

    @Test("a helper frozen with its claims: past its lease the holder reads its files; its late results are not used")
    func leaseRunsOut() throws {
        let scene = try Scene()
        defer { scene.remove() }
        let (fixture, expected, url) = (scene.fixture, scene.expected, scene.url)
        let holder = SharedReadFixture.pausedHolder(in: fixture.root, url: url, ms: 1000)
        // The helper's claims hold 1 s unless renewed; it is frozen (SIGSTOP: its session lives, it renews nothing)
        // once it has handed a first result over, and thawed once the holder is done.
        let marker = SharedReadFixture.handedMarker(fixture.root)
        let environment = Binary.pause(at: "handed", ms: 200, marker: marker)
            .merging(["PARKIMPACT_READ_LEASE_SECONDS": "1"]) { $1 }
        let helperPID = Locked<pid_t>(0)
        let helperOutcome = Locked<Binary.Outcome?>(nil)
        let helperDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let outcome = try? Binary.run(SharedReadFixture.arguments + ["--state", url], in: fixture.root,
                                          environment: environment) { pid in helperPID.withLock { $0 = pid } }
            helperOutcome.withLock { $0 = outcome }
            helperDone.signal()
        }
        #expect(Binary.waitForPause(marker))
        let pid = helperPID.withLock { $0 }
        #expect(pid > 0)
        kill(pid, SIGSTOP)
        let first = holder()
        kill(pid, SIGCONT)
        helperDone.wait()
        #expect(first?.status == 0, "\(first?.stderr ?? "")")
        #expect(helperOutcome.withLock { $0 }?.status == 0, "\(helperOutcome.withLock { $0 }?.stderr ?? "")")
        try Self.expectSame(fixture.root, url, expected, "a helper past its lease")
        let db = try PostgresConnection(url: url)
        let handed = try db.execute("SELECT count(*) FROM file_claim WHERE done").rows.first?.int(0) ?? 0
        #expect(handed >= 1 && handed < Int64(SharedReadFixture.files / 2), "\(handed)")
    }

    @Test("a helper slow to read keeps its claims past its lease: it renews them while it reads")
    func slowHelperKeepsItsClaims() throws {
        let scene = try Scene()
        defer { scene.remove() }
        let (fixture, expected, url) = (scene.fixture, scene.expected, scene.url)
        let holder = SharedReadFixture.pausedHolder(in: fixture.root, url: url, ms: 1000)
        // Leases of 1 s; each result handed over takes it 1.2 s more: its first claim (8 files) lasts about 5 s.
        let helper = SharedReadFixture.start([SharedReadFixture.helperMarks(fixture.root, fault: "pause@handed:1200")
                                                .merging(["PARKIMPACT_READ_LEASE_SECONDS": "1"]) { $1 }],
                                             in: fixture.root, url: url)
        let first = holder()
        #expect(first?.status == 0, "\(first?.stderr ?? "")")
        #expect(helper.first??.status == 0, "\(helper.first??.stderr ?? "")")
        try Self.expectSame(fixture.root, url, expected, "a slow helper")
        let db = try PostgresConnection(url: url)
        let handed = try db.execute("SELECT count(*) FROM file_claim WHERE done").rows.first?.int(0) ?? 0
        #expect(handed >= 8, "\(handed)")
    }

    @Test("a file changed after the holder offered it: the helper's result is not committed, the holder reads it again")
    func changedAfterTheOffer() throws {
        let fixture = try SharedReadFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let url = try PostgresTestServer.freshDatabase()
        let other = try Self.otherWorker(url)
        let holder = SharedReadFixture.pausedHolder(in: fixture.root, url: url, ms: 1500)
        // Changed while the holder is paused, before any helper claims it.
        let path = fixture.root + "/input/big/export-05.csv"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("2024-01-20T00:00:00+01:00,s,m1,electricity_offtake,5,kWh,measured\n".utf8))
        try handle.close()
        for outcome in SharedReadFixture.start([SharedReadFixture.helperMarks(fixture.root)], in: fixture.root, url: url) {
            #expect(outcome?.status == 0, "\(outcome?.stderr ?? "")")
        }
        let first = try #require(holder())
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("export-05.csv: changed during its read; read again once it stayed unchanged"),
                "\(first.stderr)")
        // As one SQLite run over the input as it is now.
        let expected = try Self.reference(fixture)
        try Self.expectSame(fixture.root, url, expected, "a file changed after the offer")
        _ = other
    }

    @Test("three workers on one pilot killed at random moments, then more runs: the SQLite run's outputs and ledger")
    func randomKills() throws {
        let fixture = try SharedReadFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let expected = try Self.reference(fixture)
        var random = SplitMix64(state: 23)
        for round in 0..<5 {
            let folder = try fixture.copy()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let url = try PostgresTestServer.freshDatabase()
            let other = try Self.otherWorker(url)
            let kills: [Int?] = (0..<3).map { index in
                index == 0 || random.next(below: 2) == 0 ? Int(1 + random.next(below: 700)) : nil
            }
            let delays = (0..<3).map { _ in Int(random.next(below: 150)) }
            let first = SharedReadFixture.start([[:], [:], [:]], in: folder, url: url, delays: delays, killAfter: kills)
            for (outcome, kill) in zip(first, kills) where kill == nil || outcome?.signal == nil {
                #expect(outcome?.status == 0, "round \(round) kills \(kills): \(outcome?.stderr ?? "")")
            }
            for outcome in SharedReadFixture.start([[:], [:]], in: folder, url: url) {
                #expect(outcome?.status == 0, "round \(round) kills \(kills): \(outcome?.stderr ?? "")")
            }
            let last = SharedReadFixture.start([[:]], in: folder, url: url)
            #expect(last.first??.stdout.hasPrefix("nothing new: 44 file(s) unchanged") == true,
                    "round \(round) kills \(kills): \(last.first??.stdout ?? "")")
            try Self.expectSame(folder, url, expected, "round \(round), kills \(kills), delays \(delays)")
            _ = other
        }
        // The holder killed right after offering its files: the helpers drop the offer; the next workers read all.
        let folder = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = try PostgresTestServer.freshDatabase()
        let other = try Self.otherWorker(url)
        let crashed = SharedReadFixture.start([["PARKIMPACT_FAULT": "offered:1"]], in: folder, url: url)
        #expect(crashed.first??.signal == SIGKILL)
        for outcome in SharedReadFixture.start([[:], [:]], in: folder, url: url) {
            #expect(outcome?.status == 0, "\(outcome?.stderr ?? "")")
        }
        try Self.expectSame(folder, url, expected, "the holder killed after offering")
        _ = other
    }
}
