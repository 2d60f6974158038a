import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Cost per result on a two-site pilot small enough to compute by hand.
///
/// Baseline 2023 (365 days), reporting 2024 (366 days): the baseline is scaled per day, × 366 / 365.
/// Site `a` (grey): offtake 1,000 kWh (2023) → 800 kWh (2024); gas 2,000 kWh → 1,500 kWh.
/// Site `b` (green): offtake 500 kWh → 600 kWh (more energy: a negative saving); no gas.
/// Prices (EUR/kWh): electricity 2023 0.28, 2024 0.24; gas 2023 0.09, 2024 0.075 (the 2024 prices value 2024).
/// Pilot cost 10,000 EUR; by site a 6,000, b 4,000.
/// Factors: residual mix 0.16749 (2023) and 0.13173 (2024) kg CO2/kWh, green 0, natural gas HHV 0.18234 kg CO2e/kWh.
@Suite struct CostKPITests {
    static let yaml = """
        pilot: cost
        name: "Cost pilot"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: "A NV", electricity_contract: grey }
          - { id: b, name: "B BV", electricity_contract: green }
        sources:
          - { path: "*.csv", format: parkimpact-long }
        prices:
          electricity: { 2023: 0.28, 2024: 0.24 }
          gas: { 2023: 0.09, 2024: 0.075 }
        pilot_cost: 10000
        pilot_cost_by_site: { a: 6000, b: 4000 }
        """

    static let data = """
        timestamp,site,series,quantity,value,unit,quality,end
        2023-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,1000,kWh,measured,2023-01-11T00:00:00+01:00
        2024-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,800,kWh,measured,2024-01-11T00:00:00+01:00
        2023-01-10T00:00:00+01:00,a,gas-a,gas,2000,kWh,measured,2023-01-11T00:00:00+01:00
        2024-01-10T00:00:00+01:00,a,gas-a,gas,1500,kWh,measured,2024-01-11T00:00:00+01:00
        2023-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,500,kWh,measured,2023-03-02T00:00:00+01:00
        2024-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,600,kWh,measured,2024-03-02T00:00:00+01:00
        """

    let report: PilotReport

    init() throws {
        report = try runPilot("cost", yaml: Self.yaml, files: ["data.csv": Self.data])
    }

    func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
        report.kpi(key, period: period, site: site)?.value
    }

    // Site a: electricity (1000 ÷ 365 × 366 − 800) × 0.24 = 202.7397 kWh × 0.24 = 48.6575 EUR;
    //         gas (2000 ÷ 365 × 366 − 1500) × 0.075 = 505.4795 kWh × 0.075 = 37.9110 EUR; total 86.5685 EUR.
    static let savingA = (1000.0 / 365 * 366 - 800) * 0.24 + (2000.0 / 365 * 366 - 1500) * 0.075
    // Site b: (500 ÷ 365 × 366 − 600) × 0.24 = −98.6301 kWh × 0.24 = −23.6712 EUR.
    static let savingB = (500.0 / 365 * 366 - 600) * 0.24
    // Pilot: electricity (1500 ÷ 365 × 366 − 1400) × 0.24 + gas as site a = 24.9863 + 37.9110 = 62.8973 EUR.
    static let savingPilot = (1500.0 / 365 * 366 - 1400) * 0.24 + (2000.0 / 365 * 366 - 1500) * 0.075

    @Test func energyCostAvoidedPerSiteAndTotal() throws {
        #expect(close(value("cost.energy_avoided_eur", "reporting", "a"), Self.savingA))
        #expect(close(value("cost.energy_avoided_eur", "reporting"), Self.savingPilot))
        #expect(close(Self.savingA + Self.savingB, Self.savingPilot))
        // More energy than the baseline: shown as a negative saving, not hidden.
        #expect(close(value("cost.energy_avoided_eur", "reporting", "b"), Self.savingB))
        #expect(Self.savingB < 0)
        // The reporting year 2024 lies wholly inside the reporting period; 2023 and the months get no cost rows.
        #expect(close(value("cost.energy_avoided_eur", "2024"), Self.savingPilot))
        #expect(report.kpi("cost.energy_avoided_eur", period: "2023") == nil)
        #expect(report.kpi("cost.energy_avoided_eur", period: "baseline") == nil)
        #expect(report.kpi("cost.energy_avoided_eur", period: "2024-01") == nil)
        #expect(report.kpi("cost.payback_years", period: "2024") == nil)
    }

    @Test func pricesAreCitedWithTheirYearAndThePipelineFile() throws {
        let kpi = try #require(report.kpi("cost.energy_avoided_eur", period: "reporting"))
        #expect(kpi.unit == .euro)
        #expect(kpi.provenance.factors == [
            FactorReference(id: "price.electricity", value: 0.24, unit: "EUR/kWh", year: 2024,
                            source: "pipelines/cost.yaml", note: nil),
            FactorReference(id: "price.gas", value: 0.075, unit: "EUR/kWh", year: 2024,
                            source: "pipelines/cost.yaml", note: nil),
        ])
        #expect(kpi.provenance.inputs == ["cost/data.csv"])
        #expect(kpi.provenance.formula.contains("baseline kWh ÷ 365 baseline days × the period's days in Y"))
        #expect(kpi.provenance.reason == nil)
    }

    @Test func costPerTonneAvoided() throws {
        // Baseline: gas 2000 × 0.18234 ÷ 1000 = 0.36468 t; offtake a 1000 × 0.16749 ÷ 1000 = 0.16749 t (b green: 0);
        // 0.53217 t, scaled to 366 days: 0.53217 ÷ 365 × 366 = 0.533628 t.
        // Reporting: 1500 × 0.18234 ÷ 1000 = 0.27351 + 800 × 0.13173 ÷ 1000 = 0.105384 → 0.378894 t.
        // Avoided 0.154734 t; 10,000 EUR ÷ 0.154734 t = 64,627.04 EUR/t. Site a has the same tonnes (b emits 0).
        let avoided = 0.154734
        #expect(close(value("cost.eur_per_t_co2_avoided", "reporting"), 10000 / avoided))
        #expect(close(value("cost.eur_per_t_co2_avoided", "reporting", "a"), 6000 / avoided))
        let kpi = try #require(report.kpi("cost.eur_per_t_co2_avoided", period: "reporting"))
        #expect(kpi.unit == .euroPerTonneCO2e)
        #expect(kpi.provenance.formula.contains("co2.avoided_pv_t is not added"))
        #expect(kpi.provenance.factors.map(\.id).contains("natural_gas.hhv"))
        // Site b: green contract, market-based 0 in both periods: nothing avoided.
        let b = try #require(report.kpi("cost.eur_per_t_co2_avoided", period: "reporting", site: "b"))
        #expect(b.value == nil)
        #expect(b.provenance.reason == "no CO2 avoided: Scope 1 + Scope 2 market-based did not fall below the "
            + "baseline (scaled per day); a cost per tonne avoided needs avoided tonnes > 0")
    }

    @Test func simplePayback() throws {
        // The whole of 2024 is 1 year: 10,000 ÷ 62.8973 EUR/year ≈ 158.99 years; site a 6,000 ÷ 86.5685 ≈ 69.31.
        #expect(close(value("cost.payback_years", "reporting"), 10000 / Self.savingPilot))
        #expect(close(value("cost.payback_years", "reporting", "a"), 6000 / Self.savingA))
        let b = try #require(report.kpi("cost.payback_years", period: "reporting", site: "b"))
        #expect(b.value == nil)
        #expect(b.provenance.reason == "the energy cost avoided is not positive (-23.67 EUR): the pilot does not "
            + "pay back from energy savings")
        #expect(report.kpi("cost.payback_years", period: "reporting")?.unit == .years)
    }

    @Test func aPipelineWithoutCostConfigurationHasNoCostRows() throws {
        let report = try runPilot("small", yaml: SmallPilotKPITests.yaml, files: ["data.csv": SmallPilotKPITests.data])
        #expect(!report.kpis.contains { $0.key.hasPrefix("cost.") })
    }

    @Test("a reporting period across two years values each year's part at that year's price")
    func pricesPerYearAcrossAYearBoundary() throws {
        // Baseline 2023-07-01..2024-06-30: 366 days (29 February 2024), 732 kWh → 2 kWh per day.
        // Reporting 2024-07-01..2025-06-30: 184 days in 2024, 181 in 2025.
        // 2024: (2 × 184 − 300) × 0.30 = 68 × 0.30 = 20.4 EUR; 2025: (2 × 181 − 100) × 0.20 = 262 × 0.20 = 52.4 EUR.
        // Total 72.8 EUR. Length 184/366 + 181/365 = 0.998622 years → annual 72.8 ÷ 0.998622;
        // payback 1,000 ÷ that = 13.717 years.
        let yaml = """
            pilot: split
            name: Split
            periods:
              baseline:  { from: 2023-07-01, to: 2024-06-30 }
              reporting: { from: 2024-07-01, to: 2025-06-30 }
            sites: [ { id: a } ]
            sources: [ { path: "*.csv", format: parkimpact-long } ]
            prices:
              electricity: { 2024: 0.30, 2025: 0.20 }
            pilot_cost: 1000
            """
        let data = """
            timestamp,site,series,quantity,value,unit,quality,end
            2023-08-01T00:00:00+02:00,a,ean-a,electricity_offtake,732,kWh,measured,2023-08-02T00:00:00+02:00
            2024-08-01T00:00:00+02:00,a,ean-a,electricity_offtake,300,kWh,measured,2024-08-02T00:00:00+02:00
            2025-02-01T00:00:00+01:00,a,ean-a,electricity_offtake,100,kWh,measured,2025-02-02T00:00:00+01:00
            """
        let report = try runPilot("split", yaml: yaml, files: ["data.csv": data])
        let saving = try #require(report.kpi("cost.energy_avoided_eur", period: "reporting"))
        #expect(close(saving.value, 72.8))
        #expect(saving.provenance.factors.map { "\($0.id) \($0.year) \($0.value)" }
            == ["price.electricity 2024 0.3", "price.electricity 2025 0.2"])
        #expect(close(report.kpi("cost.payback_years", period: "reporting")?.value,
                      1000 / (72.8 / (184.0 / 366 + 181.0 / 365))))
        #expect(close(report.kpi("cost.payback_years", period: "reporting")?.value, 13.717, tolerance: 1e-4))
        // No calendar year lies wholly inside the reporting period: no year rows.
        #expect(report.kpi("cost.energy_avoided_eur", period: "2024") == nil)
        #expect(report.kpi("cost.energy_avoided_eur", period: "2025") == nil)
    }

    @Test("a missing price, pilot cost or baseline data gives null with the reason")
    func nullsWithReasons() throws {
        let yaml = """
            pilot: nulls
            name: Nulls
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites: [ { id: a }, { id: b }, { id: c } ]
            sources: [ { path: "*.csv", format: parkimpact-long } ]
            prices:
              electricity: { 2024: 0.24 }
              gas: { 2023: 0.09 }
            pilot_cost_by_site: { a: 500 }
            """
        let data = """
            timestamp,site,series,quantity,value,unit,quality,end
            2023-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,1000,kWh,measured,2023-01-11T00:00:00+01:00
            2024-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,800,kWh,measured,2024-01-11T00:00:00+01:00
            2023-01-10T00:00:00+01:00,a,gas-a,gas,2000,kWh,measured,2023-01-11T00:00:00+01:00
            2024-01-10T00:00:00+01:00,a,gas-a,gas,1500,kWh,measured,2024-01-11T00:00:00+01:00
            2023-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,500,kWh,measured,2023-03-02T00:00:00+01:00
            2024-03-01T00:00:00+01:00,b,ean-b,electricity_offtake,400,kWh,measured,2024-03-02T00:00:00+01:00
            2024-03-01T00:00:00+01:00,c,gas-c,gas,700,kWh,measured,2024-03-02T00:00:00+01:00
            """
        let report = try runPilot("nulls", yaml: yaml, files: ["data.csv": data])
        let missingGasPrice = "no gas price for 2024: add prices.gas.2024 (EUR per kWh) to pipelines/nulls.yaml; "
            + "a price is never guessed"
        let total = try #require(report.kpi("cost.energy_avoided_eur", period: "reporting"))
        #expect(total.value == nil)
        // Site c's gas has no baseline: the pilot's gas saving would count its 2024 gas against nothing.
        let gapC = "natural gas of site c has data in the reporting period but none in the baseline"
        #expect(total.provenance.reason == gapC + "; " + missingGasPrice)
        // Site b measures no gas: electricity alone, (500 ÷ 365 × 366 − 400) × 0.24 = 24.3288 EUR.
        #expect(close(report.kpi("cost.energy_avoided_eur", period: "reporting", site: "b")?.value,
                      (500.0 / 365 * 366 - 400) * 0.24))
        // Site c has gas only in 2024: no baseline to compare with.
        #expect(report.kpi("cost.energy_avoided_eur", period: "reporting", site: "c")?.provenance.reason
            == "baseline: no natural gas data in this period (0 of 365 expected intervals)")
        let perTonne = try #require(report.kpi("cost.eur_per_t_co2_avoided", period: "reporting"))
        #expect(perTonne.value == nil)
        #expect(perTonne.provenance.reason
            == "no pilot_cost in pipelines/nulls.yaml (total investment of the pilot in EUR); " + gapC)
        #expect(report.kpi("cost.payback_years", period: "reporting")?.provenance.reason
            == "no pilot_cost in pipelines/nulls.yaml (total investment of the pilot in EUR)")
        #expect(report.kpi("cost.eur_per_t_co2_avoided", period: "reporting", site: "b")?.provenance.reason
            == "no pilot_cost_by_site.b in pipelines/nulls.yaml (EUR invested at this site)")
        let paybackA = try #require(report.kpi("cost.payback_years", period: "reporting", site: "a"))
        #expect(paybackA.value == nil)
        #expect(paybackA.provenance.reason == "cost.energy_avoided_eur is null: " + missingGasPrice)
        // Site a's CO2 does not need prices: 500 EUR ÷ avoided tonnes (0.154734 t, as in costPerTonneAvoided).
        let avoided = 0.154734
        #expect(close(report.kpi("cost.eur_per_t_co2_avoided", period: "reporting", site: "a")?.value, 500 / avoided))
    }
}

@Suite struct CostDefinitionTests {
    static let head = """
        pilot: demo
        name: Demo
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: acme }, { id: beta } ]
        sources:
          - { path: "acme/*.csv", format: fluvius, site: acme }

        """

    func errors(_ yaml: String) -> [String] {
        do {
            _ = try DefinitionLoader.parse(yaml: Self.head + yaml, file: "pipelines/demo.yaml", catalogue: .builtIn)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test("prices and pilot cost are read by carrier, year and site")
    func validCostConfiguration() throws {
        let definition = try DefinitionLoader.parse(yaml: Self.head + """
            prices:
              electricity: { 2023: 0.28, 2024: 0.24 }
              gas: { "2024": 0.075 }
            pilot_cost: 120000
            pilot_cost_by_site: { acme: 80000.5 }
            """, file: "pipelines/demo.yaml", catalogue: .builtIn)
        #expect(definition.prices[.electricity] == [2023: 0.28, 2024: 0.24])
        #expect(definition.prices[.gas] == [2024: 0.075])
        #expect(definition.pilotCost == 120000)
        #expect(definition.pilotCostBySite == ["acme": 80000.5])
        #expect(definition.hasCostConfiguration)
    }

    @Test("price and cost errors name line, key path and what is valid")
    func costErrors() {
        #expect(errors("""
            prices:
              electricity: { 2023: 0.28, 24: 0.24 }
              gas: { 2023: cheap, 2024: -0.07 }
              diesel: { 2024: 1.8 }
            pilot_cost: -5
            pilot_cost_by_site: { acme: 1000, nobody: 5, beta: zero }
            """) == [
            "pipelines/demo.yaml:10: prices.electricity.24: \"24\" is not a year; write the year with 4 digits, e.g. 2024",
            "pipelines/demo.yaml:11: prices.gas.2023: \"cheap\" is not a number ≥ 0 (EUR per kWh)",
            "pipelines/demo.yaml:11: prices.gas.2024: \"-0.07\" is not a number ≥ 0 (EUR per kWh)",
            "pipelines/demo.yaml:12: prices.diesel: unknown carrier; known: electricity, gas",
            "pipelines/demo.yaml:13: pilot_cost: \"-5\" is not a positive number (EUR)",
            "pipelines/demo.yaml:14: pilot_cost_by_site.nobody: unknown site \"nobody\"; known: acme, beta",
            "pipelines/demo.yaml:14: pilot_cost_by_site.beta: \"zero\" is not a positive number (EUR)",
        ])
    }

    @Test("a price given per carrier without years, and site costs above the pilot cost, are refused")
    func structuralErrors() {
        #expect(errors("prices:\n  electricity: 0.24\n") == [
            "pipelines/demo.yaml:10: prices.electricity: expected a mapping (key: value lines)",
        ])
        #expect(errors("pilot_cost: 1000\npilot_cost_by_site: { acme: 800, beta: 400 }\n") == [
            "pipelines/demo.yaml:10: pilot_cost_by_site: the sites' costs add up to 1200 EUR, more than pilot_cost "
                + "1000 EUR; correct one of them",
        ])
        #expect(errors("price: { electricity: { 2024: 0.2 } }\n").first?.hasSuffix(
            "price: unknown key; known: pilot, name, language, timezone, periods, sites, sources, factors, prices, "
                + "pilot_cost, pilot_cost_by_site, settings, mobility, targets") == true)
    }
}
