import ParkImpactModel
import ParkImpactDefinition

/// KPIs by (key, period, site); the first of duplicates wins, as in `PilotReport.kpi(_:period:site:)`.
///
/// The engine lists the KPIs of one period and scope together (`KPIEngine.compute`), a few dozen keys: the index
/// keeps those runs by period and site, and a lookup scans its run for the key. That is one comparison of texts per
/// KPI to build, rather than hashing all three texts of every KPI, and positions, not copies of the KPIs.
package struct KPIIndex {
    private let kpis: [KPI]
    /// Runs of consecutive KPIs with the same period and site, in list order, by period and site.
    private var runs: [String: [String?: [Range<Int>]]] = [:]

    package init(_ kpis: [KPI]) {
        self.kpis = kpis
        var start = 0
        for index in kpis.indices {
            let isLast = index == kpis.count - 1
            guard isLast || kpis[index + 1].period != kpis[start].period || kpis[index + 1].site != kpis[start].site
            else { continue }
            runs[kpis[start].period, default: [:]][kpis[start].site, default: []].append(start..<(index + 1))
            start = index + 1
        }
    }

    package subscript(key: String, period: String, site: String?) -> KPI? {
        for run in runs[period]?[site] ?? [] {
            if let index = kpis[run].firstIndex(where: { $0.key == key }) { return kpis[index] }
        }
        return nil
    }
}

/// Figures the report shows that are sums of KPIs.
package enum KPIDerived {
    package static let scope12MarketKey = "co2.scope12_market_t"

    /// Scope 1 + Scope 2 market-based. A component that is not measured at all (no KPI, or a null value with no
    /// coverage: no source delivers that carrier, e.g. a site without gas) counts as absent, as in
    /// `co2.change_vs_baseline_pct`; a component that is measured but has no data in the period (null value with a
    /// coverage) makes the sum null, with its reason, rather than silently understating. Coverage is the lowest of
    /// the parts that count, flags are their union.
    package static func scope12Market(_ index: KPIIndex, period: String, site: String?) -> KPI? {
        combine([index["co2.scope1_t", period, site], index["co2.scope2_market_t", period, site]],
                key: scope12MarketKey, period: period, site: site,
                formula: "co2.scope1_t + co2.scope2_market_t")
    }

    package static func combine(_ parts: [KPI?], key: String, period: String, site: String?, formula: String) -> KPI? {
        let all = parts.compactMap { $0 }
        guard let first = all.first else { return nil }
        let present = all.filter { $0.value != nil || $0.coverage != nil }
        guard !present.isEmpty else {
            // Nothing measured at all: null, with the parts' reasons.
            let reason = KPIReason.joined(all.map { .within(.kpi($0.key), $0.provenance.why ?? .noDataAtAll) })
            return KPI(key: key, period: period, site: site, value: nil, unit: first.unit, coverage: nil, flags: [],
                       provenance: Provenance(formula: formula, reason: reason))
        }
        var flags: [KPIFlag] = []
        for part in present { for flag in part.flags where !flags.contains(flag) { flags.append(flag) } }
        let coverages = present.compactMap(\.coverage)
        let nulls = present.filter { $0.value == nil }
        let value: Double? = nulls.isEmpty ? present.reduce(0) { $0 + ($1.value ?? 0) } : nil
        // Each part keeps its own code and parameters; the sum has the code of the first null part.
        let reason = KPIReason.joined(nulls.map { .within(.kpi($0.key), $0.provenance.why ?? .noDataAtAll) })
        return KPI(key: key, period: period, site: site, value: value, unit: first.unit,
                   coverage: coverages.min(), flags: flags,
                   provenance: Provenance(inputs: inputs(of: present), factors: present.flatMap(\.provenance.factors),
                                          formula: formula, reason: reason))
    }

    /// The parts' inputs once each, sorted (a part can list thousands of files): the first of equal texts is kept.
    /// A KPI's list of inputs is sorted without two equal texts, so when the parts' non-empty lists are all one array
    /// (the same storage), that array is the answer.
    static func inputs(of parts: [KPI]) -> [String] {
        var only: [String] = []
        for part in parts where !part.provenance.inputs.isEmpty {
            if only.isEmpty {
                only = part.provenance.inputs
            } else if !KPIEngine.sameStorage(only, part.provenance.inputs) {
                var seen = Set<String>()
                var inputs: [String] = []
                for part in parts {
                    for input in part.provenance.inputs where seen.insert(input).inserted { inputs.append(input) }
                }
                return inputs.sorted()
            }
        }
        return only
    }
}
