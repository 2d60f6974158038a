import CSVReading
import Testing

/// Every row of the behaviour table in `docs/libcsv.md`, as the reader must handle it.
@Suite("libcsv behaviour table, as the reader handles it")
struct BehaviourTableTests {
    // MARK: Malformed quoting

    @Test func junkAfterAClosingQuoteIsRejectedAtItsLineAndColumnAndTheNextLineIsRead() throws {
        let outcome = try read("id,name\na,\"ab\"c\nd,e\n", dialect: CSVDialect())

        #expect(outcome.rows == [
            Row(line: 1, fieldCount: 2, fields: ["id", "name"], raw: "id,name"),
            Row(line: 3, fieldCount: 2, fields: ["d", "e"], raw: "d,e"),
        ])
        #expect(outcome.malformed == [CSVMalformedRecord(
            line: 2, column: 2, kind: .malformedQuoting,
            reason: "malformed quoting near character 7 of line 2: a quote inside an unquoted field or text after "
                + "a closing quote",
            raw: "a,\"ab\"c")])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsRejectedNotKept() throws {
        let outcome = try read("a,ab\"c\nd,e\n", dialect: CSVDialect())

        #expect(outcome.fields == [["d", "e"]])
        #expect(outcome.lines == [2])
        #expect(outcome.malformed.map(\.line) == [1])
        #expect(outcome.malformed.first?.column == 2)
        #expect(outcome.malformed.first?.reason.contains("near character 5 of line 1") == true)
        #expect(outcome.malformed.first?.raw == "a,ab\"c")
    }

    @Test func anUnterminatedQuoteInTheMiddleIsReportedAtItsStartAndTheLinesAfterItAreReadAgain() throws {
        let outcome = try read("h1,h2\na,\"abc\nd,e\nf,g\n", dialect: CSVDialect())

        #expect(outcome.rows.map(\.description) == ["line 1: [\"h1\", \"h2\"]", "line 3: [\"d\", \"e\"]",
                                                    "line 4: [\"f\", \"g\"]"])
        #expect(outcome.malformed == [CSVMalformedRecord(
            line: 2, column: 2, kind: .unterminatedQuote,
            reason: "unterminated quoted field: the quote opened here never closes",
            raw: "a,\"abc")])
    }

    /// In strict mode a stray quote usually ends in a parse error at the next quote (here the `="…"` of the next
    /// Fluvius-like row): that next row is still data and must be read again, not lost inside the reject.
    @Test func anUnterminatedQuoteThatRunsIntoTheNextQuotedFieldDoesNotSwallowThatLine() throws {
        let input = "Meter;EAN;Volume\nM1;\"541;0,5\nM2;=\"5414\";0,7\nM3;=\"5415\";0,9\n"
        let outcome = try read(input)

        #expect(outcome.fields == [["Meter", "EAN", "Volume"], ["M2", "5414", "0,7"], ["M3", "5415", "0,9"]])
        #expect(outcome.lines == [1, 3, 4])
        #expect(outcome.malformed.map(\.line) == [2])
        #expect(outcome.malformed.first?.column == 2)
        #expect(outcome.malformed.first?.reason.contains("unterminated quoted field") == true)
        #expect(outcome.statistics.physicalLines == 4)
    }

    /// The same, when the quote closes but text follows it in a later line: `a,"abc` + `d,"e"`.
    @Test func anUnterminatedQuoteThatEndsInJunkOnALaterLineIsReportedAtItsStart() throws {
        let outcome = try read("a,\"abc\nd,\"e\"\nf,g\n", dialect: CSVDialect())

        #expect(outcome.fields == [["d", "e"], ["f", "g"]])
        #expect(outcome.lines == [2, 3])
        #expect(outcome.malformed.map(\.line) == [1])
        #expect(outcome.malformed.first?.column == 2)
    }

    /// A quoted field that did close across lines, followed by broken quoting further on, is one malformed record.
    @Test func brokenQuotingAfterAClosedMultiLineFieldRejectsTheWholeRecord() throws {
        let outcome = try read("a,\"multi\nline\",b\"c\nd,e\n", dialect: CSVDialect())

        #expect(outcome.fields == [["d", "e"]])
        #expect(outcome.lines == [3])
        #expect(outcome.malformed.count == 1)
        #expect(outcome.malformed.first?.line == 1)
        #expect(outcome.malformed.first?.column == 3)
        #expect(outcome.malformed.first?.reason.contains("near character 8 of line 2") == true)
        #expect(outcome.malformed.first?.raw == "a,\"multi\nline\",b\"c")
    }

    @Test(arguments: ["a,b\nc,\"d\n", "a,b\nc,\"d", "a,b\nc,\"d,e\r\n"])
    func anUnterminatedQuoteAtTheEndOfTheFileIsRejected(input: String) throws {
        let outcome = try read(input, dialect: CSVDialect())

        #expect(outcome.fields == [["a", "b"]])
        #expect(outcome.malformed.map(\.line) == [2])
        #expect(outcome.malformed.first?.column == 2)
        #expect(outcome.malformed.first?.reason == "unterminated quoted field: the quote opened here never closes")
    }

    @Test func anUnterminatedQuoteNearTheEndStillLetsTheLastLinesThrough() throws {
        let outcome = try read("a,b\nc,\"d\ne,f\ng,h", dialect: CSVDialect())

        #expect(outcome.fields == [["a", "b"], ["e", "f"], ["g", "h"]])
        #expect(outcome.lines == [1, 3, 4])
        #expect(outcome.malformedLines == [2])
    }

    // MARK: Field counts, blanks, whitespace

    @Test func raggedRowsPassThroughWithTheirOwnFieldCount() throws {
        var fieldCounts: [Int] = []
        var beyondTheLastField: [String] = []
        var source = CSVMemorySource(bytes("a,b,c\n1,2\n1,2,3,4\n"))
        let statistics = try CSVStreamReader(dialect: CSVDialect()).read(
            from: &source,
            onRecord: { record in
                fieldCounts.append(record.fieldCount)
                beyondTheLastField.append(record.string(record.fieldCount))
                #expect(record[record.fieldCount].count == 0)
                #expect(record[-1].count == 0)
                return .proceed
            },
            onMalformed: { Issue.record("unexpected reject: \($0)") })

        #expect(fieldCounts == [3, 2, 4])
        #expect(beyondTheLastField == ["", "", ""])
        #expect(statistics.records == 3)
        #expect(statistics.malformedRecords == 0)
    }

    @Test func blankAndWhitespaceOnlyLinesAreCountedAsBlankLines() throws {
        let outcome = try read("a,b\n\n   \n\t \nc,d\n\r\n", dialect: CSVDialect())

        #expect(outcome.fields == [["a", "b"], ["c", "d"]])
        #expect(outcome.lines == [1, 5])
        #expect(outcome.statistics.blankLines == 4)
        #expect(outcome.statistics.physicalLines == 6)
        #expect(outcome.malformed.isEmpty)
    }

    @Test func spacesAroundUnquotedFieldsAreTrimmedAndInsideQuotesKept() throws {
        let outcome = try read(" 12,5 , \" x \" ,a b\n", dialect: CSVDialect())

        #expect(outcome.fields == [["12", "5", " x ", "a b"]])
    }

    @Test(arguments: ["a,b,\n", "a,b,", "a,b,\r\n"])
    func aTrailingDelimiterGivesAnEmptyLastField(input: String) throws {
        let outcome = try read(input, dialect: CSVDialect())

        #expect(outcome.rows.map(\.fieldCount) == [3])
        #expect(outcome.fields == [["a", "b", ""]])
    }

    // MARK: Byte-order mark and encodings

    @Test func aUTF8BOMBeforeAQuotedFirstHeaderFieldIsStripped() throws {
        let input = [0xEF, 0xBB, 0xBF] + bytes("\"Datum\";\"Volume\"\n1-1-2024;0,5\n")
        let dialect = detect(input)
        #expect(dialect.byteOrderMarkLength == 3)
        #expect(dialect.encoding == .utf8)

        let outcome = try read(input, dialect: dialect)

        #expect(outcome.fields == [["Datum", "Volume"], ["1-1-2024", "0,5"]])
        #expect(outcome.malformed.isEmpty)
    }

    @Test func aUTF8BOMIsNotGluedToAnUnquotedFirstHeaderName() throws {
        let outcome = try read([0xEF, 0xBB, 0xBF] + bytes("Datum;Volume\n1-1-2024;0,5\n"))

        #expect(outcome.rows.first?.fields.first == "Datum")
        #expect(outcome.rows.first?.fields.first?.unicodeScalars.first == "D")
    }

    /// Why the BOM must be stripped: left in place it breaks the first record (reported, never silently accepted).
    @Test func aBOMTheDialectDoesNotMentionMakesTheQuotedHeaderAReject() throws {
        let outcome = try read([0xEF, 0xBB, 0xBF] + bytes("\"a\",b\n1,2\n"), dialect: CSVDialect())

        #expect(outcome.malformedLines == [1])
        #expect(outcome.fields == [["1", "2"]])
    }

    /// Excel's "Unicode text": detected (BOM or NUL pattern) and converted, never fed to libcsv as it is.
    @Test(arguments: [true, false])
    func utf16LittleEndianIsDetectedAndConverted(withBOM: Bool) throws {
        let text = "Datum;Volume\r\n1-1-2024;0,5\r\n"
        let input: [UInt8] = (withBOM ? [0xFF, 0xFE] : []) + utf16(text, bigEndian: false)
        let dialect = detect(input)
        #expect(dialect.encoding == .utf16LittleEndian)

        let outcome = try read(input, dialect: dialect)
        #expect(outcome.fields == [["Datum", "Volume"], ["1-1-2024", "0,5"]])
        #expect(outcome.malformed.isEmpty)
    }

    @Test func utf16BigEndianIsDetectedAndConverted() throws {
        let input: [UInt8] = [0xFE, 0xFF] + utf16("a,b\n", bigEndian: true)
        #expect(detect(input).encoding == .utf16BigEndian)
        #expect(try read(input).fields == [["a", "b"]])
    }

    @Test func binaryDataIsDetectedAndRefused() throws {
        let input: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x41, 0x42, 0x00, 0x00, 0x43]
        #expect(detect(input).encoding == .binary)
        #expect(throws: CSVFileError(code: .binary, path: nil)) { try read(input) }
    }

    @Test func aNULByteInALineMakesThatLineAReject() throws {
        let outcome = try read([UInt8]("a,b\nc".utf8) + [0] + [UInt8]("d,e\nf,g\n".utf8), dialect: CSVDialect())

        #expect(outcome.fields == [["a", "b"], ["f", "g"]])
        #expect(outcome.lines == [1, 3])
        #expect(outcome.malformed.count == 1)
        #expect(outcome.malformed.first?.line == 2)
        #expect(outcome.malformed.first?.column == nil)
        #expect(outcome.malformed.first?.reason == "line contains NUL bytes (binary data or UTF-16 text)")
    }

    /// Fields up to 16 bytes are copied out of libcsv's buffer as one block, longer ones byte for byte: every length
    /// around that edge arrives whole, quoted or not, however the reads are cut.
    @Test(arguments: [Int.max, 5])
    func fieldsOfEveryLengthArriveWhole(maxRead: Int) throws {
        let values = (0...40).map { length in String((0..<length).map { Character(UnicodeScalar(0x61 + $0 % 26)!) }) }
        let text = values.map { "\($0),\"\($0)\",\($0)x\n" }.joined()
        let outcome = try read(text, dialect: CSVDialect(), maxRead: maxRead)

        #expect(outcome.fields == values.map { [$0, $0, $0 + "x"] })
        #expect(outcome.malformed.isEmpty)
    }

    // MARK: Ends of lines and of files

    @Test func aLoneCtrlZOnTheLastLineIsIgnored() throws {
        let outcome = try read(bytes("a,b\nc,d\n") + [0x1A])

        #expect(outcome.fields == [["a", "b"], ["c", "d"]])
        #expect(outcome.malformed.isEmpty)
        #expect(outcome.statistics.blankLines == 1)
        #expect(outcome.statistics.physicalLines == 3)
    }

    static let lineEnds: [Input] = [
        Input("LF", "Datum,Naam,Volume\n2024-01-01,\"Smith, J.\",\"0,5\"\n2024-01-02,\"say \"\"hi\"\"\",1\n"),
        Input("CRLF", "Datum,Naam,Volume\r\n2024-01-01,\"Smith, J.\",\"0,5\"\r\n2024-01-02,\"say \"\"hi\"\"\",1\r\n"),
        Input("CR", "Datum,Naam,Volume\r2024-01-01,\"Smith, J.\",\"0,5\"\r2024-01-02,\"say \"\"hi\"\"\",1\r"),
        Input("LF, no final newline",
              "Datum,Naam,Volume\n2024-01-01,\"Smith, J.\",\"0,5\"\n2024-01-02,\"say \"\"hi\"\"\",1"),
        Input("CRLF, no final newline",
              "Datum,Naam,Volume\r\n2024-01-01,\"Smith, J.\",\"0,5\"\r\n2024-01-02,\"say \"\"hi\"\"\",1"),
        Input("CR, no final newline",
              "Datum,Naam,Volume\r2024-01-01,\"Smith, J.\",\"0,5\"\r2024-01-02,\"say \"\"hi\"\"\",1"),
    ]

    @Test(arguments: lineEnds)
    func crLfCrlfAndAMissingFinalNewlineAllGiveTheSameRecords(input: Input) throws {
        let outcome = try read(input.bytes)

        #expect(outcome.fields == [["Datum", "Naam", "Volume"], ["2024-01-01", "Smith, J.", "0,5"],
                                   ["2024-01-02", "say \"hi\"", "1"]])
        #expect(outcome.lines == [1, 2, 3])
        #expect(outcome.malformed.isEmpty)
        #expect(outcome.statistics.physicalLines == 3)
    }

    @Test(arguments: ["sep=;\nDatum;Volume\n1-1-2024;0,5\n", "\u{FEFF}sep=;\r\nDatum;Volume\r\n1-1-2024;0,5\r\n",
                      "\"sep=;\"\nDatum;Volume\n1-1-2024;0,5"])
    func anExcelSepLineIsSkippedAsPreamble(input: String) throws {
        let dialect = detect(input)
        #expect(dialect.hasSeparatorLine)
        #expect(dialect.delimiter == UInt8(ascii: ";"))

        let outcome = try read(input, dialect: dialect)

        #expect(outcome.fields == [["Datum", "Volume"], ["1-1-2024", "0,5"]])
        #expect(outcome.lines == [2, 3])
        #expect(outcome.statistics.preambleLines == 1)
        #expect(outcome.malformed.isEmpty)
    }

    @Test func aSepLineIsOnlyPreambleOnTheFirstLine() throws {
        let dialect = detect("sep=,\na,b\nsep=,\n")
        #expect(dialect.hasSeparatorLine)

        let outcome = try read("sep=,\na,b\nsep=,\n", dialect: dialect)

        #expect(outcome.fields == [["a", "b"], ["sep=", ""]])
        #expect(outcome.statistics.preambleLines == 1)
    }
}
