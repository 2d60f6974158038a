@testable import CSVReading
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

/// The formula scan skips with `memchr`; it must find exactly the `=` signs a byte-by-byte walk finds.
@Suite("Excel formula scan")
struct ExcelFormulaScanTests {
    /// The byte-by-byte walk the scan replaced: the reference.
    static func bytewise(_ bytes: [UInt8], insideQuotes: Bool, delimiter: UInt8, quote: UInt8) -> [Int] {
        let equals = UInt8(ascii: "=")
        var found: [Int] = []
        var inQuotes = insideQuotes
        var atFieldStart = !insideQuotes
        for index in bytes.indices {
            let byte = bytes[index]
            if inQuotes {
                if byte == quote { inQuotes = false }
            } else if byte == delimiter {
                atFieldStart = true
            } else if byte == quote {
                inQuotes = true
                atFieldStart = false
            } else if byte == 0x20 || byte == 0x09 {
                continue
            } else if byte == equals, atFieldStart, index + 1 < bytes.count, bytes[index + 1] == quote {
                found.append(index)
                atFieldStart = false
            } else {
                atFieldStart = false
            }
        }
        return found
    }

    @Test(arguments: [(";", "\""), (",", "\""), ("\t", "\""), (" ", "\""), (";", "'"), ("\"", "\""), ("=", "\""),
                      (";", "=")])
    func theScanFindsWhatAByteByByteWalkFinds(delimiter: String, quote: String) {
        let delimiterByte = delimiter.utf8.first!, quoteByte = quote.utf8.first!
        let alphabet: [UInt8] = Array("=\";', \t\ta1".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<3_000 {
            let line = (0..<(next() % 24)).map { _ in alphabet[next() % alphabet.count] }
            for insideQuotes in [false, true] {
                var scanned: [Int] = []
                line.withUnsafeBytes { bytes in
                    ExcelFormulas.forEachFormulaEquals(in: bytes, insideQuotes: insideQuotes, delimiter: delimiterByte,
                                                       quote: quoteByte) { scanned.append($0) }
                }
                let expected = Self.bytewise(line, insideQuotes: insideQuotes, delimiter: delimiterByte, quote: quoteByte)
                #expect(scanned == expected, "\(String(decoding: line, as: UTF8.self)) inside quotes: \(insideQuotes)")
                if scanned != expected { return }
            }
        }
    }
}
