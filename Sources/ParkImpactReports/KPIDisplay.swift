import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// How a KPI value is shown: its kind (a measure, percent, ratio, points, a count), its unit and its number.
enum KPIDisplay {
    static let lowCoverageFlag = KPIFlag.lowCoverage

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
            let shown = language == .nl ? unitsNL[NumberFormatting.normalizedUnit(unit)] : unitsEN[unit]
            return shown ?? unit
        }
    }

    /// Units as people read them: `kpis.json` and `kpis.csv` write `m3`, `m3/FTE` (ASCII, stable); the report writes
    /// m³, m² and, in Dutch, VTE (voltijdse equivalenten) for FTE. Symbols such as kWh and t CO2e stay the same.
    static let unitsEN: [String: String] = [
        "m3": "m³", "m3/h": "m³/h", "m3/FTE": "m³/FTE", "m3/m2": "m³/m²", "m2": "m²",
    ]

    /// Unit words and symbols that differ in Dutch (keys lower-cased, as `NumberFormatting.normalizedUnit`).
    static let unitsNL: [String: String] = [
        "rows": "rijen", "days": "dagen", "years": "jaar", "count": "aantal", "trips": "verplaatsingen",
        "m3": "m³", "m3/h": "m³/h", "m3/fte": "m³/VTE", "m3/m2": "m³/m²", "m2": "m²",
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
    /// `value` of the KPI `key` is in `unit` (as `kpis.json` writes it, or any unit text).
    static func cardAmount(key: String, value: Double?, unit: String)
        -> (value: Double?, unit: String, decimals: Int)? {
        let u = NumberFormatting.normalizedUnit(unit)
        switch u {
        case "kwh": return (value.map { $0 / 1000 }, "MWh", 1)
        case "wh": return (value.map { $0 / 1_000_000 }, "MWh", 1)
        case "mwh": return (value, "MWh", 1)
        default:
            if NumberFormatting.isTonnes(u) { return (value, unit, 1) }
            let kind = kind(key: key, unit: unit)
            switch kind {
            case .measure(let decimals): return (value, unit, decimals)
            case .ratio: return (value.map { $0 * 100 }, "%", 1)
            case .percent, .points: return (value, displayUnit(kind: kind, unit: unit), 1)
            case .count: return (value, unit, 0)
            }
        }
    }
}
