import Foundation

/// Numbers in machine-readable outputs: rounded to the unit's resolution, no exponent, no locale.
public enum MachineNumber {
    /// Decimals kept per unit: meter resolution for kWh, grams for tonnes.
    public static func decimals(forUnit unit: KPIUnit) -> Int {
        switch unit {
        case .kWh, .m3: return 3
        case .tonnesCO2e: return 6
        case .percent: return 4
        case .ratio: return 6
        case .rows: return 0
        case .MWh, .kW, .percentagePoints, .heatingDegreeDays, .km, .kg, .m3PerFTE, .m3PerM2, .m3PerHour, .euro,
             .euroPerTonneCO2e, .years, .tonnesCO2ePerFTE, .kgCO2ePerM2, .MWhPerFTE, .kWhPerM2:
            return 6
        }
    }

    public static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
