import CSVReading
import Foundation
import Testing
import TestSupport

/// `FieldParsing.decimal` with a thousands separator, as a format parser calls it on field bytes.
func decimal(_ text: String, mark: Character, grouping: Character?) -> Double? {
    Array(text.utf8).withUnsafeBytes {
        FieldParsing.decimal($0, decimalMark: UInt8(ascii: mark.unicodeScalars.first!),
                             groupingSeparator: grouping.map { UInt8(ascii: $0.unicodeScalars.first!) })
    }
}

/// Thousands separators are read only when asked for, only in well-formed groups of 3, and give exactly the number
/// without them; detection reports one only when the sample leaves no doubt.
@Suite("Thousands separators")
struct GroupingTests {
    @Test(arguments: [
        ("1.234.567,89", ",", ".", "1234567.89"), ("1.234,5", ",", ".", "1234.5"), ("1 234,5", ",", " ", "1234.5"),
        ("1,234.5", ".", ",", "1234.5"), ("12'345.6", ".", "'", "12345.6"), ("-1.234,5", ",", ".", "-1234.5"),
        ("+1.234", ",", ".", "1234"), ("1.234", ",", ".", "1234"), ("  12.345.678  ", ",", ".", "12345678"),
        ("999,999,999,999,999,999,999.125", ".", ",", "999999999999999999999.125"),
        ("1.234,56789012345678901234", ",", ".", "1234.56789012345678901234"),
        ("1\u{A0}234,5", ",", " ", "1234.5"), ("1\u{202F}234\u{202F}567,5", ",", " ", "1234567.5"),
        ("12’345.6", ".", "'", "12345.6"), ("-0,5", ",", ".", "-0.5"), ("1234,5", ",", ".", "1234.5"),
    ] as [(String, Character, Character, String)])
    func wellFormedGroupsAreReadBitIdenticalToTheNumberWithoutThem(
        text: String, mark: Character, grouping: Character, plain: String
    ) {
        #expect(decimal(text, mark: mark, grouping: grouping)?.bitPattern == Double(plain)?.bitPattern)
    }

    @Test(arguments: [
        ("1.23,4", ",", "."), ("12.34.567", ",", "."), ("1234.567,8", ",", "."), ("0.123,4", ",", "."),
        (".234,5", ",", "."), ("1..234", ",", "."), ("1.234.", ",", "."), ("1.234,5.6", ",", "."),
        ("1.234e5", ",", "."), ("1.2345", ",", "."), ("1,234.5", ",", "."), ("1 234", ",", "."),
        ("1.234 567", ",", "."), ("1. 234", ",", "."), ("12,345.6", ".", " "), ("1,23", ".", ","), ("-.234", ",", "."),
        ("1,234,5", ",", "."), ("1.234,5x", ",", "."), ("1.234,-5", ",", "."), ("1\u{A0}234,5", ",", "."),
        ("1  234,5", ",", " "), ("1’234.5", ".", ","), ("1.234,5", ".", ","), ("1.234", ".", "."),
    ] as [(String, Character, Character)])
    func malformedGroupsAreRejected(text: String, mark: Character, grouping: Character) {
        if mark == grouping {
            // The same byte for both means no grouping: `1.234` is then one point two three four.
            #expect(decimal(text, mark: mark, grouping: grouping) == 1.234)
        } else {
            #expect(decimal(text, mark: mark, grouping: grouping) == nil)
        }
    }

    @Test(arguments: ["1.234,5", "1.234.567", "1 234,5", "12'345.6"])
    func withoutTheOptionThousandsAreStillRefused(text: String) {
        #expect(decimal(text, mark: ",", grouping: nil) == nil)
        #expect(decimal(text, mark: ",") == nil)
    }

    /// 10 000 pseudo-random numbers, each written with every separator that can go with its decimal mark.
    @Test func randomGroupedNumbersAreBitIdenticalToDoubleParsing() {
        var random = SplitMix64(state: 20_250_101)
        var mismatches: [String] = []
        for _ in 0..<10_000 {
            let integer = String(1 + random.next(below: 999_999_999_999))
            let fraction = String((0..<Int(random.next(below: 8))).map { _ in
                Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(random.next(below: 10))))
            })
            let sign = random.next(below: 4) == 0 ? "-" : ""
            let plain = sign + integer + (fraction.isEmpty ? "" : "." + fraction)
            let expected = Double(plain)!
            for (mark, separators) in [(",", [".", " ", "'", "\u{A0}", "\u{202F}"]), (".", [",", " ", "'", "’"])] {
                for separator in separators {
                    let text = sign + grouped(integer, separator) + (fraction.isEmpty ? "" : mark + fraction)
                    let grouping: Character = separator == "\u{A0}" || separator == "\u{202F}" ? " "
                        : separator == "’" ? "'" : Character(separator)
                    if decimal(text, mark: Character(mark), grouping: grouping)?.bitPattern != expected.bitPattern {
                        mismatches.append(text)
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(10))")
    }

    /// A number without a separator takes the plain fast path (or `strtod` for long ones) with the same result,
    /// whatever grouping is set; grouping only changes the answer for bytes the plain parser refuses.
    @Test func plainNumbersGiveTheSameResultWithOrWithoutGrouping() {
        var random = SplitMix64(state: 7)
        var texts = ["0", "-0", "12.", ".5", "1e3", "1.5E-7", "123456789012345678", "1234567890123456789012345",
                     "0.1234567890123456789012345", "2.2250738585072011e-308", "  4.25  ", "", "-", "NaN", "1e400"]
        for _ in 0..<2_000 {
            texts.append(String(random.next(below: 100_000_000)) + "." + String(random.next(below: 1_000_000)))
        }
        for text in texts {
            for (mark, separators) in [(Character("."), [",", " ", "'"]), (Character(","), [".", " ", "'"])] {
                let input = mark == "." ? text : String(text.map { $0 == "." ? "," : $0 })
                let plain = decimal(input, mark: mark)
                for separator in separators {
                    #expect(decimal(input, mark: mark, grouping: Character(separator))?.bitPattern == plain?.bitPattern,
                            "\(input) with grouping \(separator)")
                }
            }
        }
    }

    // MARK: Detection

    @Test(arguments: [
        ("Datum;Volume\n1-1-2024;1.234,5\n2-1-2024;12.345.678,25\n3-1-2024;0,5\n", ",", "."),
        ("Datum\tVolume\n1-1-2024\t1,234.5\n2-1-2024\t0.25\n", ".", ","),
        ("date,kWh\n2024-01-01,\"1,234.56\"\n2024-01-02,\"12,345.6\"\n2024-01-03,7.5\n", ".", ","),
        ("Datum;Volume\n1-1-2024;1 234,5\n2-1-2024;5,25\n", ",", " "),
        ("Datum;Volume\n1-1-2024;1\u{A0}234,5\n2-1-2024;1\u{202F}234,5\n", ",", " "),
        ("Datum;Wert\n1.1.2024;12'345.60\n2.1.2024;0.5\n", ".", "'"),
        ("Datum;Volume\n29.10.2022;1.234.567\n30.10.2022;0,5\n", ",", "."),
    ] as [(String, Character, Character)])
    func anUnambiguousSeparatorIsDetected(text: String, mark: Character, grouping: Character) {
        let dialect = detect(text)
        #expect(dialect.decimalMark == mark.asciiValue)
        #expect(dialect.groupingSeparator == grouping.asciiValue)
    }

    @Test(arguments: [
        ("one group, no mark: could be 1.234", "Datum;Volume\n1-1-2024;1.234\n2-1-2024;5.678\n"),
        ("the separator is also a decimal mark", "Datum;Volume\n1-1-2024;1.234,5\n2-1-2024;0.5\n"),
        ("two separators", "Datum;Volume\n1-1-2024;1.234,5\n2-1-2024;1 234,5\n"),
        ("groups before two marks", "Datum\tVolume\n1\t1.234,5\n2\t1,234.5\n"),
        ("the comma file's mark is a point", "a,b\n1,\"1.234,5\"\n2,\"2.345,5\"\n"),
        ("a quoted decimal comma", "a,b\n1,\"1,234.5\"\n2,\"0,5\"\n"),
        ("no numbers with groups", "Datum;Volume\n29.10.2022;381,000\n30.10.2022;0,5\n"),
        ("a leading zero", "Datum;Volume\n1-1-2024;0.234,5\n"),
        ("no numbers", "a;b\nx;y\n"),
    ])
    func nothingIsReportedWhenTheSampleLeavesADoubt(name: String, text: String) {
        #expect(detect(text).groupingSeparator == nil)
    }

    @Test func theDescriptionNamesTheThousandsSeparator() {
        #expect(detect("Datum;Volume\r\n1-1-2024;1.234,5\r\n").description
            == "delimiter ';', decimal comma, thousands '.', UTF-8, CRLF")
        #expect(detect("Datum;Volume\n1-1-2024;1 234,5\n").description
            == "delimiter ';', decimal comma, thousands space, UTF-8, LF")
    }

    /// Detection runs on the converted text: a Windows-1252 no-break space (0xA0) and UTF-16 groups are found.
    @Test func groupsAreDetectedInConvertedText() {
        let latin = bytes("Datum;Z") + [0xE4] + bytes("hler\n1-1-2024;1") + [0xA0] + bytes("234,5\n")
        #expect(detect(latin).encoding == .windows1252)
        #expect(detect(latin).groupingSeparator == 0x20)

        let wide = [0xFF, 0xFE] + utf16("Datum\tVolume\r\n1-1-2024\t1.234.567,5\r\n", bigEndian: false)
        #expect(detect(wide).groupingSeparator == UInt8(ascii: "."))
        #expect(detect(wide).decimalMark == UInt8(ascii: ","))
    }

    @Test func theRealSamplesShowNoThousandsSeparator() throws {
        for file in Samples.csvFiles {
            let dialect = detect(try CSVFileSource.prefix(path: Samples.path(file)))
            #expect(dialect.groupingSeparator == nil, "\(file)")
        }
    }
}

/// `digits` with `separator` between groups of 3 from the right.
private func grouped(_ digits: String, _ separator: String) -> String {
    var groups: [Substring] = []
    var end = digits.endIndex
    while end > digits.startIndex {
        let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
        groups.insert(digits[start..<end], at: 0)
        end = start
    }
    return groups.joined(separator: separator)
}
