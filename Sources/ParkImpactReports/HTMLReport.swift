import ParkImpactModel
import ParkImpactDefinition
public import ParkImpactKPIs

/// `output/<pilot>/report.html`: one self-contained HTML5 page per pilot (inline CSS, no scripts, no external
/// resources), in the pilot's language, that prints to A4.
///
/// Rendering is a pure function of the `PilotReport`: no clock, no environment locale, no dictionary iteration,
/// so the same report gives the same bytes. Every text that comes from YAML or CSV goes through `HTMLEscaping`.
public enum HTMLReport {
    public static func render(_ report: PilotReport) -> String {
        var page = PilotReportPage(report: report)
        return page.render()
    }
}

// MARK: - The page

struct PilotReportPage {
    let report: PilotReport
    let language: PipelineDefinition.Language
    let text: ReportText
    let index: KPIIndex
    var out = ""
    var tableCount = 0

    init(report: PilotReport) {
        self.report = report
        self.language = report.definition.language
        self.text = ReportText.for(report.definition.language,
                                   threshold: report.definition.settings.coverageThreshold)
        self.index = KPIIndex(report.kpis)
    }

    static let baseline = "baseline"
    static let reporting = "reporting"

    mutating func render() -> String {
        let definition = report.definition
        out.reserveCapacity(32_768)
        out += "<!DOCTYPE html>\n"
        out += "<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"ParkImpact\">\n"
        out += "<title>\(esc(definition.name)) — \(esc(text.reportKind))</title>\n"
        out += "<style>\n\(ReportStyle.css)\(ReportStyle.chartCSS)</style>\n</head>\n<body>\n"
        out += ChartStyle.defs
        renderHeader()
        out += "<main>\n"
        renderCards()
        renderEnergyChart()
        renderCO2Chart()
        renderPVChart()
        renderLoadHeatmap()
        renderModalSplit()
        renderWaterChart()
        renderWasteChart()
        renderCost()
        renderPilotTable()
        renderSiteTables()
        renderMonthly()
        renderData()
        renderMethod()
        out += "</main>\n"
        out += "<footer><p>\(esc(text.generatedBy)) <code>\(esc(definition.citedFile))</code>. "
        out += "\(esc(text.footerDeterministic))</p></footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    // MARK: Header

    mutating func renderHeader() {
        let definition = report.definition
        out += "<header>\n"
        out += "<p class=\"eyebrow\">ParkImpact · \(esc(text.reportKind))</p>\n"
        out += "<h1>\(esc(definition.name))</h1>\n"
        out += "<p class=\"meta\">\(esc(text.pilot)) <code>\(esc(definition.pilot))</code> · "
        out += "\(esc(text.lastData)): "
        if let last = report.lastDataDate {
            out += esc(ReportDates.long(last, language))
        } else {
            out += "<span class=\"na\">\(esc(text.noData))</span>"
        }
        out += " · \(report.definition.sites.count) \(esc(report.definition.sites.count == 1 ? text.siteSingular : text.sitePlural))"
        out += "</p>\n"
        out += "<dl class=\"periods\">\n"
        out += "<dt>\(esc(text.baselinePeriod))</dt><dd>\(esc(ReportDates.range(definition.baseline, language, text)))</dd>\n"
        out += "<dt>\(esc(text.reportingPeriod))</dt><dd>\(esc(ReportDates.range(definition.reporting, language, text)))</dd>\n"
        out += "</dl>\n</header>\n"
    }

    // MARK: KPI tables

    mutating func renderPilotTable() {
        out += "<section id=\"kpis\">\n<h2>\(esc(text.pilotKPIs))</h2>\n"
        let keys = KPIOrder.sorted(Set(report.kpis.lazy
            .filter { $0.site == nil && ($0.period == Self.baseline || $0.period == Self.reporting) }
            .map(\.key)))
        if keys.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noKPIs))</p>\n"
        } else {
            renderKPITable(keys: keys, site: nil)
        }
        out += "</section>\n"
    }

    mutating func renderSiteTables() {
        let definition = report.definition
        var siteIDs = definition.sites.map(\.id)
        let known = Set(siteIDs)
        // Each site's keys with a baseline or reporting KPI, in one pass over the KPIs.
        var keysBySite: [String: Set<String>] = [:]
        var sitesWithKPIs = Set<String>()
        for kpi in report.kpis {
            guard let site = kpi.site else { continue }
            sitesWithKPIs.insert(site)
            if kpi.period == Self.baseline || kpi.period == Self.reporting { keysBySite[site, default: []].insert(kpi.key) }
        }
        // Sites that have KPIs but are not (or no longer) in the definition still show, after the others.
        siteIDs += sitesWithKPIs.subtracting(known).sorted()
        guard !siteIDs.isEmpty else { return }
        out += "<section id=\"sites\">\n<h2>\(esc(text.siteKPIs))</h2>\n"
        for siteID in siteIDs {
            let name = definition.site(siteID)?.name ?? siteID
            out += "<h3>\(esc(name)) <code class=\"site-id\">\(esc(siteID))</code></h3>\n"
            if let site = definition.site(siteID) {
                var facts: [String] = [site.electricityContract == .green ? text.contractGreen : text.contractGrey]
                if let fte = site.fte {
                    facts.append(NumberFormatting.plain(fte, maxDecimals: 1, language: language) + " " + text.fte)
                }
                if let area = site.floorAreaM2 {
                    facts.append(NumberFormatting.plain(area, maxDecimals: 0, language: language) + " m²")
                }
                out += "<p class=\"meta\">\(facts.map(esc).joined(separator: " · "))</p>\n"
            }
            let keys = KPIOrder.sorted(keysBySite[siteID] ?? [])
            if keys.isEmpty {
                out += "<p class=\"muted\">\(esc(text.noKPIs))</p>\n"
            } else {
                renderKPITable(keys: keys, site: siteID)
            }
        }
        out += "</section>\n"
    }

    mutating func renderKPITable(keys: [String], site: String?) {
        tableCount += 1
        var notes = NoteCollector(table: tableCount)
        out += "<table class=\"kpis\">\n<thead><tr>"
        out += "<th scope=\"col\">\(esc(text.colKPI))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(text.colBaseline))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(text.colReporting))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(text.colChange))</th>"
        out += "<th scope=\"col\">\(esc(text.colUnit))</th>"
        out += "<th scope=\"col\" class=\"num\">\(esc(text.colCoverage))</th>"
        out += "</tr></thead>\n<tbody>\n"
        for key in keys {
            let baseline = index[key, Self.baseline, site]
            let reporting = index[key, Self.reporting, site]
            let sample = reporting ?? baseline
            let unit = sample?.unit ?? ""
            let kind = KPIDisplay.kind(key: key, unit: unit)
            let low = [baseline, reporting].contains { $0?.flags.contains(KPIDisplay.lowCoverageFlag) == true }
            out += low ? "<tr class=\"low\">" : "<tr>"
            out += "<th scope=\"row\"><span class=\"label\">\(esc(KPILabels.label(for: key, language: language)))</span>"
            out += "<code class=\"key\">\(esc(key))</code>"
            out += otherFlags(baseline, reporting)
            out += "</th>"
            out += "<td class=\"num\">\(valueCell(baseline, kind: kind, notes: &notes))</td>"
            out += "<td class=\"num\">\(valueCell(reporting, kind: kind, notes: &notes))</td>"
            out += "<td class=\"num\">"
            out += changeCell(key: key, baseline: baseline, reporting: reporting, kind: kind, site: site) + "</td>"
            out += "<td>\(esc(KPIDisplay.displayUnit(kind: kind, unit: unit, language: language)))</td>"
            out += "<td class=\"num\">\(coverageCell(baseline?.coverage)) / \(coverageCell(reporting?.coverage))</td>"
            out += "</tr>\n"
            if low { notes.hasLowCoverage = true }
        }
        out += "</tbody>\n</table>\n"
        renderNotes(notes)
    }

    /// Flags other than `low_coverage` (which has its own mark), as small tags.
    func otherFlags(_ kpis: KPI?...) -> String {
        var seen: [String] = []
        for kpi in kpis {
            for flag in kpi?.flags ?? [] where flag != KPIDisplay.lowCoverageFlag && !seen.contains(flag) {
                seen.append(flag)
            }
        }
        return seen.map {
            "<span class=\"flag\" title=\"\(esc($0))\">\(esc(EngineText.flag($0, language, threshold: report.definition.settings.coverageThreshold)))</span>"
        }.joined()
    }

    /// The inner HTML of a value cell: the formatted value, `—` with the reason, or nothing when there is no KPI.
    func valueCell(_ kpi: KPI?, kind: KPIDisplay.Kind, notes: inout NoteCollector) -> String {
        guard let kpi else { return "" }
        let mark = lowCoverageMark(kpi)
        guard let value = kpi.value else {
            let reason = nullReason(kpi)
            let number = notes.number(for: reason)
            return mark + naSpan(reason: reason)
                + "<sup class=\"fn\"><a href=\"#\(notes.anchor(number))\">\(number)</a></sup>"
        }
        return mark + esc(KPIDisplay.format(value, kind: kind, language: language))
    }

    /// A KPI of one scope, the derived Scope 1+2 market-based included.
    func scopeKPI(_ key: String, _ period: String, _ site: String?) -> KPI? {
        key == KPIDerived.scope12MarketKey ? KPIDerived.scope12Market(index, period: period, site: site)
            : index[key, period, site]
    }

    /// For the pilot (`site` nil): why a change of `keys` between the baseline and the reporting period is not shown,
    /// when a site has a value in one period and is null in the other. The pilot's figures would then compare a
    /// total with that site against one without it, as if its missing part were 0.
    func changeGapReason(keys: [String], site: String?) -> String? {
        guard site == nil else { return nil }
        var sites: [String] = []
        for siteID in report.definition.sites.map(\.id) where !sites.contains(siteID) {
            for key in keys {
                guard let b = scopeKPI(key, Self.baseline, siteID), let r = scopeKPI(key, Self.reporting, siteID),
                      (b.value == nil) != (r.value == nil) else { continue }
                sites.append(siteID)
                break
            }
        }
        guard !sites.isEmpty else { return nil }
        let list = sites.joined(separator: ", ")
        return language == .nl
            ? "geen vergelijking: \(sites.count == 1 ? "site" : "de sites") \(list) \(sites.count == 1 ? "heeft" : "hebben") "
                + "een waarde in één periode en geen in de andere; de verandering zou het ontbrekende deel als 0 tellen"
            : "no comparison: \(sites.count == 1 ? "site" : "sites") \(list) \(sites.count == 1 ? "has" : "have") a value "
                + "in one period and none in the other; the change would count the missing part as 0"
    }

    func changeCell(key: String, baseline: KPI?, reporting: KPI?, kind: KPIDisplay.Kind, site: String? = nil) -> String {
        guard let b = baseline?.value, let r = reporting?.value else { return "" }
        if let gap = changeGapReason(keys: [key], site: site) { return naSpan(reason: gap) }
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

    func coverageCell(_ coverage: Double?) -> String {
        guard let coverage else { return "<span class=\"muted\">\(esc(text.notApplicable))</span>" }
        let shown = esc(NumberFormatting.percent(ratio: coverage, language: language))
        return coverage < report.definition.settings.coverageThreshold ? "<span class=\"warn\">\(shown)</span>" : shown
    }

    func lowCoverageMark(_ kpi: KPI?) -> String {
        guard let kpi, kpi.flags.contains(KPIDisplay.lowCoverageFlag) else { return "" }
        return "<span class=\"warn\" title=\"\(esc(text.lowCoverageNote))\">⚠</span>&#8201;"
    }

    /// A null KPI's reason in the report's language, rendered from its code (`KPIReason`).
    func nullReason(_ kpi: KPI) -> String {
        kpi.provenance.why.map { EngineText.reason($0, language) } ?? text.noReason
    }

    func naSpan(reason: String?) -> String {
        "<span class=\"na\" title=\"\(esc(reason ?? text.noReason))\">—</span>"
    }

    mutating func renderNotes(_ notes: NoteCollector) {
        guard !notes.reasons.isEmpty || notes.hasLowCoverage else { return }
        out += "<ul class=\"notes\">\n"
        if notes.hasLowCoverage {
            out += "<li><span class=\"warn\">⚠</span> \(esc(text.lowCoverageNote)): \(esc(text.lowCoverageExplain)).</li>\n"
        }
        for (offset, reason) in notes.reasons.enumerated() {
            let number = offset + 1
            out += "<li id=\"\(notes.anchor(number))\"><sup>\(number)</sup> — \(esc(reason))</li>\n"
        }
        out += "</ul>\n"
    }

    // MARK: Monthly table

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
        out += "<section id=\"monthly\">\n<h2>\(esc(text.monthly))</h2>\n"
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
                    let kind = KPIDisplay.kind(key: column.key, unit: kpi?.unit ?? "")
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
                let kind = KPIDisplay.kind(key: column.key, unit: kpi?.unit ?? "")
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

    // MARK: Data section

    mutating func renderData() {
        out += "<section id=\"data\">\n<h2>\(esc(t("Datakwaliteit", "Data quality")))</h2>\n"
        renderCoverageCalendar()
        out += "<h3>\(esc(text.data))</h3>\n"
        let files = report.files.sorted { $0.path < $1.path }
        if files.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noFiles))</p>\n"
        } else {
            out += "<table class=\"files\">\n<thead><tr>"
            out += "<th scope=\"col\">\(esc(text.colFile))</th><th scope=\"col\">\(esc(text.colFormat))</th>"
            out += "<th scope=\"col\">\(esc(text.colDialect))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colAccepted))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colRejected))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colIgnored))</th>"
            out += "<th scope=\"col\">\(esc(text.colProblem))</th>"
            out += "</tr></thead>\n<tbody>\n"
            for file in files {
                out += file.problem == nil ? "<tr>" : "<tr class=\"problem\">"
                out += "<td><code class=\"path\">\(esc(file.path))</code></td>"
                out += "<td>\(esc(file.format))</td><td>\(esc(EngineText.dialect(file.dialect, language)))</td>"
                out += "<td class=\"num\">\(count(file.acceptedRows))</td>"
                out += "<td class=\"num\">\(count(file.rejectedRows))</td>"
                let ignoredTotal = file.ignoredRows.values.reduce(0, +)
                out += "<td class=\"num\">\(count(ignoredTotal))"
                let reasons = file.ignoredRows.keys.sorted()
                if !reasons.isEmpty {
                    out += "<span class=\"breakdown\">"
                    out += reasons.map { "\(esc(EngineText.ignored($0, language))): \(count(file.ignoredRows[$0] ?? 0))" }.joined(separator: "<br>")
                    out += "</span>"
                }
                out += "</td>"
                let problem = file.problem.map { EngineText.problem($0, code: file.problemCode, language) }
                out += "<td>\(problem.map(esc) ?? "")</td>"
                out += "</tr>\n"
            }
            let accepted = files.reduce(0) { $0 + $1.acceptedRows }
            let rejected = files.reduce(0) { $0 + $1.rejectedRows }
            let ignored = files.reduce(0) { $0 + $1.ignoredRows.values.reduce(0, +) }
            out += "<tr class=\"total\"><th scope=\"row\" colspan=\"3\">\(esc(text.total)) (\(count(files.count)) "
            out += "\(esc(files.count == 1 ? text.fileSingular : text.filePlural)))</th>"
            out += "<td class=\"num\">\(count(accepted))</td><td class=\"num\">\(count(rejected))</td>"
            out += "<td class=\"num\">\(count(ignored))</td><td></td></tr>\n"
            out += "</tbody>\n</table>\n"
        }

        // Rejected rows: the count, a link to rejects.csv and the most frequent kinds (by code, with the first row of
        // each); rows without a code of their own by their reason.
        let rejected = report.rejects.rowCount
        out += "<h3>\(esc(text.rejectedRows))</h3>\n"
        out += "<p class=\"rejects\">\(esc(text.rejectedRows)): <strong>\(count(rejected))</strong>"
        out += " — \(esc(text.rejectsLinkIntro)) <a href=\"rejects.csv\">rejects.csv</a> "
        out += "(\(esc(text.rejectsColumns))).</p>\n"
        // Rows beyond the first `Reject.detailLimit` per file and code are counted, not listed one by one.
        let omitted = report.rejects.reduce(0) { $0 + $1.omittedRows }
        if omitted > 0 {
            out += "<p class=\"rejects\">\(esc(text.rejectsOmitted(count(omitted), Reject.detailLimit)))</p>\n"
        }
        if rejected > 0 {
            struct Kind { var count = 0; var first: Reject }
            var kinds: [String: Kind] = [:]
            for reject in report.rejects {
                // A tally of rows without detail (`Reject.omittedRows`) counts with its code; the first row shown is
                // one kept in full (they come before the tallies of their file).
                let key = reject.code == .unclassified ? "~" + reject.reason : reject.code.rawValue
                kinds[key, default: Kind(first: reject)].count += reject.rows
            }
            let ranked = kinds.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            let shown = ranked.prefix(10)
            out += "<table class=\"reasons\">\n<thead><tr><th scope=\"col\">\(esc(text.colReason))</th>"
            out += "<th scope=\"col\">\(esc(text.colCode))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colRows))</th>"
            out += "<th scope=\"col\">\(esc(text.colFirstRow))</th></tr></thead>\n<tbody>\n"
            for (_, kind) in shown {
                let first = kind.first
                let title = first.code == .unclassified ? EngineText.problem(first.reason, language)
                    : first.code.title(language)
                out += "<tr><td>\(esc(title))</td><td><code>\(esc(first.code.rawValue))</code></td>"
                out += "<td class=\"num\">\(count(kind.count))</td>"
                let name = first.file.split(separator: "/").last.map(String.init) ?? first.file
                out += "<td title=\"\(esc(first.file))\">\(esc(text.fileLine(name, first.line)))</td></tr>\n"
            }
            if ranked.count > shown.count {
                let rest = ranked.dropFirst(shown.count)
                out += "<tr><td class=\"muted\" colspan=\"2\">\(esc(text.otherReasons(rest.count)))</td>"
                out += "<td class=\"num\">\(count(rest.reduce(0) { $0 + $1.value.count }))</td><td></td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        out += "<p class=\"meta\">\(esc(text.seriesCount)): \(count(report.seriesCount)) · \(esc(text.lastData)): "
        out += report.lastDataDate.map { esc(ReportDates.long($0, language)) } ?? esc(text.noData)
        out += "</p>\n</section>\n"
    }

    func count(_ value: Int) -> String {
        esc(NumberFormatting.format(Double(value), decimals: 0, language: language))
    }

    // MARK: Method appendix

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

@inline(__always)
func esc(_ text: String) -> String { HTMLEscaping.escape(text) }

// MARK: - Notes under a table

/// Reasons for `—` values, numbered per table (the same reason keeps its number).
struct NoteCollector {
    let table: Int
    private(set) var reasons: [String] = []
    private var numbers: [String: Int] = [:]
    var hasLowCoverage = false

    init(table: Int) { self.table = table }

    mutating func number(for reason: String) -> Int {
        if let number = numbers[reason] { return number }
        reasons.append(reason)
        numbers[reason] = reasons.count
        return reasons.count
    }

    func anchor(_ number: Int) -> String { "note-\(table)-\(number)" }
}

// MARK: - How a KPI value is shown

enum KPIDisplay {
    static let lowCoverageFlag = "low_coverage"

    enum Kind: Equatable {
        /// A quantity in its unit with fixed decimals (kWh 0, MWh 1, t 2, ...).
        case measure(decimals: Int)
        /// Already in percent (`co2.change_vs_baseline_pct`).
        case percent
        /// 0...1, shown as percent.
        case ratio
        /// Percentage points.
        case points
        /// Whole numbers (rows).
        case count
    }

    static func kind(key: String, unit: String) -> Kind {
        let u = NumberFormatting.normalizedUnit(unit)
        let unitIsPercent = u == "%" || u == "pct" || u == "percent"
        let unitIsRatio = u == "ratio" || u == "fraction" || u == "share"
        let unitIsPoints = u == "pp" || u == "p.p." || u == "percentage points" || u == "percentage point"
        if key == "quality.rejected_rows" { return .count }
        if unitIsPoints || key.hasPrefix("mobility.shift_pp.") { return unitIsRatio ? .ratio : .points }
        if unitIsPercent { return .percent }
        if unitIsRatio { return .ratio }
        if key.hasSuffix("_pct") { return .percent }
        if key == "quality.coverage" || key.hasSuffix("_ratio") || key.hasSuffix("_share") || key.hasSuffix("_rate")
            || key.hasPrefix("mobility.share.") {
            return .ratio
        }
        if u == "count" || u == "rows" || u == "n" { return .count }
        return .measure(decimals: NumberFormatting.decimals(forUnit: unit))
    }

    static func displayUnit(kind: Kind, unit: String, language: PipelineDefinition.Language = .en) -> String {
        switch kind {
        case .percent, .ratio: return "%"
        case .points: return "pp"
        case .measure, .count:
            guard language == .nl else { return unit }
            return unitsNL[NumberFormatting.normalizedUnit(unit)] ?? unit
        }
    }

    /// Unit words that differ in Dutch (symbols such as kWh and t CO2e are the same).
    static let unitsNL: [String: String] = [
        "rows": "rijen", "days": "dagen", "years": "jaar", "count": "aantal", "trips": "verplaatsingen",
    ]

    /// The number alone (the unit is in its own column).
    static func format(_ value: Double, kind: Kind, language: PipelineDefinition.Language) -> String {
        switch kind {
        case .measure(let decimals): return NumberFormatting.format(value, decimals: decimals, language: language)
        case .percent: return NumberFormatting.format(value, decimals: 1, language: language)
        case .ratio: return NumberFormatting.format(value * 100, decimals: 1, language: language)
        case .points: return NumberFormatting.format(value, decimals: 1, language: language, explicitPlus: true)
        case .count: return NumberFormatting.format(value, decimals: 0, language: language)
        }
    }

    /// A headline figure: energy in MWh (1 decimal), tonnes with 1 decimal, anything else as in tables.
    static func cardAmount(_ kpi: KPI) -> (value: Double?, unit: String, decimals: Int)? {
        let u = NumberFormatting.normalizedUnit(kpi.unit)
        switch u {
        case "kwh": return (kpi.value.map { $0 / 1000 }, "MWh", 1)
        case "wh": return (kpi.value.map { $0 / 1_000_000 }, "MWh", 1)
        case "mwh": return (kpi.value, "MWh", 1)
        default:
            if NumberFormatting.isTonnes(u) { return (kpi.value, kpi.unit, 1) }
            let kind = kind(key: kpi.key, unit: kpi.unit)
            switch kind {
            case .measure(let decimals): return (kpi.value, kpi.unit, decimals)
            case .ratio: return (kpi.value.map { $0 * 100 }, "%", 1)
            case .percent, .points: return (kpi.value, displayUnit(kind: kind, unit: kpi.unit), 1)
            case .count: return (kpi.value, kpi.unit, 0)
            }
        }
    }
}

// MARK: - KPI order and labels

// MARK: - Dates

enum ReportDates {
    /// `1 januari 2024` / `1 January 2024`.
    static func long(_ date: CivilDate, _ language: PipelineDefinition.Language) -> String {
        DateNames.long(date, language)
    }

    /// `1 januari 2023 – 31 december 2023 (365 dagen)`.
    static func range(_ period: PipelineDefinition.Period, _ language: PipelineDefinition.Language,
                      _ text: ReportText) -> String {
        let days = period.to.dayNumber - period.from.dayNumber + 1
        return "\(long(period.from, language)) – \(long(period.to, language)) (\(days) \(days == 1 ? text.day : text.days))"
    }

    /// `maart 2024` / `March 2024`.
    static func monthName(year: Int, month: Int, _ language: PipelineDefinition.Language) -> String {
        DateNames.monthName(year: year, month: month, language)
    }

    /// The calendar months a period touches, in order, with their KPI period keys (`2024-03`).
    static func months(in period: PipelineDefinition.Period) -> [(year: Int, month: Int, key: String)] {
        var result: [(year: Int, month: Int, key: String)] = []
        var year = period.from.year, month = period.from.month
        while (year, month) <= (period.to.year, period.to.month) {
            result.append((year, month, "\(year)-\(month < 10 ? "0" : "")\(month)"))
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        return result
    }
}

// MARK: - Texts

/// Every fixed text of the pilot report, per language.
struct ReportText: Sendable {
    let reportKind: String
    let pilot: String
    let lastData: String
    let noData: String
    let siteSingular: String
    let sitePlural: String
    let day: String
    let days: String
    let baselinePeriod: String
    let reportingPeriod: String
    let headline: String
    let cardCO2: String
    let cardOfftake: String
    let cardGas: String
    let cardChange: String
    let cardChangeSub: String
    let changeUnavailable: String
    let baselineShort: String
    let pilotKPIs: String
    let siteKPIs: String
    let noKPIs: String
    let contractGrey: String
    let contractGreen: String
    let fte: String
    let colKPI: String
    let colBaseline: String
    let colReporting: String
    let colChange: String
    let colUnit: String
    let colCoverage: String
    let lowCoverageNote: String
    let lowCoverageExplain: String
    let noReason: String
    let notApplicable: String
    let baselineZero: String
    let monthly: String
    let monthlyExplain: String
    let colMonth: String
    let colOfftake: String
    let colInjection: String
    let colGas: String
    let colCO2Market: String
    let total: String
    let data: String
    let noFiles: String
    let colFile: String
    let colFormat: String
    let colDialect: String
    let colAccepted: String
    let colRejected: String
    let colIgnored: String
    let colProblem: String
    let fileSingular: String
    let filePlural: String
    let rejectedRows: String
    let rejectsLinkIntro: String
    let rejectsColumns: String
    let colReason: String
    let colCode: String
    let colRows: String
    let colFirstRow: String
    let fileLine: @Sendable (String, Int) -> String
    let otherReasons: @Sendable (Int) -> String
    /// Rows counted without detail (`Reject.omittedRows`): their number (formatted) and the detail limit.
    let rejectsOmitted: @Sendable (String, Int) -> String
    let seriesCount: String
    let method: String
    let methodIntro: [String]
    let factors: String
    let noFactors: String
    let colFactorID: String
    let colValue: String
    let colYear: String
    let colSource: String
    let colNote: String
    let formulas: String
    let factorsCited: String
    let generatedBy: String
    let footerDeterministic: String

    /// The texts of a report in `language`; `threshold` is the pilot's `settings.coverage_threshold`.
    static func `for`(_ language: PipelineDefinition.Language, threshold: Double = KPI.coverageThreshold) -> ReportText {
        language == .nl ? nl(threshold: threshold) : en(threshold: threshold)
    }

    /// The coverage threshold as the report writes it ("90 %").
    static func thresholdText(_ threshold: Double) -> (nl: String, en: String) {
        (NumberFormatting.percent(ratio: threshold, decimals: 0, language: .nl),
         NumberFormatting.percent(ratio: threshold, decimals: 0, language: .en))
    }

    static func nl(threshold: Double) -> ReportText { ReportText(
        reportKind: "CO2- en energierapport",
        pilot: "Pilot",
        lastData: "Laatste gegevens",
        noData: "geen gegevens",
        siteSingular: "site",
        sitePlural: "sites",
        day: "dag",
        days: "dagen",
        baselinePeriod: "Referentieperiode",
        reportingPeriod: "Rapportageperiode",
        headline: "Kerncijfers",
        cardCO2: "CO2 Scope 1+2, marktgebaseerd",
        cardOfftake: "Elektriciteit: afname van het net",
        cardGas: "Aardgas",
        cardChange: "CO2-verandering t.o.v. referentie",
        cardChangeSub: "Rapportageperiode t.o.v. referentieperiode",
        changeUnavailable: "geen vergelijking mogelijk: referentie of rapportage ontbreekt",
        baselineShort: "Referentie",
        pilotKPIs: "KPI's voor de hele pilot",
        siteKPIs: "KPI's per site",
        noKPIs: "Geen KPI's berekend.",
        contractGrey: "grijs stroomcontract (residuele mix)",
        contractGreen: "groen stroomcontract (garanties van oorsprong)",
        fte: "VTE",
        colKPI: "KPI",
        colBaseline: "Referentie",
        colReporting: "Rapportage",
        colChange: "Verandering",
        colUnit: "Eenheid",
        colCoverage: "Dekking (ref. / rapp.)",
        lowCoverageNote: "dekking onder \(thresholdText(threshold).nl)",
        lowCoverageExplain: "het cijfer steunt op onvolledige gegevens: een som mist het ontbrekende deel, een verandering "
            + "of verhouding kan in beide richtingen afwijken",
        noReason: "geen reden opgegeven",
        notApplicable: "n.v.t.",
        baselineZero: "referentiewaarde is 0: geen procentuele verandering",
        monthly: "Per maand (hele pilot)",
        monthlyExplain: "Een maand telt de intervallen waarvan het begin in die lokale maand valt; ontbrekende "
            + "intervallen tellen niet als nul. CO2 = Scope 1 + Scope 2 marktgebaseerd.",
        colMonth: "Maand",
        colOfftake: "Afname (kWh)",
        colInjection: "Injectie (kWh)",
        colGas: "Aardgas (kWh)",
        colCO2Market: "CO2 Scope 1+2 markt (t)",
        total: "Totaal",
        data: "Gegevens",
        noFiles: "Geen bestanden gelezen.",
        colFile: "Bestand",
        colFormat: "Formaat",
        colDialect: "Dialect",
        colAccepted: "Aanvaard",
        colRejected: "Verworpen",
        colIgnored: "Genegeerd",
        colProblem: "Probleem",
        fileSingular: "bestand",
        filePlural: "bestanden",
        rejectedRows: "Verworpen rijen",
        rejectsLinkIntro: "elke rij staat in",
        rejectsColumns: "bestand, regel, kolom, code, reden, ruwe inhoud",
        colReason: "Soort",
        colCode: "Code",
        colRows: "Rijen",
        colFirstRow: "Eerste rij",
        fileLine: { "\($0), regel \($1)" },
        otherReasons: { "\($0) andere soorten" },
        rejectsOmitted: { "Van \($0) van deze rijen staat geen detail in rejects.csv: per bestand en code staan de eerste "
            + "\($1) er volledig in, de andere worden er per bestand en code geteld (een rij zonder regelnummer)." },
        seriesCount: "Meetreeksen",
        method: "Methode",
        methodIntro: [
            "Broeikasgassen volgens het GHG Protocol: Scope 1 is verbranding ter plaatse (aardgas), Scope 2 wordt "
                + "twee keer gerapporteerd: locatiegebaseerd (netmix) en marktgebaseerd (contract: garanties van "
                + "oorsprong geven 0, een grijs contract de residuele mix).",
            "Een periode telt de intervallen waarvan het begin in die lokale periode valt. Ontbrekende intervallen "
                + "tellen niet als nul; geschatte waarden tellen mee en staan in het aandeel geschatte waarden. "
                + "Dekking = aanwezige / verwachte intervallen; een KPI met minder dan \(thresholdText(threshold).nl) dekking "
                + "wordt gemarkeerd (⚠).",
            "Emissiefactoren in kg CO2e per eenheid; de factor van het verbruiksjaar wordt gebruikt.",
        ],
        factors: "Emissiefactoren",
        noFactors: "Geen emissiefactoren gebruikt.",
        colFactorID: "Factor",
        colValue: "Waarde",
        colYear: "Jaar",
        colSource: "Bron",
        colNote: "Opmerking",
        formulas: "Formules per KPI",
        factorsCited: "Factoren",
        generatedBy: "Gemaakt met ParkImpact uit",
        footerDeterministic: "Dezelfde gegevens geven hetzelfde rapport."
    ) }

    static func en(threshold: Double) -> ReportText { ReportText(
        reportKind: "CO2 and energy report",
        pilot: "Pilot",
        lastData: "Last data",
        noData: "no data",
        siteSingular: "site",
        sitePlural: "sites",
        day: "day",
        days: "days",
        baselinePeriod: "Baseline period",
        reportingPeriod: "Reporting period",
        headline: "Headline figures",
        cardCO2: "CO2 Scope 1+2, market-based",
        cardOfftake: "Electricity: grid offtake",
        cardGas: "Natural gas",
        cardChange: "CO2 change vs baseline",
        cardChangeSub: "Reporting period relative to the baseline period",
        changeUnavailable: "no comparison possible: baseline or reporting value missing",
        baselineShort: "Baseline",
        pilotKPIs: "KPIs for the whole pilot",
        siteKPIs: "KPIs per site",
        noKPIs: "No KPIs computed.",
        contractGrey: "grey electricity contract (residual mix)",
        contractGreen: "green electricity contract (guarantees of origin)",
        fte: "FTE",
        colKPI: "KPI",
        colBaseline: "Baseline",
        colReporting: "Reporting",
        colChange: "Change",
        colUnit: "Unit",
        colCoverage: "Coverage (baseline / reporting)",
        lowCoverageNote: "coverage below \(thresholdText(threshold).en)",
        lowCoverageExplain: "the figure rests on incomplete data: a sum lacks the missing part, a change or ratio can be off "
            + "in either direction",
        noReason: "no reason given",
        notApplicable: "n/a",
        baselineZero: "baseline value is 0: no percentage change",
        monthly: "Monthly (whole pilot)",
        monthlyExplain: "A month sums the intervals whose start lies in that local month; missing intervals do "
            + "not count as zero. CO2 = Scope 1 + Scope 2 market-based.",
        colMonth: "Month",
        colOfftake: "Offtake (kWh)",
        colInjection: "Injection (kWh)",
        colGas: "Natural gas (kWh)",
        colCO2Market: "CO2 Scope 1+2 market (t)",
        total: "Total",
        data: "Data",
        noFiles: "No files read.",
        colFile: "File",
        colFormat: "Format",
        colDialect: "Dialect",
        colAccepted: "Accepted",
        colRejected: "Rejected",
        colIgnored: "Ignored",
        colProblem: "Problem",
        fileSingular: "file",
        filePlural: "files",
        rejectedRows: "Rejected rows",
        rejectsLinkIntro: "every row is listed in",
        rejectsColumns: "file, line, column, code, reason, raw content",
        colReason: "Kind",
        colCode: "Code",
        colRows: "Rows",
        colFirstRow: "First row",
        fileLine: { "\($0), line \($1)" },
        otherReasons: { "\($0) other kinds" },
        rejectsOmitted: { "\($0) of these rows have no detail in rejects.csv: it lists the first \($1) per file and code "
            + "in full and counts the others per file and code (a row without a line number)." },
        seriesCount: "Series",
        method: "Method",
        methodIntro: [
            "Greenhouse gases follow the GHG Protocol: Scope 1 is on-site combustion (natural gas); Scope 2 is "
                + "reported twice: location-based (grid mix) and market-based (contract: guarantees of origin give "
                + "0, a grey contract the residual mix).",
            "A period sums the intervals whose start lies in that local period. Missing intervals do not count as "
                + "zero; estimated values count and are reported in the share of estimated values. Coverage = "
                + "present / expected intervals; a KPI with less than \(thresholdText(threshold).en) coverage is flagged (⚠).",
            "Emission factors in kg CO2e per unit; the factor of the year of consumption is used.",
        ],
        factors: "Emission factors",
        noFactors: "No emission factors used.",
        colFactorID: "Factor",
        colValue: "Value",
        colYear: "Year",
        colSource: "Source",
        colNote: "Note",
        formulas: "Formula per KPI",
        factorsCited: "Factors",
        generatedBy: "Made with ParkImpact from",
        footerDeterministic: "The same data give the same report."
    ) }
}

// MARK: - Style

enum ReportStyle {
    /// Charts, cards with targets, omitted-section lines and A4 print: every section from the charts on starts
    /// on a new page.
    static let chartCSS = """
    svg.defs { position: absolute; width: 0; height: 0; overflow: hidden; }
    figure.chart { margin: .6rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
    figure.chart > svg { display: block; width: 100%; height: auto; }
    figure.chart figcaption { font-size: .78rem; color: #3d4750; margin-top: .2rem; }
    svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #1d2329; }
    svg .tick, svg .cat { font-size: 10px; fill: #3d4750; }
    svg .axis-title, svg .group { font-size: 11px; font-weight: 600; }
    svg .legend { font-size: 11px; }
    svg .bar-label { font-size: 10.5px; font-weight: 600; }
    svg .seg { font-size: 10.5px; font-weight: 600; fill: #1d2329; }
    svg .seg.on-dark { fill: #ffffff; }
    svg .grid { stroke: #d9dee3; stroke-width: 1; }
    svg .axis { stroke: #56606a; stroke-width: 1.2; }
    svg .separator { stroke: #8a949e; stroke-width: 1; stroke-dasharray: 3 3; }
    svg .bracket { stroke: #56606a; fill: none; stroke-width: 1; }
    svg .bar, svg .cell { stroke: #1d2329; stroke-width: .6; }
    svg .cell-empty { fill: #ffffff; stroke: #8a949e; stroke-width: .8; stroke-dasharray: 1.5 1.5; }
    svg .line { fill: none; stroke-width: 2; }
    table.files td:first-child { min-width: 15rem; }
    td.num .breakdown { white-space: normal; text-align: left; min-width: 12rem; }
    details.data { font-size: .8rem; margin-top: .3rem; }
    details.data summary { cursor: pointer; color: #1f5a8a; }
    table.chart-data { font-size: .78rem; }
    table.calendar th, table.calendar td { padding: .1rem .2rem; font-size: .66rem; }
    p.omitted { font-size: .85rem; color: #56606a; border-left: 3px solid #c9d1d8; padding: .2rem .6rem; margin: .6rem 0; }
    p.summary { font-weight: 600; }
    .card-delta { font-size: .82rem; margin-top: .15rem; font-variant-numeric: tabular-nums; }
    .card-delta .arrow { font-size: .75rem; }
    .target { font-size: .78rem; margin-top: .3rem; border-top: 1px dashed #c9d1d8; padding-top: .25rem; }
    .target .met { color: #1f4e3d; }
    .target .missed { color: #8a2d1f; }
    @media print {
      section.chart-section, section#cost, section#kpis, section#sites, section#monthly, section#data, section#method {
        break-before: page; page-break-before: always; }
      details.data { display: none; }
      p.omitted { break-inside: avoid; }
    }

    """


    /// Sober, print-friendly CSS; no external fonts, images or URLs.
    static let css = """
    @page { size: A4; margin: 16mm 14mm 18mm; }
    * { box-sizing: border-box; }
    html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      font-size: 15px; color: #1d2329; background: #fff; }
    body { margin: 0 auto; max-width: 64rem; padding: 2rem 1.5rem 3rem; line-height: 1.45; }
    h1 { font-size: 1.7rem; margin: .2rem 0 .4rem; line-height: 1.2; }
    h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid #2f6b4f;
      break-after: avoid; page-break-after: avoid; }
    h3 { font-size: 1.05rem; margin: 1.6rem 0 .3rem; break-after: avoid; page-break-after: avoid; }
    p { margin: .4rem 0; }
    .eyebrow { text-transform: uppercase; letter-spacing: .06em; font-size: .75rem; color: #2f6b4f; margin: 0; }
    .meta { color: #56606a; margin: .2rem 0 .6rem; }
    .muted { color: #8a949e; }
    code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
      font-size: .82em; }
    code.key { display: block; color: #6b7580; font-size: .72rem; font-weight: 400; }
    code.key-inline, code.site-id { color: #6b7580; font-size: .75rem; font-weight: 400; }
    code.path, code.formula { word-break: break-all; }
    dl.periods { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .6rem 0 0; }
    dl.periods dt { font-weight: 600; }
    dl.periods dd { margin: 0; }
    .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: .8rem; }
    .card { border: 1px solid #d9dee3; border-left: 4px solid #2f6b4f; border-radius: 4px; padding: .6rem .8rem;
      break-inside: avoid; page-break-inside: avoid; }
    .card-label { font-size: .8rem; color: #3d4750; }
    .card-value { font-size: 1.45rem; font-weight: 650; font-variant-numeric: tabular-nums; margin: .15rem 0;
      white-space: nowrap; }
    .card-unit { font-size: .85rem; font-weight: 400; color: #56606a; }
    .card-sub { font-size: .78rem; color: #56606a; }
    table { border-collapse: collapse; width: 100%; margin: .4rem 0 .5rem; font-size: .86rem;
      page-break-inside: avoid; break-inside: avoid; }
    th, td { padding: .28rem .5rem; border-bottom: 1px solid #d9dee3; vertical-align: top; text-align: left; }
    thead th { font-size: .76rem; font-weight: 600; color: #3d4750; border-bottom: 1.5px solid #8a949e;
      vertical-align: bottom; }
    tbody th { font-weight: 500; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.group th { background: #eef3f0; font-weight: 600; }
    tr.total th, tr.total td { font-weight: 600; border-top: 1.5px solid #8a949e; }
    tr.low th, tr.low td { background: #fff8eb; }
    tr.problem td { background: #fdeeee; }
    .na { color: #8a949e; cursor: help; }
    .warn { color: #9a5200; font-weight: 600; }
    .flag { display: inline-block; font-size: .68rem; padding: 0 .3rem; margin: .1rem .3rem 0 0;
      border: 1px solid #c9a25c; border-radius: 3px; color: #7a4a00; }
    .breakdown { display: block; font-size: .72rem; color: #6b7580; font-weight: 400; }
    sup.fn { font-size: .7em; margin-left: .1em; }
    sup.fn a { text-decoration: none; }
    .notes { font-size: .78rem; color: #3d4750; margin: .2rem 0 1rem; padding-left: 0; list-style: none; }
    .notes li { margin: .1rem 0; }
    dl.formulas dt { font-weight: 600; margin-top: .6rem; break-after: avoid; page-break-after: avoid; }
    dl.formulas dd { margin: .1rem 0 0; break-inside: avoid; page-break-inside: avoid; }
    a { color: #1f5a8a; }
    footer { margin-top: 3rem; font-size: .75rem; color: #6b7580; border-top: 1px solid #d9dee3; padding-top: .6rem; }
    @media (max-width: 48rem) { .cards { grid-template-columns: repeat(2, 1fr); } }
    @media print {
      html { font-size: 10pt; }
      body { max-width: none; padding: 0; }
      a { color: inherit; text-decoration: none; }
      .cards { grid-template-columns: repeat(4, 1fr); }
      tr, .card { break-inside: avoid; page-break-inside: avoid; }
    }

    """
}
