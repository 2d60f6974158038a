import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Values no meter delivers (`1e308`, an overflowed register) are rejected before any arithmetic, with the real
/// binary: the run ends with exit 0 and a report, never a trap (exit 132) on every run until the file is removed.
@Suite("values beyond any meter", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct HostileValueTests {
    static func pilot(_ source: String, _ file: String, _ text: String) throws -> String {
        let root = NSTemporaryDirectory() + "parkimpact-values-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/input/p", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        try """
            pilot: p
            name: P
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources: [ \(source) ]
            """.write(toFile: root + "/pipelines/p.yaml", atomically: true, encoding: .utf8)
        try text.write(toFile: root + "/input/p/" + file, atomically: true, encoding: .utf8)
        return root
    }

    static func reportingOfftake(_ root: String) throws -> String {
        let json = try String(contentsOfFile: root + "/output/p/kpis.json", encoding: .utf8)
        let prefix = "{\"key\": \"energy.electricity.offtake_kwh\", \"period\": \"reporting\", \"site\": null, \"value\": "
        let line = try #require(json.split(separator: "\n").map { $0.drop { $0 == " " } }.first { $0.hasPrefix(prefix) })
        return String(line.dropFirst(prefix.count).prefix { $0 != "," })
    }

    @Test("two readings of 1e308 kWh (their sum is infinite): both rejected as value_out_of_range, the 5 kWh counted, exit 0")
    func hugeIntervalValues() throws {
        let root = try Self.pilot("{ path: \"*.csv\", format: parkimpact-long }", "a.csv", """
            timestamp,site,series,quantity,value,unit,quality
            2024-01-01T00:00:00+01:00,s,m1,electricity_offtake,1e308,kWh,measured
            2024-01-01T00:15:00+01:00,s,m1,electricity_offtake,1e308,kWh,measured
            2024-01-02T00:15:00+01:00,s,m1,electricity_offtake,5,kWh,measured

            """)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Binary.run(["run", "--settle-seconds", "0", "--csv-locale", "en"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.reportingOfftake(root) == "5")
        let rejects = try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("p/a.csv,2,value,value_out_of_range,\"value 1e+308 kWh for electricity_offtake "
            + "(interval starting 2023-12-31T23:00:00Z) is beyond what any meter delivers in one reading (at most 10^12 "
            + "kWh); check the number and its unit\""), "\(rejects)")
        #expect(rejects.split(whereSeparator: \.isNewline).filter { $0.contains("value_out_of_range") }.count == 2)
    }

    @Test("a register reading of 1e306 MWh (infinite in kWh): its difference is rejected, never spread as infinity")
    func overflowingRegister() throws {
        let root = try Self.pilot("""
            { path: "*.csv", format: generic, site: s, columns: { timestamp: "Tijd" },
                values: [ { column: "Stand", quantity: electricity_offtake, unit: MWh, kind: cumulative } ] }
            """, "r.csv", """
            Tijd;Stand
            2024-01-01 00:00;1
            2024-01-02 00:00;2
            2024-01-03 00:00;1e306
            2024-01-04 00:00;3

            """)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Binary.run(["run", "--settle-seconds", "0", "--csv-locale", "en"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        // 1 → 2 MWh: 1,000 kWh counted; 2 → 1e306 MWh rejected; 1e306 → 3 a decrease (rejected, counting restarts).
        #expect(try Self.reportingOfftake(root) == "1000")
        let rejects = try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("p/r.csv,4,Stand,value_out_of_range,\"the register rose by inf kWh of "
            + "electricity_offtake since the previous reading (2024-01-01T23:00:00Z), beyond what any meter delivers (at "
            + "most 10^12 kWh); check the reading and its unit\""), "\(rejects)")
        #expect(rejects.contains("p/r.csv,5,Stand,register_decreased,"))
    }

    @Test("a Fluvius row ending in 2204 instead of 2024 (68 years and more): rejected as interval_too_long, exit 0 (was a trap on every run)")
    func endYearTypo() throws {
        let root = try Self.pilot("{ path: \"*.csv\", format: fluvius, site: s }", "f.csv", """
            Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus;Omschrijving
            01-01-2024;00:00:00;01-01-2024;00:15:00;="541448820000000001";1SAG;Digitale Meter;Afname Dag;0,250;kWh;Gemeten;
            01-01-2024;00:15:00;01-01-2204;00:30:00;="541448820000000001";1SAG;Digitale Meter;Afname Dag;0,500;kWh;Gemeten;
            01-01-2024;00:30:00;01-01-2024;00:45:00;="541448820000000001";1SAG;Digitale Meter;Afname Dag;0,125;kWh;Gemeten;

            """)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Binary.run(["run", "--settle-seconds", "0", "--csv-locale", "en"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.reportingOfftake(root) == "0.375")
        let rejects = try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("p/f.csv,3,Tot (datum),interval_too_long,\"the interval from 01-01-2024 to 01-01-2204 "
            + "lasts 65743 days, longer than a year: check the end date\""), "\(rejects)")
    }

    @Test("a reading dated 6024 (a year typed wrong): refused as date_out_of_range, the others counted")
    func yearTypo() throws {
        let root = try Self.pilot("{ path: \"*.csv\", format: parkimpact-long }", "a.csv", """
            timestamp,site,series,quantity,value,unit,quality
            2024-01-01T00:00:00+01:00,s,m1,electricity_offtake,2,kWh,measured
            6024-01-01T00:15:00+01:00,s,m1,electricity_offtake,3,kWh,measured
            2024-01-01T00:30:00+01:00,s,m1,electricity_offtake,4,kWh,measured

            """)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Binary.run(["run", "--settle-seconds", "0", "--csv-locale", "en"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.reportingOfftake(root) == "6")
        let rejects = try String(contentsOfFile: root + "/output/p/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("p/a.csv,3,timestamp,date_out_of_range,\"the reading starts 6023-12-31T23:15:00Z, outside "
            + "the years 1800 to 2199: check the year (a digit typed wrong)\""), "\(rejects)")
    }
}
