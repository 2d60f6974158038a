import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// "Never a missing part as zero": comparisons and ratios whose inputs lack a carrier or a site in a period are null
/// with the reason naming what is missing. Small pilots worked out by hand.
///
/// Pilot `gaps` (every value a daily interval, `end` = next day; factors: natural_gas.hhv 0.18234 kg CO2e/kWh (one
/// value for every year), electricity.market.grey 0.16749 (2023) and 0.13173 (2024) kg CO2/kWh; prices 2024:
/// electricity 0.2, gas 0.1 EUR/kWh):
/// - site `a`: offtake 100 kWh (2023-01-10), 90 kWh (2024-01-10); gas 1,000 kWh (2023-01-10), 800 kWh (2024-01-10);
///   water 10 m³ (2023-05-01), 8 m³ (2024-05-01).
/// - site `b`: offtake 200 kWh (2023-03-01), 150 kWh (2024-03-01); no gas source, no water source.
/// - site `l`: offtake 300 kWh (2023-02-01), 310 kWh (2024-02-01); gas 5,000 kWh in 2023 and **none in 2024**;
///   water 20 m³ in 2023 and **none in 2024**.
@Suite struct MissingPartTests {
    static let yaml = """
        pilot: gaps
        name: "Gaps"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: "A", electricity_contract: grey }
          - { id: b, name: "B", electricity_contract: grey }
          - { id: l, name: "L", electricity_contract: grey }
        sources:
          - { path: "*.csv", format: parkimpact-long }
        prices:
          electricity: { 2023: 0.2, 2024: 0.2 }
          gas: { 2023: 0.1, 2024: 0.1 }
        """

    static let data = """
        timestamp,site,series,quantity,value,unit,quality,end
        2023-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,100,kWh,measured,2023-01-11T00:00:00+01:00
        2024-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,90,kWh,measured,2024-01-11T00:00:00+01:00
        2023-01-10T00:00:00+01:00,a,gas-a,gas,1000,kWh,measured,2023-01-11T00:00:00+01:00
        2024-01-10T00:00:00+01:00,a,gas-a,gas,800,kWh,measured,2024-01-11T00:00:00+01:00
        2023-05-01T00:00:00+02:00,a,water-a,water,10,m3,measured,2023-05-02T00:00:00+02:00
        2024-05-01T00:00:00+02:00,a,water-a,water,8,m3,measured,2024-05-02T00:00:00+02:00
        2023-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,200,kWh,measured,2023-03-02T00:00:00+01:00
        2024-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,150,kWh,measured,2024-03-02T00:00:00+01:00
        2023-02-01T00:00:00+01:00,l,ean-l,electricity_offtake,300,kWh,measured,2023-02-02T00:00:00+01:00
        2024-02-01T00:00:00+01:00,l,ean-l,electricity_offtake,310,kWh,measured,2024-02-02T00:00:00+01:00
        2023-02-01T00:00:00+01:00,l,gas-l,gas,5000,kWh,measured,2023-02-02T00:00:00+01:00
        2023-05-01T00:00:00+02:00,l,water-l,water,20,m3,measured,2023-05-02T00:00:00+02:00
        """

    static let gasOfL = "natural gas of site l has data in the baseline but none in the reporting period"

    let report: PilotReport
    init() throws { report = try runPilot("gaps", yaml: Self.yaml, files: ["data.csv": Self.data]) }

    func kpi(_ key: String, _ period: String, _ site: String? = nil) throws -> KPI {
        try #require(report.kpi(key, period: period, site: site))
    }

    @Test func co2ChangeIsNullWhenASiteLacksACarrierInOnePeriod() throws {
        // Counting l's 2024 gas as 0 would give (E_rep − E_base) ÷ E_base with 5,000 kWh of gas gone: −80 %.
        let pilot = try kpi("co2.change_vs_baseline_pct", "reporting")
        #expect(pilot.value == nil)
        #expect(pilot.provenance.reason == Self.gasOfL)
        #expect(pilot.flags.isEmpty)
        let l = try kpi("co2.change_vs_baseline_pct", "reporting", "l")
        #expect(l.value == nil)
        #expect(l.provenance.reason == Self.gasOfL)
        // Site a has both carriers in both periods: E_base = (1000 × 0.18234 + 100 × 0.16749) ÷ 1000 = 0.199089 t,
        // E_rep = (800 × 0.18234 + 90 × 0.13173) ÷ 1000 = 0.1577277 t; per day (366 and 365 days):
        // (0.1577277 ÷ 366 − 0.199089 ÷ 365) ÷ (0.199089 ÷ 365) × 100 = −20.9917…%.
        #expect(close(try kpi("co2.change_vs_baseline_pct", "reporting", "a").value,
                      (0.1577277 / 366 - 0.199089 / 365) / (0.199089 / 365) * 100))
        // Site b has no gas source: offtake alone, each year at its residual mix, per day:
        // (150 × 0.13173 ÷ 366 − 200 × 0.16749 ÷ 365) ÷ (200 × 0.16749 ÷ 365) = −41.1741…%.
        #expect(close(try kpi("co2.change_vs_baseline_pct", "reporting", "b").value,
                      (19.7595 / 366 - 33.498 / 365) / (33.498 / 365) * 100))
    }

    @Test func waterChangeIsNullWhenASiteLacksWaterInOnePeriod() throws {
        let pilot = try kpi("water.change_vs_baseline_pct", "reporting")
        #expect(pilot.value == nil)
        #expect(pilot.provenance.reason == "water of site l has data in the baseline but none in the reporting period")
        // (8 ÷ 366 − 10 ÷ 365) ÷ (10 ÷ 365) = −20.2186…%: per day.
        #expect(close(try kpi("water.change_vs_baseline_pct", "reporting", "a").value,
                      (8.0 / 366 - 10.0 / 365) / (10.0 / 365) * 100))
    }

    @Test func costSavingsAreNullWhenASiteLacksACarrierInOnePeriod() throws {
        for (period, name) in [("reporting", "the reporting period"), ("2024", "2024")] {
            let pilot = try kpi("cost.energy_avoided_eur", period)
            #expect(pilot.value == nil, "\(period)")
            #expect(pilot.provenance.reason == "natural gas of site l has data in the baseline but none in \(name)")
        }
        // Site a: (100 ÷ 365 × 366 − 90) × 0.2 + (1000 ÷ 365 × 366 − 800) × 0.1
        //   = (100.2739726 − 90) × 0.2 + (1002.739726 − 800) × 0.1 = 2.05479452 + 20.2739726 = 22.32876712 EUR.
        #expect(close(try kpi("cost.energy_avoided_eur", "reporting", "a").value,
                      (100.0 / 365 * 366 - 90) * 0.2 + (1000.0 / 365 * 366 - 800) * 0.1))
    }

    @Test func theEnergyMixOfThePilotNeedsEverySitesCarriers() throws {
        let missing = "natural gas of site l has a source but no data in this period"
        for key in ["energy.total_mwh", "energy.fossil_mwh", "energy.renewable_share"] {
            let pilot = try kpi(key, "reporting")
            #expect(pilot.value == nil, "\(key)")
            #expect(pilot.provenance.reason == missing, "\(key)")
        }
        // Renewable needs no gas: no green site, no PV → 0 MWh, not null.
        #expect(try kpi("energy.renewable_mwh", "reporting").value == 0)
        // Baseline: every part present: (100 + 200 + 300 + 1000 + 5000) ÷ 1000 = 6.6 MWh.
        #expect(close(try kpi("energy.total_mwh", "baseline").value, 6.6))
        #expect(close(try kpi("energy.fossil_mwh", "baseline").value, 6))
    }

    @Test func fossilEnergyOfASiteWithoutGasIsZeroAndSaysWhy() throws {
        let b = try kpi("energy.fossil_mwh", "reporting", "b")
        #expect(b.value == 0)
        #expect(b.coverage == nil)
        #expect(b.provenance.reason == nil)
        #expect(b.provenance.formula.hasSuffix("; site b has no natural gas source: 0"))
        // Site l has a gas source without 2024 data: null with the reason, not 0.
        let l = try kpi("energy.fossil_mwh", "reporting", "l")
        #expect(l.value == nil)
        #expect(l.provenance.reason == "no natural gas data in this period (0 of 366 expected intervals)")
        #expect(close(try kpi("energy.fossil_mwh", "reporting", "a").value, 0.8))
    }

    /// Site `p` with PV from 2024-01-15 (daily PV production 40 kWh, injection 10 kWh, offtake 50 kWh); in February
    /// 2024 the inverter delivers nothing while offtake (60 kWh on 2024-02-15) and gas (300 kWh on 2024-02-15) do.
    @Test func fossilEnergyDoesNotDependOnThePVInverter() throws {
        let report = try runPilot("pvgap", yaml: """
            pilot: pvgap
            name: "PV gap"
            language: en
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: p, name: "P", electricity_contract: grey }
            sources:
              - { path: "*.csv", format: parkimpact-long }
            """, files: ["data.csv": """
            timestamp,site,series,quantity,value,unit,quality,end
            2024-01-15T00:00:00+01:00,p,inv,pv_production,40,kWh,measured,2024-01-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,p,ean-p,electricity_injection,10,kWh,measured,2024-01-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,p,ean-p,electricity_offtake,50,kWh,measured,2024-01-16T00:00:00+01:00
            2024-02-15T00:00:00+01:00,p,ean-p,electricity_offtake,60,kWh,measured,2024-02-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,p,gas-p,gas,200,kWh,measured,2024-01-16T00:00:00+01:00
            2024-02-15T00:00:00+01:00,p,gas-p,gas,300,kWh,measured,2024-02-16T00:00:00+01:00
            """])
        // The total needs self-consumed PV, which has no matched interval in February: null.
        #expect(report.kpi("energy.total_mwh", period: "2024-02", site: "p")?.value == nil)
        // Fossil is gas alone: 300 kWh ÷ 1000 = 0.3 MWh, 1 of 29 days: low coverage.
        let fossil = try #require(report.kpi("energy.fossil_mwh", period: "2024-02", site: "p"))
        #expect(close(fossil.value, 0.3))
        #expect(close(fossil.coverage, 1.0 / 29))
        #expect(fossil.flags == [.lowCoverage])
        // January: self-consumed 40 − 10 = 30 kWh; total (50 + 200 + 30) ÷ 1000 = 0.28 MWh.
        #expect(close(report.kpi("energy.total_mwh", period: "2024-01", site: "p")?.value, 0.28))
    }
}

/// A gas source with data in neither period (site `z`: gas only in 2022, offtake 100 kWh in 2023 and 80 kWh in 2024):
/// its gas is unknown on both sides, so the change is null rather than computed from offtake alone as if gas were 0.
@Suite struct PartWithoutDataInBothPeriodsTests {
    @Test func theChangeIsNullAndNamesThePart() throws {
        let report = try runPilot("both", yaml: """
            pilot: both
            name: "Both"
            language: nl
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: z, name: "Z" }
            sources:
              - { path: "*.csv", format: parkimpact-long }
            """, files: ["data.csv": """
            timestamp,site,series,quantity,value,unit,quality,end
            2022-06-01T00:00:00+02:00,z,gas-z,gas,700,kWh,measured,2022-06-02T00:00:00+02:00
            2023-01-10T00:00:00+01:00,z,ean-z,electricity_offtake,100,kWh,measured,2023-01-11T00:00:00+01:00
            2024-01-10T00:00:00+01:00,z,ean-z,electricity_offtake,80,kWh,measured,2024-01-11T00:00:00+01:00
            """])
        let reason = "natural gas of site z has a source but no data in the baseline nor in the reporting period"
        for site in [nil, "z"] as [String?] {
            let change = try #require(report.kpi("co2.change_vs_baseline_pct", period: "reporting", site: site))
            #expect(change.value == nil)
            #expect(change.provenance.reason == reason)
        }
        let change = try #require(report.kpi("co2.change_vs_baseline_pct", period: "reporting", site: nil))
        #expect(change.provenance.reasonCode == .partWithoutData)
        let why = try #require(change.provenance.why)
        #expect(EngineText.reason(why, .nl) == "aardgas van site z heeft een bron maar geen gegevens in de "
            + "referentieperiode noch in de rapportageperiode")
    }
}

/// Self-sufficiency of a pilot whose site without PV has no offtake data in a month.
///
/// Site `p` (PV, daily values): 2024-01-15 PV 40, injection 10, offtake 50 kWh (self-consumed 30); 2024-02-15 PV 20,
/// injection 5, offtake 40 kWh (self-consumed 15). Site `n` (no PV): offtake 100 kWh on 2024-01-15, none in February.
/// Site `m` (no PV): offtake 60 kWh on 2024-01-15 and 70 kWh on 2024-02-15.
@Suite struct SelfSufficiencyMissingSiteTests {
    @Test func aSiteWithoutPVAndWithoutOfftakeDataMakesThePilotRatioNull() throws {
        let report = try runPilot("suff", yaml: """
            pilot: suff
            name: "Sufficiency"
            language: en
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: p, name: "P" }
              - { id: n, name: "N" }
              - { id: m, name: "M" }
            sources:
              - { path: "*.csv", format: parkimpact-long }
            """, files: ["data.csv": """
            timestamp,site,series,quantity,value,unit,quality,end
            2024-01-15T00:00:00+01:00,p,inv,pv_production,40,kWh,measured,2024-01-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,p,ean-p,electricity_injection,10,kWh,measured,2024-01-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,p,ean-p,electricity_offtake,50,kWh,measured,2024-01-16T00:00:00+01:00
            2024-02-15T00:00:00+01:00,p,inv,pv_production,20,kWh,measured,2024-02-16T00:00:00+01:00
            2024-02-15T00:00:00+01:00,p,ean-p,electricity_injection,5,kWh,measured,2024-02-16T00:00:00+01:00
            2024-02-15T00:00:00+01:00,p,ean-p,electricity_offtake,40,kWh,measured,2024-02-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,n,ean-n,electricity_offtake,100,kWh,measured,2024-01-16T00:00:00+01:00
            2024-01-15T00:00:00+01:00,m,ean-m,electricity_offtake,60,kWh,measured,2024-01-16T00:00:00+01:00
            2024-02-15T00:00:00+01:00,m,ean-m,electricity_offtake,70,kWh,measured,2024-02-16T00:00:00+01:00
            """])
        // January: 30 ÷ (50 + 30 + 100 + 60) = 0.125.
        #expect(close(report.kpi("energy.pv.self_sufficiency_ratio", period: "2024-01")?.value, 30.0 / 240))
        // February: n's offtake is missing; 15 ÷ (40 + 15 + 70) would leave n out quietly.
        let february = try #require(report.kpi("energy.pv.self_sufficiency_ratio", period: "2024-02"))
        #expect(february.value == nil)
        #expect(february.provenance.reason == "grid offtake of site n has a source but no data in this period")
        // p alone keeps its value: 15 ÷ 55.
        #expect(close(report.kpi("energy.pv.self_sufficiency_ratio", period: "2024-02", site: "p")?.value, 15.0 / 55))
        // No site has gas: the pilot's fossil energy is 0 and says why.
        let fossil = try #require(report.kpi("energy.fossil_mwh", period: "reporting"))
        #expect(fossil.value == 0)
        #expect(fossil.provenance.formula.hasSuffix("; no site of this pilot has a natural gas source: 0"))
    }
}

/// The portfolio's sorting and the low-coverage footnote.
@Suite struct PortfolioMissingPartTests {
    @Test func flaggedValuesCarryAMarkForSortingAndNullsNoValue() throws {
        let report = try runPilot("gaps", yaml: MissingPartTests.yaml, files: ["data.csv": MissingPartTests.data])
        let html = PortfolioIndex.render([report])
        // The change is null (l's gas): no sort value, so it sorts last in both directions.
        #expect(html.contains("<td class=\"num\" data-sort=\"\"><span class=\"na\" title=\""
            + MissingPartTests.gasOfL + "\">—</span>"))
        // Scope 1+2 (1 of 366 days at each meter): flagged low coverage → data-flagged, sorted after unflagged values.
        #expect(html.contains("data-flagged=\"1\"><span class=\"warn\""))
        // A low-coverage pilot: every value of its row is flagged (its coverage, grid electricity and gas too), so it
        // sorts after the complete pilots in every numeric column.
        #expect(html.contains("<tr class=\"low\">"))
        let cells = html.components(separatedBy: "<td class=\"num\" data-sort=\"").dropFirst()
            .map { String($0.prefix { $0 != ">" }) }
        #expect(cells.count == 5)
        for cell in cells where !cell.hasPrefix("\"") { #expect(cell.hasSuffix("\" data-flagged=\"1\""), "\(cell)") }
        #expect(cells.filter { !$0.hasPrefix("\"") }.count == 4)
        // The script ranks values, flagged values, then nulls before comparing numbers, whatever the direction.
        #expect(html.contains("var rx = rank(a.cells[column], x), ry = rank(b.cells[column], y);\n"
            + "          if (rx !== ry) { return rx - ry; }"))
    }

    @Test func theLowCoverageNoteNeverCallsAChangeALowerBound() {
        for language in [PipelineDefinition.Language.en, .nl] {
            let text = ReportText.for(language).lowCoverageExplain
            #expect(!text.contains("lower bound") && !text.contains("ondergrens"), "\(text)")
        }
        #expect(ReportText.for(.en).lowCoverageExplain
            == "the figure rests on incomplete data: a sum lacks the missing part, a change or ratio can be off in "
            + "either direction")
    }
}
