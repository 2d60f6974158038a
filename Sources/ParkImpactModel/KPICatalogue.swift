/// The unit of a KPI's value; the raw value is how `kpis.json` and `kpis.csv` write it.
public enum KPIUnit: String, Sendable, CaseIterable {
    case kWh, MWh, kW
    case tonnesCO2e = "t CO2e"
    case percent = "%"
    case percentagePoints = "pp"
    case ratio
    case heatingDegreeDays = "HDD"
    case km, kg, m3
    case m3PerFTE = "m3/FTE"
    case m3PerM2 = "m3/m2"
    case m3PerHour = "m3/h"
    case euro = "EUR"
    case euroPerTonneCO2e = "EUR/t CO2e"
    case years, rows
    case tonnesCO2ePerFTE = "t CO2e/FTE"
    case kgCO2ePerM2 = "kg CO2e/m2"
    case MWhPerFTE = "MWh/FTE"
    case kWhPerM2 = "kWh/m2"

    /// Whether a value in this unit adds up over time (an amount: energy, tonnes, m³, euros, rows, degree days, an
    /// amount per FTE or m²), so that a longer period has more of it: its change against the baseline compares
    /// values per day. Rates, peaks, ratios and lengths of time do not.
    public var isPeriodAmount: Bool {
        switch self {
        case .kWh, .MWh, .tonnesCO2e, .heatingDegreeDays, .km, .kg, .m3, .m3PerFTE, .m3PerM2, .euro, .rows,
             .tonnesCO2ePerFTE, .kgCO2ePerM2, .MWhPerFTE, .kWhPerM2: true
        case .kW, .percent, .percentagePoints, .ratio, .m3PerHour, .euroPerTonneCO2e, .years: false
        }
    }
}

/// The family a KPI belongs to: the first part of its key.
public enum KPIFamily: String, Sendable, CaseIterable {
    case energy, co2, weather, baseline, mobility, water, waste, cost, esrs, quality
}

/// Which way a KPI improves. A KPI with a direction may have a target in `targets:` (a minimum when higher is
/// better, a maximum when lower is better); one that improves in neither direction (a model statistic, degree days)
/// may not.
public enum KPIDirection: Sendable {
    case higherIsBetter, lowerIsBetter, neither
}

/// One KPI of the catalogue: a key (or a key per transport mode), its unit as in `kpis.json`, its family, which way
/// it improves and its labels in the report languages.
public struct KPIEntry: Sendable {
    public enum Pattern: Sendable, Equatable {
        /// One key.
        case key(String)
        /// `<prefix><mode>` for every `TransportMode`; the labels are prefixes of the mode's name.
        case perMode(prefix: String)
    }

    public let pattern: Pattern
    public let unit: KPIUnit
    public let family: KPIFamily
    /// For a per-mode entry, the direction of the sustainable modes; `KPICatalogue.direction(of:)` reverses it for
    /// `KPICatalogue.lowerIsBetterModes`.
    public let direction: KPIDirection
    public let nl: String
    public let en: String

    init(_ pattern: Pattern, _ unit: KPIUnit, _ family: KPIFamily, _ direction: KPIDirection, nl: String, en: String) {
        self.pattern = pattern
        self.unit = unit
        self.family = family
        self.direction = direction
        self.nl = nl
        self.en = en
    }

    init(_ key: String, _ unit: KPIUnit, _ family: KPIFamily, _ direction: KPIDirection, nl: String, en: String) {
        self.init(.key(key), unit, family, direction, nl: nl, en: en)
    }

    /// The key, or for a per-mode entry the prefix followed by `<mode>` (as error messages and the README write it).
    public var name: String {
        switch pattern {
        case .key(let key): return key
        case .perMode(let prefix): return prefix + "<mode>"
        }
    }

    /// Decimals kept in `kpis.json` and `kpis.csv`: the resolution of the unit.
    public var decimals: Int { MachineNumber.decimals(forUnit: unit) }

    /// A ratio 0…1 (a target of 60 % is written 0.6).
    public var isRatio: Bool { unit == .ratio }

    public func label(_ language: ReportLanguage) -> String { language == .nl ? nl : en }
}

/// Every KPI the engine emits, in the order reports show them. Labels, order, targetable keys and directions
/// (`KPILabels`, `KPIOrder`, `KPITargets`) derive from this table. A family emits only in pilots with data of its
/// kind (the PV keys and `energy.electricity.peak_kw` with PV production or peak registers; the per-mode keys for
/// the modes present in the surveys and trip logs); `KPIEngineCompletenessTests` runs pilots that together emit every
/// entry and checks that each key they emit has an entry with its unit, and `DemoPipelineGoldenTests` does the same
/// for the demo.
public enum KPICatalogue {
    public static let entries: [KPIEntry] = [
        KPIEntry("energy.electricity.offtake_kwh", .kWh, .energy, .lowerIsBetter,
                 nl: "Elektriciteit: afname van het net", en: "Electricity: grid offtake"),
        KPIEntry("energy.electricity.injection_kwh", .kWh, .energy, .higherIsBetter,
                 nl: "Elektriciteit: injectie op het net", en: "Electricity: grid injection"),
        KPIEntry("energy.electricity.pv_production_kwh", .kWh, .energy, .higherIsBetter,
                 nl: "PV-productie", en: "PV production"),
        KPIEntry("energy.electricity.self_consumed_kwh", .kWh, .energy, .higherIsBetter,
                 nl: "Zelf verbruikte PV-stroom", en: "Self-consumed PV electricity"),
        KPIEntry("energy.electricity.consumption_kwh", .kWh, .energy, .lowerIsBetter,
                 nl: "Elektriciteitsverbruik op de site", en: "On-site electricity consumption"),
        KPIEntry("energy.pv.self_consumption_ratio", .ratio, .energy, .higherIsBetter,
                 nl: "Zelfverbruiksgraad PV", en: "PV self-consumption ratio"),
        KPIEntry("energy.pv.self_sufficiency_ratio", .ratio, .energy, .higherIsBetter,
                 nl: "Zelfvoorzieningsgraad", en: "Self-sufficiency ratio"),
        KPIEntry("energy.electricity.peak_kw", .kW, .energy, .lowerIsBetter,
                 nl: "Hoogste piekvermogen", en: "Highest peak power"),
        KPIEntry("energy.gas_kwh", .kWh, .energy, .lowerIsBetter,
                 nl: "Aardgas (bovenwaarde)", en: "Natural gas (gross calorific value)"),
        KPIEntry("energy.gas.change_vs_baseline_pct", .percent, .energy, .lowerIsBetter,
                 nl: "Verandering aardgas t.o.v. referentie (gemeten, per dag)",
                 en: "Natural gas change vs baseline (measured, per day)"),
        KPIEntry("energy.total_mwh", .MWh, .energy, .lowerIsBetter,
                 nl: "Totaal energieverbruik", en: "Total energy consumption"),
        KPIEntry("energy.fossil_mwh", .MWh, .energy, .lowerIsBetter,
                 nl: "Energie uit fossiele bronnen", en: "Energy from fossil sources"),
        KPIEntry("energy.renewable_mwh", .MWh, .energy, .higherIsBetter,
                 nl: "Hernieuwbare energie", en: "Renewable energy"),
        KPIEntry("energy.renewable_share", .ratio, .energy, .higherIsBetter,
                 nl: "Aandeel hernieuwbare energie", en: "Share of renewable energy"),
        KPIEntry("co2.scope1_t", .tonnesCO2e, .co2, .lowerIsBetter,
                 nl: "Scope 1 (verbranding ter plaatse)", en: "Scope 1 (on-site combustion)"),
        KPIEntry("co2.scope2_location_t", .tonnesCO2e, .co2, .lowerIsBetter,
                 nl: "Scope 2, locatiegebaseerd", en: "Scope 2, location-based"),
        KPIEntry("co2.scope2_market_t", .tonnesCO2e, .co2, .lowerIsBetter,
                 nl: "Scope 2, marktgebaseerd", en: "Scope 2, market-based"),
        KPIEntry("co2.change_vs_baseline_pct", .percent, .co2, .lowerIsBetter,
                 nl: "CO2-verandering t.o.v. referentieperiode", en: "CO2 change vs baseline"),
        KPIEntry("co2.avoided_pv_t", .tonnesCO2e, .co2, .higherIsBetter,
                 nl: "Vermeden CO2 door PV", en: "CO2 avoided by PV"),
        KPIEntry("co2.avoided_modal_shift_t", .tonnesCO2e, .co2, .higherIsBetter,
                 nl: "Vermeden CO2 door modal shift", en: "CO2 avoided by modal shift"),
        KPIEntry("weather.hdd", .heatingDegreeDays, .weather, .neither,
                 nl: "Graaddagen (verwarming)", en: "Heating degree days"),
        KPIEntry("baseline.gas.savings_kwh", .kWh, .baseline, .higherIsBetter,
                 nl: "Gasbesparing (klimaatgecorrigeerd)", en: "Gas savings (weather-normalised)"),
        KPIEntry("baseline.gas.change_weather_corrected_pct", .percent, .baseline, .lowerIsBetter,
                 nl: "Verandering aardgas, klimaatgecorrigeerd", en: "Natural gas change, weather-corrected"),
        KPIEntry("baseline.gas.r2", .ratio, .baseline, .neither,
                 nl: "Referentiemodel gas: R²", en: "Gas baseline model: R²"),
        KPIEntry("baseline.gas.cvrmse", .ratio, .baseline, .neither,
                 nl: "Referentiemodel gas: CV(RMSE)", en: "Gas baseline model: CV(RMSE)"),
        KPIEntry("baseline.gas.nmbe", .ratio, .baseline, .neither,
                 nl: "Referentiemodel gas: NMBE", en: "Gas baseline model: NMBE"),
        KPIEntry(.perMode(prefix: "mobility.share."), .ratio, .mobility, .higherIsBetter,
                 nl: "Modal split: ", en: "Modal share: "),
        KPIEntry(.perMode(prefix: "mobility.shift_pp."), .percentagePoints, .mobility, .higherIsBetter,
                 nl: "Verschuiving modal split: ", en: "Modal shift: "),
        KPIEntry("mobility.car_km_avoided", .km, .mobility, .higherIsBetter,
                 nl: "Vermeden autokilometers", en: "Car kilometres avoided"),
        KPIEntry("mobility.counter.bike_share", .ratio, .mobility, .higherIsBetter,
                 nl: "Aandeel fietsers in getelde weggebruikers", en: "Bike share of counted road users"),
        KPIEntry("water.m3", .m3, .water, .lowerIsBetter, nl: "Waterverbruik", en: "Water use"),
        KPIEntry("water.m3_per_fte", .m3PerFTE, .water, .lowerIsBetter,
                 nl: "Waterverbruik per VTE", en: "Water use per FTE"),
        KPIEntry("water.m3_per_m2", .m3PerM2, .water, .lowerIsBetter,
                 nl: "Waterverbruik per m² vloeroppervlakte", en: "Water use per m² floor area"),
        KPIEntry("water.change_vs_baseline_pct", .percent, .water, .lowerIsBetter,
                 nl: "Verandering waterverbruik t.o.v. referentie", en: "Water use change vs baseline"),
        KPIEntry("water.night_min_flow_m3h", .m3PerHour, .water, .lowerIsBetter,
                 nl: "Minimaal nachtdebiet water", en: "Minimum night flow (water)"),
        KPIEntry("waste.total_kg", .kg, .waste, .lowerIsBetter, nl: "Afval totaal", en: "Total waste"),
        KPIEntry("waste.recycling_rate", .ratio, .waste, .higherIsBetter, nl: "Recyclagegraad", en: "Recycling rate"),
        KPIEntry("waste.energy_recovery_share", .ratio, .waste, .lowerIsBetter,
                 nl: "Aandeel energierecuperatie (R1)", en: "Energy recovery share (R1)"),
        KPIEntry("waste.disposal_share", .ratio, .waste, .lowerIsBetter,
                 nl: "Aandeel verwijdering (D)", en: "Disposal share (D)"),
        KPIEntry("waste.residual_share", .ratio, .waste, .lowerIsBetter,
                 nl: "Aandeel restafval", en: "Residual waste share"),
        KPIEntry("waste.hazardous_share", .ratio, .waste, .lowerIsBetter,
                 nl: "Aandeel gevaarlijk afval", en: "Hazardous waste share"),
        KPIEntry("cost.energy_avoided_eur", .euro, .cost, .higherIsBetter,
                 nl: "Vermeden energiekosten", en: "Energy cost avoided"),
        KPIEntry("cost.eur_per_t_co2_avoided", .euroPerTonneCO2e, .cost, .lowerIsBetter,
                 nl: "Kost per vermeden ton CO2 (investering ÷ ton vermeden in de rapportageperiode)",
                 en: "Cost per tonne CO2 avoided (investment ÷ tonnes avoided in the reporting period)"),
        KPIEntry("cost.payback_years", .years, .cost, .lowerIsBetter, nl: "Terugverdientijd", en: "Simple payback"),
    ] + esrsEntries + [
        KPIEntry("quality.coverage", .ratio, .quality, .higherIsBetter, nl: "Datadekking", en: "Data coverage"),
        KPIEntry("quality.estimated_share", .ratio, .quality, .lowerIsBetter,
                 nl: "Aandeel geschatte waarden", en: "Share of estimated values"),
        KPIEntry("quality.rejected_rows", .rows, .quality, .lowerIsBetter, nl: "Verworpen rijen", en: "Rejected rows"),
    ]

    /// Modes whose share should fall: a target on their `mobility.share.` or `mobility.shift_pp.` key is a maximum.
    public static let lowerIsBetterModes: Set<TransportMode> = [.car, .motorbike]

    /// The position of each entry in `entries`, by key (per-mode entries by their prefix).
    static let indexByKey: [String: Int] = {
        var index: [String: Int] = [:]
        for (offset, entry) in entries.enumerated() {
            switch entry.pattern {
            case .key(let key): index[key] = offset
            case .perMode(let prefix): index[prefix] = offset
            }
        }
        return index
    }()

    static let perModePrefixes: [String] = entries.compactMap {
        if case .perMode(let prefix) = $0.pattern { return prefix }
        return nil
    }

    /// The entry of a key with its position in `entries`, and for a per-mode key the text after the prefix (which
    /// need not name a `TransportMode`); nil for a key the catalogue does not know.
    public static func lookup(_ key: String) -> (index: Int, entry: KPIEntry, mode: String?)? {
        if let index = indexByKey[key], case .key = entries[index].pattern { return (index, entries[index], nil) }
        for prefix in perModePrefixes where key.hasPrefix(prefix) {
            guard let index = indexByKey[prefix] else { continue }
            return (index, entries[index], String(key.dropFirst(prefix.count)))
        }
        return nil
    }

    /// The entry of a key; for a per-mode key only when the mode is a `TransportMode`.
    public static func entry(_ key: String) -> KPIEntry? {
        guard let found = lookup(key) else { return nil }
        if let mode = found.mode, TransportMode(rawValue: mode) == nil { return nil }
        return found.entry
    }

    /// Which way a key improves; per mode, reversed for `lowerIsBetterModes`. Nil for a key the catalogue does not
    /// know.
    public static func direction(of key: String) -> KPIDirection? {
        guard let found = lookup(key) else { return nil }
        if let mode = found.mode, let transport = TransportMode(rawValue: mode), lowerIsBetterModes.contains(transport),
           found.entry.direction == .higherIsBetter {
            return .lowerIsBetter
        }
        return found.entry.direction
    }

    /// The label of a key in a language, nil for a key the catalogue does not know. A per-mode key is its entry's
    /// label followed by the mode's name (or the text after the prefix when that is not a mode).
    public static func label(_ key: String, language: ReportLanguage) -> String? {
        guard let found = lookup(key) else { return nil }
        guard let mode = found.mode else { return found.entry.label(language) }
        return found.entry.label(language) + (TransportMode(rawValue: mode).map { modeName($0, language) } ?? mode)
    }

    /// Every key of the catalogue, in its order, with the per-mode entries for every `TransportMode`.
    public static var keys: [String] {
        entries.flatMap { entry -> [String] in
            switch entry.pattern {
            case .key(let key): return [key]
            case .perMode(let prefix): return TransportMode.allCases.map { prefix + $0.rawValue }
            }
        }
    }

    /// The name of a mode in the labels of the per-mode KPIs and in the report's mobility section.
    public static func modeName(_ mode: TransportMode, _ language: ReportLanguage) -> String {
        switch mode {
        case .car: return language == .nl ? "auto (solo)" : "car (solo)"
        case .carpool: return "carpool"
        case .motorbike: return language == .nl ? "motor" : "motorbike"
        case .bus: return "bus"
        case .tram: return "tram"
        case .train: return language == .nl ? "trein" : "train"
        case .bike: return language == .nl ? "fiets" : "bike"
        case .ebike: return language == .nl ? "e-fiets" : "e-bike"
        case .walk: return language == .nl ? "te voet" : "walking"
        case .other: return language == .nl ? "andere" : "other"
        }
    }
}
