import CSVReading
import Foundation
import Testing
import TestSupport

/// UTF-16 ("Unicode text" in Excel) and Windows-1252 files are converted to UTF-8 on the way into libcsv: they read to
/// the same records as their UTF-8 original, whatever the read sizes, while the dialect still names their encoding.
@Suite("Encodings")
struct EncodingTests {
    /// UTF-8 originals: accents, `€`, a character outside the BMP (a surrogate pair in UTF-16), quotes, a field over
    /// two lines, a blank line.
    static let originals: [Input] = [
        Input("Fluvius-like, ';', CRLF",
              "Van datum;Van tijdstip;Register;Volume;Eenheid\r\n01-10-2023;00:00:00;Afname Dag;0,173;kWh\r\n"
                  + "01-10-2023;00:15:00;Zählerstand;1,5;€\r\n\r\n"
                  + "02-10-2023;00:00:00;\"Notitie; 🌳 ‘ok’\";2,25;kWh\r\n"),
        Input("Excel Unicode text, tab, CRLF",
              "Datum\tZählerstand\tOpmerking\r\n29.10.22\t381,000\t\"twee\r\nregels\"\r\n30.10.22\t382,5\t𝄞 €\r\n"),
        Input("comma, LF, no final newline", "site,kWh,note\nA,1.5,\"say \"\"hi\"\" 😀\"\nB,2.25,x"),
        Input("CR line ends", "a;b\r1;2,5\r3;ä"),
    ]

    static let utf16Variants: [(name: String, bigEndian: Bool, bom: Bool)] = [
        ("UTF-16LE with BOM", false, true), ("UTF-16LE", false, false),
        ("UTF-16BE with BOM", true, true), ("UTF-16BE", true, false),
    ]

    static func encoded(_ input: Input, bigEndian: Bool, bom: Bool) -> [UInt8] {
        let text = String(decoding: input.bytes, as: UTF8.self)
        return (bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []) + utf16(text, bigEndian: bigEndian)
    }

    @Test(arguments: originals, utf16Variants.indices)
    func utf16ReadsToTheSameRecordsAsTheUTF8Original(input: Input, variant: Int) throws {
        let (_, bigEndian, bom) = Self.utf16Variants[variant]
        let converted = Self.encoded(input, bigEndian: bigEndian, bom: bom)
        let original = try read(input.bytes)
        let dialect = detect(converted)

        #expect(dialect.encoding == (bigEndian ? .utf16BigEndian : .utf16LittleEndian))
        #expect(dialect.byteOrderMarkLength == (bom ? 2 : 0))
        var expected = detect(input.bytes)
        expected.encoding = dialect.encoding
        expected.byteOrderMarkLength = dialect.byteOrderMarkLength
        #expect(dialect == expected)

        let outcome = try read(converted, dialect: dialect)
        #expect(outcome.rows == original.rows)
        #expect(outcome.malformed == original.malformed)
        #expect(outcome.statistics.bytes == converted.count)
        #expect(outcome.statistics.replacedCharacters == 0)
        var statistics = outcome.statistics
        statistics.bytes = original.statistics.bytes
        #expect(statistics == original.statistics)
    }

    /// Reads of 1 to 7 bytes cut code units and surrogate pairs in every possible place; small chunk sizes make
    /// the transcoder hand out a few bytes at a time (a 4-byte UTF-8 character then waits for room).
    @Test(arguments: originals, 1...7)
    func utf16ReadsOfAnySizeGiveTheSameRecords(input: Input, maxRead: Int) throws {
        for (_, bigEndian, bom) in Self.utf16Variants {
            let converted = Self.encoded(input, bigEndian: bigEndian, bom: bom)
            let dialect = detect(converted)
            let whole = try read(converted, dialect: dialect)
            let chunked = try read(converted, dialect: dialect, maxRead: maxRead)
            let small = try read(converted, dialect: dialect, limits: CSVReadLimits(chunkSize: maxRead),
                                 maxRead: maxRead)

            #expect(chunked == whole)
            #expect(small == whole)
        }
    }

    /// The transcoder alone: every input read size with every output buffer size gives the UTF-8 of the text.
    @Test(arguments: [false, true])
    func transcodedBytesDoNotDependOnReadOrBufferSizes(bigEndian: Bool) throws {
        let text = "a😀b\u{10FFFF}€\u{FFFD}ä\u{0}z𝄞\u{7FF}\u{800}\u{FFFF}"
        let raw = utf16(text, bigEndian: bigEndian)
        for maxRead in 1...7 {
            for outputSize in 1...7 {
                for bufferSize in [1, 2, 3, 5, 65_536] {
                    let source = CSVTranscodingSource(CSVMemorySource(raw, maxRead: maxRead),
                                                      encoding: bigEndian ? .utf16BigEndian : .utf16LittleEndian,
                                                      bufferSize: bufferSize)
                    let output = try drain(source, bufferSize: outputSize)
                    #expect(output == Array(text.utf8), "read \(maxRead), output \(outputSize), buffer \(bufferSize)")
                    #expect(source.replacedCharacters == 0)
                    #expect(source.bytesRead == raw.count)
                }
            }
        }
    }

    @Test(arguments: [
        ("lone high surrogate", [0xD83D, 0x0041], "\u{FFFD}A", 1),
        ("lone low surrogate", [0x0041, 0xDE00, 0x0042], "A\u{FFFD}B", 1),
        ("two high surrogates, then a pair", [0xD83D, 0xD83D, 0xDE00], "\u{FFFD}😀", 1),
        ("reversed pair", [0xDE00, 0xD83D], "\u{FFFD}\u{FFFD}", 2),
        ("high surrogate at the end", [0x0041, 0xD83D], "A\u{FFFD}", 1),
    ] as [(String, [UInt16], String, Int)])
    func loneSurrogatesBecomeReplacementCharactersAndAreCounted(
        name: String, units: [UInt16], expected: String, replaced: Int
    ) throws {
        for bigEndian in [false, true] {
            let raw = units.flatMap { unit -> [UInt8] in
                let pair = [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
                return bigEndian ? pair.reversed() : pair
            }
            for maxRead in 1...3 {
                let source = CSVTranscodingSource(CSVMemorySource(raw, maxRead: maxRead),
                                                  encoding: bigEndian ? .utf16BigEndian : .utf16LittleEndian)
                #expect(try drain(source, bufferSize: 2) == Array(expected.utf8), "\(name)")
                #expect(source.replacedCharacters == replaced, "\(name)")
            }
        }
    }

    /// 2 000 pseudo-random code unit sequences, rich in surrogates (paired, lone, reversed), through random read and
    /// buffer sizes: the same UTF-8 as the standard library's UTF-16 decoding, which replaces the same way.
    @Test func randomUTF16DecodesLikeTheStandardLibrary() throws {
        var random = SplitMix64(state: 16)
        let pool: [UInt16] = [0x41, 0x0A, 0x3B, 0xE4, 0x20AC, 0x7FF, 0x800, 0xFFFF, 0xFEFF, 0x0100, 0xD800, 0xDBFF,
                              0xD83D, 0xDC00, 0xDE00, 0xDFFF]
        for _ in 0..<2_000 {
            let units = (0..<random.next(below: 40)).map { _ in pool[Int(random.next(below: UInt64(pool.count)))] }
            let expected = Array(String(decoding: units, as: UTF16.self).utf8)
            let bigEndian = random.next(below: 2) == 0
            let raw = units.flatMap { unit -> [UInt8] in
                let pair = [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
                return bigEndian ? pair.reversed() : pair
            }
            let source = CSVTranscodingSource(
                CSVMemorySource(raw, maxRead: 1 + Int(random.next(below: 9))),
                encoding: bigEndian ? .utf16BigEndian : .utf16LittleEndian, bufferSize: 1 + Int(random.next(below: 9)))
            let output = try drain(source, bufferSize: 1 + Int(random.next(below: 9)))
            #expect(output == expected, "\(units.map { String($0, radix: 16) })")
            let replacements = String(decoding: output, as: UTF8.self).unicodeScalars.filter { $0 == "\u{FFFD}" }.count
            #expect(source.replacedCharacters == replacements)
        }
    }

    @Test func anOddLastByteIsReplacedAndCountedInTheStatistics() throws {
        let input = utf16("a\tb\r\n1\tÞ", bigEndian: false) + [0x32]
        let outcome = try read(input, dialect: CSVDialect(delimiter: 0x09, encoding: .utf16LittleEndian))

        #expect(outcome.fields == [["a", "b"], ["1", "Þ\u{FFFD}"]])
        #expect(outcome.statistics.replacedCharacters == 1)
        #expect(outcome.statistics.bytes == input.count)
    }

    @Test func aNULCharacterInUTF16TextMakesItsLineAReject() throws {
        let text = "a,b\n" + paddingPastTheDetector + "c\u{0},d\ne,f\n"
        let outcome = try read(utf16(text, bigEndian: false), dialect: CSVDialect(encoding: .utf16LittleEndian))

        #expect(outcome.malformed.map(\.reason) == ["line contains NUL bytes (binary data or UTF-16 text)"])
        #expect(outcome.fields.last == ["e", "f"])
    }

    // MARK: Detection

    @Test func excelUnicodeTextIsDetectedAsTabDelimitedUTF16WithItsDecimalComma() {
        let text = "Datum\tVolume\tEenheid\r\n" + (0..<20).map { "\($0 + 1)-1-2024\t\($0),5\tkWh\r\n" }.joined()
        let dialect = detect([0xFF, 0xFE] + utf16(text, bigEndian: false))

        #expect(dialect.encoding == .utf16LittleEndian)
        #expect(dialect.delimiter == 0x09)
        #expect(dialect.decimalMark == UInt8(ascii: ","))
        #expect(dialect.usesCRLF)
        #expect(dialect.description == "delimiter tab, decimal comma, UTF-16LE with BOM, CRLF")
        #expect(detect(utf16(text, bigEndian: true)).description == "delimiter tab, decimal comma, UTF-16BE, CRLF")
    }

    /// The 64 KiB prefix of a large UTF-16 file can end between the two halves of a surrogate pair, or (cut
    /// shorter) inside a code unit.
    @Test(arguments: [65_536, 65_535, 65_534, 65_533])
    func aUTF16PrefixCutAnywhereStillGivesTheDialect(prefixLength: Int) throws {
        let line = "01-10-2023;00:15:00;Zählerstand 😀;1,5;kWh\r\n"
        // Shift the lines until the 32 767th code unit after the BOM (the last one in 64 KiB) is a high surrogate.
        func text(_ shift: Int) -> String {
            String(repeating: "x", count: shift) + "Register;Volume\r\n" + String(repeating: line, count: 1_000)
        }
        let shift = try #require((0..<line.utf16.count).first { UTF16.isLeadSurrogate(Array(text($0).utf16)[32_766]) })
        let input = [0xFF, 0xFE] + utf16(text(shift), bigEndian: false)
        let dialect = detect(Array(input.prefix(prefixLength)))

        #expect(dialect.encoding == .utf16LittleEndian)
        #expect(dialect.delimiter == UInt8(ascii: ";"))
        #expect(dialect.decimalMark == UInt8(ascii: ","))
        #expect(dialect.usesCRLF)
    }

    @Test func binaryDataIsStillRefusedWithItsMessage() throws {
        let input: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x41, 0x42, 0x00, 0x00, 0x43]
        #expect(detect(input).encoding == .binary)
        let error = #expect(throws: CSVFileError.self) { try read(input) }
        #expect(error?.at("input/demo/report.xlsx").description == "input/demo/report.xlsx: cannot read: binary data; "
            + "this is not a CSV text export (an .xlsx or a zip?): export or save it as CSV")
        let source = CSVTranscodingSource(CSVMemorySource(input), encoding: .binary)
        #expect(throws: CSVFileError(code: .binary, path: nil)) { try drain(source, bufferSize: 16) }
    }

    /// A UTF-8 BOM says UTF-8: a stray invalid byte does not turn every `ä` into `Ã¤`.
    @Test func invalidBytesAfterAUTF8BOMStayUTF8() {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + bytes("Naam;Zählerstand\n") + [0xE4] + bytes(";1,5\n")
        #expect(detect(input).encoding == .utf8)
        #expect(detect(input).byteOrderMarkLength == 3)
    }

    @Test func anEncodingCanBeForcedAndItsBOMIsStillStripped() throws {
        let text = "Naam;Stand\nMüller;1,5\n"
        // ASCII-only prefix (looks like UTF-8), but the user knows it is Windows-1252.
        let latin = Array(text.unicodeScalars.map { UInt8($0.value) })
        let forced = latin.withUnsafeBytes { CSVDialect.detect(prefix: $0, encoding: .windows1252) }
        #expect(forced.encoding == .windows1252)
        #expect(forced.delimiter == UInt8(ascii: ";"))
        #expect(try read(latin, dialect: forced).fields == [["Naam", "Stand"], ["Müller", "1,5"]])

        let withBOM = [0xFF, 0xFE] + utf16(text, bigEndian: false)
        let utf16Forced = withBOM.withUnsafeBytes { CSVDialect.detect(prefix: $0, encoding: .utf16LittleEndian) }
        #expect(utf16Forced.byteOrderMarkLength == 2)
        #expect(try read(withBOM, dialect: utf16Forced).fields == [["Naam", "Stand"], ["Müller", "1,5"]])
    }

    // MARK: Windows-1252

    @Test func windows1252TextIsConvertedToUTF8() throws {
        // `Zählerstand`, `€` (0x80) and `‘’` (0x91, 0x92) as a German Excel on Windows saves them ("CSV (;)").
        let input = bytes("Datum;Z") + [0xE4] + bytes("hlerstand;Einheit;Notiz\r\n29.10.22;381,000;") + [0x80]
            + bytes(";") + [0x91] + bytes("abgelesen") + [0x92] + bytes("\r\n")
        let dialect = detect(input)
        #expect(dialect.encoding == .windows1252)
        #expect(dialect.delimiter == UInt8(ascii: ";"))
        #expect(dialect.decimalMark == UInt8(ascii: ","))
        #expect(dialect.description == "delimiter ';', decimal comma, Windows-1252, CRLF")

        for maxRead in [1, 2, 3, 7, Int.max] {
            let outcome = try read(input, dialect: dialect, maxRead: maxRead)
            #expect(outcome.fields == [["Datum", "Zählerstand", "Einheit", "Notiz"],
                                       ["29.10.22", "381,000", "€", "‘abgelesen’"]])
            #expect(outcome.statistics.bytes == input.count)
            #expect(outcome.rows.first?.raw == "Datum;Zählerstand;Einheit;Notiz")
        }
    }

    /// All 256 bytes: the bytes Windows defines as Foundation maps them, the five it leaves undefined (0x81, 0x8D,
    /// 0x8F, 0x90, 0x9D) as the C1 controls of the same value (WHATWG), never dropped or replaced.
    @Test func everyWindows1252ByteMapsToItsCharacter() throws {
        let all = (0...255).map { UInt8($0) }
        let source = CSVTranscodingSource(CSVMemorySource(all), encoding: .windows1252)
        let scalars = Array(String(decoding: try drain(source, bufferSize: 5), as: UTF8.self).unicodeScalars)

        #expect(scalars.count == 256)
        #expect(source.replacedCharacters == 0)
        let undefined: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        for byte in all where scalars.count == 256 {
            let expected = undefined.contains(byte) ? Unicode.Scalar(byte)
                : String(bytes: [byte], encoding: .windowsCP1252)?.unicodeScalars.first
            #expect(scalars[Int(byte)] == expected, "byte \(byte)")
        }
        #expect(scalars[0x80] == "€")
        #expect(scalars[0x91] == "‘")
        #expect(scalars[0x92] == "’")
        #expect(scalars[0xE4] == "ä")
    }

    @Test func aWindows1252FileReadsThroughTheFileSourceLikeTheImportDoes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csvreading-\(UUID().uuidString).csv")
        let input = bytes("Stra") + [0xDF] + bytes("e;Stand\n") + bytes("K") + [0xF6] + bytes("ln;1,5\n")
        try Data(input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let dialect = detect(try CSVFileSource.prefix(path: url.path))
        var source = try CSVFileSource(path: url.path)
        let outcome = try read(from: &source, dialect: dialect, limits: CSVReadLimits(chunkSize: 3))

        #expect(dialect.encoding == .windows1252)
        #expect(outcome.fields == [["Straße", "Stand"], ["Köln", "1,5"]])
        #expect(outcome.statistics.bytes == input.count)
    }

    @Test func aUTF16FileReadsThroughTheFileSourceLikeTheImportDoes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csvreading-\(UUID().uuidString).txt")
        let text = "Datum\tVolume\r\n" + (0..<5_000).map { "\($0)\t\($0),5 😀\r\n" }.joined()
        let input = [0xFF, 0xFE] + utf16(text, bigEndian: false)
        try Data(input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let dialect = detect(try CSVFileSource.prefix(path: url.path))
        var source = try CSVFileSource(path: url.path)
        let outcome = try read(from: &source, dialect: dialect, limits: CSVReadLimits(chunkSize: 4_093))

        #expect(dialect.encoding == .utf16LittleEndian)
        #expect(dialect.delimiter == 0x09)
        #expect(outcome.rows.count == 5_001)
        #expect(outcome.fields.last == ["4999", "4999,5 😀"])
        #expect(outcome.malformed.isEmpty)
        #expect(outcome.statistics.bytes == input.count)
    }
}

/// Everything a byte source delivers, read into a buffer of `bufferSize` bytes at a time.
func drain(_ source: some CSVByteSource, bufferSize: Int) throws(CSVFileError) -> [UInt8] {
    var source = source
    var output: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 1)
    defer { buffer.deallocate() }
    while true {
        let got = try source.read(into: buffer)
        if got == 0 { return output }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
    }
}
