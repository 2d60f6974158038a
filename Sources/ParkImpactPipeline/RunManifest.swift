import Foundation
public import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
public import ParkImpactReports

/// `output/.parkimpact/last-run.json`: what the last run did and when. The only output with a time stamp
/// (`SOURCE_DATE_EPOCH` is honoured), so that reports stay byte-identical between runs.
public enum RunManifest {
    /// Now (or `SOURCE_DATE_EPOCH`) in ISO 8601.
    public static func timestamp() -> String {
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init)
        return ISO8601DateFormatter().string(from: epoch.map { Date(timeIntervalSince1970: $0) } ?? Date())
    }

    /// The run's time for a file name, `20261207T031500Z` (UTC, or `SOURCE_DATE_EPOCH`).
    public static func fileTimestamp() -> String {
        String(timestamp().filter { $0 != "-" && $0 != ":" })
    }

    /// `last-run.json`'s path relative to the output folder.
    public static let relativePath = ".parkimpact/last-run.json"

    /// Writes `last-run.json`; `notWritten` are the outputs of the run that could not be written (relative to the
    /// output folder), listed as `outputs_not_written` (each pilot's own in its entry too).
    public static func write(_ outcomes: [PilotOutcome], diagnostics: Diagnostics, folders: RunFolders,
                             phases: Phases = .init(), notWritten: [String] = []) throws(OutputFailure) {
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init)
        let date = epoch.map { Date(timeIntervalSince1970: $0) } ?? Date()
        let formatter = ISO8601DateFormatter()
        var lines = ["{", "  \"finished_at\": \(KPIJSONWriter.json(formatter.string(from: date))),",
                     "  \"parkimpact\": {\"version\": \(KPIJSONWriter.json(ParkImpactVersion.string)), "
                        + "\"factor_catalogue_sha256\": \(KPIJSONWriter.json(FactorCatalogue.builtInDigest))},",
                     "  \"pilots\": ["]
        lines.append(outcomes.map { outcome in
            "    {\"pilot\": \(KPIJSONWriter.json(outcome.pilot)), \"files_read\": \(outcome.filesRead), "
                + "\"files_unreadable\": \(outcome.filesFailed), \"files_unchanged\": \(outcome.filesUnchanged), "
                + "\"files_skipped\": \(outcome.filesSkipped), \"files_duplicate\": \(outcome.filesDuplicate), "
                + "\"files_deleted_kept\": \(outcome.filesDeletedKept), \"files_settling\": \(outcome.filesSettling), "
                + "\"input_missing\": \(outcome.inputMissing), \"rows_accepted\": \(outcome.rowsAccepted), "
                + "\"rows_rejected\": \(outcome.rowsRejected), \"kpis\": \(outcome.report?.kpis.count ?? 0), "
                + "\"outputs_rebuilt\": \(outcome.report != nil && outcome.outputsNotWritten.isEmpty), "
                + "\"outputs_not_written\": \(list(outcome.outputsNotWritten))}"
        }.joined(separator: ",\n"))
        lines.append("  ],")
        lines.append("  \"diagnostics\": [")
        lines.append(diagnostics.entries.map {
            "    {\"level\": \(KPIJSONWriter.json($0.level.rawValue)), \"message\": \(KPIJSONWriter.json($0.message))"
                + ", \"code\": \(KPIJSONWriter.json($0.code.rawValue))}"
        }.joined(separator: ",\n"))
        lines.append("  ],")
        lines.append("  \"phases_seconds\": {" + phases.entries.map {
            "\(KPIJSONWriter.json($0.name)): \(MachineNumber.format($0.seconds, decimals: 3))"
        }.joined(separator: ", ") + "},")
        lines.append("  \"peak_rss_mib_after\": {" + phases.entries.map {
            "\(KPIJSONWriter.json($0.name)): \(phases.peakMiB[$0.name] ?? 0)"
        }.joined(separator: ", ") + "},")
        lines.append("  \"outputs_not_written\": \(list(notWritten)),")
        lines.append("  \"exit_status\": \(diagnostics.status.rawValue)")
        lines.append("}")
        try OutputFiles.write(lines.joined(separator: "\n") + "\n",
                              to: (folders.output as NSString).appendingPathComponent(relativePath))
    }

    /// A JSON array of strings.
    static func list(_ items: [String]) -> String {
        "[" + items.map(KPIJSONWriter.json).joined(separator: ", ") + "]"
    }
}
