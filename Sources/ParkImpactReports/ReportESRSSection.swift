import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The texts of the ESRS section (`ESRSText.nl` in ReportTextNL.swift, `ESRSText.en` in ReportTextEN.swift).
struct ESRSText: Sendable {
    let title: String
    let intro: String
    let scope3Note: String
    let pilotE16: String
    let pilotE15: String
    let sitesE16: String
    let sitesE15: String
    let colDatapoint: String
    let colESRS: String
    let colUnit: String
    let colBaseline: String
    let colPrevious: String
    let colReporting: String
    let colChange: String
    let colSite: String
    let colPeriod: String
    let previousIsBaseline: String
    let noPrevious: String
    /// The ESRS column of a figure ESRS does not ask for.
    let notESRS: String
    /// Column headers of the site tables, in the order of `siteE16Keys` and `siteE15Keys`.
    let siteE16Headers: [String]
    let siteE15Headers: [String]
}

/// One data point of an ESRS table: its key, its paragraph of ESRS E1, and whether it is a sub-item ("of which").
struct ESRSRow {
    let key: String
    /// nil: a figure ESRS does not ask for (an intensity per FTE or m², the residual mix on its own).
    let paragraph: String?
    var part = false
    var total = false
}

/// The ESRS E1-6 and E1-5 tables, right after the headline: the pilot's data points for the baseline, the previous
/// year and the reporting period with the change of the reporting period against the previous year (ESRS "% N / N-1"),
/// then the sites' main data points, sites as rows. Plain tables (one value per cell, the unit in its own column or
/// in the header) so that they paste into a spreadsheet or a text document as they are.
extension PilotReportPage {
    static let e16Rows: [ESRSRow] = [
        ESRSRow(key: "esrs.e1_6.gross_scope1_t", paragraph: "E1-6 §48(a)"),
        ESRSRow(key: "esrs.e1_6.gross_scope2_location_t", paragraph: "E1-6 §49(a)"),
        ESRSRow(key: "esrs.e1_6.gross_scope2_market_t", paragraph: "E1-6 §49(b)"),
        ESRSRow(key: "esrs.e1_6.gross_scope3_t", paragraph: "E1-6 §51"),
        ESRSRow(key: "esrs.e1_6.scope3_cat7_commuting_t", paragraph: "E1-6 §51, AR 46", part: true),
        ESRSRow(key: "esrs.e1_6.total_location_t", paragraph: "E1-6 §52(a)", total: true),
        ESRSRow(key: "esrs.e1_6.total_market_t", paragraph: "E1-6 §52(b)", total: true),
        ESRSRow(key: "esrs.e1_6.total_location_t_per_fte", paragraph: nil),
        ESRSRow(key: "esrs.e1_6.total_market_t_per_fte", paragraph: nil),
        ESRSRow(key: "esrs.e1_6.total_location_kg_per_m2", paragraph: nil),
        ESRSRow(key: "esrs.e1_6.total_market_kg_per_m2", paragraph: nil),
    ]

    static let e15Rows: [ESRSRow] = [
        ESRSRow(key: "esrs.e1_5.fossil_mwh", paragraph: "E1-5 §37(a)"),
        ESRSRow(key: "esrs.e1_5.nuclear_mwh", paragraph: "E1-5 §37(b)"),
        ESRSRow(key: "esrs.e1_5.renewable_mwh", paragraph: "E1-5 §37(c)"),
        ESRSRow(key: "esrs.e1_5.renewable_purchased_electricity_mwh", paragraph: "E1-5 §37(c)(ii)", part: true),
        ESRSRow(key: "esrs.e1_5.renewable_self_generated_mwh", paragraph: "E1-5 §37(c)(iii)", part: true),
        ESRSRow(key: "esrs.e1_5.grid_residual_mix_mwh", paragraph: nil),
        ESRSRow(key: "esrs.e1_5.total_energy_mwh", paragraph: "E1-5 §37", total: true),
        ESRSRow(key: "esrs.e1_5.renewable_share", paragraph: "E1-5 §37(c)"),
        ESRSRow(key: "esrs.e1_5.energy_mwh_per_fte", paragraph: nil),
        ESRSRow(key: "esrs.e1_5.energy_kwh_per_m2", paragraph: nil),
    ]

    /// Site tables: the E1-6 and E1-5 columns, sites × periods as rows.
    static let siteE16Keys = [
        "esrs.e1_6.gross_scope1_t", "esrs.e1_6.gross_scope2_location_t", "esrs.e1_6.gross_scope2_market_t",
        "esrs.e1_6.scope3_cat7_commuting_t", "esrs.e1_6.total_location_t", "esrs.e1_6.total_market_t",
        "esrs.e1_6.total_market_t_per_fte", "esrs.e1_6.total_market_kg_per_m2",
    ]
    static let siteE15Keys = [
        "esrs.e1_5.total_energy_mwh", "esrs.e1_5.fossil_mwh", "esrs.e1_5.nuclear_mwh", "esrs.e1_5.renewable_mwh",
        "esrs.e1_5.grid_residual_mix_mwh", "esrs.e1_5.renewable_share", "esrs.e1_5.energy_mwh_per_fte",
    ]

    var esrsText: ESRSText { language == .nl ? .nl : .en }

    /// The period the "previous year" column shows: the calendar year before the reporting period when that is a
    /// calendar year and kpis.json has the year; nil otherwise (kpis.json has no period for other 12-month spans).
    var previousYearPeriod: String? {
        let reporting = report.definition.reporting
        guard reporting.from.month == 1, reporting.from.day == 1, reporting.to.month == 12, reporting.to.day == 31,
              reporting.from.year == reporting.to.year else { return nil }
        let key = "\(reporting.from.year - 1)"
        return report.periods.contains { $0.key == key } ? key : nil
    }

    /// Whether the previous year is the baseline period itself.
    var previousYearIsBaseline: Bool {
        guard let previous = previousYearPeriod else { return false }
        let baseline = report.definition.baseline
        return esrsSpan(baseline) == previous
    }

    /// A period's span as a column header: `2023` for a calendar year, else `2023-07-01 – 2024-06-30`.
    func esrsSpan(_ period: PipelineDefinition.Period) -> String {
        if period.from.year == period.to.year, period.from.month == 1, period.from.day == 1, period.to.month == 12,
           period.to.day == 31 {
            return "\(period.from.year)"
        }
        return "\(period.from) – \(period.to)"
    }

    /// A unit as the ESRS tables show it: m² and, in Dutch, VTE.
    func esrsUnit(_ unit: KPIUnit, kind: KPIDisplay.Kind) -> String {
        var shown = KPIDisplay.displayUnit(kind: kind, unit: unit.rawValue, language: language)
        shown = shown.replacingOccurrences(of: "/m2", with: "/m²")
        if language == .nl { shown = shown.replacingOccurrences(of: "/FTE", with: "/VTE") }
        return shown
    }

    mutating func renderESRS() {
        guard report.kpis.contains(where: { $0.key.hasPrefix("esrs.") }) else { return }
        let words = esrsText
        out += "<section id=\"esrs\">\n<h2>\(esc(words.title))</h2>\n"
        out += "<p class=\"notes\">\(esc(words.intro)) \(esc(words.scope3Note))</p>\n"
        out += "<h3>\(esc(words.pilotE16))</h3>\n"
        renderESRSTable(Self.e16Rows)
        out += "<h3>\(esc(words.pilotE15))</h3>\n"
        renderESRSTable(Self.e15Rows)
        if !report.definition.sites.isEmpty {
            out += "<h3>\(esc(words.sitesE16))</h3>\n"
            renderESRSSiteTable(Self.siteE16Keys, headers: words.siteE16Headers)
            out += "<h3>\(esc(words.sitesE15))</h3>\n"
            renderESRSSiteTable(Self.siteE15Keys, headers: words.siteE15Headers)
        }
        out += "</section>\n"
    }

    /// The pilot's data points: label, ESRS paragraph, unit, baseline, previous year, reporting, % N / N-1.
    mutating func renderESRSTable(_ rows: [ESRSRow]) {
        let words = esrsText
        let definition = report.definition
        let previous = previousYearPeriod
        tableCount += 1
        var notes = NoteCollector(table: tableCount)
        out += "<table class=\"kpis esrs\">\n<thead><tr>"
        out += "<th scope=\"col\">\(esc(words.colDatapoint))</th>"
        out += "<th scope=\"col\">\(esc(words.colESRS))</th>"
        out += "<th scope=\"col\">\(esc(words.colUnit))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(words.colBaseline)) \(esc(esrsSpan(definition.baseline)))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(words.colPrevious))"
        if let previous { out += " \(esc(previous))" }
        out += "</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(words.colReporting)) \(esc(esrsSpan(definition.reporting)))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(words.colChange))</th>"
        out += "</tr></thead>\n<tbody>\n"
        let shown = Set(rows.map(\.key))
        for row in rows {
            let baseline = index[row.key, Self.baseline, nil]
            let reporting = index[row.key, Self.reporting, nil]
            let prior = previous.flatMap { index[row.key, $0, nil] }
            guard let sample = reporting ?? baseline else { continue }
            let kind = KPIDisplay.kind(key: row.key, unit: sample.unit.rawValue)
            let low = [baseline, prior, reporting].contains { $0?.flags.contains(KPIDisplay.lowCoverageFlag) == true }
            if low { notes.hasLowCoverage = true }
            let classes = [row.total ? "total" : nil, low ? "low" : nil].compactMap { $0 }
            out += classes.isEmpty ? "<tr>" : "<tr class=\"\(classes.joined(separator: " "))\">"
            let label = KPILabels.label(for: row.key, language: language)
            out += "<th scope=\"row\" title=\"\(esc(row.key))\">\(row.part ? "&#8195;" : "")\(esc(label))</th>"
            out += "<td>\(esc(row.paragraph ?? words.notESRS))</td>"
            out += "<td>\(esc(esrsUnit(sample.unit, kind: kind)))</td>"
            out += "<td class=\"num\">\(esrsValueCell(baseline, kind: kind, notes: &notes, shown: shown))</td>"
            if previous == nil {
                let number = notes.number(for: words.noPrevious)
                out += "<td class=\"num\">\(naSpan(reason: words.noPrevious))<sup class=\"fn\">"
                out += "<a href=\"#\(notes.anchor(number))\">\(number)</a></sup></td>"
            } else {
                out += "<td class=\"num\">\(esrsValueCell(prior, kind: kind, notes: &notes, shown: shown))</td>"
            }
            out += "<td class=\"num\">\(esrsValueCell(reporting, kind: kind, notes: &notes, shown: shown))</td>"
            out += "<td class=\"num\">\(esrsChange(prior, reporting, kind: kind))</td>"
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if previousYearIsBaseline, let previous {
            out += "<p class=\"notes\">\(esc(words.previousIsBaseline.replacingOccurrences(of: "{year}", with: previous)))</p>\n"
        }
        renderNotes(notes)
    }

    /// A value cell of an ESRS table: as `valueCell`, but a null value that is null because another data point of
    /// the same table is null (`shown`) names that data point instead of repeating its reason (the totals and
    /// intensities would otherwise repeat Scope 3's reason in every note).
    func esrsValueCell(_ kpi: KPI?, kind: KPIDisplay.Kind, notes: inout NoteCollector, shown: Set<String>) -> String {
        guard let kpi, kpi.value == nil, let why = kpi.provenance.why else {
            return valueCell(kpi, kind: kind, notes: &notes)
        }
        let reason = esrsReason(why, shown: shown)
        let number = notes.number(for: reason)
        return naSpan(reason: reason) + "<sup class=\"fn\"><a href=\"#\(notes.anchor(number))\">\(number)</a></sup>"
    }

    func esrsReason(_ why: KPIReason, shown: Set<String>) -> String {
        switch why {
        case .within(.isNull(let key), _) where shown.contains(key):
            let label = KPILabels.label(for: key, language: language)
            return language == .nl ? "\(label) is leeg (zie die waarde)" : "\(label) is null (see that value)"
        case .all(let parts) where parts.allSatisfy({
            if case .within(.isNull(let key), _) = $0 { return shown.contains(key) } else { return false }
        }):
            return parts.map { esrsReason($0, shown: shown) }.joined(separator: "; ")
        default:
            return EngineText.reason(why, language)
        }
    }

    /// The change of the reporting period against the previous year: % for quantities, pp for shares; empty when
    /// either is missing.
    func esrsChange(_ previous: KPI?, _ reporting: KPI?, kind: KPIDisplay.Kind) -> String {
        guard let b = previous?.value, let r = reporting?.value, let previous else { return "" }
        // The pilot's change would compare a total with a site's part against one without it (counted as 0).
        if previous.site == nil {
            let gaps = report.definition.sites.map(\.id).filter { siteID in
                let before = index[previous.key, previous.period, siteID], now = index[previous.key, Self.reporting, siteID]
                return before != nil && now != nil && (before?.value == nil) != (now?.value == nil)
            }
            if !gaps.isEmpty {
                let list = gaps.joined(separator: ", ")
                return naSpan(reason: language == .nl
                    ? "geen vergelijking: site \(list) heeft een waarde in één periode en geen in de andere; de "
                        + "verandering zou het ontbrekende deel als 0 tellen"
                    : "no comparison: site \(list) has a value in one period and none in the other; the change would "
                        + "count the missing part as 0")
            }
        }
        switch kind {
        case .ratio:
            return esc(NumberFormatting.percentagePoints((r - b) * 100, language: language))
        case .percent, .points:
            return esc(NumberFormatting.percentagePoints(r - b, language: language))
        case .measure, .count:
            if b == 0, r == 0 { return esc(NumberFormatting.percent(0, language: language)) }
            guard b != 0 else { return naSpan(reason: text.baselineZero) }
            return esc(NumberFormatting.percent((r - b) / abs(b) * 100, language: language, explicitPlus: true))
        }
    }

    /// Sites × periods (baseline, the previous year when it is not the baseline, reporting) as rows, the data points
    /// as columns with their unit in the header.
    mutating func renderESRSSiteTable(_ keys: [String], headers: [String]) {
        let words = esrsText
        let definition = report.definition
        var periods: [(key: String, label: String)] = [
            (Self.baseline, "\(words.colBaseline) \(esrsSpan(definition.baseline))"),
        ]
        if let previous = previousYearPeriod, !previousYearIsBaseline {
            periods.append((previous, "\(words.colPrevious) \(previous)"))
        }
        periods.append((Self.reporting, "\(words.colReporting) \(esrsSpan(definition.reporting))"))
        tableCount += 1
        var notes = NoteCollector(table: tableCount)
        out += "<table class=\"kpis esrs esrs-sites\">\n<thead><tr>"
        out += "<th scope=\"col\">\(esc(words.colSite))</th><th scope=\"col\">\(esc(words.colPeriod))</th>"
        // Scope 3 is category 7: a total null for Scope 3 points at the category 7 column.
        let shown = Set(keys + (keys.contains("esrs.e1_6.scope3_cat7_commuting_t") ? ["esrs.e1_6.gross_scope3_t"] : []))
        for (key, header) in zip(keys, headers) {
            let unit = KPICatalogue.entry(key)?.unit ?? .MWh
            let kind = KPIDisplay.kind(key: key, unit: unit.rawValue)
            out += "<th scope=\"col\" title=\"\(esc(KPILabels.label(for: key, language: language)))\">"
            out += "\(esc(header)) (\(esc(esrsUnit(unit, kind: kind))))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for site in definition.sites {
            // The site's name on every row: a row pasted or sorted in a spreadsheet still says whose it is.
            for period in periods {
                out += "<tr>"
                out += "<th scope=\"row\">\(esc(site.name))</th>"
                out += "<td>\(esc(period.label))</td>"
                for key in keys {
                    let kpi = index[key, period.key, site.id]
                    let unit = kpi?.unit.rawValue ?? KPICatalogue.entry(key)?.unit.rawValue ?? ""
                    let kind = KPIDisplay.kind(key: key, unit: unit)
                    if kpi?.flags.contains(KPIDisplay.lowCoverageFlag) == true { notes.hasLowCoverage = true }
                    out += "<td class=\"num\">\(esrsValueCell(kpi, kind: kind, notes: &notes, shown: shown))</td>"
                }
                out += "</tr>\n"
            }
        }
        out += "</tbody>\n</table>\n"
        renderNotes(notes)
    }
}
