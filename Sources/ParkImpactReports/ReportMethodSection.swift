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
        out += "</section>\n"
    }
}
