import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Degree days and the weather-normalised gas baseline. Every expected value is worked out by hand in the comments or
/// computed by the independent Python script quoted below (numpy 2.4.6), never by ParkImpact's code.
@Suite struct WeatherKPITests {
    // MARK: Teq and HDD on five days, by hand

    /// Daily means (°C): 2022-12-30 10.0, 12-31 8.0, 2023-01-01 5.0, 01-02 2.0, 01-03 20.0, 01-04 30.0, 01-05 none.
    /// Teq(01-01) = 0.6·5 + 0.3·8 + 0.1·10 = 3 + 2.4 + 1 = 6.4 → HDD 16.5 − 6.4 = 10.1
    /// Teq(01-02) = 0.6·2 + 0.3·5 + 0.1·8 = 1.2 + 1.5 + 0.8 = 3.5 → HDD 13.0
    /// Teq(01-03) = 0.6·20 + 0.3·2 + 0.1·5 = 12 + 0.6 + 0.5 = 13.1 → HDD 3.4
    /// Teq(01-04) = 0.6·30 + 0.3·20 + 0.1·2 = 18 + 6 + 0.2 = 24.2 → HDD max(0, −7.7) = 0
    /// 01-05: no T(d) → missing. Baseline 01-01..01-05: 10.1 + 13.0 + 3.4 + 0 = 26.5 HDD over 4 of 5 days (0.8).
    static let fiveDayYAML = """
        pilot: five
        name: Five days
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-01-05 }
          reporting: { from: 2023-01-06, to: 2023-01-10 }
        sites:
          - { id: a, name: A }
          - { id: b, name: B }
        sources:
          - { path: "temp.csv", format: temperature, site: a }
          - { path: "gas.csv", format: parkimpact-long }
        """
    static let fiveDayTemperatures = """
        date,temp_avg
        2022-12-30,10.0
        2022-12-31,8.0
        2023-01-01,5.0
        2023-01-02,2.0
        2023-01-03,20.0
        2023-01-04,30.0

        """
    static let fiveDayGas = """
        timestamp,site,series,quantity,value,unit,quality
        2023-01-01T12:00:00Z,a,g,gas,100,kWh,measured
        2023-01-02T12:00:00Z,a,g,gas,120,kWh,measured
        2023-01-03T12:00:00Z,a,g,gas,50,kWh,measured

        """

    @Test func teqAndDegreeDaysOnFiveDays() throws {
        let report = try runPilot("five", yaml: Self.fiveDayYAML,
                                  files: ["temp.csv": Self.fiveDayTemperatures, "gas.csv": Self.fiveDayGas])
        #expect(report.rejects.isEmpty)
        for site in [nil, "a", "b"] {  // the weather is the park's: b has no temperature source but the same value
            let hdd = try #require(report.kpi("weather.hdd", period: "baseline", site: site))
            #expect(close(hdd.value, 26.5, tolerance: 1e-12))
            #expect(hdd.unit == .heatingDegreeDays)
            #expect(close(hdd.coverage, 0.8))
            #expect(hdd.flags == [.lowCoverage])
            #expect(hdd.provenance.inputs == ["five/temp.csv"])
            #expect(hdd.provenance.formula.contains("Teq = 0.6·T(d) + 0.3·T(d−1) + 0.1·T(d−2)"))
        }
        // January 2023: the same four days with HDD out of 31.
        #expect(close(report.kpi("weather.hdd", period: "2023-01")?.coverage, 4.0 / 31))
        // Reporting 01-06..01-10: no temperature at all.
        let reporting = try #require(report.kpi("weather.hdd", period: "reporting"))
        #expect(reporting.value == nil)
        #expect(reporting.provenance.reason
            == "no day of this period has daily mean temperatures for the day and the two days before")
        // A 5-day baseline cannot carry a model.
        for key in ["baseline.gas.r2", "baseline.gas.cvrmse", "baseline.gas.nmbe"] {
            let kpi = try #require(report.kpi(key, period: "baseline", site: "a"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason == "the baseline has 5 days (at least 365 needed)")
            #expect(report.kpi(key, period: "baseline", site: "b")?.provenance.reason
                == "no source delivers natural gas for site b")
        }
        #expect(report.kpi("baseline.gas.savings_kwh", period: "reporting", site: "a")?.provenance.reason
            == "no baseline model: the baseline has 5 days (at least 365 needed)")
        // No savings rows outside the reporting period.
        #expect(report.kpi("baseline.gas.savings_kwh", period: "baseline") == nil)
    }

    // MARK: The two models on tiny exact datasets (closed-form OLS)

    /// (HDD, kWh): (0,10) (2,14) (4,22) (6,26) (8,28). x̄ = 4, ȳ = 20; dx = −4 −2 0 2 4; dy = −10 −6 2 6 8.
    /// Sxx = 16+4+0+4+16 = 40, Sxy = 40+12+0+12+32 = 96, Syy = 100+36+4+36+64 = 240.
    /// b = 96/40 = 2.4, a = 20 − 2.4·4 = 10.4; predictions 10.4 15.2 20 24.8 29.6; residuals −0.4 −1.2 2 1.2 −1.6
    /// (Σ = 0); SSres = 0.16+1.44+4+1.44+2.56 = 9.6; R² = 1 − 9.6/240 = 0.96; adjusted R² = 1 − 0.04·4/3 = 0.946667 > 0
    /// → HDD model. CV(RMSE) = √(9.6/(5−2)) / 20 = √3.2 / 20 = 0.0894427; NMBE = 0 / (3·20) = 0.
    @Test func theHDDModelWhenItExplainsTheGas() {
        let fit = KPIEngine.fitGasBaseline([(0, 10), (2, 14), (4, 22), (6, 26), (8, 28)], maximumPValue: 0.1)
        #expect(fit.usesHDD)
        #expect(close(fit.slope, 2.4, tolerance: 1e-12))
        #expect(close(fit.intercept, 10.4, tolerance: 1e-12))
        #expect(fit.parameters == 2)
        #expect(close(fit.r2, 0.96, tolerance: 1e-12))
        #expect(close(fit.hddAdjustedR2, 1 - 0.04 * 4 / 3, tolerance: 1e-12))
        #expect(close(fit.cvrmse, 3.2.squareRoot() / 20, tolerance: 1e-12))
        #expect(abs(fit.nmbe!) < 1e-15)
        #expect(fit.acceptable(PipelineDefinition.Settings()))
        // SE(b) = √(SSres ÷ (n − 2) ÷ Sxx) = √(9.6 ÷ 3 ÷ 40) = √0.08; t = 2.4 ÷ √0.08 = 8.48528137423857.
        // scipy: 2 * stats.t.sf(8.48528137423857, 3) = 0.0034369455005616853 (< 0.1: significant).
        #expect(close(fit.hddTStatistic, 2.4 / 0.08.squareRoot(), tolerance: 1e-12))
        #expect(close(fit.hddPValue, 0.0034369455005616853, tolerance: 1e-9))
    }

    /// (0,10) (1,12) (2,11) (3,14): x̄ = 1.5, ȳ = 11.75; dx = −1.5 −0.5 0.5 1.5; dy = −1.75 0.25 −0.75 2.25;
    /// Sxx = 5, Sxy = 2.625 − 0.125 − 0.375 + 3.375 = 5.5, Syy = 3.0625 + 0.0625 + 0.5625 + 5.0625 = 8.75.
    /// b = 1.1, a = 11.75 − 1.65 = 10.1 (both eligible); SSres = Syy − b·Sxy = 8.75 − 6.05 = 2.7; R² = 6.05/8.75;
    /// adjusted R² = 1 − (2.7/8.75)·3/2 = 0.537142857 > 0, so adjusted R² alone would pick the HDD model. But
    /// SE(b) = √(2.7 ÷ 2 ÷ 5) = √0.27, t = 1.1 ÷ √0.27 = 2.1169509870 with 2 degrees of freedom, and for ν = 2 the
    /// two-sided p-value is 1 − t ÷ √(t² + 2) = 1 − √(t² ÷ (t² + 2)) = 1 − √(4.48148148 ÷ 6.48148148)
    /// = 1 − √0.691428571 = 1 − 0.831521840 = 0.168478 ≥ 0.1 → not significant: intercept-only (CalTRACK).
    @Test func anInsignificantSlopeFallsBackToTheMeanDespiteItsAdjustedR2() {
        let points: [(hdd: Double, kWh: Double)] = [(0, 10), (1, 12), (2, 11), (3, 14)]
        let fit = KPIEngine.fitGasBaseline(points, maximumPValue: 0.1)
        let tSquared = 1.21 / 0.27
        let p = 1 - (tSquared / (tSquared + 2)).squareRoot()
        #expect(!fit.usesHDD)
        #expect(fit.intercept == 11.75)
        #expect(close(fit.hddAdjustedR2, 1 - 2.7 / 8.75 * 1.5, tolerance: 1e-12))
        #expect(close(fit.hddTStatistic, tSquared.squareRoot(), tolerance: 1e-12))
        #expect(close(fit.hddPValue, p, tolerance: 1e-12))
        #expect(close(fit.hddPValue, 0.168478, tolerance: 1e-6))
        #expect(fit.hddNotEligible == "the HDD slope is not significant: p-value 0.168478 ≥ 0.1")
        #expect(fit.description.contains("p-value 0.168478 (two-sided, Student t with n − 2 = 2 degrees of freedom"))
        // With a looser limit (a pipeline setting), the same slope qualifies and adjusted R² picks it.
        let loose = KPIEngine.fitGasBaseline(points, maximumPValue: 0.2)
        #expect(loose.usesHDD)
        #expect(close(loose.slope, 1.1, tolerance: 1e-12))
        #expect(close(loose.intercept, 10.1, tolerance: 1e-12))
    }

    /// (0,10) (2,12) (4,8) (6,12) (8,8): ȳ = 10, dy = 0 2 −2 2 −2, Sxy = 0−4+0+4−8 = −8, b = −8/40 = −0.2 < 0: the HDD
    /// model is not eligible → mean 10. R² = 0; residuals 0 2 −2 2 −2, SSres = 16, CV(RMSE) = √(16/(5−1)) / 10 = 0.2,
    /// NMBE = 0.
    @Test func aNegativeSlopeFallsBackToTheMean() {
        let fit = KPIEngine.fitGasBaseline([(0, 10), (2, 12), (4, 8), (6, 12), (8, 8)], maximumPValue: 0.1)
        #expect(!fit.usesHDD)
        #expect(fit.intercept == 10)
        #expect(fit.parameters == 1)
        #expect(fit.r2 == 0)
        #expect(close(fit.cvrmse, 0.2, tolerance: 1e-12))
        #expect(fit.nmbe == 0)
        #expect(fit.hddNotEligible == "slope b = -0.2 kWh/HDD is not positive")
    }

    /// (0,10) (2,8) (4,12) (6,8) (8,12): dy = 0 −2 2 −2 2, Sxy = 0+4+0−4+8 = 8, b = 0.2, a = 10 − 0.8 = 9.2, Syy = 16;
    /// R² = b·Sxy/Syy = 1.6/16 = 0.1; adjusted R² = 1 − 0.9·4/3 = −0.2 ≤ 0 → intercept-only (its adjusted R² is 0).
    @Test func aWeakPositiveSlopeLosesOnAdjustedR2() {
        let fit = KPIEngine.fitGasBaseline([(0, 10), (2, 8), (4, 12), (6, 8), (8, 12)], maximumPValue: 0.1)
        #expect(!fit.usesHDD)
        #expect(fit.intercept == 10)
        #expect(close(fit.hddAdjustedR2, -0.2, tolerance: 1e-12))
        #expect(fit.r2 == 0)
    }

    /// (0,2) (1,1) (2,0) (3,40): x̄ = 1.5, ȳ = 10.75; dx = −1.5 −0.5 0.5 1.5;
    /// dy = −8.75 −9.75 −10.75 29.25; Sxy = 13.125 + 4.875 − 5.375 + 43.875 = 56.5; Sxx = 5; b = 11.3;
    /// a = 10.75 − 16.95 = −6.2 < 0 → not eligible.
    @Test func aNegativeInterceptIsNotEligible() {
        let fit = KPIEngine.fitGasBaseline([(0, 2), (1, 1), (2, 0), (3, 40)], maximumPValue: 0.1)
        #expect(!fit.usesHDD)
        #expect(fit.hddNotEligible == "intercept a = -6.2 kWh/day is negative")
    }

    // MARK: A synthetic year, checked with numpy

    /// Day i = 0 is 2022-12-30. Temperature (tenths of °C): t10(i) = 220 − (|i mod 365 − 182|·3) div 2 + (37·i mod 41) − 20,
    /// missing when i mod 97 = 50. Gas (kWh/day, site a, from 2023-01-01): 0 when t10 ≥ 180, else
    /// max(0, (170 − t10)·4) + 100 + (53·i mod 31); in 2024 × 9 div 10 (savings); missing when i mod 37 = 5.
    /// The script /tmp/wx/expected.py (numpy.polyfit, in the report) gives:
    ///   baseline HDD 3070.82 over 353 of 365 days; 2024-02: 428.74 over 29 of 29; reporting 3088.76 over 354 of 366
    ///   model: n = 343 (22 missing = 6.0 %, 53 zero-gas days kept), a = 81.62704403669532, b = 43.725471906652466,
    ///   R² = 0.9792824519849674, adjusted 0.979221696712196, CV(RMSE) (n − 2) = 0.09861927200794277, NMBE ≈ −1.4e−16
    ///   savings: reporting 15786.4418108978 over 345 of 366 days; 2024-02 2173.3770931645086 over 28 of 29 days
    ///   refusal variant (gas also missing when i mod 10 = 3): 57 of 365 days missing = 15.616 %
    static func synthetic(extraGasGap: Bool) -> [String: String] {
        let start = CivilDate(year: 2022, month: 12, day: 30)!.dayNumber
        let end = CivilDate(year: 2024, month: 12, day: 31)!.dayNumber
        var temperature = "date,temp_avg\n"
        var gas = "timestamp,site,series,quantity,value,unit,quality\n"
        for i in 0...(end - start) {
            let date = CivilDate(dayNumber: start + i)
            let t10 = 220 - (abs(i % 365 - 182) * 3) / 2 + (i * 37) % 41 - 20
            if i % 97 != 50 {
                temperature += "\(date),\(t10 < 0 ? "-" : "")\(abs(t10) / 10).\(abs(t10) % 10)\n"
            }
            guard i >= 2, i % 37 != 5, !(extraGasGap && i % 10 == 3) else { continue }
            var kWh = t10 >= 180 ? 0 : max(0, (170 - t10) * 4) + 100 + (i * 53) % 31
            if date.year == 2024 { kWh = kWh * 9 / 10 }
            gas += "\(date)T12:00:00Z,a,meter,gas,\(kWh),kWh,measured\n"
        }
        return ["weather/temp.csv": temperature, "gas/gas.csv": gas]
    }

    static let syntheticYAML = """
        pilot: synth
        name: Synthetic
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: A }
          - { id: b, name: B }
        sources:
          - { path: "weather/*.csv", format: temperature, site: a }
          - { path: "gas/*.csv", format: parkimpact-long }
        """

    @Test func aSyntheticBaselineAndItsSavings() throws {
        let report = try runPilot("synth", yaml: Self.syntheticYAML, files: Self.synthetic(extraGasGap: false))
        #expect(report.rejects.isEmpty)
        func kpi(_ key: String, _ period: String, _ site: String? = nil) throws -> KPI {
            try #require(report.kpi(key, period: period, site: site), "\(key) \(period)")
        }
        #expect(close(try kpi("weather.hdd", "baseline").value, 3070.82, tolerance: 1e-12))
        #expect(close(try kpi("weather.hdd", "baseline").coverage, 353.0 / 365))
        #expect(close(try kpi("weather.hdd", "2024-02", "b").value, 428.74, tolerance: 1e-12))
        #expect(close(try kpi("weather.hdd", "reporting").value, 3088.76, tolerance: 1e-12))
        for site in [nil, "a"] {  // the pilot's gas is a's
            let r2 = try kpi("baseline.gas.r2", "baseline", site)
            #expect(close(r2.value, 0.9792824519849674))
            #expect(close(r2.coverage, 343.0 / 365))
            #expect(r2.flags.isEmpty)
            #expect(r2.provenance.formula.contains("chosen: HDD model E = a + b·HDD, a = 81.627 kWh/day, b = 43.7255"))
            #expect(r2.provenance.inputs == ["synth/gas/gas.csv", "synth/weather/temp.csv"])
            #expect(close(try kpi("baseline.gas.cvrmse", "baseline", site).value, 0.09861927200794277))
            #expect(abs(try kpi("baseline.gas.nmbe", "baseline", site).value!) < 1e-12)
            let savings = try kpi("baseline.gas.savings_kwh", "reporting", site)
            #expect(close(savings.value, 15786.4418108978))
            #expect(close(savings.coverage, 345.0 / 366))
            #expect(savings.unit == .kWh)
            let february = try kpi("baseline.gas.savings_kwh", "2024-02", site)
            #expect(close(february.value, 2173.3770931645086))
            #expect(close(february.coverage, 28.0 / 29))
            #expect(close(try kpi("baseline.gas.savings_kwh", "2024", site).value, 15786.4418108978))
        }
        // The gas change beside the savings, recomputed from the generator: the measured one per day over all gas
        // days, and the weather-corrected one over the savings' days (gas and the HDD of the day: T(d), T(d−1),
        // T(d−2) present), prediction = measured + savings.
        let start = CivilDate(year: 2022, month: 12, day: 30)!.dayNumber
        var gasByYear: [Int: Double] = [:], measuredOnModelDays = 0.0
        for i in 2...(CivilDate(year: 2024, month: 12, day: 31)!.dayNumber - start) where i % 37 != 5 {
            let year = CivilDate(dayNumber: start + i).year
            let t10 = 220 - (abs(i % 365 - 182) * 3) / 2 + (i * 37) % 41 - 20
            var kWh = t10 >= 180 ? 0 : max(0, (170 - t10) * 4) + 100 + (i * 53) % 31
            if year == 2024 { kWh = kWh * 9 / 10 }
            gasByYear[year, default: 0] += Double(kWh)
            if year == 2024, [i, i - 1, i - 2].allSatisfy({ $0 % 97 != 50 }) { measuredOnModelDays += Double(kWh) }
        }
        let gas2023 = try #require(gasByYear[2023]), gas2024 = try #require(gasByYear[2024])
        #expect(close(try kpi("energy.gas_kwh", "baseline").value, gas2023))
        #expect(close(try kpi("energy.gas_kwh", "reporting").value, gas2024))
        let measuredChange = try kpi("energy.gas.change_vs_baseline_pct", "reporting")
        #expect(close(measuredChange.value, (gas2024 / 366 - gas2023 / 365) / (gas2023 / 365) * 100))
        #expect(measuredChange.provenance.inputs == ["synth/gas/gas.csv"])
        let corrected = try kpi("baseline.gas.change_weather_corrected_pct", "reporting", "a")
        let predicted = measuredOnModelDays + 15786.4418108978
        #expect(close(corrected.value, -15786.4418108978 / predicted * 100))
        #expect(close(corrected.coverage, 345.0 / 366))
        #expect(corrected.unit == .percent)
        #expect(corrected.provenance.inputs == ["synth/gas/gas.csv", "synth/weather/temp.csv"])
        // Site b has no gas: the model KPIs are null with the reason; savings only for the reporting side.
        #expect(try kpi("baseline.gas.change_weather_corrected_pct", "reporting", "b").provenance.reason
            == "no baseline model: no source delivers natural gas for site b")
        #expect(try kpi("baseline.gas.r2", "baseline", "b").provenance.reason == "no source delivers natural gas for site b")
        #expect(report.kpi("baseline.gas.savings_kwh", period: "2023-05") == nil)
        #expect(report.kpi("baseline.gas.r2", period: "reporting") == nil)
    }

    @Test func moreThanTenPercentMissingBaselineDaysRefusesTheModel() throws {
        let report = try runPilot("synth", yaml: Self.syntheticYAML, files: Self.synthetic(extraGasGap: true))
        let reason = "the baseline has 15.6 % missing days (more than 10 %): 57 of 365 days lack complete gas data "
            + "or degree days"
        for key in ["baseline.gas.r2", "baseline.gas.cvrmse", "baseline.gas.nmbe"] {
            let kpi = try #require(report.kpi(key, period: "baseline", site: "a"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason == reason)
        }
        let savings = try #require(report.kpi("baseline.gas.savings_kwh", period: "2024-02"))
        #expect(savings.value == nil)
        #expect(savings.provenance.reason == "no baseline model: " + reason)
    }

    @Test func aPilotWithoutTemperatureHasNoWeatherRows() throws {
        let report = try runPilot("five", yaml: """
            pilot: five
            name: Five
            periods:
              baseline:  { from: 2023-01-01, to: 2023-01-05 }
              reporting: { from: 2023-01-06, to: 2023-01-10 }
            sites:
              - { id: a, name: A }
            sources:
              - { path: "gas.csv", format: parkimpact-long }
            """, files: ["gas.csv": Self.fiveDayGas])
        #expect(!report.kpis.contains { $0.key.hasPrefix("weather.") || $0.key.hasPrefix("baseline.gas.") })
    }
    // MARK: Complete gas days

    /// Hourly gas in Europe/Brussels: 2023-03-25 has 24 hours, 03-26 (spring change) 23, 10-29 (autumn change) 25.
    /// Site a: 03-25 24 of 24 (complete), 03-26 23 of 23 (complete), 03-27 23 of 24 (incomplete), 10-29 25 of 25
    /// (complete), 10-30 24 of 24 summing to 0 kWh (a real zero: complete). Site b: 03-25 complete, 03-26 22 of 23.
    /// Pilot: a day counts only when every gas series is complete: 03-25 (a 24 + b 10 = 34 kWh), 03-27 is out (a
    /// incomplete), 03-26 is out (b incomplete), 10-29 and 10-30 (b has no cell those days: out).
    @Test func aGasDayIsCompleteWhenEveryIntervalOfTheLocalDayIsPresent() throws {
        func cell(_ present: Int32, _ sum: Double) -> DayCell {
            var cell = DayCell()
            cell.present = present
            cell.sum = sum
            return cell
        }
        func day(_ iso: String) -> Int { CivilDate(iso: iso)!.dayNumber }
        let a = SeriesData(key: SeriesKey(site: "a", quantity: .gas, meter: "ga"), intervalSeconds: 3600, days: [
            day("2023-03-25"): cell(24, 24), day("2023-03-26"): cell(23, 23), day("2023-03-27"): cell(23, 23),
            day("2023-10-29"): cell(25, 25), day("2023-10-30"): cell(24, 0),
        ], inputs: [])
        let b = SeriesData(key: SeriesKey(site: "b", quantity: .gas, meter: "gb"), intervalSeconds: 3600, days: [
            day("2023-03-25"): cell(24, 10), day("2023-03-26"): cell(22, 9),
        ], inputs: [])
        let engine = KPIEngine(definition: try definition(), series: [a, b], rejects: [], catalogue: .builtIn)
        let siteA = engine.dailyGas(site: "a", from: day("2023-03-01"), to: day("2023-10-31"))
        #expect(siteA.kWh == [day("2023-03-25"): 24, day("2023-03-26"): 23, day("2023-10-29"): 25, day("2023-10-30"): 0])
        let pilot = engine.dailyGas(site: nil, from: day("2023-03-01"), to: day("2023-10-31"))
        #expect(pilot.kWh == [day("2023-03-25"): 34])
    }

    // MARK: Real data: EnergyID's daily gas sample

    /// EnergyID's sample (OpenEnergyID data/mvlr/sample_gas.json): 365 days 2021-04-03..2022-04-02 of daily gas (kWh)
    /// and the equivalent temperature Teq. ParkImpact reads daily means T, so the test inverts Teq into T
    /// (T(d) = (Teq(d) − 0.3·T(d−1) − 0.1·T(d−2)) ÷ 0.6, T = Teq(first day) for the two days before; stable since the
    /// roots of 0.6z² + 0.3z + 0.1 have modulus 0.41) and ParkImpact must find the sample's Teq again. Python/numpy on
    /// the sample itself (HDD = max(0, 16.5 − Teq)):
    ///   Σ HDD 2181.66; 2021-12: 339.79 (31 days); 14 days of 0 kWh (kept: zero gas is not missing);
    ///   polyfit: a = 2.016983235443443, b = 8.404242695499363, R² = 0.839274142221303 (adjusted 0.8388313712632349),
    ///   CV(RMSE) (n − 2) = 0.34658407476632275 > 0.25 → model_not_acceptable; NMBE ≈ 1.5e−16.
    @Test
    func energyIDGasSample() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: samplePath(
            "energyid_openenergyid_mvlr_sample_gas_daily_temperatureEquivalent.json")))) as! [String: Any]
        let frame = json["frame"] as! [String: Any]
        let index = frame["index"] as! [String], rows = frame["data"] as! [[Double]]
        var temperatures = "date,temp_avg\n", gas = "timestamp,site,series,quantity,value,unit,quality\n"
        var t = [rows[0][1], rows[0][1]]
        let first = CivilDate(iso: String(index[0].prefix(10)))!.dayNumber
        temperatures += "\(CivilDate(dayNumber: first - 2)),\(t[0])\n\(CivilDate(dayNumber: first - 1)),\(t[1])\n"
        for (stamp, row) in zip(index, rows) {
            let next = (row[1] - 0.3 * t[t.count - 1] - 0.1 * t[t.count - 2]) / 0.6
            t.append(next)
            temperatures += "\(stamp.prefix(10)),\(next)\n"
            gas += "\(stamp),p,sample,gas,\(row[0]),kWh,measured\n"
        }
        let report = try runPilot("energyid", yaml: """
            pilot: energyid
            name: EnergyID sample
            periods:
              baseline:  { from: 2021-04-03, to: 2022-04-02 }
              reporting: { from: 2022-04-03, to: 2022-04-30 }
            sites:
              - { id: p, name: P }
            sources:
              - { path: "t.csv", format: temperature, site: p }
              - { path: "g.csv", format: parkimpact-long }
            """, files: ["t.csv": temperatures, "g.csv": gas])
        #expect(report.rejects.isEmpty)
        #expect(close(report.kpi("weather.hdd", period: "baseline")?.value, 2181.66, tolerance: 1e-9))
        #expect(close(report.kpi("weather.hdd", period: "2021-12")?.value, 339.79, tolerance: 1e-9))
        let r2 = try #require(report.kpi("baseline.gas.r2", period: "baseline"))
        #expect(close(r2.value, 0.839274142221303, tolerance: 1e-9))
        #expect(r2.coverage == 1)
        #expect(r2.flags == [.modelNotAcceptable])
        #expect(r2.provenance.formula.contains("a = 2.01698 kWh/day, b = 8.40424 kWh/HDD"))
        #expect(close(report.kpi("baseline.gas.cvrmse", period: "baseline")?.value, 0.34658407476632275, tolerance: 1e-9))
        #expect(abs(report.kpi("baseline.gas.nmbe", period: "baseline")!.value!) < 1e-12)
        // The reporting month has no data: no savings, with the reason.
        let savings = try #require(report.kpi("baseline.gas.savings_kwh", period: "reporting"))
        #expect(savings.value == nil)
        #expect(savings.provenance.reason == "no day of this period has both complete gas data and degree days")
        #expect(savings.coverage == 0)
    }
}

// MARK: CalTRACK window and pipeline settings

extension WeatherKPITests {
    /// The synthetic data (from 2022-12-30) with a two-year baseline 2022-01-01..2023-12-31: the model uses only the
    /// last 365 days before the reporting period, 2023-01-01..2023-12-31 — exactly the one-year model above (n = 343,
    /// R² 0.9792824519849674, coverage 343/365). Over all 730 days, 2022 (no data) would be missing: 387 of 730
    /// days = 53 % > 10 %, and the model would be refused.
    @Test func theModelUsesTheLast365DaysBeforeTheReportingPeriod() throws {
        let yaml = Self.syntheticYAML.replacingOccurrences(of: "baseline:  { from: 2023-01-01",
                                                           with: "baseline:  { from: 2022-01-01")
        let report = try runPilot("synth", yaml: yaml, files: Self.synthetic(extraGasGap: false))
        let r2 = try #require(report.kpi("baseline.gas.r2", period: "baseline", site: "a"))
        #expect(close(r2.value, 0.9792824519849674))
        #expect(close(r2.coverage, 343.0 / 365))
        #expect(r2.provenance.formula.contains("the last 365 days of the baseline period before the reporting "
            + "period, here 2023-01-01 – 2023-12-31 (365 days)"))
        #expect(r2.provenance.formula.contains("n = 343 days, p = 2; HDD slope t = "))
        #expect(close(report.kpi("baseline.gas.savings_kwh", period: "reporting", site: "a")?.value, 15786.4418108978))
    }

    /// A baseline that ends after the reporting period starts: the window ends the day before the reporting period.
    /// Baseline 2023-01-01..2024-06-30, reporting 2024-01-01..2024-12-31 → window 2023-01-01..2023-12-31: again the
    /// one-year model.
    @Test func theWindowEndsBeforeTheReportingPeriod() throws {
        let yaml = Self.syntheticYAML.replacingOccurrences(of: "to: 2023-12-31 }", with: "to: 2024-06-30 }")
        let report = try runPilot("synth", yaml: yaml, files: Self.synthetic(extraGasGap: false))
        let r2 = try #require(report.kpi("baseline.gas.r2", period: "baseline", site: "a"))
        #expect(close(r2.value, 0.9792824519849674))
        #expect(r2.provenance.formula.contains("here 2023-01-01 – 2023-12-31 (365 days)"))
    }

    @Test func thresholdsArePipelineSettings() throws {
        // Missing share 15.616 % (57 of 365 days): refused at the default 10 %, accepted at 20 %.
        let loose = try runPilot("synth", yaml: Self.syntheticYAML + "\nsettings: { baseline_max_missing_share: 0.2 }\n",
                                 files: Self.synthetic(extraGasGap: true))
        let r2 = try #require(loose.kpi("baseline.gas.r2", period: "baseline", site: "a"))
        #expect(r2.value != nil)
        #expect(r2.provenance.reason == nil)
        #expect(close(r2.coverage, (365.0 - 57) / 365))
        #expect(r2.provenance.formula.contains("with at most 20 % missing days"))

        // CV(RMSE) 0.0986 of the synthetic model: acceptable at 25 %, not at 5 %. Coverage threshold 0.97: the
        // baseline HDD (353/365 = 0.967) and the model (343/365 = 0.940) are flagged low_coverage.
        let strict = try runPilot("synth", yaml: Self.syntheticYAML + """

            settings:
              baseline_max_cvrmse: 0.05
              baseline_max_abs_nmbe: 0.01
              coverage_threshold: 0.97

            """, files: Self.synthetic(extraGasGap: false))
        let cvrmse = try #require(strict.kpi("baseline.gas.cvrmse", period: "baseline", site: "a"))
        #expect(close(cvrmse.value, 0.09861927200794277))
        #expect(cvrmse.flags == [.lowCoverage, .modelNotAcceptable])
        #expect(cvrmse.provenance.formula.contains("CV(RMSE) ≤ 5 % and |NMBE| ≤ 1 %, else flag model_not_acceptable"))
        #expect(strict.kpi("weather.hdd", period: "baseline")?.flags == [.lowCoverage])
        // Savings: coverage 345/366 = 0.943 < 0.97, and the model is not acceptable.
        #expect(strict.kpi("baseline.gas.savings_kwh", period: "reporting", site: "a")?.flags
            == [.lowCoverage, .modelNotAcceptable])
        // The defaults: no flag on the same data.
        let defaults = try runPilot("synth", yaml: Self.syntheticYAML, files: Self.synthetic(extraGasGap: false))
        #expect(defaults.kpi("weather.hdd", period: "baseline")?.flags == [])
        #expect(defaults.kpi("baseline.gas.cvrmse", period: "baseline", site: "a")?.flags == [])
    }
}
