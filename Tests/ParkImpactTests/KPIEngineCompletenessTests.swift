import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `KPICatalogue` against what the families emit, the energy-weighted estimated share of KPIs built from several
/// series, and PV matching of totals longer than a day. Every expected value is worked out by hand in the comments.
@Suite struct KPIEngineCompletenessTests {
    // MARK: KPICatalogue

    /// Runs the hand-made pilots of the KPI tests (every family, PV, weather, costs, mobility with surveys, trip
    /// logs and counters, annualised or not): every key any of them emits has a `KPICatalogue` entry with its
    /// unit and both labels, and every entry is emitted by one of them.
    @Test func everyEmittedKeyIsListed() throws {
        let reports: [PilotReport] = [
            try SmallPilotKPITests().report,
            try PVMatchingKPITests().report,
            try WaterKPITests().report,
            try WasteKPITests().report,
            try CostKPITests().report,
            try runPilot("synth", yaml: WeatherKPITests.syntheticYAML, files: WeatherKPITests.synthetic(extraGasGap: false)),
            try MobilityKPITests.ShiftAndAvoidedCO2.pilot(),
            try MobilityKPITests.ShiftAndAvoidedCO2.pilot(extra: "mobility: { commuting_days_per_year: 220, trips_per_day: 2 }"),
            try MobilityKPITests.SharesInsteadOfCounts.pilot(),
            try MobilityKPITests.NoBaselineSurvey.pilot(),
            try MobilityKPITests.MissingFactorAndAssumedOccupancy.pilot(),
            try MobilityKPITests.TripLogsOnly.pilot(),
            try MobilityKPITests.CounterBikeShare.pilot(),
        ]
        var emitted: [String: KPIUnit] = [:]
        for report in reports {
            for kpi in report.kpis { emitted[kpi.key] = kpi.unit }
        }
        // Every emitted key has an entry with both labels and the unit the engine writes.
        for (key, unit) in emitted.sorted(by: { $0.key < $1.key }) {
            guard let entry = KPICatalogue.entry(key) else {
                Issue.record("emitted but not in KPICatalogue: \(key)")
                continue
            }
            #expect(!entry.nl.isEmpty && !entry.en.isEmpty, "\(key) lacks a label")
            #expect(entry.unit == unit, "\(key): unit \(unit) emitted, \(entry.unit) in the catalogue")
        }
        // No entry is unused: each is emitted by one of these pilots (so the check above means something).
        let used = Set(emitted.keys.compactMap { KPICatalogue.lookup($0)?.index })
        for (index, entry) in KPICatalogue.entries.enumerated() {
            #expect(used.contains(index), "\(entry.name) is in KPICatalogue but no pilot emits it")
        }
        for family in KPIFamily.allCases {
            #expect(KPICatalogue.entries.contains { $0.family == family }, "no \(family) entry")
        }
    }

    /// The catalogue: one entry per key, each key of its family, labels without stray blanks, the report order
    /// (families grouped, quality last).
    @Test func theCatalogueIsConsistent() {
        let names = KPICatalogue.entries.map(\.name)
        #expect(Set(names).count == names.count, "a key is listed twice")
        #expect(Set(KPICatalogue.keys).count == KPICatalogue.keys.count)
        for entry in KPICatalogue.entries {
            #expect(entry.name.hasPrefix(entry.family.rawValue + "."), "\(entry.name) is not of family \(entry.family)")
            // A per-mode label is a prefix of the mode's name and ends in a blank.
            if case .key = entry.pattern {
                #expect(entry.nl.trimmingCharacters(in: .whitespaces) == entry.nl && !entry.nl.isEmpty)
                #expect(entry.en.trimmingCharacters(in: .whitespaces) == entry.en && !entry.en.isEmpty)
            }
        }
        #expect(KPICatalogue.entries.last?.family == .quality)
        #expect(KPICatalogue.label("mobility.share.ebike", language: .nl) == "Modal split: e-fiets")
        #expect(KPICatalogue.label("mobility.shift_pp.walk", language: .en) == "Modal shift: walking")
        #expect(KPICatalogue.direction(of: "mobility.shift_pp.car") == .lowerIsBetter)
        #expect(KPICatalogue.direction(of: "weather.hdd") == .neither)
        #expect(KPICatalogue.entry("mobility.share.rocket") == nil && KPICatalogue.entry("co2.scope3_t") == nil)
    }

    // MARK: Estimated share weighted by energy

    /// Reporting 2024, parkimpact-long:
    ///   site a: offtake 4 quarter-hours of 1 kWh, 1 estimated → series share 1/4, energy 4 kWh;
    ///           gas 2 hours of 10 kWh, 1 estimated → series share 1/2, energy 20 kWh;
    ///   site b: offtake 2 quarter-hours of 3 kWh, 1 estimated → series share 1/2, energy 6 kWh.
    /// Weighted by energy:
    ///   a energy.total_mwh   (1/4·4 + 1/2·20) ÷ (4 + 20)        = 11/24   (counting intervals: 2/6 = 1/3)
    ///   pilot offtake        (1/4·4 + 1/2·6) ÷ (4 + 6)          = 4/10    (counting: 2/6)
    ///   pilot total_mwh      (1/4·4 + 1/2·6 + 1/2·20) ÷ 30      = 14/30   (counting: 3/8)
    ///   pilot scope 1 / fossil: gas alone = 1/2; scope 2: offtake = 4/10; a's offtake alone: 1/4.
    ///   renewable_mwh (b is green): b's offtake alone = 1/2.
    @Test func derivedKPIsWeighTheirInputsByEnergy() throws {
        var rows = ["timestamp,site,series,quantity,value,unit,quality"]
        for (minute, quality) in [("00", "measured"), ("15", "estimated"), ("30", "measured"), ("45", "measured")] {
            rows.append("2024-03-01T10:\(minute):00+01:00,a,ea,electricity_offtake,1,kWh,\(quality)")
        }
        rows.append("2024-03-01T11:00:00+01:00,a,ea,electricity_offtake,,kWh,missing")
        rows.append("2024-03-01T10:00:00+01:00,a,ga,gas,10,kWh,estimated")
        rows.append("2024-03-01T11:00:00+01:00,a,ga,gas,10,kWh,measured")
        rows.append("2024-03-01T12:00:00+01:00,a,ga,gas,,kWh,missing")
        rows.append("2024-03-01T10:00:00+01:00,b,eb,electricity_offtake,3,kWh,estimated")
        rows.append("2024-03-01T10:15:00+01:00,b,eb,electricity_offtake,3,kWh,measured")
        rows.append("2024-03-01T10:30:00+01:00,b,eb,electricity_offtake,,kWh,missing")
        let report = try runPilot("est", yaml: """
            pilot: est
            name: Estimates
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: a, name: A, electricity_contract: grey }
              - { id: b, name: B, electricity_contract: green }
            sources:
              - { path: "*.csv", format: parkimpact-long }
            """, files: ["data.csv": rows.joined(separator: "\n") + "\n"])
        #expect(report.rejects.isEmpty, "\(report.rejects.map(\.reason))")
        func share(_ key: String, _ site: String? = nil) -> Double? {
            report.kpi(key, period: "reporting", site: site)?.estimatedShare
        }
        #expect(close(report.kpi("energy.total_mwh", period: "reporting", site: "a")?.value, 0.024))
        #expect(close(share("energy.total_mwh", "a"), 11.0 / 24))
        #expect(close(share("energy.electricity.offtake_kwh"), 0.4))
        #expect(close(share("energy.total_mwh"), 14.0 / 30))
        #expect(close(share("co2.scope1_t"), 0.5))
        #expect(close(share("energy.fossil_mwh"), 0.5))
        #expect(close(share("co2.scope2_location_t"), 0.4))
        #expect(close(share("co2.scope2_market_t"), 0.4))
        #expect(close(share("co2.scope2_market_t", "a"), 0.25))
        #expect(close(share("energy.renewable_mwh"), 0.5))
        // A ratio is not a sum: no estimated share of its own.
        #expect(share("energy.renewable_share") == nil)
        #expect(report.kpi("energy.total_mwh", period: "reporting")?.provenance.formula
            .contains("estimated share: per input series estimated ÷ present intervals, weighted by the series' energy")
            == true)
    }

    // MARK: PV totals longer than a day

    /// Site d: Sungrow daily report, 2024-06-10 40 kWh; grid that day as one daily row: offtake 10, injection 12 →
    /// buckets of a local day: self-consumed 40 − 12 = 28 kWh (a day is an interval here: the energy balance
    /// production = self-consumed + injection holds for the day's sums).
    /// Site m: Sungrow monthly report, 2024-06 900 kWh; grid in quarter-hours on 06-10. The month's total cannot be put
    /// on days or quarter-hours: no bucket of June is matched (30 days from the PV start 06-01, all unmatched).
    /// June, pilot: self-consumed 28 kWh (d only), flagged pv_totals_not_matched; m: null with the reason.
    @Test func monthlyPVTotalsAreNotMatched() throws {
        let grid = """
            timestamp,site,series,quantity,value,unit,quality,end
            2024-06-10T00:00:00+02:00,d,ed,electricity_offtake,10,kWh,measured,2024-06-11T00:00:00+02:00
            2024-06-10T00:00:00+02:00,d,ed-inj,electricity_injection,12,kWh,measured,2024-06-11T00:00:00+02:00
            2024-06-10T12:00:00+02:00,m,em,electricity_offtake,1,kWh,measured,2024-06-10T12:15:00+02:00
            2024-06-10T12:15:00+02:00,m,em,electricity_offtake,1,kWh,measured,2024-06-10T12:30:00+02:00
            2024-06-10T12:00:00+02:00,m,em-inj,electricity_injection,2,kWh,measured,2024-06-10T12:15:00+02:00
            2024-06-10T12:15:00+02:00,m,em-inj,electricity_injection,2,kWh,measured,2024-06-10T12:30:00+02:00

            """
        let report = try runPilot("coarse", yaml: """
            pilot: coarse
            name: Coarse PV
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: d, name: D }
              - { id: m, name: M }
            sources:
              - { path: "grid.csv", format: parkimpact-long }
              - { path: "d/*.csv", format: sungrow, site: d, quantity: pv_production }
              - { path: "m/*.csv", format: sungrow, site: m, quantity: pv_production }
            """, files: [
                "grid.csv": grid,
                "d/daily.csv": "Time,PV(kWh),Purchased Energy(kWh),Feed-in(kWh),Load(kWh)\n2024-06-10,40,,,\n",
                "m/monthly.csv": "Time,PV(kWh),Purchased Energy(kWh),Feed-in(kWh),Load(kWh)\n2024-06,900,,,\n",
            ])
        #expect(report.rejects.isEmpty, "\(report.rejects.map(\.reason))")
        // The monthly production itself is a measured total: June 900 kWh.
        #expect(close(report.kpi("energy.electricity.pv_production_kwh", period: "2024-06", site: "m")?.value, 900))
        let note = "the PV production of site m (sungrow:PV) has 1 of 1 readings longer than a day (totals of up to "
            + "30 days, e.g. a monthly report)"
        let m = try #require(report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06", site: "m"))
        #expect(m.value == nil)
        #expect(m.provenance.reason?.hasPrefix("no self-consumed PV (matched intervals) data in this period (0 of 30 "
            + "expected intervals): " + note) == true, "\(m.provenance.reason ?? "")")
        #expect(report.kpi("energy.pv.self_consumption_ratio", period: "2024-06", site: "m")?.provenance.reason
            == m.provenance.reason)
        #expect(report.kpi("energy.total_mwh", period: "2024-06", site: "m")?.provenance.reason?.contains(note) == true)
        // Site d is matched per day.
        let d = try #require(report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06", site: "d"))
        #expect(close(d.value, 28))
        #expect(!d.flags.contains(.pvTotalsNotMatched))
        // The pilot: d's value, flagged, with m named.
        let pilot = try #require(report.kpi("energy.electricity.self_consumed_kwh", period: "2024-06"))
        #expect(close(pilot.value, 28))
        #expect(pilot.flags.contains(.pvTotalsNotMatched))
        #expect(pilot.provenance.formula.contains("not matched: " + note))
        #expect(report.kpi("energy.pv.self_consumption_ratio", period: "2024-06")?.flags
            .contains(.pvTotalsNotMatched) == true)
    }
}
