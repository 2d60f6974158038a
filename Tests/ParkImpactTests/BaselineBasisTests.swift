import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactKPIs
@testable import ParkImpactReports

/// One basis for every change against the baseline: values per day, so that periods of different length compare
/// (a half-year baseline against a leap year here), and the baseline's files in the change's provenance.
///
/// Baseline 2023-01-01…2023-06-30: 181 days; reporting 2024: 366 days. Site a (grey contract): gas 1,000 kWh and
/// offtake 200 kWh in the baseline file, gas 1,500 kWh and offtake 300 kWh in the reporting file; water 10 m³ and
/// 18 m³. Per day: gas 1000 ÷ 181 = 5.524862 and 1500 ÷ 366 = 4.098361 kWh → (4.098361 − 5.524862) ÷ 5.524862 =
/// −25.8197 %; on the totals it would read +50 %.
@Suite struct BaselineBasisTests {
    static let yaml = """
        pilot: basis
        name: "Basis"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-06-30 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: "A", electricity_contract: grey }
        sources:
          - { path: "*.csv", format: parkimpact-long }
        """

    static let baseline = """
        timestamp,site,series,quantity,value,unit,quality,end
        2023-02-01T00:00:00+01:00,a,gas-a,gas,1000,kWh,measured,2023-02-02T00:00:00+01:00
        2023-02-01T00:00:00+01:00,a,ean-a,electricity_offtake,200,kWh,measured,2023-02-02T00:00:00+01:00
        2023-05-01T00:00:00+02:00,a,water-a,water,10,m3,measured,2023-05-02T00:00:00+02:00
        """

    static let reporting = """
        timestamp,site,series,quantity,value,unit,quality,end
        2024-02-01T00:00:00+01:00,a,gas-a,gas,1500,kWh,measured,2024-02-02T00:00:00+01:00
        2024-02-01T00:00:00+01:00,a,ean-a,electricity_offtake,300,kWh,measured,2024-02-02T00:00:00+01:00
        2024-05-01T00:00:00+02:00,a,water-a,water,18,m3,measured,2024-05-02T00:00:00+02:00
        """

    let report: PilotReport

    init() throws {
        report = try runPilot("basis", yaml: Self.yaml, files: ["2023.csv": Self.baseline, "2024.csv": Self.reporting])
    }

    func kpi(_ key: String) throws -> KPI {
        try #require(report.kpi(key, period: "reporting", site: nil), "\(key)")
    }

    @Test func gasChangeIsPerDay() throws {
        let change = try kpi("energy.gas.change_vs_baseline_pct")
        #expect(close(change.value, (1500.0 / 366 - 1000.0 / 181) / (1000.0 / 181) * 100))  // −25.8197 %
        #expect(change.unit == .percent)
        #expect(change.provenance.inputs == ["basis/2023.csv", "basis/2024.csv"])
    }

    @Test func waterChangeIsPerDay() throws {
        let change = try kpi("water.change_vs_baseline_pct")
        #expect(close(change.value, (18.0 / 366 - 10.0 / 181) / (10.0 / 181) * 100))  // −10.9836 %
        #expect(change.provenance.inputs == ["basis/2023.csv", "basis/2024.csv"])
    }

    /// E = Scope 1 + Scope 2 market-based, both from the catalogue's factors by year (read here from the catalogue,
    /// not from the KPIs): the change is per day and its provenance lists the baseline's file too.
    @Test func co2ChangeIsPerDayAndCitesTheBaselineFiles() throws {
        let catalogue = FactorCatalogue.builtIn
        func factor(_ id: String, _ year: Int) throws -> Double { try #require(catalogue.pick(id, year: year)).factor.value }
        let before = (1000 * (try factor("natural_gas.hhv", 2023)) + 200 * (try factor("electricity.market.grey", 2023))) / 1000
        let after = (1500 * (try factor("natural_gas.hhv", 2024)) + 300 * (try factor("electricity.market.grey", 2024))) / 1000
        let change = try kpi("co2.change_vs_baseline_pct")
        #expect(close(change.value, (after / 366 - before / 181) / (before / 181) * 100))
        #expect(change.provenance.inputs == ["basis/2023.csv", "basis/2024.csv"])
        // The baseline's factors are cited as well as the reporting period's.
        for id in ["natural_gas.hhv", "electricity.market.grey"] {
            let year = try #require(catalogue.pick(id, year: 2023)).factor.year
            #expect(change.provenance.factors.contains { $0.id == id && $0.year == year }, "\(id) \(year)")
        }
        #expect(change.provenance.formula.contains("d = days in the period (366 and 181)"))
    }

    /// The report's cards compare per day too, and say so once.
    @Test func cardsComparePerDay() throws {
        let html = HTMLReport.render(report)
        // Gas card: (1500 ÷ 366 − 1000 ÷ 181) ÷ (1000 ÷ 181) = −25.8 %.
        #expect(html.contains("<span class=\"arrow\" aria-hidden=\"true\">▼</span> \u{2212}25.8\u{00A0}% vs baseline"))
        #expect(html.contains("<p class=\"notes\">Changes against the baseline compare averages per day: the baseline "
            + "period has 181 days, the reporting period 366.</p>"))
    }
}
