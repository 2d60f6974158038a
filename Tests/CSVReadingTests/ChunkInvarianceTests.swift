import CSVReading
import Foundation
import Testing
import TestSupport

/// The reader must give the same records, lines and rejects whatever the size of the reads that deliver the bytes.
@Suite("Chunk invariance")
struct ChunkInvarianceTests {
    static let longField = String(repeating: "x", count: 10_000)
    /// 150 lines, about 12 KiB: longer than the initial 4 KiB buffer, shorter than the default `maxRecordLines`.
    static let longQuoted = (0..<150).map { "line \($0) of a long comment, with a delimiter, and \"\"quotes\"\" too" }
        .joined(separator: "\n")

    static let trickyInputs: [Input] = [
        Input("quotes, escapes and CRLF", "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"\",x,\" \"\r\n"),
        Input("multi-line field and blank lines", "id,comment\n1,\"two\nlines\"\n\n2,\"three\n\nlines\"\n   \n3,x\n"),
        Input("BOM and quoted header", "\u{FEFF}\"Datum\";\"Volume\"\r\n1-1-2024;0,5\r\n"),
        Input("BOM and sep line",
              "\u{FEFF}sep=,\nVersion CSV3|Tool WebUI\n\n,STP\nDD.MM.YYYY,[Wh]\n23.03.2020 00:00:00,NaN\n"),
        Input("junk after a closing quote", "a,b\nc,\"d\"e\nf,g\n"),
        Input("quote inside an unquoted field", "a,b\nc,d\"e\nf,g\n"),
        Input("unterminated quote in the middle", "a,b\nc,\"d\ne,f\ng,\"h\"\ni,j\n"),
        Input("unterminated quote at the end", "a,b\nc,\"d\ne,f"),
        Input("NUL bytes", bytes: bytes("a,b\n" + paddingPastTheDetector + "c") + [0, 0] + bytes(",d\ne,f\n")),
        Input("NUL inside an open quoted field",
              bytes: bytes(paddingPastTheDetector + "a,\"b\nc") + [0] + bytes("\nd,e\n")),
        Input("Ctrl-Z at the end", bytes: bytes("a,b\r\nc,d\r\n") + [0x1A]),
        Input("ragged rows and trailing delimiter", "a,b,c\n1,2\n1,2,3,4\n5,6,\n"),
        Input("CR line ends", "a;b\r1;\"2\r3\"\r\r4;5"),
        Input("no final newline", "a,b\n1,2"),
        Input("Fluvius-like rows", "\u{FEFF}Van;EAN;Volume\r\n1;=\"5414\";0,173\r\n2;= \"5415\";\r\n3;=5416;1\r\n"),
        Input("a 10 000-byte field", "a,b\n1,\(longField)\n2,\"\(longField)\"\n3,z\n"),
        Input("a 12 KiB quoted field over 150 lines", "a,b\n1,\"\(longQuoted)\"\n2,z\n"),
        Input("only blank lines", "\n\n  \n"),
        Input("empty", ""),
        Input("BOM only", "\u{FEFF}"),
    ]

    static let readSizes = [1, 2, 3, 7, 64, Int.max]

    @Test(arguments: trickyInputs, readSizes)
    func readsOfAnySizeGiveTheSameRecordsAndRejects(input: Input, maxRead: Int) throws {
        let dialect = detect(input.bytes)
        let whole = try read(input.bytes, dialect: dialect)
        let chunked = try read(input.bytes, dialect: dialect, maxRead: maxRead)

        #expect(chunked.fields == whole.fields)
        #expect(chunked.lines == whole.lines)
        #expect(chunked.rows == whole.rows)
        #expect(chunked.malformed == whole.malformed)
        #expect(chunked.statistics == whole.statistics)
    }

    /// A chunk size below the 4 KiB minimum buffer, with lines longer than the buffer: the buffer must grow.
    @Test(arguments: trickyInputs, [1, 7, Int.max])
    func smallChunkSizesGiveTheSameRecordsAndRejects(input: Input, maxRead: Int) throws {
        let dialect = detect(input.bytes)
        let whole = try read(input.bytes, dialect: dialect)
        let small = try read(input.bytes, dialect: dialect, limits: CSVReadLimits(chunkSize: 16), maxRead: maxRead)

        #expect(small.rows == whole.rows)
        #expect(small.malformed == whole.malformed)
        #expect(small.statistics == whole.statistics)
    }

    /// Guards the guard: the long inputs above really are read, and really exceed the initial buffer.
    @Test func theLongInputsAreReadInFull() throws {
        let input = "a,b\n1,\(Self.longField)\n2,\"\(Self.longQuoted)\"\n"
        let outcome = try read(input, limits: CSVReadLimits(chunkSize: 16), maxRead: 7)

        #expect(outcome.rows.map(\.line) == [1, 2, 3])
        #expect(outcome.rows[1].fields[1].utf8.count == 10_000)
        #expect(outcome.rows[2].fields[1] == Self.longQuoted.replacingOccurrences(of: "\"\"", with: "\""))
        #expect(outcome.malformed.isEmpty)
    }

    /// 2 000 pseudo-random inputs from the characters that matter (quotes, delimiters, `=`, line ends, spaces), with
    /// small limits so every rejection path is taken: pieces of any size give what the whole input gives.
    @Test func randomInputsReadTheSameInAnyPieces() throws {
        let alphabet = Array("a1,\"\"=\n\n\r \u{1A}".utf8)
        let limits = CSVReadLimits(chunkSize: 16, maxLineBytes: 12, maxFields: 4, maxRecordLines: 3)
        var random = SplitMix64(state: 42)
        for _ in 0..<2_000 {
            let input = (0..<Int(random.next(below: 40))).map { _ in
                alphabet[Int(random.next(below: UInt64(alphabet.count)))]
            }
            let whole = try read(input, dialect: CSVDialect(), limits: limits)
            for maxRead in [1, 3, 5] {
                let pieces = try read(input, dialect: CSVDialect(), limits: limits, maxRead: maxRead)
                #expect(pieces == whole,
                        "input \(String(decoding: input, as: UTF8.self).debugDescription), reads of \(maxRead)")
            }
            let lineCount = input.split(separator: 0x0A, omittingEmptySubsequences: false).count
                - (input.last == 0x0A || input.isEmpty ? 1 : 0)
            #expect(whole.statistics.physicalLines == lineCount)
            #expect(whole.lines == whole.lines.sorted())
            #expect((whole.lines + whole.malformedLines).allSatisfy { (1...max(lineCount, 1)).contains($0) })
        }
    }

    /// Over-long lines with a small limit: rejected the same way whether the line arrives whole or in pieces.
    @Test(arguments: readSizes)
    func anOverLongLineIsRejectedWhateverTheReadSize(maxRead: Int) throws {
        let limits = CSVReadLimits(chunkSize: 16, maxLineBytes: 40)
        let input = "a,b\n1,\(String(repeating: "y", count: 60))\n2,ok\n3,\(String(repeating: "z", count: 38))\n"
            + "4,\"\(String(repeating: "q", count: 50))\"\n5,last"
        let outcome = try read(input, dialect: CSVDialect(), limits: limits, maxRead: maxRead)

        #expect(outcome.fields == [["a", "b"], ["2", "ok"], ["3", String(repeating: "z", count: 38)], ["5", "last"]])
        #expect(outcome.lines == [1, 3, 4, 6])
        #expect(outcome.malformedLines == [2, 5])
        #expect(outcome.malformed.map(\.reason) == [
            "line too long: 62 bytes (limit 40 bytes); is this a CSV export?",
            "line too long: 54 bytes (limit 40 bytes); is this a CSV export?",
        ])
        #expect(outcome.statistics.physicalLines == 6)
    }
}
