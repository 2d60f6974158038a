import Foundation
import Synchronization
public import ParkImpactModel
public import ParkImpactDefinition

/// Computes the KPIs of one pilot from its merged series: for `baseline`, `reporting`, each calendar year and each
/// month spanned by them, per site and for the pilot total. Every value carries its provenance.
public struct KPIEngine: Sendable {
    public let definition: PipelineDefinition
    public let catalogue: FactorCatalogue
    let table: LocalTimeTable
    let series: [IndexedSeries]
    /// `series` by scope (a site or all, one quantity or all metered ones) and the quantities present: asked per
    /// period × scope × family, so looked up, not scanned.
    let seriesByScope: [Scope: [IndexedSeries]]
    let quantities: Set<Quantity>
    let rejects: [Reject]
    /// `definition.citedFile`, built once (factor overrides cite it in every emission KPI).
    let citedFile: String
    /// Sites with a green electricity contract (asked per series, so looked up rather than searched).
    let greenSites: Set<String>
    /// The `kwh_per_m3` of the gas inputs, cited by the KPIs that use their gas.
    let gasConversions: GasConversions
    /// The series' input files in `String` order, for the sorted input lists of the KPIs (`sortedInputs`).
    let inputOrder: InputOrder

    public init(definition: PipelineDefinition, series: [SeriesData], rejects: [Reject], catalogue: FactorCatalogue) {
        self.init(definition: definition, indexed: series.map(IndexedSeries.init), rejects: rejects,
                  catalogue: catalogue)
    }

    /// The engine over series already in day order (`PipelineRun.mergeAndBuild`).
    package init(definition: PipelineDefinition, indexed: [IndexedSeries], rejects: [Reject], catalogue: FactorCatalogue) {
        self.definition = definition
        self.catalogue = catalogue
        greenSites = Set(definition.sites.filter { $0.electricityContract == .green }.map(\.id))
        table = LocalTimeTable.cached(definition.timezone)!
        series = indexed
        var byScope: [Scope: [IndexedSeries]] = [:]
        for entry in indexed {
            let quantity = entry.key.quantity
            for site in [nil, entry.key.site] {
                byScope[Scope(site: site, quantity: quantity), default: []].append(entry)
                if quantity.hasCoverage { byScope[Scope(site: site, quantity: nil), default: []].append(entry) }
            }
        }
        seriesByScope = byScope
        quantities = Set(indexed.map(\.key.quantity))
        self.rejects = rejects
        citedFile = definition.citedFile
        gasConversions = GasConversions(definition: definition, series: indexed)
        inputOrder = InputOrder(indexed)
    }

    /// `files.sorted()`, the list of input files a KPI's provenance gives (`InputOrder`).
    func sortedInputs(_ files: Set<String>) -> [String] {
        inputOrder.sorted(files)
    }

    /// The input files of several KPIs or totals together, sorted: `Set(lists.joined()).sorted()`. Every list of
    /// inputs is sorted without two equal texts, so when the non-empty lists are all one array (the same storage,
    /// as the KPIs built from one `Totals` have), the union is that array.
    func unionOfInputs(_ lists: [[String]]) -> [String] {
        var only: [String] = []
        for list in lists where !list.isEmpty {
            if only.isEmpty {
                only = list
            } else if !Self.sameStorage(only, list) {
                return sortedInputs(Set(lists.joined()))
            }
        }
        return only
    }

    /// Whether two arrays are one array: the same storage.
    static func sameStorage(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { a.baseAddress == $0.baseAddress } }
    }

    // MARK: Periods

    /// baseline, reporting, then every calendar year and month from the first to the last day of either.
    public var periods: [ReportPeriod] {
        let baseline = definition.baseline, reporting = definition.reporting
        var result = [
            ReportPeriod(key: "baseline", kind: .baseline, firstDay: baseline.from.dayNumber, lastDay: baseline.to.dayNumber),
            ReportPeriod(key: "reporting", kind: .reporting, firstDay: reporting.from.dayNumber,
                         lastDay: reporting.to.dayNumber),
        ]
        let first = min(baseline.from, reporting.from), last = max(baseline.to, reporting.to)
        for year in first.year...last.year {
            result.append(ReportPeriod(key: "\(year)", kind: .year, firstDay: CivilDate.dayNumber(year: year, month: 1, day: 1),
                                       lastDay: CivilDate.dayNumber(year: year, month: 12, day: 31)))
        }
        var year = first.year, month = first.month
        while (year, month) <= (last.year, last.month) {
            let start = CivilDate(year: year, month: month, day: 1)!
            result.append(ReportPeriod(
                key: start.monthKey, kind: .month, firstDay: start.dayNumber,
                lastDay: CivilDate.dayNumber(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))))
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return result
    }

    // MARK: KPIs

    /// All KPIs: by period (in `periods` order), then pilot total, then sites in definition order, then key.
    ///
    /// Each period × scope is computed on its own (the engine is immutable), on up to `threads` cores
    /// (`ConcurrentMap`; within a batch the pilot-wide jobs first), and the parts are joined in that order: the same
    /// KPIs for any number of threads. Their repeated texts and lists are shared (`KPISharing`) as each part is done.
    public func compute(threads: Int? = nil) -> [KPI] {
        let scopes: [String?] = [nil] + definition.sites.map(\.id)
        let periods = self.periods
        let sharing = KPISharing()
        let jobs = periods.count * scopes.count
        // In batches, each appended then freed: the KPIs are held once, not once in parts and again in the result
        // (73,000 KPIs of a 200-site park are 12 MB). The first batch sizes the result; pages reserved beyond what
        // is written are never touched.
        let batch = 64
        var result: [KPI] = []
        for start in stride(from: 0, to: jobs, by: batch) {
            let end = min(jobs, start + batch)
            // A batch's pilot-wide jobs (every site's series: the longest) start first, so that no core is left
            // with one of them at the end of the batch while the other waits; the parts are joined in job order.
            let offsets = 0..<(end - start)
            let order = offsets.filter { (start + $0) % scopes.count == 0 }
                + offsets.filter { (start + $0) % scopes.count != 0 }
            let computed = ConcurrentMap.map(order.count, threads: threads) { position in
                let job = start + order[position]
                return sharing.share(kpis(period: periods[job / scopes.count], site: scopes[job % scopes.count]))
            }
            var parts = [[KPI]](repeating: [], count: order.count)
            for (position, offset) in order.enumerated() { parts[offset] = computed[position] }
            let count = parts.reduce(0) { $0 + $1.count }
            if start == 0 { result.reserveCapacity(count * jobs / max(1, end) * 5 / 4 + 64) }
            for part in parts { result.append(contentsOf: part) }
        }
        return result
    }

    /// Every family's KPIs for one period and scope. A family adds rows only when the pilot has data of its kind
    /// (`hasSeries`), so a pilot without waste sources gets no column of null waste KPIs; within a pilot that has
    /// them, a site without them gets null values with a reason.
    func kpis(period: ReportPeriod, site: String?) -> [KPI] {
        let family = gasConversions.cite(
            energyAndEmissionKPIs(period: period, site: site)
                + wasteKPIs(period: period, site: site)
                + waterKPIs(period: period, site: site)
                + mobilityKPIs(period: period, site: site)
                + weatherKPIs(period: period, site: site)
                + costKPIs(period: period, site: site),
            period: period)
        // The ESRS data points repeat and combine the cited KPIs above (their factors included).
        return family + esrsKPIs(period: period, site: site, family: family)
            + gasConversions.cite(quality(period: period, site: site), period: period)
    }

    /// Whether any series of the pilot measures one of `quantities`.
    func hasSeries(_ quantities: Set<Quantity>) -> Bool {
        !self.quantities.isDisjoint(with: quantities)
    }

    /// A site (nil: all) and a quantity (nil: all metered quantities, those with coverage).
    struct Scope: Hashable {
        let site: String?
        let quantity: Quantity?
    }

    /// The scope's series of one quantity (all sites when `site` is nil), in `series` order.
    func seriesOf(_ quantity: Quantity, site: String?) -> [IndexedSeries] {
        seriesByScope[Scope(site: site, quantity: quantity)] ?? []
    }

    func energyAndEmissionKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        var result: [KPI] = []
        let offtake = totals(.electricityOfftake, period, site)
        let injection = totals(.electricityInjection, period, site)
        let gas = totals(.gas, period, site)
        result.append(energy("energy.electricity.offtake_kwh", offtake, period, site, what: .gridOfftake))
        result.append(energy("energy.electricity.injection_kwh", injection, period, site, what: .gridInjection))
        // PV and on-site use: only in pilots with PV data (matched per interval by the PV matching stage).
        let selfConsumed = totals(.electricitySelfConsumed, period, site)
        let hasPV = hasSeries([.pvProduction])
        if hasPV {
            result.append(contentsOf: pvKPIs(period: period, site: site, offtake: offtake, selfConsumed: selfConsumed))
        }
        if hasSeries([.electricityPeak]) {
            result.append(peakKPI(period: period, site: site))
        }
        result.append(energy("energy.gas_kwh", gas, period, site, what: .naturalGasHHV))
        result.append(contentsOf: energyMixKPIs(period: period, site: site, offtake: offtake, gas: gas,
                                                selfConsumed: selfConsumed))
        let scope1 = emissions(
            "co2.scope1_t", gas, period, site, factorFor: { _ in "natural_gas.hhv" },
            formula: "Σ over consumption years: gas kWh (HHV) × natural_gas.hhv factor of that year ÷ 1000")
        let location = emissions(
            "co2.scope2_location_t", offtake, period, site, factorFor: { _ in "electricity.location" },
            formula: "Σ over consumption years: grid offtake kWh × electricity.location factor of that year ÷ 1000")
        let market = emissions(
            "co2.scope2_market_t", offtake, period, site,
            factorFor: { siteID in
                greenSites.contains(siteID) ? "electricity.market.green" : "electricity.market.grey"
            },
            formula: "Σ over sites and consumption years: grid offtake kWh × market-based factor ÷ 1000; grey contract: "
                + "electricity.market.grey (residual mix), green contract (guarantees of origin): electricity.market.green")
        result.append(contentsOf: [scope1, location, market])
        if period.kind == .reporting {
            result.append(changeVsBaseline(site: site, reporting: period, scope1: scope1, market: market))
            if hasSeries([.gas]) { result.append(gasChangeVsBaseline(gas, period, site)) }
        }
        if hasPV {
            result.append(avoidedPV(period: period, site: site, selfConsumed: selfConsumed))
        }
        return result
    }

    // MARK: Totals

    struct Totals {
        var sum = 0.0
        var sumByYear: [Int: Double] = [:]
        var sumBySiteYear: [String: [Int: Double]] = [:]
        var present = 0
        var estimated = 0
        var expected = 0.0
        var seriesCount = 0
        /// The input files of the series summed; set by `KPIEngine.totals` only, with `sortedInputs`.
        fileprivate(set) var inputs: Set<String> = []
        /// `inputs` in order, the provenance of the KPIs built from these totals: sorted once for all of them (a
        /// pilot's totals can list thousands of files), and one array that `KPISharing` finds by its storage.
        fileprivate(set) var sortedInputs: [String] = []
        /// PV series (and the series derived from them) count expected intervals from their first day only; when
        /// they all start after the period, their earliest first day (for the reason of a null value).
        var startsAfterPeriod: Int?

        /// Σ over the series with present intervals of (the series' estimated ÷ present intervals) × |its sum|, and
        /// Σ |its sum|: the estimated share weighted by the series' energy (`estimatedShare`).
        var estimatedWeighted = 0.0
        var estimatedWeight = 0.0

        /// Present days of daily series spread over a register gap: they count in `present` (their values are
        /// estimated) but not in the coverage.
        var filled = 0

        var coverage: Double? { expected > 0 ? min(1, Double(present - filled) / expected) : nil }
        /// The share of the value resting on estimates: per series estimated ÷ present intervals, weighted by the
        /// series' energy (|sum| in the period), so that an hourly gas meter and a quarter-hourly electricity meter,
        /// or a large and a small site, count by what they contribute, not by their number of intervals. Without
        /// energy (all sums 0): estimated ÷ present intervals pooled. nil without present intervals.
        var estimatedShare: Double? { Self.estimatedShare(of: [self]) }

        /// The energy-weighted estimated share of several totals together (a KPI built from several carriers).
        static func estimatedShare(of parts: [Totals]) -> Double? {
            let present = parts.reduce(0) { $0 + $1.present }
            guard present > 0 else { return nil }
            let weight = parts.reduce(0.0) { $0 + $1.estimatedWeight }
            if weight > 0 { return parts.reduce(0.0) { $0 + $1.estimatedWeighted } / weight }
            return Double(parts.reduce(0) { $0 + $1.estimated }) / Double(present)
        }
    }

    /// How `quality`-style estimated shares of summed KPIs are computed, for formulas.
    static let estimatedShareNote = "estimated share: per input series estimated ÷ present intervals, weighted by "
        + "the series' energy in the period"

    /// The scope's series of one quantity, or (nil) all metered series: event records have no coverage.
    func scopeSeries(_ quantity: Quantity?, _ site: String?) -> [IndexedSeries] {
        seriesByScope[Scope(site: site, quantity: quantity)] ?? []
    }

    /// Sums of one quantity over the scope's series, split by consumption year (for factors picked by year).
    /// `including` narrows the scope to some sites (green-contract offtake, sites without PV).
    func totals(_ quantity: Quantity?, _ period: ReportPeriod, _ site: String?,
                including: (String) -> Bool = { _ in true }) -> Totals {
        var totals = Totals()
        let periodSeconds = Double(table.startOfDay(period.lastDay + 1) - table.startOfDay(period.firstDay))
        let periodDays = period.lastDay - period.firstDay + 1
        let firstYear = period.first.year, lastYear = period.last.year
        // The series come in key order, site first: the sums by year, of all and of the current site, are added in
        // local arrays by year (the same additions in the same order as into the dictionaries, without two hashed
        // lookups per series and year), a site's put into `sumBySiteYear` when the site changes, the pilot's at the
        // end; a year gets a key once a series has been added. Series of one file name it once in a row: inserted
        // once.
        let years = lastYear - firstYear + 1
        var yearSums = [Double](repeating: 0, count: years)
        var anyYear = false
        var siteSums = [Double](repeating: 0, count: years)
        var siteAdded = false
        var currentSite: String?
        var lastInput: String?
        func putBack() {
            guard let currentSite, siteAdded else { return }
            var byYear: [Int: Double] = [:]
            for offset in 0..<years { byYear[firstYear + offset] = siteSums[offset] }
            totals.sumBySiteYear[currentSite] = byYear
        }
        for entry in scopeSeries(quantity, site) where including(entry.key.site) {
            if entry.key.site != currentSite {
                putBack()
                currentSite = entry.key.site
                let earlier = totals.sumBySiteYear[entry.key.site]
                for offset in 0..<years { siteSums[offset] = earlier?[firstYear + offset] ?? 0 }
                siteAdded = earlier != nil
            }
            totals.seriesCount += 1
            var seconds = periodSeconds, days = periodDays
            if entry.countsFromFirstDay, let first = entry.days.first, first > period.firstDay {
                // A PV installation did not exist before its first reading (commissioning): not missing data.
                guard first <= period.lastDay else {
                    totals.startsAfterPeriod = min(totals.startsAfterPeriod ?? first, first)
                    continue
                }
                seconds = Double(table.startOfDay(period.lastDay + 1) - table.startOfDay(first))
                days = period.lastDay - first + 1
            }
            for input in entry.inputs where input.overlaps(period) && input.file != lastInput {
                totals.inputs.insert(input.file)
                lastInput = input.file
            }
            var seriesSum = 0.0, seriesPresent = 0, seriesEstimated = 0
            defer {
                if seriesPresent > 0 {
                    totals.estimatedWeighted += Double(seriesEstimated) / Double(seriesPresent) * abs(seriesSum)
                    totals.estimatedWeight += abs(seriesSum)
                }
            }
            for year in firstYear...lastYear {
                let from = max(period.firstDay, CivilDate.dayNumber(year: year, month: 1, day: 1))
                let to = min(period.lastDay, CivilDate.dayNumber(year: year, month: 12, day: 31))
                let part = entry.totals(from: from, to: to)
                totals.sum += part.sum
                yearSums[year - firstYear] += part.sum
                siteSums[year - firstYear] += part.sum
                anyYear = true
                siteAdded = true
                let present = Int(entry.interval > 0 ? part.present : part.daysPresent)
                totals.present += present
                if entry.interval >= 82_800 { totals.filled += Int(part.filled) }
                totals.estimated += Int(part.estimated)
                seriesSum += part.sum
                seriesPresent += present
                seriesEstimated += Int(part.estimated)
            }
            // Daily (or longer) series: count days, since local days last 23, 24 or 25 hours.
            totals.expected += entry.interval >= 82_800 ? Double(days) * 86_400 / Double(max(86_400, entry.interval))
                : entry.interval > 0 ? seconds / Double(entry.interval) : Double(days)
        }
        putBack()
        if anyYear {
            for offset in 0..<years { totals.sumByYear[firstYear + offset] = yearSums[offset] }
        }
        totals.sortedInputs = inputOrder.sorted(totals.inputs)
        return totals
    }

    func coverageFlags(_ coverage: Double?) -> [KPIFlag] {
        guard let coverage, coverage < definition.settings.coverageThreshold else { return [] }
        return [.lowCoverage]
    }

    func energy(_ key: String, _ totals: Totals, _ period: ReportPeriod, _ site: String?, what: ReasonSubject,
                note: String? = nil) -> KPI {
        let formula = "sum of \(what.rawValue) over the intervals whose local start lies in the period, all meters of "
            + "the scope; missing intervals are not filled (coverage shows them)" + (note.map { "; " + $0 } ?? "")
            + "; " + Self.estimatedShareNote
        if let reason = missingReason(totals, what: what, site: site) {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .kWh, coverage: totals.coverage,
                       flags: [], provenance: Provenance(inputs: totals.sortedInputs, formula: formula, reason: reason))
        }
        return KPI(key: key, period: period.key, site: site, value: totals.sum, unit: .kWh, coverage: totals.coverage,
                   estimatedShare: totals.estimatedShare,
                   flags: coverageFlags(totals.coverage),
                   provenance: Provenance(inputs: totals.sortedInputs, formula: formula))
    }

    /// Codes `no_source`, `data_not_started`, `no_data_in_period`.
    func missingReason(_ totals: Totals, what: ReasonSubject, site: String?) -> KPIReason? {
        if totals.seriesCount == 0 {
            return .noSource(what, site: site)
        }
        if totals.present == 0, totals.expected == 0, let start = totals.startsAfterPeriod {
            return .dataStartLater(what, date: CivilDate(dayNumber: start))
        }
        if totals.present == 0 {
            return .noData(what, expected: Int(totals.expected.rounded()))
        }
        return nil
    }

    func emissions(
        _ key: String, _ totals: Totals, _ period: ReportPeriod, _ site: String?, factorFor: (String) -> String,
        formula: String, what: ReasonSubject? = nil
    ) -> KPI {
        let formula = formula + "; " + Self.estimatedShareNote
        if let reason = missingReason(totals, what: what ?? (key.hasPrefix("co2.scope1") ? .naturalGas : .gridOfftake),
                                      site: site) {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .tonnesCO2e,
                       coverage: totals.coverage, flags: [],
                       provenance: Provenance(inputs: totals.sortedInputs, formula: formula, reason: reason))
        }
        var tonnes = 0.0
        var used: [FactorReference] = []
        for (siteID, byYear) in totals.sumBySiteYear.sorted(by: { $0.key < $1.key }) {
            for (year, kWh) in byYear.sorted(by: { $0.key < $1.key }) {
                let picked = catalogue.pick(factorFor(siteID), year: year, overrides: definition.factorOverrides,
                                            overrideFile: citedFile)!
                tonnes += kWh * picked.factor.value / 1000
                let reference = FactorReference(picked)
                if !used.contains(reference) { used.append(reference) }
            }
        }
        return KPI(key: key, period: period.key, site: site, value: tonnes, unit: .tonnesCO2e,
                   coverage: totals.coverage, estimatedShare: totals.estimatedShare,
                   flags: coverageFlags(totals.coverage),
                   provenance: Provenance(inputs: totals.sortedInputs, factors: used, formula: formula))
    }

    func changeVsBaseline(site: String?, reporting: ReportPeriod, scope1: KPI, market: KPI) -> KPI {
        let key = "co2.change_vs_baseline_pct"
        let baselinePeriod = periods[0]
        let formula = "(E_reporting ÷ d_reporting − E_baseline ÷ d_baseline) ÷ (E_baseline ÷ d_baseline) × 100, "
            + "E = co2.scope1_t + co2.scope2_market_t, d = days in the period (\(reporting.days) and "
            + "\(baselinePeriod.days)): emissions per day, so periods of different length compare; a carrier a site "
            + "has no source for counts as 0 in both periods; a carrier of a site with data in one period but none in "
            + "the other makes the change null (never counted as 0)"
        // The baseline side: the same family for the baseline period, computed once for both keys.
        let baselineKPIs = energyAndEmissionKPIs(period: baselinePeriod, site: site)
        let baseline1 = baselineKPIs.first { $0.key == scope1.key }!
        let baselineMarket = baselineKPIs.first { $0.key == market.key }!
        let parts = [scope1, market, baseline1, baselineMarket]
        let inputs = unionOfInputs(parts.map(\.provenance.inputs))
        var factors: [FactorReference] = []
        for factor in parts.flatMap(\.provenance.factors) where !factors.contains(factor) { factors.append(factor) }
        func total(_ a: KPI, _ b: KPI) -> Double? {
            a.value == nil && b.value == nil ? nil : (a.value ?? 0) + (b.value ?? 0)
        }
        let coverages = parts.filter { $0.value != nil }.compactMap(\.coverage)
        let coverage = coverages.min()
        // Code `part_missing_in_period`: a carrier of a site present in one period only.
        let gaps = comparisonGaps([(.gas, .naturalGas), (.electricityOfftake, .gridOfftake)], site: site,
                                  baselinePeriod, reporting)
        if !gaps.isEmpty {
            return KPI(key: key, period: reporting.key, site: site, value: nil, unit: .percent,
                       coverage: coverage, flags: [],
                       provenance: Provenance(inputs: inputs, factors: factors, formula: formula,
                                              reason: KPIReason.joined(gaps)))
        }
        guard let now = total(scope1, market), let before = total(baseline1, baselineMarket), before > 0 else {
            return KPI(key: key, period: reporting.key, site: site, value: nil, unit: .percent,
                       coverage: coverage, flags: [],
                       provenance: Provenance(inputs: inputs, factors: factors, formula: formula,
                                              reason: .noEmissions))
        }
        return KPI(key: key, period: reporting.key, site: site,
                   value: Self.changePerDay(now, days: reporting.days, baseline: before, days: baselinePeriod.days),
                   unit: .percent, coverage: coverage, flags: coverageFlags(coverage),
                   provenance: Provenance(inputs: inputs, factors: factors, formula: formula))
    }

    /// `energy.gas.change_vs_baseline_pct`: the measured gas per day against the baseline's, not corrected for the
    /// weather (`baseline.gas.change_weather_corrected_pct` is, beside it in the report).
    func gasChangeVsBaseline(_ reporting: Totals, _ period: ReportPeriod, _ site: String?) -> KPI {
        let key = "energy.gas.change_vs_baseline_pct"
        let baselinePeriod = periods[0]
        let formula = "(G_reporting ÷ d_reporting − G_baseline ÷ d_baseline) ÷ (G_baseline ÷ d_baseline) × 100, G = "
            + "energy.gas_kwh of the scope in the period, d = days in the period (\(period.days) and "
            + "\(baselinePeriod.days)); measured gas, not corrected for the weather (see "
            + "baseline.gas.change_weather_corrected_pct); missing intervals are not filled in either period"
        let baseline = totals(.gas, baselinePeriod, site)
        let inputs = unionOfInputs([reporting.sortedInputs, baseline.sortedInputs])
        let coverage = [reporting.coverage, baseline.coverage].compactMap { $0 }.min()
        var reason: KPIReason?
        if let missing = missingReason(reporting, what: .naturalGasHHV, site: site) {
            reason = missing
        } else if let missing = missingReason(baseline, what: .naturalGasHHV, site: site) {
            reason = missing
        } else if case let gaps = comparisonGaps([(.gas, .naturalGas)], site: site, baselinePeriod, period),
                  !gaps.isEmpty {
            reason = KPIReason.joined(gaps)
        } else if baseline.sum <= 0 {
            reason = .within(.kpi("energy.gas_kwh"), .zeroDivisor(field: "baseline gas"))
        }
        if let reason {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .percent, coverage: coverage,
                       flags: [], provenance: Provenance(inputs: inputs, formula: formula, reason: reason))
        }
        let change = Self.changePerDay(reporting.sum, days: period.days, baseline: baseline.sum,
                                       days: baselinePeriod.days)
        return KPI(key: key, period: period.key, site: site, value: change, unit: .percent, coverage: coverage,
                   flags: coverageFlags(coverage), provenance: Provenance(inputs: inputs, formula: formula))
    }

    /// The change in percent of a quantity per day: (now ÷ days − baseline ÷ baselineDays) ÷ (baseline ÷
    /// baselineDays) × 100. Every `…change_vs_baseline_pct` uses it, as the cost KPIs scale the baseline per day.
    package static func changePerDay(_ now: Double, days: Int, baseline: Double, days baselineDays: Int) -> Double {
        let perDayNow = now / Double(days), perDayBefore = baseline / Double(baselineDays)
        return (perDayNow - perDayBefore) / perDayBefore * 100
    }

    func quality(period: ReportPeriod, site: String?) -> [KPI] {
        let all = totals(nil, period, site)
        let coverageFormula = "present intervals ÷ expected intervals (period length ÷ interval length) over all "
            + "series of the scope" + (hasSeries([.pvProduction])
                ? "; a PV production series counts from its first day (commissioning), and the series derived from "
                    + "it by PV matching do not count again" : "")
        // Only series that start after the period (a PV installation commissioned later): nothing was expected.
        let notStarted = all.expected == 0 && all.present == 0 ? all.startsAfterPeriod : nil
        let coverageReason: KPIReason? = all.seriesCount == 0 ? .noSeries
            : notStarted.map { .noSeriesStarted(date: CivilDate(dayNumber: $0)) }
        let coverageKPI = KPI(
            key: "quality.coverage", period: period.key, site: site,
            value: coverageReason != nil ? nil : all.coverage ?? 0,
            unit: .ratio, coverage: all.coverage, flags: coverageFlags(all.coverage),
            provenance: Provenance(inputs: all.sortedInputs, formula: coverageFormula, reason: coverageReason))
        let estimatedKPI = KPI(
            key: "quality.estimated_share", period: period.key, site: site,
            value: all.present > 0 ? Double(all.estimated) / Double(all.present) : nil, unit: .ratio,
            coverage: all.coverage, flags: [],
            provenance: Provenance(inputs: all.sortedInputs,
                                   formula: "estimated intervals ÷ present intervals over all series of the scope",
                                   reason: all.present > 0 ? nil : .noDataAtAll))
        let count = rejects.filter { reject in
            (site == nil || reject.site == site)
                && (reject.day.map(period.contains(day:)) ?? (period.kind == .reporting))
        }.rowCount
        let rejectedKPI = KPI(
            key: "quality.rejected_rows", period: period.key, site: site, value: Double(count), unit: .rows,
            coverage: nil, flags: [],
            provenance: Provenance(
                inputs: sortedInputs(Set(rejects.filter { site == nil || $0.site == site }.map(\.file))),
                formula: "rows of the scope's files in rejects.csv whose date lies in the period (rows without a "
                    + "readable date count in the reporting period)"))
        return [coverageKPI, estimatedKPI, rejectedKPI]
    }

    // MARK: Report inputs

    public var lastDataDate: CivilDate? {
        series.compactMap(\.lastPresentDay).max().map(CivilDate.init(dayNumber:))
    }
}

/// One copy of each text and list that the KPIs of a pilot repeat. Formulas, reasons, inputs and flags are built per
/// KPI, mostly the same ones over and over (every site and period of a key has the same formula, every key of a
/// site and period the same inputs); the KPIs keep references to shared copies instead, so the list of KPIs takes a
/// fraction of the memory. Used from every worker of `KPIEngine.compute`, hence the lock.
///
/// Texts are matched by their UTF-8 bytes (`SameBytes`), not as `String`s: that is cheaper than Unicode-aware
/// hashing and comparison, and a text is only ever replaced by one with exactly its bytes.
final class KPISharing: Sendable {
    private struct Pool {
        var texts: Set<SameBytes<String>> = []
        var lists: Set<SameBytes<[String]>> = []
        /// The shared lists by the address of their elements' storage. `lists` keeps them, so no other array has
        /// that storage while the pool lives: an array with the same storage is the shared list itself (the many
        /// KPIs built from one `Totals` hand in one array), found without hashing its texts.
        var listsByStorage: [Int: [String]] = [:]
        var flagLists: Set<[KPIFlag]> = []
        var reasons: Set<KPIReason> = []

        mutating func text(_ text: String) -> String {
            text.utf8.count <= 15 ? text : texts.insert(SameBytes(text)).memberAfterInsert.value  // else inline
        }

        /// Null reasons are values in boxes (an indirect enum): equal ones share one box.
        mutating func reason(_ reason: KPIReason) -> KPIReason {
            reasons.insert(reason).memberAfterInsert
        }

        mutating func list(_ list: [String]) -> [String] {
            guard !list.isEmpty else { return list }
            if let shared = listsByStorage[Self.storage(list)], shared.count == list.count { return shared }
            let shared = lists.insert(SameBytes(list)).memberAfterInsert.value
            listsByStorage[Self.storage(shared)] = shared
            return shared
        }

        /// The address of the first element of `list`'s storage.
        static func storage(_ list: [String]) -> Int {
            list.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        }

        mutating func flags(_ list: [KPIFlag]) -> [KPIFlag] {
            list.isEmpty ? list : flagLists.insert(list).memberAfterInsert
        }
    }

    private let pool = Mutex(Pool())

    /// `kpis` with their texts and lists replaced by the shared copies of the same values.
    func share(_ kpis: [KPI]) -> [KPI] {
        pool.withLock { pool in
            kpis.map { kpi in
                let provenance = kpi.provenance
                return KPI(key: kpi.key, period: kpi.period, site: kpi.site, value: kpi.value, unit: kpi.unit,
                           coverage: kpi.coverage, estimatedShare: kpi.estimatedShare, flags: pool.flags(kpi.flags),
                           provenance: Provenance(inputs: pool.list(provenance.inputs), factors: provenance.factors,
                                                  formula: pool.text(provenance.formula),
                                                  reason: provenance.why.map { pool.reason($0) }))
            }
        }
    }
}

/// A text, or a list of texts, hashed and compared by its UTF-8 bytes.
struct SameBytes<Value: ByteComparable>: Hashable {
    let value: Value

    init(_ value: Value) { self.value = value }

    func hash(into hasher: inout Hasher) { value.hashBytes(into: &hasher) }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.value.hasSameBytes(as: rhs.value) }
}

/// What `SameBytes` can hold.
protocol ByteComparable {
    func hashBytes(into hasher: inout Hasher)
    func hasSameBytes(as other: Self) -> Bool
}

extension String: ByteComparable {
    func hashBytes(into hasher: inout Hasher) {
        var text = self
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(utf8.count)  // ends the text: lists of texts hash apart however their bytes are cut
    }

    func hasSameBytes(as other: String) -> Bool {
        var text = self, other = other
        return text.withUTF8 { mine in
            other.withUTF8 { theirs in
                mine.count == theirs.count && (mine.isEmpty || memcmp(mine.baseAddress!, theirs.baseAddress!, mine.count) == 0)
            }
        }
    }
}

extension Array: ByteComparable where Element == String {
    func hashBytes(into hasher: inout Hasher) {
        for text in self { text.hashBytes(into: &hasher) }
    }

    func hasSameBytes(as other: [String]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.hasSameBytes(as: $1) }
    }
}
