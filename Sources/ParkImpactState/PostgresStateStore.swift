import Crypto
import Foundation
import ParkImpactModel
import ParkImpactPostgres

/// The run state in a PostgreSQL database (`--state postgresql://…`): the same concepts as the SQLite state
/// (`StateStore`), shared by `parkimpact run` workers on one host or several.
///
/// Exactly-once: a file's ledger row, its contribution and its events are written in one transaction, as in SQLite.
/// Coordination lives in the database: a pilot is ingested, merged and rendered by one worker at a time, the one
/// holding the pilot's advisory lock (`pilotLock`); the server releases a worker's locks when its
/// session ends, so a killed worker's pilots pass to the others. The rows are not sealed with checksums
/// (`LedgerSeal`): the server's write-ahead log and page checksums are the integrity layer.
///
/// One connection, used by one thread at a time (the pipeline commits from its reading threads: they take turns).
public final class PostgresStateStore: StateBackend, @unchecked Sendable {
    public let path: String
    /// Used only under `lock` (`withConnection`): that is what makes the class safe to share between threads.
    private let connection: PostgresConnection
    private let lock = NSLock()

    /// Whether `state` names a PostgreSQL database rather than a file: a `postgresql://` or `postgres://` URL, or a
    /// libpq keyword string starting with one of its connection keys (`host=… dbname=…`).
    public static func isURL(_ state: String) -> Bool {
        state.hasPrefix("postgresql://") || state.hasPrefix("postgres://")
            || state.range(of: #"^\s*(host|hostaddr|dbname|user|port|service)\s*="#, options: .regularExpression) != nil
    }

    /// Connects, then migrates the schema (or refuses a newer one: `PostgresSchema.NewerSchema`).
    public init(url: String) throws {
        let connection = try PostgresConnection(url: url, applicationName: "parkimpact worker \(Self.worker)")
        path = connection.displayURL
        try PostgresSchema.migrate(connection)
        self.connection = connection
    }

    /// `host:pid`, recorded with each run.
    public static let worker: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + ":\(getpid())"
    }()

    @discardableResult
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    // MARK: Runs

    public func beginRun(startedAt: String) throws -> Int64 {
        let host = String(Self.worker.prefix { $0 != ":" })
        return try withConnection { db in
            try db.execute("""
                INSERT INTO run (started_at, version, host, pid, build) VALUES ($1, $2, $3, $4, $5) RETURNING id
                """, [.text(startedAt), .text(ParkImpactVersion.string), .text(host), .int(Int64(getpid())),
                      .text(FileDigest.executable)]).rows.first?.int(0) ?? 0
        }
    }

    /// The host and build of the run before `run` when it was another build than this process's: a file's
    /// contribution is kept per build (`Ingest.readerKey`), so workers of different builds read each other's files
    /// again, run after run.
    public func previousRunOfAnotherBuild(before run: Int64) throws -> (host: String, build: String)? {
        try withConnection { db in
            guard let row = try db.execute("SELECT host, build FROM run WHERE id < $1 ORDER BY id DESC LIMIT 1",
                                           [.int(run)]).rows.first,
                  let build = row[1], build != FileDigest.executable else { return nil }
            return (row[0] ?? "", build)
        }
    }

    public func finishRun(_ id: Int64, finishedAt: String, status: Int32) throws {
        try withConnection { db in
            try db.execute("UPDATE run SET finished_at = $1, exit_status = $2 WHERE id = $3",
                           [.text(finishedAt), .int(Int64(status)), .int(id)])
        }
    }

    // MARK: Locks

    /// The connection is alive, so the session's pilot locks are still held (they end only with the session).
    public func confirmWriter() throws {
        try withConnection { db in _ = try db.execute("SELECT 1") }
    }

    /// The advisory-lock key of a named resource (`pilot <name>`, `manifest`): the first 8 bytes of the SHA-256 of
    /// `parkimpact <resource>`.
    static func lockKey(_ resource: String) -> Int64 {
        let digest = Array(SHA256.hash(data: Array("parkimpact \(resource)".utf8)))
        return digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// Takes the lock of `resource` if no other worker holds it.
    public func tryLock(_ resource: String) throws -> Bool {
        try withConnection { db in try db.tryAdvisoryLock(Self.lockKey(resource)) }
    }

    /// Waits until `deadline` for the lock of `resource`; false when another worker still holds it then.
    public func lock(_ resource: String, until deadline: ContinuousClock.Instant) throws -> Bool {
        var pause = 0.02
        while true {
            if try tryLock(resource) { return true }
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.5)
        }
    }

    public func unlock(_ resource: String) throws {
        try withConnection { db in try db.advisoryUnlock(Self.lockKey(resource)) }
    }

    /// Whether another parkimpact worker is connected to this database now (its session's `application_name`).
    public func otherWorkersConnected() throws -> Bool {
        try withConnection { db in
            try db.execute("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND application_name LIKE 'parkimpact worker %'
                """).rows.first?.int(0) ?? 0 > 0
        }
    }

    /// The lock of a pilot: held by the worker that ingests, merges and renders it.
    public static func pilotLock(_ pilot: String) -> String { "pilot " + pilot }

    // MARK: Ledger

    public func ledger(pilot: String) throws -> [LedgerEntry] {
        try withConnection { db in
            try db.execute("SELECT * FROM input_file WHERE pilot = $1", [.text(pilot)]).rows.map(Self.entry)
        }.sorted { LedgerSeal.precedes($0.path, $1.path) }
    }

    public func allEntries() throws -> [LedgerEntry] {
        try withConnection { db in try db.execute("SELECT * FROM input_file").rows.map(Self.entry) }.sorted {
            $0.pilot != $1.pilot ? LedgerSeal.precedes($0.pilot, $1.pilot) : LedgerSeal.precedes($0.path, $1.path)
        }
    }

    public func checkedLedger(pilot: String, pilots: Set<String>) throws -> LedgerSeal.Read {
        var read = LedgerSeal.Read()
        read.entries = try ledger(pilot: pilot)
        return read
    }

    /// Rows are not sealed here (`checkedLedger` finds none damaged): nothing to drop.
    public func dropDamaged(_ rows: [LedgerSeal.DamagedRow], pilot: String, run: Int64) throws {}

    static func entry(_ row: PostgresRow) -> LedgerEntry {
        var entry = LedgerEntry(
            pilot: row["pilot"] ?? "", path: row["path"] ?? "", size: row.int("size") ?? 0,
            modifiedNanoseconds: row.int("mtime_ns") ?? 0, sha256: row["sha256"] ?? "",
            readerKey: row["reader_key"] ?? "", sourceIndex: Int(row.int("source_index") ?? 0),
            format: row["format"] ?? "", status: LedgerEntry.Status(rawValue: row["status"] ?? "") ?? .unreadable,
            duplicateOf: row["duplicate_of"], problem: row["problem"],
            rowsAccepted: Int(row.int("rows_accepted") ?? 0), rowsRejected: Int(row.int("rows_rejected") ?? 0),
            runID: row.int("run_id") ?? 0)
        entry.id = row.int("id") ?? 0
        entry.problemCode = row["problem_code"]
        entry.missingSinceRun = row.int("missing_since_run")
        entry.pvSites = LedgerEntry.sites(row["pv_sites"] ?? "")
        entry.gridSitesWithoutReadings = LedgerEntry.sites(row["grid_sites_without_readings"] ?? "")
        entry.conflict = row["conflict"]
        entry.identity = row["identity"]
        return entry
    }

    public func commit(_ files: [StateStore.FileCommit]) throws {
        guard !files.isEmpty else { return }
        // Encoded before the transaction: the connection is not held while a large contribution is encoded.
        let encoded: [(bytes: [UInt8], sha256: [UInt8])?] = files.map { file in
            file.contribution.map { contribution in
                let bytes = ContributionCodec.encode(contribution)
                return (bytes, Array(SHA256.hash(data: bytes)))
            }
        }
        try withConnection { db in
            try db.transaction {
                for (file, contribution) in zip(files, encoded) {
                    let entry = file.entry
                    try db.execute("DELETE FROM input_file WHERE pilot = $1 AND path = $2",
                                   [.text(entry.pilot), .text(entry.path)])
                    if let other = file.alsoRemoving {
                        try db.execute("DELETE FROM input_file WHERE pilot = $1 AND path = $2",
                                       [.text(entry.pilot), .text(other)])
                    }
                    let id = try db.execute("""
                        INSERT INTO input_file (pilot, path, size, mtime_ns, sha256, reader_key, source_index, format,
                          status, duplicate_of, problem, rows_accepted, rows_rejected, run_id, missing_since_run,
                          pv_sites, grid_sites_without_readings, conflict, problem_code, identity)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16, $17, $18,
                          $19) RETURNING id
                        """, [.text(entry.pilot), .text(entry.path), .int(entry.size), .int(entry.modifiedNanoseconds),
                              .text(entry.sha256), .text(entry.readerKey), .int(Int64(entry.sourceIndex)),
                              .text(entry.format), .text(entry.status.rawValue), Self.text(entry.duplicateOf),
                              Self.text(entry.problem), .int(Int64(entry.rowsAccepted)),
                              .int(Int64(entry.rowsRejected)), .int(entry.runID), .text(LedgerEntry.text(entry.pvSites)),
                              .text(LedgerEntry.text(entry.gridSitesWithoutReadings)), Self.text(entry.conflict),
                              Self.text(entry.problemCode), Self.text(entry.identity)]).rows.first?.int(0) ?? 0
                    if let contribution {
                        try db.execute("INSERT INTO contribution (file_id, codec, data, sha256) VALUES ($1, $2, $3, $4)",
                                       [.int(id), .int(Int64(ContributionCodec.version)), .bytes(contribution.bytes),
                                        .bytes(contribution.sha256)])
                    }
                    for event in file.events {
                        try Self.recordEvent(db, entry.runID, entry.pilot, entry.path, event.event, event.detail)
                    }
                }
            }
        }
    }

    public func settle(pilot: String, run: Int64, demote: [LedgerEntry],
                       update: [(path: String, duplicateOf: String?, conflict: String?)],
                       events: [(path: String, event: String, detail: String)]) throws {
        try withConnection { db in
            try db.transaction {
                for entry in demote {
                    try db.execute("DELETE FROM contribution WHERE file_id = $1", [.int(entry.id)])
                    try db.execute("""
                        UPDATE input_file SET status = 'duplicate', duplicate_of = $1, conflict = $2, problem = NULL,
                          problem_code = NULL, rows_accepted = 0, rows_rejected = 0 WHERE pilot = $3 AND path = $4
                        """, [Self.text(entry.duplicateOf), Self.text(entry.conflict), .text(pilot), .text(entry.path)])
                }
                for item in update {
                    try db.execute("UPDATE input_file SET duplicate_of = $1, conflict = $2 WHERE pilot = $3 AND path = $4",
                                   [Self.text(item.duplicateOf), Self.text(item.conflict), .text(pilot), .text(item.path)])
                }
                for event in events { try Self.recordEvent(db, run, pilot, event.path, event.event, event.detail) }
            }
        }
    }

    public func touch(pilot: String, path: String, modifiedNanoseconds: Int64, identity: String) throws {
        try withConnection { db in
            try db.execute("""
                UPDATE input_file SET mtime_ns = $1, identity = $2, missing_since_run = NULL WHERE pilot = $3 AND path = $4
                """, [.int(modifiedNanoseconds), .text(identity), .text(pilot), .text(path)])
        }
    }

    public func forgetReader(pilot: String, path: String, run: Int64, detail: String) throws {
        try withConnection { db in
            try db.transaction {
                try db.execute("UPDATE input_file SET reader_key = '' WHERE pilot = $1 AND path = $2",
                               [.text(pilot), .text(path)])
                try Self.recordEvent(db, run, pilot, path, "unusable", detail)
            }
        }
    }

    public func setMissing(pilot: String, path: String, run: Int64?, event: (run: Int64, detail: String)?) throws {
        try withConnection { db in
            try db.transaction {
                try db.execute("UPDATE input_file SET missing_since_run = $1 WHERE pilot = $2 AND path = $3",
                               [run.map { .int($0) } ?? .null, .text(pilot), .text(path)])
                if let event {
                    try Self.recordEvent(db, event.run, pilot, path, run == nil ? "returned" : "deleted", event.detail)
                }
            }
        }
    }

    public func remove(pilot: String, path: String, run: Int64, event: String, detail: String) throws {
        try withConnection { db in
            try db.transaction {
                try db.execute("DELETE FROM input_file WHERE pilot = $1 AND path = $2", [.text(pilot), .text(path)])
                try Self.recordEvent(db, run, pilot, path, event, detail)
            }
        }
    }

    public func contribution(fileID: Int64) throws -> ContributionCodec.Contribution {
        let row = try withConnection { db in
            try db.execute("SELECT codec, data, sha256 FROM contribution WHERE file_id = $1", [.int(fileID)]).rows.first
        }
        guard let row, let data = row.bytes("data") else {
            throw ContributionCodec.DecodingError(description: "no contribution stored")
        }
        let codec = row.int("codec") ?? -1
        guard ContributionCodec.readableVersions.contains(codec) else {
            throw ContributionCodec.DecodingError(description: "stored by another version (codec \(codec))")
        }
        if let stored = row.bytes("sha256"), Array(SHA256.hash(data: data)) != stored {
            throw ContributionCodec.DecodingError(description: "its checksum does not match: the stored bytes changed "
                + "after they were written")
        }
        return try ContributionCodec.decode(data)
    }

    private static func recordEvent(_ db: PostgresConnection, _ run: Int64, _ pilot: String, _ path: String,
                                    _ event: String, _ detail: String) throws {
        try db.execute("INSERT INTO file_event (run_id, pilot, path, event, detail) VALUES ($1, $2, $3, $4, $5)",
                       [.int(run), .text(pilot), .text(path), .text(event), .text(detail)])
    }

    private static func text(_ value: String?) -> PostgresValue { value.map { .text($0) } ?? .null }

    // MARK: Outputs

    public func outputs() throws -> [String: (sha256: String, generation: String)] {
        try withConnection { db in
            var result: [String: (String, String)] = [:]
            for row in try db.execute("SELECT path, sha256, generation FROM output_file").rows {
                result[row[0] ?? ""] = (row[1] ?? "", row[2] ?? "")
            }
            return result
        }
    }

    public func recordOutputs(_ records: [(path: String, sha256: String, generation: String)]) throws {
        guard !records.isEmpty else { return }
        try withConnection { db in
            try db.transaction {
                for record in records {
                    try db.execute("""
                        INSERT INTO output_file (path, sha256, generation) VALUES ($1, $2, $3)
                        ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, generation = excluded.generation
                        """, [.text(record.path), .text(record.sha256), .text(record.generation)])
                }
            }
        }
    }

    public func events(run: Int64) throws -> [(pilot: String, path: String, event: String, detail: String)] {
        try withConnection { db in
            try db.execute("SELECT pilot, path, event, detail FROM file_event WHERE run_id = $1 ORDER BY id", [.int(run)])
                .rows.map { ($0[0] ?? "", $0[1] ?? "", $0[2] ?? "", $0[3] ?? "") }
        }
    }
}

// MARK: Results for BI tools

extension PostgresStateStore {
    public var keepsResults: Bool { true }

    /// `result_generation`, `kpi_value` and `daily_value` of one generation, in one transaction (COPY for the rows).
    /// A generation kept before (the same inputs and build again) is only marked the latest: its rows are the same.
    public func publish(_ results: PublishedResults) throws {
        try withConnection { db in
            try db.transaction {
                // xmax = 0: the row was inserted, not updated (a generation kept before is only marked the latest).
                guard let row = try db.execute("""
                    INSERT INTO result_generation (pilot, generation, run_id) VALUES ($1, $2, $3)
                    ON CONFLICT (pilot, generation) DO UPDATE SET run_id = excluded.run_id, written_at = clock_timestamp()
                    RETURNING id, (xmax = 0)
                    """, [.text(results.pilot), .text(results.generation), .int(results.runID)]).rows.first,
                      let id = row.int(0), row[1] == "t" else { return }
                let generation = String(id)
                try db.copy(into: "kpi_value", columns: [
                    "generation_id", "key", "period", "site", "value", "unit", "coverage", "estimated_share", "flags",
                    "reason", "reason_code", "factor_status", "provenance",
                ], rows: results.kpis.map { kpi in
                    [generation, kpi.key, kpi.period, kpi.site, kpi.value, kpi.unit, kpi.coverage, kpi.estimatedShare,
                     kpi.flags, kpi.reason, kpi.reasonCode, kpi.factorStatus, kpi.provenance]
                })
                try db.copy(into: "daily_value", columns: [
                    "generation_id", "series", "site", "quantity", "meter", "day", "sum", "unit", "intervals", "missing",
                ], rows: results.days.map { day in
                    [generation, day.series, day.site, day.quantity, day.meter, day.day, day.sum, day.unit,
                     String(day.intervals), String(day.missing)]
                })
            }
        }
    }
}
