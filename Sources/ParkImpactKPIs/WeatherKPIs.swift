import Foundation
import ParkImpactModel
import ParkImpactDefinition

/// Weather normalisation (Belgium) and the weather-normalised gas baseline (ISO 50006 EnPI, IPMVP option C, CalTRACK
/// daily methods, ASHRAE Guideline 14 statistics):
///
/// - `weather.hdd`: Σ over the period's local days of max(0, 16.5 °C − Teq), Teq = 0.6·T(d) + 0.3·T(d−1) + 0.1·T(d−2)
///   from the daily mean temperatures of the pilot's first temperature series by key (the weather is the park's:
///   every site gets the pilot's value).
/// - `baseline.gas.r2` / `.cvrmse` / `.nmbe` (baseline period) and `baseline.gas.savings_kwh` (reporting period and
///   the years and months inside it): daily gas (kWh) of the scope regressed on the day's HDD.
extension KPIEngine {
    /// Base temperature of Belgian heating degree days (°C).
    static let hddBaseTemperature = 16.5
    /// Baseline length (CalTRACK daily methods): the model uses at most the last 365 days of the baseline period
    /// before the reporting period, and needs all of them (at most `settings.baseline_max_missing_share` missing).
    /// The missing share, the ASHRAE Guideline 14 acceptance limits and the HDD slope's p-value limit are pipeline
    /// settings (`PipelineDefinition.Settings`, defaults 10 %, CV(RMSE) 25 %, |NMBE| 10 %, p < 0.1).
    static let baselineModelDays = 365

    func weatherKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.temperature]) else { return [] }
        var result = [degreeDaysKPI(period: period, site: site)]
        if period.kind == .baseline {
            result.append(contentsOf: baselineModelKPIs(period: period, site: site))
        }
        let reporting = periods[1]
        if period.kind == .reporting
            || (period.kind != .baseline && period.firstDay >= reporting.firstDay && period.lastDay <= reporting.lastDay) {
            result.append(contentsOf: savingsKPIs(period: period, site: site))
        }
        return result
    }

    // MARK: Degree days

    /// The temperature series used for the whole pilot: the first by key.
    struct WeatherStation {
        let series: IndexedSeries
        let others: [SeriesKey]

        var note: String {
            "daily mean temperature T of station \(series.key.meter) (source of site \(series.key.site))"
                + (others.isEmpty ? "" : "; the pilot has \(others.count + 1) temperature series: the first by key is used, "
                    + "not " + others.map { "\($0.meter) (\($0.site))" }.joined(separator: ", "))
        }
    }

    var weatherStation: WeatherStation? {
        let all = seriesOf(.temperature, site: nil).sorted { $0.key < $1.key }
        guard let first = all.first else { return nil }
        return WeatherStation(series: first, others: all.dropFirst().map(\.key))
    }

    /// HDD of each day in `from...to` whose Teq can be formed (T of the day and the two days before present).
    func degreeDays(_ station: WeatherStation, from: Int, to: Int) -> [Int: Double] {
        var mean: [Int: Double] = [:]
        for (day, cell) in station.series.dayCells(from: from - 2, to: to) where cell.present > 0 {
            mean[day] = cell.sum / Double(cell.present)
        }
        var result: [Int: Double] = [:]
        guard from <= to else { return result }
        for day in from...to {
            guard let t0 = mean[day], let t1 = mean[day - 1], let t2 = mean[day - 2] else { continue }
            let teq = 0.6 * t0 + 0.3 * t1 + 0.1 * t2
            result[day] = max(0, Self.hddBaseTemperature - teq)
        }
        return result
    }

    func temperatureInputs(_ station: WeatherStation, from: Int, to: Int) -> Set<String> {
        let span = ReportPeriod(key: "", kind: .month, firstDay: from - 2, lastDay: to)
        return Set(station.series.inputs.filter { $0.overlaps(span) }.map(\.file))
    }

    static let degreeDayFormula = "Σ over the local days of the period of max(0, 16.5 °C − Teq), "
        + "Teq = 0.6·T(d) + 0.3·T(d−1) + 0.1·T(d−2); a day without T(d), T(d−1) or T(d−2) is missing (not 0); "
        + "coverage = days with HDD ÷ days in the period"

    func degreeDaysKPI(period: ReportPeriod, site: String?) -> KPI {
        let station = weatherStation!
        let hdd = degreeDays(station, from: period.firstDay, to: period.lastDay)
        let days = period.lastDay - period.firstDay + 1
        let coverage = Double(hdd.count) / Double(days)
        let formula = Self.degreeDayFormula + "; " + station.note
            + (site == nil ? "" : "; the weather is the park's: every site has the pilot's value")
        let inputs = temperatureInputs(station, from: period.firstDay, to: period.lastDay).sorted()
        guard !hdd.isEmpty else {
            return KPI(key: "weather.hdd", period: period.key, site: site, value: nil, unit: .heatingDegreeDays,
                       coverage: coverage, flags: [], provenance: Provenance(
                           inputs: inputs, formula: formula,
                           reason: .noDegreeDays))
        }
        let total = hdd.keys.sorted().reduce(0.0) { $0 + hdd[$1]! }
        return KPI(key: "weather.hdd", period: period.key, site: site, value: total, unit: .heatingDegreeDays,
                   coverage: coverage, flags: coverageFlags(coverage),
                   provenance: Provenance(inputs: inputs, formula: formula))
    }

    // MARK: Daily gas

    struct DailyGas {
        /// kWh of each complete day (every gas series of the scope has all its intervals that day).
        var kWh: [Int: Double] = [:]
        var seriesCount = 0
        var inputs: Set<String> = []
    }

    /// The scope's gas per local day in `from...to`, complete days only. A day is complete when every gas series of
    /// the scope has as many present intervals as the day holds (23, 24 or 25 hours ÷ interval; 1 for a daily
    /// series). A complete day of 0 kWh is a real 0 (gas: zero days are not missing).
    func dailyGas(site: String?, from: Int, to: Int) -> DailyGas {
        var result = DailyGas()
        let all = seriesOf(.gas, site: site)
        result.seriesCount = all.count
        let span = ReportPeriod(key: "", kind: .month, firstDay: from, lastDay: to)
        var sums: [Int: (kWh: Double, complete: Int)] = [:]
        for entry in all {
            result.inputs.formUnion(entry.inputs.filter { $0.overlaps(span) }.map(\.file))
            for (day, cell) in entry.dayCells(from: from, to: to) {
                let complete: Bool
                if entry.interval >= 82_800 {
                    complete = cell.present >= 1 && cell.missing == 0
                } else if entry.interval > 0 {
                    complete = Int64(cell.present) >= table.secondsIn(day: day) / Int64(entry.interval)
                } else {
                    complete = cell.present > 0 && cell.missing == 0
                }
                guard complete else { continue }
                sums[day, default: (0, 0)].kWh += cell.sum
                sums[day, default: (0, 0)].complete += 1
            }
        }
        for (day, value) in sums where value.complete == all.count { result.kWh[day] = value.kWh }
        return result
    }

    // MARK: Baseline model

    /// A fitted daily gas model: intercept-only (E = a) or HDD (E = a + b·HDD).
    struct GasBaselineFit: Equatable {
        var usesHDD: Bool
        var intercept: Double
        var slope: Double
        var n: Int
        /// Parameters (1 or 2): the n − p degrees of freedom of ASHRAE Guideline 14.
        var parameters: Int
        var mean: Double
        var r2: Double
        /// nil when the mean is 0.
        var cvrmse: Double?
        var nmbe: Double?
        /// The HDD model's adjusted R² (nil when it was not eligible) and why it was not eligible.
        var hddAdjustedR2: Double?
        var hddNotEligible: String?
        /// The HDD slope's t statistic b ÷ SE(b) and its two-sided p-value (Student t, n − 2 degrees of freedom), when
        /// the slope could be estimated.
        var hddTStatistic: Double?
        var hddPValue: Double?
        /// The p-value limit the HDD model had to meet.
        var maximumPValue: Double = 0.1

        func predict(_ hdd: Double) -> Double { usesHDD ? intercept + slope * hdd : intercept }

        func acceptable(_ settings: PipelineDefinition.Settings) -> Bool {
            guard let cvrmse, let nmbe else { return false }
            return cvrmse <= settings.baselineMaxCVRMSE && abs(nmbe) <= settings.baselineMaxAbsNMBE
        }

        var significance: String {
            guard let hddPValue, let hddTStatistic else { return "" }
            return "; HDD slope t = \(format(hddTStatistic)), p-value \(format(hddPValue)) (two-sided, Student t with "
                + "n − 2 = \(n - 2) degrees of freedom; the HDD model qualifies only with p < \(format(maximumPValue)))"
        }

        var description: String {
            let model = usesHDD
                ? "HDD model E = a + b·HDD, a = \(format(intercept)) kWh/day, b = \(format(slope)) kWh/HDD"
                : "intercept-only model E = a = \(format(intercept)) kWh/day (mean)"
            let why = usesHDD
                ? "adjusted R² \(format(hddAdjustedR2 ?? 0)) > 0 (intercept-only)"
                : hddNotEligible.map { "HDD model not eligible: \($0)" }
                    ?? "HDD model adjusted R² \(format(hddAdjustedR2 ?? 0)) ≤ 0 (intercept-only)"
            return "chosen: \(model) (\(why)); n = \(n) days, p = \(parameters)" + significance
        }

        private func format(_ value: Double) -> String { String(format: "%.6g", value) }
    }

    /// Fits both models by ordinary least squares and picks by adjusted R² (intercept-only: 0). The HDD model is
    /// eligible only with b > 0 and a ≥ 0 (CalTRACK: coefficients ≥ 0; b = 0 is the intercept-only model) and a
    /// significant slope: the two-sided p-value of t = b ÷ SE(b), SE(b) = √(SS_res ÷ (n − 2) ÷ Sxx), from Student's t
    /// with n − 2 degrees of freedom, below `maximumPValue` (CalTRACK: 0.1).
    static func fitGasBaseline(_ points: [(hdd: Double, kWh: Double)], maximumPValue: Double) -> GasBaselineFit {
        let n = points.count
        let meanX = points.reduce(0.0) { $0 + $1.hdd } / Double(n)
        let meanY = points.reduce(0.0) { $0 + $1.kWh } / Double(n)
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for point in points {
            let dx = point.hdd - meanX, dy = point.kWh - meanY
            sxx += dx * dx
            sxy += dx * dy
            syy += dy * dy
        }
        var fit = GasBaselineFit(usesHDD: false, intercept: meanY, slope: 0, n: n, parameters: 1, mean: meanY, r2: 0,
                                 cvrmse: nil, nmbe: nil, maximumPValue: maximumPValue)
        if n < 3 {
            fit.hddNotEligible = "fewer than 3 days"
        } else if sxx == 0 {
            fit.hddNotEligible = "the degree days do not vary over the baseline"
        } else if syy == 0 {
            fit.hddNotEligible = "the daily gas use does not vary over the baseline"
        } else {
            let b = sxy / sxx, a = meanY - b * meanX
            var ssResHDD = 0.0
            for point in points {
                let residual = point.kWh - (a + b * point.hdd)
                ssResHDD += residual * residual
            }
            let standardError = (ssResHDD / Double(n - 2) / sxx).squareRoot()
            let t = standardError > 0 ? b / standardError : (b > 0 ? Double.infinity : -Double.infinity)
            let pValue = Statistics.twoSidedPValue(t: t, degreesOfFreedom: Double(n - 2))
            fit.hddTStatistic = t
            fit.hddPValue = pValue
            if b <= 0 {
                fit.hddNotEligible = "slope b = \(String(format: "%.6g", b)) kWh/HDD is not positive"
            } else if a < 0 {
                fit.hddNotEligible = "intercept a = \(String(format: "%.6g", a)) kWh/day is negative"
            } else {
                let r2 = 1 - ssResHDD / syy
                let adjusted = 1 - (1 - r2) * Double(n - 1) / Double(n - 2)
                fit.hddAdjustedR2 = adjusted
                if !(pValue < maximumPValue) {
                    fit.hddNotEligible = "the HDD slope is not significant: p-value \(String(format: "%.6g", pValue)) "
                        + "≥ \(String(format: "%.6g", maximumPValue))"
                } else if adjusted > 0 {
                    fit.usesHDD = true
                    fit.intercept = a
                    fit.slope = b
                    fit.parameters = 2
                    fit.r2 = r2
                }
            }
        }
        var ssRes = 0.0, sumResiduals = 0.0
        for point in points {
            let residual = point.kWh - fit.predict(point.hdd)
            ssRes += residual * residual
            sumResiduals += residual
        }
        if meanY != 0, n > fit.parameters {
            let degrees = Double(n - fit.parameters)
            fit.cvrmse = (ssRes / degrees).squareRoot() / meanY
            fit.nmbe = sumResiduals / (degrees * meanY)
        }
        return fit
    }

    /// The scope's baseline model, or why there is none.
    struct BaselineModel {
        var fit: GasBaselineFit?
        var reason: KPIReason?
        var days: Int
        var inputs: Set<String>
        var coverage: Double?

        init(fit: GasBaselineFit? = nil, reason: KPIReason? = nil, days: Int, inputs: Set<String>,
             coverage: Double? = nil) {
            self.fit = fit
            self.reason = reason
            self.days = days
            self.inputs = inputs
            self.coverage = coverage
        }
    }

    /// The days the baseline model uses (CalTRACK): the last `baselineModelDays` days of the baseline period that
    /// lie before the reporting period; nil when the baseline period has no day before the reporting period.
    var baselineModelWindow: (firstDay: Int, lastDay: Int)? {
        let baseline = periods[0], reporting = periods[1]
        let last = min(baseline.lastDay, reporting.firstDay - 1)
        guard last >= baseline.firstDay else { return nil }
        return (max(baseline.firstDay, last - Self.baselineModelDays + 1), last)
    }

    /// `2023-01-01 – 2023-12-31 (365 days)`: the model window for formulas.
    var baselineWindowText: String {
        guard let window = baselineModelWindow else { return "none" }
        return "\(CivilDate(dayNumber: window.firstDay)) – \(CivilDate(dayNumber: window.lastDay)) "
            + "(\(window.lastDay - window.firstDay + 1) days)"
    }

    /// The flag of a model outside the ASHRAE Guideline 14 limits.
    static let notAcceptable = KPIFlag.modelNotAcceptable

    func gasBaselineModel(site: String?) -> BaselineModel {
        let settings = definition.settings
        let baseline = periods[0]
        guard let window = baselineModelWindow else {
            return BaselineModel(reason: .baselineBeforeReporting(first: baseline.first, last: baseline.last), days: 0,
                                 inputs: [])
        }
        let days = window.lastDay - window.firstDay + 1
        let station = weatherStation!
        let hdd = degreeDays(station, from: window.firstDay, to: window.lastDay)
        let gas = dailyGas(site: site, from: window.firstDay, to: window.lastDay)
        let inputs = gas.inputs.union(temperatureInputs(station, from: window.firstDay, to: window.lastDay))
        var model = BaselineModel(days: days, inputs: inputs)
        if gas.seriesCount == 0 {
            model.reason = .noSource(.naturalGas, site: site)
            return model
        }
        let usable = gas.kWh.keys.filter { hdd[$0] != nil }.sorted()
        model.coverage = Double(usable.count) / Double(days)
        if days < Self.baselineModelDays {
            model.reason = .baselineDays(days: days, needed: Self.baselineModelDays)
            return model
        }
        let missing = days - usable.count
        let missingShare = Double(missing) / Double(days)
        if missingShare > settings.baselineMaxMissingShare {
            model.reason = .baselineMissingDays(share: missingShare,
                                                allowed: percentText(settings.baselineMaxMissingShare),
                                                missing: missing, days: days)
            return model
        }
        model.fit = Self.fitGasBaseline(usable.map { (hdd[$0]!, gas.kWh[$0]!) },
                                        maximumPValue: settings.baselineHDDMaxPValue)
        return model
    }

    /// `10 %`, `12.5 %`: a threshold for formulas and reasons.
    func percentText(_ ratio: Double) -> String {
        let percent = (ratio * 100 * 1_000_000).rounded() / 1_000_000
        return (percent == percent.rounded() ? String(Int(percent)) : String(percent)) + " %"
    }

    /// How the model is built, with the pipeline's thresholds.
    var modelFormula: String {
        let settings = definition.settings
        return "daily gas (kWh, sum of the scope's gas series on days where every series is complete) regressed on "
            + "the day's HDD by ordinary least squares over the model window's days with complete gas and HDD "
            + "(zero-gas days count); model window (CalTRACK): the last \(Self.baselineModelDays) days of the baseline "
            + "period before the reporting period, here \(baselineWindowText), with at most "
            + "\(percentText(settings.baselineMaxMissingShare)) missing days; intercept-only (E = a) vs HDD model "
            + "(E = a + b·HDD, eligible only with b > 0, a ≥ 0 and a significant slope: two-sided p-value of "
            + "t = b ÷ SE(b) with n − 2 degrees of freedom < \(String(format: "%.6g", settings.baselineHDDMaxPValue))), "
            + "chosen by adjusted R² (intercept-only: 0)"
    }

    func baselineModelKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        let model = gasBaselineModel(site: site)
        let inputs = model.inputs.sorted()
        let definitions: [(key: String, formula: String, value: (GasBaselineFit) -> Double?)] = [
            ("baseline.gas.r2", "R² = 1 − Σ(measured − predicted)² ÷ Σ(measured − mean)² of the chosen model "
                + "(0 for intercept-only)", { $0.r2 }),
            ("baseline.gas.cvrmse", "CV(RMSE) = √(Σ(measured − predicted)² ÷ (n − p)) ÷ mean daily gas, n − p degrees "
                + "of freedom (ASHRAE Guideline 14, p = 1 intercept-only, 2 HDD model)", { $0.cvrmse }),
            ("baseline.gas.nmbe", "NMBE = Σ(measured − predicted) ÷ ((n − p) × mean daily gas) (ASHRAE Guideline 14; "
                + "≈ 0 for an ordinary least squares fit with an intercept)", { $0.nmbe }),
        ]
        let settings = self.definition.settings
        let thresholds = "acceptance (ASHRAE Guideline 14, daily model): CV(RMSE) ≤ "
            + "\(percentText(settings.baselineMaxCVRMSE)) and |NMBE| ≤ \(percentText(settings.baselineMaxAbsNMBE)), "
            + "else flag model_not_acceptable"
        return definitions.map { definition in
            var formula = definition.formula + "; " + modelFormula + "; " + thresholds
            guard let fit = model.fit else {
                return KPI(key: definition.key, period: period.key, site: site, value: nil, unit: .ratio,
                           coverage: model.coverage, flags: [],
                           provenance: Provenance(inputs: inputs, formula: formula, reason: model.reason))
            }
            formula += "; " + fit.description + "; " + weatherStation!.note
            let value = definition.value(fit)
            let flags = coverageFlags(model.coverage) + (fit.acceptable(settings) ? [] : [Self.notAcceptable])
            return KPI(key: definition.key, period: period.key, site: site, value: value, unit: .ratio,
                       coverage: model.coverage, flags: flags,
                       provenance: Provenance(inputs: inputs, formula: formula,
                                              reason: value == nil ? .zeroMeanBaselineGas : nil))
        }
    }

    // MARK: Savings

    /// `baseline.gas.savings_kwh` and `baseline.gas.change_weather_corrected_pct` over the same days.
    func savingsKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        let key = "baseline.gas.savings_kwh", changeKey = "baseline.gas.change_weather_corrected_pct"
        let model = gasBaselineModel(site: site)
        let station = weatherStation!
        let hdd = degreeDays(station, from: period.firstDay, to: period.lastDay)
        let gas = dailyGas(site: site, from: period.firstDay, to: period.lastDay)
        let inputs = model.inputs.union(gas.inputs)
            .union(temperatureInputs(station, from: period.firstDay, to: period.lastDay)).sorted()
        let used = gas.kWh.keys.filter { hdd[$0] != nil }.sorted()
        let coverage = gas.seriesCount == 0 ? nil : Double(used.count) / Double(period.days)
        let days = "over the period's days with complete gas data and HDD; days without them are left out (not "
            + "filled: coverage = days used ÷ days in the period); "
        var formula = "Σ of (baseline model prediction − measured gas kWh) " + days + modelFormula
        var changeFormula = "(Σ measured gas kWh − Σ baseline model prediction) ÷ Σ baseline model prediction × 100 "
            + days + "the prediction is the baseline's gas use under the period's weather, so this is the gas change "
            + "corrected for the weather (energy.gas.change_vs_baseline_pct is the measured one); " + modelFormula
        func null(_ reason: KPIReason) -> [KPI] {
            [KPI(key: key, period: period.key, site: site, value: nil, unit: .kWh, coverage: coverage, flags: [],
                 provenance: Provenance(inputs: inputs, formula: formula, reason: reason)),
             KPI(key: changeKey, period: period.key, site: site, value: nil, unit: .percent, coverage: coverage,
                 flags: [], provenance: Provenance(inputs: inputs, formula: changeFormula, reason: reason))]
        }
        guard let fit = model.fit else { return null(.within(.noBaselineModel, model.reason ?? .noDataAtAll)) }
        formula += "; " + fit.description + "; " + station.note
        changeFormula += "; " + fit.description + "; " + station.note
        guard !used.isEmpty else { return null(.noGasAndDegreeDays) }
        let predicted = used.reduce(0.0) { $0 + fit.predict(hdd[$1]!) }
        let measured = used.reduce(0.0) { $0 + gas.kWh[$1]! }
        let savingsValue = used.reduce(0.0) { $0 + fit.predict(hdd[$1]!) - gas.kWh[$1]! }
        let flags = coverageFlags(coverage) + (fit.acceptable(definition.settings) ? [] : [Self.notAcceptable])
        let savings = KPI(key: key, period: period.key, site: site, value: savingsValue, unit: .kWh,
                          coverage: coverage, flags: flags, provenance: Provenance(inputs: inputs, formula: formula))
        guard predicted > 0 else {
            return [savings, KPI(key: changeKey, period: period.key, site: site, value: nil, unit: .percent,
                                 coverage: coverage, flags: [],
                                 provenance: Provenance(inputs: inputs, formula: changeFormula,
                                                        reason: .zeroMeanBaselineGas))]
        }
        let change = KPI(key: changeKey, period: period.key, site: site, value: (measured - predicted) / predicted * 100,
                         unit: .percent, coverage: coverage, flags: flags,
                         provenance: Provenance(inputs: inputs, formula: changeFormula))
        return [savings, change]
    }
}

extension IndexedSeries {
    /// The days in `from...to` with their cells, in day order.
    func dayCells(from: Int, to: Int) -> [(day: Int, cell: DaySummary)] {
        let slice = cells(from: from, to: to)
        return slice.indices.map { (days[$0], slice[$0]) }
    }
}
