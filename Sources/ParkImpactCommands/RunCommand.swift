import ArgumentParser
import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports
import ParkImpactPipeline

/// `parkimpact run`: ingest the inputs, compute KPIs and write the reports.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Read the inputs of each pilot, compute KPIs and write output/.")

    @OptionGroup var options: FolderOptions

    @Flag(name: .customLong("daily-csv"), help: "Also write output/<pilot>/daily.csv: series, local date, sum, count.")
    var dailyCSV = false

    @Option(name: .customLong("portfolio-language"),
            help: "Language of output/index.html when the pilots' languages differ (nl | en).")
    var portfolioLanguage: PortfolioLanguageOption = .en

    func run() throws {
        let console = Console(format: options.logFormat)
        let status = Self.stateful(options: options, console: console, ingest: true, dailyCSV: dailyCSV,
                                   portfolioLanguage: portfolioLanguage.language)
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// `run` (ingest, then rebuild what changed) and `report` (ingest nothing, rebuild every report from the state).
    static func stateful(options: FolderOptions, console: Console, ingest: Bool, dailyCSV: Bool = false,
                         portfolioLanguage: PipelineDefinition.Language = .en) -> ExitStatus {
        // Definitions first: a definition that takes long to parse (or is refused) never holds the lock.
        let catalogue = FactorCatalogue.builtIn
        var loaded = LoadedDefinitions.load(folders: options.folders, pilots: options.pilots, catalogue: catalogue)
        if PostgresStateStore.isURL(options.statePath) {
            return PostgresRun.stateful(options: options, console: console, loaded: &loaded, catalogue: catalogue,
                                        ingest: ingest, dailyCSV: dailyCSV, portfolioLanguage: portfolioLanguage)
        }
        // A writing run holds the output folder's lock (and the state's, when it lives elsewhere) throughout.
        var locks: [RunLock] = []
        var lockPlace = RunLock.path(outputFolder: options.output)
        do {
            locks.append(try RunLock(outputFolder: options.output))
            lockPlace = options.statePath + ".lock"
            if options.stateGiven { locks.append(try RunLock(lockFile: options.statePath + ".lock")) }
        } catch let busy as RunLock.Busy {
            console.diagnostic(.error, busy.description, code: .lockHeld)
            return .temporaryFailure
        } catch let failure as OutputFailure {
            console.diagnostic(.error, "cannot create the lock file \(lockPlace): \(failure.problem); \(failure.fix)",
                               code: .lockUnavailable)
            return .cannotCreate
        } catch {
            console.diagnostic(.error, "cannot create the lock file \(lockPlace): \(error); check that its folder exists "
                + "and is writable", code: .lockUnavailable)
            return .cannotCreate
        }
        defer { withExtendedLifetime(locks) {} }
        FaultInjection.reach("locked")
        if !ingest, !FileManager.default.fileExists(atPath: options.statePath) {
            console.diagnostic(.error, "report: nothing to report yet: no state at \(options.statePath) (no run has "
                + "read the inputs); run `parkimpact run` first, or give --state", code: .nothingToReport)
            return .usage
        }
        let store: StateStore
        do {
            if ingest {
                // A damaged state is moved aside and rebuilt by reading every input again.
                let opened = try StateStore.openRecovering(path: options.statePath, now: RunManifest.fileTimestamp(),
                                                              threads: options.threads)
                store = opened.store
                if let moved = opened.movedAside {
                    loaded.diagnostics.add(.warning, moved.reason + "; kept as \(moved.path) and replaced by a new "
                        + "state built from input/ in this run: every file is read again (files no longer in input/ "
                        + "are no longer in the reports); remove the kept copy when the reports are checked",
                        code: .stateRebuilt)
                }
            } else {
                store = try StateStore(path: options.statePath, threads: options.threads)
            }
        } catch {
            console.emit(loaded.diagnostics)
            switch error.kind {
            case .newer:
                console.diagnostic(.error, error.description, code: .stateNewer)
                return .configuration
            case .damaged:
                console.diagnostic(.error, error.description + "; `parkimpact run` moves it aside and rebuilds it from "
                    + "input/", code: .stateDamaged)
                return .ioError
            case .unavailable:
                console.diagnostic(.error, error.description, code: .stateUnavailable)
                return .ioError
            }
        }
        let runID: Int64
        do {
            runID = try store.beginRun(startedAt: RunManifest.timestamp())
        } catch {
            console.diagnostic(.error, "\(options.statePath): cannot record the run (\(error)); check that it is "
                + "writable and that the disk has space", code: .stateUnavailable)
            return .ioError
        }
        let settings = RunCommand.settledSettings(options: options, console: console, definitions: loaded.definitions,
                                                  ingest: ingest)
        let progress = ProgressDisplay.start(format: console.format)
        let context = RunContext(folders: options.folders, catalogue: catalogue, threads: options.threads,
                                 settings: settings, writeIndex: options.pilots.isEmpty, rebuildAll: !ingest,
                                 dailyCSV: dailyCSV, portfolioLanguage: portfolioLanguage)
        let result = StatefulRun.execute(definitions: loaded.definitions, context: context, store: store, runID: runID,
                                         diagnostics: &loaded.diagnostics)
        progress?.stop()
        return finish(result, store: store, runID: runID, options: options, console: console,
                      diagnostics: &loaded.diagnostics, ingest: ingest)
    }

    /// The end of a stateful run: the outputs not written reported, `last-run.json` written (inside `manifestLock`,
    /// which a shared state uses to keep two workers from writing it at once), the run recorded as finished, the
    /// diagnostics and the summary lines printed; the exit status.
    /// The ingest settings of a run, after waiting for the files modified less than `--settle-seconds` ago (or dated
    /// in the future) to settle, said on stderr (`Settling`).
    static func settledSettings(options: FolderOptions, console: Console, definitions: [PipelineDefinition],
                                ingest: Bool) -> Ingest.Settings {
        var wait = Settling.Wait()
        if ingest {
            wait = Settling.wait(definitions: definitions, inputRoot: options.folders.input,
                                 settleSeconds: options.settleSeconds, now: Ingest.Settings().now)
            if wait.seconds > 0 {
                console.diagnostic(.info, "waiting \(wait.seconds) s for \(wait.files) file(s) modified less than "
                    + "\(options.settleSeconds) s ago (or dated in the future) to settle (--settle-seconds 0 reads them "
                    + "at once)", code: .settling)
                Thread.sleep(forTimeInterval: Double(wait.seconds))
            }
        }
        var settings = Ingest.Settings(settleSeconds: options.settleSeconds, ingest: ingest)
        settings.stableFuture = wait.future
        return settings
    }

    static func finish(_ result: StatefulRun.Result, store: any StateBackend, runID: Int64, options: FolderOptions,
                       console: Console, diagnostics: inout Diagnostics, ingest: Bool,
                       manifestLock: (() throws(OutputFailure) -> Void) throws(OutputFailure) -> Void = { try $0() })
        -> ExitStatus {
        // Outputs not written: one error per cause (a full disk is one message, last-run.json included when it
        // cannot be written either); last-run.json lists them.
        var notWritten = result.notWritten
        var recorded = diagnostics
        StatefulRun.report(notWritten, output: options.output, into: &recorded)
        let paths = notWritten.flatMap(\.paths)
        do throws(OutputFailure) {
            try manifestLock { () throws(OutputFailure) in
                try RunManifest.write(result.outcomes, diagnostics: recorded, folders: options.folders,
                                      phases: result.phases, notWritten: paths)
            }
        } catch {
            notWritten.append(.init(pilot: nil, paths: [RunManifest.relativePath], failure: error))
        }
        StatefulRun.report(notWritten, output: options.output, into: &diagnostics)
        try? store.finishRun(runID, finishedAt: RunManifest.timestamp(), status: diagnostics.status.rawValue)
        console.emit(diagnostics)
        if ingest, result.nothingNew, !result.outcomes.isEmpty {
            console.nothingNew(result)
        } else {
            for outcome in result.outcomes where !outcome.nothingToReport {
                if ingest {
                    console.summary(outcome, verb: "ingested")
                } else {
                    console.rebuilt(outcome)
                }
            }
        }
        return diagnostics.status
    }

    /// `check`: reads every input, writes nothing, keeps no state.
    static func perform(options: FolderOptions, console: Console, write: Bool) -> ExitStatus {
        let catalogue = FactorCatalogue.builtIn
        var loaded = LoadedDefinitions.load(folders: options.folders, pilots: options.pilots, catalogue: catalogue)
        let progress = ProgressDisplay.start(format: console.format)
        let outcomes = PipelineRun.execute(
            definitions: loaded.definitions,
            context: RunContext(folders: options.folders, catalogue: catalogue, threads: options.threads),
            diagnostics: &loaded.diagnostics)
        progress?.stop()
        console.emit(loaded.diagnostics)
        for outcome in outcomes { console.summary(outcome, verb: "checked", written: false) }
        return loaded.diagnostics.status
    }
}

/// `parkimpact check`: validate definitions and read the inputs, write nothing.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate the definitions and read the inputs; write nothing.")

    @OptionGroup var options: FolderOptions

    func run() throws {
        let status = RunCommand.perform(options: options, console: Console(format: options.logFormat), write: false)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// `parkimpact report`: rebuild the reports from the state of earlier runs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Rebuild the reports from the state of earlier runs; ingest nothing.")

    @OptionGroup var options: FolderOptions

    @Option(name: .customLong("portfolio-language"),
            help: "Language of output/index.html when the pilots' languages differ (nl | en).")
    var portfolioLanguage: PortfolioLanguageOption = .en

    func run() throws {
        let status = RunCommand.stateful(options: options, console: Console(format: options.logFormat), ingest: false,
                                         portfolioLanguage: portfolioLanguage.language)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// `parkimpact factors`: the emission-factor catalogue with sources.
struct FactorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factors", abstract: "List the emission-factor catalogue with sources.")

    @Flag(help: "Print CSV instead of a table.")
    var csv = false

    func run() throws {
        let factors = FactorCatalogue.builtIn.factors
        if csv {
            print(CSVOutput.document(
                header: FactorCatalogue.columns,
                rows: factors.map { [$0.id, MachineNumber.format($0.value, decimals: 8), $0.unit, "\($0.year)",
                                     $0.region, $0.method, $0.basis, $0.publisher, $0.release, $0.status.rawValue,
                                     $0.source, $0.note] }), terminator: "")
            return
        }
        for factor in factors {
            print("\(factor.id)  \(MachineNumber.format(factor.value, decimals: 8)) \(factor.unit)  \(factor.year)"
                + "  \(factor.region)  \(factor.method); \(factor.basis)  [\(factor.status.rawValue)]")
            print("    publisher: \(factor.publisher); \(factor.release)")
            print("    source: \(factor.source)")
            if !factor.note.isEmpty { print("    note: \(factor.note)") }
        }
    }
}

/// `--portfolio-language`: the portfolio's language when the pilots' languages differ.
enum PortfolioLanguageOption: String, ExpressibleByArgument, CaseIterable {
    case nl, en
    var language: PipelineDefinition.Language { self == .nl ? .nl : .en }
}
