import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The method section: how the figures are counted, the factors (and prices) used; the formula of every KPI is in the
/// appendix (`renderFormulas`).
extension PilotReportPage {
    mutating func renderMethod() {
        out += "<section id=\"method\">\n<h2>\(esc(text.method))</h2>\n"
        for paragraph in text.methodIntro { out += "<p>\(esc(paragraph))</p>\n" }
        let hasPrices = report.factorsUsed.contains { $0.id.hasPrefix("price.") } || !report.definition.prices.isEmpty
        out += "<h3>\(esc(hasPrices ? t("Factoren en prijzen", "Factors and prices") : text.factors))</h3>\n"
        if report.factorsUsed.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noFactors))</p>\n"
        } else {
            if report.factorsUsed.contains(where: { $0.status == .unconfirmed }) {
                out += "<p class=\"notes\">\(esc(Self.unconfirmedExplanation(language)))</p>\n"
            }
            out += "<table class=\"factors\">\n<thead><tr>"
            out += "<th scope=\"col\">\(esc(text.colFactorID))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colValue))</th>"
            out += "<th scope=\"col\">\(esc(text.colUnit))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colYear))</th>"
            out += "<th scope=\"col\">\(esc(t("Regio", "Region")))</th>"
            out += "<th scope=\"col\">\(esc(t("Basis", "Basis")))</th>"
            out += "<th scope=\"col\">\(esc(text.colSource))</th>"
            out += "<th scope=\"col\">\(esc(t("Status", "Status")))</th>"
            out += "<th scope=\"col\">\(esc(text.colNote))</th>"
            out += "</tr></thead>\n<tbody>\n"
            for (factor, notes) in Self.rows(report.factorsUsed) {
                out += "<tr><td><code>\(esc(factor.id))</code></td>"
                out += "<td class=\"num\">\(esc(NumberFormatting.plain(factor.value, maxDecimals: 6, language: language)))</td>"
                out += "<td>\(esc(factor.unit))</td><td class=\"num\">\(factor.year)</td>"
                out += "<td>\(esc(factor.region ?? "—"))</td><td>\(esc(factor.basis ?? "—"))</td>"
                if let publisher = factor.publisher {
                    out += "<td>\(Self.publisherHTML(publisher))"
                    out += factor.release.map { "; " + esc($0) } ?? ""
                    out += "</td>"
                } else {
                    out += "<td>\(esc(EngineText.source(factor.source, language)))</td>"
                }
                out += "<td class=\"factor-status\">\(esc(Self.statusText(factor.status, language)))</td>"
                out += "<td>\(esc(Self.notesText(notes, language)))</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }

        renderPricesAndCost()
        out += "</section>\n"
    }

    /// A publisher as the table shows it: each "Long Name (ABBR)" as its abbreviation, the full name in the title
    /// ("European Environment Agency (EEA)" → `<abbr title="European Environment Agency">EEA</abbr>`), so the column
    /// stays narrow; kpis.json and docs/factors.md keep the full name.
    static func publisherHTML(_ publisher: String) -> String {
        var html = ""
        var rest = Substring(publisher)
        while let open = rest.range(of: " ("), let close = rest[open.upperBound...].firstIndex(of: ")") {
            let abbreviation = rest[open.upperBound..<close]
            let before = rest[..<open.lowerBound]
            // The long name: the words before " (" back to a separator of the list (" × ", "; ") or the start.
            var nameStart = before.startIndex
            for separator in [" × ", "; ", ", "] {
                if let found = before.range(of: separator, options: .backwards), found.upperBound > nameStart {
                    nameStart = found.upperBound
                }
            }
            let name = before[nameStart...]
            let isAbbreviation = abbreviation.count >= 2 && abbreviation.allSatisfy { $0.isUppercase }
                && name.first?.isUppercase == true
            if isAbbreviation {
                html += esc(String(before[..<nameStart]))
                html += "<abbr title=\"\(esc(String(name)))\">\(esc(String(abbreviation)))</abbr>"
            } else {
                html += esc(String(rest[...close]))
            }
            rest = rest[rest.index(after: close)...]
        }
        return html + esc(String(rest))
    }

    /// One table row per factor value (id, year, value, source), with the notes of every consumption year that
    /// used it (e.g. the 2006 gas default for 2023 and for 2024), in the order of `factors`.
    static func rows(_ factors: [FactorReference]) -> [(factor: FactorReference, notes: [String])] {
        var rows: [(factor: FactorReference, notes: [String])] = []
        for factor in factors {
            if let row = rows.firstIndex(where: {
                $0.factor.id == factor.id && $0.factor.year == factor.year && $0.factor.value == factor.value
                    && $0.factor.source == factor.source
            }) {
                if let note = factor.note, !rows[row].notes.contains(note) { rows[row].notes.append(note) }
            } else {
                rows.append((factor, factor.note.map { [$0] } ?? []))
            }
        }
        return rows
    }

    /// The status column: a catalogue factor's status (unconfirmed marked ⚠); prices and conversions come from the
    /// pipeline definition.
    static func statusText(_ status: FactorStatus?, _ language: PipelineDefinition.Language) -> String {
        switch (status, language) {
        case (.confirmed?, .nl): return "bevestigd"
        case (.confirmed?, .en): return "confirmed"
        case (.unconfirmed?, .nl): return "⚠\u{A0}niet bevestigd"
        case (.unconfirmed?, .en): return "⚠\u{A0}unconfirmed"
        case (nil, .nl): return "pijplijndefinitie"
        case (nil, .en): return "pipeline definition"
        }
    }

    /// The note cell: the consumption years a factor of another year stood in for ("used for 2023, 2024"), from the
    /// provenance notes `no <year> value in the catalogue; the <year> value is used`; other notes as they are.
    static func notesText(_ notes: [String], _ language: PipelineDefinition.Language) -> String {
        var years: [String] = []
        var other: [String] = []
        for note in notes {
            if let rest = note.dropPrefix("no "), rest.contains(" value in the catalogue; the "),
               let year = rest.split(separator: " ").first, year.allSatisfy(\.isNumber) {
                years.append(String(year))
            } else {
                other.append(EngineText.factorNote(note, language))
            }
        }
        if !years.isEmpty {
            let list = years.joined(separator: ", ")
            other.insert(language == .nl ? "gebruikt voor \(list) (geen eigen waarde)"
                                         : "used for \(list) (no value of its own)", at: 0)
        }
        return other.joined(separator: "; ")
    }

    static func unconfirmedExplanation(_ language: PipelineDefinition.Language) -> String {
        language == .nl
            ? "⚠ niet bevestigd: de waarde komt uit bureauonderzoek en is niet gelezen in het document van de "
                + "uitgever; KPI's die zo'n factor gebruiken zijn voorlopig. Bevestigd: gelezen in het geciteerde "
                + "document. Alle factoren tellen directe uitstoot (verbranding; voor vervoer tank-to-wheel)."
            : "⚠ unconfirmed: the value comes from desk research and was not read in the publisher's document; KPIs "
                + "using such a factor are provisional. Confirmed: read in the cited document. All factors count "
                + "direct emissions (combustion; for transport tank-to-wheel)."
    }
}
