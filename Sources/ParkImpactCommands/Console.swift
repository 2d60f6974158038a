import Foundation
import ParkImpactCore

/// Prints diagnostics and summary lines as text (people) or JSON lines (cron, journald).
struct Console {
    let format: LogFormat

    func emit(_ diagnostics: Diagnostics) {
        for entry in diagnostics.entries { log(entry.level, entry.message, pilot: entry.pilot) }
    }

    func log(_ level: Diagnostics.Level, _ message: String, pilot: String? = nil, fields: [(String, String)] = []) {
        switch format {
        case .text:
            let prefix = level == .info ? "" : "\(level.rawValue): "
            let line = prefix + message + "\n"
            FileHandle.standardError.write(Data(line.utf8))
        case .json:
            var parts = ["\"level\": \(KPIJSONWriter.json(level.rawValue))"]
            if let pilot { parts.append("\"pilot\": \(KPIJSONWriter.json(pilot))") }
            parts.append("\"message\": \(KPIJSONWriter.json(message))")
            for (key, value) in fields { parts.append("\(KPIJSONWriter.json(key)): \(value)") }
            FileHandle.standardError.write(Data(("{" + parts.joined(separator: ", ") + "}\n").utf8))
        }
    }

    /// The one summary line per pilot (stdout in text mode; a JSON object in json mode).
    func summary(_ outcome: PilotOutcome, kpisWritten: Int, verb: String) {
        let pilot = outcome.report.definition.pilot
        let text = "\(pilot): \(outcome.filesRead) file(s) \(verb), \(outcome.filesFailed) unreadable; "
            + "\(outcome.rowsAccepted) rows accepted, \(outcome.rowsRejected) rejected; \(kpisWritten) KPIs written"
        switch format {
        case .text:
            print(text)
        case .json:
            log(.info, text, pilot: pilot, fields: [
                ("files_read", "\(outcome.filesRead)"), ("files_unreadable", "\(outcome.filesFailed)"),
                ("rows_accepted", "\(outcome.rowsAccepted)"), ("rows_rejected", "\(outcome.rowsRejected)"),
                ("kpis_written", "\(kpisWritten)"),
            ])
        }
    }
}
