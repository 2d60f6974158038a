import CSVReading
import Testing
import TestSupport

/// `FieldParsing.decimal` on a string, the way a format parser calls it on field bytes.
func decimal(_ text: String, mark: Character = ".") -> Double? {
    Array(text.utf8).withUnsafeBytes { FieldParsing.decimal($0, decimalMark: UInt8(ascii: mark.unicodeScalars.first!)) }
}

@Suite("Parsing numbers and codes from field bytes")
struct FieldParsingTests {
    @Test func aDecimalCommaReadsExactlyLikeTheDecimalPoint() {
        #expect(decimal("0,173", mark: ",") == 0.173)
        #expect(decimal("0,173", mark: ",")?.bitPattern == Double("0.173")!.bitPattern)
        #expect(decimal("5,445", mark: ",") == 5.445)
        #expect(decimal("381,000", mark: ",") == 381)
    }

    @Test(arguments: [
        ("-12.5", -12.5), ("+3", 3.0), ("  4.25  ", 4.25), ("0", 0.0), ("007", 7.0), ("12.", 12.0), (".5", 0.5),
        ("1e3", 1000.0), ("1.5E-7", 1.5e-7), ("-2.5e+10", -2.5e10), ("6.02214076e23", 6.02214076e23),
        ("9007199254740993", 9_007_199_254_740_992.0), ("123456789012345678", 123_456_789_012_345_678.0),
    ])
    func decimalsWithAPoint(text: String, expected: Double) {
        #expect(decimal(text) == expected)
        #expect(decimal(text)?.bitPattern == Double(text.trimmingSpaces)?.bitPattern)
    }

    @Test func minusZeroKeepsItsSign() {
        #expect(decimal("-0")?.sign == .minus)
        #expect(decimal("-0,0", mark: ",")?.sign == .minus)
    }

    @Test(arguments: ["12,5x", "", "   ", "-", "+", ".", ",", "1.234,5", "1,234.5", "12 5", "--1", "+-1", "1e", "e5",
                      "1e5x", "0x10", "NaN", "inf", "1,5,6", "1e400", "5\t", "€5"])
    func notANumberWithADecimalCommaGivesNil(text: String) {
        #expect(decimal(text, mark: ",") == nil)
    }

    @Test(arguments: ["12.5x", "", "-", ".", "1,234.5", "1.234,5", "1.2.3", "0,5", "1e5.5", "NaN", "-inf", "1e-400x"])
    func notANumberWithADecimalPointGivesNil(text: String) {
        #expect(decimal(text, mark: ".") == nil)
    }

    @Test func thousandsSeparatorsAreNotGuessed() {
        #expect(decimal("1.234,5", mark: ",") == nil)
        #expect(decimal("1.234", mark: ",") == nil)
        #expect(decimal("1,234", mark: ".") == nil)
    }

    /// 10 000 deterministic pseudo-random decimals with up to 10 integer and 6 fraction digits, both marks.
    @Test func randomDecimalsAreBitIdenticalToDoubleParsing() {
        var random = SplitMix64(state: 20_240_101)
        var mismatches: [String] = []
        for _ in 0..<10_000 {
            let integerDigits = Int(random.next(below: 11))
            let fractionDigits = Int(random.next(below: 7))
            var text = random.next(below: 4) == 0 ? "-" : ""
            text += integerDigits == 0 ? "0" : String((0..<integerDigits).map { _ in digit(&random) })
            if fractionDigits > 0 { text += "." + String((0..<fractionDigits).map { _ in digit(&random) }) }
            let expected = Double(text)!
            if decimal(text)?.bitPattern != expected.bitPattern { mismatches.append(text) }
            if decimal(text.replacingPointsWithCommas, mark: ",")?.bitPattern != expected.bitPattern {
                mismatches.append(text.replacingPointsWithCommas)
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(10))")
    }

    /// Long mantissas and exponents leave the fast path; the result must still be the correctly rounded double.
    @Test(arguments: [
        "1234567890123456789012345", "0.1234567890123456789012345", "123456789012.3456789012345",
        "-9999999999999999999999999", "0.0000000000000000000000001", "1.00000000000000000000000000001",
        "9007199254740993.0", "18446744073709551616", "0.30000000000000004440892098500626",
        "2.2250738585072011e-308", "4.9e-324", "1e-320", "1.7976931348623157e308", "123e-2", "-1E2",
        "3.14159265358979323846264338327950288", "0.1e25", "100000000000000000000000e-5",
    ])
    func longMantissasAndExponentsGoThroughTheSlowPathAndStillMatch(text: String) {
        #expect(decimal(text)?.bitPattern == Double(text)!.bitPattern)
        #expect(decimal(text.replacingPointsWithCommas, mark: ",")?.bitPattern == Double(text)!.bitPattern)
    }

    @Test func digitsReadsFixedWidthNumbersFromADate() {
        let field = Array("31-12-2024 23:45".utf8)
        field.withUnsafeBytes { bytes in
            #expect(FieldParsing.digits(bytes, 0, 2) == 31)
            #expect(FieldParsing.digits(bytes, 3, 2) == 12)
            #expect(FieldParsing.digits(bytes, 6, 4) == 2024)
            #expect(FieldParsing.digits(bytes, 11, 2) == 23)
            #expect(FieldParsing.digits(bytes, 14, 2) == 45)
            #expect(FieldParsing.digits(bytes, 1, 2) == nil)     // "1-"
            #expect(FieldParsing.digits(bytes, 14, 3) == nil)    // past the end
            #expect(FieldParsing.digits(bytes, -1, 2) == nil)
        }
    }

    @Test(arguments: [
        ("Afname Dag", "afname dag" as StaticString, true), ("  KWH ", "kWh", true), ("m³", "M³", true),
        ("Read", "Reads", false), ("Reads", "Read", false), ("Gevalideerd", "Geschat", false), ("", "", true),
        ("   ", "", true), ("Ä", "ä", false), ("\tRead", "read", false), ("Re ad", "read", false),
    ])
    func equalsIgnoringCaseComparesASCIILettersAndIgnoresSurroundingSpaces(field: String, text: StaticString,
                                                                           same: Bool) {
        #expect(Array(field.utf8).withUnsafeBytes { FieldParsing.equalsIgnoringCase($0, text) } == same)
    }

    @Test func isBlankAcceptsOnlySpacesAndTabs() {
        #expect(Array("".utf8).withUnsafeBytes(FieldParsing.isBlank))
        #expect(Array(" \t ".utf8).withUnsafeBytes(FieldParsing.isBlank))
        #expect(!Array(" 0 ".utf8).withUnsafeBytes(FieldParsing.isBlank))
    }
}

private func digit(_ random: inout SplitMix64) -> Character {
    Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(random.next(below: 10))))
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    fileprivate var replacingPointsWithCommas: String { String(map { $0 == "." ? "," : $0 }) }
}
