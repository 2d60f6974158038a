import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The chart sections of the pilot report, the headline cards with targets, cost per result and the data-quality
/// panel's calendar. Every figure comes from `report.kpis` or `report.daily`; a section without data is replaced by
/// one line saying what to drop in to get it.
extension PilotReportPage {
    /// The report language's text of the two.
    func t(_ nl: String, _ en: String) -> String { language == .nl ? nl : en }

    static let shortMonthsNL = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    static let shortMonthsEN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    func shortMonth(_ month: Int) -> String { (language == .nl ? Self.shortMonthsNL : Self.shortMonthsEN)[month - 1] }

    /// The months of the baseline, then those of the reporting period (each once), with brackets per period.
    var monthAxis: (months: [(year: Int, month: Int, key: String)], groups: [(label: String, from: Int, to: Int)]) {
        var months: [(year: Int, month: Int, key: String)] = []
        var groups: [(label: String, from: Int, to: Int)] = []
        for (label, period) in [(text.baselineShort, report.definition.baseline),
                                (t("Rapportage", "Reporting"), report.definition.reporting)] {
            let from = months.count
            for month in ReportDates.months(in: period) where !months.contains(where: { $0.key == month.key }) {
                months.append(month)
            }
            if months.count > from {
                let years = Set(months[from...].map(\.year)).sorted()
                let span = years.count == 1 ? "\(years[0])" : "\(years.first!)–\(years.last!)"
                groups.append(("\(label) \(span)", from, months.count - 1))
            }
        }
        return (months, groups)
    }

    func monthValues(_ key: String, site: String? = nil, scale: Double = 1) -> [Double?] {
        monthAxis.months.map { month in index[key, month.key, site]?.value.map { $0 * scale } }
    }

    func number(_ value: Double?, _ decimals: Int) -> String {
        guard let value else { return "<span class=\"na\">—</span>" }
        return esc(NumberFormatting.format(value, decimals: decimals, language: language))
    }

    func percentCell(_ ratio: Double?) -> String {
        guard let ratio else { return "<span class=\"na\">—</span>" }
        return esc(NumberFormatting.percent(ratio: ratio, language: language))
    }

    /// A table for a chart's figures: a header row, then rows of a label and cells (already HTML).
    func dataTable(_ header: [String], _ rows: [(label: String, cells: [String])], className: String = "") -> String {
        var html = "<table class=\"chart-data\(className.isEmpty ? "" : " " + className)\">\n<thead><tr>"
        for (column, title) in header.enumerated() {
            html += "<th scope=\"col\"\(column == 0 ? "" : " class=\"num\"")>\(esc(title))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr><th scope=\"row\">\(esc(row.label))</th>"
            for cell in row.cells { html += "<td class=\"num\">\(cell)</td>" }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    mutating func figure(_ svg: String, caption: String, table: String) {
        out += "<figure class=\"chart\">\n\(svg)<figcaption>\(esc(caption))</figcaption>\n"
        out += "<details class=\"data\"><summary>\(esc(t("Cijfers achter de grafiek", "Figures behind the chart")))"
        out += "</summary>\n\(table)</details>\n</figure>\n"
    }

    /// One line for a section without data: what is missing. What to drop in (the hint after `; `) is for the
    /// coordinator and goes to the appendix's notes.
    mutating func omitted(_ id: String, title: String, hint: String) {
        var missing = hint
        if let split = hint.range(of: "; ") {
            missing = String(hint[..<split.lowerBound]) + "."
            coordinatorNotes.append(title + ": " + hint[split.upperBound...])
        }
        out += "<p class=\"omitted\" id=\"\(id)\"><strong>\(esc(title))</strong>: \(esc(missing))</p>\n"
    }

    mutating func openSection(_ id: String, _ title: String) {
        out += "<section id=\"\(id)\" class=\"chart-section\">\n<h2>\(esc(title))</h2>\n"
    }

    // MARK: Headline cards

    mutating func renderCards() {
        let base = Self.baseline, rep = Self.reporting
        out += "<section id=\"headline\">\n<h2>\(esc(text.headline))</h2>\n<div class=\"cards\">\n"
        // The Scope 1+2 card's change vs the baseline is `co2.change_vs_baseline_pct`: one card carries both (and
        // that KPI's target), so the same change is not shown twice.
        let changeKey = "co2.change_vs_baseline_pct"
        var shown: Set<String> = [changeKey]
        renderCard(label: text.cardCO2, key: KPIDerived.scope12MarketKey,
                   reporting: KPIDerived.scope12Market(index, period: rep, site: nil),
                   baseline: KPIDerived.scope12Market(index, period: base, site: nil),
                   targetKey: changeKey)
        renderCard(label: text.cardOfftake, key: "energy.electricity.offtake_kwh",
                   reporting: index["energy.electricity.offtake_kwh", rep, nil],
                   baseline: index["energy.electricity.offtake_kwh", base, nil])
        // The gas card: the measured change and, beside it, the change corrected for the weather.
        renderCard(label: text.cardGas, key: "energy.gas_kwh", reporting: index["energy.gas_kwh", rep, nil],
                   baseline: index["energy.gas_kwh", base, nil],
                   corrected: index["baseline.gas.change_weather_corrected_pct", rep, nil])
        shown.formUnion(["energy.electricity.offtake_kwh", "energy.gas_kwh", "energy.gas.change_vs_baseline_pct",
                         "baseline.gas.change_weather_corrected_pct"])
        let targeted = KPIOrder.sorted(Set(report.definition.targets.keys).subtracting(shown))
        for key in targeted {
            renderCard(label: KPILabels.label(for: key, language: language), key: key,
                       reporting: index[key, rep, nil], baseline: index[key, base, nil])
        }
        out += "</div>\n"
        renderTrustLine()
        if let basis = perDayBasisNote() { out += "<p class=\"notes\">\(esc(basis))</p>\n" }
        let cardKPIs = [KPIDerived.scope12Market(index, period: rep, site: nil),
                        KPIDerived.scope12Market(index, period: base, site: nil)]
            + (["energy.electricity.offtake_kwh", "energy.gas_kwh"] + targeted).flatMap {
                [index[$0, rep, nil], index[$0, base, nil]]
            }
        if cardKPIs.contains(where: { $0?.flags.contains(KPIDisplay.lowCoverageFlag) == true }) {
            out += "<p class=\"notes\"><span class=\"warn\">⚠</span> \(esc(text.lowCoverageNote)): "
            out += "\(esc(text.lowCoverageExplain)).</p>\n"
        }
        if report.kpis.contains(where: {
            $0.key.hasPrefix("co2.") && $0.site == nil && $0.period == rep && $0.value != nil
                && Self.usesUnconfirmedFactor($0)
        }) {
            let provisional = t(
                "De CO2-cijfers zijn voorlopig: ze gebruiken emissiefactoren die niet bevestigd zijn in het document "
                    + "van de uitgever (zie Methode, de factortabel, kolom Status).",
                "The CO2 figures are provisional: they use emission factors not confirmed in the publisher's "
                    + "document (see Method, the factor table, column Status).")
            out += "<p class=\"notes\"><span class=\"warn\">⚠</span> \(esc(provisional))</p>\n"
        }
        if report.definition.targets.isEmpty {
            coordinatorNotes.append(t("Geen doelen ingesteld: voeg in de pipeline-definitie bv. targets: { co2.change_vs_baseline_pct: -20 } toe om per kerncijfer te zien of het doel gehaald is.", "No targets set: add e.g. targets: { co2.change_vs_baseline_pct: -20 } to the pipeline definition to see per headline figure whether its target is met."))
        }
        out += "</section>\n"
    }

    /// The line under the cards that says how far the figures can be trusted: the reporting period's coverage
    /// (warned when below the pilot's `coverage_threshold`), estimated share and rejected rows (pilot total), and
    /// the last data date.
    mutating func renderTrustLine() {
        let rep = Self.reporting
        let threshold = report.definition.settings.coverageThreshold
        var parts: [String] = []
        let coverage = index["quality.coverage", rep, nil]?.value
        if let coverage {
            let figure = esc(NumberFormatting.percent(ratio: coverage, language: language))
            if coverage < threshold {
                let limit = esc(NumberFormatting.percent(ratio: threshold, language: language))
                parts.append("<span class=\"warn\">⚠ \(esc(t("Dekking", "Coverage"))) \(figure) "
                    + "(\(esc(t("onder de drempel van", "below the threshold of"))) \(limit))</span>")
            } else {
                parts.append("\(esc(t("Dekking", "Coverage"))) \(figure)")
            }
        } else {
            parts.append("\(esc(t("Dekking", "Coverage"))) <span class=\"na\">—</span>")
        }
        let estimated = index["quality.estimated_share", rep, nil]?.value
        parts.append("\(esc(t("geschat", "estimated"))) \(percentCell(estimated))")
        if let rejected = index["quality.rejected_rows", rep, nil]?.value {
            let count = esc(NumberFormatting.format(rejected, decimals: 0, language: language))
            parts.append("\(count) \(esc(rejected == 1 ? t("afgekeurde rij", "rejected row") : t("afgekeurde rijen", "rejected rows")))")
        }
        if let last = report.lastDataDate {
            parts.append("\(esc(t("gegevens tot", "data up to"))) \(esc(ReportDates.long(last, language)))")
        } else {
            parts.append("\(esc(t("gegevens tot", "data up to"))) <span class=\"na\">\(esc(text.noData))</span>")
        }
        let low = coverage.map { $0 < threshold } ?? true
        out += "<p class=\"trust\(low ? " trust-low" : "")\">\(esc(t("Rapportageperiode", "Reporting period"))): "
        out += parts.joined(separator: " · ") + "</p>\n"
    }

    /// A value of the KPI `key` in `unit` as a card figure: the number (in the card's unit) and the unit.
    func cardFigure(_ value: Double, key: String, unit kpiUnit: String) -> (text: String, unit: String) {
        let kind = KPIDisplay.kind(key: key, unit: kpiUnit)
        switch kind {
        case .percent:
            return (NumberFormatting.format(value, decimals: 1, language: language, explicitPlus: true), "%")
        case .points:
            return (NumberFormatting.format(value, decimals: 1, language: language, explicitPlus: true), "pp")
        case .ratio:
            return (NumberFormatting.format(value * 100, decimals: 1, language: language), "%")
        default:
            guard let amount = KPIDisplay.cardAmount(key: key, value: value, unit: kpiUnit),
                  let shown = amount.value else {
                return (NumberFormatting.format(value, decimals: 1, language: language), kpiUnit)
            }
            let unit = KPIDisplay.displayUnit(kind: .measure(decimals: amount.decimals), unit: amount.unit,
                                              language: language)
            return (NumberFormatting.format(shown, decimals: amount.decimals, language: language), unit)
        }
    }

    /// `targetKey`: the KPI whose target the card shows (default `key`).
    /// "Changes compare averages per day: …" when the two periods differ in length (every `…change_vs_baseline_pct`
    /// and the cards' changes are per day, as the cost KPIs scale the baseline).
    func perDayBasisNote() -> String? {
        let base = report.definition.baseline, rep = report.definition.reporting
        let baseDays = base.to.dayNumber - base.from.dayNumber + 1, repDays = rep.to.dayNumber - rep.from.dayNumber + 1
        guard baseDays != repDays else { return nil }
        let b = NumberFormatting.format(Double(baseDays), decimals: 0, language: language)
        let r = NumberFormatting.format(Double(repDays), decimals: 0, language: language)
        return t("Veranderingen t.o.v. de referentie vergelijken gemiddelden per dag: de referentieperiode telt \(b) "
                 + "dagen, de rapportageperiode \(r).",
                 "Changes against the baseline compare averages per day: the baseline period has \(b) days, the "
                 + "reporting period \(r).")
    }

    /// `corrected`: a weather-corrected change shown under the measured one (the gas card).
    mutating func renderCard(label: String, key: String, reporting: KPI?, baseline: KPI?, targetKey: String? = nil,
                             corrected: KPI? = nil) {
        out += "<div class=\"card\">\n<div class=\"card-label\">\(esc(label))</div>\n<div class=\"card-value\">"
        if let reporting, let value = reporting.value {
            let figure = cardFigure(value, key: reporting.key, unit: reporting.unit.rawValue)
            out += lowCoverageMark(reporting) + esc(figure.text)
            out += " <span class=\"card-unit\">\(esc(figure.unit))</span>"
        } else {
            out += naSpan(reason: reporting.map { nullReason($0) }
                ?? text.noData)
        }
        out += "</div>\n"
        let isChange = key.hasSuffix("_pct") || key.hasPrefix("mobility.shift_pp.")
        if isChange {
            out += "<div class=\"card-sub\">\(esc(text.cardChangeSub))</div>\n"
        } else {
            out += "<div class=\"card-sub\">\(esc(text.baselineShort)): "
            if let baseline, let value = baseline.value {
                let figure = cardFigure(value, key: baseline.key, unit: baseline.unit.rawValue)
                out += lowCoverageMark(baseline) + esc(figure.text) + " " + esc(figure.unit)
            } else {
                out += naSpan(reason: baseline.map { nullReason($0) }
                    ?? text.noData)
            }
            out += "</div>\n"
            if let r = reporting?.value, let b = baseline?.value {
                if let gap = changeGapReason(keys: [key], site: nil) {
                    out += "<div class=\"card-delta\">" + naSpan(reason: gap) + "</div>\n"
                } else {
                    out += "<div class=\"card-delta\">"
                        + deltaText(key: key, reporting: r, baseline: b, unit: reporting?.unit.rawValue ?? "")
                        + "</div>\n"
                }
            }
            if let corrected {
                out += "<div class=\"card-delta\">\(esc(t("klimaatgecorrigeerd", "weather-corrected"))): "
                if let value = corrected.value {
                    let arrow = value > 0 ? "▲" : value < 0 ? "▼" : "="
                    out += lowCoverageMark(corrected) + "<span class=\"arrow\" aria-hidden=\"true\">\(arrow)</span> "
                    out += esc(NumberFormatting.percent(value, language: language, explicitPlus: true))
                } else {
                    out += naSpan(reason: nullReason(corrected))
                }
                out += "</div>\n"
            }
        }
        let targetKey = targetKey ?? key
        if let target = report.definition.targets[targetKey] {
            out += targetStatus(key: targetKey, target: target,
                                reporting: targetKey == key ? reporting : index[targetKey, Self.reporting, nil])
        }
        out += "</div>\n"
    }

    /// `▼ −12,3 % t.o.v. referentie` (ratios: the change in percentage points; amounts: per day, `changePercent`).
    func deltaText(key: String, reporting r: Double, baseline b: Double, unit: String) -> String {
        var arrow = r > b ? "▲" : r < b ? "▼" : "="
        let kind = KPIDisplay.kind(key: key, unit: unit)
        let change: String
        switch kind {
        case .ratio: change = NumberFormatting.percentagePoints((r - b) * 100, language: language)
        case .percent, .points: change = NumberFormatting.percentagePoints(r - b, language: language)
        default:
            guard b != 0 else { return "<span class=\"arrow\">\(arrow)</span> \(esc(text.baselineZero))" }
            let signed = changePercent(r, b, perDay: KPIUnit(rawValue: unit)?.isPeriodAmount ?? false)
            arrow = signed > 0 ? "▲" : signed < 0 ? "▼" : "="
            change = NumberFormatting.percent(signed, language: language, explicitPlus: true)
        }
        return "<span class=\"arrow\" aria-hidden=\"true\">\(arrow)</span> \(esc(change)) "
            + esc(t("t.o.v. referentie", "vs baseline"))
    }

    func targetStatus(key: String, target: Double, reporting: KPI?) -> String {
        let higher = KPITargets.higherIsBetter(key)
        let unit = reporting?.unit.rawValue ?? (KPITargets.isRatio(key) ? KPIUnit.ratio.rawValue : "")
        let figure = cardFigure(target, key: key, unit: unit)
        var html = "<div class=\"target\">\(esc(t("Doel", "Target"))): \(higher ? "≥" : "≤") "
        html += esc(figure.text) + " " + esc(figure.unit) + " — "
        if let value = reporting?.value {
            let met = higher ? value >= target : value <= target
            html += met ? "<strong class=\"met\">✓ \(esc(t("gehaald", "met")))</strong>"
                : "<strong class=\"missed\">✗ \(esc(t("niet gehaald", "not met")))</strong>"
        } else {
            html += "<span class=\"muted\">\(esc(t("niet te beoordelen: geen waarde", "cannot be judged: no value")))</span>"
        }
        return html + "</div>\n"
    }

    // MARK: Energy by carrier

    mutating func renderEnergyChart() {
        let title = t("Energie per drager per maand", "Energy by carrier per month")
        let offtake = monthValues("energy.electricity.offtake_kwh", scale: 0.001)
        let selfConsumed = monthValues("energy.electricity.self_consumed_kwh", scale: 0.001)
        let gas = monthValues("energy.gas_kwh", scale: 0.001)
        var series: [ChartSeries] = []
        if offtake.contains(where: { $0 != nil }) {
            series.append(ChartSeries(label: t("Elektriciteit van het net", "Grid electricity"), values: offtake, style: 0))
        }
        if selfConsumed.contains(where: { $0 != nil }) {
            series.append(ChartSeries(label: t("Zelf verbruikte PV-stroom", "Self-consumed PV"), values: selfConsumed,
                                      style: 3))
        }
        if gas.contains(where: { $0 != nil }) {
            series.append(ChartSeries(label: t("Aardgas", "Natural gas"), values: gas, style: 2))
        }
        guard !series.isEmpty else {
            omitted("energy", title: title, hint: t(
                "geen energiegegevens; zet de Fluvius-exports (elektriciteit, gas) in de map van de site en noem ze onder sources.",
                "no energy data; drop the Fluvius exports (electricity, gas) into the site's folder and list them under sources."))
            return
        }
        let axis = monthAxis
        openSection("energy", title)
        let chart = BarChart(title: title, categories: axis.months.map { shortMonth($0.month) }, series: series,
                             yTitle: "MWh", groups: axis.groups)
        var rows: [(label: String, cells: [String])] = []
        for (position, month) in axis.months.enumerated() {
            let values = series.map { $0.values[position] }
            let total: Double? = values.allSatisfy { $0 == nil } ? nil : values.reduce(0) { $0 + ($1 ?? 0) }
            rows.append((ReportDates.monthName(year: month.year, month: month.month, language),
                         values.map { number($0, 1) } + [number(total, 1)]))
        }
        figure(chart.svg(language: language),
               caption: t("Gestapeld per maand, in MWh (aardgas op bovenwaarde). Een maand zonder staaf heeft geen "
                   + "gegevens; ontbrekende intervallen tellen niet als nul.",
                   "Stacked per month, in MWh (natural gas on gross calorific value). A month without a bar has no "
                   + "data; missing intervals do not count as zero."),
               table: dataTable([text.colMonth] + series.map { "\($0.label) (MWh)" } + [text.total + " (MWh)"], rows))
        out += "</section>\n"
    }

    // MARK: CO2 by scope

    mutating func renderCO2Chart() {
        let title = t("CO2 per scope: locatie- en marktgebaseerd, referentie en rapportage",
                      "CO2 by scope: location- and market-based, baseline and reporting")
        let base = Self.baseline, rep = Self.reporting
        func v(_ key: String, _ period: String) -> Double? { index[key, period, nil]?.value }
        let scope1 = [v("co2.scope1_t", base), v("co2.scope1_t", base), v("co2.scope1_t", rep), v("co2.scope1_t", rep)]
        let scope2 = [v("co2.scope2_location_t", base), v("co2.scope2_market_t", base),
                      v("co2.scope2_location_t", rep), v("co2.scope2_market_t", rep)]
        guard (scope1 + scope2).contains(where: { $0 != nil }) else {
            omitted("co2", title: t("CO2 per scope", "CO2 by scope"), hint: t(
                "geen netafname of aardgas; zet de Fluvius-exports in de map van de site om Scope 1 en 2 te berekenen.",
                "no grid offtake or natural gas; drop the Fluvius exports into the site's folder to compute Scope 1 and 2."))
            return
        }
        openSection("co2", title)
        // Scope 1+2: a measured component without data makes the sum null (KPIDerived.combine), never 0.
        let totals = [("co2.scope2_location_t", base), ("co2.scope2_market_t", base), ("co2.scope2_location_t", rep),
                      ("co2.scope2_market_t", rep)].map { key, period in
            KPIDerived.combine([index["co2.scope1_t", period, nil], index[key, period, nil]], key: "scope12",
                               period: period, site: nil, formula: "")?.value
        }
        let chart = BarChart(
            title: title,
            categories: [t("locatie", "location"), t("markt", "market"), t("locatie", "location"), t("markt", "market")],
            series: [ChartSeries(label: t("Scope 1 (aardgas ter plaatse)", "Scope 1 (on-site natural gas)"),
                                 values: scope1, style: 0),
                     ChartSeries(label: t("Scope 2 (elektriciteit van het net)", "Scope 2 (grid electricity)"),
                                 values: scope2, style: 3)],
            yTitle: "t CO2e",
            groups: [(text.baselineShort, 0, 1), (t("Rapportage", "Reporting"), 2, 3)],
            barLabels: totals.map { $0.map { NumberFormatting.format($0, decimals: 1, language: language) + " t" } },
            width: 720, plotHeight: 170)
        func change(_ b: Double?, _ r: Double?, _ keys: [String]) -> String {
            guard let b, let r else { return "<span class=\"na\">—</span>" }
            if let gap = changeGapReason(keys: keys, site: nil) { return naSpan(reason: gap) }
            guard b != 0 else { return naSpan(reason: text.baselineZero) }
            return esc(NumberFormatting.percent(changePercent(r, b, perDay: true), language: language,
                                                explicitPlus: true))
        }
        let rows: [(label: String, cells: [String])] = [
            (KPILabels.label(for: "co2.scope1_t", language: language),
             [number(scope1[0], 2), number(scope1[2], 2), change(scope1[0], scope1[2], ["co2.scope1_t"])]),
            (KPILabels.label(for: "co2.scope2_location_t", language: language),
             [number(scope2[0], 2), number(scope2[2], 2), change(scope2[0], scope2[2], ["co2.scope2_location_t"])]),
            (KPILabels.label(for: "co2.scope2_market_t", language: language),
             [number(scope2[1], 2), number(scope2[3], 2), change(scope2[1], scope2[3], ["co2.scope2_market_t"])]),
            (t("Scope 1+2, locatiegebaseerd", "Scope 1+2, location-based"),
             [number(totals[0], 2), number(totals[2], 2),
              change(totals[0], totals[2], ["co2.scope1_t", "co2.scope2_location_t"])]),
            (t("Scope 1+2, marktgebaseerd", "Scope 1+2, market-based"),
             [number(totals[1], 2), number(totals[3], 2),
              change(totals[1], totals[3], ["co2.scope1_t", "co2.scope2_market_t"])]),
        ]
        figure(chart.svg(language: language),
               caption: t("Ton CO2e. Locatiegebaseerd rekent met de gemiddelde netmix, marktgebaseerd met het "
                   + "stroomcontract (groen = 0, grijs = residuele mix). Het getal boven een staaf is Scope 1+2.",
                   "Tonnes CO2e. Location-based uses the average grid mix, market-based the electricity contract "
                   + "(green = 0, grey = residual mix). The figure above a bar is Scope 1+2."),
               table: dataTable([t("Scope", "Scope"), text.colBaseline + " (t)", text.colReporting + " (t)",
                                 text.colChange], rows))
        out += "</section>\n"
    }

    // MARK: PV

    mutating func renderPVChart() {
        let title = t("PV: productie, zelfverbruik en zelfvoorziening", "PV: production, self-consumption and self-sufficiency")
        let production = monthValues("energy.electricity.pv_production_kwh", scale: 0.001)
        guard production.contains(where: { $0 != nil }) else {
            omitted("pv", title: t("PV", "PV"), hint: t(
                "geen PV-productie; zet de export van de omvormer (sma, sungrow of enphase) in een map en noem ze onder sources met de site.",
                "no PV production; drop the inverter's export (sma, sungrow or enphase) into a folder and list it under sources with its site."))
            return
        }
        let selfConsumed = monthValues("energy.electricity.self_consumed_kwh", scale: 0.001)
        let rest = zip(production, selfConsumed).map { p, s -> Double? in p.map { max(0, $0 - (s ?? 0)) } }
        let consumptionRatio = monthValues("energy.pv.self_consumption_ratio", scale: 100)
        let sufficiency = monthValues("energy.pv.self_sufficiency_ratio", scale: 100)
        let axis = monthAxis
        openSection("pv", title)
        let base = Self.baseline, rep = Self.reporting
        var summary: [String] = []
        for (label, period) in [(text.baselineShort, base), (t("Rapportage", "Reporting"), rep)] {
            guard let p = index["energy.electricity.pv_production_kwh", period, nil]?.value else { continue }
            var line = "\(label): " + NumberFormatting.format(p / 1000, decimals: 1, language: language) + " MWh"
            if let ratio = index["energy.pv.self_consumption_ratio", period, nil]?.value {
                line += ", " + t("zelfverbruik", "self-consumption") + " "
                    + NumberFormatting.percent(ratio: ratio, language: language)
            }
            if let ratio = index["energy.pv.self_sufficiency_ratio", period, nil]?.value {
                line += ", " + t("zelfvoorziening", "self-sufficiency") + " "
                    + NumberFormatting.percent(ratio: ratio, language: language)
            }
            summary.append(line)
        }
        if !summary.isEmpty { out += "<p class=\"summary\">\(esc(summary.joined(separator: " · ")))</p>\n" }
        let series = [
            ChartSeries(label: t("Zelf verbruikt", "Self-consumed"), values: selfConsumed, style: 0),
            ChartSeries(label: t("Rest van de productie (naar het net)", "Rest of production (to the grid)"),
                        values: rest, style: 1),
        ]
        let lines = [
            ChartSeries(label: t("Zelfverbruiksgraad (%)", "Self-consumption ratio (%)"), values: consumptionRatio, style: 0),
            ChartSeries(label: t("Zelfvoorzieningsgraad (%)", "Self-sufficiency ratio (%)"), values: sufficiency, style: 1),
        ]
        let chart = BarChart(title: title, categories: axis.months.map { shortMonth($0.month) }, series: series,
                             yTitle: t("PV-productie (MWh)", "PV production (MWh)"), lines: lines, lineTitle: "%",
                             groups: axis.groups)
        var rows: [(label: String, cells: [String])] = []
        for (position, month) in axis.months.enumerated() {
            rows.append((ReportDates.monthName(year: month.year, month: month.month, language),
                         [number(production[position], 2), number(selfConsumed[position], 2),
                          number(consumptionRatio[position], 1), number(sufficiency[position], 1)]))
        }
        figure(chart.svg(language: language),
               caption: t("Staven: PV-productie per maand (MWh), opgesplitst in zelf verbruikt en de rest. Lijnen "
                   + "(rechteras, %): zelfverbruiksgraad = zelf verbruikt ÷ productie; zelfvoorzieningsgraad = zelf "
                   + "verbruikt ÷ (zelf verbruikt + netafname), per kwartier gekoppeld.",
                   "Bars: PV production per month (MWh), split into self-consumed and the rest. Lines (right axis, "
                   + "%): self-consumption ratio = self-consumed ÷ production; self-sufficiency ratio = self-consumed "
                   + "÷ (self-consumed + grid offtake), matched per quarter-hour."),
               table: dataTable([text.colMonth, t("Productie (MWh)", "Production (MWh)"),
                                 t("Zelf verbruikt (MWh)", "Self-consumed (MWh)"),
                                 t("Zelfverbruiksgraad (%)", "Self-consumption (%)"),
                                 t("Zelfvoorzieningsgraad (%)", "Self-sufficiency (%)")], rows))
        out += "</section>\n"
    }

    // MARK: Daily heatmap

    /// Calendar rows (one per month of the axis) of a daily value.
    func calendarRows(_ value: (DailyTotal) -> Double?) -> [(label: String, values: [Double?])] {
        guard let first = report.daily.first?.day else { return [] }
        return monthAxis.months.map { month in
            let days = CivilDate.daysIn(month: month.month, year: month.year)
            let values: [Double?] = (1...days).map { day in
                let number = CivilDate.dayNumber(year: month.year, month: month.month, day: day)
                let position = number - first
                guard position >= 0, position < report.daily.count else { return nil }
                return value(report.daily[position])
            }
            return ("\(shortMonth(month.month)) \(month.year)", values)
        }
    }

    func calendarTable(_ rows: [(label: String, values: [Double?])], decimals: Int, scale: Double = 1) -> String {
        dataTable([text.colMonth] + (1...31).map { "\($0)" },
                  rows.map { row in (row.label, (0..<31).map { $0 < row.values.count ? number(row.values[$0].map { $0 * scale }, decimals) : "" }) },
                  className: "calendar")
    }

    mutating func renderLoadHeatmap() {
        let title = t("Dagelijkse netafname (elektriciteit)", "Daily grid offtake (electricity)")
        let rows = calendarRows { $0.offtakeKWh }
        let values = rows.flatMap { $0.values.compactMap { $0 } }.sorted()
        guard !values.isEmpty else {
            omitted("load", title: title, hint: t(
                "geen netafname per dag; zet Fluvius-kwartierdata (elektriciteit) in de map van de site.",
                "no daily grid offtake; drop Fluvius quarter-hour data (electricity) into the site's folder."))
            return
        }
        openSection("load", title)
        // Five classes at the 20/40/60/80 % quantiles of the days with data.
        let bounds = [0.2, 0.4, 0.6, 0.8].map { values[min(values.count - 1, Int(Double(values.count) * $0))] }
            + [values.last!]
        let language = self.language
        let f = { (v: Double) in NumberFormatting.format(v, decimals: 0, language: language) }
        let labels = ["≤ \(f(bounds[0]))", "≤ \(f(bounds[1]))", "≤ \(f(bounds[2]))", "≤ \(f(bounds[3]))",
                      "≤ \(f(bounds[4])) kWh", t("geen gegevens", "no data")]
        let chart = CalendarHeatmap(title: title, rows: rows, bounds: bounds, legendLabels: labels)
        figure(chart.svg(),
               caption: t("Eén vakje per dag: som van de netafname van alle sites in kWh; donkerder = meer (vijf "
                   + "klassen van even veel dagen). Een wit vakje met stippellijn heeft geen gegevens.",
                   "One cell per day: grid offtake of all sites in kWh; darker = more (five classes with as many days "
                   + "each). A white cell with a dotted outline has no data."),
               table: calendarTable(rows, decimals: 0))
        out += "</section>\n"
    }

    // MARK: Modal split

    mutating func renderModalSplit() {
        let title = t("Modal split: referentie en nu", "Modal split: baseline and now")
        let base = Self.baseline, rep = Self.reporting
        let modes = TransportMode.allCases.filter {
            index["mobility.share.\($0.rawValue)", base, nil]?.value != nil
                || index["mobility.share.\($0.rawValue)", rep, nil]?.value != nil
        }
        guard !modes.isEmpty else {
            omitted("mobility", title: t("Modal split", "Modal split"), hint: t(
                "geen pendelenquête; zet de enquête (format commute-survey) van de referentie en van nu in een map en noem ze onder sources.",
                "no commuting survey; drop the baseline and current surveys (format commute-survey) into a folder and list them under sources."))
            return
        }
        openSection("mobility", title)
        let modeNames = modes.map { KPICatalogue.modeName($0, language) }
        let rows = [(text.baselineShort, base), (t("Rapportage", "Reporting"), rep)].map { label, period in
            (label: label, shares: modes.map { index["mobility.share.\($0.rawValue)", period, nil]?.value })
        }
        let chart = ShareBars(title: title, rows: rows, categories: modeNames)
        var tableRows: [(label: String, cells: [String])] = []
        for (position, mode) in modes.enumerated() {
            let b = rows[0].shares[position], r = rows[1].shares[position]
            let shift = index["mobility.shift_pp.\(mode.rawValue)", rep, nil]
            var shiftText = "<span class=\"na\">—</span>"
            if let value = shift?.value {
                let kind = KPIDisplay.kind(key: shift!.key, unit: shift!.unit.rawValue)
                shiftText = esc(NumberFormatting.percentagePoints(kind == .ratio ? value * 100 : value, language: language))
            } else if let b, let r {
                shiftText = esc(NumberFormatting.percentagePoints((r - b) * 100, language: language))
            }
            tableRows.append((modeNames[position], [percentCell(b), percentCell(r), shiftText]))
        }
        if let carIndex = modes.firstIndex(of: .car), let b = rows[0].shares[carIndex], let r = rows[1].shares[carIndex] {
            out += "<p class=\"summary\">\(esc(t("Aandeel auto (solo)", "Car (solo) share"))): "
            out += "\(esc(NumberFormatting.percent(ratio: b, language: language))) → "
            out += "\(esc(NumberFormatting.percent(ratio: r, language: language))) "
            out += "(\(esc(NumberFormatting.percentagePoints((r - b) * 100, language: language))))</p>\n"
        }
        figure(chart.svg(language: language),
               caption: t("Aandeel van de pendelverplaatsingen per hoofdvervoerwijze (100 %), uit de enquête van "
                   + "de referentie- en de rapportageperiode; verschuiving in procentpunten (pp) in de tabel.",
                   "Share of commuting trips per main mode (100 %), from the survey of the baseline and the "
                   + "reporting period; the shift in percentage points (pp) is in the table."),
               table: dataTable([t("Vervoerwijze", "Mode"), text.colBaseline, text.colReporting,
                                 t("Verschuiving", "Shift")], tableRows))
        out += "</section>\n"
    }

    // MARK: Water

    mutating func renderWaterChart() {
        let title = t("Water per maand en minimaal nachtdebiet", "Water per month and minimum night flow")
        let water = monthValues("water.m3")
        guard water.contains(where: { $0 != nil }) else {
            omitted("water", title: t("Water", "Water"), hint: t(
                "geen watermeter; zet de export van de watermeter (homewizard-water of meter-readings) in de map van de site.",
                "no water meter; drop the water meter's export (homewizard-water or meter-readings) into the site's folder."))
            return
        }
        openSection("water", title)
        let axis = monthAxis
        var lines: [ChartSeries] = []
        var siteNames: [String] = []
        for site in report.definition.sites {
            let values = monthValues("water.night_min_flow_m3h", site: site.id)
            guard values.contains(where: { $0 != nil }) else { continue }
            lines.append(ChartSeries(label: t("Nachtdebiet ", "Night flow ") + site.name + " (m³/h)", values: values,
                                     style: lines.count))
            siteNames.append(site.name)
        }
        let chart = BarChart(title: title, categories: axis.months.map { shortMonth($0.month) },
                             series: [ChartSeries(label: t("Waterverbruik (m³)", "Water use (m³)"), values: water, style: 1)],
                             yTitle: "m³", lines: lines, lineTitle: "m³/h", groups: axis.groups)
        var summary: [String] = []
        for site in report.definition.sites {
            let b = index["water.night_min_flow_m3h", Self.baseline, site.id]?.value
            let r = index["water.night_min_flow_m3h", Self.reporting, site.id]?.value
            guard b != nil || r != nil else { continue }
            summary.append("\(site.name): " + [b, r].map {
                $0.map { NumberFormatting.format($0, decimals: 3, language: language) } ?? NumberFormatting.dash
            }.joined(separator: " → ") + " m³/h")
        }
        if !summary.isEmpty {
            out += "<p class=\"summary\">\(esc(t("Minimaal nachtdebiet (referentie → rapportage)", "Minimum night flow (baseline → reporting)"))): "
            out += "\(esc(summary.joined(separator: " · ")))</p>\n"
        }
        var rows: [(label: String, cells: [String])] = []
        for (position, month) in axis.months.enumerated() {
            rows.append((ReportDates.monthName(year: month.year, month: month.month, language),
                         [number(water[position], 1)] + lines.map { number($0.values[position], 3) }))
        }
        figure(chart.svg(language: language),
               caption: t("Staven: waterverbruik per maand (m³). Lijnen (rechteras): het laagste debiet tussen 01:00 "
                   + "en 05:00 in de maand (m³/h), een lekindicator: blijft het 's nachts boven 0, dan loopt er ergens water.",
                   "Bars: water use per month (m³). Lines (right axis): the lowest flow between 01:00 and 05:00 in the "
                   + "month (m³/h), a leak indicator: if it stays above 0 at night, water is running somewhere."),
               table: dataTable([text.colMonth, t("Water (m³)", "Water (m³)")]
                                    + siteNames.map { t("Nachtdebiet ", "Night flow ") + $0 + " (m³/h)" }, rows))
        out += "</section>\n"
    }

    // MARK: Waste

    mutating func renderWasteChart() {
        let title = t("Afval per verwerking en recyclagegraad", "Waste by treatment and recycling rate")
        let periods = [(text.baselineShort, Self.baseline), (t("Rapportage", "Reporting"), Self.reporting)]
        let totals = periods.map { index["waste.total_kg", $0.1, nil]?.value }
        guard totals.contains(where: { $0 != nil }) else {
            omitted("waste", title: t("Afval", "Waste"), hint: t(
                "geen afvalgegevens; zet het rapport van de afvalophaler (format waste: EURAL-code, kg, R/D-code) in een map en noem het onder sources.",
                "no waste data; drop the collector's report (format waste: EURAL code, kg, R/D code) into a folder and list it under sources."))
            return
        }
        openSection("waste", title)
        let tonnes = (totals.compactMap { $0 }.max() ?? 0) >= 10_000
        let scale = tonnes ? 0.001 : 1, unit = tonnes ? "t" : "kg"
        func part(_ key: String) -> [Double?] {
            periods.enumerated().map { position, period in
                guard let total = totals[position], let share = index[key, period.1, nil]?.value else { return nil }
                return total * share * scale
            }
        }
        let recycling = part("waste.recycling_rate"), recovery = part("waste.energy_recovery_share")
        let disposal = part("waste.disposal_share")
        let other: [Double?] = totals.enumerated().map { position, total in
            guard let total else { return nil }
            let rest = total * scale - (recycling[position] ?? 0) - (recovery[position] ?? 0) - (disposal[position] ?? 0)
            return rest > 0.0005 * total * scale ? rest : nil
        }
        var series = [
            ChartSeries(label: t("Recyclage (R2–R11)", "Recycling (R2–R11)"), values: recycling, style: 0),
            ChartSeries(label: t("Energierecuperatie (R1)", "Energy recovery (R1)"), values: recovery, style: 1),
            ChartSeries(label: t("Verwijdering (D1–D15)", "Disposal (D1–D15)"), values: disposal, style: 2),
        ]
        if other.contains(where: { $0 != nil }) {
            series.append(ChartSeries(label: t("Overig (R12/R13, onbekend)", "Other (R12/R13, unknown)"), values: other,
                                      style: 3))
        }
        let rates = periods.map { index["waste.recycling_rate", $0.1, nil]?.value }
        let chart = BarChart(
            title: title, categories: periods.map(\.0), series: series, yTitle: unit,
            barLabels: rates.map { $0.map { t("recyclage ", "recycling ") + NumberFormatting.percent(ratio: $0, language: language) } },
            width: 720, plotHeight: 170)
        var rows: [(label: String, cells: [String])] = series.map { entry in
            (entry.label + " (\(unit))", entry.values.map { number($0, tonnes ? 2 : 0) })
        }
        rows.append((text.total + " (\(unit))", totals.map { number($0.map { $0 * scale }, tonnes ? 2 : 0) }))
        for key in ["waste.recycling_rate", "waste.residual_share", "waste.hazardous_share"] {
            rows.append((KPILabels.label(for: key, language: language),
                         periods.map { percentCell(index[key, $0.1, nil]?.value) }))
        }
        figure(chart.svg(language: language),
               caption: t("Ingezamelde massa per verwerkingscode (\(unit)); het getal boven de staaf is de recyclagegraad "
                   + "= recyclage ÷ totaal.", "Collected mass by treatment code (\(unit)); the figure above a bar is the "
                   + "recycling rate = recycling ÷ total."),
               table: dataTable([t("Verwerking", "Treatment"), text.colBaseline, text.colReporting], rows))
        out += "</section>\n"
    }

    // MARK: Cost per result

    mutating func renderCost() {
        let title = t("Kosten per resultaat", "Cost per result")
        let keys = ["cost.energy_avoided_eur", "cost.eur_per_t_co2_avoided", "cost.payback_years"]
        guard report.definition.hasCostConfiguration,
              keys.contains(where: { index[$0, Self.reporting, nil] != nil }) else {
            omitted("cost", title: title, hint: t("geen energieprijzen of investering opgegeven.",
                                                  "no energy prices or investment given."))
            coordinatorNotes.append(t(
                "Kosten per resultaat: voeg prices: (EUR per kWh per jaar) en pilot_cost: (EUR) toe aan de pipeline-definitie.",
                "Cost per result: add prices: (EUR per kWh by year) and pilot_cost: (EUR) to the pipeline definition."))
            return
        }
        out += "<section id=\"cost\">\n<h2>\(esc(title))</h2>\n"
        let sites = report.definition.sites.filter { site in keys.contains { index[$0, Self.reporting, site.id] != nil } }
        tableCount += 1
        var notes = NoteCollector(table: tableCount)
        out += "<table class=\"kpis\">\n<thead><tr><th scope=\"col\">\(esc(text.colKPI))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(t("Hele pilot", "Whole pilot")))</th>"
        for site in sites { out += "<th scope=\"col\" class=\"num\">\(esc(site.name))</th>" }
        out += "<th scope=\"col\">\(esc(text.colUnit))</th></tr></thead>\n<tbody>\n"
        for key in keys {
            let kpi = index[key, Self.reporting, nil]
            let unit = kpi?.unit.rawValue ?? ""
            let kind = KPIDisplay.kind(key: key, unit: unit)
            out += "<tr><th scope=\"row\">\(esc(KPILabels.label(for: key, language: language)))"
            out += "<code class=\"key\">\(esc(key))</code></th>"
            out += "<td class=\"num\">\(valueCell(kpi, kind: kind, notes: &notes))</td>"
            for site in sites {
                out += "<td class=\"num\">\(valueCell(index[key, Self.reporting, site.id], kind: kind, notes: &notes))</td>"
            }
            out += "<td>\(esc(KPIDisplay.displayUnit(kind: kind, unit: unit, language: language)))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        renderNotes(notes)
        out += "<p class=\"notes\">\(esc(t("Rapportageperiode. Vermeden energiekosten = (referentieverbruik per dag × dagen − verbruik) × prijs van het jaar; kost per vermeden ton = de volledige investering ÷ de ton CO2 (Scope 1+2, marktgebaseerd) vermeden in de rapportageperiode alleen, niet over de levensduur van de investering; terugverdientijd = investering ÷ vermeden energiekosten per jaar. Prijzen en investering staan in de methode.", "Reporting period. Energy cost avoided = (baseline use per day × days − use) × the year's price; cost per tonne avoided = the whole investment ÷ the tonnes CO2 (Scope 1+2, market-based) avoided in the reporting period alone, not over the investment's lifetime; payback = investment ÷ energy cost avoided per year. Prices and investment are listed in the method.")))</p>\n"
        out += "</section>\n"
    }

    // MARK: Coverage calendar (data quality)

    mutating func renderCoverageCalendar() {
        let rows = calendarRows { $0.coverage }
        guard rows.contains(where: { $0.values.contains { $0 != nil } }) else { return }
        out += "<h3>\(esc(t("Dekkingskalender", "Coverage calendar")))</h3>\n"
        let chart = CalendarHeatmap(
            title: t("Dekking per dag", "Coverage per day"), rows: rows, bounds: [0.5, 0.9, 0.99, 0.999_999, 1],
            legendLabels: ["< 50 %", "50–90 %", "90–99 %", t("99–<100 %", "99–<100 %"), "100 %",
                           t("niets verwacht", "nothing expected")])
        figure(chart.svg(),
               caption: t("Aanwezige ÷ verwachte intervallen per dag over alle meetreeksen (zoals de datadekking); "
                   + "lichter = meer ontbreekt.", "Present ÷ expected intervals per day over all metered series (as "
                   + "data coverage counts them); lighter = more missing."),
               table: calendarTable(rows, decimals: 1, scale: 100))
        // Estimated share.
        var facts: [String] = []
        for (label, period) in [(text.baselineShort, Self.baseline), (t("Rapportage", "Reporting"), Self.reporting)] {
            let coverage = index["quality.coverage", period, nil]?.value
            let estimated = index["quality.estimated_share", period, nil]?.value
            guard coverage != nil || estimated != nil else { continue }
            var line = "\(label): " + t("dekking ", "coverage ")
                + (coverage.map { NumberFormatting.percent(ratio: $0, language: language) } ?? NumberFormatting.dash)
            line += ", " + t("geschat ", "estimated ")
                + (estimated.map { NumberFormatting.percent(ratio: $0, language: language) } ?? NumberFormatting.dash)
            facts.append(line)
        }
        if !facts.isEmpty {
            out += "<p class=\"summary\">\(esc(facts.joined(separator: " · ")))</p>\n"
            var note = t("Geschat = waarden die de netbeheerder of het toestel als schatting markeert; ze tellen mee in de totalen.", "Estimated = values the grid operator or the device marks as estimates; they count in the totals.")
            if report.daily.contains(where: { $0.filled > 0 }) {
                note += " " + t("Ook geschat: het verbruik tussen twee meterstanden met een lange tussenpoos (meer dan 31 dagen, of meer dan 4 keer de gewone tussenpoos), naar rato van de tijd over de dagen verdeeld; die dagen tellen niet als gedekt.", "Also estimated: the use between two meter readings far apart (more than 31 days, or more than 4 times the usual interval), shared over the days in proportion to time; those days do not count as covered.")
            }
            out += "<p class=\"notes\">\(esc(note))</p>\n"
        }
    }

    // MARK: Method: investment

    /// The pilot's investment from the YAML (cost per result divides by it).
    mutating func renderPricesAndCost() {
        let definition = report.definition
        guard let cost = definition.pilotCost ?? (definition.pilotCostBySite.isEmpty ? nil
            : definition.pilotCostBySite.values.reduce(0, +)) else { return }
        let language = self.language
        let euros = { (value: Double) in NumberFormatting.plain(value, maxDecimals: 2, language: language) + " EUR" }
        var line = t("Investering van de pilot", "Investment of the pilot") + ": " + euros(cost)
        let bySite = definition.sites.compactMap { site in definition.pilotCostBySite[site.id].map { "\(site.name) \(euros($0))" } }
        if !bySite.isEmpty { line += " (" + bySite.joined(separator: ", ") + ")" }
        out += "<p>\(esc(line)) — \(esc(t("bron", "source"))): <code>\(esc(definition.citedFile))</code> "
        out += "(pilot_cost\(bySite.isEmpty ? "" : ", pilot_cost_by_site")).</p>\n"
    }
}
