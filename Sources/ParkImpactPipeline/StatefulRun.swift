import Foundation
public import ParkImpactModel
public import ParkImpactDefinition
import ParkImpactReading
public import ParkImpactState
public import ParkImpactKPIs
public import ParkImpactReports

/// A run against the state store: ingest what is new (`Ingest`), then rebuild the outputs of every pilot whose
/// generation changed or whose outputs are missing or altered; a pilot with nothing new keeps its outputs untouched.
public enum StatefulRun {
    /// Outputs of this run that could not be written, and why: paths relative to the output folder (a pilot's
    /// outputs, `index.html`, `.parkimpact/last-run.json`). None of them was replaced: the previous versions stay
    /// in place, no temporary file is left, and the state does not record them, so the next run writes them.
    public struct OutputsNotWritten: Sendable, Equatable {
        /// The pilot whose outputs these are; nil for `index.html` and `last-run.json`.
        public var pilot: String?
        public var paths: [String]
        /// Every output of the pilot (none was renamed), not only some.
        public var all: Bool
        public var failure: OutputFailure

        public init(pilot: String?, paths: [String], all: Bool = false, failure: OutputFailure) {
            self.pilot = pilot
            self.paths = paths
            self.all = all
            self.failure = failure
        }
    }

    public struct Result: Sendable {
        public var outcomes: [PilotOutcome] = []
        /// No file was read, replaced, removed or marked, and no output had to be rebuilt.
        public var nothingNew = false
        public var filesUnchanged = 0
        /// Wall time per stage: scan, read, merge (merge, PV matching, KPIs), render, write.
        public var phases = Phases()
        /// Outputs that could not be written (`report(_:output:into:)` turns them into diagnostics).
        public var notWritten: [OutputsNotWritten] = []
        /// The generation of each pilot's outputs (`output_file.generation`), and the reports built in this run.
        public var generations: [String: String] = [:]
        public var reports: [String: PilotReport] = [:]

        public init() {}
    }

    /// The default state file: `<output>/.parkimpact/state.sqlite`.
    public static func defaultStatePath(output: String) -> String {
        ((output as NSString).appendingPathComponent(".parkimpact") as NSString).appendingPathComponent("state.sqlite")
    }

    /// `prebuilt`: reports this process built earlier for some pilots, by pilot, with their generation; one whose
    /// generation is still the pilot's and whose outputs are in place is taken for the portfolio instead of being built
    /// again (a worker on a shared state that processed pilots one by one, then writes the portfolio).
    public static func execute(
        definitions: [PipelineDefinition], context: RunContext, store: any StateBackend, runID: Int64,
        prebuilt: [String: (generation: String, report: PilotReport)] = [:], diagnostics: inout Diagnostics
    ) -> Result {
        let folders = context.folders
        var ingest = Ingest.run(definitions: definitions, context: context, store: store, runID: runID,
                                diagnostics: &diagnostics)
        let recorded = (try? store.outputs()) ?? [:]
        func generation(_ pilot: Ingest.PilotIngest) -> String {
            FileDigest.sha256(Array((pilot.generation + "\n" + context.renderKey + "\ncsv "
                + folders.csvLocale(for: pilot.definition).rawValue).utf8))
        }
        func upToDate(_ path: String, generation: String) -> Bool {
            guard let record = recorded[path], record.generation == generation else { return false }
            let full = (folders.output as NSString).appendingPathComponent(path)
            return (try? FileDigest.sha256(path: full)) == record.sha256
        }
        let outputNames = ["kpis.json", "kpis.csv", "rejects.csv", "report.html"] + (context.dailyCSV ? ["daily.csv"] : [])
        var rebuild = ingest.pilots.map { pilot in
            context.rebuildAll || pilot.changed
                || !outputNames.allSatisfy { upToDate("\(pilot.definition.pilot)/\($0)", generation: generation(pilot)) }
        }
        // A pilot whose input folder is missing, that `report` has nothing of, or whose only files are still settling
        // gets no report (never one of nulls); its outputs and the portfolio are left as they are.
        let withheld = ingest.pilots.map {
            $0.inputMissing || $0.nothingToReport || ($0.ledgerEmpty && $0.settling > 0)
        }
        let indexGeneration = FileDigest.sha256(Array((ingest.pilots.map(generation).joined(separator: "\n")
            + "\nportfolio " + context.portfolioLanguage.rawValue).utf8))
        let rebuildIndex = context.writeIndex && !withheld.contains(true)
            && (rebuild.contains(true) || !upToDate("index.html", generation: indexGeneration))
        if rebuildIndex { rebuild = rebuild.map { _ in true } }  // the portfolio needs every pilot's report
        for index in rebuild.indices where withheld[index] { rebuild[index] = false }
        // Reports built earlier, still of the pilot's generation, with its outputs in place: not built again.
        var reused: [Int: PilotReport] = [:]
        for (index, pilot) in ingest.pilots.enumerated() where rebuild[index] && !context.rebuildAll && !pilot.changed {
            guard let earlier = prebuilt[pilot.definition.pilot], earlier.generation == generation(pilot),
                  outputNames.allSatisfy({ upToDate("\(pilot.definition.pilot)/\($0)", generation: earlier.generation) })
            else { continue }
            reused[index] = earlier.report
            rebuild[index] = false
        }

        var result = Result()
        result.phases = ingest.phases
        for pilot in ingest.pilots { result.generations[pilot.definition.pilot] = generation(pilot) }
        // The files read now, each dropped once its pilot has loaded it: then the merge holds the only reference
        // to their series and frees them as it compacts them (`PipelineRun.merge`).
        var readNow = ingest.readNow
        ingest = Ingest.Outcome(pilots: ingest.pilots, readNow: [:], phases: ingest.phases)
        FreeMemory.returnToSystem()  // what the readers held (a large file's cells while it was read)
        RunProgress.shared.begin(.reporting, totalFiles: rebuild.filter { $0 }.count)
        defer { RunProgress.shared.end() }
        // A pilot's outputs are written to their temporary names as they are rendered, then renamed into place
        // together once all are written (none when one cannot be). What was renamed is recorded only once every
        // output is in place, so a crash before that rebuilds them next time.
        var written: [(path: String, sha256: String, generation: String)] = []
        var notWritten: [OutputsNotWritten] = []
        var reports: [PilotReport] = []
        // Temporary files a killed run left (the lock is held: no other run writes them).
        OutputFiles.removeLeftovers(in: folders.output)
        for pilot in ingest.pilots {
            OutputFiles.removeLeftovers(in: (folders.output as NSString).appendingPathComponent(pilot.definition.pilot))
        }
        for index in ingest.pilots.indices {
            let pilot = ingest.pilots[index].withoutLedger
            var report: PilotReport?
            var pilotNotWritten: [String] = []
            if rebuild[index] {
                let name = pilot.definition.pilot
                var (measured, derived) = result.phases.time("merge") {
                    Ingest.load(&ingest.pilots[index], store: store, runID: runID, readNow: readNow,
                                input: folders.input, diagnostics: &diagnostics)
                    let inputs = ingest.pilots[index].inputs
                    for input in inputs { readNow[input.file] = nil }
                    ingest.pilots[index].inputs = []  // the merge consumes them
                    return PipelineRun.merge(definition: pilot.definition, inputs: consume inputs,
                                             diagnostics: &diagnostics)
                }
                let loaded = ingest.pilots[index]
                // daily.csv first, then the KPIs, then the other outputs without the series: the series-days (which
                // grow with the data), the KPIs and the rendered parts are never all held at once.
                var staged: [(path: String, staged: StagedOutput)] = []
                var failure: OutputFailure?
                if context.dailyCSV {
                    result.phases.time("render") {
                        do throws(OutputFailure) {
                            staged.append(try PipelineRun.writeDailyCSV(pilot: name, series: measured,
                                                                        context: context))
                        } catch {
                            failure = error
                        }
                    }
                }
                let built = result.phases.time("merge") {
                    PipelineRun.buildReport(definition: loaded.definition, measured: measured, derived: derived,
                                            rejects: loaded.rejects, files: loaded.files, context: context)
                }
                // A store that keeps results for BI tools gets the series-days too, taken before the series go.
                let days = store.keepsResults ? ResultRecords.days(measured) : []
                measured = []
                derived = []
                FreeMemory.returnToSystem()
                if failure == nil {
                    result.phases.time("render") {
                        do throws(OutputFailure) {
                            // daily.csv last, as the other outputs were renamed before it was one of them.
                            staged = try PipelineRun.renderAndWrite(built, context: context) + staged
                        } catch {
                            failure = error
                        }
                    }
                }
                // A shared state that no longer knows this process (its connection lost: another worker may hold
                // the pilot now) gets nothing renamed: the pilot's next worker writes its outputs.
                if failure == nil,
                   writerLost(store, diagnostics: &diagnostics, what: "the outputs of pilot \(name)") != nil {
                    OutputFiles.discard(staged.map(\.staged))
                    pilotNotWritten = staged.map(\.path)
                } else if failure == nil {
                    // The generation switches: every output renamed into place, or none.
                    let (renamed, renameFailure) = OutputFiles.commit(staged.map(\.staged)) { _ in
                        FaultInjection.reach("output")
                    }
                    for (relative, file) in staged where renamed.contains(where: { $0.path == file.path }) {
                        written.append((relative, file.sha256, generation(pilot)))
                    }
                    failure = renameFailure
                    if failure == nil, store.keepsResults {
                        let published = result.phases.time("publish") {
                            publish(built, days: days, generation: generation(pilot), store: store, runID: runID,
                                    diagnostics: &diagnostics)
                        }
                        // Not recorded either: the next run rebuilds the pilot and publishes its results.
                        if !published { written.removeAll { $0.path.hasPrefix(name + "/") } }
                    }
                    if failure != nil {
                        pilotNotWritten = staged.map(\.path).filter { path in !written.contains { $0.path == path } }
                    }
                } else {
                    OutputFiles.discard(staged.map(\.staged))
                    pilotNotWritten = outputNames.map { "\(name)/\($0)" }
                }
                if let failure {
                    notWritten.append(OutputsNotWritten(pilot: name, paths: pilotNotWritten,
                                                        all: !written.contains { $0.path.hasPrefix(name + "/") },
                                                        failure: failure))
                }
                reports.append(built)
                report = built
                result.reports[name] = built
                RunProgress.shared.fileDone()
            } else if let earlier = reused[index] {
                reports.append(earlier)
            }
            result.filesUnchanged += pilot.unchanged
            result.outcomes.append(PilotOutcome(pilot, report: report, outputsNotWritten: pilotNotWritten))
        }
        let clock = ContinuousClock()
        let writeStart = clock.now
        if rebuildIndex {
            // The portfolio shows every pilot's report: written only when every pilot's outputs are.
            let index = PipelineRun.renderIndex(reports, mixedLanguage: context.portfolioLanguage)
            if let first = notWritten.first {
                notWritten.append(OutputsNotWritten(pilot: nil, paths: [index.path], failure: first.failure))
            } else if writerLost(store, diagnostics: &diagnostics, what: index.path) != nil {
                // Not written: the next worker writes it.
            } else {
                do throws(OutputFailure) {
                    let staged = try OutputFiles.stage(index, to: (folders.output as NSString)
                        .appendingPathComponent(index.path))
                    if let failure = OutputFiles.commit([staged], renamed: { _ in FaultInjection.reach("output") })
                        .failure {
                        throw failure
                    }
                    written.append((index.path, index.sha256, indexGeneration))
                } catch {
                    notWritten.append(OutputsNotWritten(pilot: nil, paths: [index.path], failure: error))
                }
            }
        }
        do {
            // Recorded only once every output is in place: a crash before this line rebuilds them next time.
            try store.recordOutputs(written.map { ($0.path, $0.sha256, $0.generation) })
            FaultInjection.reach("recorded")
        } catch {
            diagnostics.add(.error, "\(store.path): cannot record the outputs written (\(StateStore.describe(error))); "
                + "the next run writes them again; check that the state is writable and that its disk has space",
                status: .ioError, code: .stateUnavailable)
        }
        result.phases.add("write", seconds: Phases.seconds(clock.now - writeStart))
        result.notWritten = notWritten
        result.nothingNew = written.isEmpty && notWritten.isEmpty
            && !ingest.pilots.contains { $0.changed || $0.inputMissing }
        return result
    }

    /// Whether the store no longer lets this process write outputs (`StateBackend.confirmWriter`); the error is added
    /// to `diagnostics` then.
    static func writerLost(_ store: any StateBackend, diagnostics: inout Diagnostics, what: String) -> (any Error)? {
        do {
            try store.confirmWriter()
            return nil
        } catch {
            diagnostics.add(.error, "\(store.path): \(StateStore.describe(error)); \(what) not written by this worker (the "
                + "state no longer knows it: another worker may hold the pilot now); the next run writes them",
                status: .ioError, code: .stateUnavailable)
            return error
        }
    }

    /// Keeps a pilot's results of this generation in the store (its KPIs as kpis.json has them, its series-days as
    /// daily.csv has them). A store that cannot take them is an error of the run (false); the outputs are written
    /// already but not recorded, so the next run rebuilds the pilot and publishes them.
    static func publish(_ report: PilotReport, days: [ResultRecords.DayFields], generation: String,
                        store: any StateBackend, runID: Int64, diagnostics: inout Diagnostics) -> Bool {
        let kpis = ResultRecords.kpis(report).map {
            PublishedResults.KPIRow(key: $0.key, period: $0.period, site: $0.site, unit: $0.unit, value: $0.value,
                                    coverage: $0.coverage, estimatedShare: $0.estimatedShare, flags: $0.flags,
                                    reason: $0.reason, reasonCode: $0.reasonCode, factorStatus: $0.factorStatus,
                                    provenance: $0.provenance)
        }
        let rows = days.map {
            PublishedResults.DayRow(series: $0.series, site: $0.site, quantity: $0.quantity, meter: $0.meter,
                                    day: $0.day, sum: $0.sum, unit: $0.unit, intervals: $0.intervals, missing: $0.missing)
        }
        let pilot = report.definition.pilot
        do {
            try store.publish(PublishedResults(pilot: pilot, generation: generation, runID: runID, kpis: kpis,
                                               days: rows))
            return true
        } catch {
            diagnostics.add(.error, "\(store.path): cannot keep the results of pilot \(pilot) for BI tools "
                + "(\(StateStore.describe(error))); its reports are written, and the next run publishes them; check "
                + "that the database is reachable and has space", pilot: pilot, status: .ioError, code: .stateUnavailable)
            return false
        }
    }

    /// One error per cause of the outputs not written (a full disk is one message however many files it stopped),
    /// saying what was not written, what is wrong where, and how to fix it; exit 73.
    public static func report(_ notWritten: [OutputsNotWritten], output: String, into diagnostics: inout Diagnostics) {
        var groups: [(problem: String, fix: String, items: [OutputsNotWritten])] = []
        for item in notWritten {
            let problem = item.failure.problem(outputFolder: output)
            if let index = groups.firstIndex(where: { $0.problem == problem }) {
                groups[index].items.append(item)
            } else {
                groups.append((problem, item.failure.fix, [item]))
            }
        }
        for group in groups {
            var whole: [String] = []
            var files: [String] = []
            for item in group.items {
                if let pilot = item.pilot, item.all {
                    whole.append(pilot)
                } else {
                    files += item.paths.map { (output as NSString).appendingPathComponent($0) }
                }
            }
            var what: [String] = []
            if !whole.isEmpty {
                what.append("the outputs of pilot\(whole.count == 1 ? "" : "s") " + Self.list(whole))
            }
            what += files
            let pilot = group.items.count == 1 ? group.items[0].pilot : nil
            diagnostics.add(.error, "cannot write \(Self.list(what)): \(group.problem); none of them was replaced (the "
                + "versions in place, if any, are an earlier run's); \(group.fix)", pilot: pilot,
                status: .cannotCreate, code: .outputNotWritable)
        }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }
}
