import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A reading whose time is out of range (`date_out_of_range`) names the column of that time in rejects.csv, not the
/// value column: the cell to correct. With the real binary.
@Suite("date_out_of_range names the time column", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct DateOutOfRangeColumnTests {
    static func rejects(_ source: String, _ file: String, _ text: String) throws -> (status: Int32, rejects: String) {
        let root = try HostileValueTests.pilot(source, file, text)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Binary.run(["run", "--settle-seconds", "0", "--csv-locale", "en"], in: root)
        return (run.status ?? -1, try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8))
    }

    @Test("Fluvius: a start dated 6024 names `Van (datum)` (the date of the two start columns), not `Volume`")
    func fluvius() throws {
        let result = try Self.rejects("{ path: \"*.csv\", format: fluvius, site: s }", "f.csv", """
            Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus;Omschrijving
            01-01-2024;00:00:00;01-01-2024;00:15:00;="541448820000000001";1SAG;Digitale Meter;Afname Dag;0,250;kWh;Gemeten;
            01-01-6024;00:15:00;01-01-6024;00:30:00;="541448820000000001";1SAG;Digitale Meter;Afname Dag;0,500;kWh;Gemeten;

            """)
        #expect(result.status == 0)
        let line = try #require(result.rejects.split(whereSeparator: \.isNewline).first { $0.contains("date_out_of_range") })
        // 6024-01-01 00:15 in Brussels (UTC+1 in winter) is 6023-12-31 23:15 UTC.
        #expect(line == "p/f.csv,3,Van (datum),date_out_of_range,\"the reading starts 6023-12-31T23:15:00Z, outside the "
            + "years 1800 to 2199: check the year (a digit typed wrong)\",\"01-01-6024;00:15:00;01-01-6024;00:30:00;"
            + "=\"\"541448820000000001\"\";1SAG;Digitale Meter;Afname Dag;0,500;kWh;Gemeten;\"", "\(result.rejects)")
    }

    @Test("generic register: a reading dated 6024 names the timestamp column `Tijd`, not the register `Stand`")
    func genericRegister() throws {
        let result = try Self.rejects("""
            { path: "*.csv", format: generic, site: s, columns: { timestamp: "Tijd" },
                values: [ { column: "Stand", quantity: electricity_offtake, unit: kWh, kind: cumulative } ] }
            """, "r.csv", """
            Tijd;Stand
            2024-01-01 00:00;1
            2024-01-02 00:00;2
            6024-01-03 00:00;3
            2024-01-04 00:00;4

            """)
        #expect(result.status == 0)
        let line = try #require(result.rejects.split(whereSeparator: \.isNewline).first { $0.contains("date_out_of_range") })
        // 6024-01-03 00:00 in Brussels (UTC+1) is 6024-01-02 23:00 UTC.
        #expect(line == "p/r.csv,4,Tijd,date_out_of_range,\"the reading starts 6024-01-02T23:00:00Z, outside the years "
            + "1800 to 2199: check the year (a digit typed wrong)\",\"6024-01-03 00:00;3\"", "\(result.rejects)")
    }

    @Test("generic with one value column per quantity: the time column `Datum` is named, not `Afname`")
    func genericIntervals() throws {
        let result = try Self.rejects("""
            { path: "*.csv", format: generic, site: s, columns: { date: "Datum", time: "Uur" },
                values: [ { column: "Afname", quantity: electricity_offtake, unit: kWh } ] }
            """, "i.csv", """
            Datum;Uur;Afname
            2024-01-01;00:00;1
            1024-01-01;00:15:00;2

            """)
        #expect(result.status == 0)
        let line = try #require(result.rejects.split(whereSeparator: \.isNewline).first { $0.contains("date_out_of_range") })
        #expect(line.hasPrefix("p/i.csv,3,Datum,date_out_of_range,\"the reading starts "), "\(result.rejects)")
    }
}
