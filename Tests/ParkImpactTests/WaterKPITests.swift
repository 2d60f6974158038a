import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Water KPIs on a three-site pilot small enough to work out by hand. Every expected value below is computed in the
/// comments from the fixture rows, never by ParkImpact's code.
///
/// Periods: baseline 2023 (365 days), reporting 2024 (366 days, leap year). Quarter indices q = 0…95 count from
/// 00:00 local; the night window 01:00–05:00 is q = 4…19 (16 quarters), the working day 07:00–18:45 is q = 28…75
/// (48 quarters).
///
/// Site `a` (fte 20, floor_area_m2 1000): 15-minute interval values in litres (`generic`), two meters.
/// - `hal1`, 2023-03-14 and 2023-03-15: 25 l in each working-day quarter, 0 l otherwise (no leak).
///   Per day 48 × 25 = 1,200 l; baseline 2 × 1,200 = 2,400 l = **2.4 m³**. Night minimum 0 m³/h on both nights.
/// - `hal1`, 2024-03-12: 4 l every quarter (a leak of 16 l/h) + 25 l more in working-day quarters (29 l), except the
///   03:00 quarter (q = 12): 3 l. Sum: 48 × 29 + 47 × 4 + 3 = 1,392 + 188 + 3 = 1,583 l.
///   Night minimum 3 l per quarter = 12 l/h = 0.012 m³/h.
/// - `hal1`, 2024-03-13: as above without the 3 l quarter: 1,392 + 48 × 4 = 1,584 l. Night minimum 4 l/15 min =
///   0.016 m³/h.
/// - `hal2` (installed 2024-03-12): 2 l every quarter = 8 l/h = 0.008 m³/h; on 2024-03-13 its night quarters
///   (q = 4…19) are empty cells (missing). Sums: 96 × 2 = 192 l and 80 × 2 = 160 l.
/// - Reporting: 1,583 + 1,584 + 192 + 160 = 3,519 l = **3.519 m³**.
/// - Night of 2024-03-12: 0.012 + 0.008 = **0.020 m³/h**. Night of 2024-03-13 does not count (hal2 has no night
///   data), so the naive 0.016 m³/h of hal1 alone is not the answer.
///
/// Site `b` (fte 10, no floor area): cumulative m³ register (`meter-readings`) read at local midnight, one file per
/// year: 100 → 130 from 2023-06-01 to 2023-07-01 (**30 m³** over June 2023), 500 → 524 from 2024-06-01 to
/// 2024-07-01 (**24 m³** over June 2024). Daily series: no night minimum.
///
/// Site `c` (fte 5, floor_area_m2 200): no water source.
@Suite struct WaterKPITests {
    static let yaml = """
        pilot: water
        name: "Water pilot"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: "A NV", fte: 20, floor_area_m2: 1000 }
          - { id: b, name: "B BV", fte: 10 }
          - { id: c, name: "C CV", fte: 5, floor_area_m2: 200 }
        sources:
          - path: "a/2023*.csv"
            format: generic
            site: a
            columns: { timestamp: "Tijdstip" }
            date_format: "yyyy-MM-dd HH:mm"
            values:
              - { column: "Hal 1 (l)", quantity: water, unit: l, meter: hal1 }
          - path: "a/2024*.csv"
            format: generic
            site: a
            columns: { timestamp: "Tijdstip" }
            date_format: "yyyy-MM-dd HH:mm"
            values:
              - { column: "Hal 1 (l)", quantity: water, unit: l, meter: hal1 }
              - { column: "Hal 2 (l)", quantity: water, unit: l, meter: hal2 }
          - { path: "b/*.csv", format: meter-readings, site: b, quantity: water, unit: m3 }
        """

    static let nightQuarters = 4...19
    static let workingQuarters = 28...75

    /// One local day of 96 quarter-hour rows: `yyyy-MM-dd HH:mm;<value per column>`.
    static func day(_ date: String, _ columns: [(Int) -> String]) -> String {
        (0..<96).map { q in
            let time = String(format: "%02d:%02d", q / 4, q % 4 * 15)
            return ([date + " " + time] + columns.map { $0(q) }).joined(separator: ";")
        }.joined(separator: "\n")
    }

    static var a2023: String {
        let hal1: (Int) -> String = { workingQuarters.contains($0) ? "25" : "0" }
        return "Tijdstip;Hal 1 (l)\n" + day("2023-03-14", [hal1]) + "\n" + day("2023-03-15", [hal1]) + "\n"
    }

    static var a2024: String {
        let leak: (Int) -> String = { workingQuarters.contains($0) ? "29" : "4" }
        let first: (Int) -> String = { $0 == 12 ? "3" : leak($0) }
        let hal2: (Int) -> String = { _ in "2" }
        let hal2NightMissing: (Int) -> String = { nightQuarters.contains($0) ? "" : "2" }
        return "Tijdstip;Hal 1 (l);Hal 2 (l)\n" + day("2024-03-12", [first, hal2]) + "\n"
            + day("2024-03-13", [leak, hal2NightMissing]) + "\n"
    }

    static let b2023 = """
        Datum;Tijd;Meterstand
        01-06-2023;00:00;100
        01-07-2023;00:00;130

        """

    static let b2024 = """
        Datum;Tijd;Meterstand
        01-06-2024;00:00;500
        01-07-2024;00:00;524

        """

    let report: PilotReport

    init() throws {
        report = try runPilot("water", yaml: Self.yaml, files: ["a/2023.csv": Self.a2023, "a/2024.csv": Self.a2024, "b/2023.csv": Self.b2023, "b/2024.csv": Self.b2024])
    }

    func kpi(_ key: String, _ period: String, _ site: String? = nil) throws -> KPI {
        try #require(report.kpi(key, period: period, site: site), "\(key) \(period) \(site ?? "pilot")")
    }

    func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
        report.kpi(key, period: period, site: site)?.value
    }


    @Test func theFixtureIsReadWithoutRejects() {
        #expect(report.rejects.isEmpty)
        #expect(report.files.allSatisfy { $0.problem == nil })
    }

    @Test func cubicMetresPerSiteAndPilot() {
        #expect(close(value("water.m3", "reporting", "a"), 3.519))
        #expect(close(value("water.m3", "baseline", "a"), 2.4))
        #expect(close(value("water.m3", "reporting", "b"), 24))
        #expect(close(value("water.m3", "baseline", "b"), 30))
        #expect(close(value("water.m3", "reporting"), 27.519))  // 3.519 + 24
        #expect(close(value("water.m3", "baseline"), 32.4))  // 2.4 + 30
        // Year and month periods.
        #expect(close(value("water.m3", "2024", "a"), 3.519))
        #expect(close(value("water.m3", "2024-03", "a"), 3.519))
        #expect(close(value("water.m3", "2024-03"), 3.519))
        #expect(close(value("water.m3", "2023-06", "b"), 30))
        #expect(close(value("water.m3", "2024-06"), 24))
    }

    @Test func coverageAndTheLowCoverageFlag() throws {
        // March 2024 local: 31 days, 31 March has 23 hours (spring clock change) → 743 h = 2,972 quarters per meter.
        // Present: hal1 2 × 96 = 192, hal2 96 + 80 = 176 → 368 of 2 × 2,972 = 5,944.
        let march = try kpi("water.m3", "2024-03", "a")
        #expect(close(march.coverage, 368.0 / 5944))
        #expect(march.flags == [.lowCoverage])
        #expect(march.provenance.inputs == ["water/a/2024.csv"])
        // June 2023 at b: a daily series, 30 of 30 days present.
        let june = try kpi("water.m3", "2023-06", "b")
        #expect(close(june.coverage, 1))
        #expect(june.flags.isEmpty)
    }

    @Test func nullsWithTheirReasons() throws {
        let c = try kpi("water.m3", "reporting", "c")
        #expect(c.value == nil)
        #expect(c.provenance.reason == "no source delivers water for site c")
        // b has a water source but nothing in March 2024: 0 of 31 daily intervals.
        let b = try kpi("water.m3", "2024-03", "b")
        #expect(b.value == nil)
        #expect(b.provenance.reason == "no water data in this period (0 of 31 expected intervals)")
        // a in June 2024: two 15-minute meters × 30 days × 96 quarters = 5,760 expected.
        #expect(try kpi("water.m3", "2024-06", "a").provenance.reason
            == "no water data in this period (0 of 5760 expected intervals)")
    }

    @Test func perFTEAndPerSquareMetre() throws {
        #expect(close(value("water.m3_per_fte", "reporting", "a"), 3.519 / 20))  // 0.17595
        #expect(close(value("water.m3_per_fte", "reporting", "b"), 24.0 / 10))  // 2.4
        #expect(close(value("water.m3_per_m2", "reporting", "a"), 3.519 / 1000))  // 0.003519
        // Pilot: Σ m³ ÷ Σ fte of the sites with water data in the period: a and b (c has none): 27.519 ÷ 30.
        let pilot = try kpi("water.m3_per_fte", "reporting")
        #expect(close(pilot.value, 27.519 / 30))  // 0.9173
        #expect(pilot.unit == .m3PerFTE)
        #expect(pilot.provenance.formula.contains("sites with water data in the period (a, b)"))
        // March 2024: b has a water source but no data, June 2024 the same for a: the pilot's ratio would quietly be
        // another site's alone, so it is null naming the missing site (code part_without_data).
        #expect(value("water.m3_per_fte", "2024-03") == nil)
        #expect(try kpi("water.m3_per_m2", "2024-03").provenance.reason
            == "water of site b has a source but no data in this period")
        #expect(try kpi("water.m3_per_fte", "2024-06").provenance.reason
            == "water of site a has a source but no data in this period")
    }

    @Test func intensityNullsNameTheMissingValue() throws {
        let b = try kpi("water.m3_per_m2", "reporting", "b")
        #expect(b.value == nil)
        #expect(b.provenance.reason == "no floor_area_m2 for site b in the pipeline definition")
        // The pilot total needs b's floor area too, since b has water data in 2024 …
        let pilot = try kpi("water.m3_per_m2", "reporting")
        #expect(pilot.value == nil)
        #expect(pilot.provenance.reason
            == "no floor_area_m2 for site b (which has water data in this period) in the pipeline definition")
        // c has an fte but no water: the ratio is null for the water's reason.
        #expect(try kpi("water.m3_per_fte", "reporting", "c").provenance.reason == "no source delivers water for site c")
    }

    @Test func changeVersusBaseline() throws {
        // Per day: 2024 has 366 days, 2023 has 365.
        func perDay(_ now: Double, _ before: Double) -> Double { (now / 366 - before / 365) / (before / 365) * 100 }
        #expect(close(value("water.change_vs_baseline_pct", "reporting", "a"), perDay(3.519, 2.4)))  // +46.2244…
        #expect(close(value("water.change_vs_baseline_pct", "reporting", "b"), perDay(24, 30)))  // −20.2186…
        #expect(close(value("water.change_vs_baseline_pct", "reporting"), perDay(27.519, 32.4)))  // −15.2969…
        #expect(try kpi("water.change_vs_baseline_pct", "reporting", "c").provenance.reason
            == "no source delivers water for site c")
        // Only for the reporting period.
        #expect(report.kpi("water.change_vs_baseline_pct", period: "baseline") == nil)
        #expect(report.kpi("water.change_vs_baseline_pct", period: "2024", site: "a") == nil)
        // Coverage is the lower side: b has 30 of 365 days in 2023 and 30 of 366 in 2024 → 30/366.
        let b = try kpi("water.change_vs_baseline_pct", "reporting", "b")
        #expect(close(b.coverage, 30.0 / 366))
        #expect(b.flags == [.lowCoverage])
        #expect(b.provenance.inputs == ["water/b/2023.csv", "water/b/2024.csv"])
    }

    @Test func nightMinimumFlowShowsTheLeak() throws {
        // 2024: only the night of 12 March counts (hal2's night of 13 March is missing): 0.012 + 0.008 m³/h.
        let reporting = try kpi("water.night_min_flow_m3h", "reporting", "a")
        #expect(close(reporting.value, 0.020))
        #expect(reporting.unit == .m3PerHour)
        #expect(close(reporting.coverage, 1.0 / 366))
        #expect(reporting.flags == [.lowCoverage])
        #expect(close(value("water.night_min_flow_m3h", "2024-03", "a"), 0.020))
        #expect(close(try kpi("water.night_min_flow_m3h", "2024-03", "a").coverage, 1.0 / 31))
        // 2023: no leak, 0 m³/h on both nights (hal2 was not installed yet, so it does not void them): 2 of 365.
        let baseline = try kpi("water.night_min_flow_m3h", "baseline", "a")
        #expect(baseline.value == 0)
        #expect(close(baseline.coverage, 2.0 / 365))
        #expect(value("water.night_min_flow_m3h", "2023-03", "a") == 0)
    }

    @Test func nightMinimumFlowNulls() throws {
        #expect(try kpi("water.night_min_flow_m3h", "reporting").provenance.reason
            == "a leak indicator per site: see each site's value (minima from different sites and nights do not add up "
            + "to a flow of the park)")
        #expect(try kpi("water.night_min_flow_m3h", "reporting", "b").provenance.reason
            == "no water meter of site b has intervals of an hour or less: the night minimum needs them")
        #expect(try kpi("water.night_min_flow_m3h", "reporting", "c").provenance.reason
            == "no source delivers water for site c")
        let june = try kpi("water.night_min_flow_m3h", "2024-06", "a")
        #expect(june.value == nil)
        #expect(june.provenance.reason == "no night in this period with data from 01:00 to 05:00 local time from every "
            + "water meter of site a with intervals of an hour or less")
    }

    @Test func aPilotWithoutWasteHasNoWasteRows() {
        #expect(!report.kpis.contains { $0.key.hasPrefix("waste.") })
        #expect(report.kpis.contains { $0.key == "water.m3" && $0.period == "2023-07" && $0.site == "c" })
    }
}

/// The night minimum flow sums a site's meters per interval and counts complete nights only.
///
/// Site `a`, two 15-minute meters (litres), night rows only (quarters q = 4…19 are 01:00–04:45 local):
/// - 2024-03-12: hal1 4 l each quarter except q = 5: 1 l; hal2 3 l each quarter except q = 10: 1 l. Per quarter the
///   site uses 7 l, except q = 5: 1 + 3 = 4 l and q = 10: 4 + 1 = 5 l. Lowest: 4 l per 15 min = 16 l/h =
///   **0.016 m³/h**. (Adding each meter's own minimum, 1 + 1 = 2 l = 0.008 m³/h, would understate it.)
/// - 2024-03-13: both 0 l, but hal1's q = 8 is empty (missing): the night is incomplete and must not give 0.
/// - 2024-03-14: both 0 l from 02:00 only (q = 8…19): the window is not covered from 01:00, incomplete.
@Suite struct NightFlowPerIntervalTests {
    static func csv() -> String {
        var lines = ["Tijdstip;Hal 1 (l);Hal 2 (l)"]
        func time(_ day: Int, _ quarter: Int) -> String {
            "2024-03-\(day) " + String(format: "%02d:%02d", quarter / 4, quarter % 4 * 15)
        }
        for q in 4...19 { lines.append("\(time(12, q));\(q == 5 ? 1 : 4);\(q == 10 ? 1 : 3)") }
        for q in 4...19 { lines.append("\(time(13, q));\(q == 8 ? "" : "0");0") }
        for q in 8...19 { lines.append("\(time(14, q));0;0") }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func theSitesFlowIsSummedPerIntervalOverCompleteNights() throws {
        let report = try runPilot("night", yaml: """
            pilot: night
            name: "Night"
            language: en
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: a, name: "A" }
            sources:
              - path: "*.csv"
                format: generic
                site: a
                columns: { timestamp: "Tijdstip" }
                date_format: "yyyy-MM-dd HH:mm"
                values:
                  - { column: "Hal 1 (l)", quantity: water, unit: l, meter: hal1 }
                  - { column: "Hal 2 (l)", quantity: water, unit: l, meter: hal2 }
            """, files: ["water.csv": Self.csv()])
        #expect(report.rejects.isEmpty, "\(report.rejects.map(\.reason))")
        let reporting = try #require(report.kpi("water.night_min_flow_m3h", period: "reporting", site: "a"))
        #expect(close(reporting.value, 0.016))
        #expect(close(reporting.coverage, 1.0 / 366))  // one complete night of 366
        let march = try #require(report.kpi("water.night_min_flow_m3h", period: "2024-03", site: "a"))
        #expect(close(march.value, 0.016))
        #expect(close(march.coverage, 1.0 / 31))
    }
}
