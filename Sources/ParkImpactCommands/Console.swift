import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports
import ParkImpactPipeline

/// Prints diagnostics and summary lines as text (people) or JSON lines (cron, journald).
struct Console {
    let format: LogFormat

    func emit(_ diagnostics: Diagnostics) {
        for entry in diagnostics.entries {
            diagnostic(entry.level, entry.message, pilot: entry.pilot, code: entry.code)
        }
    }

    /// One diagnostic, with its stable code (a JSON line's `code` field).
    func diagnostic(_ level: Diagnostics.Level, _ message: String, pilot: String? = nil, code: DiagnosticCode) {
        log(level, message, pilot: pilot, fields: [("code", KPIJSONWriter.json(code.rawValue))])
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
    func summary(_ outcome: PilotOutcome, verb: String, written: Bool = true) {
        if outcome.inputMissing {
            let text = "\(outcome.pilot): input folder missing: nothing read, no report written"
            switch format {
            case .text: print(text)
            case .json: log(.info, text, pilot: outcome.pilot, fields: [("input_missing", "true")])
            }
            return
        }
        var parts = ["\(outcome.filesRead) file(s) \(verb)"]
        if outcome.filesUnchanged > 0 { parts.append("\(outcome.filesUnchanged) unchanged") }
        if outcome.filesSkipped > 0 { parts.append("\(outcome.filesSkipped) skipped (still being written)") }
        if outcome.filesDuplicate > 0 { parts.append("\(outcome.filesDuplicate) duplicate(s) not counted") }
        if outcome.filesDeletedKept > 0 { parts.append("\(outcome.filesDeletedKept) deleted but kept") }
        parts.append("\(outcome.filesFailed) unreadable")
        var kpis = written ? (Self.kpis(outcome) ?? "outputs up to date")
            : "\(outcome.report?.kpis.count ?? 0) KPIs computed, nothing written"
        if outcome.filesSettling > 0 {
            // Never "up to date" while files wait to settle.
            kpis = (Self.kpis(outcome).map { $0 + "; " } ?? "")
                + Self.settling(outcome.filesSettling, wait: outcome.settleWaitSeconds)
        }
        let text = "\(outcome.pilot): " + parts.joined(separator: ", ")
            + "; \(outcome.rowsAccepted) rows accepted, \(outcome.rowsRejected) rejected; \(kpis)"
        switch format {
        case .text:
            print(text)
        case .json:
            log(.info, text, pilot: outcome.pilot, fields: [
                ("files_read", "\(outcome.filesRead)"), ("files_unchanged", "\(outcome.filesUnchanged)"),
                ("files_skipped", "\(outcome.filesSkipped)"), ("files_duplicate", "\(outcome.filesDuplicate)"),
                ("files_deleted_kept", "\(outcome.filesDeletedKept)"), ("files_unreadable", "\(outcome.filesFailed)"),
                ("files_settling", "\(outcome.filesSettling)"),
                ("rows_accepted", "\(outcome.rowsAccepted)"), ("rows_rejected", "\(outcome.rowsRejected)"),
                ("kpis_written", "\(written && outcome.outputsNotWritten.isEmpty ? outcome.report?.kpis.count ?? 0 : 0)"),
                ("outputs_not_written", Self.jsonList(outcome.outputsNotWritten)),
            ])
        }
    }

    /// What became of a rebuilt pilot's KPIs: `730 KPIs written`, or, when its outputs could not be written (the
    /// error says why), `730 KPIs computed, outputs not written`; nil when nothing was rebuilt.
    static func kpis(_ outcome: PilotOutcome) -> String? {
        guard let report = outcome.report else { return nil }
        return outcome.outputsNotWritten.isEmpty ? "\(report.kpis.count) KPIs written"
            : "\(report.kpis.count) KPIs computed, outputs not written (see the error above)"
    }

    static func jsonList(_ items: [String]) -> String {
        "[" + items.map(KPIJSONWriter.json).joined(separator: ", ") + "]"
    }

    /// The summary line of `report`: counts, no code.
    func rebuilt(_ outcome: PilotOutcome) {
        let kpis = outcome.report?.kpis.count ?? 0
        log(.info, "\(outcome.pilot): rebuilt from the state (no input read); "
            + (Self.kpis(outcome) ?? "\(kpis) KPIs written"), pilot: outcome.pilot,
            fields: [("rebuilt_from_state", "true"),
                     ("kpis_written", "\(outcome.outputsNotWritten.isEmpty ? kpis : 0)"),
                     ("outputs_not_written", Self.jsonList(outcome.outputsNotWritten))])
    }

    /// The one line of a run that found nothing new.
    func nothingNew(_ result: StatefulRun.Result) {
        let skipped = result.outcomes.reduce(0) { $0 + $1.filesSkipped }
        let settling = result.outcomes.reduce(0) { $0 + $1.filesSettling }
        let wait = result.outcomes.map(\.settleWaitSeconds).max() ?? 0
        let text = "nothing new: \(result.filesUnchanged) file(s) unchanged in \(result.outcomes.count) pilot(s)"
            + (skipped > 0 ? ", \(skipped) skipped (still being written)" : "")
            + (settling > 0 ? "; " + Self.settling(settling, wait: wait) : "; outputs up to date")
        switch format {
        case .text: print(text)
        case .json: log(.info, text, fields: [("nothing_new", "true"), ("files_unchanged", "\(result.filesUnchanged)"),
                                              ("files_settling", "\(settling)")])
        }
    }

    /// Files modified less than `--settle-seconds` ago, not read yet.
    static func settling(_ count: Int, wait: Int) -> String {
        "\(count) file(s) left to settle; run again in \(wait) s or pass --settle-seconds 0"
    }
}
