import ArgumentParser
import Foundation
import ParkImpactCore

/// `parkimpact run`: ingest the inputs, compute KPIs and write the reports.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Read the inputs of each pilot, compute KPIs and write output/.")

    @OptionGroup var options: FolderOptions

    @Flag(name: .customLong("daily-csv"), help: "Also write output/<pilot>/daily.csv: series, local date, sum, count.")
    var dailyCSV = false

    func run() throws {
        let console = Console(format: options.logFormat)
        let status = Self.perform(options: options, console: console, write: true, dailyCSV: dailyCSV)
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Shared by `run` (writes) and `check` (writes nothing).
    static func perform(options: FolderOptions, console: Console, write: Bool, dailyCSV: Bool = false) -> ExitStatus {
        // A run that writes holds the output folder's lock for its whole duration; `check` writes nothing.
        var lock: RunLock?
        if write {
            do {
                lock = try RunLock(outputFolder: options.output)
            } catch let busy as RunLock.Busy {
                console.log(.error, busy.description)
                return .temporaryFailure
            } catch {
                console.log(.error, "cannot create \(options.output)/.parkimpact/lock: \(error.localizedDescription); "
                    + "check that the output folder is writable")
                return .configuration
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let catalogue = FactorCatalogue.builtIn
        var loaded = LoadedDefinitions.load(folders: options.folders, pilots: options.pilots, catalogue: catalogue)
        let outcomes = PipelineRun.execute(
            definitions: loaded.definitions, folders: options.folders, catalogue: catalogue, threads: options.threads,
            diagnostics: &loaded.diagnostics)
        if write, !outcomes.isEmpty {
            do {
                try PipelineRun.writeOutputs(outcomes.map(\.report), folders: options.folders,
                                             writeIndex: options.pilots.isEmpty)
                try RunManifest.write(outcomes, diagnostics: loaded.diagnostics, folders: options.folders)
                if dailyCSV { try PipelineRun.writeDailyCSV(outcomes, folders: options.folders) }
            } catch {
                loaded.diagnostics.add(.error, "cannot write to \(options.output): \(error.localizedDescription); "
                    + "check that the folder is writable", status: .configuration)
            }
        }
        console.emit(loaded.diagnostics)
        for outcome in outcomes {
            console.summary(outcome, kpisWritten: write ? outcome.report.kpis.count : 0,
                            verb: write ? "ingested" : "checked")
        }
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

    func run() throws {
        let console = Console(format: options.logFormat)
        console.log(.error, "report: this version keeps no ingestion state yet, so there is nothing to rebuild from; "
            + "run `parkimpact run` (it rebuilds every report from the inputs)")
        throw ExitCode(ExitStatus.usage.rawValue)
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
                header: ["id", "value", "unit", "year", "region", "method", "basis", "source"],
                rows: factors.map { [$0.id, MachineNumber.format($0.value, decimals: 8), $0.unit, "\($0.year)",
                                     $0.region, $0.method, $0.basis, $0.source] }), terminator: "")
            return
        }
        for factor in factors {
            print("\(factor.id)  \(MachineNumber.format(factor.value, decimals: 8)) \(factor.unit)  \(factor.year)"
                + "  \(factor.method); \(factor.basis)")
            print("    source: \(factor.source)")
        }
    }
}
