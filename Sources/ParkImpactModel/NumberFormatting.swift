/// Deterministic number formatting for the reports, by hand (no `NumberFormatter`, no `Locale`): the same value
/// gives the same bytes on every machine.
///
/// - `nl`: `1.234,5` (dot groups thousands, comma is the decimal mark)
/// - `en`: `1,234.5`
///
/// Negative numbers get a real minus sign (U+2212), never a hyphen. Rounding is half away from zero on the
/// shortest decimal representation of the `Double` (what Swift prints), so `2.675` rounds to `2.68` as a reader
/// expects, not to `2.67` as the binary value `2.67499999…` would. A value that rounds to zero has no sign.
/// Percentages are written with a no-break space before the sign (`12,3 %`), as ISO 80000 and Dutch usage want.
public enum NumberFormatting {
    /// U+2212 MINUS SIGN.
    public static let minusSign = "\u{2212}"
    /// U+00A0 NO-BREAK SPACE, between a number and `%` or `pp`.
    public static let noBreakSpace = "\u{00A0}"
    /// What a value that cannot be shown (NaN, infinity, nil) is written as.
    public static let dash = "—"

    /// The grouping separator and the decimal mark of a report language.
    public static func separators(_ language: ReportLanguage) -> (grouping: String, decimal: String) {
        switch language {
        case .nl: return (".", ",")
        case .en: return (",", ".")
        }
    }

    /// `value` with exactly `decimals` decimals, thousands grouped. `explicitPlus` writes `+` before a positive
    /// value (for changes); zero never gets a sign.
    public static func format(_ value: Double, decimals: Int, language: ReportLanguage,
                              grouping: Bool = true, explicitPlus: Bool = false) -> String {
        guard value.isFinite else { return dash }
        let places = max(0, min(decimals, 17))
        var (digits, integerCount) = roundedDigits(abs(value), decimals: places)
        // Strip leading zeros of the integer part, keeping one.
        var leading = 0
        while leading < integerCount - 1, digits[leading] == 0 { leading += 1 }
        if leading > 0 {
            digits.removeFirst(leading)
            integerCount -= leading
        }
        let isZero = digits.allSatisfy { $0 == 0 }
        let (groupSeparator, decimalMark) = separators(language)

        var text = ""
        text.reserveCapacity(integerCount + places + integerCount / 3 + 4)
        if !isZero {
            if value < 0 { text += minusSign } else if explicitPlus { text += "+" }
        }
        for index in 0..<integerCount {
            if grouping, index > 0, (integerCount - index) % 3 == 0 { text += groupSeparator }
            text.unicodeScalars.append(Unicode.Scalar(UInt8(48) + digits[index]))
        }
        if places > 0 {
            text += decimalMark
            for index in integerCount..<(integerCount + places) {
                text.unicodeScalars.append(Unicode.Scalar(UInt8(48) + digits[index]))
            }
        }
        return text
    }

    /// A value that is already in percent: `12.34` → `12,3 %` (nl) / `12.3 %` (en).
    public static func percent(_ value: Double, decimals: Int = 1, language: ReportLanguage,
                               explicitPlus: Bool = false) -> String {
        guard value.isFinite else { return dash }
        return format(value, decimals: decimals, language: language, explicitPlus: explicitPlus) + noBreakSpace + "%"
    }

    /// A ratio 0...1 as a percentage: `0.875` → `87,5 %`.
    public static func percent(ratio: Double, decimals: Int = 1, language: ReportLanguage,
                               explicitPlus: Bool = false) -> String {
        percent(ratio * 100, decimals: decimals, language: language, explicitPlus: explicitPlus)
    }

    /// A difference of percentages in percentage points: `-2.25` → `−2,3 pp`.
    public static func percentagePoints(_ value: Double, decimals: Int = 1,
                                        language: ReportLanguage) -> String {
        guard value.isFinite else { return dash }
        return format(value, decimals: decimals, language: language, explicitPlus: true) + noBreakSpace + "pp"
    }

    /// A value with as many decimals as it needs, at most `maxDecimals` (trailing zeros dropped): for emission
    /// factors such as `0.16749` → `0,16749`.
    public static func plain(_ value: Double, maxDecimals: Int = 6, language: ReportLanguage,
                             grouping: Bool = true) -> String {
        guard value.isFinite else { return dash }
        var text = format(value, decimals: maxDecimals, language: language, grouping: grouping)
        let decimalMark = separators(language).decimal
        guard maxDecimals > 0, text.hasSuffix("0") || text.hasSuffix(decimalMark) else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(decimalMark) { text.removeLast() }
        if text == minusSign { return "0" }
        if text.hasPrefix(minusSign), text.dropFirst().allSatisfy({ $0 == "0" }) { return "0" }
        return text
    }

    /// Decimals for a unit in tables: kWh 0, MWh 1, t CO2e 2, % 1, counts 0, ... (2 for units it does not know).
    public static func decimals(forUnit unit: String) -> Int {
        let u = normalizedUnit(unit)
        switch u {
        case "wh", "kwh", "kg", "kg co2e", "kgco2e", "kg co2", "eur", "€", "eur/t", "eur/t co2e", "€/t",
             "count", "rows", "n", "km", "pkm", "trips", "dd", "hdd", "k·d", "kd", "degree days":
            return 0
        case "mwh", "gwh", "m3", "m³", "l", "years", "year", "y", "°c", "degc", "%", "pct", "percent", "pp", "kw":
            return 1
        default:
            // Tonnes CO2e (`t`, `t CO2e`, ...) and anything unknown: 2.
            return 2
        }
    }

    /// `t`, `t CO2e`, `tCO2e`, `t CO2`, `t CO2-eq` (already normalised: lower case, trimmed).
    package static func isTonnes(_ normalized: String) -> Bool {
        guard normalized.hasPrefix("t") else { return false }
        let rest = normalized.dropFirst()
        return rest.isEmpty || rest.hasPrefix(" ") || rest.hasPrefix("co2")
    }

    /// Lower case without surrounding spaces (locale-independent: Unicode default case mapping).
    package static func normalizedUnit(_ unit: String) -> String {
        var scalars = Substring(unit).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars)).lowercased()
    }

    /// The decimal digits of a non-negative finite `value` rounded (half away from zero) to `decimals` places,
    /// with the count of integer digits (at least 1; may have leading zeros).
    static func roundedDigits(_ value: Double, decimals: Int) -> (digits: [UInt8], integerCount: Int) {
        // Swift prints the shortest representation that reads back to the same Double, e.g. `1234.5`,
        // `0.05`, `1e-05`, `1.2345e+16`.
        let printed = value.description
        var mantissa = Substring(printed)
        var exponent = 0
        if let e = printed.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = printed[..<e]
            exponent = Int(printed[printed.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(mantissa.utf8.count + decimals + 2)
        var integerCount: Int?
        for byte in mantissa.utf8 {
            if byte == UInt8(ascii: ".") {
                integerCount = digits.count
            } else if byte >= 48, byte <= 57 {
                digits.append(byte - 48)
            }
        }
        var intCount = (integerCount ?? digits.count) + exponent
        if digits.isEmpty { digits = [0]; intCount = 1 }
        if intCount <= 0 {
            digits.insert(contentsOf: repeatElement(0, count: 1 - intCount), at: 0)
            intCount = 1
        }
        let total = intCount + decimals
        if digits.count < total {
            digits.append(contentsOf: repeatElement(0, count: total - digits.count))
        } else if digits.count > total {
            let roundUp = digits[total] >= 5
            digits.removeSubrange(total...)
            if roundUp {
                var position = total - 1
                var carry = true
                while carry, position >= 0 {
                    if digits[position] == 9 {
                        digits[position] = 0
                        position -= 1
                    } else {
                        digits[position] += 1
                        carry = false
                    }
                }
                if carry {
                    digits.insert(1, at: 0)
                    intCount += 1
                }
            }
        }
        return (digits, intCount)
    }
}
