import CSVReading
import Testing

/// Limits keep memory bounded whatever a file contains; what exceeds them is rejected and reading goes on.
@Suite("Read limits")
struct LimitTests {
    @Test(arguments: [Int.max, 64, 7, 1])
    func aLineLongerThanTheLimitIsRejectedWithItsLengthAndTheNextLineIsRead(maxRead: Int) throws {
        let limits = CSVReadLimits(maxLineBytes: 100)
        let input = "a,b\n1,\(String(repeating: "x", count: 148))\r\nc,d\n"
        let outcome = try read(input, dialect: detect("a,b\n"), limits: limits, maxRead: maxRead)

        #expect(outcome.fields == [["a", "b"], ["c", "d"]])
        #expect(outcome.lines == [1, 3])
        #expect(outcome.malformed == [CSVMalformedRecord(
            line: 2, column: nil, kind: .lineTooLong,
            reason: "line too long: 150 bytes (limit 100 bytes); is this a CSV export?",
            raw: "(not kept: too long)")])
        #expect(outcome.statistics.physicalLines == 3)
    }

    @Test(arguments: [Int.max, 7])
    func aLineOfExactlyTheLimitIsRead(maxRead: Int) throws {
        let line = "1," + String(repeating: "x", count: 98)
        let outcome = try read("\(line)\r\n\(line)\n\(line)", dialect: CSVDialect(),
                               limits: CSVReadLimits(maxLineBytes: 100), maxRead: maxRead)

        #expect(outcome.lines == [1, 2, 3])
        #expect(outcome.malformed.isEmpty)
    }

    @Test(arguments: [Int.max, 5])
    func anOverLongLastLineWithoutNewlineIsRejected(maxRead: Int) throws {
        let outcome = try read("a,b\n" + String(repeating: "z", count: 30), dialect: CSVDialect(),
                               limits: CSVReadLimits(maxLineBytes: 20), maxRead: maxRead)

        #expect(outcome.fields == [["a", "b"]])
        #expect(outcome.malformed.map(\.reason) == ["line too long: 30 bytes (limit 20 bytes); is this a CSV export?"])
        #expect(outcome.statistics.physicalLines == 2)
    }

    @Test func theDefaultLimitIsNamedInMebibytes() throws {
        let limits = CSVReadLimits(chunkSize: 4096, maxLineBytes: 1 << 20)
        let input = "a\n" + String(repeating: "x", count: (1 << 20) + 1) + "\nb\n"
        let outcome = try read(input, dialect: CSVDialect(), limits: limits)

        #expect(outcome.fields == [["a"], ["b"]])
        #expect(outcome.malformed.map(\.reason)
            == ["line too long: 1048577 bytes (limit 1 MiB); is this a CSV export?"])
    }

    /// An over-long line inside an open quoted field: the quote is reported, the lines it held are read again.
    @Test(arguments: [Int.max, 3])
    func anOverLongLineInsideAnOpenQuotedFieldLosesNoOtherLine(maxRead: Int) throws {
        let input = "a,\"open\nb,c\n" + String(repeating: "x", count: 50) + "\nd,e\n"
        let outcome = try read(input, dialect: CSVDialect(), limits: CSVReadLimits(maxLineBytes: 20), maxRead: maxRead)

        #expect(outcome.fields == [["b", "c"], ["d", "e"]])
        #expect(outcome.lines == [2, 4])
        #expect(outcome.malformedLines == [1, 3])
        #expect(outcome.malformed.first?.reason == "unterminated quoted field: the quote opened here never closes")
    }

    @Test func aRecordWithMoreThanMaxFieldsIsRejected() throws {
        let outcome = try read("a,b,c\n1,2,3,4\n5,6,7\n", dialect: CSVDialect(), limits: CSVReadLimits(maxFields: 3))

        #expect(outcome.fields == [["a", "b", "c"], ["5", "6", "7"]])
        #expect(outcome.malformed == [CSVMalformedRecord(
            line: 2, column: 4, kind: .tooManyFields,
            reason: "more than 3 fields in one record; is the delimiter right?",
            raw: "1,2,3,4")])
    }

    /// Above the 256 fields the reader reserves at first, the field table grows up to the limit.
    @Test func manyFieldsAreReadUpToTheLimit() throws {
        let wide = (1...300).map(String.init).joined(separator: ",")
        let outcome = try read("\(wide)\n\(wide),301\n\(wide)", dialect: CSVDialect(),
                               limits: CSVReadLimits(maxFields: 300))

        #expect(outcome.rows.map(\.fieldCount) == [300, 300])
        #expect(outcome.rows.first?.fields.last == "300")
        #expect(outcome.malformed.map(\.line) == [2])
        #expect(outcome.malformed.first?.column == 301)
    }

    @Test func aQuotedFieldSpanningMaxRecordLinesIsRead() throws {
        let outcome = try read("h\n\"1\n2\n3\",x\nnext\n", dialect: CSVDialect(),
                               limits: CSVReadLimits(maxRecordLines: 3))

        #expect(outcome.fields == [["h"], ["1\n2\n3", "x"], ["next"]])
        #expect(outcome.lines == [1, 2, 5])
        #expect(outcome.malformed.isEmpty)
    }

    @Test func aQuotedFieldStillOpenAfterMaxRecordLinesIsTreatedAsUnterminated() throws {
        let outcome = try read("h\n\"1\n2\n3\n4\",x\nnext\n", dialect: CSVDialect(),
                               limits: CSVReadLimits(maxRecordLines: 3))

        #expect(outcome.malformed.first == CSVMalformedRecord(
            line: 2, column: 1, kind: .unterminatedQuote,
            reason: "unterminated quoted field: the quote opened here never closes", raw: "\"1"))
        // The lines it held are read again: 2 and 3 are records, `4",x` is broken quoting on its own.
        #expect(outcome.fields == [["h"], ["2"], ["3"], ["next"]])
        #expect(outcome.lines == [1, 3, 4, 6])
        #expect(outcome.malformedLines == [2, 5])
    }

    /// A quote that never closes in a long file is given up after `maxRecordLines`, not carried to the end.
    @Test func anUnterminatedQuoteInALongFileSwallowsAtMostMaxRecordLines() throws {
        let body = (1...1_000).map { "\($0),v" }.joined(separator: "\n")
        let outcome = try read("a,\"never closed\n\(body)\n", dialect: CSVDialect(),
                               limits: CSVReadLimits(maxRecordLines: 10))

        #expect(outcome.malformedLines == [1])
        #expect(outcome.rows.count == 1_000)
        #expect(outcome.lines.first == 2)
        #expect(outcome.lines.last == 1_001)
    }
}
