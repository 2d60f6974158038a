import ParkImpactModel
import ParkImpactDefinition

/// The energy family's PV, peak and ESRS E1-5 KPIs (the grid, gas and Scope 1/2 KPIs are in `KPIEngine`).
///
/// PV KPIs come from the series the PV matching stage derives (`PVMatching`): self-consumed PV exists only for
/// intervals where production and grid exchange of the site are all known ("matched"), so its coverage is
/// matched ÷ expected intervals, counted from the PV data's first day (commissioning).
extension KPIEngine {
    /// The scope's site ids (all sites for the pilot total).
    func scopeSites(_ site: String?) -> [String] { site.map { [$0] } ?? definition.sites.map(\.id) }

    /// Whether a site has a PV production series.
    func hasPV(_ site: String) -> Bool {
        hasSeries(.pvProduction, site: site)
    }

    func hasSeries(_ quantity: Quantity, site: String) -> Bool {
        !seriesOf(quantity, site: site).isEmpty
    }

    /// `logistiek 15 min, zon 1 day`: the matching buckets of the scope's PV sites.
    func bucketText(_ site: String?) -> String {
        let parts = scopeSeries(.electricitySelfConsumed, site).map { entry -> String in
            let seconds = Int(entry.interval)
            let length = seconds >= 86_400 ? "1 local day" : seconds % 3600 == 0 ? "\(seconds / 3600) h"
                : seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
            return "\(entry.key.site) \(length)"
        }
        return parts.isEmpty ? "" : " (buckets: " + parts.joined(separator: ", ") + ")"
    }

    static let matchedDefinition = "an interval (bucket of the coarsest of the site's PV and grid intervals) is "
        + "matched when the site's PV production, grid injection and grid offtake are all known for it"

    /// What PV matching noted for the scope's PV sites (totals longer than a day that could not be matched).
    func pvMatchingNotes(_ site: String?) -> [String] {
        var notes: [String] = []
        for entry in scopeSeries(.electricitySelfConsumed, site) {
            for note in entry.notes where !notes.contains(note) { notes.append(note) }
        }
        return notes
    }

    /// `pv_totals_not_matched` when some of the scope's PV data are totals longer than a day (a value computed from
    /// the other intervals), with the formula note.
    func pvTotalsFlag(_ site: String?) -> (flags: [KPIFlag], note: String) {
        let notes = pvMatchingNotes(site)
        return notes.isEmpty ? ([], "")
            : ([KPIFlag.pvTotalsNotMatched], "; not matched: " + notes.joined(separator: "; "))
    }

    /// Why self-consumed PV is null, with a hint when a PV site has no grid injection at all or its PV data are
    /// totals longer than a day.
    func selfConsumedReason(_ totals: Totals, site: String?) -> KPIReason? {
        guard var reason = missingReason(totals, what: .selfConsumedMatched, site: site) else {
            return nil
        }
        if let site, !hasPV(site) { return .noSource(.pvProduction, site: site) }
        let notes = pvMatchingNotes(site)
        if !notes.isEmpty { reason = .detailed(reason, .pvTotalsNotMatched(notes: notes)) }
        let blind = scopeSites(site).filter { hasPV($0) && !hasSeries(.electricityInjection, site: $0) }
        if !blind.isEmpty {
            reason = .all([reason, .noInjectionSeries(sites: blind)])
        }
        return reason
    }

    // MARK: PV

    func pvKPIs(period: ReportPeriod, site: String?, offtake: Totals, selfConsumed: Totals) -> [KPI] {
        let production = totals(.pvProduction, period, site)
        let producedMatched = totals(.pvProductionMatched, period, site)
        let buckets = bucketText(site)
        var result: [KPI] = []
        result.append(energy(
            "energy.electricity.pv_production_kwh", production, period, site, what: .pvProduction,
            note: "coverage counts the intervals from the PV data's first day (commissioning) on"))

        // Self-consumed.
        let selfFormula = "Σ over matched intervals of min(max(PV production − grid injection, 0), PV production), "
            + "all PV and grid meters of the site summed per interval; \(Self.matchedDefinition)\(buckets); "
            + "unmatched intervals are not filled: coverage = matched ÷ expected intervals from the PV data's first day"
        let selfReason = selfConsumedReason(selfConsumed, site: site)
        let coarse = pvTotalsFlag(site)
        result.append(KPI(
            key: "energy.electricity.self_consumed_kwh", period: period.key, site: site,
            value: selfReason == nil ? selfConsumed.sum : nil, unit: .kWh, coverage: selfConsumed.coverage,
            estimatedShare: selfReason == nil ? selfConsumed.estimatedShare : nil,
            flags: selfReason == nil ? coverageFlags(selfConsumed.coverage) + coarse.flags : [],
            provenance: Provenance(inputs: selfConsumed.sortedInputs,
                                   formula: selfFormula + (selfReason == nil ? coarse.note : ""), reason: selfReason)))

        // Consumption: offtake + self-consumed (offtake alone for sites without PV).
        let consumptionFormula = "grid offtake + self-consumed PV (matched intervals) of the scope's sites, i.e. "
            + "offtake + production − injection per interval; a site without PV: its grid offtake alone; coverage is "
            + "the lower of the two; " + Self.estimatedShareNote
        var consumptionReason = missingReason(offtake, what: .gridOfftake, site: site)
        if consumptionReason == nil, selfConsumed.expected > 0, selfConsumed.present == 0 {
            consumptionReason = selfReason
        }
        let consumptionCoverage = lowest([offtake, selfConsumed])
        result.append(KPI(
            key: "energy.electricity.consumption_kwh", period: period.key, site: site,
            value: consumptionReason == nil ? offtake.sum + selfConsumed.sum : nil, unit: .kWh,
            coverage: consumptionCoverage,
            estimatedShare: consumptionReason == nil ? Totals.estimatedShare(of: [offtake, selfConsumed]) : nil,
            flags: consumptionReason == nil ? coverageFlags(consumptionCoverage) : [],
            provenance: Provenance(inputs: unionOfInputs([offtake.sortedInputs, selfConsumed.sortedInputs]),
                                   formula: consumptionFormula, reason: consumptionReason)))

        // Self-consumption ratio: matched self-consumed ÷ matched production.
        let ratioFormula = "Σ self-consumed ÷ Σ PV production, both over the matched intervals only (per interval "
            + "self-consumed = min(max(production − injection, 0), production)); \(Self.matchedDefinition)\(buckets)"
        var ratioReason = selfReason
        if ratioReason == nil, producedMatched.sum <= 0 {
            ratioReason = .zeroMatchedProduction
        }
        result.append(KPI(
            key: "energy.pv.self_consumption_ratio", period: period.key, site: site,
            value: ratioReason == nil ? selfConsumed.sum / producedMatched.sum : nil, unit: .ratio,
            coverage: selfConsumed.coverage,
            flags: ratioReason == nil ? coverageFlags(selfConsumed.coverage) + coarse.flags : [],
            provenance: Provenance(inputs: selfConsumed.sortedInputs,
                                   formula: ratioFormula + (ratioReason == nil ? coarse.note : ""), reason: ratioReason)))

        result.append(selfSufficiency(period: period, site: site, selfConsumed: selfConsumed, reason: selfReason))
        return result
    }

    /// Self-consumed ÷ consumption over the matched intervals of the PV sites; sites without PV add their offtake.
    func selfSufficiency(period: ReportPeriod, site: String?, selfConsumed: Totals,
                         reason selfReason: KPIReason?) -> KPI {
        let key = "energy.pv.self_sufficiency_ratio"
        let formula = "Σ self-consumed ÷ Σ (grid offtake + self-consumed), both over the matched intervals of the "
            + "PV sites\(bucketText(site)); the grid offtake of a PV site before its PV data start, and that of the "
            + "scope's sites without PV, is consumption without self-consumed PV (self-sufficiency 0) and counts in "
            + "the denominator; \(Self.matchedDefinition)"
        let sites = scopeSites(site)
        let offtakeMatched = totals(.electricityOfftakeMatched, period, site)
        let withoutPV = totals(.electricityOfftake, period, site, including: { !self.hasPV($0) })
        var reason = selfReason
        let unmatchable = sites.filter {
            hasPV($0) && hasSeries(.electricityInjection, site: $0) && !hasSeries(.electricityOfftakeMatched, site: $0)
        }
        if reason == nil, !unmatchable.isEmpty {
            reason = .offtakeNotPerInterval(sites: unmatchable)
        }
        if reason == nil, withoutPV.seriesCount > 0, let missing = missingReason(withoutPV, what: .offtakeWithoutPV,
                                                                                   site: site) {
            reason = missing
        }
        // Pilot total: a site without PV whose offtake has no data in the period would quietly drop out of the
        // denominator (code part_without_data).
        if reason == nil, site == nil {
            reason = KPIReason.joined(partsWithoutData([(.electricityOfftake, .gridOfftake)], period: period,
                                                       site: site, including: { !self.hasPV($0) }))
        }
        let denominator = offtakeMatched.sum + selfConsumed.sum + withoutPV.sum
        if reason == nil, denominator <= 0 { reason = .zeroConsumption }
        // A period before the PV start has no coverage to show: the value is null for that reason alone.
        let coverage = selfConsumed.expected > 0 ? lowest([selfConsumed, withoutPV]) : nil
        return KPI(
            key: key, period: period.key, site: site, value: reason == nil ? selfConsumed.sum / denominator : nil,
            unit: .ratio, coverage: coverage, flags: reason == nil ? coverageFlags(coverage) : [],
            provenance: Provenance(inputs: unionOfInputs([selfConsumed.sortedInputs, withoutPV.sortedInputs]), formula: formula,
                                   reason: reason))
    }

    func avoidedPV(period: ReportPeriod, site: String?, selfConsumed: Totals) -> KPI {
        let formula = "Σ over sites and consumption years: self-consumed PV kWh (matched intervals) × "
            + "electricity.location factor of that year ÷ 1000. Location-based because self-consumed PV replaces "
            + "electricity that would otherwise be drawn from the grid mix; a market-based factor would value the "
            + "supply contract instead (0 for a green contract) and say nothing about the physical displacement. "
            + "Avoided emissions are reported beside Scope 2, never deducted from it (GHG Protocol)"
        if let reason = selfConsumedReason(selfConsumed, site: site) {
            return KPI(key: "co2.avoided_pv_t", period: period.key, site: site, value: nil, unit: .tonnesCO2e,
                       coverage: selfConsumed.coverage, flags: [],
                       provenance: Provenance(inputs: selfConsumed.sortedInputs, formula: formula, reason: reason))
        }
        return emissions("co2.avoided_pv_t", selfConsumed, period, site, factorFor: { _ in "electricity.location" },
                         formula: formula, what: .selfConsumed)
    }

    // MARK: Peak

    /// The highest registered peak power of the scope's meters in the period (Fluvius `Piekvermogen`, kW).
    func peakKPI(period: ReportPeriod, site: String?) -> KPI {
        let key = "energy.electricity.peak_kw"
        let formula = "highest value of the peak power registers (kW, e.g. the Fluvius monthly Piekvermogen) of the "
            + "scope's meters over the registers whose local start lies in the period; peaks of different "
            + "connections occur at different times and are never added"
        let scope = scopeSeries(.electricityPeak, site)
        var peak = -Double.infinity
        var inputs: Set<String> = []
        for entry in scope {
            inputs.formUnion(entry.inputs.filter { $0.overlaps(period) }.map(\.file))
            for cell in entry.cells(from: period.firstDay, to: period.lastDay) where cell.maximum > peak {
                peak = cell.maximum
            }
        }
        let reason: KPIReason? = scope.isEmpty ? .noSource(.peakRegister, site: site)
            : peak == -.infinity ? .noPeakValue : nil
        return KPI(key: key, period: period.key, site: site, value: reason == nil ? peak : nil, unit: .kW,
                   coverage: nil, flags: [],
                   provenance: Provenance(inputs: sortedInputs(inputs), formula: formula, reason: reason))
    }

    // MARK: ESRS E1-5 energy mix

    /// `energy.total_mwh`, `.fossil_mwh`, `.renewable_mwh`, `.renewable_share`, for every pilot.
    func energyMixKPIs(period: ReportPeriod, site: String?, offtake: Totals, gas: Totals,
                       selfConsumed: Totals) -> [KPI] {
        let parts: [(what: ReasonSubject, totals: Totals)] = [
            (.gridOfftake, offtake), (.naturalGas, gas), (.selfConsumedMatched, selfConsumed),
        ].filter { $0.totals.seriesCount > 0 && ($0.totals.expected > 0 || $0.totals.present > 0) }
        var reason: KPIReason?
        if parts.isEmpty {
            reason = .noSource(.offtakeGasOrPV, site: site, inThisPeriod: selfConsumed.startsAfterPeriod != nil)
        } else if let empty = parts.first(where: { $0.totals.present == 0 }) {
            reason = empty.what == .selfConsumedMatched ? selfConsumedReason(empty.totals, site: site)
                : missingReason(empty.totals, what: empty.what, site: site)
        }
        // Pilot total: a site's carrier with a source but no data in the period is a missing part, never 0 (code
        // part_without_data).
        let carrierParts: [(quantity: Quantity, what: ReasonSubject)] = [
            (.electricityOfftake, .gridOfftake), (.gas, .naturalGas), (.electricitySelfConsumed, .selfConsumedMatched),
        ]
        if reason == nil, site == nil {
            reason = KPIReason.joined(partsWithoutData(carrierParts, period: period, site: site))
        }
        let inputs = unionOfInputs(parts.map(\.totals.sortedInputs))
        let coverage = lowest(parts.map(\.totals))
        let total = parts.reduce(0.0) { $0 + $1.totals.sum } / 1000
        let carriers = "a carrier without a source in the scope counts 0; one with a source but no data in the period "
            + "(at any site of the scope) makes the value null"
        func kpi(_ key: String, _ value: Double?, _ coverage: Double?, _ inputs: [String], _ formula: String,
                 _ why: KPIReason?? = nil, estimated: [Totals] = []) -> KPI {
            // `why`: nil = the total's reason; .some(nil) = no reason (a part with its own rule); else that reason.
            let why = why ?? reason
            let unit: KPIUnit = key.hasSuffix("_share") ? .ratio : .MWh
            let share = why == nil && value != nil && !estimated.isEmpty ? Totals.estimatedShare(of: estimated) : nil
            return KPI(key: key, period: period.key, site: site, value: why == nil ? value : nil, unit: unit,
                       coverage: coverage, estimatedShare: share, flags: why == nil ? coverageFlags(coverage) : [],
                       provenance: Provenance(inputs: inputs, formula: formula, reason: why))
        }

        let totalKPI = kpi(
            "energy.total_mwh", total, coverage, inputs,
            "(grid offtake + natural gas (kWh, gross calorific value) + self-consumed PV (matched intervals)) ÷ 1000: "
                + "ESRS E1-5 energy consumption from own operations (grid injection is exported, not consumed); "
                + carriers + "; coverage is the lowest of the carriers; " + Self.estimatedShareNote,
            estimated: parts.map(\.totals))

        let fossilFormula = "natural gas kWh (gross calorific value) ÷ 1000: natural gas is the only fossil carrier "
            + "ParkImpact reads. Grey grid electricity is neither fossil nor renewable here, because the factor "
            + "catalogue has no residual-mix fuel split: fossil + renewable ≤ total, the gap is grey grid "
            + "electricity (fossil and nuclear in unknown shares); " + carriers
        // Depends on gas alone: 0 without a gas source (the formula says so), null when a gas source has no data in
        // the period (for the pilot: at any site), whatever the other carriers.
        let fossilKPI: KPI
        if gas.seriesCount == 0 {
            fossilKPI = kpi("energy.fossil_mwh", 0, nil, [],
                            fossilFormula + "; " + (site.map { "site \($0) has no natural gas source" }
                                ?? "no site of this pilot has a natural gas source") + ": 0", .some(nil))
        } else {
            var gasReason = missingReason(gas, what: .naturalGas, site: site)
            if gasReason == nil, site == nil {
                gasReason = KPIReason.joined(partsWithoutData([(.gas, .naturalGas)], period: period, site: site))
            }
            fossilKPI = kpi("energy.fossil_mwh", gas.sum / 1000, gas.coverage, gas.sortedInputs, fossilFormula,
                            .some(gasReason), estimated: [gas])
        }

        let green = totals(.electricityOfftake, period, site, including: { self.greenSites.contains($0) })
        let renewableParts = [green, selfConsumed].filter { $0.seriesCount > 0 && $0.expected > 0 }
        let renewable = (green.sum + selfConsumed.sum) / 1000
        // Depends on green-contract offtake and self-consumed PV alone (code part_without_data when one of them, at
        // a site of the scope, has a source but no data in the period).
        var renewableMissing = partsWithoutData([(.electricityOfftake, .gridOfftake)], period: period, site: site,
                                                including: { self.greenSites.contains($0) })
        if selfConsumed.seriesCount > 0, selfConsumed.expected > 0, selfConsumed.present == 0,
           let missing = selfConsumedReason(selfConsumed, site: site) {
            renewableMissing.append(missing)
        } else if site == nil {
            renewableMissing += partsWithoutData([(.electricitySelfConsumed, .selfConsumedMatched)],
                                                 period: period, site: site)
        }
        let renewableReason = parts.isEmpty ? reason : KPIReason.joined(renewableMissing)
        let renewableKPI = kpi(
            "energy.renewable_mwh", renewable, renewableParts.isEmpty ? coverage : lowest(renewableParts),
            renewableParts.isEmpty ? inputs : unionOfInputs(renewableParts.map(\.sortedInputs)),
            "(grid offtake of the sites with a green contract (guarantees of origin) + self-consumed PV (matched "
                + "intervals)) ÷ 1000: purchased renewable electricity + self-generated non-fuel renewable energy "
                + "(ESRS E1-5); grey-contract offtake is not counted as renewable; " + carriers + "; "
                + Self.estimatedShareNote,
            .some(renewableReason), estimated: renewableParts)

        let shareKPI = kpi(
            "energy.renewable_share", total > 0 ? renewable / total : nil, coverage, inputs,
            "energy.renewable_mwh ÷ energy.total_mwh",
            .some(reason ?? (total > 0 ? nil : .zeroTotalEnergy)))
        return [totalKPI, fossilKPI, renewableKPI, shareKPI]
    }

    /// The lowest coverage of the parts that have expected intervals in the period.
    func lowest(_ parts: [Totals]) -> Double? {
        parts.filter { $0.seriesCount > 0 && $0.expected > 0 }.compactMap(\.coverage).min()
    }
}
