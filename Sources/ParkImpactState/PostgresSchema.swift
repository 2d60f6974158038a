public import ParkImpactPostgres

/// The PostgreSQL state's schema: the same concepts as the SQLite state (runs, the ledger of input files, their
/// contributions, file events, recorded outputs), plus what BI tools read: KPIs and daily values per generation, and
/// views of the latest generation.
///
/// Migrations are numbered and applied in order under a transaction-scoped advisory lock, so workers starting together
/// migrate once; `parkimpact_schema` records each applied version. A database whose version is newer than the
/// binary's is refused before anything is read or written.
public enum PostgresSchema {
    /// Key of the advisory lock held while migrating (any 64-bit number unique to ParkImpact's schema work).
    static let migrationLock: Int64 = 0x5041_524B_4D49_4752  // "PARKMIGR"

    /// The migrations, version 1 first. Never edit a published one: add the next.
    static let migrations: [String] = [
        // v1: the state (as the SQLite state's v7), and the results for BI tools.
        """
        CREATE TABLE run (
          id BIGSERIAL PRIMARY KEY,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          exit_status INTEGER,
          version TEXT NOT NULL,
          host TEXT NOT NULL DEFAULT '',
          pid INTEGER NOT NULL DEFAULT 0,
          build TEXT NOT NULL DEFAULT '');
        CREATE TABLE input_file (
          id BIGSERIAL PRIMARY KEY,
          pilot TEXT NOT NULL,
          path TEXT NOT NULL,
          size BIGINT NOT NULL,
          mtime_ns BIGINT NOT NULL,
          sha256 TEXT NOT NULL,
          reader_key TEXT NOT NULL,
          source_index INTEGER NOT NULL,
          format TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('ingested', 'unreadable', 'duplicate')),
          duplicate_of TEXT,
          problem TEXT,
          rows_accepted BIGINT NOT NULL,
          rows_rejected BIGINT NOT NULL,
          run_id BIGINT NOT NULL REFERENCES run(id),
          missing_since_run BIGINT REFERENCES run(id),
          pv_sites TEXT NOT NULL DEFAULT '',
          grid_sites_without_readings TEXT NOT NULL DEFAULT '',
          conflict TEXT,
          problem_code TEXT,
          identity TEXT,
          checksum BYTEA,
          UNIQUE (pilot, path));
        CREATE TABLE contribution (
          file_id BIGINT PRIMARY KEY REFERENCES input_file(id) ON DELETE CASCADE,
          codec INTEGER NOT NULL,
          data BYTEA NOT NULL,
          sha256 BYTEA);
        CREATE TABLE file_event (
          id BIGSERIAL PRIMARY KEY,
          run_id BIGINT NOT NULL REFERENCES run(id),
          pilot TEXT NOT NULL,
          path TEXT NOT NULL,
          event TEXT NOT NULL,
          detail TEXT NOT NULL);
        CREATE TABLE output_file (
          path TEXT PRIMARY KEY,
          sha256 TEXT NOT NULL,
          generation TEXT NOT NULL);
        -- Results for BI tools: every KPI of every generation of a pilot's outputs (a generation is the fingerprint
        -- recorded for the pilot's outputs in output_file), as in its kpis.json, and the daily values of its series,
        -- as in daily.csv. A generation's rows are written in the transaction that creates it; they reference it by
        -- its id without a foreign key (a per-row check would double the time to write them). Removing a generation:
        -- DELETE FROM kpi_value, daily_value and result_generation for its id.
        CREATE TABLE result_generation (
          id BIGSERIAL PRIMARY KEY,
          pilot TEXT NOT NULL,
          generation TEXT NOT NULL,
          run_id BIGINT NOT NULL REFERENCES run(id),
          written_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
          UNIQUE (pilot, generation));
        CREATE TABLE kpi_value (
          generation_id BIGINT NOT NULL,
          key TEXT NOT NULL,
          period TEXT NOT NULL,
          site TEXT,
          value DOUBLE PRECISION,
          unit TEXT NOT NULL,
          coverage DOUBLE PRECISION,
          estimated_share DOUBLE PRECISION,
          flags TEXT NOT NULL DEFAULT '',
          reason TEXT,
          reason_code TEXT,
          factor_status TEXT,
          provenance JSONB NOT NULL);
        -- site is NULL for the whole pilot, as in kpis.json.
        CREATE UNIQUE INDEX kpi_value_key ON kpi_value (generation_id, key, period, coalesce(site, ''));
        CREATE TABLE daily_value (
          generation_id BIGINT NOT NULL,
          series TEXT NOT NULL,
          site TEXT NOT NULL,
          quantity TEXT NOT NULL,
          meter TEXT NOT NULL,
          day DATE NOT NULL,
          sum DOUBLE PRECISION NOT NULL,
          unit TEXT NOT NULL,
          intervals INTEGER NOT NULL,
          missing INTEGER NOT NULL,
          PRIMARY KEY (generation_id, series, day));
        CREATE VIEW latest_generation AS
          SELECT DISTINCT ON (pilot) id, pilot, generation, run_id, written_at
          FROM result_generation ORDER BY pilot, written_at DESC, id DESC;
        CREATE VIEW kpi_latest AS
          SELECT g.pilot, g.generation, k.key, k.period, k.site, k.value, k.unit, k.coverage, k.estimated_share,
                 k.flags, k.reason, k.reason_code, k.factor_status, k.provenance
          FROM kpi_value k JOIN latest_generation g ON k.generation_id = g.id;
        CREATE VIEW daily_latest AS
          SELECT g.pilot, g.generation, d.series, d.site, d.quantity, d.meter, d.day, d.sum, d.unit, d.intervals,
                 d.missing
          FROM daily_value d JOIN latest_generation g ON d.generation_id = g.id;
        """,
        // v2: the files of a pilot's read offered to other workers (`ReadClaims`): one row per file, claimed by one
        // worker; its result handed over in the row until the pilot's holder takes it.
        """
        CREATE SEQUENCE file_claim_set;
        CREATE TABLE file_claim (
          claim_set BIGINT NOT NULL,
          seq INTEGER NOT NULL,
          pilot TEXT NOT NULL,
          path TEXT NOT NULL,
          open_path TEXT NOT NULL,
          source_index INTEGER NOT NULL,
          match_key TEXT NOT NULL,
          size BIGINT NOT NULL,
          mtime_ns BIGINT NOT NULL,
          pv_sites TEXT NOT NULL DEFAULT '',
          holder TEXT NOT NULL,
          holder_backend INTEGER NOT NULL,
          offered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
          worker TEXT,
          backend_pid INTEGER,
          lease_until TIMESTAMPTZ,
          done BOOLEAN NOT NULL DEFAULT false,
          read_at TIMESTAMPTZ,
          result BYTEA,
          sha256 TEXT,
          observed_size BIGINT,
          observed_mtime_ns BIGINT,
          observed_identity TEXT,
          pv_found TEXT,
          grid_without TEXT,
          change_kind TEXT,
          change_text TEXT,
          PRIMARY KEY (claim_set, seq));
        CREATE INDEX file_claim_open ON file_claim (match_key, claim_set, seq) WHERE worker IS NULL;
        CREATE INDEX file_claim_pilot ON file_claim (pilot);
        """,
    ]

    /// The schema version this binary writes and reads.
    public static var currentVersion: Int { migrations.count }

    public struct NewerSchema: Error, CustomStringConvertible {
        public let found: Int
        public let known: Int
        public let url: String
        public var description: String {
            "the PostgreSQL state at \(url) has schema version \(found), newer than this parkimpact knows (\(known)): "
                + "it was written by a newer parkimpact; upgrade parkimpact on this host (every worker of a state runs "
                + "the same version), nothing was read or changed"
        }
    }

    /// Brings the database to `currentVersion`; refuses a newer one with `NewerSchema`. Returns the versions applied.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection) throws -> [Int] {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int(migrationLock)])
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS parkimpact_schema (
                  version INTEGER PRIMARY KEY,
                  applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let found = Int(try connection.execute("SELECT coalesce(max(version), 0) FROM parkimpact_schema")
                .rows.first?.int(0) ?? 0)
            guard found <= currentVersion else {
                throw NewerSchema(found: found, known: currentVersion, url: connection.displayURL)
            }
            var applied: [Int] = []
            for version in (found + 1)..<(currentVersion + 1) {
                try connection.executeScript(migrations[version - 1])
                try connection.execute("INSERT INTO parkimpact_schema (version) VALUES ($1)", [.int(Int64(version))])
                applied.append(version)
            }
            return applied
        }
    }

    /// The schema version of the database (0: none yet).
    public static func version(_ connection: PostgresConnection) throws -> Int {
        let exists = try connection.execute("SELECT to_regclass('parkimpact_schema') IS NOT NULL").rows.first?[0] == "t"
        guard exists else { return 0 }
        return Int(try connection.execute("SELECT coalesce(max(version), 0) FROM parkimpact_schema").rows.first?.int(0) ?? 0)
    }
}
