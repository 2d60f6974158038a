import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The monthly table of the whole pilot: offtake, injection, gas and CO2 per month of both periods, with totals.
extension PilotReportPage {
    mutating func renderMonthly() {
        let definition = report.definition
        tableCount += 1
        var notes = NoteCollector(table: tableCount)
        let columns: [(label: String, key: String)] = [
            (text.colOfftake, "energy.electricity.offtake_kwh"),
            (text.colInjection, "energy.electricity.injection_kwh"),
            (text.colGas, "energy.gas_kwh"),
            (text.colCO2Market, KPIDerived.scope12MarketKey),
        ]
        openAppendixSection("monthly", text.monthly)
        out += "<table class=\"monthly\">\n<thead><tr><th scope=\"col\">\(esc(text.colMonth))</th>"
        for column in columns { out += "<th scope=\"col\" class=\"num\">\(esc(column.label))</th>" }
        out += "</tr></thead>\n"
        let groups: [(title: String, period: PipelineDefinition.Period, key: String)] = [
            (text.baselinePeriod, definition.baseline, Self.baseline),
            (text.reportingPeriod, definition.reporting, Self.reporting),
        ]
        for group in groups {
            out += "<tbody>\n<tr class=\"group\"><th colspan=\"\(columns.count + 1)\" scope=\"rowgroup\">"
            out += "\(esc(group.title)) <span class=\"muted\">\(esc(ReportDates.range(group.period, language, text)))</span>"
            out += "</th></tr>\n"
            for month in ReportDates.months(in: group.period) {
                out += "<tr><th scope=\"row\">\(esc(ReportDates.monthName(year: month.year, month: month.month, language)))</th>"
                let periodKey = month.key
                for column in columns {
                    let kpi = monthlyKPI(column.key, period: periodKey)
                    if kpi?.flags.contains(KPIDisplay.lowCoverageFlag) == true { notes.hasLowCoverage = true }
                    let kind = KPIDisplay.kind(key: column.key, unit: kpi?.unit.rawValue ?? "")
                    let cell = kpi == nil ? "<span class=\"na\" title=\"\(esc(text.noData))\">·</span>"
                        : valueCell(kpi, kind: kind, notes: &notes)
                    out += "<td class=\"num\">\(cell)</td>"
                }
                out += "</tr>\n"
            }
            out += "<tr class=\"total\"><th scope=\"row\">\(esc(text.total))</th>"
            for column in columns {
                let kpi = monthlyKPI(column.key, period: group.key)
                if kpi?.flags.contains(KPIDisplay.lowCoverageFlag) == true { notes.hasLowCoverage = true }
                let kind = KPIDisplay.kind(key: column.key, unit: kpi?.unit.rawValue ?? "")
                out += "<td class=\"num\">\(valueCell(kpi, kind: kind, notes: &notes))</td>"
            }
            out += "</tr>\n</tbody>\n"
        }
        out += "</table>\n"
        renderNotes(notes)
        out += "<p class=\"notes\">\(esc(text.monthlyExplain))</p>\n"
        out += "</section>\n"
    }

    func monthlyKPI(_ key: String, period: String) -> KPI? {
        key == KPIDerived.scope12MarketKey
            ? KPIDerived.scope12Market(index, period: period, site: nil)
            : index[key, period, nil]
    }
}
