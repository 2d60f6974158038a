import Foundation

/// Texts of the engine as the report shows them. Null reasons and flags are codes with parameters, rendered in the
/// report's language. Ignored-row reasons and factor notes are English texts: English reports show them as they are,
/// Dutch reports translate the known forms and show anything else as a quoted technical message with a Dutch
/// lead-in, so a Dutch page never reads as an English sentence.
enum EngineText {
    // MARK: Flags

    /// A flag's label (`KPIFlag`); a code the engine does not know is shown as it is.
    /// `threshold`: the pilot's `settings.coverage_threshold`, named by `low_coverage`.
    static func flag(_ code: String, _ language: PipelineDefinition.Language,
                     threshold: Double = KPI.coverageThreshold) -> String {
        KPIFlag(rawValue: code)?.label(language, threshold: threshold) ?? code
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

    static let ignoredNL: [String: String] = [
        "gas m³ rows (the kWh twin row is used)": "gasrijen in m³ (de kWh-tweelingrij wordt gebruikt)",
        "reactive energy rows (kVArh, not energy)": "rijen met blindenergie (kVArh, geen energie)",
        "repeated header rows": "herhaalde kopregels",
        "empty rows": "lege rijen",
        "blank rows": "lege rijen",
        "blank lines": "lege regels",
        "the export's total rows": "totaalrijen van de export",
        "report total rows (the sum of the rows above)": "totaalrijen (de som van de rijen erboven)",
        "first reading of a difference chain (the start of the next interval)":
            "eerste meterstand van een reeks verschillen (het begin van het volgende interval)",
        "SMA header rows (model, serial number, channel, type, units)":
            "SMA-kopregels (model, serienummer, kanaal, type, eenheden)",
        "preamble lines before the header": "inleidende regels vóór de kopregel",
        "rows without a register value (no data)": "rijen zonder meterstand (geen gegevens)",
        "footer lines after the last reading": "voetregels na de laatste meting",
        "repeated SMA header (concatenated exports)": "herhaalde SMA-kopregel (samengevoegde exports)",
        "NaN after a channel's last reading (no known interval)": "NaN na de laatste meting van een kanaal (geen interval)",
        "NaN before a channel's first reading (no known interval)": "NaN vóór de eerste meting van een kanaal (geen interval)",
        "NaN inside a rejected difference": "NaN binnen een verworpen verschil",
    ]

    static func ignored(_ reason: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return reason }
        if let dutch = ignoredNL[reason] { return dutch }
        if let channels = reason.dropPrefix("SMA channels not read as energy: ") {
            return "SMA-kanalen die niet als energie gelezen worden: "
                + channels.replacingOccurrences(of: "(not the source's quantity)", with: "(niet de grootheid van de bron)")
        }
        return "technische melding (Engels): «\(reason)»"
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
