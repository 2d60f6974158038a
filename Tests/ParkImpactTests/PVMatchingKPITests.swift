import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A PV pilot small enough to compute every PV and ESRS KPI by hand (all expected values below are worked out in
/// these comments from the input rows, not by the code under test). Monday 2024-06-10, local summer time (+02:00).
///
/// Site `p` (grey contract): SMA 5-minute export (cumulative Wh) 12:00–13:00 local, 15-minute grid (parkimpact-long).
///
///   quarter  production (5-min Wh)      P    injection     offtake   matched?             self-consumed
///   11:45    — (before the PV start)    —    0             0.6       pre-PV: O counts     —
///   12:00    1000 + 1200 + 1300        3.5   1.5           0.2       yes                  min(max(3.5−1.5,0),3.5) = 2.0
///   12:15    1100 + 1100 + 1000        3.2   3.6 (est.)    0.4       yes                  min(max(3.2−3.6,0),3.2) = 0 (clamped)
///   12:30     900 +  900 +  900        2.7   missing       0.3       no (injection)       —
///   12:45     800 +  700 +  600        2.1   0.1           0.5       yes                  min(max(2.1−0.1,0),2.1) = 2.0
///   13:00    — (after the PV data)      —    0             0.7       no (production)      —
///
///   B = max(5 min, 15 min) = 15 min. PV production = 3.5+3.2+2.7+2.1 = 11.5 kWh. Self-consumed = 4.0 kWh over the
///   matched quarters; their production 3.5+3.2+2.1 = 8.8 kWh; their offtake 0.2+0.4+0.5 = 1.1 kWh, plus the
///   pre-PV quarter's 0.6 (consumption without PV) = 1.7 kWh. Offtake (all) 0.6+0.2+0.4+0.3+0.5+0.7 = 2.7 kWh;
///   injection 1.5+3.6+0.1 = 5.2 kWh.
///   self-consumption ratio = 4.0 / 8.8; self-sufficiency = 4.0 / (1.7 + 4.0) = 4.0 / 5.7;
///   consumption = offtake + self-consumed = 2.7 + 4.0 = 6.7 kWh.
///
/// Site `s` (green contract): Sungrow daily report (PV only), grid in 6-hour rows → B = one local day.
///
///   day     PV    offtake (6-hourly)   injection (6-hourly)   matched?           self-consumed
///   06-10   40    5+3+2+6 = 16         0+4+8+0 = 12           yes                min(max(40−12,0),40) = 28
///   06-11   30    5+4+3+6 = 18         0+2+6+0 = 8            yes                30 − 8 = 22
///   06-12   25    5+4+3+6 = 18         0+1+missing+0          no (injection)     —
///
///   PV production 95; self-consumed 50; matched production 70; matched offtake 34; offtake 52; injection 21.
///   ratio = 50 / 70; self-sufficiency = 50 / (34 + 50) = 50 / 84; consumption = 52 + 50 = 102.
///
/// Site `n` (grey, no PV): offtake 100 kWh and gas 200 kWh on 06-10 (daily rows); monthly peak registers 42 kW (June)
/// and 55 kW (July).
///
/// Pilot total (June, 2024 and reporting are the same: there are no other data):
///   PV production 11.5 + 95 = 106.5; self-consumed 4 + 50 = 54; offtake 2.7 + 52 + 100 = 154.7;
///   consumption = 154.7 + 54 = 208.7; self-consumption ratio = 54 / (8.8 + 70) = 54 / 78.8;
///   self-sufficiency = 54 / (1.7 + 34 + 54 + 100 (n has no PV: its offtake)) = 54 / 189.7;
///   total = (154.7 + 200 + 54) / 1000 = 0.4087 MWh; fossil = 200 / 1000 = 0.2 MWh;
///   renewable = (52 (s: green contract) + 54) / 1000 = 0.106 MWh; share = 106 / 408.7;
///   avoided CO2 = 54 kWh × 0.155 kg/kWh (electricity.location 2024) / 1000 = 0.00837 t (site p: 4 × 0.155 / 1000
///   = 0.00062 t).
/// Coverage of self-consumed in June, counted from the PV data's first day (06-10), 21 days:
///   p: 3 matched of 21 × 96 = 2016 quarters; s: 2 matched of 21 days; pilot: 5 of 2037.
@Suite struct PVMatchingKPITests {
    static let yaml = """
        pilot: pv
        name: "PV pilot"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: p, name: "P NV", electricity_contract: grey }
          - { id: s, name: "S BV", electricity_contract: green }
          - { id: n, name: "N NV", electricity_contract: grey }
        sources:
          - { path: "grid/*.csv", format: parkimpact-long }
          - { path: "sma/*.csv", format: sma, site: p, quantity: pv_production }
          - { path: "sungrow/*.csv", format: sungrow, site: s, quantity: pv_production }
        """

    /// SMA WebUI CSV3, 5-minute, `Metering.TotWhOut` in Wh (cumulative).
    static let sma = """
        \u{FEFF}sep=,
        Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma

        ,STP8.0-3AV-40 622
        ,SUNNY TRIPOWER 8.0
        ,3001234622
        ,Metering.TotWhOut
        ,Analog
        DD.MM.YYYY hh:mm:ss,[Wh]
        10.06.2024 12:00:00,1000000
        10.06.2024 12:05:00,1001000
        10.06.2024 12:10:00,1002200
        10.06.2024 12:15:00,1003500
        10.06.2024 12:20:00,1004600
        10.06.2024 12:25:00,1005700
        10.06.2024 12:30:00,1006700
        10.06.2024 12:35:00,1007600
        10.06.2024 12:40:00,1008500
        10.06.2024 12:45:00,1009400
        10.06.2024 12:50:00,1010200
        10.06.2024 12:55:00,1010900
        10.06.2024 13:00:00,1011500

        """

    static let sungrow = """
        Time,PV(kWh),Purchased Energy(kWh),Feed-in(kWh),Load(kWh)
        2024-06-10,40,16,12,44
        2024-06-11,30,18,8,40
        2024-06-12,25,18,,

        """

    static let grid: String = {
        var rows = ["timestamp,site,series,quantity,value,unit,quality,end"]
        func quarter(_ start: String, _ end: String, offtake: String, injection: String, injectionQuality: String) {
            rows.append("2024-06-10T\(start):00+02:00,p,ean-p,electricity_offtake,\(offtake),kWh,measured,"
                + "2024-06-10T\(end):00+02:00")
            rows.append("2024-06-10T\(start):00+02:00,p,ean-p-inj,electricity_injection,\(injection),kWh,"
                + "\(injectionQuality),2024-06-10T\(end):00+02:00")
        }
        quarter("11:45", "12:00", offtake: "0.6", injection: "0", injectionQuality: "measured")
        quarter("12:00", "12:15", offtake: "0.2", injection: "1.5", injectionQuality: "measured")
        quarter("12:15", "12:30", offtake: "0.4", injection: "3.6", injectionQuality: "estimated")
        quarter("12:30", "12:45", offtake: "0.3", injection: "", injectionQuality: "missing")
        quarter("12:45", "13:00", offtake: "0.5", injection: "0.1", injectionQuality: "measured")
        quarter("13:00", "13:15", offtake: "0.7", injection: "0", injectionQuality: "measured")
        let hours = ["00", "06", "12", "18"]
        let days: [(day: String, next: String, offtake: [String], injection: [String])] = [
            ("10", "11", ["5", "3", "2", "6"], ["0", "4", "8", "0"]),
            ("11", "12", ["5", "4", "3", "6"], ["0", "2", "6", "0"]),
            ("12", "13", ["5", "4", "3", "6"], ["0", "1", "", "0"]),
        ]
        for day in days {
            for (index, hour) in hours.enumerated() {
                let end = index == 3 ? "2024-06-\(day.next)T00:00:00+02:00" : "2024-06-\(day.day)T\(hours[index + 1]):00:00+02:00"
                let start = "2024-06-\(day.day)T\(hour):00:00+02:00"
                rows.append("\(start),s,ean-s,electricity_offtake,\(day.offtake[index]),kWh,measured,\(end)")
                let missing = day.injection[index].isEmpty
                rows.append("\(start),s,ean-s-inj,electricity_injection,\(day.injection[index]),kWh,"
                    + "\(missing ? "missing" : "measured"),\(end)")
            }
        }
        rows.append("2024-06-10T00:00:00+02:00,n,ean-n,electricity_offtake,100,kWh,measured,2024-06-11T00:00:00+02:00")
        rows.append("2024-06-10T00:00:00+02:00,n,gas-n,gas,200,kWh,measured,2024-06-11T00:00:00+02:00")
        rows.append("2024-06-01T00:00:00+02:00,n,ean-n,electricity_peak,42,kW,measured,2024-07-01T00:00:00+02:00")
        rows.append("2024-07-01T00:00:00+02:00,n,ean-n,electricity_peak,55,kW,measured,2024-08-01T00:00:00+02:00")
        return rows.joined(separator: "\n") + "\n"
    }()

    let report: PilotReport

    init() throws {
        report = try runPilot("pv", yaml: Self.yaml, files: ["grid/grid.csv": Self.grid, "sma/inverter.csv": Self.sma, "sungrow/plant.csv": Self.sungrow])
    }

    func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
        report.kpi(key, period: period, site: site)?.value
    }


    @Test func inputsAreReadWithoutRejects() {
        #expect(report.rejects.isEmpty, "\(report.rejects.map(\.reason))")
        #expect(close(value("energy.electricity.offtake_kwh", "2024-06", "p"), 2.7))
        #expect(close(value("energy.electricity.injection_kwh", "2024-06", "p"), 5.2))
        #expect(close(value("energy.electricity.injection_kwh", "2024-06", "s"), 21))
    }

    @Test func quarterHourSiteWithFiveMinuteProduction() {
        for period in ["2024-06", "2024", "reporting"] {
            #expect(close(value("energy.electricity.pv_production_kwh", period, "p"), 11.5), "\(period)")
            #expect(close(value("energy.electricity.self_consumed_kwh", period, "p"), 4.0), "\(period)")
            #expect(close(value("energy.electricity.consumption_kwh", period, "p"), 6.7), "\(period)")
            #expect(close(value("energy.pv.self_consumption_ratio", period, "p"), 4.0 / 8.8), "\(period)")
            #expect(close(value("energy.pv.self_sufficiency_ratio", period, "p"), 4.0 / 5.7), "\(period)")
        }
    }

    @Test func sungrowDailySiteMatchesWholeDays() {
        #expect(close(value("energy.electricity.pv_production_kwh", "2024-06", "s"), 95))
        #expect(close(value("energy.electricity.self_consumed_kwh", "2024-06", "s"), 50))
        #expect(close(value("energy.electricity.consumption_kwh", "2024-06", "s"), 102))
        #expect(close(value("energy.pv.self_consumption_ratio", "2024-06", "s"), 50.0 / 70))
        #expect(close(value("energy.pv.self_sufficiency_ratio", "2024-06", "s"), 50.0 / 84))
        let kpi = report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06", site: "s")
        #expect(kpi?.provenance.formula.contains("s 1 local day") == true)
        let quarter = report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06", site: "p")
        #expect(quarter?.provenance.formula.contains("p 15 min") == true)
    }

    @Test func unmatchedIntervalsLowerTheCoverage() throws {
        let p = try #require(report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06", site: "p"))
        #expect(close(p.coverage, 3.0 / 2016))
        #expect(p.flags == [.lowCoverage])
        let s = try #require(report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06", site: "s"))
        #expect(close(s.coverage, 2.0 / 21))
        let total = try #require(report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06"))
        #expect(close(total.coverage, 5.0 / 2037))
        #expect(total.provenance.inputs == ["pv/grid/grid.csv", "pv/sma/inverter.csv", "pv/sungrow/plant.csv"])
    }

    @Test func pilotTotals() {
        #expect(close(value("energy.electricity.pv_production_kwh", "2024"), 106.5))
        #expect(close(value("energy.electricity.self_consumed_kwh", "2024"), 54))
        #expect(close(value("energy.electricity.consumption_kwh", "2024"), 208.7))
        #expect(close(value("energy.pv.self_consumption_ratio", "2024"), 54 / 78.8))
        #expect(close(value("energy.pv.self_sufficiency_ratio", "2024"), 54 / 189.7))
        #expect(close(value("co2.avoided_pv_t", "2024"), 0.00837))
        #expect(close(value("co2.avoided_pv_t", "2024", "p"), 0.00062))
    }

    @Test func esrsEnergyMix() {
        #expect(close(value("energy.total_mwh", "reporting"), 0.4087))
        #expect(close(value("energy.fossil_mwh", "reporting"), 0.2))
        #expect(close(value("energy.renewable_mwh", "reporting"), 0.106))
        #expect(close(value("energy.renewable_share", "reporting"), 106 / 408.7))
        // Per site: s = (52 + 50) / 1000 all renewable (green contract + PV); p = (2.7 + 4) / 1000, renewable 4.
        #expect(close(value("energy.total_mwh", "reporting", "s"), 0.102))
        #expect(close(value("energy.renewable_share", "reporting", "s"), 1))
        #expect(close(value("energy.renewable_mwh", "reporting", "p"), 0.004))
        #expect(close(value("energy.fossil_mwh", "reporting", "p"), 0))
        // n: 100 kWh grey offtake + 200 kWh gas.
        #expect(close(value("energy.total_mwh", "reporting", "n"), 0.3))
        #expect(close(value("energy.renewable_share", "reporting", "n"), 0))
    }

    @Test func sitesWithoutPVAndPeriodsBeforeIt() throws {
        let n = try #require(report.kpi("energy.pv.self_consumption_ratio", period: "reporting", site: "n"))
        #expect(n.value == nil)
        #expect(n.provenance.reason == "no source delivers PV production for site n")
        #expect(close(value("energy.electricity.consumption_kwh", "reporting", "n"), 100))  // offtake alone
        let before = try #require(report.kpi("energy.electricity.pv_production_kwh", period: "2024-05", site: "p"))
        #expect(before.value == nil)
        #expect(before.provenance.reason == "no PV production data in this period: the data start on 2024-06-10")
        // Before the PV: the ESRS total is there and counts no PV (n's and p's only data are in June: null here).
        #expect(report.kpi("energy.total_mwh", period: "baseline")?.value == nil)
    }

    @Test func peakPowerIsTheHighestRegister() throws {
        #expect(close(value("energy.electricity.peak_kw", "2024-06", "n"), 42))
        #expect(close(value("energy.electricity.peak_kw", "2024", "n"), 55))
        #expect(close(value("energy.electricity.peak_kw", "2024"), 55))
        let p = try #require(report.kpi("energy.electricity.peak_kw", period: "2024", site: "p"))
        #expect(p.value == nil)
        #expect(p.provenance.reason == "no source delivers a peak power register for site p")
    }

    @Test func derivedSeriesDoNotCountInDataQuality() throws {
        // quality.coverage counts the measured series only; the derived PV series are not added a second time.
        let coverage = try #require(report.kpi("quality.coverage", period: "2024-06", site: "s"))
        // s in June: offtake 12 rows of 6 h, injection 11 present of 12 (expected 30 days × 4 = 120 each); PV 3 days
        // present of 21 expected (from its first day).
        #expect(close(coverage.value, Double(12 + 11 + 3) / Double(120 + 120 + 21)))
    }
}

/// The matching rules on hand-made readings, without files.
@Suite struct PVMatchingRuleTests {
    let table = LocalTimeTable.cached("Europe/Brussels")!
    /// 2024-06-10 10:00 UTC (12:00 local), a quarter-hour boundary.
    let t0 = utc("2024-06-10T10:00Z")

    func series(_ site: String, _ quantity: Quantity, _ meter: String, _ readings: [IntervalReading]) -> SeriesData {
        var days: [Int: DayCell] = [:]
        for reading in readings {
            days[table.localDay(ofUTC: reading.startUTC), default: DayCell()].add(value: reading.value,
                                                                                 quality: reading.quality)
        }
        return SeriesData(key: SeriesKey(site: site, quantity: quantity, meter: meter), intervalSeconds: 0, days: DayCells(days),
                          inputs: [InputSpan(file: meter, firstDay: 0, lastDay: 0)], readings: IntervalReadings(readings))
    }

    func reading(_ offset: Int64, _ seconds: Int32, _ value: Double, _ quality: Quality = .measured) -> IntervalReading {
        IntervalReading(startUTC: t0 + offset, seconds: seconds, quality: quality, value: value)
    }

    func cells(_ derived: [SeriesData], _ quantity: Quantity) -> DayCell {
        derived.first { $0.key.quantity == quantity }!.days.values.reduce(into: DayCell()) { $0.merge($1) }
    }

    @Test func aReadingAcrossABucketBoundaryLeavesBothBucketsUnmatched() {
        // 5-minute production, except one 10-minute reading 12:10–12:20 across the 12:15 boundary (a gap the SMA
        // reader could not split): both quarters unmatched; 12:30–12:45 matched: 3 × 1 − 0.5 = 2.5.
        let production = series("p", .pvProduction, "inv", [
            reading(0, 300, 1), reading(300, 300, 1), reading(600, 600, 2), reading(1200, 300, 1),
            reading(1800, 300, 1), reading(2100, 300, 1), reading(2400, 300, 1),
        ])
        let injection = series("p", .electricityInjection, "ean", [
            reading(0, 900, 0.5), reading(900, 900, 0.5), reading(1800, 900, 0.5),
        ])
        let derived = PVMatching.derive([production, injection], table: table)
        let selfConsumed = cells(derived, .electricitySelfConsumed)
        #expect(selfConsumed.present == 1)
        #expect(selfConsumed.missing == 2)
        #expect(abs(selfConsumed.sum - 2.5) < 1e-12)
        #expect(derived.first?.intervalSeconds == 900)
        #expect(!derived.contains { $0.key.quantity == .electricityOfftakeMatched })  // no offtake series
    }

    @Test func aSecondInverterCountsOnlyWithinItsSpan() {
        // Inverter b starts at 12:15: in 12:00–12:15 only a counts (2); in 12:15–12:30 both (2 + 1); 12:30–12:45 b
        // has a hole (no reading) inside its span: unmatched.
        let a = series("p", .pvProduction, "a", [reading(0, 900, 2), reading(900, 900, 2), reading(1800, 900, 2)])
        let b = series("p", .pvProduction, "b", [reading(900, 900, 1), reading(2700, 900, 1)])
        let injection = series("p", .electricityInjection, "ean", [
            reading(0, 900, 0), reading(900, 900, 0), reading(1800, 900, 0), reading(2700, 900, 0),
        ])
        let derived = PVMatching.derive([a, b, injection], table: table)
        let produced = cells(derived, .pvProductionMatched)
        // 12:45–13:00: a has no reading after 12:45 (its span ended): only b counts (1).
        #expect(produced.present == 3)
        #expect(produced.missing == 1)
        #expect(abs(produced.sum - (2 + 3 + 1)) < 1e-12)
    }

    @Test func aPVOnlySiteBeforeCommissioningHasNoCoverageToShow() throws {
        // s1 has only a PV series, starting 2023-06-01 (daily, 10 kWh): in 2022 nothing was expected.
        let first = CivilDate(year: 2023, month: 6, day: 1)!.dayNumber
        var days: [Int: DayCell] = [:]
        days[first, default: DayCell()].add(value: 10, quality: .measured)
        let pv = SeriesData(key: SeriesKey(site: "s1", quantity: .pvProduction, meter: "inv"), intervalSeconds: 86_400,
                            days: DayCells(days), inputs: [InputSpan(file: "pv.csv", firstDay: first, lastDay: first)])
        let engine = KPIEngine(definition: try definition(format: .sma), series: [pv], rejects: [], catalogue: .builtIn)
        let kpis = engine.compute()
        let coverage2022 = try #require(kpis.first { $0.key == "quality.coverage" && $0.period == "2022" && $0.site == nil })
        #expect(coverage2022.value == nil)
        #expect(coverage2022.provenance.reason == "no series of the scope has started yet: the data start on 2023-06-01")
        // 2023: 1 present day of 214 expected (June–December), not of 365.
        let coverage2023 = try #require(kpis.first { $0.key == "quality.coverage" && $0.period == "2023" && $0.site == nil })
        #expect(coverage2023.value.map { abs($0 - 1.0 / 214) < 1e-12 } == true)
    }

    @Test func derivedQuantitiesAreNotInputs() throws {
        #expect(Quantity(inputName: "electricity_self_consumed") == nil)
        #expect(Quantity(inputName: "pv_production") == .pvProduction)
        #expect(!Quantity.inputCases.contains(.pvProductionMatched))
        #expect(throws: (any Error).self) {
            try DefinitionLoader.parse(yaml: """
                pilot: test
                name: Test
                periods:
                  baseline: { from: 2023-01-01, to: 2023-12-31 }
                  reporting: { from: 2024-01-01, to: 2024-12-31 }
                sites:
                  - { id: s1, name: Site one }
                sources:
                  - { path: "*.csv", format: meter-readings, site: s1, quantity: electricity_self_consumed, unit: kWh }
                """, file: "pipelines/test.yaml", catalogue: .builtIn)
        }
    }

    @Test func readingsAreKeptOnlyForPVSitesGridSeries() throws {
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: test
            name: Test
            periods:
              baseline: { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: a, name: A }
              - { id: b, name: B }
              - { id: c, name: C }
            sources:
              - { path: "a/*.csv", format: fluvius, site: a }
              - { path: "b/*.csv", format: fluvius, site: b }
              - { path: "b-pv/*.csv", format: enphase, site: b }
              - { path: "c-grid/*.csv", format: sma, site: c, quantity: electricity_injection }
            """, file: "pipelines/test.yaml", catalogue: .builtIn)
        let policy = definition.intervalReadingPolicy
        #expect(policy == IntervalReadingPolicy(allSites: false, sites: ["b"]))
        #expect(policy.keeps(SeriesKey(site: "b", quantity: .electricityInjection, meter: "x")))
        #expect(policy.keeps(SeriesKey(site: "b", quantity: .electricityOfftake, meter: "x")))
        #expect(!policy.keeps(SeriesKey(site: "a", quantity: .electricityInjection, meter: "x")))
        #expect(!policy.keeps(SeriesKey(site: "b", quantity: .gas, meter: "x")))
        #expect(policy.keeps(SeriesKey(site: "c", quantity: .pvProduction, meter: "x")))
        // What a kept reading costs: its start and value; lengths and qualities as runs.
        #expect(IntervalReadings.bytesPerReading == 16)
        var kept = IntervalReadings()
        for index in 0..<1_000 {
            kept.append(IntervalReading(startUTC: t0 + Int64(index) * 900, seconds: 900,
                                        quality: index == 500 ? .estimated : .measured, value: Double(index)))
        }
        #expect(kept.runCount == 3)
        #expect(kept[500] == IntervalReading(startUTC: t0 + 450_000, seconds: 900, quality: .estimated, value: 500))
        #expect(kept[501].quality == .measured && kept[499].quality == .measured && kept[999].value == 999)
        #expect(Array(kept) == (0..<1_000).map { kept[$0] })
        // A length learnt after the first reading (a file's first row has no interval yet) joins the runs.
        var unknown: IntervalReadings = [IntervalReading(startUTC: t0, seconds: 0, quality: .measured, value: 1),
                                         IntervalReading(startUTC: t0 + 900, seconds: 900, quality: .measured, value: 2)]
        #expect(unknown.runCount == 2)
        unknown.fillUnknownLengths(with: 900)
        #expect(unknown.runCount == 1 && unknown.map(\.seconds) == [900, 900] && unknown.map(\.value) == [1, 2])
    }
}
