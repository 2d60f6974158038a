public import ArgumentParser
import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports
import ParkImpactPipeline

/// `parkimpact`: the root command. Subcommands live in this library so tests run them in-process.
public struct ParkImpactCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "parkimpact",
        abstract: "Turns business-park sustainability exports into impact reports (CO2, energy, quality).",
        discussion: """
            Exit codes: 0 success (rejected rows are reported, not fatal); 64 usage error, or report with nothing \
            to report yet; 65 a data file could not be read at all, a copy taken by two sources, or a missing input \
            folder; 73 an output cannot be written (a full disk, a file or folder in the way, no permission; nothing \
            of that pilot is replaced); 74 the state cannot be opened, read or written (a PostgreSQL state: the server \
            cannot be reached); 75 another run holds the lock, or another worker held a pilot past --lock-wait (only \
            that: try again later); 78 a pipeline definition is invalid, or the state is of a newer version.
            """,
        version: "parkimpact " + ParkImpactVersion.withFactors(FactorCatalogue.builtInDigest),
        subcommands: [RunCommand.self, CheckCommand.self, SniffCommand.self, ReportCommand.self, FactorsCommand.self,
                      InitCommand.self]
    )

    public init() {}
}

/// Folders and options shared by run, check and report.
struct FolderOptions: ParsableArguments {
    @Option(help: "Folder with the pipeline definitions (<pilot>.yaml).")
    var pipelines = "pipelines"

    @Option(help: "Drop folder with one subfolder per pilot.")
    var input = "input"

    @Option(help: "Where reports are written.")
    var output = "output"

    @Option(help: ArgumentHelp("The state: an SQLite file (default: <output>/.parkimpact/state.sqlite), or a "
        + "PostgreSQL database (postgresql://user@host/db) that workers on several hosts share; default: "
        + "$PARKIMPACT_STATE when set.", valueName: "file|url"))
    var state: String?

    @Option(name: .customLong("lock-wait"), help: ArgumentHelp("With a PostgreSQL state: how long to wait for a "
        + "pilot another worker is processing before leaving it to that worker.", valueName: "seconds"))
    var lockWait = 600

    @Option(help: "Log format: text (for people) or json (one object per line, for cron and journald).")
    var logFormat: LogFormat = .text

    @Option(help: ArgumentHelp("kpis.csv and rejects.csv for Excel, for every pilot: en (, and 1234.5) or nl (; and "
        + "1234,5); UTF-8 BOM either way (default: each pilot's language).", valueName: "en|nl"))
    var csvLocale: CSVLocaleOption?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp("Skip input files modified less than this many seconds ago (they may still be "
        + "written); a later run picks them up.", valueName: "seconds"))
    var settleSeconds = 60

    @Argument(help: "Pilots to process (default: all definitions in the pipelines folder).")
    var pilots: [String] = []

    var folders: RunFolders { RunFolders(pipelines: pipelines, input: input, output: output, csvLocale: csvLocale.flatMap { CSVLocale(rawValue: $0.rawValue) }) }

    /// `--state`, else `PARKIMPACT_STATE` (for systemd units and cron), else the file in the output folder.
    var statePath: String {
        if let state { return state }
        if let variable = ProcessInfo.processInfo.environment["PARKIMPACT_STATE"], !variable.isEmpty { return variable }
        return StatefulRun.defaultStatePath(output: output)
    }

    /// A state not in the default place (its own lock file, when it is an SQLite file).
    var stateGiven: Bool { statePath != StatefulRun.defaultStatePath(output: output) }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if settleSeconds < 0 { throw ValidationError("--settle-seconds must be 0 or more") }
        if lockWait < 0 { throw ValidationError("--lock-wait must be 0 or more") }
    }
}

/// `--csv-locale` (mapped onto `CSVLocale`, which lives in the core).
enum CSVLocaleOption: String, ExpressibleByArgument, CaseIterable {
    case en, nl
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
