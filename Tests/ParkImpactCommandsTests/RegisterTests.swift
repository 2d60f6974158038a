import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Running totals and long gaps between register readings, through the real binary: a register read as interval
/// values is refused (`register_as_interval`), and a register's difference spread over a gap is estimated and not
/// covered (`RegisterGap`).
@Suite("registers: read as interval values, and gaps between readings") struct RegisterTests {
    /// A pilot `p` with one site `s`, baseline 2023 and reporting 2024, and `sources` as YAML lines.
    static func pilot(sources: String) throws -> StatefulPilot {
        try StatefulPilot(definition: """
            pilot: p
            name: "P"
            language: en
            periods:
              baseline: { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites: [ { id: s, name: "S" } ]
            sources:
            \(sources)
            """)
    }

    static func generic(kind: String?) -> String {
        """
              - path: "*.csv"
                format: generic
                site: s
                columns: { timestamp: "Tijdstip" }
                date_format: iso
                values:
                  - { column: "Meterstand (kWh)", quantity: electricity_offtake, unit: kWh\(kind.map { ", kind: \($0)" } ?? "") }
            """
    }

    /// 193 quarter-hour readings of a register from 4 March 2024 00:00 (+01:00): 48,000 kWh, then 0.4 kWh more each
    /// quarter except every 10th (flat): reading i is 48,000 + 0.4 × (i − ⌊i / 10⌋).
    static let registerReadings: String = {
        var text = "Tijdstip;Meterstand (kWh)\n"
        for index in 0...192 {
            let minutes = index * 15
            let stamp = String(format: "2024-03-%02dT%02d:%02d:00+01:00", 4 + minutes / 1440, minutes / 60 % 24,
                               minutes % 60)
            let value = 48_000 + 0.4 * Double(index - index / 10)
            text += stamp + ";" + String(format: "%.3f", value).replacingOccurrences(of: ".", with: ",") + "\n"
        }
        return text
    }()

    /// A KPI of kpis.json: value, coverage, estimated share and flags.
    static func kpi(_ pilot: StatefulPilot, _ key: String, _ period: String, site: String? = nil) throws
        -> (value: Double?, coverage: Double?, estimated: Double?, flags: [String]) {
        let data = try #require(pilot.scratch.read("output/p/kpis.json")).data(using: .utf8)!
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let kpis = try #require(root["kpis"] as? [[String: Any]])
        let found = try #require(kpis.first {
            $0["key"] as? String == key && $0["period"] as? String == period && $0["site"] as? String == site
        }, "\(key) \(period)")
        return (found["value"] as? Double, found["coverage"] as? Double, found["estimated_share"] as? Double,
                found["flags"] as? [String] ?? [])
    }

    static let run = ["run", "--settle-seconds", "0"]

    /// Rounded to 3 decimals, as kpis.json writes kWh and m³.
    static func milli(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    @Test("a register mapped as interval values is refused (exit 65, the file contributes nothing); kind: cumulative reads it right, kind: interval is taken at its word")
    func registerAsInterval() throws {
        let pilot = try Self.pilot(sources: Self.generic(kind: nil))
        defer { pilot.scratch.remove() }
        try pilot.write("hal3.csv", Self.registerReadings)
        let refused = try Binary.run(Self.run, in: pilot.scratch.root)
        #expect(refused.status == 65)
        // 192 steps: 19 flat (i = 10, 20, …, 190), 173 rising by 0.4; the last rise is reading 192 on line 194:
        // 48,000 + 0.4 × (192 − 19) = 48,069.2 kWh.
        let message = pilot.scratch.path("input/p/hal3.csv") + ": column \"Meterstand (kWh)\" (series "
            + "s/electricity_offtake/Meterstand (kWh)) is read as use per interval but behaves like a running total "
            + "(a meter register): it rises or stays equal in 192 of 192 steps between readings (rises in 173); in 173 "
            + "of the 173 rises the value is at least 10 times the rise (e.g. 48069.2 kWh after a rise of 0.4 kWh, "
            + "line 194); read as interval values, every reading would count the whole register again. Fix: add "
            + "`kind: cumulative` to its value mapping in sources[0] (the differences between readings are then the "
            + "use), or `kind: interval` if the values really are the use per interval. The file is not read until then"
        #expect(refused.stderr == "error: " + message + "\n")
        #expect(refused.stdout.hasPrefix("p: 0 file(s) ingested, 1 unreadable; 0 rows accepted"), "\(refused.stdout)")
        #expect(try Self.kpi(pilot, "energy.electricity.offtake_kwh", "reporting").value == nil)
        // The JSON log line carries the code.
        let json = try Binary.run(Self.run + ["--log-format", "json"], in: pilot.scratch.root)
        #expect(json.status == 65)
        #expect(json.stderr.contains("\"code\": \"register_as_interval\""), "\(json.stderr)")

        // `kind: cumulative`: the differences are the use, 48,069.2 − 48,000 = 69.2 kWh (kpis.json: 3 decimals).
        try pilot.scratch.write("pipelines/p.yaml", try #require(pilot.scratch.read("pipelines/p.yaml"))
            .replacingOccurrences(of: "unit: kWh }", with: "unit: kWh, kind: cumulative }"))
        let cumulative = try Binary.run(Self.run, in: pilot.scratch.root)
        #expect(cumulative.status == 0, "\(cumulative.stderr)")
        #expect(try Self.kpi(pilot, "energy.electricity.offtake_kwh", "reporting").value == 69.2)
        #expect(try Self.kpi(pilot, "energy.electricity.offtake_kwh", "2024-03").value == 69.2)
        // Two readings a day apart at most: measured (4 and 5 March, the two days the differences cover).
        #expect(try Self.kpi(pilot, "energy.electricity.offtake_kwh", "2024-03").estimated == 0)

        // `kind: interval` written out: the source's word, not checked; every reading is a quarter's use:
        // Σ (48,000 + 0.4 × (i − ⌊i / 10⌋)) over i = 0…192 = 9,270,704.4 kWh.
        try pilot.scratch.write("pipelines/p.yaml", try #require(pilot.scratch.read("pipelines/p.yaml"))
            .replacingOccurrences(of: "kind: cumulative", with: "kind: interval"))
        let interval = try Binary.run(Self.run, in: pilot.scratch.root)
        #expect(interval.status == 0, "\(interval.stderr)")
        #expect(try Self.kpi(pilot, "energy.electricity.offtake_kwh", "reporting").value == 9_270_704.4)
    }

    @Test("a column of 14 meters' registers read as interval values: 3 described in full, 11 counted, 10 named")
    func manyRegistersOneMessage() throws {
        let pilot = try Self.pilot(sources: """
              - path: "*.csv"
                format: generic
                site: s
                columns: { timestamp: "Tijdstip", meter: "Meter" }
                date_format: iso
                values:
                  - { column: "Meterstand (kWh)", quantity: electricity_offtake, unit: kWh }
            """)
        defer { pilot.scratch.remove() }
        // Meter m-NN's register, time by time: reading i of meter m is 1000 × m + 0.4 × (i − ⌊i / 10⌋).
        var text = "Tijdstip;Meter;Meterstand (kWh)\n"
        for (index, line) in Self.registerReadings.split(separator: "\n").dropFirst().enumerated() {
            let stamp = line.split(separator: ";")[0]
            for meter in 1...14 {
                let value = 1000 * Double(meter) + 0.4 * Double(index - index / 10)
                text += "\(stamp);m-\(String(format: "%02d", meter));"
                    + String(format: "%.3f", value).replacingOccurrences(of: ".", with: ",") + "\n"
            }
        }
        try pilot.write("hal3.csv", text)
        let refused = try Binary.run(Self.run, in: pilot.scratch.root)
        #expect(refused.status == 65)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.stderr)")
        let fix = "Fix: add `kind: cumulative` to its value mapping in sources[0]"
        #expect(refused.stderr.components(separatedBy: fix).count - 1 == 3)
        for meter in ["m-01", "m-02", "m-03"] {
            #expect(refused.stderr.contains("column \"Meterstand (kWh)\" (series s/electricity_offtake/\(meter)) is "
                + "read as use per interval but behaves like a running total"), "\(meter)")
        }
        let named = (4...13).map { "s/electricity_offtake/m-\(String(format: "%02d", $0))" }.joined(separator: ", ")
        #expect(refused.stderr.hasSuffix(". 11 more series behave alike and need the same fix: \(named) and 1 other. "
            + "The file is not read until then\n"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("m-14"))
    }

    @Test("sniff proposes kind: cumulative for a register column and says why; interval values stay interval values")
    func sniffProposesCumulative() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("register.csv", Self.registerReadings)
        // What `parkimpact sniff` prints: the warnings (`warning: …`) and the YAML entry.
        let register = try Sniff.sniff(path: scratch.path("register.csv"))
        #expect(register.yamlHint?.contains(
            "      - { column: \"Meterstand (kWh)\", quantity: electricity_offtake, unit: kWh, kind: cumulative, "
                + "meter: \"Meterstand\" }") == true,
                "\(register.yamlHint ?? "")")
        #expect(register.warnings.contains("column \"Meterstand (kWh)\" is a running total (a meter register), so "
            + "`kind: cumulative` is proposed (the differences between readings are the use): in its 193 sampled "
            + "readings it rises or stays equal in 192 of 192 steps between readings (rises in 173); in 173 of the "
            + "173 rises the value is at least 10 times the rise (e.g. 48069.2 kWh after a rise of 0.4 kWh, line 194)"),
                "\(register.warnings)")
        // A title line and a blank line before the header: the example's line is the file's (2 more).
        try scratch.write("titled.csv", "Export hal 3\n\n" + Self.registerReadings)
        let titled = try Sniff.sniff(path: scratch.path("titled.csv"))
        #expect(titled.warnings.contains { $0.hasSuffix("(e.g. 48069.2 kWh after a rise of 0.4 kWh, line 196)") },
                "\(titled.warnings)")
        // The same quarters with the use per quarter: 0.8 kWh on the hour and the half hour, 0.4 kWh between.
        var text = "Tijdstip;Verbruik (kWh)\n"
        for line in Self.registerReadings.split(separator: "\n").dropFirst() {
            let stamp = line.prefix { $0 != ";" }
            text += "\(stamp);\(stamp.hasSuffix("00:00+01:00") || stamp.hasSuffix("30:00+01:00") ? "0,8" : "0,4")\n"
        }
        try scratch.write("interval.csv", text)
        let interval = try Sniff.sniff(path: scratch.path("interval.csv"))
        #expect(interval.yamlHint?.contains(
            "      - { column: \"Verbruik (kWh)\", quantity: electricity_offtake, unit: kWh, meter: \"Verbruik\" }   "
                + "# check: \"verbruik\" in the name → electricity_offtake") == true,
                "\(interval.yamlHint ?? "")")
        #expect(!interval.warnings.contains { $0.contains("running total") })
    }

    /// Monthly readings on the 1st at 00:00, with 17 months between 1 March 2023 and 1 August 2024.
    @Test("a register read monthly with a 17-month gap: the gap's months are estimated and not covered; yearly totals are the readings' differences")
    func seventeenMonthGap() throws {
        let pilot = try Self.pilot(sources: """
              - { path: "*.csv", format: meter-readings, site: s, quantity: electricity_offtake, unit: kWh }
            """)
        defer { pilot.scratch.remove() }
        try pilot.write("standen.csv", """
            Datum;Tijd;Meterstand
            01-01-2023;00:00;10000
            01-02-2023;00:00;10300
            01-03-2023;00:00;10580
            01-08-2024;00:00;15680
            01-09-2024;00:00;15990
            01-10-2024;00:00;16290
            01-11-2024;00:00;16610
            01-12-2024;00:00;16940
            01-01-2025;00:00;17280
            """)
        let outcome = try Binary.run(Self.run, in: pilot.scratch.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // The gap: 5,100 kWh over 1 Mar 2023 – 1 Aug 2024, 519 days less the spring hour of 2024 = 12,455 h; 2023
        // has 306 days of it (7,344 h, both clock changes), 2024 213 days less an hour (5,111 h).
        let base = try Self.kpi(pilot, "energy.electricity.offtake_kwh", "baseline")
        let baseExpected: Double = 580 + 5_100.0 * 7_344 / 12_455
        #expect(base.value == Self.milli(baseExpected))  // 3,587.178
        // Covered: January and February (59 of 365 days); estimated: the 306 gap days of 365 present.
        #expect(base.coverage == 0.161644)  // 59 / 365
        #expect(base.estimated == 0.838356)  // 306 / 365
        #expect(base.flags.contains("low_coverage"))
        let reporting = try Self.kpi(pilot, "energy.electricity.offtake_kwh", "reporting")
        let reportingExpected: Double = 5_100.0 * 5_111 / 12_455 + 1_600  // + Aug … Dec: 310 + 300 + 320 + 330 + 340
        #expect(reporting.value == Self.milli(reportingExpected))  // 3,692.822
        #expect(reporting.coverage == 0.418033)  // August–December: 153 / 366
        #expect(reporting.estimated == 0.581967)  // 213 / 366
        // A month inside the gap: pro-rated, estimated, not covered; a month between monthly readings: measured.
        let june = try Self.kpi(pilot, "energy.electricity.offtake_kwh", "2023-06")
        let juneExpected: Double = 5_100.0 * 720 / 12_455
        #expect(june.value == Self.milli(juneExpected))  // 294.821
        #expect(june.coverage == 0 && june.estimated == 1 && june.flags.contains("low_coverage"))
        let october = try Self.kpi(pilot, "energy.electricity.offtake_kwh", "2024-10")
        #expect(october.value == 320 && october.coverage == 1 && october.estimated == 0 && october.flags.isEmpty)
        #expect(try Self.kpi(pilot, "quality.coverage", "baseline").value == 0.161644)
        #expect(try Self.kpi(pilot, "quality.estimated_share", "baseline").value == 0.838356)
        // The report's data-quality panel says so.
        let report = try #require(pilot.scratch.read("output/p/report.html"))
        let summary = report.components(separatedBy: "<p class=\"summary\">").dropFirst().map {
            String($0.prefix { $0 != "<" }).replacingOccurrences(of: NumberFormatting.noBreakSpace, with: " ")
        }
        #expect(summary.contains("Baseline: coverage 16.2 %, estimated 83.8 % · Reporting: coverage 41.8 %, estimated 58.2 %"),
                "\(summary)")
        #expect(report.contains("Also estimated: the use between two meter readings far apart (more than 31 days, or "
            + "more than 4 times the usual interval), shared over the days in proportion to time; those days do not "
            + "count as covered."))
    }

    /// The same readings through `meter-readings` and through `generic` with `kind: cumulative`.
    static let waterSources = [
        """
          - { path: "*.csv", format: meter-readings, site: s }
        """,
        """
          - path: "*.csv"
            format: generic
            site: s
            columns: { date: "Datum", time: "Tijd" }
            date_format: "dd-MM-yyyy"
            values: [ { column: "Meterstand (m³)", quantity: water, unit: m3, kind: cumulative } ]
        """,
    ]

    @Test("water read by hand 20 months apart: estimated and not covered, the years' totals by time",
          arguments: waterSources)
    func twentyMonthWaterReadings(source: String) throws {
        let pilot = try Self.pilot(sources: source)
        defer { pilot.scratch.remove() }
        try pilot.write("water.csv", """
            Datum;Tijd;Meterstand (m³)
            01-01-2023;00:00;1000,0
            01-09-2024;00:00;1609,0
            """)
        let outcome = try Binary.run(Self.run, in: pilot.scratch.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // One difference (609 m³ over 609 days less the spring hour of 2024: 14,615 h), so it is its own usual
        // interval: only "longer than 31 days" makes it a gap. 2023 gets 8,760 h of it, 2024 5,855 h.
        let base = try Self.kpi(pilot, "water.m3", "baseline")
        let baseExpected: Double = 609.0 * 8_760 / 14_615
        #expect(base.value == Self.milli(baseExpected))  // 365.025 m³
        #expect(base.coverage == 0 && base.estimated == 1 && base.flags.contains("low_coverage"))
        let reporting = try Self.kpi(pilot, "water.m3", "reporting")
        let reportingExpected: Double = 609.0 * 5_855 / 14_615
        #expect(reporting.value == Self.milli(reportingExpected))  // 243.975 m³
        #expect(reporting.coverage == 0 && reporting.estimated == 1)
        let march = try Self.kpi(pilot, "water.m3", "2024-03")
        let marchExpected: Double = 609.0 * 743 / 14_615  // 31 days less the spring hour
        #expect(march.value == Self.milli(marchExpected))  // 30.96 m³
        #expect(march.coverage == 0 && march.estimated == 1 && march.flags.contains("low_coverage"))
    }
}
