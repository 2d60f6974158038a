import ParkImpactModel
import ParkImpactDefinition

/// The gross calorific value (`kwh_per_m3`) that turned a source's gas volumes into energy, cited in the provenance
/// of every KPI whose value uses that gas, like any factor: id `gas.kwh_per_m3`, unit `kWh/m3`, one reference per
/// consumption year of the period, source `pipelines/<pilot>.yaml sources[i] kwh_per_m3`.
struct GasConversions: Sendable {
    static let factorID = "gas.kwh_per_m3"
    static let unit = "kWh/m3"

    /// The KPIs whose value uses gas energy: the gas total and what is built from it (energy mix, Scope 1 and the
    /// change in emissions, the weather-normalised gas baseline, cost per result).
    static let keys: Set<String> = [
        "energy.gas_kwh", "energy.total_mwh", "energy.fossil_mwh", "energy.renewable_share",
        "co2.scope1_t", "co2.change_vs_baseline_pct", "energy.gas.change_vs_baseline_pct",
        "baseline.gas.change_weather_corrected_pct",
        "baseline.gas.r2", "baseline.gas.cvrmse", "baseline.gas.nmbe", "baseline.gas.savings_kwh",
        "cost.energy_avoided_eur", "cost.eur_per_t_co2_avoided", "cost.payback_years",
    ]

    /// KPIs that compare with the baseline period: the gas of the baseline counts too.
    static let comparingKeys: Set<String> = [
        "co2.change_vs_baseline_pct", "baseline.gas.savings_kwh", "energy.gas.change_vs_baseline_pct",
        "baseline.gas.change_weather_corrected_pct",
        "cost.energy_avoided_eur", "cost.eur_per_t_co2_avoided", "cost.payback_years",
    ]

    struct Conversion: Sendable {
        let kwhPerM3: Double
        let sourceIndex: Int
        var firstDay: Int
        var lastDay: Int
    }

    /// By input file (relative to the input folder): the files with gas series whose source sets `kwh_per_m3`.
    let byFile: [String: Conversion]
    let citedFile: String
    let baselineFirstDay: Int

    init(definition: PipelineDefinition, series: [IndexedSeries]) {
        citedFile = definition.citedFile
        baselineFirstDay = definition.baseline.from.dayNumber
        var byFile: [String: Conversion] = [:]
        if definition.sources.contains(where: { $0.kwhPerM3 != nil }) {
            for entry in series where entry.key.quantity == .gas {
                for input in entry.inputs {
                    if var known = byFile[input.file] {
                        known.firstDay = min(known.firstDay, input.firstDay)
                        known.lastDay = max(known.lastDay, input.lastDay)
                        byFile[input.file] = known
                    } else if let source = definition.source(ofInput: input.file), let kwhPerM3 = source.kwhPerM3 {
                        byFile[input.file] = Conversion(kwhPerM3: kwhPerM3, sourceIndex: source.index,
                                                        firstDay: input.firstDay, lastDay: input.lastDay)
                    }
                }
            }
        }
        self.byFile = byFile
    }

    var isEmpty: Bool { byFile.isEmpty }

    /// `kpis` with the conversion of each gas input they use added to their factors (KPIs with a value only), one
    /// reference per calendar year of the period (with the baseline for comparisons) in which the file has gas.
    func cite(_ kpis: [KPI], period: ReportPeriod) -> [KPI] {
        guard !byFile.isEmpty else { return kpis }
        return kpis.map { kpi in
            guard kpi.value != nil, Self.keys.contains(kpi.key) else { return kpi }
            var factors = kpi.provenance.factors
            for input in kpi.provenance.inputs {
                guard let conversion = byFile[input] else { continue }
                let first = Self.comparingKeys.contains(kpi.key) ? min(period.firstDay, baselineFirstDay) : period.firstDay
                let from = max(first, conversion.firstDay), to = min(period.lastDay, conversion.lastDay)
                guard from <= to else { continue }
                for year in CivilDate(dayNumber: from).year...CivilDate(dayNumber: to).year {
                    let reference = FactorReference(
                        id: Self.factorID, value: conversion.kwhPerM3, unit: Self.unit, year: year,
                        source: "\(citedFile) sources[\(conversion.sourceIndex)] kwh_per_m3", note: nil)
                    if !factors.contains(reference) { factors.append(reference) }
                }
            }
            guard factors.count != kpi.provenance.factors.count else { return kpi }
            var provenance = kpi.provenance
            provenance.factors = factors
            return KPI(key: kpi.key, period: kpi.period, site: kpi.site, value: kpi.value, unit: kpi.unit,
                       coverage: kpi.coverage, estimatedShare: kpi.estimatedShare, flags: kpi.flags,
                       provenance: provenance)
        }
    }
}
