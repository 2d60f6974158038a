import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A two-site pilot small enough to compute every KPI by hand.
///
/// Site `a` (grey contract): offtake 2023-01-10 100 kWh + 2023-06-10 50 kWh (baseline), 2024-02-01 135 kWh
/// (reporting, estimated); gas 1,000 kWh in 2023, 800 kWh in 2024. Site `b` (green contract): offtake 200 kWh in 2023,
/// 180 kWh in 2024, one missing day in 2024. All values are daily intervals (`end` = next day).
/// Factors (catalogue, by consumption year): location 0.150 (2023) and 0.155 (2024) kg CO2e/kWh, residual mix 0.16749
/// (2023) and 0.13173 (2024) kg CO2/kWh, green 0, natural gas HHV 0.18234 kg CO2e/kWh (IPCC 2006 default, the only
/// year, so 2023 and 2024 fall back to 2006).
@Suite struct SmallPilotKPITests {
    static let yaml = """
        pilot: small
        name: "Small pilot"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: "A NV", electricity_contract: grey }
          - { id: b, name: "B BV", electricity_contract: green }
        sources:
          - { path: "*.csv", format: parkimpact-long }
        """

    static let data = """
        timestamp,site,series,quantity,value,unit,quality,end
        2023-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,100,kWh,measured,2023-01-11T00:00:00+01:00
        2023-06-10T00:00:00+02:00,a,ean-a,electricity_offtake,50000,Wh,measured,2023-06-11T00:00:00+02:00
        2024-02-01T00:00:00+01:00,a,ean-a,electricity_offtake,135,kWh,estimated,2024-02-02T00:00:00+01:00
        2023-01-10T00:00:00+01:00,a,gas-a,gas,1000,kWh,measured,2023-01-11T00:00:00+01:00
        2024-01-10T00:00:00+01:00,a,gas-a,gas,0.8,MWh,measured,2024-01-11T00:00:00+01:00
        2023-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,200,kWh,measured,2023-03-02T00:00:00+01:00
        2024-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,180,kWh,measured,2024-03-02T00:00:00+01:00
        2024-03-02T00:00:00+01:00,b,ean-b,electricity_offtake,,kWh,missing,2024-03-03T00:00:00+01:00
        2024-03-03T00:00:00+01:00,b,ean-b,electricity_offtake,12x,kWh,measured,2024-03-04T00:00:00+01:00
        """

    let report: PilotReport

    init() throws {
        report = try runPilot("small", yaml: Self.yaml, files: ["data.csv": Self.data])
    }

    func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
        report.kpi(key, period: period, site: site)?.value
    }


    @Test func energyPerSiteAndTotal() {
        #expect(close(value("energy.electricity.offtake_kwh", "baseline", "a"), 150))
        #expect(close(value("energy.electricity.offtake_kwh", "reporting", "a"), 135))
        #expect(close(value("energy.electricity.offtake_kwh", "baseline"), 350))
        #expect(close(value("energy.electricity.offtake_kwh", "reporting"), 315))
        #expect(close(value("energy.gas_kwh", "reporting"), 800))
        #expect(close(value("energy.electricity.offtake_kwh", "2023-06", "a"), 50))
        #expect(close(value("energy.electricity.offtake_kwh", "2024", "b"), 180))
    }

    @Test func aMonthWithoutDataIsNullWithAReason() throws {
        let kpi = try #require(report.kpi("energy.electricity.offtake_kwh", period: "2023-02", site: "a"))
        #expect(kpi.value == nil)
        #expect(kpi.provenance.reason == "no grid offtake data in this period (0 of 28 expected intervals)")
    }

    @Test func aSiteWithoutGasHasNoGasNumber() throws {
        let kpi = try #require(report.kpi("energy.gas_kwh", period: "reporting", site: "b"))
        #expect(kpi.value == nil)
        #expect(kpi.provenance.reason == "no source delivers natural gas (kWh, gross calorific value) for site b")
    }

    @Test func scope1FromGasWithTheHHVFactor() throws {
        // 1000 kWh × 0.18234 kg/kWh = 182.34 kg; 800 kWh × 0.18234 = 145.872 kg.
        #expect(close(value("co2.scope1_t", "baseline"), 0.18234))
        #expect(close(value("co2.scope1_t", "reporting"), 0.145872))
        let factor = try #require(report.kpi("co2.scope1_t", period: "reporting")?.provenance.factor)
        #expect(factor.id == "natural_gas.hhv")
        #expect(factor.year == 2006)
        #expect(factor.note == "no 2024 value in the catalogue; the 2006 value is used")
        #expect(factor.status == .unconfirmed)
        #expect(factor.publisher == "Intergovernmental Panel on Climate Change (IPCC)")
    }

    @Test func scope2LocationAndMarketBased() {
        // Location-based, each year at its own factor: 350 kWh × 0.150 = 52.5 kg; (135 + 180) kWh × 0.155 = 48.825 kg.
        #expect(close(value("co2.scope2_location_t", "baseline"), 0.0525))
        #expect(close(value("co2.scope2_location_t", "reporting"), 0.048825))
        // Market-based: grey site a at the residual mix of the year, green site b at 0:
        // 150 kWh × 0.16749 = 25.1235 kg (2023); 135 kWh × 0.13173 = 17.78355 kg (2024).
        #expect(close(value("co2.scope2_market_t", "baseline"), 0.0251235))
        #expect(close(value("co2.scope2_market_t", "reporting", "b"), 0))
        #expect(close(value("co2.scope2_market_t", "reporting"), 0.01778355))
    }

    /// A reporting period over two years, a site with two meters: each site's kWh are summed by year over all its
    /// meters before the year's factor applies.
    @Test func scope2OverTwoYearsWithTwoMetersOnASite() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "reporting: { from: 2024-01-01, to: 2024-12-31 }",
                                                  with: "reporting: { from: 2023-07-01, to: 2024-06-30 }")
        let data = """
            timestamp,site,series,quantity,value,unit,quality,end
            2023-09-10T00:00:00+02:00,a,ean-a,electricity_offtake,100,kWh,measured,2023-09-11T00:00:00+02:00
            2024-02-01T00:00:00+01:00,a,ean-a,electricity_offtake,50,kWh,measured,2024-02-02T00:00:00+01:00
            2023-10-10T00:00:00+02:00,a,ean-a2,electricity_offtake,30,kWh,measured,2023-10-11T00:00:00+02:00
            2024-03-01T00:00:00+01:00,a,ean-a2,electricity_offtake,10,kWh,measured,2024-03-02T00:00:00+01:00
            2023-08-01T00:00:00+02:00,b,ean-b,electricity_offtake,200,kWh,measured,2023-08-02T00:00:00+02:00
            """
        let report = try runPilot("small", yaml: yaml, files: ["data.csv": data])
        func value(_ key: String, _ site: String? = nil) -> Double? {
            report.kpi(key, period: "reporting", site: site)?.value
        }
        // Location-based: 2023 (100 + 30 + 200) kWh × 0.150 = 49.5 kg, 2024 (50 + 10) kWh × 0.155 = 9.3 kg.
        #expect(close(value("co2.scope2_location_t"), 0.0588))
        // Market-based: site a at the residual mix, 130 kWh × 0.16749 + 60 kWh × 0.13173 = 29.6775 kg; b green.
        #expect(close(value("co2.scope2_market_t", "a"), 0.0296775))
        #expect(close(value("co2.scope2_market_t"), 0.0296775))
        #expect(close(value("energy.electricity.offtake_kwh", "a"), 190))
    }

    @Test func changeVersusBaseline() {
        // before 0.18234 + 0.0251235 = 0.2074635 t; after 0.145872 + 0.01778355 = 0.16365555 t; per day (2024 has
        // 366 days, 2023 has 365): −21.3315… % (−21.1160 % on the totals).
        let before = 0.2074635, after = 0.16365555
        #expect(close(value("co2.change_vs_baseline_pct", "reporting"), (after / 366 - before / 365) / (before / 365) * 100))
        #expect(report.kpi("co2.change_vs_baseline_pct", period: "baseline") == nil)
    }

    @Test func qualityKPIs() throws {
        // Site b in 2024: 2 offtake rows with an interval (180 kWh measured, 1 missing); 366 expected days.
        let coverage = try #require(report.kpi("quality.coverage", period: "reporting", site: "b"))
        #expect(close(coverage.value, 1.0 / 366))
        #expect(coverage.flags == [.lowCoverage])
        // Site a in 2024: offtake 1 estimated of 1 present; gas 1 measured → 1 of 2 present intervals estimated.
        #expect(close(value("quality.estimated_share", "reporting", "a"), 0.5))
        // The "12x" row is rejected, dated 2024-03-03, site b.
        #expect(value("quality.rejected_rows", "reporting", "b") == 1)
        #expect(value("quality.rejected_rows", "baseline") == 0)
        #expect(report.rejects.map(\.reason) == ["\"12x\" is not a number"])
        #expect(report.rejects.first?.line == 10)
        #expect(report.rejects.first?.column == "value")
    }

    @Test func esrsEnergyMixWithoutPV() throws {
        // Baseline: offtake 150 (a, grey) + 200 (b, green) + gas 1,000 → total 1.35 MWh, fossil 1.0 (gas),
        // renewable 0.2 (b's green contract), share 0.2 / 1.35. Reporting: 135 + 180 + 800 → 1.115, renewable 0.18.
        #expect(close(value("energy.total_mwh", "baseline"), 1.35))
        #expect(close(value("energy.fossil_mwh", "baseline"), 1.0))
        #expect(close(value("energy.renewable_mwh", "baseline"), 0.2))
        #expect(close(value("energy.renewable_share", "baseline"), 0.2 / 1.35))
        #expect(close(value("energy.total_mwh", "reporting"), 1.115))
        #expect(close(value("energy.renewable_share", "reporting"), 0.18 / 1.115))
        // b has no gas source: it counts 0, the formula says so.
        #expect(close(value("energy.fossil_mwh", "baseline", "b"), 0))
        #expect(close(value("energy.renewable_share", "baseline", "b"), 1))
        // A month without any data: null with the reason of the first carrier without data.
        let empty = try #require(report.kpi("energy.total_mwh", period: "2023-02", site: "a"))
        #expect(empty.value == nil)
        #expect(empty.provenance.reason == "no grid offtake data in this period (0 of 28 expected intervals)")
        // No PV source: no PV rows at all.
        #expect(report.kpi("energy.electricity.pv_production_kwh", period: "reporting") == nil)
        #expect(report.kpi("co2.avoided_pv_t", period: "reporting") == nil)
    }

    @Test func kpisAreFlaggedBelowNinetyPercentCoverage() throws {
        let offtake = try #require(report.kpi("energy.electricity.offtake_kwh", period: "reporting"))
        #expect(offtake.flags == [.lowCoverage])
        #expect(offtake.provenance.inputs == ["small/data.csv"])
    }
}

extension SmallPilotKPITests {
    @Test("each summed KPI carries the share of its intervals that were estimated")
    func estimatedSharePerKPI() throws {
        // Site a, reporting: offtake has 1 present interval, estimated (135 kWh): 1 ÷ 1. Gas: 1 measured: 0 ÷ 1.
        #expect(report.kpi("energy.electricity.offtake_kwh", period: "reporting", site: "a")?.estimatedShare == 1)
        #expect(report.kpi("energy.gas_kwh", period: "reporting", site: "a")?.estimatedShare == 0)
        // Pilot, reporting: offtake a (1 of 1 intervals estimated, 135 kWh) + b (0 of 1, 180 kWh; the missing day is
        // not present), weighted by energy: (1 × 135 + 0 × 180) ÷ (135 + 180) = 135 ÷ 315 = 3/7 (not 1 ÷ 2 intervals).
        #expect(close(report.kpi("energy.electricity.offtake_kwh", period: "reporting")?.estimatedShare, 3.0 / 7))
        #expect(close(report.kpi("co2.scope2_market_t", period: "reporting")?.estimatedShare, 3.0 / 7))
        // No data in the period: no share.
        #expect(report.kpi("energy.electricity.offtake_kwh", period: "2023-02", site: "a")?.estimatedShare == nil)
        let json = KPIJSONWriter.object(try #require(report.kpi("energy.electricity.offtake_kwh", period: "reporting")))
        #expect(json.contains("\"coverage\": 0.002732, \"estimated_share\": 0.428571, \"flags\": [\"low_coverage\"]"))
    }
}
