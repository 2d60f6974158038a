/// What a run needs of its state, whichever store holds it: the embedded SQLite file (`StateStore`, the default) or a
/// PostgreSQL database shared by workers on several hosts (`PostgresStateStore`). One set of concepts in both: runs,
/// the ledger of input files, each file's contribution, the history of file events and the outputs recorded.
///
/// Exactly-once holds in both: a file's ledger row, its contribution and its events change in one transaction
/// (`commit`), so after a crash a file is either fully in the state or not at all.
public protocol StateBackend: AnyObject, Sendable {
    /// Where the state is, for messages: a file path, or a PostgreSQL URL without its password.
    var path: String { get }

    func beginRun(startedAt: String) throws -> Int64
    func finishRun(_ id: Int64, finishedAt: String, status: Int32) throws

    /// The pilot's ledger, sorted by path (byte order); a damaged row throws `LedgerSeal.Damage`.
    func ledger(pilot: String) throws -> [LedgerEntry]
    /// Every ledger row, sorted by pilot and path.
    func allEntries() throws -> [LedgerEntry]
    /// The intact rows of `pilot`'s ledger and the damaged rows that are, or may be, its.
    func checkedLedger(pilot: String, pilots: Set<String>) throws -> LedgerSeal.Read
    /// Drops damaged ledger rows and their contributions, recording a `damaged` event per row.
    func dropDamaged(_ rows: [LedgerSeal.DamagedRow], pilot: String, run: Int64) throws

    /// Several files' ledger rows, contributions and events in one transaction: all or none.
    func commit(_ files: [StateStore.FileCommit]) throws
    /// Settles a group of copies in one transaction (`StateStore.settle`).
    func settle(pilot: String, run: Int64, demote: [LedgerEntry],
                update: [(path: String, duplicateOf: String?, conflict: String?)],
                events: [(path: String, event: String, detail: String)]) throws
    /// The same content seen again with a new modification time: only the time changes.
    func touch(pilot: String, path: String, modifiedNanoseconds: Int64, identity: String) throws
    /// Forgets which build read a file: the next run reads it again.
    func forgetReader(pilot: String, path: String, run: Int64, detail: String) throws
    /// Marks a file gone from the input folder (its contribution stays), or back (`run` nil).
    func setMissing(pilot: String, path: String, run: Int64?, event: (run: Int64, detail: String)?) throws
    /// Drops a file's ledger row and contribution.
    func remove(pilot: String, path: String, run: Int64, event: String, detail: String) throws
    /// The stored contribution of a ledger row, its checksum checked before it is decoded.
    func contribution(fileID: Int64) throws -> ContributionCodec.Contribution

    /// The generation and SHA-256 recorded for each output written, by path relative to the output folder.
    func outputs() throws -> [String: (sha256: String, generation: String)]
    func recordOutputs(_ records: [(path: String, sha256: String, generation: String)]) throws
    /// Events of a run, for messages and tests.
    func events(run: Int64) throws -> [(pilot: String, path: String, event: String, detail: String)]

    /// Throws when this process may no longer write outputs: called before a pilot's outputs or the portfolio are
    /// renamed into place. A shared state whose connection was lost throws (another worker may hold the pilot now).
    func confirmWriter() throws

    /// Whether the store keeps each generation's results for BI tools (then the run hands them to `publish`).
    var keepsResults: Bool { get }
    /// Keeps a generation of a pilot's results (a generation already kept is only marked the latest again).
    func publish(_ results: PublishedResults) throws
}

extension StateBackend {
    public func confirmWriter() throws {}
    public var keepsResults: Bool { false }
    public func publish(_ results: PublishedResults) throws {}

    /// `commit` of one file.
    public func commit(_ entry: LedgerEntry, contribution: ContributionCodec.Contribution?, alsoRemoving: String? = nil,
                       events: [(event: String, detail: String)]) throws {
        try commit([StateStore.FileCommit(entry, contribution: contribution, alsoRemoving: alsoRemoving,
                                          events: events)])
    }
}

extension StateStore: StateBackend {}

/// One generation of a pilot's results, as a store that keeps them for BI tools publishes them (`StateBackend.publish`):
/// every KPI as in the pilot's kpis.json, every series-day as in daily.csv.
public struct PublishedResults: Sendable {
    /// One KPI. Numbers are kept as the text kpis.json writes (the same rounding), so a query returns kpis.json's values.
    public struct KPIRow: Sendable {
        public var key, period, unit: String
        /// nil for the whole pilot, as in kpis.json.
        public var site: String?
        public var value, coverage, estimatedShare: String?
        /// The flags, comma-separated.
        public var flags: String
        public var reason, reasonCode: String?
        /// Per cited factor, space-separated, as kpis.csv's `factor_status`; nil when no factor is cited.
        public var factorStatus: String?
        /// The KPI's `provenance` object of kpis.json (JSON text).
        public var provenance: String

        public init(key: String, period: String, site: String?, unit: String, value: String?, coverage: String?,
                    estimatedShare: String?, flags: String, reason: String?, reasonCode: String?,
                    factorStatus: String?, provenance: String) {
            (self.key, self.period, self.site, self.unit) = (key, period, site, unit)
            (self.value, self.coverage, self.estimatedShare, self.flags) = (value, coverage, estimatedShare, flags)
            (self.reason, self.reasonCode, self.factorStatus, self.provenance) = (reason, reasonCode, factorStatus,
                                                                                  provenance)
        }
    }

    /// One local day of one series: daily.csv's row (`sum` as daily.csv writes it) with the series key's parts.
    public struct DayRow: Sendable {
        public var series, site, quantity, meter, day, sum, unit: String
        public var intervals, missing: Int

        public init(series: String, site: String, quantity: String, meter: String, day: String, sum: String,
                    unit: String, intervals: Int, missing: Int) {
            (self.series, self.site, self.quantity, self.meter, self.day) = (series, site, quantity, meter, day)
            (self.sum, self.unit, self.intervals, self.missing) = (sum, unit, intervals, missing)
        }
    }

    public var pilot: String
    /// The fingerprint recorded for the pilot's outputs (`output_file.generation`).
    public var generation: String
    public var runID: Int64
    public var kpis: [KPIRow]
    public var days: [DayRow]

    public init(pilot: String, generation: String, runID: Int64, kpis: [KPIRow], days: [DayRow]) {
        (self.pilot, self.generation, self.runID, self.kpis, self.days) = (pilot, generation, runID, kpis, days)
    }
}
