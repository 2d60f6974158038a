import CSVReading
import Testing

/// Excel's text formula `="…"` (how Fluvius writes its EAN column) is read as the text Excel shows.
@Suite("Excel text formulas")
struct ExcelFormulaTests {
    @Test func aFormulaFieldGivesItsTextAndTheRawLineKeepsTheFormula() throws {
        let outcome = try read("Van;EAN;Volume\r\n12-10-2021;=\"541448820052632233\";0,173\r\n")

        #expect(outcome.rows.last?.fields == ["12-10-2021", "541448820052632233", "0,173"])
        #expect(outcome.rows.last?.raw == "12-10-2021;=\"541448820052632233\";0,173")
        #expect(outcome.malformed.isEmpty)
    }

    @Test func aFormulaWorksInTheFirstFieldWithSpacesAndWithEscapedQuotes() throws {
        let outcome = try read(" =\"a\";  =\"say \"\"hi\"\"\";=\"\"\n", dialect: detect("a;b;c\n"))

        #expect(outcome.fields == [["a", "say \"hi\"", ""]])
    }

    @Test func anEqualsSignInsideAQuotedFieldOrWithoutAQuoteIsKept() throws {
        let outcome = try read("a,\"x =\"\"y\"\"\",=5414,b=c\n", dialect: CSVDialect())

        #expect(outcome.fields == [["a", "x =\"y\"", "=5414", "b=c"]])
    }

    @Test func aFormulaAfterAMultiLineQuotedFieldIsRecognised() throws {
        let outcome = try read("a,\"multi\nline\",=\"5414\"\nb,c\n", dialect: CSVDialect())

        #expect(outcome.fields == [["a", "multi\nline", "5414"], ["b", "c"]])
        #expect(outcome.lines == [1, 3])
    }

    @Test func brokenQuotingAroundAFormulaIsStillRejectedAtTheRightCharacter() throws {
        let outcome = try read("1;=\"54\"x;2\n3;ab=\"c\";4\n5;6;7\n", dialect: detect("a;b;c\n"))

        #expect(outcome.fields == [["5", "6", "7"]])
        #expect(outcome.malformedLines == [1, 2])
        #expect(outcome.malformed.map(\.column) == [2, 2])
        #expect(outcome.malformed.first?.reason.hasPrefix("malformed quoting near character 8 of line 1") == true)
        #expect(outcome.malformed.first?.raw == "1;=\"54\"x;2")
    }
}
