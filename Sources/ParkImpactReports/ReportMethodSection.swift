import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The method appendix: the factors (and prices) used and the formula of every KPI.
extension PilotReportPage {
    mutating func renderMethod() {
        out += "<section id=\"method\">\n<h2>\(esc(text.method))</h2>\n"
        for paragraph in text.methodIntro { out += "<p>\(esc(paragraph))</p>\n" }
        let hasPrices = report.factorsUsed.contains { $0.id.hasPrefix("price.") } || !report.definition.prices.isEmpty
        out += "<h3>\(esc(hasPrices ? t("Factoren en prijzen", "Factors and prices") : text.factors))</h3>\n"
        if report.factorsUsed.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noFactors))</p>\n"
        } else {
            out += "<table class=\"factors\">\n<thead><tr>"
            out += "<th scope=\"col\">\(esc(text.colFactorID))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colValue))</th>"
            out += "<th scope=\"col\">\(esc(text.colUnit))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colYear))</th>"
            out += "<th scope=\"col\">\(esc(text.colSource))</th>"
            out += "<th scope=\"col\">\(esc(text.colNote))</th>"
            out += "</tr></thead>\n<tbody>\n"
            for factor in report.factorsUsed {
                out += "<tr><td><code>\(esc(factor.id))</code></td>"
                out += "<td class=\"num\">\(esc(NumberFormatting.plain(factor.value, maxDecimals: 6, language: language)))</td>"
                out += "<td>\(esc(factor.unit))</td><td class=\"num\">\(factor.year)</td>"
                out += "<td>\(esc(EngineText.source(factor.source, language)))</td>"
                out += "<td>\(factor.note.map { esc(EngineText.factorNote($0, language)) } ?? "")</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }

        renderPricesAndCost()
        out += "<h3>\(esc(text.formulas))</h3>\n"
        if language == .nl {
            out += "<p class=\"notes\">De formules staan zoals in kpis.json en kpis.csv (kolom formula): een technische "
            out += "omschrijving in het Engels, gelijk voor elke taal.</p>\n"
        }
        let keys = KPIOrder.sorted(Set(report.kpis.map(\.key)))
        if keys.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noKPIs))</p>\n"
        } else {
            out += "<dl class=\"formulas\">\n"
            for key in keys {
                let source = index[key, Self.reporting, nil] ?? index[key, Self.baseline, nil]
                    ?? report.kpis.first { $0.key == key && $0.site == nil }
                    ?? report.kpis.first { $0.key == key }
                out += "<dt>\(esc(KPILabels.label(for: key, language: language))) <code class=\"key-inline\">\(esc(key))</code></dt>\n"
                out += "<dd><code class=\"formula\" lang=\"en\">\(esc(source?.provenance.formula ?? ""))</code>"
                let factors = source?.provenance.factors ?? []
                if !factors.isEmpty {
                    let cited = factors.map { "\($0.id) (\($0.year))" }
                    out += "<br><span class=\"muted\">\(esc(text.factorsCited)): "
                    out += "\(esc(cited.joined(separator: ", ")))</span>"
                }
                out += "</dd>\n"
            }
            out += "</dl>\n"
        }
        out += "</section>\n"
    }
}
