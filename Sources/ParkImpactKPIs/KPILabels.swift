public import ParkImpactModel
public import ParkImpactDefinition

package enum KPIOrder {
    static let known: [String] = [
        "energy.electricity.offtake_kwh", "energy.electricity.injection_kwh",
        "energy.electricity.pv_production_kwh", "energy.electricity.self_consumed_kwh",
        "energy.electricity.consumption_kwh", "energy.pv.self_consumption_ratio", "energy.pv.self_sufficiency_ratio",
        "energy.electricity.peak_kw", "energy.gas_kwh", "energy.total_mwh", "energy.fossil_mwh", "energy.renewable_mwh", "energy.renewable_share",
        "co2.scope1_t", "co2.scope2_location_t", "co2.scope2_market_t", "co2.change_vs_baseline_pct",
        "co2.avoided_pv_t", "co2.avoided_modal_shift_t",
        "weather.hdd", "baseline.gas.savings_kwh", "baseline.gas.r2", "baseline.gas.cvrmse", "baseline.gas.nmbe",
        "mobility.share.", "mobility.shift_pp.", "mobility.car_km_avoided", "mobility.counter.bike_share",
        "water.m3", "water.m3_per_fte", "water.m3_per_m2", "water.change_vs_baseline_pct", "water.night_min_flow_m3h",
        "waste.total_kg", "waste.recycling_rate", "waste.energy_recovery_share", "waste.disposal_share",
        "waste.residual_share", "waste.hazardous_share",
        "cost.energy_avoided_eur", "cost.eur_per_t_co2_avoided", "cost.payback_years",
        "quality.coverage", "quality.estimated_share", "quality.rejected_rows",
    ]
    static let rank: [String: Int] = {
        var rank: [String: Int] = [:]
        for (offset, key) in known.enumerated() { rank[key] = offset }
        return rank
    }()
    static let modes = ["car", "carpool", "motorbike", "bus", "tram", "train", "bike", "ebike", "walk", "other"]
    static let qualityRank = rank["quality.coverage"] ?? known.count

    /// Known keys in a fixed order (mobility keys by mode), unknown keys after the known ones and before the
    /// quality keys, alphabetically.
    static func sortKey(_ key: String) -> (Int, Int, String) {
        if let r = rank[key] { return (r, 0, key) }
        for prefix in ["mobility.share.", "mobility.shift_pp."] where key.hasPrefix(prefix) {
            let mode = String(key.dropFirst(prefix.count))
            return (rank[prefix] ?? known.count, (modes.firstIndex(of: mode) ?? modes.count), key)
        }
        return (qualityRank, -1, key)
    }

    package static func sorted(_ keys: Set<String>) -> [String] {
        keys.sorted { sortKey($0) < sortKey($1) }
    }
}

package enum KPILabels {
    static let nl: [String: String] = [
        "energy.electricity.offtake_kwh": "Elektriciteit: afname van het net",
        "energy.electricity.injection_kwh": "Elektriciteit: injectie op het net",
        "energy.electricity.pv_production_kwh": "PV-productie",
        "energy.electricity.self_consumed_kwh": "Zelf verbruikte PV-stroom",
        "energy.electricity.consumption_kwh": "Elektriciteitsverbruik op de site",
        "energy.pv.self_consumption_ratio": "Zelfverbruiksgraad PV",
        "energy.pv.self_sufficiency_ratio": "Zelfvoorzieningsgraad",
        "energy.electricity.peak_kw": "Hoogste piekvermogen",
        "energy.gas_kwh": "Aardgas (bovenwaarde)",
        "energy.total_mwh": "Totaal energieverbruik",
        "energy.fossil_mwh": "Energie uit fossiele bronnen",
        "energy.renewable_mwh": "Hernieuwbare energie",
        "energy.renewable_share": "Aandeel hernieuwbare energie",
        "co2.scope1_t": "Scope 1 (verbranding ter plaatse)",
        "co2.scope2_location_t": "Scope 2, locatiegebaseerd",
        "co2.scope2_market_t": "Scope 2, marktgebaseerd",
        "co2.change_vs_baseline_pct": "CO2-verandering t.o.v. referentieperiode",
        "co2.avoided_pv_t": "Vermeden CO2 door PV",
        "co2.avoided_modal_shift_t": "Vermeden CO2 door modal shift",
        "weather.hdd": "Graaddagen (verwarming)",
        "baseline.gas.savings_kwh": "Gasbesparing (klimaatgecorrigeerd)",
        "baseline.gas.r2": "Referentiemodel gas: R²",
        "baseline.gas.cvrmse": "Referentiemodel gas: CV(RMSE)",
        "baseline.gas.nmbe": "Referentiemodel gas: NMBE",
        "mobility.car_km_avoided": "Vermeden autokilometers",
        "mobility.counter.bike_share": "Aandeel fietsers in getelde weggebruikers",
        "water.m3": "Waterverbruik",
        "water.m3_per_fte": "Waterverbruik per VTE",
        "water.night_min_flow_m3h": "Minimaal nachtdebiet water",
        "water.m3_per_m2": "Waterverbruik per m² vloeroppervlakte",
        "water.change_vs_baseline_pct": "Verandering waterverbruik t.o.v. referentie",
        "waste.total_kg": "Afval totaal",
        "waste.recycling_rate": "Recyclagegraad",
        "waste.energy_recovery_share": "Aandeel energierecuperatie (R1)",
        "waste.disposal_share": "Aandeel verwijdering (D)",
        "waste.residual_share": "Aandeel restafval",
        "waste.hazardous_share": "Aandeel gevaarlijk afval",
        "cost.energy_avoided_eur": "Vermeden energiekosten",
        "cost.eur_per_t_co2_avoided": "Kost per vermeden ton CO2",
        "cost.payback_years": "Terugverdientijd",
        "quality.coverage": "Datadekking",
        "quality.estimated_share": "Aandeel geschatte waarden",
        "quality.rejected_rows": "Verworpen rijen",
    ]
    static let en: [String: String] = [
        "energy.electricity.offtake_kwh": "Electricity: grid offtake",
        "energy.electricity.injection_kwh": "Electricity: grid injection",
        "energy.electricity.pv_production_kwh": "PV production",
        "energy.electricity.self_consumed_kwh": "Self-consumed PV electricity",
        "energy.electricity.consumption_kwh": "On-site electricity consumption",
        "energy.pv.self_consumption_ratio": "PV self-consumption ratio",
        "energy.pv.self_sufficiency_ratio": "Self-sufficiency ratio",
        "energy.electricity.peak_kw": "Highest peak power",
        "energy.gas_kwh": "Natural gas (gross calorific value)",
        "energy.total_mwh": "Total energy consumption",
        "energy.fossil_mwh": "Energy from fossil sources",
        "energy.renewable_mwh": "Renewable energy",
        "energy.renewable_share": "Share of renewable energy",
        "co2.scope1_t": "Scope 1 (on-site combustion)",
        "co2.scope2_location_t": "Scope 2, location-based",
        "co2.scope2_market_t": "Scope 2, market-based",
        "co2.change_vs_baseline_pct": "CO2 change vs baseline",
        "co2.avoided_pv_t": "CO2 avoided by PV",
        "co2.avoided_modal_shift_t": "CO2 avoided by modal shift",
        "weather.hdd": "Heating degree days",
        "baseline.gas.savings_kwh": "Gas savings (weather-normalised)",
        "baseline.gas.r2": "Gas baseline model: R²",
        "baseline.gas.cvrmse": "Gas baseline model: CV(RMSE)",
        "baseline.gas.nmbe": "Gas baseline model: NMBE",
        "mobility.car_km_avoided": "Car kilometres avoided",
        "mobility.counter.bike_share": "Bike share of counted road users",
        "water.m3": "Water use",
        "water.m3_per_fte": "Water use per FTE",
        "water.night_min_flow_m3h": "Minimum night flow (water)",
        "water.m3_per_m2": "Water use per m² floor area",
        "water.change_vs_baseline_pct": "Water use change vs baseline",
        "waste.total_kg": "Total waste",
        "waste.recycling_rate": "Recycling rate",
        "waste.energy_recovery_share": "Energy recovery share (R1)",
        "waste.disposal_share": "Disposal share (D)",
        "waste.residual_share": "Residual waste share",
        "waste.hazardous_share": "Hazardous waste share",
        "cost.energy_avoided_eur": "Energy cost avoided",
        "cost.eur_per_t_co2_avoided": "Cost per tonne CO2 avoided",
        "cost.payback_years": "Simple payback",
        "quality.coverage": "Data coverage",
        "quality.estimated_share": "Share of estimated values",
        "quality.rejected_rows": "Rejected rows",
    ]
    package static let modesNL: [String: String] = [
        "car": "auto (solo)", "carpool": "carpool", "motorbike": "motor", "bus": "bus", "tram": "tram",
        "train": "trein", "bike": "fiets", "ebike": "e-fiets", "walk": "te voet", "other": "andere",
    ]
    package static let modesEN: [String: String] = [
        "car": "car (solo)", "carpool": "carpool", "motorbike": "motorbike", "bus": "bus", "tram": "tram",
        "train": "train", "bike": "bike", "ebike": "e-bike", "walk": "walking", "other": "other",
    ]

    /// The human label of a key in the report language; an unknown key is its own label.
    package static func label(for key: String, language: PipelineDefinition.Language) -> String {
        if let label = (language == .nl ? nl : en)[key] { return label }
        if key == KPIDerived.scope12MarketKey {
            return language == .nl ? "Scope 1+2, marktgebaseerd" : "Scope 1+2, market-based"
        }
        let modes = language == .nl ? modesNL : modesEN
        if key.hasPrefix("mobility.share.") {
            let mode = String(key.dropFirst("mobility.share.".count))
            return (language == .nl ? "Modal split: " : "Modal share: ") + (modes[mode] ?? mode)
        }
        if key.hasPrefix("mobility.shift_pp.") {
            let mode = String(key.dropFirst("mobility.shift_pp.".count))
            return (language == .nl ? "Verschuiving modal split: " : "Modal shift: ") + (modes[mode] ?? mode)
        }
        return key
    }
}
