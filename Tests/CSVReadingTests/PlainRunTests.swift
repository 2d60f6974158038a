import CSVReading
import Testing
import TestSupport

/// Runs of plain lines go to libcsv in one call (`CSVStreamReader.feedsPlainRunsTogether`); every record must still
/// get its own line, raw text and counts exactly as when each line is fed alone.
@Suite("Plain runs of lines fed together")
struct PlainRunTests {
    /// Reads `input` with runs fed together and with every line alone; also when stopping at a record boundary (a
    /// chunk of a file read in parallel) and when the handler stops after a few records.
    static func bothWays(
        _ input: [UInt8], dialect: CSVDialect, limits: CSVReadLimits = CSVReadLimits(), maxRead: Int = .max,
        boundary: Int? = nil, stopAfter: Int? = nil
    ) throws -> (together: Outcome, alone: Outcome) {
        func read(together: Bool) throws -> Outcome {
            var reader = CSVStreamReader(dialect: dialect, limits: limits, stopAtRecordBoundary: boundary)
            reader.feedsPlainRunsTogether = together
            var source = CSVMemorySource(input, maxRead: maxRead)
            var rows: [Row] = []
            var malformed: [CSVMalformedRecord] = []
            let statistics = try reader.read(
                from: &source,
                onRecord: { record in
                    rows.append(Row(line: record.line, fieldCount: record.fieldCount, fields: record.strings,
                                    raw: record.rawText()))
                    return stopAfter.map { rows.count >= $0 } == true ? .stop : .proceed
                },
                onMalformed: { malformed.append($0) })
            return Outcome(rows: rows, malformed: malformed, statistics: statistics)
        }
        return (try read(together: true), try read(together: false))
    }

    @Test func blankAndWhitespaceLinesBetweenRecordsKeepEveryLineNumber() throws {
        let text = "a,b\n1,2\n\n   \n\t\n 3 , 4 \n5,6\n\n\n7,\"q\"\n8,9\n  \n"
        let (together, alone) = try Self.bothWays(bytes(text), dialect: CSVDialect())
        #expect(together == alone)
        #expect(together.lines == [1, 2, 6, 7, 10, 11])
        #expect(together.rows[2].raw == " 3 , 4 ")
        #expect(together.statistics.blankLines == 6)
    }

    /// Random files from the pieces that matter (plain fields, delimiters, spaces, tabs, quotes, CR, Ctrl-Z, `=`,
    /// NUL, blank lines, too many fields), read in random slices, whole, up to a boundary and stopped early.
    @Test func randomInputsGiveTheSameOutcomeBothWays() throws {
        var random = SplitMix64(state: 2026)
        let pieces: [[UInt8]] = [
            bytes("abc"), bytes("12,5"), bytes(","), bytes(";"), bytes(" "), bytes("\t"), bytes("\n"), bytes("\n"),
            bytes("\n"), bytes("\n\n"), bytes("  \n"), bytes("\"x,y\""), bytes("\""), bytes("\r\n"), bytes("\r"),
            [0x1A], bytes("=\"5414\""), [0], bytes("2024-03-31T01:45:00+01:00"), bytes("é"),
        ]
        var checked = 0
        for round in 0..<600 {
            var input: [UInt8] = []
            let weights = round % 3 == 0 ? pieces.count : 10  // a third of the files use every piece
            for _ in 0..<Int(random.next(below: 300)) {
                input += pieces[Int(random.next(below: UInt64(weights)))]
            }
            let dialect = random.next(below: 2) == 0 ? CSVDialect() : detect(input)
            let limits = CSVReadLimits(chunkSize: Int(random.next(below: 3)) == 0 ? 64 : 1 << 20,
                                       maxFields: random.next(below: 4) == 0 ? 3 : 4096)
            let maxRead = [1, 7, 64, Int.max][Int(random.next(below: 4))]
            let boundary = random.next(below: 3) == 0 ? Int(random.next(below: UInt64(input.count + 1))) : nil
            let stopAfter = random.next(below: 4) == 0 ? Int(random.next(below: 6)) + 1 : nil
            guard dialect.encoding == .utf8 else { continue }
            let (together, alone) = try Self.bothWays(input, dialect: dialect, limits: limits, maxRead: maxRead,
                                                      boundary: boundary, stopAfter: stopAfter)
            #expect(together == alone, "round \(round): \(String(decoding: input, as: UTF8.self).debugDescription)")
            checked += 1
        }
        #expect(checked > 400)
    }
}
