import ParkImpactModel
import ParkImpactDefinition

extension KPIEngine {
    /// Mobility KPIs: `mobility.share.<mode>` (every period), `mobility.shift_pp.<mode>`, `mobility.car_km_avoided` and
    /// `co2.avoided_modal_shift_t` (the reporting period, and calendar years inside it), `mobility.counter.bike_share`
    /// (every period).
    ///
    /// Policies:
    /// - **Modal split** (trip-based): commuters per main mode ÷ all commuters of the commuting survey whose reference
    ///   date lies in the period (per site its latest survey in the period when there are several). The pilot total
    ///   adds the commuters of every site's survey. A survey written as shares enters with its shares (normalised by
    ///   their sum). Without a survey in the period, the split of the logged trips (`trips`) is given instead,
    ///   flagged `trip_logs`: those logs cover only the logged services, not all commuters.
    /// - **Modal shift**: share now − share in the baseline period's survey, in percentage points; surveys only (a
    ///   trip-log split is never compared with a survey). The pilot total compares the sites' surveys pooled; it is
    ///   null when a site has a survey in one of the two periods only (code `part_missing_in_period`).
    /// - **Avoided CO2 / car-km** (the constant-total-pkm estimate of `docs/method.md`): Σ_mode (share_baseline − share_now) ×
    ///   pkm_total_now × factor_mode, per site, the pilot total being the sum over the compared sites.
    ///   pkm_total_now is the survey's commute_pkm (commuters × average one-way distance): one one-way commute per
    ///   commuter on the reference day. Without `mobility:` in the pipeline it stays so, **not annualised** (flag
    ///   `not_annualised`); with `mobility: { commuting_days_per_year: D, trips_per_day: T }` it is multiplied by
    ///   T × D × (the period's share of its calendar years: Σ_year days of the period in the year ÷ days of the year),
    ///   so a calendar year gets T × D commutes per commuter and the months inside the reporting period (then also
    ///   emitted) get their pro-rated part, compared with the same surveys as their year. Carpool = transport.car ÷
    ///   occupancy, occupancy per site from that site's own carpool trip logs of the period (Σ trip_pkm ÷ Σ trip_km),
    ///   else the placeholder `assumedCarpoolOccupancy` (flag `assumed_occupancy`): another site's logs are not
    ///   evidence for this site's carpools; 2, the fewest people a carpool can have, is a stated bound (the highest
    ///   CO2 per carpool passenger-km: when the carpool share rose, the smallest avoided values).
    ///   The pilot total is the sum of the sites' values; it is null when a site with a survey in one period has
    ///   none in the other, or when a site's value is null (a missing part is never counted as 0). A mode without a
    ///   catalogue factor (motorbike, other) whose share changed makes the CO2 value null: leaving it out would bias
    ///   the sum. Known limit: a survey given
    ///   as shares *with* distances yields commute_pkm per share point, not the site's passenger-km; the series do
    ///   not say whether a survey was counts or shares, so this cannot be detected here.
    /// - **Counter bike share**: counted bikes ÷ all counted road users over the counters that count every class
    ///   (bike-only counters have no denominator), on days when every class was observed equally.
    func mobilityKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.commuteTrips, .trips, .trafficBike]) else { return [] }
        var result: [KPI] = []
        let modes = mobilityModes
        if !modes.isEmpty {
            let split = modalSplit(period, site)
            result += modes.map { shareKPI($0, split, period, site) }
            if comparesWithBaseline(period) {
                let comparison = surveyComparison(period, site)
                result += modes.map { shiftKPI($0, comparison, period, site) }
                let avoided = avoidedByShift(comparison, period, basis: period, site)
                result.append(avoided.carKm)
                result.append(avoided.co2)
            } else if definition.commuting != nil, let basis = annualisedMonthBasis(period) {
                // Annualised: a month inside the reporting period gets its pro-rated part of its year's value.
                let avoided = avoidedByShift(surveyComparison(basis, site), period, basis: basis, site)
                result.append(avoided.carKm)
                result.append(avoided.co2)
            }
        }
        if hasSeries([.trafficBike]) {
            result.append(counterBikeShare(period, site))
        }
        return result
    }

    /// PLACEHOLDER, not a measured value: the carpool occupancy (people per car, driver included) used when no carpool
    /// trip log of the period gives one. 2 is the fewest people a carpool can have, so transport.car ÷ 2 is the
    /// highest per-passenger-km factor a carpool can have. Every KPI using it says so in its formula and carries the
    /// flag `assumed_occupancy`. Replace by logged occupancy (trip logs) or a configured value when available.
    static let assumedCarpoolOccupancy = 2.0

    /// Catalogue factor (kg CO2e per passenger-km) per mode; carpool uses transport.car ÷ occupancy; nil: none exists.
    static func passengerKmFactorID(_ mode: TransportMode) -> String? {
        switch mode {
        case .car, .carpool: return "transport.car"
        case .bus: return "transport.bus"
        case .tram: return "transport.tram"
        case .train: return "transport.train"
        case .bike: return "transport.bike"
        case .ebike: return "transport.ebike"
        case .walk: return "transport.walk"
        case .motorbike: return "transport.motorbike"
        case .other: return nil
        }
    }
}

// MARK: - Commuting surveys and modal split

/// One site's commuting survey on its reference day: commuters (or shares) and passenger-km per main mode.
struct CommuteSurveyRecord {
    let site: String
    let day: Int
    var trips: [TransportMode: Double] = [:]
    var pkm: [TransportMode: Double] = [:]
    var inputs: Set<String> = []

    var date: CivilDate { CivilDate(dayNumber: day) }
    var total: Double { TransportMode.allCases.reduce(0) { $0 + (trips[$1] ?? 0) } }
    var label: String { "\(site.isEmpty ? "(no site)" : site) \(date)" }
}

/// A modal split with where it comes from.
private struct MobilitySplit {
    enum Basis { case survey, tripLogs }
    let basis: Basis
    let counts: [TransportMode: Double]
    let inputs: [String]
    /// The surveys pooled (basis `.survey`).
    let surveys: [CommuteSurveyRecord]

    var total: Double { TransportMode.allCases.reduce(0) { $0 + (counts[$1] ?? 0) } }
    func share(_ mode: TransportMode) -> Double { (counts[mode] ?? 0) / total }
}

/// A value or why there is none.
private enum MobilityOutcome<Value> {
    case value(Value)
    case null(KPIReason)
}

/// The surveys compared for a modal shift: per compared site, its survey now and in the baseline period.
private struct SurveyComparison {
    let now: [CommuteSurveyRecord]
    let baseline: [CommuteSurveyRecord]
    /// Sites with a survey in only one of the two periods (pilot total).
    let notCompared: [String]

    var nowSplit: MobilitySplit { pooledSplit(now) }
    var baselineSplit: MobilitySplit { pooledSplit(baseline) }
    var inputs: [String] { Set(now.flatMap(\.inputs) + baseline.flatMap(\.inputs)).sorted() }
    var surveysText: String {
        "now: \(now.map(\.label).joined(separator: ", ")); baseline: \(baseline.map(\.label).joined(separator: ", "))"
            + (notCompared.isEmpty ? "" : "; not compared (a survey in one period only): "
                + notCompared.joined(separator: ", "))
    }
}

private func pooledSplit(_ surveys: [CommuteSurveyRecord]) -> MobilitySplit {
    var counts: [TransportMode: Double] = [:]
    for survey in surveys {
        for mode in TransportMode.allCases { if let value = survey.trips[mode] { counts[mode, default: 0] += value } }
    }
    return MobilitySplit(basis: .survey, counts: counts, inputs: Set(surveys.flatMap(\.inputs)).sorted(),
                         surveys: surveys)
}

/// A number for formula text: at most 4 decimals, no trailing `.0`.
func mobilityNumber(_ value: Double) -> String {
    let rounded = (value * 10_000).rounded() / 10_000
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
    return "\(rounded)"
}

/// Share differences this small are rounding noise, not a shift.
private let shareTolerance = 1e-12

extension KPIEngine {
    /// Modes that appear in the pilot's surveys or trip logs, in `TransportMode.allCases` order.
    fileprivate var mobilityModes: [TransportMode] {
        let present = Set(series.filter { $0.key.quantity == .commuteTrips || $0.key.quantity == .trips }
            .compactMap { TransportMode(rawValue: $0.key.meter) })
        return TransportMode.allCases.filter(present.contains)
    }

    fileprivate func periodText(_ period: ReportPeriod) -> String {
        let span = "\(period.first) – \(period.last)"
        switch period.kind {
        case .baseline: return "the baseline period (\(span))"
        case .reporting: return "the reporting period (\(span))"
        case .year, .month: return "\(period.key) (\(span))"
        }
    }

    /// The baseline period as a `ReportPeriod`.
    fileprivate var baselinePeriod: ReportPeriod {
        ReportPeriod(key: "baseline", kind: .baseline, firstDay: definition.baseline.from.dayNumber,
                     lastDay: definition.baseline.to.dayNumber)
    }

    /// Shift and avoided KPIs: the reporting period and the calendar years that lie inside it.
    fileprivate func comparesWithBaseline(_ period: ReportPeriod) -> Bool {
        switch period.kind {
        case .reporting: return true
        case .year:
            return period.firstDay >= definition.reporting.from.dayNumber
                && period.lastDay <= definition.reporting.to.dayNumber
        case .baseline, .month: return false
        }
    }

    /// For a month inside the reporting period: the period whose surveys (and carpool logs) it shares, its calendar
    /// year when that year lies inside the reporting period, else the reporting period; nil for other periods.
    fileprivate func annualisedMonthBasis(_ period: ReportPeriod) -> ReportPeriod? {
        let reporting = periods[1]
        guard period.kind == .month, period.firstDay >= reporting.firstDay, period.lastDay <= reporting.lastDay
        else { return nil }
        if let year = periods.first(where: { $0.kind == .year && $0.contains(day: period.firstDay) }),
           comparesWithBaseline(year) {
            return year
        }
        return reporting
    }

    /// The period's share of its calendar years: Σ over the years it touches of its days in that year ÷ the days of
    /// that year (1 for a calendar year, 31/366 for January 2024), with the text for formulas.
    func yearShare(_ period: ReportPeriod) -> (value: Double, text: String) {
        var share = 0.0
        var parts: [String] = []
        for year in period.first.year...period.last.year {
            let first = CivilDate.dayNumber(year: year, month: 1, day: 1)
            let last = CivilDate.dayNumber(year: year, month: 12, day: 31)
            let days = min(last, period.lastDay) - max(first, period.firstDay) + 1
            guard days > 0 else { continue }
            share += Double(days) / Double(last - first + 1)
            parts.append("\(days)/\(last - first + 1)")
        }
        return (share, parts.joined(separator: " + "))
    }

    /// Definition order of sites, unknown sites after them by name.
    fileprivate func siteOrder(_ a: String, _ b: String) -> Bool {
        let ia = definition.sites.firstIndex { $0.id == a } ?? Int.max
        let ib = definition.sites.firstIndex { $0.id == b } ?? Int.max
        return (ia, a) < (ib, b)
    }

    /// Per site of the scope, its latest commuting survey with a reference date in the period.
    func latestSurveys(_ period: ReportPeriod, _ site: String?) -> [CommuteSurveyRecord] {
        let tripSeries = seriesOf(.commuteTrips, site: site)
        var latest: [String: Int] = [:]
        for entry in tripSeries {
            for (day, cell) in zip(entry.days, entry.cells) where period.contains(day: day) && cell.present > 0 {
                latest[entry.key.site] = max(latest[entry.key.site] ?? day, day)
            }
        }
        let pkmSeries = seriesOf(.commutePassengerKm, site: site)
        var surveys: [CommuteSurveyRecord] = []
        for (siteID, day) in latest.sorted(by: { siteOrder($0.key, $1.key) }) {
            var survey = CommuteSurveyRecord(site: siteID, day: day)
            for entry in tripSeries where entry.key.site == siteID {
                guard let mode = TransportMode(rawValue: entry.key.meter) else { continue }
                for cell in entry.cells(from: day, to: day) where cell.present > 0 {
                    survey.trips[mode, default: 0] += cell.sum
                    survey.inputs.formUnion(entry.inputs.filter { $0.firstDay <= day && $0.lastDay >= day }.map(\.file))
                }
            }
            for entry in pkmSeries where entry.key.site == siteID {
                guard let mode = TransportMode(rawValue: entry.key.meter) else { continue }
                for cell in entry.cells(from: day, to: day) where cell.present > 0 {
                    survey.pkm[mode, default: 0] += cell.sum
                    survey.inputs.formUnion(entry.inputs.filter { $0.firstDay <= day && $0.lastDay >= day }.map(\.file))
                }
            }
            surveys.append(survey)
        }
        return surveys
    }

    /// The scope's modal split in the period: its surveys, else its trip logs.
    fileprivate func modalSplit(_ period: ReportPeriod, _ site: String?) -> MobilityOutcome<MobilitySplit> {
        let surveys = latestSurveys(period, site)
        if !surveys.isEmpty {
            let split = pooledSplit(surveys)
            guard split.total > 0 else {
                return .null(.surveyWithoutCommuters(labels: surveys.map(\.label), grouped: true))
            }
            return .value(split)
        }
        var counts: [TransportMode: Double] = [:]
        var inputs: Set<String> = []
        for entry in seriesOf(.trips, site: site) {
            guard let mode = TransportMode(rawValue: entry.key.meter) else { continue }
            let part = entry.totals(from: period.firstDay, to: period.lastDay)
            guard part.present > 0 else { continue }
            counts[mode, default: 0] += part.sum
            inputs.formUnion(entry.inputs.filter { $0.overlaps(period) }.map(\.file))
        }
        let split = MobilitySplit(basis: .tripLogs, counts: counts, inputs: inputs.sorted(), surveys: [])
        if split.total > 0 { return .value(split) }
        if seriesOf(.commuteTrips, site: site).isEmpty && seriesOf(.trips, site: site).isEmpty {
            return .null(.noSource(.surveyOrTrips, site: site))
        }
        return .null(.noSurveyOrTrips)
    }

    fileprivate func shareKPI(_ mode: TransportMode, _ split: MobilityOutcome<MobilitySplit>, _ period: ReportPeriod,
                              _ site: String?) -> KPI {
        let key = "mobility.share.\(mode.rawValue)"
        let surveyFormula = "trip-based modal split: commuters whose main mode is \(mode.rawValue) ÷ all commuters of "
            + "the commuting survey (commute_trips of the mode ÷ Σ commute_trips), per site its latest survey with "
            + "a reference date in the period; sites pooled by adding their commuters (a survey given as shares "
            + "enters with its shares); a mode absent from a survey counts as 0"
        switch split {
        case .null(let reason):
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .ratio, coverage: nil, flags: [],
                       provenance: Provenance(formula: surveyFormula, reason: reason))
        case .value(let split):
            switch split.basis {
            case .survey:
                return KPI(key: key, period: period.key, site: site, value: split.share(mode), unit: .ratio,
                           coverage: nil, flags: [],
                           provenance: Provenance(
                               inputs: split.inputs,
                               formula: surveyFormula + "; surveys: "
                                   + split.surveys.map(\.label).joined(separator: ", ")
                                   + " (\(mobilityNumber(split.counts[mode] ?? 0)) of \(mobilityNumber(split.total)))"))
            case .tripLogs:
                let formula = "trip-based split of the logged trips, not of all commuters: trips of "
                    + "\(mode.rawValue) ÷ all trips in the trip logs whose start lies in the period "
                    + "(\(mobilityNumber(split.counts[mode] ?? 0)) of \(mobilityNumber(split.total))); no commuting "
                    + "survey in this period; trip logs cover only the services that log trips (shuttles, bike "
                    + "sharing, carpool apps)"
                return KPI(key: key, period: period.key, site: site, value: split.share(mode), unit: .ratio,
                           coverage: nil, flags: [.tripLogs],
                           provenance: Provenance(inputs: split.inputs, formula: formula))
            }
        }
    }

    // MARK: Modal shift

    /// The surveys to compare: the site's surveys now and in the baseline period, or for the pilot total those of
    /// every site with a survey in both.
    fileprivate func surveyComparison(_ period: ReportPeriod, _ site: String?) -> MobilityOutcome<SurveyComparison> {
        let baseline = baselinePeriod
        let now = latestSurveys(period, site)
        let before = latestSurveys(baseline, site)
        if now.isEmpty && before.isEmpty {
            return .null(.noSurveyIn([baseline, period], site: site))
        }
        if before.isEmpty {
            return .null(.noSurveyIn([baseline], site: site))
        }
        if now.isEmpty {
            return .null(.noSurveyIn([period], site: site))
        }
        let compared = Set(now.map(\.site)).intersection(before.map(\.site))
        if compared.isEmpty {
            return .null(.noSiteSurveyedInBoth(baseline, period, baseline: before.map(\.label), now: now.map(\.label)))
        }
        let notCompared = Set(now.map(\.site) + before.map(\.site)).subtracting(compared).sorted(by: siteOrder)
        // Pilot total: a site surveyed in one period only is a missing part; leaving it out would change the pilot's
        // split quietly (code part_missing_in_period).
        if !notCompared.isEmpty {
            return .null(.all(notCompared.map { siteID in
                let inBaseline = before.contains { $0.site == siteID }
                return .surveyMissing(site: siteID, with: inBaseline ? baseline : period,
                                      without: inBaseline ? period : baseline)
            }))
        }
        let comparison = SurveyComparison(now: now.filter { compared.contains($0.site) },
                                          baseline: before.filter { compared.contains($0.site) },
                                          notCompared: notCompared)
        for survey in comparison.now + comparison.baseline where survey.total <= 0 {
            return .null(.surveyWithoutCommuters(labels: [survey.label], grouped: false))
        }
        return .value(comparison)
    }

    fileprivate func shiftKPI(_ mode: TransportMode, _ comparison: MobilityOutcome<SurveyComparison>,
                              _ period: ReportPeriod, _ site: String?) -> KPI {
        let key = "mobility.shift_pp.\(mode.rawValue)"
        let formula = "(share_now − share_baseline) × 100 in percentage points, trip-based shares (commuters whose "
            + "main mode is \(mode.rawValue) ÷ all commuters of the survey); share_baseline from the latest survey "
            + "in the baseline period, share_now from the latest survey in this period; a mode absent from a survey "
            + "counts as 0"
            + (site == nil ? "; pilot total: the sites' commuters added; null when a site has a survey in one of "
                + "the two periods only" : "")
        switch comparison {
        case .null(let reason):
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .percentagePoints, coverage: nil,
                       flags: [], provenance: Provenance(formula: formula, reason: reason))
        case .value(let comparison):
            let now = comparison.nowSplit, before = comparison.baselineSplit
            return KPI(key: key, period: period.key, site: site, value: (now.share(mode) - before.share(mode)) * 100,
                       unit: .percentagePoints, coverage: nil, flags: [],
                       provenance: Provenance(
                           inputs: comparison.inputs,
                           formula: formula + "; \(comparison.surveysText) "
                               + "(now \(mobilityNumber(now.counts[mode] ?? 0)) of \(mobilityNumber(now.total)), "
                               + "baseline \(mobilityNumber(before.counts[mode] ?? 0)) of "
                               + "\(mobilityNumber(before.total)))"))
        }
    }

    // MARK: Avoided car-km and CO2

    /// The carpool occupancy of a site for the period: Σ trip_pkm ÷ Σ trip_km of the site's own carpool trip logs,
    /// else nil (another site's carpool scheme says nothing about this site's).
    func loggedCarpoolOccupancy(_ period: ReportPeriod, site: String) -> (occupancy: Double, inputs: [String])? {
        var pkm = 0.0, km = 0.0
        var inputs: Set<String> = []
        for (quantity, isPkm) in [(Quantity.tripPassengerKm, true), (Quantity.tripKm, false)] {
            for entry in seriesOf(quantity, site: site) where entry.key.meter == TransportMode.carpool.rawValue {
                let part = entry.totals(from: period.firstDay, to: period.lastDay)
                guard part.present > 0 else { continue }
                if isPkm { pkm += part.sum } else { km += part.sum }
                inputs.formUnion(entry.inputs.filter { $0.overlaps(period) }.map(\.file))
            }
        }
        guard km > 0, pkm >= km else { return nil }
        return (pkm / km, inputs.sorted())
    }

    /// Avoided car-km and CO2 of `period`, from the surveys compared for `basis` (the period itself, or for an
    /// annualised month its year or the reporting period) and the carpool logs of `basis`.
    fileprivate func avoidedByShift(_ outcome: MobilityOutcome<SurveyComparison>, _ period: ReportPeriod,
                                    basis basisPeriod: ReportPeriod, _ site: String?) -> (carKm: KPI, co2: KPI) {
        let carKey = "mobility.car_km_avoided", co2Key = "co2.avoided_modal_shift_t"
        // One one-way commute per commuter (the survey's reference day), or annualised and pro-rated to the period.
        let commutes: Double
        let perCommuter: String
        if let commuting = definition.commuting {
            let share = yearShare(period)
            commutes = commuting.tripsPerDay * commuting.daysPerYear * share.value
            perCommuter = "annualised: × trips_per_day \(mobilityNumber(commuting.tripsPerDay)) × "
                + "commuting_days_per_year \(mobilityNumber(commuting.daysPerYear)) × the period's share of its "
                + "calendar years (\(share.text)) = \(mobilityNumber(commutes)) one-way commutes per commuter in the "
                + "period (pipeline setting mobility:)"
                + (basisPeriod == period ? "" : "; shares, surveys and carpool occupancy of \(periodText(basisPeriod))")
        } else {
            commutes = 1
            perCommuter = "one one-way commute per commuter on the survey's reference day, not annualised (set "
                + "mobility: { commuting_days_per_year, trips_per_day } in the pipeline to annualise)"
        }
        let basis = "trip-based shares (commuters per main mode ÷ all commuters of the survey) applied to the "
            + "passenger-km total (every shifted trip counts at the survey's average length); pkm_total_now = Σ "
            + "commute_pkm of the survey now = commuters × average one-way distance × one-way commutes per "
            + "commuter: " + perCommuter
            + (site == nil ? "; pilot total: sum over the sites, null when a site's value is null or a site has a "
                + "survey in one of the two periods only" : "")
        var carFormula = "(share_car_baseline − share_car_now) × pkm_total_now (solo car: 1 passenger-km = 1 "
            + "vehicle-km) + (share_carpool_baseline − share_carpool_now) × pkm_total_now ÷ carpool occupancy "
            + "(carpool vehicle-km); " + basis
        var co2Formula = "Σ_mode (share_baseline − share_now) × pkm_total_now × factor_mode ÷ 1000 (constant total "
            + "passenger-km); factors in kg CO2e per passenger-km by the year of the survey now; carpool = "
            + "transport.car ÷ occupancy; " + basis
        let comparison: SurveyComparison
        switch outcome {
        case .null(let reason):
            return (KPI(key: carKey, period: period.key, site: site, value: nil, unit: .km, coverage: nil, flags: [],
                        provenance: Provenance(formula: carFormula, reason: reason)),
                    KPI(key: co2Key, period: period.key, site: site, value: nil, unit: .tonnesCO2e, coverage: nil,
                        flags: [], provenance: Provenance(formula: co2Formula, reason: reason)))
        case .value(let value):
            comparison = value
        }
        var inputs = Set(comparison.inputs)
        var occupancyTexts: [String] = []
        var assumed = false
        var carKm = 0.0, kg = 0.0
        var carReason: KPIReason?, co2Reason: KPIReason?
        var factors: [FactorReference] = []
        var perSite: [String] = []
        var notes: [String] = []
        for now in comparison.now {
            guard let before = comparison.baseline.first(where: { $0.site == now.site }) else { continue }
            let noDistance = TransportMode.allCases.filter { (now.trips[$0] ?? 0) > 0 && now.pkm[$0] == nil }
            if !noDistance.isEmpty {
                let reason = KPIReason.noAverageDistance(survey: now.label, modes: noDistance.map(\.rawValue))
                carReason = carReason ?? reason
                co2Reason = co2Reason ?? reason
                continue
            }
            let surveyTotal = TransportMode.allCases.reduce(0.0) { $0 + (now.pkm[$1] ?? 0) }
            let total = surveyTotal * commutes
            let nowTotal = now.total, beforeTotal = before.total
            func delta(_ mode: TransportMode) -> Double {
                let value = (before.trips[mode] ?? 0) / beforeTotal - (now.trips[mode] ?? 0) / nowTotal
                return abs(value) < shareTolerance ? 0 : value
            }
            perSite.append("\(now.site): pkm_total_now \(mobilityNumber(total))"
                + (commutes == 1 ? "" : " (\(mobilityNumber(surveyTotal)) per commute)"))
            let logged = loggedCarpoolOccupancy(basisPeriod, site: now.site)
            let occupancy = logged?.occupancy ?? Self.assumedCarpoolOccupancy
            if delta(.carpool) != 0 {
                if let logged {
                    inputs.formUnion(logged.inputs)
                    occupancyTexts.append("\(now.site) \(mobilityNumber(occupancy)) (Σ trip_pkm ÷ Σ trip_km of its "
                        + "carpool trip logs)")
                } else {
                    assumed = true
                    occupancyTexts.append("\(now.site) \(mobilityNumber(occupancy)) ASSUMED (placeholder: no carpool "
                        + "trip log of the site in the period; 2 is the fewest people a carpool can have)")
                }
            }
            carKm += delta(.car) * total + delta(.carpool) * total / occupancy
            for mode in TransportMode.allCases {
                let change = delta(mode)
                guard change != 0 else { continue }
                guard let id = Self.passengerKmFactorID(mode),
                      let picked = catalogue.pick(id, year: now.date.year, overrides: definition.factorOverrides,
                                                  overrideFile: citedFile) else {
                    let shift = -change * 100
                    let reason = KPIReason.noModeFactor(mode: mode.rawValue,
                                                        shift: "\(shift > 0 ? "+" : "")\(mobilityNumber(shift))",
                                                        now: now.label, before: before.label)
                    co2Reason = co2Reason ?? reason
                    continue
                }
                let factor = mode == .carpool ? picked.factor.value / occupancy : picked.factor.value
                kg += change * total * factor
                let reference = FactorReference(picked)
                if !factors.contains(reference) { factors.append(reference) }
            }
            for mode in TransportMode.allCases
            where Self.passengerKmFactorID(mode) == nil && delta(mode) == 0
                && ((now.trips[mode] ?? 0) > 0 || (before.trips[mode] ?? 0) > 0) {
                let note = "\(mode.rawValue) has no factor; its share is unchanged, so it contributes 0"
                if !notes.contains(note) { notes.append(note) }
            }
        }
        var flags: [KPIFlag] = definition.commuting == nil ? [.notAnnualised] : []
        if assumed { flags.append(.assumedOccupancy) }
        if !occupancyTexts.isEmpty {
            let occupancyText = "carpool occupancy per site: " + occupancyTexts.joined(separator: ", ")
            carFormula += "; " + occupancyText
            co2Formula += "; " + occupancyText
        } else {
            carFormula += "; carpool share unchanged: no occupancy needed"
            co2Formula += "; carpool share unchanged: no occupancy needed"
        }
        let details = "; \(comparison.surveysText); \(perSite.joined(separator: ", "))"
            + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
        carFormula += details
        co2Formula += details
        let sortedInputs = inputs.sorted()
        let carKPI = KPI(key: carKey, period: period.key, site: site, value: carReason == nil ? carKm : nil, unit: .km,
                         coverage: nil, flags: carReason == nil ? flags : [],
                         provenance: Provenance(inputs: sortedInputs, formula: carFormula, reason: carReason))
        let co2KPI = KPI(key: co2Key, period: period.key, site: site, value: co2Reason == nil ? kg / 1000 : nil,
                         unit: .tonnesCO2e, coverage: nil, flags: co2Reason == nil ? flags : [],
                         provenance: Provenance(inputs: sortedInputs, factors: factors, formula: co2Formula,
                                                reason: co2Reason))
        return (carKPI, co2KPI)
    }

    // MARK: Counters

    /// Counted bikes ÷ all counted road users, over the counters (site + meter) that count bikes and at least one
    /// other class, on the days when every class of a counter has the same number of observed intervals.
    fileprivate func counterBikeShare(_ period: ReportPeriod, _ site: String?) -> KPI {
        let key = "mobility.counter.bike_share"
        let classes: [Quantity] = [.trafficPedestrian, .trafficBike, .trafficCar, .trafficHeavy]
        var formula = "Σ counted bikes ÷ Σ counted road users (pedestrians + bikes + cars + heavy vehicles, "
            + "traffic_bike ÷ Σ traffic_*) past the counters that count every class, over the days on which every "
            + "class of a counter has the same number of observed intervals (Telraam counts are already corrected "
            + "for uptime); counted traffic past the counter, not the commuters' modal split"
        let traffic = series.filter { classes.contains($0.key.quantity) && (site == nil || $0.key.site == site) }
        guard !traffic.isEmpty else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .ratio, coverage: nil, flags: [],
                       provenance: Provenance(formula: formula,
                                              reason: .noSource(.countedTraffic, site: site)))
        }
        struct Counter: Hashable { let site: String; let meter: String }
        var groups: [Counter: [IndexedSeries]] = [:]
        for entry in traffic {
            groups[Counter(site: entry.key.site, meter: entry.key.meter), default: []].append(entry)
        }
        let ordered = groups.keys.sorted { siteOrder($0.site, $1.site) || ($0.site == $1.site && $0.meter < $1.meter) }
        let used = ordered.filter { counter in
            let quantities = Set(groups[counter]!.map(\.key.quantity))
            return quantities.contains(.trafficBike) && quantities.count >= 2
        }
        let bikeOnly = ordered.filter { !used.contains($0) && groups[$0]!.contains { $0.key.quantity == .trafficBike } }
        func name(_ counter: Counter) -> String { site == nil ? "\(counter.site)/\(counter.meter)" : counter.meter }
        if !used.isEmpty { formula += "; counters: " + used.map(name).joined(separator: ", ") }
        if !bikeOnly.isEmpty {
            formula += "; not used (they count bikes only, no other road users): "
                + bikeOnly.map(name).joined(separator: ", ")
        }
        guard !used.isEmpty else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .ratio, coverage: nil, flags: [],
                       provenance: Provenance(formula: formula, reason: bikeOnly.isEmpty
                           ? .noBikeCounter(site: site)
                           : .bikeOnlyCounters(site: site, counters: bikeOnly.map(name))))
        }
        let seconds = Double(table.startOfDay(period.lastDay + 1) - table.startOfDay(period.firstDay))
        let days = period.lastDay - period.firstDay + 1
        var bikes = 0.0, all = 0.0, present = 0.0, expected = 0.0
        var inputs: Set<String> = []
        for counter in used {
            let members = groups[counter]!
            var byDay: [Int: [DaySummary]] = [:]
            for entry in members {
                inputs.formUnion(entry.inputs.filter { $0.overlaps(period) }.map(\.file))
                expected += entry.interval >= 82_800 ? Double(days) * 86_400 / Double(max(86_400, entry.interval))
                    : entry.interval > 0 ? seconds / Double(entry.interval) : Double(days)
                for (day, cell) in zip(entry.days, entry.cells) where period.contains(day: day) {
                    byDay[day, default: []].append(cell)
                }
            }
            for (_, cells) in byDay where cells.count == members.count {
                guard let first = cells.first, first.present > 0, cells.allSatisfy({ $0.present == first.present })
                else { continue }
                // `cells` is in `members` order: each member appended its cell of the day in turn.
                for (entry, cell) in zip(members, cells) {
                    if entry.key.quantity == .trafficBike { bikes += cell.sum }
                    all += cell.sum
                    present += entry.interval > 0 ? Double(cell.present) : 1
                }
            }
        }
        let coverage = expected > 0 ? min(1, present / expected) : nil
        guard present > 0 else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .ratio, coverage: coverage,
                       flags: [], provenance: Provenance(inputs: inputs.sorted(), formula: formula,
                                                         reason: .noCompleteCounterDay))
        }
        guard all > 0 else {
            return KPI(key: key, period: period.key, site: site, value: nil, unit: .ratio, coverage: coverage,
                       flags: coverageFlags(coverage),
                       provenance: Provenance(inputs: inputs.sorted(), formula: formula,
                                              reason: .zeroRoadUsers))
        }
        return KPI(key: key, period: period.key, site: site, value: bikes / all, unit: .ratio, coverage: coverage,
                   flags: coverageFlags(coverage),
                   provenance: Provenance(inputs: inputs.sorted(),
                                          formula: formula + " (\(mobilityNumber(bikes)) of \(mobilityNumber(all)))"))
    }
}
