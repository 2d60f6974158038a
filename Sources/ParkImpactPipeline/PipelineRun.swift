import Foundation
public import ParkImpactModel
public import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
public import ParkImpactKPIs
public import ParkImpactReports

/// Where a run reads and writes.
public struct RunFolders: Sendable {
    public var pipelines: String
    public var input: String
    public var output: String
    /// Separator and decimal mark of kpis.csv and rejects.csv for every pilot (`--csv-locale`); nil (the default):
    /// each pilot's own, from its `language:` (`csvLocale(for:)`).
    public var csvLocale: CSVLocale?

    public init(pipelines: String = "pipelines", input: String = "input", output: String = "output",
                csvLocale: CSVLocale? = nil) {
        self.pipelines = pipelines
        self.input = input
        self.output = output
        self.csvLocale = csvLocale
    }

    /// The locale of a pilot's kpis.csv and rejects.csv: `--csv-locale` when given, else the pilot's language
    /// (`nl`: `;` and a decimal comma, as Excel with Dutch or Belgian settings opens in columns; `en`: `,` and `.`).
    public func csvLocale(for definition: PipelineDefinition) -> CSVLocale {
        csvLocale ?? (definition.language == .nl ? .nl : .en)
    }
}

/// sysexits codes, per the contract: each means one thing, so cron and systemd can tell "try again later" (75, and
/// only that) from a fault someone must fix.
public enum ExitStatus: Int32, Sendable, Comparable {
    case success = 0
    /// A usage error, or `report` with nothing to report yet.
    case usage = 64
    /// A data file could not be read at all, a copy taken by two sources, a missing input folder.
    case dataError = 65
    /// EX_CANTCREAT: an output (report, `last-run.json`, the lock file) cannot be created or written.
    case cannotCreate = 73
    /// EX_IOERR: the state database cannot be opened, read or written (permissions, full disk, I/O error).
    case ioError = 74
    /// EX_TEMPFAIL: another run holds the lock; this one changed nothing. The only "try again later".
    case temporaryFailure = 75
    /// EX_CONFIG: a pipeline definition is invalid, or the state was written by a newer ParkImpact.
    case configuration = 78

    /// Which of two statuses a run reports: configuration beats I/O faults beats data beats success.
    var severity: Int {
        switch self {
        case .success: return 0
        case .dataError: return 1
        case .usage: return 2
        case .temporaryFailure: return 3
        case .cannotCreate: return 4
        case .ioError: return 5
        case .configuration: return 6
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
        /// Stable snake_case code of the kind of diagnostic (`all_rows_rejected`, `copy_across_sites`, …), carried by
        /// JSON log lines and `last-run.json`.
        public let code: DiagnosticCode
    }

    public private(set) var entries: [Entry] = []
    public private(set) var status: ExitStatus = .success

    public init() {}

    public mutating func add(_ level: Level, _ message: String, pilot: String? = nil, status: ExitStatus? = nil,
                             code: DiagnosticCode) {
        entries.append(Entry(level: level, pilot: pilot, message: message, code: code))
        if let status, status > self.status { self.status = status }
    }

    /// Adds `other`'s entries, leaving out those already here (the same level, pilot, message and code), and takes
    /// the higher status.
    public mutating func merge(_ other: Diagnostics) {
        for entry in other.entries where !entries.contains(where: {
            $0.level == entry.level && $0.pilot == entry.pilot && $0.message == entry.message && $0.code == entry.code
        }) {
            entries.append(entry)
        }
        if other.status > status { status = other.status }
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
            loaded.diagnostics.add(.error, error.description, status: .configuration, code: .pipelinesUnreadable)
            return loaded
        }
        for file in files {
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            if !pilots.isEmpty, !pilots.contains(stem) { continue }
            do {
                loaded.definitions.append(try DefinitionLoader.load(file: file, catalogue: catalogue))
            } catch {
                for problem in error.errors {
                    loaded.diagnostics.add(.error, problem.description, pilot: stem, status: .configuration,
                                           code: .definitionInvalid)
                }
            }
        }
        let found = Set(files.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        for pilot in pilots where !found.contains(pilot) {
            loaded.diagnostics.add(.error, "\(folders.pipelines)/\(pilot).yaml: no such pipeline; known: "
                + found.sorted().joined(separator: ", "), pilot: pilot, status: .usage, code: .noSuchPipeline)
        }
        if files.isEmpty {
            loaded.diagnostics.add(.warning, "\(folders.pipelines): no *.yaml pipeline definitions",
                                   code: .noDefinitions)
        }
        return loaded
    }
}

/// One pilot's outcome.
public struct PilotOutcome: Sendable {
    public let pilot: String
    /// Nil when the pilot's outputs were already up to date and were not rebuilt.
    public let report: PilotReport?
    /// Files read in this run (successfully / not at all).
    public let filesRead: Int
    public let filesFailed: Int
    /// Files seen before and unchanged, skipped as possibly still being written, or the same content as another.
    public var filesUnchanged = 0
    public var filesSkipped = 0
    public var filesDuplicate = 0
    /// Inputs deleted from the folder whose contribution the state keeps.
    public var filesDeletedKept = 0
    /// Files modified less than `--settle-seconds` ago, not read yet, and the seconds until the last settles.
    public var filesSettling = 0
    public var settleWaitSeconds = 0
    /// `input/<pilot>/` does not exist: nothing read, no output written.
    public var inputMissing = false
    /// `report` for a pilot no run has ingested anything of.
    public var nothingToReport = false
    public let rowsAccepted: Int
    public let rowsRejected: Int
    /// Outputs rebuilt in this run that could not be written (paths relative to the output folder): none of them
    /// was replaced, the previous versions stay in place (`StatefulRun.OutputsNotWritten`).
    public var outputsNotWritten: [String] = []
}

extension PilotOutcome {
    /// A pilot's outcome from what its ingestion did (`Ingest.PilotIngest`; for `check`, the files it read) and the
    /// report built, if any: the one place both runs assemble it.
    init(_ pilot: Ingest.PilotIngest, report: PilotReport?, outputsNotWritten: [String] = []) {
        self.init(pilot: pilot.definition.pilot, report: report, filesRead: pilot.ingested,
                  filesFailed: pilot.unreadable, rowsAccepted: pilot.rowsAccepted, rowsRejected: pilot.rowsRejected)
        filesUnchanged = pilot.unchanged
        filesSkipped = pilot.skipped
        filesDuplicate = pilot.duplicates
        filesDeletedKept = pilot.deletedKept
        filesSettling = pilot.settling
        settleWaitSeconds = pilot.settleWaitSeconds
        inputMissing = pilot.inputMissing
        nothingToReport = pilot.nothingToReport
        self.outputsNotWritten = outputsNotWritten
    }
}

/// A whole run: discover → read (concurrently) → merge → PV matching → KPIs → reports.
public enum PipelineRun {
    /// Reads every input (no state): what `check` and the tests use.
    public static func execute(
        definitions: [PipelineDefinition], context: RunContext, diagnostics: inout Diagnostics
    ) -> [PilotOutcome] {
        let folders = context.folders
        var files: [InputFile] = []
        var byPilot: [String: PipelineDefinition] = [:]
        for definition in definitions {
            byPilot[definition.pilot] = definition
            let found = Discover.files(for: definition, inputRoot: folders.input)
            Discover.report(found, of: definition, inputRoot: folders.input, into: &diagnostics)
            for copies in copiesAcrossSources(found.files, definition: definition) {
                diagnostics.add(.error, copies, pilot: definition.pilot, status: .dataError, code: .copyAcrossSites)
            }
            files.append(contentsOf: found.files)
        }
        let sizes = files.map { FileDigest.stat($0.path).map { Int($0.size) } ?? 0 }
        RunProgress.shared.begin(.reading, totalBytes: sizes.reduce(0, +), totalFiles: files.count)
        let results = PVDiscovery.readAll(files, definitions: byPilot, threads: context.threads,
                                          chunking: .plan(zip(files, sizes).map { ($0.path, $1) },
                                                          threads: context.threads)).results
        RunProgress.shared.end()

        var outcomes: [PilotOutcome] = []
        for definition in definitions {
            let mine = results.filter { $0.file.pilot == definition.pilot }
            for result in mine {
                if let problem = result.summary.problem {
                    diagnostics.add(.error, problem, pilot: definition.pilot, status: .dataError,
                                    code: DiagnosticCode(problemCode: result.summary.problemCode))
                }
                for warning in FileVerdict.warnings(result.summary, path: result.file.path, rejects: result.rejects) {
                    diagnostics.add(.warning, warning.message, pilot: definition.pilot, code: warning.code)
                }
            }
            let inputs = mine.filter { $0.summary.problem == nil }.map {
                Aggregate.MergeInput(file: $0.file.relativePath,
                                     modified: FileDigest.stat($0.file.path)?.modifiedNanoseconds ?? 0,
                                     series: $0.series)
            }
            let rejects = mine.flatMap(\.rejects)
            let report = mergeAndBuild(definition: definition, inputs: inputs, rejects: rejects,
                                       files: mine.map(\.summary), context: context,
                                       diagnostics: &diagnostics).report
            // Every file is read: those that could be are "ingested", the others "unreadable".
            var pilot = Ingest.PilotIngest(definition: definition)
            pilot.ingested = mine.filter { $0.summary.problem == nil }.count
            pilot.unreadable = mine.filter { $0.summary.problem != nil }.count
            pilot.rowsAccepted = mine.reduce(0) { $0 + $1.summary.acceptedRows }
            pilot.rowsRejected = rejects.rowCount
            outcomes.append(PilotOutcome(pilot, report: report))
        }
        return outcomes
    }

    /// For `check`: files with the same bytes (SHA-256) that different sources take, which a run never counts for
    /// both (`Ingest.settle`). Only files of a size that files of another source have are hashed.
    static func copiesAcrossSources(_ files: [InputFile], definition: PipelineDefinition) -> [String] {
        var bySize: [Int64: [InputFile]] = [:]
        for file in files {
            if let size = FileDigest.stat(file.path)?.size { bySize[size, default: []].append(file) }
        }
        var messages: [String] = []
        for size in bySize.keys.sorted() {
            let group = bySize[size]!
            guard Set(group.map(\.source.index)).count > 1 else { continue }
            var bySHA: [String: [InputFile]] = [:]
            for file in group {
                if let sha = try? FileDigest.sha256(path: file.path, countingProgress: false) {
                    bySHA[sha, default: []].append(file)
                }
            }
            for sha in bySHA.keys.sorted() {
                let copies = bySHA[sha]!
                guard Set(copies.map(\.source.index)).count > 1 else { continue }
                var sources: [String] = []
                for copy in copies where !sources.contains(Ingest.describe(copy.source, of: definition)) {
                    sources.append(Ingest.describe(copy.source, of: definition))
                }
                messages.append(copies.map(\.path).joined(separator: " and ") + " are copies of each other (same "
                    + "bytes, SHA-256), taken by " + sources.joined(separator: " and ") + ": a run counts at most one "
                    + "of them; delete the stray copy, or fix the sources' globs in \(definition.file) so that only "
                    + "the right source takes it")
            }
        }
        return messages.sorted()
    }

    /// Merges the contributions (reporting overlaps) and builds the pilot's report; `series` are the merged measured
    /// series in key order (for `daily.csv`).
    static func mergeAndBuild(
        definition: PipelineDefinition, inputs: consuming [Aggregate.MergeInput], rejects: [Reject],
        files: [FileSummary], context: RunContext, diagnostics: inout Diagnostics
    ) -> (report: PilotReport, series: [IndexedSeries]) {
        let (measured, derived) = merge(definition: definition, inputs: consume inputs, diagnostics: &diagnostics)
        return (buildReport(definition: definition, measured: measured, derived: derived, rejects: rejects,
                            files: files, context: context),
                measured)
    }

    /// Merges the contributions, reporting overlaps: the merged measured series in key order and the series PV
    /// matching derives from them.
    ///
    /// `inputs` are consumed: after PV matching (the only stage that needs the interval readings), each merged series
    /// is put in day order (`IndexedSeries`, what everything after the merge reads) and its dictionary and readings
    /// freed, so the cells are not held twice when the caller keeps no other reference to the inputs.
    static func merge(
        definition: PipelineDefinition, inputs: consuming [Aggregate.MergeInput], diagnostics: inout Diagnostics
    ) -> (measured: [IndexedSeries], derived: [IndexedSeries]) {
        let table = LocalTimeTable.cached(definition.timezone)!
        var series: [SeriesData]
        let overlaps: [Aggregate.Overlap]
        (series, overlaps) = Aggregate.merge(consume inputs, table: table)
        for overlap in overlaps {
            let identical = overlap.kind == .identical
            diagnostics.add(identical ? .info : .warning, overlap.description, pilot: definition.pilot,
                            code: identical ? .overlapIdentical : .overlapConflict)
        }
        let derived = PVMatching.derive(series, table: table).map(IndexedSeries.init)
        var measured: [IndexedSeries] = []
        measured.reserveCapacity(series.count)
        for index in series.indices {
            measured.append(IndexedSeries(series[index]))
            series[index].days = [:]
            series[index].readings = []
        }
        return (measured, derived)
    }

    /// The pilot's report from its merged measured series (in key order) and the series PV matching derived from
    /// them.
    static func buildReport(
        definition: PipelineDefinition, measured: [IndexedSeries], derived: [IndexedSeries], rejects: [Reject],
        files: [FileSummary], context: RunContext
    ) -> PilotReport {
        let table = LocalTimeTable.cached(definition.timezone)!
        let engine = KPIEngine(definition: definition, indexed: measured + derived, rejects: rejects,
                               catalogue: context.catalogue)
        let kpis = engine.compute(threads: context.threads)
        var factors: [FactorReference] = []
        for kpi in kpis {
            for factor in kpi.provenance.factors where !factors.contains(factor) { factors.append(factor) }
        }
        factors.sort { ($0.id, $0.year) < ($1.id, $1.year) }
        return PilotReport(definition: definition, periods: engine.periods, kpis: kpis, files: files, rejects: rejects,
                           factorsUsed: factors, lastDataDate: engine.lastDataDate, seriesCount: measured.count,
                           daily: DailyTotals.compute(measured, periods: engine.periods, table: table))
    }

    /// The files of one pilot's outputs, relative to the output folder, with their content; with `daily` (the
    /// merged measured series), `daily.csv` too. The CSVs in `csvLocale`, by default the pilot's language's.
    ///
    /// The documents are rendered concurrently (`ConcurrentMap`), kpis.json, kpis.csv and daily.csv in slices of
    /// KPIs or series whose bytes are written one after the other: the same bytes for any number of threads.
    static func render(_ report: PilotReport, csvLocale: CSVLocale? = nil, daily: [IndexedSeries]? = nil,
                       threads: Int? = nil) -> [RenderedFile] {
        let locale = csvLocale ?? RunFolders().csvLocale(for: report.definition)
        let (names, jobs) = renderJobs(report, csvLocale: locale, daily: daily)
        let parts = ConcurrentMap.map(jobs.count, threads: threads) { jobs[$0].render() }
        return names.indices.map { file in
            RenderedFile(path: "\(report.definition.pilot)/\(names[file])",
                         parts: jobs.indices.filter { jobs[$0].file == file }.map { parts[$0] })
        }
    }

    /// Renders the pilot's outputs like `render` (daily.csv apart: `writeDailyCSV`) and writes them under the output
    /// folder as the parts come in: each part is written once the parts before it in its file are, then freed
    /// (`OutputFiles.Sink`), so memory holds a few parts rather than whole documents (kpis.json alone is tens of MB
    /// for a park). The files are left at their temporary names (`OutputFiles.commit` renames them into place, with
    /// the pilot's other outputs); when one cannot be written, none is kept. Returns each file's path (relative to
    /// the output folder) and its staged file.
    static func renderAndWrite(_ report: PilotReport,
                               context: RunContext) throws(OutputFailure) -> [(path: String, staged: StagedOutput)] {
        let (names, jobs) = renderJobs(report, csvLocale: context.folders.csvLocale(for: report.definition),
                                       daily: nil)
        return try write(names.map { "\(report.definition.pilot)/\($0)" }, jobs: jobs, threads: context.threads,
                         output: context.folders.output)
    }

    /// Writes `<pilot>/daily.csv` from the merged measured series as `renderAndWrite` writes the other outputs (to
    /// its temporary name): the stateful run writes it before the KPIs are computed, so that the series can be freed
    /// before the other outputs are rendered (then the run never holds the series-days, the KPIs and the rendered
    /// parts at once).
    static func writeDailyCSV(pilot: String, series: [IndexedSeries],
                              context: RunContext) throws(OutputFailure) -> (path: String, staged: StagedOutput) {
        try write(["\(pilot)/daily.csv"], jobs: dailyJobs(series, file: 0), threads: context.threads,
                  output: context.folders.output)[0]
    }

    /// Renders `jobs` on up to `threads` cores and writes their parts to the temporary files of `paths` (relative to
    /// `output`) in order. Once a write fails the remaining parts are not rendered; then every temporary file is
    /// removed and the first failure thrown.
    private static func write(_ paths: [String], jobs: [(file: Int, render: @Sendable () -> [UInt8])], threads: Int?,
                              output: String) throws(OutputFailure) -> [(path: String, staged: StagedOutput)] {
        var opened: [OutputFiles.Sink] = []
        do {
            for path in paths { opened.append(try OutputFiles.Sink(path: (output as NSString).appendingPathComponent(path))) }
        } catch {
            for sink in opened { sink.discard() }
            throw error
        }
        let sinks = opened
        var partIndex: [Int] = []
        var perFile = [Int](repeating: 0, count: paths.count)
        for job in jobs {
            partIndex.append(perFile[job.file])
            perFile[job.file] += 1
        }
        let order = partIndex
        ConcurrentMap.forEach(jobs.count, threads: threads) { index in
            let job = jobs[index]
            // Nothing of a generation with a failed file is kept: its remaining parts are not rendered.
            sinks[job.file].deliver(sinks.contains { $0.failed } ? [] : job.render(), part: order[index])
        }
        var staged: [(path: String, staged: StagedOutput)] = []
        var failure: OutputFailure?
        for (path, sink) in zip(paths, sinks) {
            do {
                staged.append((path, try sink.stage()))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure {
            OutputFiles.discard(staged.map(\.staged))
            throw failure
        }
        return staged
    }

    /// The output file names of a pilot and the jobs rendering their parts, in file order (within a file, in part
    /// order).
    static func renderJobs(_ report: PilotReport, csvLocale: CSVLocale, daily: [IndexedSeries]?)
        -> (names: [String], jobs: [(file: Int, render: @Sendable () -> [UInt8])]) {
        let kpiSlices = slices(report.kpis.count, size: 512)
        // (file, part) in file order; the report page first, as the longest part that cannot be split.
        var jobs: [(file: Int, render: @Sendable () -> [UInt8])] = [
            (3, { Array(HTMLReport.render(report).utf8) }),
            (2, { CSVOutput.rejectsBytes(report.rejects, locale: csvLocale) }),
        ]
        for range in kpiSlices { jobs.append((0, { KPIJSONWriter.part(report, range) })) }
        for range in kpiSlices { jobs.append((1, { CSVOutput.kpisPart(report, locale: csvLocale, range) })) }
        if let daily { jobs += dailyJobs(daily, file: 4) }
        return (["kpis.json", "kpis.csv", "rejects.csv", "report.html"] + (daily == nil ? [] : ["daily.csv"]), jobs)
    }

    /// The jobs rendering `daily.csv` (as file `file`) from the merged measured series: parts of about 8,192
    /// series-days (some 500 KB of text), however many days each series has.
    static func dailyJobs(_ series: [IndexedSeries], file: Int) -> [(file: Int, render: @Sendable () -> [UInt8])] {
        let sorted = series.sorted { $0.key < $1.key }
        return slices(sorted.map(\.days.count), weight: 8_192).map { range in (file, { DailyCSV.part(sorted, range) }) }
    }

    /// Consecutive ranges of `weights`' indices, each closed once its weights add up to `weight` or more (one empty
    /// range when there are none).
    static func slices(_ weights: [Int], weight: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0, total = 0
        for (index, item) in weights.enumerated() {
            total += item
            if total >= weight {
                result.append(start..<index + 1)
                start = index + 1
                total = 0
            }
        }
        if start < weights.count || result.isEmpty { result.append(start..<weights.count) }
        return result
    }

    /// `0..<count` cut into consecutive ranges of at most `size` (one empty range when `count` is 0).
    static func slices(_ count: Int, size: Int) -> [Range<Int>] {
        guard count > 0 else { return [0..<0] }
        return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
    }

    public static func renderIndex(_ reports: [PilotReport], mixedLanguage: PipelineDefinition.Language = .en)
        -> RenderedFile {
        RenderedFile(path: "index.html",
                     text: PortfolioIndex.render(reports.sorted { $0.definition.pilot < $1.definition.pilot },
                                                 mixedLanguage: mixedLanguage))
    }

    /// Writes `output/<pilot>/{kpis.json,kpis.csv,rejects.csv,report.html}` and `output/index.html`, each to its
    /// temporary name first; all are renamed into place once every one is written, none when one cannot be.
    /// `context.writeIndex` is false when only some pilots ran (the portfolio would lose the others).
    public static func writeOutputs(_ reports: [PilotReport], context: RunContext) throws(OutputFailure) {
        let folders = context.folders
        var files = reports.flatMap { render($0, csvLocale: folders.csvLocale(for: $0.definition), threads: context.threads) }
        if context.writeIndex { files.append(renderIndex(reports, mixedLanguage: context.portfolioLanguage)) }
        var staged: [StagedOutput] = []
        for file in files {
            do {
                staged.append(try OutputFiles.stage(file, to: (folders.output as NSString).appendingPathComponent(file.path)))
            } catch {
                OutputFiles.discard(staged)
                throw error
            }
        }
        if let failure = OutputFiles.commit(staged).failure { throw failure }
    }
}
