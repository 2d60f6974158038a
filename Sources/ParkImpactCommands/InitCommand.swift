import ArgumentParser
import Foundation
import ParkImpactPipeline

/// `parkimpact init PILOT`: writes `pipelines/PILOT.yaml`, a commented template, and creates `input/PILOT/`. An
/// existing definition is never overwritten (exit 73, as any output that cannot be created).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a new pilot: write a commented pipelines/<pilot>.yaml and create input/<pilot>/.",
        discussion: "Fill in the placeholders the file's comments name, then run `parkimpact check <pilot>`.")

    @Option(help: "Folder with the pipeline definitions (<pilot>.yaml).")
    var pipelines = "pipelines"

    @Option(help: "Drop folder with one subfolder per pilot.")
    var input = "input"

    @Argument(help: "The new pilot's id: lower-case letters, digits, - and _ (also the file and folder name).")
    var pilot: String

    func validate() throws {
        if pilot.range(of: "^[a-z0-9][a-z0-9_-]*$", options: .regularExpression) == nil {
            throw ValidationError("\"\(pilot)\" is not a valid pilot id: use lower-case letters, digits, - and _")
        }
    }

    func run() throws {
        let file = (pipelines as NSString).appendingPathComponent("\(pilot).yaml")
        let folder = (input as NSString).appendingPathComponent(pilot)
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: pipelines, withIntermediateDirectories: true)
            // O_EXCL: an existing definition (or anything else at that name) is left as it is.
            let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                let reason = errno == EEXIST ? "it already exists (nothing was changed; edit it, or remove it first)"
                    : String(cString: strerror(errno))
                throw InitFailure(message: "cannot create \(file): \(reason)")
            }
            let bytes = Array(Self.template(pilot: pilot).utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let failure = errno
            close(descriptor)
            guard written == bytes.count else {
                try? manager.removeItem(atPath: file)
                throw InitFailure(message: "cannot write \(file): \(String(cString: strerror(failure)))")
            }
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch let failure as InitFailure {
            FileHandle.standardError.write(Data("parkimpact init: \(failure.message)\n".utf8))
            throw ExitCode(ExitStatus.cannotCreate.rawValue)
        } catch {
            FileHandle.standardError.write(Data("parkimpact init: \(error.localizedDescription)\n".utf8))
            throw ExitCode(ExitStatus.cannotCreate.rawValue)
        }
        print("wrote \(file) and \(folder)/: fill in the placeholders (<...> and YYYY-MM-DD), drop the exports into "
            + "\(folder)/, then run `parkimpact check \(pilot)`")
    }

    private struct InitFailure: Error {
        let message: String
    }

    /// The commented template of a new pilot: every key with a one-line comment; one source to fill in, the others
    /// as commented examples. Until its `<...>` and `YYYY-MM-DD` placeholders are replaced, `check` refuses it and
    /// names each one (dates that are not dates, a site id that is not an id, a source's unknown site).
    static func template(pilot: String) -> String {
        """
        # ParkImpact pipeline definition of pilot "\(pilot)" (written by `parkimpact init \(pilot)`).
        # Replace every <...> and YYYY-MM-DD below, drop the exports into input/\(pilot)/, then run
        # `parkimpact check \(pilot)`: it names each placeholder still in place. All keys: docs/pipeline.md.
        pilot: \(pilot)                        # the pilot id, equal to the file name: inputs in input/\(pilot)/
        name: "<park name>"                    # the name the report and the portfolio show
        language: nl                           # report language, number format, kpis.csv/rejects.csv locale (nl | en)
        timezone: Europe/Brussels              # IANA time zone of the meter exports' local times
        periods:
          baseline:  { from: YYYY-MM-DD, to: YYYY-MM-DD }   # before the measures (inclusive local dates)
          reporting: { from: YYYY-MM-DD, to: YYYY-MM-DD }   # after the measures, compared with the baseline
        sites:
          - id: <site-id>                      # short id (letters, digits, -, _ and .), used by sources and in outputs
            name: "<company name>"             # the company's name as the report shows it
            electricity_contract: grey         # grey (market-based factor = residual mix) | green (guarantees of origin)
            # fte: 50                          # full-time equivalents: KPIs per FTE
            # floor_area_m2: 2000              # floor area in m²: KPIs per m²
        sources:
          - path: "<site-id>/*.csv"            # a glob under input/\(pilot)/: one folder per site, every match is read
            format: fluvius                    # the export's format (docs/formats.md; `parkimpact sniff FILE` proposes one)
            site: <site-id>                    # the site (id above) the files belong to
          # - path: "<site-id>-pv/*.csv"       # an inverter's own export: PV production and self-consumption
          #   format: sma
          #   site: <site-id>
          #   quantity: pv_production
          # - path: "weather/*.csv"            # daily mean temperature: degree days and weather-normalised gas
          #   format: temperature
          #   site: <site-id>
          # - path: "water/*.csv"              # HomeWizard water meter, running total
          #   format: homewizard-water
          #   site: <site-id>
          # - path: "waste/*.csv"              # the waste collector's report (a column names the site)
          #   format: waste
          # - path: "mobility-survey/*.csv"    # home-work commuting survey (a column names the site)
          #   format: commute-survey
        # mobility: { commuting_days_per_year: 220, trips_per_day: 2 }   # annualises the commuting survey
        # prices:                              # EUR per kWh excl. VAT per year: the cost KPIs (null without)
        #   electricity: { 2024: 0.24 }
        #   gas: { 2024: 0.075 }
        # pilot_cost: 100000                   # EUR invested in the pilot: cost per tonne CO2 avoided
        # pilot_cost_by_site: { <site-id>: 100000 }   # the same per site
        # targets:                             # reporting-period targets in the KPI's unit: headline cards
        #   co2.change_vs_baseline_pct: -20
        # factors:                             # overrides of catalogue factors by id (`parkimpact factors`)
        #   electricity.location: 0.15
        # settings:                            # quality thresholds (defaults shown)
        #   coverage_threshold: 0.9

        """
    }
}
