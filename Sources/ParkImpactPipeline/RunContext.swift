import Foundation
public import ParkImpactModel
public import ParkImpactDefinition

/// The run-wide values every stage of a run reads and none changes: where it reads and writes, the factor catalogue,
/// how many cores it uses, the ingest settings (settle seconds, now, `report` ingesting nothing) and the output
/// options. Each orchestrator (`PipelineRun`, `StatefulRun`, `Ingest`) takes it whole and hands it on.
///
/// The diagnostics are not part of it: they are the one thing the stages write, collected in a `Diagnostics` passed
/// `inout` beside the context, which decides the exit code once at the end. The progress display (`RunProgress`) and
/// the fault-injection points (`FaultInjection`) are process-wide in Model, not per run.
public struct RunContext: Sendable {
    public var folders: RunFolders
    public var catalogue: FactorCatalogue
    /// Cores to use (`--threads`); nil: all.
    public var threads: Int?
    public var settings: Ingest.Settings
    /// Write `index.html` (all pilots ran).
    public var writeIndex: Bool
    /// Rebuild every pilot's outputs, even when they are up to date (`parkimpact report`).
    public var rebuildAll: Bool
    /// Anything besides the state and the definition that changes the outputs' bytes (output options).
    public var renderKey: String
    /// Also write `<pilot>/daily.csv` (`run --daily-csv`).
    public var dailyCSV: Bool
    /// The portfolio's language when the pilots' languages differ (`--portfolio-language`).
    public var portfolioLanguage: PipelineDefinition.Language
    /// Offer the new files of a read to other workers sharing the state (`ReadClaims`, `SharedReads`): set by a
    /// PostgreSQL worker that is not alone.
    public var shareReads = false

    public init(folders: RunFolders, catalogue: FactorCatalogue = .builtIn, threads: Int? = nil,
                settings: Ingest.Settings = .init(), writeIndex: Bool = true, rebuildAll: Bool = false,
                renderKey: String = "", dailyCSV: Bool = false, portfolioLanguage: PipelineDefinition.Language = .en) {
        self.folders = folders
        self.catalogue = catalogue
        self.threads = threads
        self.settings = settings
        self.writeIndex = writeIndex
        self.rebuildAll = rebuildAll
        self.renderKey = renderKey
        self.dailyCSV = dailyCSV
        self.portfolioLanguage = portfolioLanguage
    }
}
