import Foundation
public import ParkImpactModel
import ParkImpactPostgres

/// The files of one read that other workers may read for the worker holding their pilot: a PostgreSQL state shared
/// by several workers (`PostgresStateStore`). The holder offers the files it is about to read (one row each in
/// `file_claim`); every worker, the holder included, claims a file before reading it (an `UPDATE` of the rows still
/// unclaimed, `FOR UPDATE SKIP LOCKED`, so two workers never take the same row), the holder from the first file on,
/// helpers from the last one back. A helper hands its result over in the row; the holder commits it with its ledger
/// row as if it had read the file itself, so the ledger has one writer per pilot and each file is read once.
///
/// A claim is held while its worker's database session lives and its lease runs (renewed with every result handed
/// over): the holder takes back the claims of a worker that went away (killed: its session ended; a host cut off:
/// its lease ran out) and reads those files itself. A holder that went away leaves its offer behind: helpers claim
/// only the files of a holder whose session lives, and the pilot's next holder replaces the rows.
public protocol ReadClaims: AnyObject, Sendable {
    /// Replaces the offered files of `pilots` with `offers`; returns the new offer's id.
    func offerReads(_ offers: [ReadOffer], pilots: [String]) throws -> Int64
    /// The holder's claim: the files of offer `set` from `seq` on that no worker has claimed, at most `limit` of them,
    /// in order; returns their numbers.
    func claimOwn(set: Int64, from seq: Int, limit: Int) throws -> [Int]
    /// The results handed over for files `seqs` of offer `set`, in order, as many as fit in `bytes` (at least one).
    func handed(set: Int64, seqs: [Int], bytes: Int64) throws -> [HandedRead]
    /// Of files `seqs` of offer `set`, those whose claiming worker went away (its session ended, or its lease ran
    /// out) without handing a result over: claimed by this worker now.
    func takeBack(set: Int64, seqs: [Int]) throws -> [Int]
    /// The offer's results are taken: their bytes are dropped (the rows stay until the pilot's next offer).
    func endOffer(set: Int64) throws
    /// A helper's claim: files offered by a live holder whose `matchKey` is one of `keys`, from the last one back, at
    /// most `limit` files and `bytes` bytes (at least one).
    func claimReads(matching keys: [String], limit: Int, bytes: Int64) throws -> [ClaimedRead]
    /// Hands a result over; false when the claim was taken back meanwhile (the result is not used).
    func handOver(_ read: HandedRead) throws -> Bool
    /// Renews the lease of this worker's claims not handed over yet (while it reads a long file).
    func renewLeases() throws
    /// Gives a claimed file back to the holder without a result (this worker could not open it: the holder may): no
    /// helper claims it again, the holder takes it back at its next look.
    func decline(set: Int64, seq: Int) throws
}

/// A file offered to other workers: where it is, how to read it, what it was when the holder looked at it.
public struct ReadOffer: Sendable {
    public let seq: Int
    public let pilot: String
    /// Relative to the input folder (`demo-park/acme/x.csv`).
    public let path: String
    /// The name to open, as the holder names it (a helper reads it only when it names it the same way).
    public let openPath: String
    public let sourceIndex: Int
    /// Who may read it: `ReadOffer.matchKey` of the pilot, source, reader key and pilot folder.
    public let matchKey: String
    public let size: Int64
    public let modifiedNanoseconds: Int64
    /// The PV sites the file is read with (`PipelineDefinition.pvSitesFromData`).
    public let pvSites: [String]

    public init(seq: Int, pilot: String, path: String, openPath: String, sourceIndex: Int, matchKey: String,
                size: Int64, modifiedNanoseconds: Int64, pvSites: [String]) {
        self.seq = seq
        self.pilot = pilot
        self.path = path
        self.openPath = openPath
        self.sourceIndex = sourceIndex
        self.matchKey = matchKey
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.pvSites = pvSites
    }

    /// SHA-256 of what a worker must share with the holder to read a file for it the same way: the pilot, the source,
    /// the reader key (build, codec, source definition, time zone, sites, reading policy) and the pilot's folder as
    /// both name it (messages name files by that path).
    public static func matchKey(pilot: String, sourceIndex: Int, readerKey: String, pilotFolder: String) -> String {
        FileDigest.sha256(Array([pilot, String(sourceIndex), readerKey, pilotFolder].joined(separator: "\u{1F}").utf8))
    }
}

/// A file a helper claimed.
public struct ClaimedRead: Sendable {
    public let set: Int64
    public let offer: ReadOffer
}

/// A file's result as a helper hands it over.
public struct HandedRead: Sendable {
    public let set: Int64
    public let seq: Int
    public var contribution: ContributionCodec.Contribution
    public var pvSites: Set<String>
    public var gridSitesWithoutReadings: Set<String>
    public var sha256: String?
    public var observed: FileDigest.Stat?
    /// `ReadChange`'s case (`vanished`, `changed`, `refused`) and message, when the file did not stay one unchanged
    /// file for the read.
    public var change: (kind: String, message: String)?

    public init(set: Int64, seq: Int, contribution: ContributionCodec.Contribution, pvSites: Set<String>,
                gridSitesWithoutReadings: Set<String>, sha256: String?, observed: FileDigest.Stat?,
                change: (kind: String, message: String)?) {
        self.set = set
        self.seq = seq
        self.contribution = contribution
        self.pvSites = pvSites
        self.gridSitesWithoutReadings = gridSitesWithoutReadings
        self.sha256 = sha256
        self.observed = observed
        self.change = change
    }
}

extension PostgresStateStore: ReadClaims {
    /// How long a claim holds without a result handed over (`PARKIMPACT_READ_LEASE_SECONDS`, default 120): past it,
    /// the holder takes the file back even when the claiming worker's session still seems alive (a host cut off or
    /// frozen). A helper renews its leases every third of it while it reads, so a long read keeps its claims.
    public static let readLeaseSeconds: Double = {
        if let text = ProcessInfo.processInfo.environment["PARKIMPACT_READ_LEASE_SECONDS"], let value = Double(text),
           value > 0 { return value }
        return 120
    }()

    private static let separator = "\u{1F}"
    private static func list(_ values: some Sequence<String>) -> String { values.sorted().joined(separator: separator) }
    private static func set(_ text: String?) -> Set<String> {
        guard let text, !text.isEmpty else { return [] }
        return Set(text.components(separatedBy: separator))
    }
    private static func array(_ values: [Int]) -> PostgresValue { .text("{" + values.map(String.init).joined(separator: ",") + "}") }


    public func offerReads(_ offers: [ReadOffer], pilots: [String]) throws -> Int64 {
        try withConnection { db in
            try db.transaction {
                for pilot in pilots { try db.execute("DELETE FROM file_claim WHERE pilot = $1", [.text(pilot)]) }
                let row = try db.execute("SELECT nextval('file_claim_set'), pg_backend_pid()").rows.first
                let id = row?.int(0) ?? 0, backend = row?[1] ?? "0"
                _ = try db.copy(into: "file_claim", columns: [
                    "claim_set", "seq", "pilot", "path", "open_path", "source_index", "match_key", "size", "mtime_ns",
                    "pv_sites", "holder", "holder_backend"],
                    rows: offers.map { offer in
                        [String(id), String(offer.seq), offer.pilot, offer.path, offer.openPath,
                         String(offer.sourceIndex), offer.matchKey, String(offer.size), String(offer.modifiedNanoseconds),
                         Self.list(offer.pvSites), Self.worker, backend]
                    })
                return id
            }
        }
    }

    public func claimOwn(set: Int64, from seq: Int, limit: Int) throws -> [Int] {
        try withConnection { db in
            // The rows picked once, in a CTE: as `seq IN (SELECT … LIMIT …)` the planner may run the subquery once
            // per row updated, and claim more than `limit`.
            try db.execute("""
                WITH picked AS (
                  SELECT seq FROM file_claim WHERE claim_set = $1 AND seq >= $2 AND worker IS NULL
                  ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
                UPDATE file_claim c SET worker = $4, backend_pid = pg_backend_pid(),
                  lease_until = now() + make_interval(secs => $5)
                FROM picked WHERE c.claim_set = $1 AND c.seq = picked.seq
                RETURNING c.seq
                """, [.int(set), .int(Int64(seq)), .int(Int64(limit)), .text(Self.worker),
                      .double(Self.readLeaseSeconds)]).rows.compactMap { $0.int(0).map(Int.init) }.sorted()
        }
    }

    public func takeBack(set: Int64, seqs: [Int]) throws -> [Int] {
        try withConnection { db in
            // The sessions alive, listed once (not once per row).
            try db.execute("""
                WITH live AS (SELECT pid FROM pg_stat_activity)
                UPDATE file_claim c SET worker = $3, backend_pid = pg_backend_pid(),
                  lease_until = now() + make_interval(secs => $4)
                WHERE claim_set = $1 AND seq = ANY($2::int[]) AND NOT done
                  AND (worker IS NULL OR (backend_pid <> pg_backend_pid()
                    AND (lease_until < now() OR backend_pid NOT IN (SELECT pid FROM live))))
                RETURNING seq
                """, [.int(set), Self.array(seqs), .text(Self.worker), .double(Self.readLeaseSeconds)])
                .rows.compactMap { $0.int(0).map(Int.init) }
        }
    }

    public func handed(set: Int64, seqs: [Int], bytes: Int64) throws -> [HandedRead] {
        try withConnection { db in
            let rows = try db.execute("""
                SELECT seq, result, sha256, observed_size, observed_mtime_ns, observed_identity, pv_found, grid_without,
                  change_kind, change_text
                FROM (SELECT *, sum(octet_length(result)) OVER (ORDER BY seq) - octet_length(result) AS before
                      FROM file_claim WHERE claim_set = $1 AND seq = ANY($2::int[]) AND done AND result IS NOT NULL) x
                WHERE before < $3 OR before = 0
                ORDER BY seq
                """, [.int(set), Self.array(seqs), .int(bytes)]).rows
            var handed: [HandedRead] = []
            for row in rows {
                guard let seq = row.int("seq"), let bytes = row.bytes("result") else { continue }
                var observed: FileDigest.Stat?
                if let size = row.int("observed_size"), let modified = row.int("observed_mtime_ns") {
                    observed = FileDigest.Stat(size: size, modifiedNanoseconds: modified,
                                               identity: row["observed_identity"] ?? "")
                }
                let change = row["change_kind"].map { ($0, row["change_text"] ?? "") }
                handed.append(HandedRead(
                    set: set, seq: Int(seq), contribution: try ContributionCodec.decode(bytes),
                    pvSites: Self.set(row["pv_found"]), gridSitesWithoutReadings: Self.set(row["grid_without"]),
                    sha256: row["sha256"], observed: observed, change: change))
            }
            return handed
        }
    }

    public func endOffer(set: Int64) throws {
        try withConnection { db in
            try db.execute("UPDATE file_claim SET result = NULL WHERE claim_set = $1 AND result IS NOT NULL", [.int(set)])
        }
    }

    public func claimReads(matching keys: [String], limit: Int, bytes: Int64) throws -> [ClaimedRead] {
        guard !keys.isEmpty else { return [] }
        return try withConnection { db in
            try db.transaction {
                let candidates = try db.execute("""
                    SELECT claim_set, seq, size FROM file_claim c
                    WHERE worker IS NULL AND match_key = ANY($1::text[])
                      AND holder_backend IN (SELECT pid FROM pg_stat_activity)
                    ORDER BY claim_set, seq DESC LIMIT $2 FOR UPDATE OF c SKIP LOCKED
                    """, [.text("{" + keys.joined(separator: ",") + "}"), .int(Int64(limit))]).rows
                guard let first = candidates.first?.int(0) else { return [] }
                var chosen: [Int] = []
                var total: Int64 = 0
                for row in candidates where row.int(0) == first {
                    let size = row.int(2) ?? 0
                    if !chosen.isEmpty, total + size > bytes { break }
                    chosen.append(Int(row.int(1) ?? 0))
                    total += size
                }
                return try db.execute("""
                    UPDATE file_claim SET worker = $3, backend_pid = pg_backend_pid(),
                      lease_until = now() + make_interval(secs => $4)
                    WHERE claim_set = $1 AND seq = ANY($2::int[]) AND worker IS NULL
                    RETURNING seq, pilot, path, open_path, source_index, match_key, size, mtime_ns, pv_sites
                    """, [.int(first), Self.array(chosen), .text(Self.worker), .double(Self.readLeaseSeconds)])
                    .rows.map { row in
                        ClaimedRead(set: first, offer: ReadOffer(
                            seq: Int(row.int("seq") ?? 0), pilot: row["pilot"] ?? "", path: row["path"] ?? "",
                            openPath: row["open_path"] ?? "", sourceIndex: Int(row.int("source_index") ?? 0),
                            matchKey: row["match_key"] ?? "", size: row.int("size") ?? 0,
                            modifiedNanoseconds: row.int("mtime_ns") ?? 0,
                            pvSites: Self.set(row["pv_sites"]).sorted()))
                    }
                    .sorted { $0.offer.seq > $1.offer.seq }
            }
        }
    }

    public func renewLeases() throws {
        try withConnection { db in
            try db.execute("""
                UPDATE file_claim SET lease_until = now() + make_interval(secs => $1)
                WHERE backend_pid = pg_backend_pid() AND NOT done
                """, [.double(Self.readLeaseSeconds)])
        }
    }

    public func decline(set: Int64, seq: Int) throws {
        try withConnection { db in
            try db.execute("""
                UPDATE file_claim SET worker = 'declined by ' || $3, backend_pid = 0
                WHERE claim_set = $1 AND seq = $2 AND backend_pid = pg_backend_pid() AND NOT done
                """, [.int(set), .int(Int64(seq)), .text(Self.worker)])
        }
    }

    public func handOver(_ read: HandedRead) throws -> Bool {
        let bytes = ContributionCodec.encode(read.contribution)
        return try withConnection { db in
            // One statement: the result stored, and the lease of the claims still being read renewed from now.
            try db.execute("""
                WITH stored AS (
                  UPDATE file_claim SET done = true, read_at = now(), result = $4, sha256 = $5, observed_size = $6,
                    observed_mtime_ns = $7, observed_identity = $8, pv_found = $9, grid_without = $10,
                    change_kind = $11, change_text = $12
                  WHERE claim_set = $1 AND seq = $2 AND backend_pid = pg_backend_pid() AND worker = $3 AND NOT done
                  RETURNING seq),
                renewed AS (
                  UPDATE file_claim SET lease_until = now() + make_interval(secs => $13)
                  WHERE claim_set = $1 AND backend_pid = pg_backend_pid() AND NOT done AND seq <> $2)
                SELECT count(*) FROM stored
                """, [.int(read.set), .int(Int64(read.seq)), .text(Self.worker), .bytes(bytes),
                      read.sha256.map { .text($0) } ?? .null, read.observed.map { .int($0.size) } ?? .null,
                      read.observed.map { .int($0.modifiedNanoseconds) } ?? .null,
                      read.observed.map { .text($0.identity) } ?? .null, .text(Self.list(read.pvSites)),
                      .text(Self.list(read.gridSitesWithoutReadings)),
                      read.change.map { .text($0.kind) } ?? .null, read.change.map { .text($0.message) } ?? .null,
                      .double(Self.readLeaseSeconds)]).rows.first?.int(0) == 1
        }
    }
}
