import CSVReading
import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Rejects beyond the first `Reject.detailLimit` per file and code are counted (per code, site and day), never kept
/// one by one: memory, state and rejects.csv stay bounded while every rejected row is still counted exactly.
struct RejectDetailLimitTests {
    /// A parkimpact-long export of `days` January days, two meters, quarter-hours: every third row's value is not a
    /// number (`x`), every fifth (from the second) is negative (`-2`, rejected by the aggregator, its raw text filled
    /// in afterwards), the rest good. Also gives, by the same rule, the expected rejects per code and per local day
    /// (January, +01:00: the local day is the date written in the row).
    static func export(days: Int) -> (text: String, perCode: [RejectCode: Int], perDay: [Int: Int], lines: Int) {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        var perCode: [RejectCode: Int] = [:]
        var perDay: [Int: Int] = [:]
        var serial = 0
        for day in 1...days {
            let dayNumber = CivilDate(year: 2023, month: 1, day: day)!.dayNumber
            for quarter in 0..<96 {
                for meter in ["m1", "m2"] {
                    serial += 1
                    var value = String(format: "%.2f", Double(serial % 97) / 4)
                    if serial % 3 == 0 {
                        value = "x"
                        perCode[.notANumber, default: 0] += 1
                        perDay[dayNumber, default: 0] += 1
                    } else if serial % 5 == 1 {
                        value = "-2"
                        perCode[.negativeValue, default: 0] += 1
                        perDay[dayNumber, default: 0] += 1
                    }
                    let stamp = String(format: "2023-01-%02dT%02d:%02d:00+01:00", day, quarter / 4, quarter % 4 * 15)
                    text += "\(stamp),s1,\(meter),electricity_offtake,\(value),kWh,measured\n"
                }
            }
        }
        return (text, perCode, perDay, serial + 1)
    }

    static func read(_ text: String, chunkBytes: Int? = nil) throws -> FileResult {
        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("a.csv", text)
        let definition = try definition(format: .parkimpactLong)
        let file = InputFile(path: folder.root + "/a.csv", relativePath: "a.csv", pilot: "test",
                             source: definition.sources[0])
        guard let chunkBytes else { return ReadFile.read(file, definition: definition) }
        return ReadFile.readChunked(file, definition: definition, chunkBytes: chunkBytes, parallel: true)
    }

    @Test("5 days of 192 rows: 320 not_a_number and 128 negative_value rows; 100 of each kept in full, the rest tallied per day, every row counted")
    func firstHundredPerCodeInFull() throws {
        let (text, perCode, perDay, _) = Self.export(days: 5)
        // serial 1…960: multiples of 3 → 320; serial ≡ 1 (mod 5) and not a multiple of 3 → 192 − 64 = 128.
        #expect(perCode == [.notANumber: 320, .negativeValue: 128])
        let result = try Self.read(text)
        #expect(result.summary.rejectedRows == 448)
        #expect(result.rejects.rowCount == 448)
        let detailed = result.rejects.filter(\.isDetailed)
        #expect(detailed.filter { $0.code == .notANumber }.count == 100)
        #expect(detailed.filter { $0.code == .negativeValue }.count == 100)
        // The kept ones are the first ones in line order, with their raw text (negative values: filled in by the reader).
        let nan = detailed.filter { $0.code == .notANumber }.map(\.line)
        #expect(nan == (1...100).map { 1 + 3 * $0 })  // serial 3k is on line 3k + 1
        let negative = try #require(detailed.first { $0.code == .negativeValue })
        #expect(negative.line == 2 && negative.column == "value"
                && negative.raw == "2023-01-01T00:00:00+01:00,s1,m1,electricity_offtake,-2,kWh,measured")
        let tallies = result.rejects.filter { !$0.isDetailed }
        #expect(tallies.filter { $0.code == .notANumber }.rowCount == 220)
        #expect(tallies.filter { $0.code == .negativeValue }.rowCount == 28)
        #expect(tallies.allSatisfy { $0.line == 0 && $0.raw.isEmpty && $0.reason.isEmpty && $0.site == "s1" })
        // Per local day (what quality.rejected_rows counts): detailed plus tallied equals the rows of that day.
        var days: [Int: Int] = [:]
        for reject in result.rejects { days[reject.day ?? -1, default: 0] += reject.rows }
        #expect(days == perDay)
        // The tallies come after every detailed reject, not_a_number first (its first row without detail, serial 303
        // on line 304, comes before negative_value's: two per 15 serials (1 and 11), the 101st is serial 751, line 752).
        #expect(result.rejects.prefix(200).allSatisfy { $0.isDetailed })
        #expect(tallies.first?.code == .notANumber)
    }

    @Test("chunks of any size merge to exactly the rejects of one sequential read (first 100 per code by line order)")
    func chunksMergeToTheSequentialRejects() throws {
        let (text, _, _, _) = Self.export(days: 5)
        let whole = try Self.read(text)
        let size = text.utf8.count
        for chunkBytes in [size / 7, size / 4, size / 3, 997, 4_099] {
            let chunked = try Self.read(text, chunkBytes: chunkBytes)
            #expect(chunked.rejects == whole.rejects, "chunks of \(chunkBytes) bytes")
            #expect(chunked.summary.rejectedRows == 448, "chunks of \(chunkBytes) bytes")
        }
    }

    @Test("150 repeats with the same value and 120 with another, out of order (codes settled by a second pass): 100 of each in full, 50 and 20 tallied")
    func settledRepeatsKeepTheLimit() throws {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        // 300 quarter-hours of one meter, value 1, in time order, then 270 repeats of the first 270 of them (never the
        // series' last reading: each needs the second pass): even ones repeated with the same value (duplicate),
        // odd ones with 9 (conflicting), until 150 and 120 of them.
        func stamp(_ quarter: Int) -> String {
            String(format: "2023-01-%02dT%02d:%02d:00+01:00", 1 + quarter / 96, quarter % 96 / 4, quarter % 4 * 15)
        }
        for quarter in 0..<300 { text += "\(stamp(quarter)),s1,m1,electricity_offtake,1,kWh,measured\n" }
        var same = 0, other = 0
        for quarter in 0..<300 where same < 150 || other < 120 {
            if quarter % 2 == 0, same < 150 {
                same += 1
                text += "\(stamp(quarter)),s1,m1,electricity_offtake,1,kWh,measured\n"
            } else if quarter % 2 == 1, other < 120 {
                other += 1
                text += "\(stamp(quarter)),s1,m1,electricity_offtake,9,kWh,measured\n"
            }
        }
        let result = try Self.read(text)
        #expect(result.summary.rejectedRows == 270)
        #expect(result.summary.acceptedRows == 300)
        let detailed = result.rejects.filter(\.isDetailed)
        #expect(detailed.filter { $0.code == .duplicateInterval }.count == 100)
        #expect(detailed.filter { $0.code == .conflictingInterval }.count == 100)
        #expect(result.rejects.filter { !$0.isDetailed && $0.code == .duplicateInterval }.rowCount == 50)
        #expect(result.rejects.filter { !$0.isDetailed && $0.code == .conflictingInterval }.rowCount == 20)
        #expect(detailed.first { $0.code == .conflictingInterval }?.reason
                == "conflicts with line 3: the interval of m1 electricity_offtake starting 2022-12-31T23:15:00Z is 1 "
                + "there and 9 here (kWh); the first counts")
    }

    @Test("rejects.csv: the detailed rows as always, then one row per file and code with the count of rows without detail")
    func rejectsCSVRows() throws {
        let (text, _, _, _) = Self.export(days: 5)
        let result = try Self.read(text)
        let csv = CSVOutput.rejects(result.rejects)
        let lines = csv.split(separator: "\r\n", omittingEmptySubsequences: false)
        // Header, 200 detailed rows, 2 count rows, the final empty piece after the last CRLF.
        #expect(lines.count == 204)
        #expect(lines[201] == "a.csv,,,not_a_number,… and 220 more rows rejected with this code (detail kept for the "
            + "first 100),")
        #expect(lines[202] == "a.csv,,,negative_value,… and 28 more rows rejected with this code (detail kept for the "
            + "first 100),")
        // The same rejects without tallies are the bytes of before: one row each.
        let detailedOnly = CSVOutput.rejects(result.rejects.filter(\.isDetailed))
        #expect(csv.hasPrefix(detailedOnly))
        // nl: the same row with `;`.
        let nl = CSVOutput.rejects(result.rejects, locale: .nl)
        #expect(nl.contains("\r\na.csv;;;negative_value;… and 28 more rows rejected with this code (detail kept for "
            + "the first 100);\r\n"))
    }

    @Test("warnings and the all-rejected problem use the true counts; the example is a row kept in full")
    func verdictsUseTrueCounts() throws {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        for quarter in 0..<250 {
            text += String(format: "2023-01-01T%02d:%02d:00+01:00", quarter / 4 % 24, quarter % 4 * 15)
                + ",s1,m\(quarter / 96),electricity_offtake,x,kWh,measured\n"
        }
        let result = try Self.read(text)
        #expect(result.summary.rejectedRows == 250)
        #expect(result.summary.problem?.hasSuffix("/a.csv: no row could be used: all 250 row(s) were rejected; most often (250×): "
            + "\"x\" is not a number (line 2: 2023-01-01T00:00:00+01:00,s1,m0,electricity_offtake,x,kWh,measured); "
            + "fix the file (or the source's format) and it is read again (every reject is in rejects.csv)") == true,
                "\(result.summary.problem ?? "")")
    }

    @Test("the codec: tallies need PIC3 and round-trip; a contribution of detailed rejects only is still PIC2 bytes")
    func codecVersions() throws {
        let (text, _, _, _) = Self.export(days: 5)
        let result = try Self.read(text)
        let contribution = ContributionCodec.Contribution(series: result.series, rejects: result.rejects,
                                                          summary: result.summary)
        let bytes = ContributionCodec.encode(contribution, layout: .version3)
        #expect(Array(bytes.prefix(4)) == Array("PIC3".utf8))
        #expect(try ContributionCodec.decode(ContributionCodec.encode(contribution)).rejects == result.rejects)
        let decoded = try ContributionCodec.decode(bytes)
        #expect(decoded.rejects == result.rejects)
        #expect(decoded.rejects.rowCount == 448)
        let detailedOnly = ContributionCodec.Contribution(series: [], rejects: result.rejects.filter(\.isDetailed),
                                                          summary: result.summary)
        let old = ContributionCodec.encode(detailedOnly, layout: .version3)
        #expect(Array(old.prefix(4)) == Array("PIC2".utf8))
        #expect(try ContributionCodec.decode(old).rejects == detailedOnly.rejects)
        // A negative count is refused, never decoded (the last 8 bytes are the last reject's count).
        var negative = bytes
        negative.replaceSubrange((negative.count - 8)..., with: withUnsafeBytes(of: Int64(-5).littleEndian, Array.init))
        #expect(throws: ContributionCodec.DecodingError.self) { try ContributionCodec.decode(negative) }
    }
}
