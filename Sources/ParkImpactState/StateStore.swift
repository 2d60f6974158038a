import Crypto
import Foundation
import GRDB
import GRDBSQLite
import ParkImpactModel

/// The run state in SQLite (GRDB): the ledger of every input file, each file's contribution (its partial aggregate,
/// `ContributionCodec`), the history of what happened to files, and the fingerprints of the outputs written.
///
/// Exactly-once: a file's contribution and its ledger row change in one transaction (`commit(_:)`), so after a crash
/// a file is either fully in the state or not at all. The database runs in WAL mode with `synchronous = NORMAL`:
/// a killed process (SIGKILL, OOM) loses nothing committed; a power cut may lose the last commits but never leaves
/// the state inconsistent, and what was lost is read again by the next run.
public final class StateStore: Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// The ledger table has the columns `LedgerSeal.inserted` encodes: an inserted row is sealed from its values,
    /// not read back.
    let sealsFromValues: Bool
    /// Cores a ledger read checks and decodes its rows on (`checkedLedger`; nil: all).
    let threads: Int?

    public struct OpenError: Error, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// Cannot be opened, read or written: permissions, a full disk, an I/O error (nothing is changed).
            case unavailable
            /// The file is not an intact SQLite database (truncated, overwritten): `openRecovering` moves it aside.
            case damaged
            /// Written by a newer ParkImpact (migrations this binary does not know): refused, never downgraded.
            case newer
        }
        public let kind: Kind
        public let description: String
    }

    /// Opens (and creates or migrates) the state database at `path`, after checking it: `PRAGMA quick_check` (the
    /// structure of every page: a truncated or overwritten file is found here, not later in the middle of a run) and
    /// the migrations it went through (a state of a newer version is refused).
    public init(path: String, threads: Int? = nil) throws(OpenError) {
        self.path = path
        self.threads = threads
        let directory = (path as NSString).deletingLastPathComponent
        var stage = "open"
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            stage = "check"
            let problems = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
            if problems != ["ok"] {
                throw OpenError(kind: .damaged, description: "\(path): the state database is damaged (quick_check: "
                    + problems.prefix(3).joined(separator: "; ") + ")")
            }
            let migrator = Self.migrator
            let unknown = try queue.read { db in
                try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
            }
            if !unknown.isEmpty {
                throw OpenError(kind: .newer, description: "\(path): the state was written by a newer ParkImpact "
                    + "(schema steps \(unknown.joined(separator: ", ")) are unknown to this version); run the newer "
                    + "version, or give this one its own state with --state")
            }
            stage = "migrate"
            try Self.migrator.migrate(queue)
            sealsFromValues = try queue.read(LedgerSeal.insertedMatches)
        } catch let error as OpenError {
            throw error
        } catch {
            if Self.isDamage(error) {
                throw OpenError(kind: .damaged, description: "\(path): the state database is damaged "
                    + "(\(Self.describe(error)))")
            }
            let fix = Self.diskIsFull(directory.isEmpty ? "." : directory)
                ? "the disk that holds it is full: free space on it, then run again"
                : "check that it and its folder are readable and writable and that the disk has space"
            throw OpenError(kind: .unavailable, description: "\(path): cannot \(stage) the state database "
                + "(\(Self.describe(error))); " + fix)
        }
    }

    /// Whether the file system holding `folder` has no room left for a database page (SQLite then reports a full
    /// disk as "disk I/O error" when it opens a database).
    static func diskIsFull(_ folder: String) -> Bool {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return false }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize) < 64 * 1024
    }

    /// Whether a database error says the file is not an intact database (rather than unreachable).
    static func isDamage(_ error: any Error) -> Bool {
        guard let database = error as? DatabaseError else { return false }
        return database.resultCode == .SQLITE_CORRUPT || database.resultCode == .SQLITE_NOTADB
    }

    /// Opens the state; a damaged one is moved aside (kept beside it as `<name>.damaged-<UTC time>`, with its WAL)
    /// and a new one created, which the run fills by reading every input again. `movedAside` names the kept copy
    /// and why it was moved.
    public static func openRecovering(path: String, now: String, threads: Int? = nil) throws(OpenError)
        -> (store: StateStore, movedAside: (path: String, reason: String)?) {
        do {
            return (try StateStore(path: path, threads: threads), nil)
        } catch where error.kind == .damaged {
            let kept = path + ".damaged-" + now
            let manager = FileManager.default
            do {
                try manager.moveItem(atPath: path, toPath: kept)
                if manager.fileExists(atPath: path + "-wal") { try manager.moveItem(atPath: path + "-wal", toPath: kept + "-wal") }
                if manager.fileExists(atPath: path + "-shm") { try manager.removeItem(atPath: path + "-shm") }
            } catch let moveError {
                throw OpenError(kind: .unavailable, description: error.description + "; it could not be moved aside "
                    + "(\(moveError.localizedDescription)): move it away by hand, the next run rebuilds it from input/")
            }
            return (try StateStore(path: path, threads: threads), (kept, error.description))
        }
    }

    package static func describe(_ error: any Error) -> String {
        if let database = error as? DatabaseError { return database.message ?? "\(database.resultCode)" }
        return "\(error)"
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  started_at TEXT NOT NULL,
                  finished_at TEXT,
                  exit_status INTEGER,
                  version TEXT NOT NULL);
                CREATE TABLE input_file (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  pilot TEXT NOT NULL,
                  path TEXT NOT NULL,
                  size INTEGER NOT NULL,
                  mtime_ns INTEGER NOT NULL,
                  sha256 TEXT NOT NULL,
                  reader_key TEXT NOT NULL,
                  source_index INTEGER NOT NULL,
                  format TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('ingested', 'unreadable', 'duplicate')),
                  duplicate_of TEXT,
                  problem TEXT,
                  rows_accepted INTEGER NOT NULL,
                  rows_rejected INTEGER NOT NULL,
                  run_id INTEGER NOT NULL REFERENCES run(id),
                  missing_since_run INTEGER REFERENCES run(id),
                  UNIQUE (pilot, path));
                CREATE TABLE contribution (
                  file_id INTEGER PRIMARY KEY REFERENCES input_file(id) ON DELETE CASCADE,
                  codec INTEGER NOT NULL,
                  data BLOB NOT NULL);
                CREATE TABLE file_event (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  run_id INTEGER NOT NULL REFERENCES run(id),
                  pilot TEXT NOT NULL,
                  path TEXT NOT NULL,
                  event TEXT NOT NULL,
                  detail TEXT NOT NULL);
                CREATE TABLE output_file (
                  path TEXT PRIMARY KEY,
                  sha256 TEXT NOT NULL,
                  generation TEXT NOT NULL);
                """)
        }
        // v2: which PV sites a file has, and which sites' grid readings it was read without (`PVDiscovery`).
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE input_file ADD COLUMN pv_sites TEXT NOT NULL DEFAULT '';
                ALTER TABLE input_file ADD COLUMN grid_sites_without_readings TEXT NOT NULL DEFAULT '';
                """)
        }
        // v3: copies of one file taken by different sources (`Ingest.settle`): what the copies share (a `duplicate`
        // not counted because of it), or `pending` (counted, to be settled against its copies read in the same run).
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "ALTER TABLE input_file ADD COLUMN conflict TEXT")
        }
        // v4: the stable code of an unreadable file's problem (`FileSummary.problemCode`), for its diagnostic.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE input_file ADD COLUMN problem_code TEXT")
        }
        // The SHA-256 of each stored contribution, written with it and checked before it is decoded: bytes changed in
        // the file since (a disk fault, a stray write) are found, never decoded into other numbers.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: "ALTER TABLE contribution ADD COLUMN sha256 BLOB")
        }
        // Device, inode and ctime of the file as last seen (`FileDigest.Stat.identity`); NULL in older rows: such a
        // file is fingerprinted once more and the identity recorded.
        migrator.registerMigration("v6") { db in
            try db.execute(sql: "ALTER TABLE input_file ADD COLUMN identity TEXT")
        }
        // The SHA-256 of each ledger row (`LedgerSeal`): written with every change of the row, checked on every read.
        // Rows already stored are sealed as they are.
        migrator.registerMigration("v7") { db in
            try db.execute(sql: "ALTER TABLE input_file ADD COLUMN checksum BLOB")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM input_file") {
                try db.execute(sql: "UPDATE input_file SET checksum = ? WHERE id = ?",
                               arguments: [LedgerSeal.checksum(row), row["id"] as Int64])
            }
        }
        // `data` last in the record: a contribution is inserted as a zero blob and written piece by piece
        // (`insertContribution`); with `sha256` after it SQLite expanded the zero blob in memory (60 MB for a year of
        // daily values of 2,400 meters). The table is rebuilt once, rows copied one by one.
        migrator.registerMigration("v8") { db in
            try db.execute(sql: """
                CREATE TABLE contribution_v8 (
                  file_id INTEGER PRIMARY KEY REFERENCES input_file(id) ON DELETE CASCADE,
                  codec INTEGER NOT NULL,
                  sha256 BLOB,
                  data BLOB NOT NULL);
                INSERT INTO contribution_v8 (file_id, codec, sha256, data)
                  SELECT file_id, codec, sha256, data FROM contribution;
                DROP TABLE contribution;
                ALTER TABLE contribution_v8 RENAME TO contribution;
                """)
        }
        return migrator
    }

    // MARK: Runs

    public func beginRun(startedAt: String) throws -> Int64 {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO run (started_at, version) VALUES (?, ?)",
                           arguments: [startedAt, ParkImpactVersion.string])
            return db.lastInsertedRowID
        }
    }

    public func finishRun(_ id: Int64, finishedAt: String, status: Int32) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE run SET finished_at = ?, exit_status = ? WHERE id = ?",
                           arguments: [finishedAt, Int(status), id])
        }
    }

    // MARK: Ledger

    /// The pilot's ledger, every row checked against its checksum: a damaged row throws `LedgerSeal.Damage`
    /// (`checkedLedger` gives the intact rows and names the damaged ones).
    public func ledger(pilot: String) throws -> [LedgerEntry] {
        let read = try checkedLedger(pilot: pilot, pilots: [pilot])
        if !read.damaged.isEmpty { throw LedgerSeal.Damage(rows: read.damaged) }
        return read.entries
    }

    /// Every ledger row, sorted by pilot and path, checked: what `parkimpact` tests compare after a crash.
    public func allEntries() throws -> [LedgerEntry] {
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM input_file ORDER BY id") }
        let damaged = rows.filter { !LedgerSeal.isIntact($0) }.map(LedgerSeal.DamagedRow.init(row:))
        if !damaged.isEmpty { throw LedgerSeal.Damage(rows: damaged) }
        return rows.map(LedgerEntry.init(row:)).sorted {
            $0.pilot != $1.pilot ? LedgerSeal.precedes($0.pilot, $1.pilot) : LedgerSeal.precedes($0.path, $1.path)
        }
    }

    /// The intact rows of `pilot`'s ledger, sorted by path (byte order), and the damaged rows that are, or may be,
    /// the pilot's: those whose pilot column says so or whose path lies in `<pilot>/`, and those that name none of
    /// `pilots` either way (the damage hit both). The table is scanned in row order, not through its index on
    /// (pilot, path), which a changed row no longer matches.
    public func checkedLedger(pilot: String, pilots: Set<String>) throws -> LedgerSeal.Read {
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM input_file ORDER BY id") }
        var read = LedgerSeal.Read()
        guard let first = rows.first else { return read }
        // Every row of the query has the same columns: their order and positions are worked out once.
        let columns = LedgerSeal.Columns(first)
        let pilotColumn = columns.index("pilot")
        let positions = LedgerEntry.Positions(columns)
        // The rows are checked (a SHA-256 each) and decoded in blocks on `threads` cores; the blocks' rows are
        // joined in row order, as one pass over them gives them.
        let block = 256
        let fetched = FetchedRows(rows: rows)
        let parts = ConcurrentMap.map((rows.count + block - 1) / block, threads: threads) { index in
            var part = LedgerSeal.Read()
            for row in fetched.rows[index * block..<min(fetched.rows.count, (index + 1) * block)] {
                let values = Array(row.databaseValues)
                if LedgerSeal.isIntact(values: values, columns: columns) {
                    let rowPilot = pilotColumn.flatMap { String.fromDatabaseValue(values[$0]) }
                    if rowPilot == pilot {
                        part.entries.append(positions.map { LedgerEntry(values: values, at: $0) } ?? LedgerEntry(row: row))
                    }
                    continue
                }
                let damaged = LedgerSeal.DamagedRow(row: row)
                if damaged.mayBelong(to: pilot, pilots: pilots) { part.damaged.append(damaged) }
            }
            return part
        }
        read.entries.reserveCapacity(parts.reduce(0) { $0 + $1.entries.count })
        for part in parts {
            read.entries += part.entries
            read.damaged += part.damaged
        }
        read.entries.sort { LedgerSeal.precedes($0.path, $1.path) }
        return read
    }

    /// Rows of `Row.fetchAll`, read by several threads at once and changed by none. `@unchecked Sendable`: a fetched
    /// row is a copy of its values (not a cursor over a statement, which is why GRDB does not declare `Row`
    /// `Sendable`), and reading a value does not change the row.
    private struct FetchedRows: @unchecked Sendable {
        let rows: [Row]
    }

    /// Drops damaged ledger rows and their contributions (a contribution is linked by the row's id, which the damage
    /// may have changed: contributions of no row go too), recording a `damaged` event per row. When the damage left
    /// the (pilot, path) index not matching the row, the index is rebuilt from the table first.
    public func dropDamaged(_ rows: [LedgerSeal.DamagedRow], pilot: String, run: Int64) throws {
        try queue.write { db in
            func drop() throws {
                for row in rows {
                    try db.execute(sql: "DELETE FROM contribution WHERE file_id = ?", arguments: [row.id])
                    try db.execute(sql: "DELETE FROM input_file WHERE id = ?", arguments: [row.id])
                }
                try db.execute(sql: "DELETE FROM contribution WHERE file_id NOT IN (SELECT id FROM input_file)")
            }
            do { try drop() } catch where Self.isDamage(error) {
                try db.execute(sql: "REINDEX input_file")
                try drop()
            }
            for row in rows {
                try Self.recordEvent(db, run, pilot, row.path ?? "", "damaged",
                                     "ledger row \(row.id): its checksum does not match; dropped, read again")
            }
        }
    }

    /// One file's ledger row, contribution and history lines, as `commit` writes them.
    public struct FileCommit: Sendable {
        public var entry: LedgerEntry
        public var contribution: ContributionCodec.Contribution?
        public var alsoRemoving: String?
        public var events: [(event: String, detail: String)]

        public init(_ entry: LedgerEntry, contribution: ContributionCodec.Contribution?, alsoRemoving: String? = nil,
                    events: [(event: String, detail: String)]) {
            self.entry = entry
            self.contribution = contribution
            self.alsoRemoving = alsoRemoving
            self.events = events
        }
    }

    /// `commit` of several files in one transaction: all of them are in the state afterwards, or none (a file is
    /// still either fully in the state or not at all). One transaction writes each page it changes once, where a
    /// transaction per file writes the ledger's, the contributions' and the history's last pages again for each.
    public func commit(_ files: [FileCommit]) throws {
        try commit(files, encodedWholeLimit: Self.encodedWholeLimit)
    }

    /// `commit`, with the size up to which a contribution is encoded whole (the tests take both ways).
    func commit(_ files: [FileCommit], encodedWholeLimit: Int) throws {
        guard !files.isEmpty else { return }
        // Sized, hashed, and kept when small, before the transaction (on the caller's thread, so the readers' threads
        // encode in parallel and the database is held only to write), in one encoding walked piece by piece: a
        // large one is never whole in memory, and its row is inserted with its SHA-256 and never updated (an UPDATE
        // reads the whole record, blob included, into memory).
        let prepared: [PreparedContribution?] = files.map { file in
            file.contribution.map { contribution in
                var hasher = SHA256()
                var size = 0
                var held: [UInt8]? = []
                try? ContributionCodec.encode(contribution, piece: 1 << 18) { piece in
                    hasher.update(bufferPointer: piece)
                    size += piece.count
                    if held != nil { if size <= encodedWholeLimit { held!.append(contentsOf: piece) } else { held = nil } }
                }
                let sha256 = Data(hasher.finalize())
                return PreparedContribution(size: size, whole: held.map { (Data($0), sha256) }, sha256: sha256)
            }
        }
        try queue.write { db in
            for (file, contribution) in zip(files, prepared) {
                try Self.write(db, file.entry, contribution: file.contribution, prepared: contribution,
                               alsoRemoving: file.alsoRemoving, events: file.events, sealFromValues: sealsFromValues)
            }
        }
    }

    /// Contributions up to this size are encoded whole before the transaction and stored as one value; larger ones
    /// (a large export's, tens of MB) are encoded piece by piece into their blob, never whole in memory.
    static let encodedWholeLimit = 1 << 20

    /// A contribution's encoded size and, when small, its bytes and their SHA-256.
    struct PreparedContribution {
        let size: Int
        let whole: (bytes: Data, sha256: Data)?
        /// The SHA-256 of the encoded bytes.
        let sha256: Data
    }

    private static func write(_ db: Database, _ entry: LedgerEntry, contribution: ContributionCodec.Contribution?,
                              prepared: PreparedContribution?, alsoRemoving: String?,
                              events: [(event: String, detail: String)],
                              sealFromValues: Bool) throws {
        try db.cachedStatement(sql: "DELETE FROM input_file WHERE pilot = ? AND path = ?")
            .execute(arguments: [entry.pilot, entry.path])
        if let alsoRemoving {
            try db.cachedStatement(sql: "DELETE FROM input_file WHERE pilot = ? AND path = ?")
                .execute(arguments: [entry.pilot, alsoRemoving])
        }
        try db.cachedStatement(sql: """
            INSERT INTO input_file (pilot, path, size, mtime_ns, sha256, reader_key, source_index, format, status,
              duplicate_of, problem, rows_accepted, rows_rejected, run_id, missing_since_run, pv_sites,
              grid_sites_without_readings, conflict, problem_code, identity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)
            """).execute(arguments: [entry.pilot, entry.path, entry.size, entry.modifiedNanoseconds, entry.sha256,
                             entry.readerKey, entry.sourceIndex, entry.format, entry.status.rawValue,
                             entry.duplicateOf, entry.problem, entry.rowsAccepted, entry.rowsRejected, entry.runID,
                             LedgerEntry.text(entry.pvSites), LedgerEntry.text(entry.gridSitesWithoutReadings),
                             entry.conflict, entry.problemCode, entry.identity])
        let id = db.lastInsertedRowID
        if sealFromValues {
            try db.cachedStatement(sql: "UPDATE input_file SET checksum = ? WHERE id = ?")
                .execute(arguments: [LedgerSeal.inserted(entry, id: id), id])
        } else {
            try LedgerSeal.seal(db, id: id)
        }
        if let contribution, let prepared {
            if let whole = prepared.whole {
                try db.cachedStatement(sql: "INSERT INTO contribution (file_id, codec, data, sha256) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [id, ContributionCodec.version, whole.bytes, whole.sha256])
            } else {
                try Self.insertContribution(db, fileID: id, contribution, size: prepared.size, sha256: prepared.sha256)
            }
        }
        for event in events {
            try Self.recordEvent(db, entry.runID, entry.pilot, entry.path, event.event, event.detail)
        }
    }

    /// Stores a contribution without ever holding it whole (it is tens of MB for a large export, and SQLite would copy a
    /// bound blob twice: into its own buffer, then into the record): the row is inserted with `zeroblob(size)` and the
    /// encoded bytes are written into it piece by piece (incremental blob I/O), inside the caller's transaction.
    ///
    /// The corresponding C functions are `sqlite3_blob_open`, `sqlite3_blob_write` and `sqlite3_blob_close`.
    private static func insertContribution(_ db: Database, fileID: Int64, _ contribution: ContributionCodec.Contribution,
                                           size: Int, sha256: Data) throws {
        try db.cachedStatement(sql: """
            INSERT INTO contribution (file_id, codec, sha256, data) VALUES (?, ?, ?, zeroblob(?))
            """).execute(arguments: [fileID, ContributionCodec.version, sha256, size])
        guard size > 0 else { return }
        let connection = db.sqliteConnection
        var blob: OpaquePointer?
        let opened = sqlite3_blob_open(connection, "main", "contribution", "data", fileID, 1, &blob)
        guard opened == SQLITE_OK, let blob else {
            throw DatabaseError(resultCode: ResultCode(rawValue: opened), message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_blob_close(blob) }
        var offset = 0
        var hasher = SHA256()
        try ContributionCodec.encode(contribution) { piece in
            hasher.update(bufferPointer: piece)
            guard offset + piece.count <= size else {
                throw DatabaseError(message: "contribution larger than counted (\(offset + piece.count) > \(size) bytes)")
            }
            let written = sqlite3_blob_write(blob, piece.baseAddress, Int32(piece.count), Int32(offset))
            guard written == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: written),
                                    message: String(cString: sqlite3_errmsg(connection)))
            }
            offset += piece.count
        }
        guard offset == size else {
            throw DatabaseError(message: "contribution smaller than counted (\(offset) < \(size) bytes)")
        }
        guard Data(hasher.finalize()) == sha256 else {
            throw DatabaseError(message: "contribution encoded to other bytes than hashed before")
        }
    }

    /// Settles a group of copies (same SHA-256) in one transaction: `demote` become `duplicate` rows (their
    /// contributions dropped), `update` rows get the given `duplicate_of` and `conflict` (nil: counted, no conflict).
    public func settle(pilot: String, run: Int64, demote: [LedgerEntry],
                       update: [(path: String, duplicateOf: String?, conflict: String?)],
                       events: [(path: String, event: String, detail: String)]) throws {
        try queue.write { db in
            for entry in demote {
                try db.execute(sql: "DELETE FROM contribution WHERE file_id = ?", arguments: [entry.id])
                try LedgerSeal.resealing(db, pilot: pilot, path: entry.path) {
                    try db.execute(sql: """
                        UPDATE input_file SET status = 'duplicate', duplicate_of = ?, conflict = ?, problem = NULL,
                          problem_code = NULL, rows_accepted = 0, rows_rejected = 0 WHERE pilot = ? AND path = ?
                        """, arguments: [entry.duplicateOf, entry.conflict, pilot, entry.path])
                }
            }
            for item in update {
                try LedgerSeal.resealing(db, pilot: pilot, path: item.path) {
                    try db.execute(sql: "UPDATE input_file SET duplicate_of = ?, conflict = ? WHERE pilot = ? AND path = ?",
                                   arguments: [item.duplicateOf, item.conflict, pilot, item.path])
                }
            }
            for event in events { try Self.recordEvent(db, run, pilot, event.path, event.event, event.detail) }
        }
    }

    /// The same content seen again with a new modification time: only the time changes.
    public func touch(pilot: String, path: String, modifiedNanoseconds: Int64, identity: String) throws {
        try queue.write { db in
            try LedgerSeal.resealing(db, pilot: pilot, path: path) {
                try db.execute(sql: """
                    UPDATE input_file SET mtime_ns = ?, identity = ?, missing_since_run = NULL WHERE pilot = ? AND path = ?
                    """, arguments: [modifiedNanoseconds, identity, pilot, path])
            }
        }
    }

    /// Forgets which build read a file (its reader key): the next run reads it again, as after a new build. For a
    /// stored contribution that cannot be decoded.
    public func forgetReader(pilot: String, path: String, run: Int64, detail: String) throws {
        try queue.write { db in
            try LedgerSeal.resealing(db, pilot: pilot, path: path) {
                try db.execute(sql: "UPDATE input_file SET reader_key = '' WHERE pilot = ? AND path = ?",
                               arguments: [pilot, path])
            }
            try Self.recordEvent(db, run, pilot, path, "unusable", detail)
        }
    }

    /// Marks a file gone from the input folder (its contribution stays), or back (`run` nil).
    public func setMissing(pilot: String, path: String, run: Int64?, event: (run: Int64, detail: String)?) throws {
        try queue.write { db in
            try LedgerSeal.resealing(db, pilot: pilot, path: path) {
                try db.execute(sql: "UPDATE input_file SET missing_since_run = ? WHERE pilot = ? AND path = ?",
                               arguments: [run, pilot, path])
            }
            if let event {
                try Self.recordEvent(db, event.run, pilot, path, run == nil ? "returned" : "deleted", event.detail)
            }
        }
    }

    /// Drops a file's ledger row and contribution (the definition no longer selects it).
    public func remove(pilot: String, path: String, run: Int64, event: String, detail: String) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM input_file WHERE pilot = ? AND path = ?", arguments: [pilot, path])
            try Self.recordEvent(db, run, pilot, path, event, detail)
        }
    }

    /// The stored contribution of a ledger row.
    public func contribution(fileID: Int64) throws -> ContributionCodec.Contribution {
        let row = try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT codec, data, sha256 FROM contribution WHERE file_id = ?",
                             arguments: [fileID])
        }
        guard let row else { throw ContributionCodec.DecodingError(description: "no contribution stored") }
        let codec: Int64 = row["codec"]
        guard ContributionCodec.readableVersions.contains(codec) else {
            throw ContributionCodec.DecodingError(description: "stored by another version (codec \(codec))")
        }
        let data: Data = row["data"]
        // Contributions stored before the checksum existed have none: decoded as they are (the decoder checks
        // every count and length against the bytes).
        if let stored: Data = row["sha256"], Data(SHA256.hash(data: data)) != stored {
            throw ContributionCodec.DecodingError(description: "its checksum does not match: the stored bytes changed "
                + "after they were written")
        }
        return try ContributionCodec.decode(Array(data))
    }

    /// One line of the file history.
    private static func recordEvent(_ db: Database, _ run: Int64, _ pilot: String, _ path: String, _ event: String,
                                    _ detail: String) throws {
        try db.cachedStatement(sql: "INSERT INTO file_event (run_id, pilot, path, event, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [run, pilot, path, event, detail])
    }

    // MARK: Outputs

    /// The generation and SHA-256 recorded for each output written, by path.
    public func outputs() throws -> [String: (sha256: String, generation: String)] {
        try queue.read { db in
            var result: [String: (String, String)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, sha256, generation FROM output_file") {
                result[row["path"]] = (row["sha256"], row["generation"])
            }
            return result
        }
    }

    public func recordOutputs(_ records: [(path: String, sha256: String, generation: String)]) throws {
        try queue.write { db in
            for record in records {
                try db.execute(sql: "INSERT OR REPLACE INTO output_file (path, sha256, generation) VALUES (?, ?, ?)",
                               arguments: [record.path, record.sha256, record.generation])
            }
        }
    }

    /// Events of a run, for messages and tests.
    public func events(run: Int64) throws -> [(pilot: String, path: String, event: String, detail: String)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT pilot, path, event, detail FROM file_event WHERE run_id = ? ORDER BY id",
                             arguments: [run]).map { ($0["pilot"], $0["path"], $0["event"], $0["detail"]) }
        }
    }
}

/// One row of the ledger: an input file as the state knows it.
public struct LedgerEntry: Sendable, Equatable {
    public enum Status: String, Sendable { case ingested, unreadable, duplicate }

    public var id: Int64 = 0
    public var pilot: String
    /// Relative to the input folder: `demo-park/acme/x.csv`.
    public var path: String
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var sha256: String
    /// Which build read the file, with which source definition (`Ingest.readerKey`).
    public var readerKey: String
    public var sourceIndex: Int
    public var format: String
    public var status: Status
    public var duplicateOf: String?
    public var problem: String?
    /// The stable code of `problem` (`FileSummary.problemCode`); nil in rows stored before it was kept.
    public var problemCode: String?
    public var rowsAccepted: Int
    public var rowsRejected: Int
    public var runID: Int64
    public var missingSinceRun: Int64?
    /// Sites with PV production in the file, and sites whose grid readings it was read without (`PVDiscovery`).
    public var pvSites: Set<String> = []
    public var gridSitesWithoutReadings: Set<String> = []
    /// A copy taken by another source than the file it copies (`Ingest.settle`): what they share, for the error
    /// (`duplicate`, not counted); `pending` on a counted copy read in a run that has not settled its group yet.
    public var conflict: String?
    /// `FileDigest.Stat.identity` when the file was last seen; nil in rows stored before it was kept.
    public var identity: String?

    /// `conflict` of a counted copy whose group is not settled yet.
    public static let pending = "pending"

    /// A set of site ids as stored: sorted, one per line.
    static func text(_ sites: Set<String>) -> String { sites.sorted().joined(separator: "\n") }
    static func sites(_ text: String) -> Set<String> { Set(text.split(separator: "\n").map(String.init)) }

    public init(pilot: String, path: String, size: Int64, modifiedNanoseconds: Int64, sha256: String,
                readerKey: String, sourceIndex: Int, format: String, status: Status, duplicateOf: String? = nil,
                problem: String? = nil, rowsAccepted: Int = 0, rowsRejected: Int = 0, runID: Int64) {
        self.pilot = pilot
        self.path = path
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.sha256 = sha256
        self.readerKey = readerKey
        self.sourceIndex = sourceIndex
        self.format = format
        self.status = status
        self.duplicateOf = duplicateOf
        self.problem = problem
        self.rowsAccepted = rowsAccepted
        self.rowsRejected = rowsRejected
        self.runID = runID
    }

    /// The positions of the columns in the rows of one query (`SELECT * FROM input_file`); nil when one is missing.
    struct Positions {
        let id, pilot, path, size, modifiedNanoseconds, sha256, readerKey, sourceIndex, format, status, duplicateOf,
            problem, problemCode, rowsAccepted, rowsRejected, runID, missingSinceRun, pvSites,
            gridSitesWithoutReadings, conflict, identity: Int

        init?(_ columns: LedgerSeal.Columns) {
            guard let id = columns.index("id"), let pilot = columns.index("pilot"), let path = columns.index("path"),
                  let size = columns.index("size"), let modifiedNanoseconds = columns.index("mtime_ns"),
                  let sha256 = columns.index("sha256"), let readerKey = columns.index("reader_key"),
                  let sourceIndex = columns.index("source_index"), let format = columns.index("format"),
                  let status = columns.index("status"), let duplicateOf = columns.index("duplicate_of"),
                  let problem = columns.index("problem"), let problemCode = columns.index("problem_code"),
                  let rowsAccepted = columns.index("rows_accepted"), let rowsRejected = columns.index("rows_rejected"),
                  let runID = columns.index("run_id"), let missingSinceRun = columns.index("missing_since_run"),
                  let pvSites = columns.index("pv_sites"),
                  let gridSitesWithoutReadings = columns.index("grid_sites_without_readings"),
                  let conflict = columns.index("conflict"), let identity = columns.index("identity") else { return nil }
            (self.id, self.pilot, self.path, self.size, self.modifiedNanoseconds, self.sha256, self.readerKey) =
                (id, pilot, path, size, modifiedNanoseconds, sha256, readerKey)
            (self.sourceIndex, self.format, self.status, self.duplicateOf, self.problem, self.problemCode) =
                (sourceIndex, format, status, duplicateOf, problem, problemCode)
            (self.rowsAccepted, self.rowsRejected, self.runID, self.missingSinceRun) =
                (rowsAccepted, rowsRejected, runID, missingSinceRun)
            (self.pvSites, self.gridSitesWithoutReadings, self.conflict, self.identity) =
                (pvSites, gridSitesWithoutReadings, conflict, identity)
        }
    }

    /// The row's entry, its columns looked up by position (`init(row:)` looks each up by name).
    init(row: Row, at column: Positions) {
        id = row[column.id]
        pilot = row[column.pilot]
        path = row[column.path]
        size = row[column.size]
        modifiedNanoseconds = row[column.modifiedNanoseconds]
        sha256 = row[column.sha256]
        readerKey = row[column.readerKey]
        sourceIndex = row[column.sourceIndex]
        format = row[column.format]
        status = Status(rawValue: row[column.status]) ?? .unreadable
        duplicateOf = row[column.duplicateOf]
        problem = row[column.problem]
        problemCode = row[column.problemCode]
        rowsAccepted = row[column.rowsAccepted]
        rowsRejected = row[column.rowsRejected]
        runID = row[column.runID]
        missingSinceRun = row[column.missingSinceRun]
        pvSites = Self.sites(row[column.pvSites])
        gridSitesWithoutReadings = Self.sites(row[column.gridSitesWithoutReadings])
        conflict = row[column.conflict]
        identity = row[column.identity]
    }

    /// `init(row:at:)` from the row's values by position (`Row.databaseValues`), converted by the concrete types'
    /// `fromDatabaseValue`: an intact row (`LedgerSeal`) holds the storage classes its columns were written with.
    init(values: [DatabaseValue], at column: Positions) {
        func text(_ index: Int) -> String? { String.fromDatabaseValue(values[index]) }
        func integer(_ index: Int) -> Int64? { Int64.fromDatabaseValue(values[index]) }
        id = integer(column.id) ?? 0
        pilot = text(column.pilot) ?? ""
        path = text(column.path) ?? ""
        size = integer(column.size) ?? 0
        modifiedNanoseconds = integer(column.modifiedNanoseconds) ?? 0
        sha256 = text(column.sha256) ?? ""
        readerKey = text(column.readerKey) ?? ""
        sourceIndex = Int(integer(column.sourceIndex) ?? 0)
        format = text(column.format) ?? ""
        status = text(column.status).flatMap(Status.init(rawValue:)) ?? .unreadable
        duplicateOf = text(column.duplicateOf)
        problem = text(column.problem)
        problemCode = text(column.problemCode)
        rowsAccepted = Int(integer(column.rowsAccepted) ?? 0)
        rowsRejected = Int(integer(column.rowsRejected) ?? 0)
        runID = integer(column.runID) ?? 0
        missingSinceRun = integer(column.missingSinceRun)
        pvSites = Self.sites(text(column.pvSites) ?? "")
        gridSitesWithoutReadings = Self.sites(text(column.gridSitesWithoutReadings) ?? "")
        conflict = text(column.conflict)
        identity = text(column.identity)
    }

    init(row: Row) {
        id = row["id"]
        pilot = row["pilot"]
        path = row["path"]
        size = row["size"]
        modifiedNanoseconds = row["mtime_ns"]
        sha256 = row["sha256"]
        readerKey = row["reader_key"]
        sourceIndex = row["source_index"]
        format = row["format"]
        status = Status(rawValue: row["status"]) ?? .unreadable
        duplicateOf = row["duplicate_of"]
        problem = row["problem"]
        problemCode = row["problem_code"]
        rowsAccepted = row["rows_accepted"]
        rowsRejected = row["rows_rejected"]
        runID = row["run_id"]
        missingSinceRun = row["missing_since_run"]
        pvSites = Self.sites(row["pv_sites"])
        gridSitesWithoutReadings = Self.sites(row["grid_sites_without_readings"])
        conflict = row["conflict"]
        identity = row["identity"]
    }
}
