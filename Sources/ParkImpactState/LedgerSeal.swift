import Crypto
import Foundation
import GRDB
import ParkImpactModel

/// The checksum of a ledger row (`input_file.checksum`, schema v7): the SHA-256 of a canonical encoding of every
/// other column of the row, written with every change of the row (`StateStore.commit`, `settle`, `touch`,
/// `setMissing`, `forgetReader`) and checked on every read. A byte changed inside a row's text since (a disk fault,
/// a stray write) makes the row fail: the run drops it with its contribution and reads the file again.
///
/// Encoding, per column sorted by name (byte order), `checksum` left out: the name's UTF-8 bytes, a 0 byte, a type
/// byte (`0` NULL, `1` integer, `2` real, `3` text, `4` blob), then for an integer or a real its 8 bytes (little
/// endian; a real's bit pattern), for a text or a blob its length (8 bytes, little endian) and its bytes. The
/// storage class is part of the encoding: `5` stored as text where an integer was written fails.
public enum LedgerSeal {
    /// The SHA-256 of `row`'s columns but `checksum`.
    static func checksum(_ row: Row) -> Data { checksum(row, columns: Columns(row)) }

    /// The SHA-256 of `row`'s columns but `checksum`, for a row with the columns of `columns`.
    static func checksum(_ row: Row, columns: Columns) -> Data {
        checksum(columns.hashed.lazy.map { ($0.encodedName, row[$0.index] as DatabaseValue) })
    }

    /// The SHA-256 of the encoding of `values`: each column's encoded name (its UTF-8 bytes and a 0 byte) with its
    /// value, in the order `checksum` hashes them.
    static func checksum<Values: Sequence>(_ values: Values) -> Data
    where Values.Element == (encodedName: [UInt8], value: DatabaseValue) {
        // The encoding is gathered in one buffer and hashed at once.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        func integer(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        for column in values {
            bytes.append(contentsOf: column.encodedName)
            switch column.value.storage {
            case .null: bytes.append(0)
            case .int64(let number):
                bytes.append(1)
                integer(number)
            case .double(let number):
                bytes.append(2)
                integer(Int64(bitPattern: number.bitPattern))
            case .string(let text):
                bytes.append(3)
                integer(Int64(text.utf8.count))
                bytes.append(contentsOf: text.utf8)
            case .blob(let data):
                bytes.append(4)
                integer(Int64(data.count))
                bytes.append(contentsOf: data)
            }
        }
        return Data(SHA256.hash(data: bytes))
    }

    /// Whether the row's stored checksum is the one of its columns (a row without one fails).
    static func isIntact(_ row: Row) -> Bool { isIntact(row, columns: Columns(row)) }

    static func isIntact(_ row: Row, columns: Columns) -> Bool {
        guard let index = columns.index("checksum"),
              let stored = Data.fromDatabaseValue(row[index] as DatabaseValue) else { return false }
        return stored == checksum(row, columns: columns)
    }

    /// `isIntact` of a row given as its values by position (`Row.databaseValues`): no typed access through GRDB's
    /// generic subscripts, which look up generic metadata per value (a lock two threads contend for).
    static func isIntact(values: [DatabaseValue], columns: Columns) -> Bool {
        guard let index = columns.index("checksum"), let stored = Data.fromDatabaseValue(values[index]) else {
            return false
        }
        return stored == checksum(columns.hashed.lazy.map { ($0.encodedName, values[$0.index]) })
    }

    /// The columns of the rows of one query, worked out once for all of them: the order in which `checksum` hashes
    /// them (by name, byte order, `checksum` left out) with each name's encoding, and each column's position by name
    /// (the first of that name in any case, as `Row` looks a name up).
    struct Columns {
        let hashed: [(index: Int, encodedName: [UInt8])]
        private let positions: [String: Int]

        init(_ row: Row) {
            var named: [(index: Int, name: String)] = []
            var positions: [String: Int] = [:]
            for (index, name) in row.columnNames.enumerated() {
                if name != "checksum" { named.append((index, name)) }
                let key = name.lowercased()
                if positions[key] == nil { positions[key] = index }
            }
            named.sort { precedes($0.name, $1.name) }
            hashed = named.map { ($0.index, Array($0.name.utf8) + [0]) }
            self.positions = positions
        }

        func index(_ name: String) -> Int? { positions[name.lowercased()] }
    }

    /// The columns of `input_file` (schema v7), `checksum` left out, sorted as `checksum` hashes them: what
    /// `inserted` encodes.
    static let insertedColumns = ["conflict", "duplicate_of", "format", "grid_sites_without_readings", "id", "identity",
                                  "missing_since_run", "mtime_ns", "path", "pilot", "problem", "problem_code",
                                  "pv_sites", "reader_key", "rows_accepted", "rows_rejected", "run_id", "sha256", "size",
                                  "source_index", "status"]
    private static let insertedNames = insertedColumns.map { Array($0.utf8) + [0] }

    /// The checksum of the row `StateStore` inserts for `entry` under `id` (`missing_since_run` NULL), computed from
    /// the values rather than read back: the same bytes `checksum(row)` hashes, as long as the table has exactly
    /// `insertedColumns` (checked when the state is opened; otherwise the row is read back, `seal`).
    static func inserted(_ entry: LedgerEntry, id: Int64) -> Data {
        func text(_ value: String?) -> DatabaseValue { value.map { $0.databaseValue } ?? .null }
        let values: [DatabaseValue] = [
            text(entry.conflict), text(entry.duplicateOf), entry.format.databaseValue,
            LedgerEntry.text(entry.gridSitesWithoutReadings).databaseValue, id.databaseValue, text(entry.identity),
            .null, entry.modifiedNanoseconds.databaseValue, entry.path.databaseValue, entry.pilot.databaseValue,
            text(entry.problem), text(entry.problemCode), LedgerEntry.text(entry.pvSites).databaseValue,
            entry.readerKey.databaseValue, Int64(entry.rowsAccepted).databaseValue,
            Int64(entry.rowsRejected).databaseValue, entry.runID.databaseValue, entry.sha256.databaseValue,
            entry.size.databaseValue, Int64(entry.sourceIndex).databaseValue, entry.status.rawValue.databaseValue,
        ]
        return checksum(zip(insertedNames, values).lazy.map { (encodedName: $0.0, value: $0.1) })
    }

    /// Whether `input_file` has exactly the columns `inserted` encodes (and `checksum`).
    static func insertedMatches(_ db: Database) throws -> Bool {
        let names = try Row.fetchAll(db, sql: "PRAGMA table_info(input_file)").map { $0["name"] as String }
        return names.filter { $0 != "checksum" }.sorted(by: precedes) == insertedColumns
    }

    /// Writes the checksum of row `id` as it is now.
    static func seal(_ db: Database, id: Int64) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM input_file WHERE id = ?"),
                                         arguments: [id]) else { return }
        try db.cachedStatement(sql: "UPDATE input_file SET checksum = ? WHERE id = ?").execute(arguments: [checksum(row), id])
    }

    /// Runs `change` (an UPDATE of the row of `pilot`/`path`) and seals the row again, if it was intact before: a
    /// damaged row stays damaged (never sealed with its changed bytes), for the next read to find.
    static func resealing(_ db: Database, pilot: String, path: String, _ change: () throws -> Void) throws {
        let intact = try Row.fetchAll(db, sql: "SELECT * FROM input_file WHERE pilot = ? AND path = ?",
                                      arguments: [pilot, path]).filter(isIntact).map { $0["id"] as Int64 }
        try change()
        for id in intact { try seal(db, id: id) }
    }

    /// Byte order of UTF-8 (SQLite's `BINARY` collation), not Swift's `String` order.
    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// A pilot's intact ledger rows and the damaged rows that may be its.
    public struct Read: Sendable {
        public var entries: [LedgerEntry] = []
        public var damaged: [DamagedRow] = []
    }

    /// A ledger row whose checksum does not match: what can still be told of it (its pilot and path as stored, when
    /// they are text; the damage may be in them).
    public struct DamagedRow: Sendable, Equatable, CustomStringConvertible {
        public let id: Int64
        public let pilot: String?
        public let path: String?

        init(row: Row) {
            id = Int64.fromDatabaseValue(row["id"] as DatabaseValue) ?? 0
            pilot = String.fromDatabaseValue(row["pilot"] as DatabaseValue)
            path = String.fromDatabaseValue(row["path"] as DatabaseValue)
        }

        /// `p/a.csv`, or `ledger row 12` when the path is not text.
        public var description: String { path ?? "ledger row \(id)" }

        /// Whether the row is, or may be, `pilot`'s: its pilot column or its path (`<pilot>/…`) says so, or neither
        /// names any of `pilots`.
        func mayBelong(to pilot: String, pilots: Set<String>) -> Bool {
            func names(_ name: String) -> Bool { self.pilot == name || path?.hasPrefix(name + "/") == true }
            return names(pilot) || !pilots.contains(where: names)
        }
    }

    /// Damaged rows where intact ones were expected.
    public struct Damage: Error, CustomStringConvertible {
        public let rows: [DamagedRow]
        public var description: String {
            "damaged ledger rows (checksum mismatch): " + rows.map(\.description).joined(separator: ", ")
        }
    }
}
