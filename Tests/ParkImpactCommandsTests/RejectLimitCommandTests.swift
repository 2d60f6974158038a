import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A file with many rejected rows, with the real binary: rejects.csv lists the first 100 per file and code in full and
/// one row with the count of the others; the summary, the warning and the report count every row; a rebuild from the
/// state (the contribution stored with its tallies, `PIC3`) writes the same rejects.csv.
@Suite("rejects beyond the detail limit", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct RejectLimitCommandTests {
    @Test("one good row and 250 rows whose value is not a number: 100 listed, `… and 150 more`, counts exact, the same after a rebuild from the state")
    func manyRejectsAreCountedNotListed() throws {
        let root = NSTemporaryDirectory() + "parkimpact-rejects-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/input/p", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        try """
            pilot: p
            name: P
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources: [ { path: "*.csv", format: parkimpact-long } ]
            """.write(toFile: root + "/pipelines/p.yaml", atomically: true, encoding: .utf8)
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        text += "2024-01-01T00:00:00+01:00,s,m0,electricity_offtake,5,kWh,measured\n"
        // Rows 3…252: 250 quarter-hours of 2024-01-01 … 2024-01-03 (+01:00), value `x`.
        for quarter in 1...250 {
            text += String(format: "2024-01-%02dT%02d:%02d:00+01:00", 1 + quarter / 96, quarter % 96 / 4,
                           quarter % 4 * 15) + ",s,m0,electricity_offtake,x,kWh,measured\n"
        }
        try text.write(toFile: root + "/input/p/a.csv", atomically: true, encoding: .utf8)

        let run = try Binary.run(["run", "--settle-seconds", "0"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("p: 1 file(s) ingested, 0 unreadable; 1 rows accepted, 250 rejected;"), "\(run.stdout)")
        #expect(run.stderr.contains("input/p/a.csv: 99.6 % of its rows rejected (250 of 251); most often (250×): "
            + "\"x\" is not a number (line 3: 2024-01-01T00:15:00+01:00,s,m0,electricity_offtake,x,kWh,measured); "
            + "see rejects.csv"), "\(run.stderr)")
        let rejects = try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8)
        let lines = rejects.split(separator: "\r\n")
        #expect(lines.count == 102)  // header, 100 rows (lines 3…102), one count row
        #expect(lines[1] == "p/a.csv;3;value;not_a_number;\"\"\"x\"\" is not a number\";"
            + "2024-01-01T00:15:00+01:00,s,m0,electricity_offtake,x,kWh,measured")  // a Dutch pilot: `;`
        #expect(lines[100].hasPrefix("p/a.csv;102;value;not_a_number;"))
        #expect(lines[101] == "p/a.csv;;;not_a_number;… and 150 more rows rejected with this code (detail kept for "
            + "the first 100);")
        // quality.rejected_rows of the reporting period counts all 250.
        let json = try String(contentsOfFile: root + "/output/p/kpis.json", encoding: .utf8)
        #expect(json.contains("{\"key\": \"quality.rejected_rows\", \"period\": \"reporting\", \"site\": null, "
            + "\"value\": 250,"), "\(json.prefix(2000))")
        let html = try String(contentsOfFile: root + "/output/p/report.html", encoding: .utf8)
        #expect(html.contains("<strong>250</strong>"))
        #expect(html.contains("150 of these rows have no detail in rejects.csv")
                || html.contains("Van 150 van deze rijen staat geen detail in rejects.csv"))

        // A second file makes the next run rebuild the outputs from the state: a.csv's contribution is decoded with
        // its tally, and rejects.csv is the same bytes plus nothing for the new file (it has no rejects).
        try "timestamp,site,series,quantity,value,unit,quality\n2024-02-01T00:00:00+01:00,s,m1,electricity_offtake,1,kWh,measured\n"
            .write(toFile: root + "/input/p/b.csv", atomically: true, encoding: .utf8)
        let again = try Binary.run(["run", "--settle-seconds", "0"], in: root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8) == rejects)
        let json2 = try String(contentsOfFile: root + "/output/p/kpis.json", encoding: .utf8)
        #expect(json2.contains("{\"key\": \"quality.rejected_rows\", \"period\": \"reporting\", \"site\": null, "
            + "\"value\": 250,"))
    }
}
