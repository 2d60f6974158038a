import CSVReading
import Testing

/// Records and rejects name the physical line where they start, and every physical line is accounted for.
@Suite("Line numbers and line accounting")
struct LineAccountingTests {
    @Test func recordsReportTheLineWhereTheyStartAfterMultiLineFieldsAndBlankLines() throws {
        let input = "id,comment\n1,\"two\nlines\"\n\n2,\"three\n\nlines\"\n   \n3,plain\n"
        let outcome = try read(input, dialect: CSVDialect())

        #expect(outcome.rows.map(\.line) == [1, 2, 5, 9])
        #expect(outcome.fields == [["id", "comment"], ["1", "two\nlines"], ["2", "three\n\nlines"], ["3", "plain"]])
        #expect(outcome.statistics.blankLines == 2)  // line 4 and 8; line 6 is inside a quoted field
        #expect(outcome.statistics.physicalLines == 9)
    }

    @Test func lineNumbersCountCRLFLinesOnceAndIgnoreTheBOM() throws {
        let outcome = try read([0xEF, 0xBB, 0xBF] + bytes("a;b\r\n\r\n\"x\r\ny\";z\r\nc;d\r\n"))

        #expect(outcome.lines == [1, 3, 5])
        #expect(outcome.fields[1] == ["x\r\ny", "z"])
        #expect(outcome.statistics.physicalLines == 5)
    }

    @Test func rejectsReportTheLineWhereTheRecordStarts() throws {
        let input = "h1,h2\n1,\"multi\nline\",b\"c\nok,2\n\nbad,\"q\"q\nlast,3\n"
        let outcome = try read(input, dialect: CSVDialect())

        #expect(outcome.lines == [1, 4, 7])
        #expect(outcome.malformedLines == [2, 6])
    }

    @Test func aRecordAfterAMultiLineFieldWithoutFinalNewlineKeepsItsLine() throws {
        let outcome = try read("a,\"1\n2\n3\"\nb,4", dialect: CSVDialect())

        #expect(outcome.lines == [1, 4])
        #expect(outcome.rows.last?.raw == "b,4")
        #expect(outcome.rows.first?.raw == "a,\"1\n2\n3\"")
    }

    static let singleLineRecordInputs: [Input] = [
        Input("clean", "a,b\n1,2\n3,4\n"),
        Input("blank and whitespace lines", "a,b\n\n \t \n1,2\n\r\n3,4\n\n"),
        Input("sep line, BOM, CRLF", "\u{FEFF}sep=,\r\na,b\r\n1,2\r\n\r\n"),
        Input("malformed quoting", "a,b\n1,\"2\"x\n3,4\"\n5,6\n"),
        Input("ragged and trailing delimiters", "a,b,c\n1,2\n1,2,3,4\n5,6,\n"),
        Input("NUL byte", bytes: bytes("a,b\n" + paddingPastTheDetector + "1") + [0] + bytes(",2\n3,4\n")),
        Input("Ctrl-Z", bytes: bytes("a,b\n1,2\n") + [0x1A]),
        Input("unterminated at the end", "a,b\n1,2\n3,\"4\n"),
        Input("unterminated in the middle", "a,b\n1,\"2\n3,4\n5,6\n"),
        Input("no final newline", "a,b\n1,2\n3,4"),
        Input("CR only", "a,b\r1,2\r\r3,4"),
        Input("Fluvius-like", "\u{FEFF}Van;EAN;Volume\r\n1;=\"5414\";0,1\r\n2;=\"5414\";\r\n"),
    ]

    @Test(arguments: singleLineRecordInputs)
    func everyPhysicalLineIsARecordARejectABlankOrAPreambleLine(input: Input) throws {
        let outcome = try read(input.bytes)
        let statistics = outcome.statistics

        #expect(statistics.physicalLines == physicalLines(input.bytes).count)
        #expect(statistics.records + statistics.malformedRecords + statistics.blankLines + statistics.preambleLines
            == statistics.physicalLines)
        #expect(statistics.records == outcome.rows.count)
        #expect(statistics.malformedRecords == outcome.malformed.count)
        #expect(statistics.bytes == input.bytes.count)
        #expect(!statistics.stoppedEarly)
        // No line is counted twice.
        let used = outcome.lines + outcome.malformedLines
        #expect(Set(used).count == used.count)
    }

    /// A multi-line record covers all its lines: lines in records + lines in rejects + blank + preamble = physical.
    @Test func aMultiLineRecordAccountsForAllTheLinesItSpans() throws {
        let outcome = try read("a,b\n1,\"x\ny\nz\"\n\n2,3\n", dialect: CSVDialect())
        let recordLines = outcome.rows.map { $0.raw.split(separator: "\n", omittingEmptySubsequences: false).count }

        #expect(recordLines == [1, 3, 1])
        #expect(recordLines.reduce(0, +) + outcome.statistics.blankLines == outcome.statistics.physicalLines)
    }

    @Test func aHandlerCanStopTheReadEarly() throws {
        var seen: [String] = []
        var source = CSVMemorySource(bytes("a\nb\nc\nd\n"))
        let statistics = try CSVStreamReader(dialect: CSVDialect()).read(
            from: &source,
            onRecord: { record in
                seen.append(record.string(0))
                return seen.count == 2 ? .stop : .proceed
            },
            onMalformed: { _ in })

        #expect(seen == ["a", "b"])
        #expect(statistics.stoppedEarly)
        #expect(statistics.records == 2)
    }

    /// `docs/libcsv.md`: after an unterminated quote libcsv is not reset; each read must start clean.
    @Test func aFileEndingInsideAQuoteDoesNotSpillIntoTheNextRead() throws {
        let reader = CSVStreamReader(dialect: CSVDialect())
        var broken = CSVMemorySource(bytes("a,\"open"))
        var next = CSVMemorySource(bytes("b,c\n"))
        var rows: [[String]] = []

        let first = try reader.read(from: &broken, onRecord: { _ in .proceed }, onMalformed: { _ in })
        let second = try reader.read(
            from: &next, onRecord: { rows.append($0.strings); return .proceed }, onMalformed: { _ in })

        #expect(first.malformedRecords == 1)
        #expect(rows == [["b", "c"]])
        #expect(second.malformedRecords == 0)
    }
}
