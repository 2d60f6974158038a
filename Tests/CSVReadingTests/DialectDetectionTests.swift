import CSVReading
import Testing

@Suite("Dialect detection")
struct DialectDetectionTests {
    @Test(arguments: [
        ("a;b;c\n1;2;3\n", ";"), ("a,b,c\n1,2,3\n", ","), ("a\tb\tc\n1\t2\t3\n", "\t"), ("a|b|c\n1|2|3\n", "|"),
        ("name,comment\n\"Smith; J.\",\"a; b; c\"\n\"Doe; K.\",\"d; e\"\n", ","),
    ] as [(String, Character)])
    func theDelimiterIsTheOneWithAConsistentCountPerLine(text: String, delimiter: Character) {
        #expect(detect(text).delimiter == delimiter.asciiValue)
    }

    @Test(arguments: [
        ("Datum;Volume\n1-1-2024;0,5\n2-1-2024;1,25\n", ","),
        ("Datum;Volume\n1-1-2024;0.5\n2-1-2024;1.25\n", "."),
        ("Datum,Volume\n1-1-2024,0.5\n", "."),
        ("Datum\tVolume\n1-1-2024\t0,5\n", ","),
        ("Datum\tVolume\n1-1-2024\t\n", "."),
    ] as [(String, Character)])
    func theDecimalMarkFollowsTheNumbers(text: String, mark: Character) {
        #expect(detect(text).decimalMark == mark.asciiValue)
    }

    /// A `;` file without a single number yet (a Fluvius export that opens with a night of `Geen verbruik`).
    @Test func aSemicolonFileWithoutNumbersHasADecimalComma() {
        let rows = (0..<40).map { "12-10-2021;00:\($0 % 60):00;=\"5414\";Afname Nacht;;kWh;Geen verbruik" }
        #expect(detect("Van datum;Van tijdstip;EAN;Register;Volume;Eenheid;Validatiestatus\n"
            + rows.joined(separator: "\n") + "\n").decimalMark == UInt8(ascii: ","))
    }

    /// Numbers after line 30 of the prefix still count.
    @Test func numbersFurtherDownThePrefixDecideTheDecimalMark() {
        let empty = (0..<40).map { _ in "x|" }
        let numbers = (0..<5).map { "x|1.\($0)" }
        #expect(detect("a|b\n" + (empty + numbers).joined(separator: "\n") + "\n").decimalMark == UInt8(ascii: "."))
        let commas = (0..<5).map { "x|1,\($0)" }
        #expect(detect("a|b\n" + (empty + commas).joined(separator: "\n") + "\n").decimalMark == UInt8(ascii: ","))
    }

    @Test(arguments: [
        ("a,b\n", 0x0A, false), ("a,b\r\n", 0x0A, true), ("a,b\r1,2\r", 0x0D, false), ("a,b", 0x0A, false),
    ] as [(String, UInt8, Bool)])
    func theLineTerminatorIsTakenFromTheFirstLine(text: String, terminator: UInt8, crlf: Bool) {
        let dialect = detect(text)
        #expect(dialect.lineTerminator == terminator)
        #expect(dialect.usesCRLF == crlf)
    }

    @Test func aSingleWindows1252ByteIsNotTakenForUTF8() {
        let input = Array("Datum;Z".utf8) + [0xE4] + Array("hlerstand\n29.10.22;381,000\n".utf8)
        #expect(detect(input).encoding == .windows1252)
    }

    /// The detector sees a 64 KiB prefix, which can end inside a multi-byte character: that is still UTF-8.
    @Test(arguments: [1, 2]) func aUTF8CharacterCutAtTheEndOfThePrefixIsStillUTF8(cut: Int) {
        let input = Array("Datum;Zählerstand\n29.10.22;381,000 €".utf8)
        #expect(detect(Array(input.dropLast(cut))).encoding == .utf8)
        #expect(detect(Array(input)).encoding == .utf8)
    }

    @Test func theDescriptionSaysWhatSniffShows() {
        let fluvius = detect([0xEF, 0xBB, 0xBF] + Array("Van;Volume\r\n1;0,5\r\n".utf8))
        #expect(fluvius.description == "delimiter ';', decimal comma, UTF-8 with BOM, CRLF")
        let sma = detect([0xEF, 0xBB, 0xBF] + Array("sep=,\nVersion CSV3\n\nDD.MM.YYYY hh:mm:ss,[Wh]\n".utf8))
        #expect(sma.description == "delimiter ',', decimal point, UTF-8 with BOM, LF, sep= line")
        #expect(detect("a\tb\r1\t2\r").description == "delimiter tab, decimal point, UTF-8, CR")
    }
}
