import Foundation

/// A run against the state store: ingest what is new (`Ingest`), then rebuild the outputs of every pilot whose
/// generation changed or whose outputs are missing or altered; a pilot with nothing new keeps its outputs untouched.
public enum StatefulRun {
    public struct Options: Sendable {
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

        public init(threads: Int? = nil, settings: Ingest.Settings = .init(), writeIndex: Bool = true,
                    rebuildAll: Bool = false, renderKey: String = "", dailyCSV: Bool = false) {
            self.dailyCSV = dailyCSV
            self.threads = threads
            self.settings = settings
            self.writeIndex = writeIndex
            self.rebuildAll = rebuildAll
            self.renderKey = renderKey
        }
    }

    struct WriteFailure: Error, CustomStringConvertible {
        let description: String
    }

    public struct Result: Sendable {
        public var outcomes: [PilotOutcome] = []
        /// No file was read, replaced, removed or marked, and no output had to be rebuilt.
        public var nothingNew = false
        public var filesUnchanged = 0
        /// Wall time per stage: scan, read, merge (merge, PV matching, KPIs), render, write.
        public var phases = Phases()
    }

    /// The default state file: `<output>/.parkimpact/state.sqlite`.
    public static func defaultStatePath(output: String) -> String {
        ((output as NSString).appendingPathComponent(".parkimpact") as NSString).appendingPathComponent("state.sqlite")
    }

    public static func execute(
        definitions: [PipelineDefinition], folders: RunFolders, store: StateStore, runID: Int64,
        catalogue: FactorCatalogue, options: Options, diagnostics: inout Diagnostics
    ) -> Result {
        var ingest = Ingest.run(definitions: definitions, folders: folders, store: store, runID: runID,
                                threads: options.threads, settings: options.settings, diagnostics: &diagnostics)
        let recorded = (try? store.outputs()) ?? [:]
        func generation(_ pilot: Ingest.PilotIngest) -> String {
            FileDigest.sha256(Array((pilot.generation + "\n" + options.renderKey + "\ncsv "
                + folders.csvLocale.rawValue).utf8))
        }
        func upToDate(_ path: String, generation: String) -> Bool {
            guard let record = recorded[path], record.generation == generation else { return false }
            let full = (folders.output as NSString).appendingPathComponent(path)
            return (try? FileDigest.sha256(path: full)) == record.sha256
        }
        let outputNames = ["kpis.json", "kpis.csv", "rejects.csv", "report.html"] + (options.dailyCSV ? ["daily.csv"] : [])
        var rebuild = ingest.pilots.map { pilot in
            options.rebuildAll || pilot.changed
                || !outputNames.allSatisfy { upToDate("\(pilot.definition.pilot)/\($0)", generation: generation(pilot)) }
        }
        // A pilot whose input folder is missing, that `report` has nothing of, or whose only files are still settling
        // gets no report (never one of nulls); its outputs and the portfolio are left as they are.
        let withheld = ingest.pilots.map {
            $0.inputMissing || $0.nothingToReport || ($0.ledgerEmpty && $0.settling > 0)
        }
        let indexGeneration = FileDigest.sha256(Array(ingest.pilots.map(generation).joined(separator: "\n").utf8))
        let rebuildIndex = options.writeIndex && !withheld.contains(true)
            && (rebuild.contains(true) || !upToDate("index.html", generation: indexGeneration))
        if rebuildIndex { rebuild = rebuild.map { _ in true } }  // the portfolio needs every pilot's report
        for index in rebuild.indices where withheld[index] { rebuild[index] = false }

        var result = Result()
        result.phases = ingest.phases
        // The files read now, each dropped once its pilot has loaded it: then the merge holds the only reference
        // to their series and frees them as it compacts them (`PipelineRun.merge`).
        var readNow = ingest.readNow
        ingest = Ingest.Outcome(pilots: ingest.pilots, readNow: [:], phases: ingest.phases)
        FreeMemory.returnToSystem()  // what the readers held (a large file's cells while it was read)
        RunProgress.shared.begin(.reporting, totalFiles: rebuild.filter { $0 }.count)
        defer { RunProgress.shared.end() }
        // Pilot outputs are written as they are rendered (each renamed into place when complete); what was written is
        // recorded only once every output is in place, so a crash before that rebuilds them next time.
        var written: [(path: String, sha256: String, generation: String)] = []
        var failure: String?
        var reports: [PilotReport] = []
        for index in ingest.pilots.indices {
            let pilot = ingest.pilots[index]
            var report: PilotReport?
            if rebuild[index] {
                let name = pilot.definition.pilot
                var (measured, derived) = result.phases.time("merge") {
                    Ingest.load(&ingest.pilots[index], store: store, runID: runID, readNow: readNow,
                                input: folders.input, diagnostics: &diagnostics)
                    let inputs = ingest.pilots[index].inputs
                    for input in inputs { readNow[input.file] = nil }
                    ingest.pilots[index].inputs = []  // the merge consumes them
                    return PipelineRun.merge(definition: pilot.definition, inputs: inputs, diagnostics: &diagnostics)
                }
                let loaded = ingest.pilots[index]
                // daily.csv first, then the KPIs, then the other outputs without the series: the series-days (which
                // grow with the data), the KPIs and the rendered parts are never all held at once.
                var dailyCSV: (path: String, sha256: String)?
                if options.dailyCSV {
                    result.phases.time("render") {
                        do {
                            dailyCSV = try PipelineRun.writeDailyCSV(pilot: name, series: measured,
                                                                     threads: options.threads, output: folders.output)
                        } catch {
                            failure = failure ?? StateStore.describe(error)
                        }
                    }
                }
                let built = result.phases.time("merge") {
                    PipelineRun.buildReport(definition: loaded.definition, measured: measured, derived: derived,
                                            rejects: loaded.rejects, files: loaded.files, catalogue: catalogue,
                                            threads: options.threads)
                }
                measured = []
                derived = []
                FreeMemory.returnToSystem()
                result.phases.time("render") {
                    do {
                        for file in try PipelineRun.renderAndWrite(built, csvLocale: folders.csvLocale,
                                                                   threads: options.threads, output: folders.output) {
                            written.append((file.path, file.sha256, generation(pilot)))
                        }
                    } catch {
                        failure = failure ?? StateStore.describe(error)
                    }
                }
                if let dailyCSV { written.append((dailyCSV.path, dailyCSV.sha256, generation(pilot))) }
                reports.append(built)
                report = built
                RunProgress.shared.fileDone()
            }
            var outcome = PilotOutcome(pilot: pilot.definition.pilot, report: report, filesRead: pilot.ingested,
                                       filesFailed: pilot.unreadable, rowsAccepted: pilot.rowsAccepted,
                                       rowsRejected: pilot.rowsRejected)
            outcome.filesUnchanged = pilot.unchanged
            outcome.filesSkipped = pilot.skipped
            outcome.filesDuplicate = pilot.duplicates
            outcome.filesDeletedKept = pilot.deletedKept
            outcome.filesSettling = pilot.settling
            outcome.settleWaitSeconds = pilot.settleWaitSeconds
            outcome.inputMissing = pilot.inputMissing
            outcome.nothingToReport = pilot.nothingToReport
            result.filesUnchanged += pilot.unchanged
            result.outcomes.append(outcome)
        }
        let clock = ContinuousClock()
        let writeStart = clock.now
        do {
            if let failure { throw StatefulRun.WriteFailure(description: failure) }
            if rebuildIndex {
                let index = PipelineRun.renderIndex(reports)
                try OutputFiles.write(index, to: (folders.output as NSString).appendingPathComponent(index.path))
                FaultInjection.reach("output")
                written.append((index.path, index.sha256, indexGeneration))
            }
            // Recorded only once every output is in place: a crash before this line rebuilds them next time.
            try store.recordOutputs(written.map { ($0.path, $0.sha256, $0.generation) })
            FaultInjection.reach("recorded")
        } catch {
            diagnostics.add(.error, "cannot write to \(folders.output): \(StateStore.describe(error)); check that the "
                + "folder is writable and has space", status: .cannotCreate, code: .outputNotWritable)
        }
        result.phases.add("write", seconds: Phases.seconds(clock.now - writeStart))
        result.nothingNew = written.isEmpty && !ingest.pilots.contains { $0.changed || $0.inputMissing }
        return result
    }
}
