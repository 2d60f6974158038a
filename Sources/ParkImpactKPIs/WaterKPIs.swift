import ParkImpactModel
import ParkImpactDefinition

extension KPIEngine {
    /// Water KPIs: `water.m3`, `water.m3_per_fte`, `water.m3_per_m2`, `water.change_vs_baseline_pct` (reporting period
    /// only) and `water.night_min_flow_m3h` (a leak indicator, per site).
    ///
    /// Policies:
    /// - `water.m3` sums the intervals whose local start lies in the period over all water meters of the scope;
    ///   missing intervals are not filled, coverage shows them (`low_coverage` below 90 %).
    /// - Intensities use the site's `fte` / `floor_area_m2` from the pipeline definition (one value for every
    ///   period). For the pilot total the denominator is the sum over the sites with a water source (a site without
    ///   one would dilute the ratio); null when one of those sites lacks the value or has no water data in the period.
    /// - The change vs baseline compares the scope's m³ in the reporting and baseline periods; null when either side
    ///   has no data or the baseline is 0 m³.
    /// - Night minimum flow: see `nightMinimumFlow`. For the pilot total it is null with a reason: site minima come
    ///   from different nights and meters and do not add up to a flow of the park.
    func waterKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.water]) else { return [] }
        let volume = totals(.water, period, site)
        let m3 = waterVolume(volume, period, site)
        var result = [
            m3,
            waterIntensity("water.m3_per_fte", unit: .m3PerFTE, m3: m3, volume: volume, period: period, site: site,
                           field: "fte", value: \.fte),
            waterIntensity("water.m3_per_m2", unit: .m3PerM2, m3: m3, volume: volume, period: period, site: site,
                           field: "floor_area_m2", value: \.floorAreaM2),
        ]
        if period.kind == .reporting {
            result.append(waterChangeVsBaseline(volume, period, site))
        }
        result.append(nightMinimumFlow(period, site))
        return result
    }

    func waterVolume(_ volume: Totals, _ period: ReportPeriod, _ site: String?) -> KPI {
        let formula = "sum of water use (m³) over the intervals whose local start lies in the period, all water "
            + "meters of the scope; missing intervals are not filled (coverage shows them)"
        let reason = missingReason(volume, what: .water, site: site)
        return KPI(key: "water.m3", period: period.key, site: site, value: reason == nil ? volume.sum : nil, unit: .m3,
                   coverage: volume.coverage, estimatedShare: reason == nil ? volume.estimatedShare : nil,
                   flags: reason == nil ? coverageFlags(volume.coverage) : [],
                   provenance: Provenance(inputs: volume.sortedInputs, formula: formula, reason: reason))
    }

    /// `water.m3` ÷ fte or floor area: of the site, or summed over the sites with water data in the period.
    func waterIntensity(
        _ key: String, unit: KPIUnit, m3: KPI, volume: Totals, period: ReportPeriod, site: String?, field: String,
        value: KeyPath<PipelineDefinition.Site, Double?>
    ) -> KPI {
        var formula: String
        var denominator: Double?
        var reason = m3.provenance.why
        if let site {
            formula = "water.m3 of the site ÷ its \(field) in the pipeline definition (one value for every period)"
            if reason == nil {
                denominator = definition.site(site)?[keyPath: value]
                if denominator == nil { reason = .noSiteValue(field: field, sites: [site], withWaterData: false) }
            }
        } else {
            let withData = definition.sites.map(\.id).filter { totals(.water, period, $0).present > 0 }
            formula = "water.m3 of the pilot ÷ Σ \(field) (pipeline definition) of the sites with water data in the "
                + "period" + (withData.isEmpty ? "" : " (\(withData.joined(separator: ", ")))")
                + "; sites without a water source are left out; a site with a water source but no data in the period "
                + "makes the ratio null"
            if reason == nil {
                // Code part_without_data: never a site's missing water counted as 0 beside its left-out denominator.
                reason = KPIReason.joined(partsWithoutData([(.water, .water)], period: period, site: nil))
            }
            if reason == nil {
                let missing = withData.filter { definition.site($0)?[keyPath: value] == nil }
                if missing.isEmpty {
                    denominator = withData.reduce(0.0) { $0 + (definition.site($1)?[keyPath: value] ?? 0) }
                } else {
                    reason = .noSiteValue(field: field, sites: missing, withWaterData: true)
                }
            }
        }
        guard reason == nil, let m3Value = m3.value, let denominator, denominator > 0 else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: unit, coverage: volume.coverage,
                       flags: [], provenance: Provenance(inputs: m3.provenance.inputs, formula: formula,
                                                         reason: reason ?? .zeroDivisor(field: field)))
        }
        return KPI(key: key, period: period.key, site: site, value: m3Value / denominator, unit: unit,
                   coverage: volume.coverage, flags: m3.flags,
                   provenance: Provenance(inputs: m3.provenance.inputs, formula: formula))
    }

    /// (reporting − baseline) ÷ baseline × 100 of the scope's m³ per day; coverage is the lower of the two periods'.
    func waterChangeVsBaseline(_ reporting: Totals, _ period: ReportPeriod, _ site: String?) -> KPI {
        let key = "water.change_vs_baseline_pct"
        let baselinePeriod = periods.first { $0.kind == .baseline }!
        let formula = "(V_reporting ÷ d_reporting − V_baseline ÷ d_baseline) ÷ (V_baseline ÷ d_baseline) × 100, V = "
            + "water.m3 of the scope in the period, d = days in the period (\(period.days) and "
            + "\(baselinePeriod.days)): use per day, so periods of different length compare; missing intervals are not filled in either period (coverage is the lower of the two); a site with water "
            + "data in one period but none in the other makes the change null (never counted as 0)"
        let baseline = totals(.water, baselinePeriod, site)
        let inputs = unionOfInputs([reporting.sortedInputs, baseline.sortedInputs])
        let coverage = [reporting.coverage, baseline.coverage].compactMap { $0 }.min()
        var reason: KPIReason?
        if reporting.seriesCount == 0 {
            reason = missingReason(reporting, what: .water, site: site)
        } else if reporting.present == 0 {
            reason = .noWaterData(baseline: false)
        } else if baseline.present == 0 {
            reason = .noWaterData(baseline: true)
        } else if case let gaps = comparisonGaps([(.water, .water)], site: site, baselinePeriod, period),
                  !gaps.isEmpty {
            reason = KPIReason.joined(gaps)  // code part_missing_in_period
        } else if baseline.sum <= 0 {
            reason = .zeroWaterBaseline
        }
        if let reason {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .percent, coverage: coverage,
                       flags: [], provenance: Provenance(inputs: inputs, formula: formula, reason: reason))
        }
        let change = Self.changePerDay(reporting.sum, days: period.days, baseline: baseline.sum,
                                       days: baselinePeriod.days)
        return KPI(key: key, period: period.key, site: site, value: change,
                   unit: .percent, coverage: coverage, flags: coverageFlags(coverage),
                   provenance: Provenance(inputs: inputs, formula: formula))
    }

    /// The lowest night flow of a site in the period, m³/h.
    ///
    /// Per local day (its night), the meters of the site with intervals of at most an hour that are in service (the
    /// day lies between their first and last day of data) must each have present readings that tile the night window
    /// without a gap: the first starts at 01:00 local, each starts where the previous ends, the last ends at or after
    /// 05:00 (the read stage keeps water readings starting 01:00–05:00 local, `IndexedSeries.nightReadings`).
    /// Otherwise the night does not count (a gap never shows as a low flow). The window is cut into buckets of the
    /// coarsest interval of those meters; the site's flow in a bucket is the sum over its meters of their volume in
    /// it ÷ the bucket's length (a reading across a bucket boundary leaves the night uncounted). The KPI is the lowest
    /// bucket flow over the counted nights; coverage = counted nights ÷ days in the period.
    func nightMinimumFlow(_ period: ReportPeriod, _ site: String?) -> KPI {
        let key = "water.night_min_flow_m3h"
        let formula = "lowest, over the complete nights of the period, of the site's water flow (m³/h) per interval "
            + "from 01:00 to 05:00 local time: the flows of the site's meters with intervals of at most one hour are "
            + "added per interval (of the coarsest meter's length); a night is complete when every such meter in "
            + "service that day has present readings covering the whole window without a gap; coverage = complete "
            + "nights ÷ days in the period"
        let all = seriesOf(.water, site: site)
        let fine = all.filter { $0.interval > 0 && $0.interval <= 3600 && !$0.days.isEmpty }
        let inputs = Set(fine.flatMap { $0.inputs.filter { $0.overlaps(period) }.map(\.file) }).sorted()
        func null(_ reason: KPIReason, coverage: Double? = nil) -> KPI {
            KPI(key: key, period: period.key, site: site, value: nil, unit: .m3PerHour, coverage: coverage, flags: [],
                provenance: Provenance(inputs: inputs, formula: formula, reason: reason))
        }
        guard let site else {
            return null(.perSiteOnly)
        }
        if all.isEmpty { return null(.noSource(.water, site: site)) }
        if fine.isEmpty {
            return null(.noFineWaterMeter(site: site))
        }
        var lowest = Double.infinity
        var nights = 0
        for day in period.firstDay...period.lastDay {
            let inService = fine.filter { $0.days.first! <= day && day <= $0.days.last! }
            guard !inService.isEmpty, let rate = nightRate(day: day, meters: inService) else { continue }
            nights += 1
            lowest = min(lowest, rate)
        }
        let days = period.lastDay - period.firstDay + 1
        let coverage = Double(nights) / Double(days)
        guard nights > 0 else {
            return null(.noCompleteNight(site: site), coverage: 0)
        }
        return KPI(key: key, period: period.key, site: site, value: lowest, unit: .m3PerHour, coverage: coverage,
                   flags: coverageFlags(coverage), provenance: Provenance(inputs: inputs, formula: formula))
    }

    /// The site's lowest flow (m³/h) of one night from its meters' night readings, nil when the night is incomplete
    /// (see `nightMinimumFlow`).
    func nightRate(day: Int, meters: [IndexedSeries]) -> Double? {
        let midnight = table.startOfDay(day), nextMidnight = table.startOfDay(day + 1)
        var windowStart: Int64?, windowEnd: Int64?
        var perMeter: [ArraySlice<IntervalReading>] = []
        for meter in meters {
            let readings = meter.nightReadings
            // The readings starting on this local day (all of them lie in its window).
            var low = 0, high = readings.count
            while low < high {
                let middle = (low + high) / 2
                if readings[middle].startUTC < midnight { low = middle + 1 } else { high = middle }
            }
            var end = low
            while end < readings.count, readings[end].startUTC < nextMidnight { end += 1 }
            let night = readings[low..<end]
            guard let first = night.first, let last = night.last,
                  first.startUTC + table.offset(atUTC: first.startUTC) - Int64(day) * 86_400 == 3600 else { return nil }
            var expected = first.startUTC
            for reading in night {
                guard reading.quality != .missing, reading.seconds > 0, reading.startUTC == expected else { return nil }
                expected += Int64(reading.seconds)
            }
            let lastEnd = last.startUTC + Int64(last.seconds)
            guard lastEnd + table.offset(atUTC: lastEnd) - Int64(day) * 86_400 >= 5 * 3600 else { return nil }
            // Every meter covers the same stretch, from 01:00 to its end (at least 05:00).
            windowStart = first.startUTC
            windowEnd = min(windowEnd ?? lastEnd, lastEnd)
            perMeter.append(night)
        }
        guard let windowStart, let windowEnd else { return nil }
        let bucket = Int64(meters.map(\.interval).max()!)
        let buckets = Int((windowEnd - windowStart) / bucket)
        guard buckets > 0 else { return nil }
        var volumes = [Double](repeating: 0, count: buckets)
        for night in perMeter {
            for reading in night where reading.startUTC < windowStart + Int64(buckets) * bucket {
                let index = Int((reading.startUTC - windowStart) / bucket)
                // A reading across a bucket boundary cannot be shared out by measurement.
                guard reading.startUTC + Int64(reading.seconds) <= windowStart + Int64(index + 1) * bucket else {
                    return nil
                }
                volumes[index] += reading.value
            }
        }
        return volumes.min().map { $0 * 3600 / Double(bucket) }
    }
}
