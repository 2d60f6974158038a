import Foundation
import ParkImpactModel
import ParkImpactDefinition

/// Cost per result, the agencies' financial follow-up: `cost.energy_avoided_eur`, `cost.eur_per_t_co2_avoided`,
/// `cost.payback_years`. Configured in the pipeline (`prices:` EUR per kWh by carrier and year, `pilot_cost:` and
/// optionally `pilot_cost_by_site:` in EUR); a pipeline without any of them gets no `cost.*` rows.
///
/// - `cost.energy_avoided_eur`, for `reporting` and every calendar year lying wholly inside it: per carrier (grid
///   offtake, natural gas) and calendar year Y of the period, (baseline kWh ÷ baseline days × the period's days in Y
///   − kWh measured in Y) × the carrier's price for Y. The baseline is scaled per day because the periods can differ
///   in length (2023 has 365 days, 2024 has 366). Negative (more energy than the baseline) is shown as negative.
/// - `cost.eur_per_t_co2_avoided`, for `reporting`: pilot cost ÷ (Scope 1 + Scope 2 market-based of the baseline
///   scaled per day − the same in the reporting period). PV is not added: its effect is already in the lower offtake.
/// - `cost.payback_years`, for `reporting`: pilot cost ÷ (energy cost avoided ÷ the reporting period in years).
///
/// Per site, the energy cost avoided is always given; cost per tonne and payback only when `pilot_cost_by_site`
/// exists (a site without an entry gets null with a reason).
extension KPIEngine {

    func costKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard definition.hasCostConfiguration else { return [] }
        let reporting = periods[1]
        switch period.kind {
        case .reporting:
            let saving = energyCostAvoided(period: period, site: site)
            guard site == nil || !definition.pilotCostBySite.isEmpty else { return [saving] }
            return [saving, costPerTonne(period: period, site: site), payback(period: period, site: site, saving: saving)]
        case .year where period.firstDay >= reporting.firstDay && period.lastDay <= reporting.lastDay:
            return [energyCostAvoided(period: period, site: site)]
        default:
            return []
        }
    }

    // MARK: Energy cost avoided

    func energyCostAvoided(period: ReportPeriod, site: String?) -> KPI {
        let key = "cost.energy_avoided_eur"
        let baseline = periods[0]
        let baselineDays = baseline.lastDay - baseline.firstDay + 1
        let formula = "Σ over carriers (grid offtake, natural gas) and the period's calendar years Y: (baseline kWh "
            + "÷ \(baselineDays) baseline days × the period's days in Y − kWh measured in Y) × the carrier's price for Y "
            + "(EUR/kWh, prices in \(citedFile)); the baseline is scaled per day because the periods can "
            + "differ in length; a carrier the scope does not measure counts in neither period; a carrier of a site "
            + "with data in one period but none in the other makes the value null; injection income, "
            + "standing and capacity charges are not included; negative = more energy cost than the baseline"
        let carriers: [(PipelineDefinition.PriceCarrier, Quantity, ReasonSubject)] = [
            (.electricity, .electricityOfftake, .gridOfftake), (.gas, .gas, .naturalGas),
        ]
        var euros = 0.0
        var measured = 0
        var reasons: [KPIReason] = []
        var inputs: Set<String> = []
        var coverages: [Double] = []
        var prices: [FactorReference] = []
        for (carrier, quantity, what) in carriers {
            let before = totals(quantity, baseline, site)
            guard before.seriesCount > 0 else { continue }
            measured += 1
            let now = totals(quantity, period, site)
            inputs.formUnion(before.inputs)
            inputs.formUnion(now.inputs)
            coverages.append(contentsOf: [before.coverage, now.coverage].compactMap { $0 })
            if let reason = missingReason(before, what: what, site: site) {
                reasons.append(.within(.period(baseline), reason))
                continue
            }
            if let reason = missingReason(now, what: what, site: site) {
                reasons.append(.within(.period(period), reason))
                continue
            }
            // A site's carrier with data in one period only is never counted as 0 (code part_missing_in_period).
            reasons.append(contentsOf: comparisonGaps([(quantity, what)], site: site, baseline, period))
            for year in period.first.year...period.last.year {
                let from = max(period.firstDay, CivilDate.dayNumber(year: year, month: 1, day: 1))
                let to = min(period.lastDay, CivilDate.dayNumber(year: year, month: 12, day: 31))
                guard let price = definition.prices[carrier]?[year] else {
                    reasons.append(.noPrice(carrier: carrier.rawValue, year: year, file: citedFile))
                    continue
                }
                let expected = before.sum / Double(baselineDays) * Double(to - from + 1)
                euros += (expected - (now.sumByYear[year] ?? 0)) * price
                prices.append(FactorReference(id: "price.\(carrier.rawValue)", value: price, unit: "EUR/kWh", year: year,
                                              source: citedFile, note: nil))
            }
        }
        if measured == 0 {
            reasons.append(.noSource(.offtakeOrGas, site: site))
        }
        let coverage = coverages.min()
        let provenance = Provenance(inputs: sortedInputs(inputs), factors: prices, formula: formula,
                                    reason: KPIReason.joined(reasons))
        return KPI(key: key, period: period.key, site: site, value: reasons.isEmpty ? euros : nil, unit: .euro,
                   coverage: coverage, flags: reasons.isEmpty ? coverageFlags(coverage) : [], provenance: provenance)
    }

    // MARK: Cost per tonne avoided

    /// The pilot's (or the site's) investment, or why there is none.
    func pilotCost(site: String?) -> (euros: Double?, reason: KPIReason) {
        if let site {
            return (definition.pilotCostBySite[site], .noPilotCost(site: site, file: citedFile))
        }
        return (definition.pilotCost, .noPilotCost(site: nil, file: citedFile))
    }

    func costPerTonne(period: ReportPeriod, site: String?) -> KPI {
        let key = "cost.eur_per_t_co2_avoided"
        let baseline = periods[0]
        let baselineDays = baseline.lastDay - baseline.firstDay + 1, days = period.lastDay - period.firstDay + 1
        let costName = site.map { "pilot_cost_by_site.\($0)" } ?? "pilot_cost"
        let formula = "\(costName) (EUR) ÷ t CO2e avoided; t CO2e avoided = (co2.scope1_t + co2.scope2_market_t) of "
            + "the baseline ÷ \(baselineDays) baseline days × \(days) days − (co2.scope1_t + co2.scope2_market_t) of the "
            + "reporting period; co2.avoided_pv_t is not added: self-consumed PV already lowers grid offtake and so "
            + "Scope 2, adding it would count the same tonnes twice; Scope 3 (commuting, modal shift) is not included; "
            + "the tonnes are those of the reporting period only, not of the investment's lifetime; a carrier of a "
            + "site with data in one period but none in the other makes the value null"
        let before = energyAndEmissionKPIs(period: baseline, site: site)
        let now = energyAndEmissionKPIs(period: period, site: site)
        var used: [KPI] = []
        var reasons: [KPIReason] = []
        var beforeTonnes = 0.0, nowTonnes = 0.0
        for (emissionKey, quantity) in [("co2.scope1_t", Quantity.gas), ("co2.scope2_market_t", .electricityOfftake)] {
            // A source the scope does not measure counts as 0 in both periods.
            guard !seriesOf(quantity, site: site).isEmpty else { continue }
            let b = before.first { $0.key == emissionKey }!, r = now.first { $0.key == emissionKey }!
            used.append(contentsOf: [b, r])
            guard let bValue = b.value else {
                reasons.append(.within(.noBaselineValue(emissionKey), b.provenance.why ?? .noDataAtAll))
                continue
            }
            guard let rValue = r.value else {
                reasons.append(.within(.noReportingValue(emissionKey), r.provenance.why ?? .noDataAtAll))
                continue
            }
            beforeTonnes += bValue
            nowTonnes += rValue
        }
        // Code part_missing_in_period: a site's carrier with data in one period only.
        if reasons.isEmpty {
            reasons += comparisonGaps([(.gas, .naturalGas), (.electricityOfftake, .gridOfftake)], site: site,
                                      baseline, period)
        }
        if used.isEmpty {
            reasons.append(.noEmissionSource(site: site))
        }
        let avoided = beforeTonnes / Double(baselineDays) * Double(days) - nowTonnes
        let cost = pilotCost(site: site)
        if cost.euros == nil { reasons.insert(cost.reason, at: 0) }
        if reasons.isEmpty, avoided <= 0 {
            reasons.append(.noCO2Avoided)
        }
        var factors: [FactorReference] = []
        for factor in used.flatMap(\.provenance.factors) where !factors.contains(factor) { factors.append(factor) }
        let coverage = used.filter { $0.value != nil }.compactMap(\.coverage).min()
        let provenance = Provenance(inputs: unionOfInputs(used.map(\.provenance.inputs)), factors: factors,
                                    formula: formula, reason: KPIReason.joined(reasons))
        guard reasons.isEmpty, let euros = cost.euros else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .euroPerTonneCO2e, coverage: coverage,
                       flags: [], provenance: provenance)
        }
        return KPI(key: key, period: period.key, site: site, value: euros / avoided, unit: .euroPerTonneCO2e,
                   coverage: coverage, flags: coverageFlags(coverage), provenance: provenance)
    }

    // MARK: Simple payback

    /// The period's length in years: per calendar year, its days in the period ÷ the days of that year (a whole
    /// calendar year is exactly 1, leap year or not).
    func lengthInYears(_ period: ReportPeriod) -> Double {
        var years = 0.0
        for year in period.first.year...period.last.year {
            let start = CivilDate.dayNumber(year: year, month: 1, day: 1)
            let end = CivilDate.dayNumber(year: year, month: 12, day: 31)
            years += Double(min(period.lastDay, end) - max(period.firstDay, start) + 1) / Double(end - start + 1)
        }
        return years
    }

    func payback(period: ReportPeriod, site: String?, saving: KPI) -> KPI {
        let key = "cost.payback_years"
        let costName = site.map { "pilot_cost_by_site.\($0)" } ?? "pilot_cost"
        let years = lengthInYears(period)
        let formula = "\(costName) (EUR) ÷ annual energy cost avoided; annual = cost.energy_avoided_eur of the "
            + "reporting period ÷ its length in years (Σ over calendar years: the period's days in the year ÷ the "
            + "year's days = \(NodeReader.plain((years * 10_000).rounded() / 10_000))); simple payback: no discounting, "
            + "no price change, energy savings only"
        let cost = pilotCost(site: site)
        var reason: KPIReason?
        if cost.euros == nil {
            reason = cost.reason
        } else if saving.value == nil {
            reason = .within(.isNull("cost.energy_avoided_eur"), saving.provenance.why ?? .noDataAtAll)
        } else if let value = saving.value, value <= 0 {
            reason = .costAvoidedNotPositive(euros: value)
        }
        let provenance = Provenance(inputs: saving.provenance.inputs, factors: saving.provenance.factors,
                                    formula: formula, reason: reason)
        guard reason == nil, let euros = cost.euros, let value = saving.value else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .years, coverage: saving.coverage,
                       flags: [], provenance: provenance)
        }
        return KPI(key: key, period: period.key, site: site, value: euros / (value / years), unit: .years,
                   coverage: saving.coverage, flags: saving.flags, provenance: provenance)
    }
}
