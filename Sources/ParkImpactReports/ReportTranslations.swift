import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// Texts of the engine as the report shows them. Null reasons and flags are codes with parameters, rendered in the
/// report's language. Ignored-row reasons and factor notes are English texts: English reports show them as they are,
/// Dutch reports translate the known forms and show anything else as a quoted technical message with a Dutch
/// lead-in, so a Dutch page never reads as an English sentence.
enum EngineText {
    // MARK: Flags

    /// A flag's label. `threshold`: the pilot's `settings.coverage_threshold`, named by `low_coverage`.
    static func flag(_ flag: KPIFlag, _ language: PipelineDefinition.Language,
                     threshold: Double = KPI.coverageThreshold) -> String {
        flag.label(language, threshold: threshold)
    }

    // MARK: Null reasons

    /// A KPI's null reason as the report shows it: rendered from its code and parameters (`KPIReason`).
    static func reason(_ reason: KPIReason, _ language: PipelineDefinition.Language) -> String {
        reason.text(language)
    }

    /// A text the engine has no code for (a file that could not be read, a row refused without a code): as it is in
    /// English reports, quoted with a Dutch lead-in in Dutch ones.
    static func problem(_ text: String, _ language: PipelineDefinition.Language) -> String {
        language == .nl ? "technische melding (Engels): «\(text)»" : text
    }

    // MARK: Ignored rows, factor notes

    /// A key of `FileSummary.ignoredRows` (an `IgnoreKey`): the code's title in the report's language, then the
    /// columns it names. A text kept from a version 1 contribution that no code matches is shown as it is.
    static func ignored(_ key: String, _ language: PipelineDefinition.Language) -> String {
        IgnoreKey.render(key, language)
    }

    /// An unreadable file's problem: the title of its code in the report's language, then the message.
    static func problem(_ problem: String, code: String?, _ language: PipelineDefinition.Language) -> String {
        DiagnosticCode(problemCode: code).title(language) + ": " + problem
    }

    /// A dialect description (`CSVDialect.description`): its fixed words in Dutch.
    static func dialect(_ text: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return text }
        return text.components(separatedBy: ", ").map { part in
            if let rest = part.dropPrefix("delimiter ") { return "scheidingsteken " + rest }
            if let rest = part.dropPrefix("thousands ") { return "duizendtallen " + rest }
            switch part {
            case "decimal comma": return "decimale komma"
            case "decimal point": return "decimale punt"
            case "sep= line": return "sep=-regel"
            default: return part.replacingOccurrences(of: " with BOM", with: " met BOM")
            }
        }.joined(separator: ", ")
    }

    /// `no 2024 value in the catalogue; the 2023 value is used`.
    static func factorNote(_ note: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return note }
        if let rest = note.dropPrefix("no "), let range = rest.range(of: " value in the catalogue; the "),
           let used = rest[range.upperBound...].components(separatedBy: " ").first {
            return "geen waarde voor \(rest[..<range.lowerBound]) in de catalogus; de waarde van \(used) wordt gebruikt"
        }
        return "technische melding (Engels): «\(note)»"
    }

    /// A factor source: citations stay as they are; the override lead-in is translated.
    static func source(_ source: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl, let rest = source.dropPrefix("override in ") else { return source }
        return "aangepast in " + rest.replacingOccurrences(of: "(catalogue: ", with: "(catalogus: ")
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
    func dropSuffix(_ suffix: String) -> String? { hasSuffix(suffix) ? String(dropLast(suffix.count)) : nil }
}
