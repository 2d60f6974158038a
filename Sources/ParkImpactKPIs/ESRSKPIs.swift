import ParkImpactModel
import ParkImpactDefinition

extension KPIEngine {
    /// The ESRS E1-5 (energy consumption and mix) and E1-6 (gross GHG emissions) data points as KPIs, `esrs.e1_5.*`
    /// and `esrs.e1_6.*`, for the baseline, the reporting period and every calendar year (annual disclosures: not per
    /// month). `family` holds the scope's other KPIs of the same period (already computed, with their provenance).
    ///
    /// Policies:
    /// - The data points that exist under another key (`energy.total_mwh`, `co2.scope1_t`, ...) are the same value
    ///   with the same provenance; the formula names the key they repeat.
    /// - E1-5 mix: fossil = natural gas only (the known fossil part, as `energy.fossil_mwh`); renewable = green-contract
    ///   grid offtake (guarantees of origin) + self-consumed PV; grey-contract grid offtake comes from the residual mix,
    ///   whose fossil / nuclear / renewable split the factor catalogue does not hold: it is given on its own
    ///   (`grid_residual_mix_mwh`) and nuclear is null (code `no_source_split`) unless the scope has no grey-contract
    ///   offtake (then 0). total = fossil + renewable + residual mix.
    /// - Scope 3 is category 7 (employee commuting) alone: `scope3CategorySeven`.
    /// - Totals (ESRS E1 AR 47): Scope 1 + Scope 2 (location- or market-based) + Scope 3; null when a part is null.
    /// - Intensities divide by the `fte` / `floor_area_m2` of every site of the scope (the totals cover all of them);
    ///   null with the sites that lack the value.
    func esrsKPIs(period: ReportPeriod, site: String?, family: [KPI]) -> [KPI] {
        guard period.kind != .month else { return [] }
        var byKey: [String: KPI] = [:]
        for kpi in family { byKey[kpi.key] = kpi }
        var result: [KPI] = []

        // E1-5
        let total = esrsCopy("esrs.e1_5.total_energy_mwh", byKey["energy.total_mwh"]!,
                             "ESRS E1-5 §37, total energy consumption related to own operations")
        result.append(total)
        result.append(esrsCopy("esrs.e1_5.fossil_mwh", byKey["energy.fossil_mwh"]!,
                               "ESRS E1-5 §37(a): the known fossil part only; the fossil part of residual-mix grid "
                                   + "electricity is in esrs.e1_5.grid_residual_mix_mwh, not split"))
        let greySites = scopeSites(site).filter {
            !greenSites.contains($0) && hasSeries(.electricityOfftake, site: $0)
        }
        let nuclearFormula = "ESRS E1-5 §37(b): natural gas and self-consumed PV have no nuclear part, green-contract "
            + "offtake (guarantees of origin) is renewable; grey-contract grid offtake (residual mix) has a nuclear part "
            + "that needs the residual-mix composition (AIB, per country and year), which the factor catalogue does not "
            + "hold: null when the scope has grey-contract offtake, else 0"
        result.append(KPI(
            key: "esrs.e1_5.nuclear_mwh", period: period.key, site: site, value: greySites.isEmpty ? 0 : nil,
            unit: .MWh, coverage: nil, flags: [],
            provenance: Provenance(formula: nuclearFormula,
                                   reason: greySites.isEmpty ? nil : .residualMixSplitUnknown(sites: greySites))))
        result.append(esrsCopy("esrs.e1_5.renewable_mwh", byKey["energy.renewable_mwh"]!,
                               "ESRS E1-5 §37(c): purchased renewable electricity + self-generated non-fuel "
                                   + "renewable energy; ParkImpact reads no renewable fuels (§37(c)(i))"))
        result.append(esrsOfftake("esrs.e1_5.renewable_purchased_electricity_mwh", period, site, green: true))
        if let selfConsumed = byKey["energy.electricity.self_consumed_kwh"],
           !(selfConsumed.value == nil && [.noSource, .dataNotStarted].contains(selfConsumed.provenance.why?.code)) {
            result.append(esrsScaled("esrs.e1_5.renewable_self_generated_mwh", selfConsumed, factor: 0.001,
                                     unit: .MWh, formula: "energy.electricity.self_consumed_kwh ÷ 1000: ESRS E1-5 "
                                         + "§37(c)(iii), consumption of self-generated non-fuel renewable energy"))
        } else {
            result.append(KPI(
                key: "esrs.e1_5.renewable_self_generated_mwh", period: period.key, site: site, value: 0, unit: .MWh,
                coverage: nil, flags: [],
                provenance: Provenance(formula: "ESRS E1-5 §37(c)(iii): self-consumed PV; " + (
                    byKey["energy.electricity.self_consumed_kwh"]?.provenance.why.map {
                        "energy.electricity.self_consumed_kwh is null for this reason: \($0.english): 0"
                    } ?? "this pilot has no PV production source: 0"))))
        }
        result.append(esrsOfftake("esrs.e1_5.grid_residual_mix_mwh", period, site, green: false))
        result.append(esrsCopy("esrs.e1_5.renewable_share", byKey["energy.renewable_share"]!,
                               "ESRS E1-5 §37(c), share of renewable sources in total energy consumption"))
        result.append(esrsIntensity("esrs.e1_5.energy_mwh_per_fte", total, unit: .MWhPerFTE, scale: 1,
                                    period: period, site: site, field: "fte", value: \.fte))
        result.append(esrsIntensity("esrs.e1_5.energy_kwh_per_m2", total, unit: .kWhPerM2, scale: 1000,
                                    period: period, site: site, field: "floor_area_m2", value: \.floorAreaM2))

        // E1-6
        let scope1 = esrsCopy("esrs.e1_6.gross_scope1_t", byKey["co2.scope1_t"]!, "ESRS E1-6 §44(a), §48(a)",
                              zeroWhen: [.noSource])
        let location = esrsCopy("esrs.e1_6.gross_scope2_location_t", byKey["co2.scope2_location_t"]!,
                                "ESRS E1-6 §44(b), §49(a)", zeroWhen: [.noSource])
        let market = esrsCopy("esrs.e1_6.gross_scope2_market_t", byKey["co2.scope2_market_t"]!,
                              "ESRS E1-6 §44(b), §49(b)", zeroWhen: [.noSource])
        let commuting = scope3CategorySeven(period: period, site: site)
        let scope3 = esrsCopy("esrs.e1_6.gross_scope3_t", commuting,
                              "ESRS E1-6 §44(c), §51: category 7 (employee commuting) ONLY; the other Scope 3 "
                                  + "categories are not measured by ParkImpact")
        let totalLocation = esrsSum(
            "esrs.e1_6.total_location_t", [scope1, location, scope3], period: period, site: site,
            formula: "esrs.e1_6.gross_scope1_t + esrs.e1_6.gross_scope2_location_t + esrs.e1_6.gross_scope3_t (ESRS E1-6 "
                + "§44(d), §52(a), AR 47); Scope 3 is category 7 only; null when a part is null")
        let totalMarket = esrsSum(
            "esrs.e1_6.total_market_t", [scope1, market, scope3], period: period, site: site,
            formula: "esrs.e1_6.gross_scope1_t + esrs.e1_6.gross_scope2_market_t + esrs.e1_6.gross_scope3_t (ESRS E1-6 "
                + "§44(d), §52(b), AR 47); Scope 3 is category 7 only; null when a part is null")
        result += [scope1, location, market, scope3, commuting, totalLocation, totalMarket]
        result.append(esrsIntensity("esrs.e1_6.total_location_t_per_fte", totalLocation, unit: .tonnesCO2ePerFTE,
                                    scale: 1, period: period, site: site, field: "fte", value: \.fte))
        result.append(esrsIntensity("esrs.e1_6.total_market_t_per_fte", totalMarket, unit: .tonnesCO2ePerFTE,
                                    scale: 1, period: period, site: site, field: "fte", value: \.fte))
        result.append(esrsIntensity("esrs.e1_6.total_location_kg_per_m2", totalLocation, unit: .kgCO2ePerM2,
                                    scale: 1000, period: period, site: site, field: "floor_area_m2",
                                    value: \.floorAreaM2))
        result.append(esrsIntensity("esrs.e1_6.total_market_kg_per_m2", totalMarket, unit: .kgCO2ePerM2,
                                    scale: 1000, period: period, site: site, field: "floor_area_m2",
                                    value: \.floorAreaM2))
        return result
    }

    /// `source` under another key: the same value, coverage, flags and provenance; the formula names `source`. When
    /// `source` is null for a reason in `zeroWhen` (the scope has no source of the carrier, or its only source starts
    /// after the period), the value is 0 and the formula says why, as `energy.total_mwh` counts such a carrier.
    func esrsCopy(_ key: String, _ source: KPI, _ datapoint: String, zeroWhen: Set<KPIReasonCode> = []) -> KPI {
        let provenance = source.provenance
        if source.value == nil, let why = provenance.why, zeroWhen.contains(why.code) {
            return KPI(key: key, period: source.period, site: source.site, value: 0, unit: source.unit,
                       coverage: nil, flags: [],
                       provenance: Provenance(inputs: provenance.inputs, factors: provenance.factors,
                                              formula: "= \(source.key) (\(datapoint)), counted 0 because \(source.key) "
                                                  + "is null for this reason: \(why.english); " + provenance.formula))
        }
        return KPI(key: key, period: source.period, site: source.site, value: source.value, unit: source.unit,
                   coverage: source.coverage, estimatedShare: source.estimatedShare, flags: source.flags,
                   provenance: Provenance(inputs: provenance.inputs, factors: provenance.factors,
                                          formula: "= \(source.key) (\(datapoint)): " + provenance.formula,
                                          reason: provenance.why))
    }

    /// `source` × `factor` in another unit (kWh → MWh).
    func esrsScaled(_ key: String, _ source: KPI, factor: Double, unit: KPIUnit, formula: String) -> KPI {
        let provenance = source.provenance
        return KPI(key: key, period: source.period, site: source.site, value: source.value.map { $0 * factor },
                   unit: unit, coverage: source.coverage, estimatedShare: source.estimatedShare, flags: source.flags,
                   provenance: Provenance(inputs: provenance.inputs, factors: provenance.factors,
                                          formula: formula + "; " + provenance.formula,
                                          reason: provenance.why.map { .within(.isNull(source.key), $0) }))
    }

    /// Grid offtake of the scope's green-contract (`green`) or grey-contract sites, MWh; 0 without such a site with
    /// an offtake source; null when one of them has a source but no data in the period.
    func esrsOfftake(_ key: String, _ period: ReportPeriod, _ site: String?, green: Bool) -> KPI {
        let included: (String) -> Bool = { self.greenSites.contains($0) == green }
        let offtake = totals(.electricityOfftake, period, site, including: included)
        let formula = green
            ? "grid offtake of the sites with a green contract (guarantees of origin) ÷ 1000: ESRS E1-5 §37(c)(ii), "
                + "purchased renewable electricity"
            : "grid offtake of the sites with a grey contract (no guarantees of origin) ÷ 1000: electricity from the "
                + "residual mix, counted in the total but in none of fossil, nuclear and renewable because the "
                + "residual mix's split by source is not in the factor catalogue"
        let sites = scopeSites(site).filter { included($0) && hasSeries(.electricityOfftake, site: $0) }
        guard !sites.isEmpty else {
            return KPI(key: key, period: period.key, site: site, value: 0, unit: .MWh, coverage: nil, flags: [],
                       provenance: Provenance(formula: formula + "; no site of the scope has such offtake: 0"))
        }
        var reason = missingReason(offtake, what: .gridOfftake, site: site)
        if reason == nil, site == nil {
            reason = KPIReason.joined(partsWithoutData([(.electricityOfftake, .gridOfftake)], period: period,
                                                       site: site, including: included))
        }
        let note = "; sites: " + sites.joined(separator: ", ") + "; " + Self.estimatedShareNote
        return KPI(key: key, period: period.key, site: site, value: reason == nil ? offtake.sum / 1000 : nil,
                   unit: .MWh, coverage: offtake.coverage,
                   estimatedShare: reason == nil ? offtake.estimatedShare : nil,
                   flags: reason == nil ? coverageFlags(offtake.coverage) : [],
                   provenance: Provenance(inputs: offtake.sortedInputs, formula: formula + note, reason: reason))
    }

    /// The sum of `parts` (same unit); null when a part is null, with each null part's reason.
    func esrsSum(_ key: String, _ parts: [KPI], period: ReportPeriod, site: String?, formula: String) -> KPI {
        let inputs = unionOfInputs(parts.map(\.provenance.inputs))
        var factors: [FactorReference] = []
        var flags: [KPIFlag] = []
        for part in parts {
            for factor in part.provenance.factors where !factors.contains(factor) { factors.append(factor) }
            for flag in part.flags where !flags.contains(flag) { flags.append(flag) }
        }
        let coverage = parts.compactMap(\.coverage).min()
        let nulls = parts.filter { $0.value == nil }
        if !nulls.isEmpty {
            let reason = KPIReason.joined(nulls.map { .within(.isNull($0.key), $0.provenance.why ?? .noDataAtAll) })
            return KPI(key: key, period: period.key, site: site, value: nil, unit: parts[0].unit, coverage: coverage,
                       flags: [], provenance: Provenance(inputs: inputs, factors: factors, formula: formula,
                                                         reason: reason))
        }
        let values = parts.map { $0.value! }
        let sum = values.reduce(0, +)
        // Estimated share weighted by each part's tonnes (parts without one, such as Scope 3 from a survey, count 0).
        let weight = values.reduce(0) { $0 + abs($1) }
        let estimated = weight > 0
            ? zip(parts, values).reduce(0.0) { $0 + ($1.0.estimatedShare ?? 0) * abs($1.1) } / weight : nil
        return KPI(key: key, period: period.key, site: site, value: sum, unit: parts[0].unit, coverage: coverage,
                   estimatedShare: estimated, flags: flags,
                   provenance: Provenance(inputs: inputs, factors: factors,
                                          formula: formula + "; estimated share: the parts' shares weighted by their "
                                              + "values (a part without one counts 0)"))
    }

    /// `numerator` × `scale` ÷ the `field` of the site, or Σ over every site of the pilot.
    func esrsIntensity(_ key: String, _ numerator: KPI, unit: KPIUnit, scale: Double, period: ReportPeriod,
                       site: String?, field: String, value: KeyPath<PipelineDefinition.Site, Double?>) -> KPI {
        let sites = scopeSites(site)
        let scaled = scale == 1 ? numerator.key : "\(numerator.key) × \(mobilityNumber(scale))"
        let formula = site == nil
            ? "\(scaled) ÷ Σ \(field) of every site of the pilot (\(sites.joined(separator: ", "))) in the pipeline "
                + "definition (one value for every period); the total covers every site, so every site's \(field) is "
                + "needed"
            : "\(scaled) ÷ the site's \(field) in the pipeline definition (one value for every period)"
        var reason: KPIReason?
        var denominator = 0.0
        if let why = numerator.provenance.why ?? (numerator.value == nil ? .noDataAtAll : nil) {
            reason = .within(.isNull(numerator.key), why)
        } else {
            let missing = sites.filter { definition.site($0)?[keyPath: value] == nil }
            if !missing.isEmpty {
                reason = .noSiteValue(field: field, sites: missing, withWaterData: false)
            } else {
                denominator = sites.reduce(0.0) { $0 + (definition.site($1)?[keyPath: value] ?? 0) }
                if denominator <= 0 { reason = .zeroDivisor(field: field) }
            }
        }
        guard reason == nil, let amount = numerator.value else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: unit, coverage: numerator.coverage,
                       flags: [], provenance: Provenance(inputs: numerator.provenance.inputs,
                                                         factors: numerator.provenance.factors, formula: formula,
                                                         reason: reason))
        }
        return KPI(key: key, period: period.key, site: site, value: amount * scale / denominator, unit: unit,
                   coverage: numerator.coverage, estimatedShare: numerator.estimatedShare, flags: numerator.flags,
                   provenance: Provenance(inputs: numerator.provenance.inputs, factors: numerator.provenance.factors,
                                          formula: formula + " = \(mobilityNumber(denominator))"))
    }

    /// Scope 3 category 7, employee commuting, t CO2e: per site its latest commuting survey with a reference date in
    /// the period, Σ_mode commute_pkm_mode (commuters × average one-way distance) × trips_per_day ×
    /// commuting_days_per_year × the period's share of its calendar years × factor_mode ÷ 1000; factors per
    /// passenger-km by the survey's year, carpool = transport.car ÷ occupancy (the site's carpool trip logs of the
    /// period, else the assumed 2, flag `assumed_occupancy`), as the modal-shift KPIs. The pilot total is the sum over
    /// its sites. Null (never a partial sum) when a site of the scope has no survey in the period, a mode with
    /// commuters has no distance or no factor, or the pipeline does not annualise (`mobility:`).
    func scope3CategorySeven(period: ReportPeriod, site: String?) -> KPI {
        let key = "esrs.e1_6.scope3_cat7_commuting_t"
        var formula = "Σ over the scope's sites and modes: commute_pkm_mode of the site's latest commuting survey in "
            + "the period (commuters × average one-way distance) × trips_per_day × commuting_days_per_year × the "
            + "period's share of its calendar years (pipeline setting mobility:) × factor_mode (kg CO2e per "
            + "passenger-km, by the survey's year; carpool: transport.car ÷ occupancy) ÷ 1000: GHG Protocol Scope 3 "
            + "category 7, employee commuting; null when a site of the scope has no survey in the period or a mode "
            + "with commuters has no distance or factor"
        func null(_ reason: KPIReason, inputs: [String] = []) -> KPI {
            KPI(key: key, period: period.key, site: site, value: nil, unit: .tonnesCO2e, coverage: nil, flags: [],
                provenance: Provenance(inputs: inputs, formula: formula, reason: reason))
        }
        guard hasSeries([.commuteTrips]) else { return null(.noSource(.commuteSurvey, site: site)) }
        guard let commuting = definition.commuting else { return null(.commutingNotAnnualised(file: citedFile)) }
        let surveys = latestSurveys(period, site)
        let inputs = Set(surveys.flatMap(\.inputs)).sorted()
        let unsurveyed = scopeSites(site).filter { siteID in !surveys.contains { $0.site == siteID } }
        if !unsurveyed.isEmpty {
            return null(KPIReason.joined(unsurveyed.map { .noSurveyIn([period], site: $0) })!, inputs: inputs)
        }
        let share = yearShare(period)
        let commutes = commuting.tripsPerDay * commuting.daysPerYear * share.value
        var kg = 0.0
        var factors: [FactorReference] = []
        var allInputs = Set(inputs)
        var assumed = false
        var parts: [String] = []
        for survey in surveys {
            let noDistance = TransportMode.allCases.filter { (survey.trips[$0] ?? 0) > 0 && survey.pkm[$0] == nil }
            if !noDistance.isEmpty {
                return null(.noAverageDistance(survey: survey.label, modes: noDistance.map(\.rawValue)), inputs: inputs)
            }
            var occupancyText = ""
            var siteKg = 0.0
            for mode in TransportMode.allCases {
                guard let pkm = survey.pkm[mode], pkm > 0 else { continue }
                let id = Self.passengerKmFactorID(mode) ?? "transport.\(mode.rawValue)"
                guard let picked = catalogue.pick(id, year: survey.date.year, overrides: definition.factorOverrides,
                                                  overrideFile: citedFile) else {
                    return null(.noCommuteFactor(mode: mode.rawValue, factor: id, survey: survey.label),
                                inputs: inputs)
                }
                var factor = picked.factor.value
                if mode == .carpool {
                    let logged = loggedCarpoolOccupancy(period, site: survey.site)
                    let occupancy = logged?.occupancy ?? Self.assumedCarpoolOccupancy
                    if let logged {
                        allInputs.formUnion(logged.inputs)
                        occupancyText = "; carpool occupancy \(mobilityNumber(occupancy)) (Σ trip_pkm ÷ Σ trip_km of "
                            + "its carpool trip logs)"
                    } else {
                        assumed = true
                        occupancyText = "; carpool occupancy \(mobilityNumber(occupancy)) ASSUMED (placeholder: no "
                            + "carpool trip log of the site in the period; 2 is the fewest people a carpool can have)"
                    }
                    factor /= occupancy
                }
                siteKg += pkm * commutes * factor
                let reference = FactorReference(picked)
                if !factors.contains(reference) { factors.append(reference) }
            }
            kg += siteKg
            let surveyPkm = TransportMode.allCases.reduce(0.0) { $0 + (survey.pkm[$1] ?? 0) }
            parts.append("\(survey.label): \(mobilityNumber(surveyPkm)) pkm per commute × \(mobilityNumber(commutes)) "
                + "commutes = \(mobilityNumber(siteKg / 1000)) t" + occupancyText)
        }
        formula += "; trips_per_day \(mobilityNumber(commuting.tripsPerDay)) × commuting_days_per_year "
            + "\(mobilityNumber(commuting.daysPerYear)) × (\(share.text)) = \(mobilityNumber(commutes)) one-way commutes "
            + "per commuter; " + parts.joined(separator: "; ")
        return KPI(key: key, period: period.key, site: site, value: kg / 1000, unit: .tonnesCO2e, coverage: nil,
                   flags: assumed ? [.assumedOccupancy] : [],
                   provenance: Provenance(inputs: allInputs.sorted(), factors: factors, formula: formula))
    }
}
