public import ParkImpactModel

/// The KPI keys `targets:` accepts (the contract's keys, `mobility.share.<mode>` and `mobility.shift_pp.<mode>` for
/// every mode) and which way each one improves.
public enum KPITargets {
    static let fixedKeys: [String] = [
        "energy.electricity.offtake_kwh", "energy.electricity.injection_kwh", "energy.electricity.pv_production_kwh",
        "energy.electricity.self_consumed_kwh", "energy.electricity.consumption_kwh",
        "energy.pv.self_consumption_ratio", "energy.pv.self_sufficiency_ratio", "energy.electricity.peak_kw",
        "energy.gas_kwh", "energy.total_mwh", "energy.fossil_mwh", "energy.renewable_mwh", "energy.renewable_share",
        "co2.scope1_t", "co2.scope2_location_t", "co2.scope2_market_t", "co2.change_vs_baseline_pct",
        "co2.avoided_pv_t", "co2.avoided_modal_shift_t", "baseline.gas.savings_kwh", "mobility.car_km_avoided",
        "mobility.counter.bike_share", "water.m3", "water.m3_per_fte", "water.m3_per_m2", "water.night_min_flow_m3h",
        "water.change_vs_baseline_pct", "waste.total_kg", "waste.recycling_rate", "waste.energy_recovery_share",
        "waste.disposal_share", "waste.residual_share", "waste.hazardous_share", "cost.energy_avoided_eur",
        "cost.eur_per_t_co2_avoided", "cost.payback_years", "quality.coverage", "quality.estimated_share",
        "quality.rejected_rows",
    ]

    public static func isTargetable(_ key: String) -> Bool {
        if fixedKeys.contains(key) { return true }
        for prefix in ["mobility.share.", "mobility.shift_pp."] where key.hasPrefix(prefix) {
            return TransportMode(rawValue: String(key.dropFirst(prefix.count))) != nil
        }
        return false
    }

    /// Keys whose value is a ratio 0…1 (a target of 60 % is written 0.6).
    public static func isRatio(_ key: String) -> Bool {
        key.hasSuffix("_ratio") || key.hasSuffix("_share") || key.hasSuffix("_rate") || key == "quality.coverage"
            || key.hasPrefix("mobility.share.")
    }

    /// Whether a higher value is better (the target is a minimum); otherwise it is a maximum.
    public static func higherIsBetter(_ key: String) -> Bool {
        if key.hasPrefix("mobility.share.") || key.hasPrefix("mobility.shift_pp.") {
            let mode = key.split(separator: ".").last.map(String.init) ?? ""
            return !["car", "motorbike"].contains(mode)
        }
        return [
            "energy.electricity.injection_kwh", "energy.electricity.pv_production_kwh",
            "energy.electricity.self_consumed_kwh", "energy.pv.self_consumption_ratio",
            "energy.pv.self_sufficiency_ratio", "energy.renewable_mwh", "energy.renewable_share", "co2.avoided_pv_t",
            "co2.avoided_modal_shift_t", "baseline.gas.savings_kwh", "mobility.car_km_avoided",
            "mobility.counter.bike_share", "waste.recycling_rate", "cost.energy_avoided_eur", "quality.coverage",
        ].contains(key)
    }

    static var validKeysDescription: String {
        let modes = TransportMode.allCases.map(\.rawValue).joined(separator: "|")
        return fixedKeys.joined(separator: ", ") + ", mobility.share.<mode>, mobility.shift_pp.<mode> (mode: \(modes))"
    }
}
