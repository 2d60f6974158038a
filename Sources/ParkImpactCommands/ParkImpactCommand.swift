public import ArgumentParser
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
            of that pilot is replaced); 74 the state cannot be opened, read or written; 75 another run \
            holds the lock (only that: try again later); 78 a pipeline definition is invalid, or the state is of a \
            newer version.
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

    @Option(help: "State file (default: <output>/.parkimpact/state.sqlite).")
    var state: String?

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

    var statePath: String { state ?? StatefulRun.defaultStatePath(output: output) }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if settleSeconds < 0 { throw ValidationError("--settle-seconds must be 0 or more") }
    }
}

/// `--csv-locale` (mapped onto `CSVLocale`, which lives in the core).
enum CSVLocaleOption: String, ExpressibleByArgument, CaseIterable {
    case en, nl
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
