import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The KPI tables of the pilot report (whole pilot, per site) and their cells: values, changes, coverage, flags.
extension PilotReportPage {
    mutating func renderPilotTable() {
        openAppendixSection("kpis", text.pilotKPIs)
        // The ESRS data points have their own tables (`renderESRS`).
        let keys = KPIOrder.sorted(Set(report.kpis.lazy
            .filter { $0.site == nil && ($0.period == Self.baseline || $0.period == Self.reporting) }
            .map(\.key).filter { !$0.hasPrefix("esrs.") }))
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
            if kpi.period == Self.baseline || kpi.period == Self.reporting, !kpi.key.hasPrefix("esrs.") {
                keysBySite[site, default: []].insert(kpi.key)
            }
        }
        // Sites that have KPIs but are not (or no longer) in the definition still show, after the others.
        siteIDs += sitesWithKPIs.subtracting(known).sorted()
        guard !siteIDs.isEmpty else { return }
        openAppendixSection("sites", text.siteKPIs)
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
            let unit = sample?.unit.rawValue ?? ""
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

    /// Flags other than `low_coverage` (which has its own mark), as small tags; a value computed with an
    /// unconfirmed emission factor (docs/factors.md) gets the tag `factor_unconfirmed`.
    func otherFlags(_ kpis: KPI?...) -> String {
        var seen: [KPIFlag] = []
        for kpi in kpis {
            for flag in kpi?.flags ?? [] where flag != KPIDisplay.lowCoverageFlag && !seen.contains(flag) {
                seen.append(flag)
            }
        }
        let unconfirmed = kpis.contains { $0?.value != nil && Self.usesUnconfirmedFactor($0) }
        return seen.map {
            "<span class=\"flag\" title=\"\(esc($0.rawValue))\">\(esc(EngineText.flag($0, language, threshold: report.definition.settings.coverageThreshold)))</span>"
        }.joined() + (unconfirmed
            ? "<span class=\"flag\" title=\"factor_unconfirmed\">\(esc(t("⚠ factor niet bevestigd", "⚠ factor unconfirmed")))</span>"
            : "")
    }

    /// Whether `kpi` cites a catalogue factor whose value is not confirmed in its publisher's document.
    static func usesUnconfirmedFactor(_ kpi: KPI?) -> Bool {
        kpi?.provenance.factors.contains { $0.status == .unconfirmed } == true
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
            let unit = reporting?.unit ?? baseline?.unit ?? .kWh
            return esc(NumberFormatting.percent(changePercent(r, b, perDay: unit.isPeriodAmount), language: language,
                                                explicitPlus: true))
        }
    }

    /// The change of a value against the baseline in percent of the baseline's (b ≠ 0): per day for amounts
    /// (`KPIUnit.isPeriodAmount`), as every `…change_vs_baseline_pct` (`KPIEngine.changePerDay`), else as is.
    func changePercent(_ r: Double, _ b: Double, perDay: Bool) -> Double {
        guard perDay else { return (r - b) / abs(b) * 100 }
        let base = report.definition.baseline, rep = report.definition.reporting
        let change = KPIEngine.changePerDay(r, days: rep.to.dayNumber - rep.from.dayNumber + 1, baseline: b,
                                            days: base.to.dayNumber - base.from.dayNumber + 1)
        return b < 0 ? -change : change
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

    /// A null KPI's reason in the report's language, rendered from its code (`KPIReason`), as the officer reads it
    /// (`officerReason`: set-up hints go to the appendix's notes for the coordinator).
    func nullReason(_ kpi: KPI) -> String {
        kpi.provenance.why.map { officerReason($0) } ?? text.noReason
    }

    func naSpan(reason: String?) -> String {
        "<span class=\"na\" title=\"\(esc(reason ?? text.noReason))\">—</span>"
    }
}
