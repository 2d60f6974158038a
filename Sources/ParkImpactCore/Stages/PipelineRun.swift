import Foundation

/// Where a run reads and writes.
public struct RunFolders: Sendable {
    public var pipelines: String
    public var input: String
    public var output: String

    public init(pipelines: String = "pipelines", input: String = "input", output: String = "output") {
        self.pipelines = pipelines
        self.input = input
        self.output = output
    }
}

/// sysexits codes, per the contract.
public enum ExitStatus: Int32, Sendable, Comparable {
    case success = 0
    case usage = 64
    case dataError = 65
    case temporaryFailure = 75
    case configuration = 78

    /// Which of two statuses a run reports: configuration beats data beats success.
    var severity: Int {
        switch self {
        case .success: return 0
        case .dataError: return 1
        case .usage: return 2
        case .temporaryFailure: return 3
        case .configuration: return 4
        }
    }

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.severity < rhs.severity }
}

/// Collects what the run has to say, and decides the exit code once at the end.
public struct Diagnostics: Sendable {
    public enum Level: String, Sendable { case info, warning, error }
    public struct Entry: Sendable {
        public let level: Level
        public let pilot: String?
        public let message: String
    }

    public private(set) var entries: [Entry] = []
    public private(set) var status: ExitStatus = .success

    public init() {}

    public mutating func add(_ level: Level, _ message: String, pilot: String? = nil, status: ExitStatus? = nil) {
        entries.append(Entry(level: level, pilot: pilot, message: message))
        if let status, status > self.status { self.status = status }
    }
}

/// Loads and validates the definitions in the pipelines folder.
public struct LoadedDefinitions: Sendable {
    public var definitions: [PipelineDefinition] = []
    public var diagnostics = Diagnostics()

    public static func load(folders: RunFolders, pilots: [String], catalogue: FactorCatalogue) -> LoadedDefinitions {
        var loaded = LoadedDefinitions()
        let files: [String]
        do {
            files = try DefinitionLoader.pipelineFiles(in: folders.pipelines)
        } catch {
            loaded.diagnostics.add(.error, error.description, status: .configuration)
            return loaded
        }
        for file in files {
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            if !pilots.isEmpty, !pilots.contains(stem) { continue }
            do {
                loaded.definitions.append(try DefinitionLoader.load(file: file, catalogue: catalogue))
            } catch {
                for problem in error.errors {
                    loaded.diagnostics.add(.error, problem.description, pilot: stem, status: .configuration)
                }
            }
        }
        let found = Set(files.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        for pilot in pilots where !found.contains(pilot) {
            loaded.diagnostics.add(.error, "\(folders.pipelines)/\(pilot).yaml: no such pipeline; known: "
                + found.sorted().joined(separator: ", "), pilot: pilot, status: .usage)
        }
        if files.isEmpty {
            loaded.diagnostics.add(.warning, "\(folders.pipelines): no *.yaml pipeline definitions")
        }
        return loaded
    }
}

/// One pilot's outcome.
public struct PilotOutcome: Sendable {
    public let report: PilotReport
    public let filesRead: Int
    public let filesFailed: Int
    public let rowsAccepted: Int
    public let rowsRejected: Int
    /// The merged measured series (day cells), for `daily.csv`.
    public let series: [SeriesData]
}

/// A whole run: discover → read (concurrently) → merge → PV matching → KPIs → reports.
public enum PipelineRun {
    public static func execute(
        definitions: [PipelineDefinition], folders: RunFolders, catalogue: FactorCatalogue, threads: Int?,
        diagnostics: inout Diagnostics
    ) -> [PilotOutcome] {
        var files: [InputFile] = []
        var byPilot: [String: PipelineDefinition] = [:]
        for definition in definitions {
            byPilot[definition.pilot] = definition
            let found = Discover.files(for: definition, inputRoot: folders.input)
            for warning in found.warnings { diagnostics.add(.warning, warning, pilot: definition.pilot) }
            files.append(contentsOf: found.files)
        }
        let results = Aggregate.readAll(files, definitions: byPilot, threads: threads)

        var outcomes: [PilotOutcome] = []
        for definition in definitions {
            let mine = results.filter { $0.file.pilot == definition.pilot }
            for result in mine {
                if let problem = result.summary.problem {
                    diagnostics.add(.error, problem, pilot: definition.pilot, status: .dataError)
                }
            }
            let (series, overlaps) = Aggregate.merge(mine)
            for overlap in overlaps { diagnostics.add(.warning, overlap, pilot: definition.pilot) }
            let rejects = mine.flatMap(\.rejects)
            let report = buildReport(definition: definition, series: series, rejects: rejects,
                                     files: mine.map(\.summary), catalogue: catalogue)
            outcomes.append(PilotOutcome(
                report: report, filesRead: mine.filter { $0.summary.problem == nil }.count,
                filesFailed: mine.filter { $0.summary.problem != nil }.count,
                rowsAccepted: mine.reduce(0) { $0 + $1.summary.acceptedRows }, rowsRejected: rejects.count,
                series: series))
        }
        return outcomes
    }

    public static func buildReport(
        definition: PipelineDefinition, series: [SeriesData], rejects: [Reject], files: [FileSummary],
        catalogue: FactorCatalogue
    ) -> PilotReport {
        // PV matching needs the interval readings; nothing after it does, so they are dropped here.
        let table = LocalTimeTable.cached(definition.timezone)!
        let derived = PVMatching.derive(series, table: table)
        var measured = series
        for index in measured.indices where !measured[index].readings.isEmpty { measured[index].readings = [] }
        let engine = KPIEngine(definition: definition, series: measured + derived, rejects: rejects,
                               catalogue: catalogue)
        let kpis = engine.compute()
        var factors: [FactorReference] = []
        for kpi in kpis {
            for factor in kpi.provenance.factors where !factors.contains(factor) { factors.append(factor) }
        }
        factors.sort { ($0.id, $0.year) < ($1.id, $1.year) }
        return PilotReport(definition: definition, periods: engine.periods, kpis: kpis, files: files, rejects: rejects,
                           factorsUsed: factors, lastDataDate: engine.lastDataDate, seriesCount: series.count)  // measured only
    }

    /// Writes `output/<pilot>/{kpis.json,kpis.csv,rejects.csv,report.html}` and `output/index.html`.
    /// `writeIndex` is false when only some pilots ran (the portfolio would lose the others).
    public static func writeOutputs(_ reports: [PilotReport], folders: RunFolders, writeIndex: Bool = true) throws {
        for report in reports {
            let directory = (folders.output as NSString).appendingPathComponent(report.definition.pilot)
            func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
            try OutputFiles.write(KPIJSONWriter.render(report), to: path("kpis.json"))
            try OutputFiles.write(CSVOutput.kpis(report), to: path("kpis.csv"))
            try OutputFiles.write(CSVOutput.rejects(report.rejects), to: path("rejects.csv"))
            try OutputFiles.write(HTMLReport.render(report), to: path("report.html"))
        }
        guard writeIndex else { return }
        try OutputFiles.write(PortfolioIndex.render(reports.sorted { $0.definition.pilot < $1.definition.pilot }),
                              to: (folders.output as NSString).appendingPathComponent("index.html"))
    }
}
