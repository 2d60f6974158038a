import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Mobility KPIs from small pilots run end to end (files → formats → merge → KPI engine). Every expected number is
/// worked out by hand in the comments, never by the code under test.
///
/// Factors (built-in catalogue, direct / tank-to-wheel, kg CO2e per passenger-km): transport.car 0.16725 and
/// transport.bus 0.10385 (DESNZ 2025, the only year: 2023 and 2024 use it), transport.bike 0 and transport.walk 0 (2023,
/// by definition), transport.ebike 0.0015 (2023) and 0.00155 (2024); transport.motorbike 0.11367 (2025). Carpool = transport.car ÷
/// occupancy.

@Suite struct MobilityKPITests {
    static func run(_ pilot: String, extra: String = "", sources: String, files: [String: String]) throws -> PilotReport {
        try runPilot(pilot, yaml: """
            pilot: \(pilot)
            name: "\(pilot)"
            language: en
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: a, name: "A NV" }
              - { id: b, name: "B BV" }
            sources:
            \(sources)
            \(extra)
            """, files: files)
    }

    // MARK: Baseline survey (counts) → reporting survey with distances

    /// Site a: baseline survey 2023 in counts without distances; reporting survey 2024 with average distances; carpool
    /// trip logs in March 2024. Site b: a 2024 survey only (no baseline).
    @Suite struct ShiftAndAvoidedCO2 {
        static func pilot(extra: String = "") throws -> PilotReport {
            try MobilityKPITests.run("shift", extra: extra, sources: """
                  - { path: "surveys/*.csv", format: commute-survey, site: a }
                  - { path: "trips/*.csv", format: trips, site: a }
                """, files: [
                "surveys/baseline-2023.csv": """
                    site;jaar;vervoerwijze;aantal
                    a;2023;Auto (alleen);80
                    a;2023;Carpool;5
                    a;2023;Bus;5
                    a;2023;Fiets;10

                    """,
                "surveys/reporting-2024.csv": """
                    site;year;mode;trips;avg_distance_km
                    a;2024;car;60;20
                    a;2024;carpool;15;25
                    a;2024;bus;5;15
                    a;2024;bike;15;6
                    a;2024;e-bike;5;12
                    b;2024;car;30;10
                    b;2024;walk;10;2

                    """,
                "trips/carpool-2024.csv": """
                    start,mode,distance_km,occupancy,site
                    2024-03-04 07:45,carpool,30,3,a
                    2024-03-05 07:50,carpool,20,2,a

                    """,
            ])
        }

        let report: PilotReport
        init() throws { report = try Self.pilot() }

        func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
            report.kpi(key, period: period, site: site)?.value
        }

        @Test func noRejects() {
            #expect(report.rejects.isEmpty, "\(report.rejects.map(\.reason))")
        }

        @Test func oneKeyPerModeOfThePilotInModeOrder() {
            // Modes in the data: car, carpool, bus, bike, ebike (site a), walk (site b); carpool also in the logs.
            let keys = report.kpis
                .filter { $0.period == "reporting" && $0.site == "a" && $0.key.hasPrefix("mobility.share.") }
                .map(\.key)
            #expect(keys == ["car", "carpool", "bus", "bike", "ebike", "walk"].map { "mobility.share.\($0)" })
            #expect(report.kpi("mobility.share.train", period: "reporting", site: "a") == nil)
        }

        @Test func sharesOfTheBaselineSurvey() {
            // 2023 survey of a: 80 + 5 + 5 + 10 = 100 commuters.
            #expect(close(value("mobility.share.car", "baseline", "a"), 0.80))
            #expect(close(value("mobility.share.carpool", "baseline", "a"), 0.05))
            #expect(close(value("mobility.share.bus", "baseline", "a"), 0.05))
            #expect(close(value("mobility.share.bike", "baseline", "a"), 0.10))
            #expect(close(value("mobility.share.ebike", "baseline", "a"), 0))
            // The year 2023 holds the same survey (30 June 2023).
            #expect(close(value("mobility.share.car", "2023", "a"), 0.80))
        }

        @Test func sharesOfTheReportingSurveyAndThePilotTotal() throws {
            // 2024 survey of a: 60 + 15 + 5 + 15 + 5 = 100 commuters.
            #expect(close(value("mobility.share.car", "reporting", "a"), 0.60))
            #expect(close(value("mobility.share.carpool", "reporting", "a"), 0.15))
            #expect(close(value("mobility.share.ebike", "reporting", "a"), 0.05))
            // Site b: 30 + 10 = 40 commuters: car 30/40 = 0.75, walk 10/40 = 0.25.
            #expect(close(value("mobility.share.car", "reporting", "b"), 0.75))
            #expect(close(value("mobility.share.walk", "reporting", "b"), 0.25))
            // Pilot total: commuters added, 100 + 40 = 140: car (60 + 30)/140, walk 10/140, bike 15/140.
            #expect(close(value("mobility.share.car", "reporting"), 90.0 / 140))
            #expect(close(value("mobility.share.walk", "reporting"), 10.0 / 140))
            #expect(close(value("mobility.share.bike", "reporting"), 15.0 / 140))
            let kpi = try #require(report.kpi("mobility.share.car", period: "reporting"))
            #expect(kpi.unit == .ratio)
            #expect(kpi.flags.isEmpty)
            #expect(kpi.provenance.formula.hasPrefix("trip-based modal split"))
            #expect(kpi.provenance.formula.hasSuffix("surveys: a 2024-06-30, b 2024-06-30 (90 of 140)"))
            #expect(kpi.provenance.inputs == ["shift/surveys/reporting-2024.csv"])
        }

        @Test func aMonthWithoutSurveyUsesTheTripLogsAndSaysSo() throws {
            // March 2024: no survey; the logs hold 2 carpool trips → carpool 2/2 = 1, car 0/2 = 0.
            let carpool = try #require(report.kpi("mobility.share.carpool", period: "2024-03", site: "a"))
            #expect(close(carpool.value, 1))
            #expect(carpool.flags == [.tripLogs])
            #expect(carpool.provenance.formula.hasPrefix("trip-based split of the logged trips, not of all commuters"))
            #expect(carpool.provenance.inputs == ["shift/trips/carpool-2024.csv"])
            #expect(close(value("mobility.share.car", "2024-03", "a"), 0))
            // June 2024 holds the survey (30 June), which wins.
            #expect(close(value("mobility.share.car", "2024-06", "a"), 0.60))
            // January 2024: nothing.
            let january = try #require(report.kpi("mobility.share.car", period: "2024-01", site: "a"))
            #expect(january.value == nil)
            #expect(january.provenance.reason
                    == "no commuting survey with a reference date in this period and no logged trips in it")
        }

        @Test func shiftInPercentagePoints() throws {
            // share_now − share_baseline, × 100: car 0.60 − 0.80 = −20 pp, carpool 0.15 − 0.05 = +10 pp, bus 0,
            // bike 0.15 − 0.10 = +5 pp, e-bike 0.05 − 0 = +5 pp, walk 0 − 0 = 0.
            #expect(close(value("mobility.shift_pp.car", "reporting", "a"), -20))
            #expect(close(value("mobility.shift_pp.carpool", "reporting", "a"), 10))
            #expect(close(value("mobility.shift_pp.bus", "reporting", "a"), 0))
            #expect(close(value("mobility.shift_pp.bike", "reporting", "a"), 5))
            #expect(close(value("mobility.shift_pp.ebike", "reporting", "a"), 5))
            #expect(close(value("mobility.shift_pp.walk", "reporting", "a"), 0))
            // The year 2024 lies inside the reporting period: the same comparison. Not for 2023 or months.
            #expect(close(value("mobility.shift_pp.car", "2024", "a"), -20))
            #expect(report.kpi("mobility.shift_pp.car", period: "2023", site: "a") == nil)
            #expect(report.kpi("mobility.shift_pp.car", period: "baseline", site: "a") == nil)
            #expect(report.kpi("mobility.shift_pp.car", period: "2024-06", site: "a") == nil)
            let kpi = try #require(report.kpi("mobility.shift_pp.car", period: "reporting", site: "a"))
            #expect(kpi.unit == .percentagePoints)
            #expect(kpi.provenance.inputs == ["shift/surveys/baseline-2023.csv", "shift/surveys/reporting-2024.csv"])
        }

        @Test func aSiteWithoutBaselineSurveyHasNoShift() throws {
            let kpi = try #require(report.kpi("mobility.shift_pp.car", period: "reporting", site: "b"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason == "no commuting survey with a reference date in the baseline period "
                + "(2023-01-01 – 2023-12-31) for site b")
            let co2 = try #require(report.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "b"))
            #expect(co2.value == nil)
            #expect(co2.provenance.reason == kpi.provenance.reason)
        }

        static let siteBMissing = "the commuting survey of site b has a reference date in the reporting period "
            + "(2024-01-01 – 2024-12-31) but none in the baseline period (2023-01-01 – 2023-12-31)"

        @Test func thePilotTotalIsNullWhenASiteHasASurveyInOnePeriodOnly() throws {
            // b has a 2024 survey and none in 2023: comparing a alone would quietly leave b's commuters out of the
            // pilot's shift, so the pilot's shift, car-km and CO2 are null, naming b (code part_missing_in_period).
            for key in ["mobility.shift_pp.car", "mobility.shift_pp.walk", "mobility.car_km_avoided",
                        "co2.avoided_modal_shift_t"] {
                let kpi = try #require(report.kpi(key, period: "reporting"))
                #expect(kpi.value == nil, "\(key)")
                #expect(kpi.provenance.reason == Self.siteBMissing, "\(key)")
            }
            #expect(report.kpi("co2.avoided_modal_shift_t", period: "2024")?.provenance.reason
                == "the commuting survey of site b has a reference date in 2024 (2024-01-01 – 2024-12-31) but none in "
                + "the baseline period (2023-01-01 – 2023-12-31)")
            // Site a's own values stay.
            #expect(close(value("mobility.shift_pp.car", "reporting", "a"), -20))
        }

        @Test func carKilometresAvoided() throws {
            // Shares baseline − now: car 0.80 − 0.60 = 0.20, carpool 0.05 − 0.15 = −0.10.
            // pkm_total_now (survey of a, commuters × average distance): 60×20 + 15×25 + 5×15 + 15×6 + 5×12
            //   = 1200 + 375 + 75 + 90 + 60 = 1800 pkm.
            // Carpool occupancy from the logs: pkm 30×3 + 20×2 = 130, km 30 + 20 = 50 → 2.6.
            // car-km = 0.20 × 1800 + (−0.10) × 1800 ÷ 2.6 = 360 − 69.2307692308 = 290.7692307692 km.
            let kpi = try #require(report.kpi("mobility.car_km_avoided", period: "reporting", site: "a"))
            #expect(close(kpi.value, 360 - 180 / 2.6))
            #expect(close(kpi.value, 290.76923076923077))
            #expect(kpi.unit == .km)
            #expect(kpi.flags == [.notAnnualised])
            #expect(kpi.provenance.formula.contains(
                "carpool occupancy per site: a 2.6 (Σ trip_pkm ÷ Σ trip_km of its carpool trip logs)"))
            #expect(kpi.provenance.formula.contains("a: pkm_total_now 1800"))
            #expect(kpi.provenance.inputs == ["shift/surveys/baseline-2023.csv", "shift/surveys/reporting-2024.csv",
                                              "shift/trips/carpool-2024.csv"])
            // Pilot total: null, b has no baseline survey (thePilotTotalIsNullWhenASiteHasASurveyInOnePeriodOnly).
            #expect(value("mobility.car_km_avoided", "reporting") == nil)
        }

        @Test func avoidedCO2WithTheCatalogueFactors() throws {
            // Σ_mode (share_baseline − share_now) × pkm_total_now × factor, pkm_total_now = 1800:
            //   car      0.20 × 1800 × 0.16725         =  60.21
            //   carpool −0.10 × 1800 × 0.16725 ÷ 2.6   = −11.5788461538
            //   bus      0                             =   0
            //   bike    −0.05 × 1800 × 0               =   0
            //   e-bike  −0.05 × 1800 × 0.00155         =  −0.1395
            //   total 48.4916538462 kg = 0.0484916538462 t
            let kpi = try #require(report.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "a"))
            #expect(close(kpi.value, (60.21 - 30.105 / 2.6 - 0.1395) / 1000))
            #expect(close(kpi.value, 0.04849165384615385))
            #expect(kpi.unit == .tonnesCO2e)
            #expect(kpi.flags == [.notAnnualised])
            #expect(kpi.provenance.factors.map(\.id) == ["transport.car", "transport.bike", "transport.ebike"])
            #expect(kpi.provenance.factors.map(\.value) == [0.16725, 0, 0.00155])
            #expect(kpi.provenance.factors.map(\.status) == [.unconfirmed, .confirmed, .unconfirmed])
            #expect(kpi.provenance.factor?.year == 2025)
            #expect(kpi.provenance.factor?.note == "no 2024 value in the catalogue; the 2025 value is used")
            #expect(kpi.provenance.factor?.region == "GB")
            #expect(kpi.provenance.factor?.publisher == "UK Department for Energy Security and Net Zero (DESNZ)")
            #expect(kpi.provenance.formula
                    .hasPrefix("Σ_mode (share_baseline − share_now) × pkm_total_now × factor_mode"))
            #expect(kpi.provenance.formula.contains("trip-based shares"))
            #expect(kpi.provenance.formula.contains("not annualised"))
            #expect(close(value("co2.avoided_modal_shift_t", "2024", "a"), 0.04849165384615385))
            #expect(report.kpi("co2.avoided_modal_shift_t", period: "baseline") == nil)
            // Cited factors reach the report's factor list.
            #expect(report.factorsUsed.map(\.id).contains("transport.ebike"))
        }
    }

    // MARK: Surveys given as shares

    /// A wide survey with shares per mode, no distances; the 2023 shares add up to 99 % (rounded by the survey).
    @Suite struct SharesInsteadOfCounts {
        static func pilot() throws -> PilotReport {
            try MobilityKPITests.run("shares", sources: """
                  - { path: "*.csv", format: commute-survey, site: a }
                """, files: [
                "survey.csv": """
                    year,car,carpool,bus,train,bike,walk
                    2023,70%,5%,5%,10%,9%,0%
                    2024,55.5%,8%,6%,12%,16%,2.5%

                    """,
            ])
        }

        let report: PilotReport
        init() throws { report = try Self.pilot() }

        func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
            report.kpi(key, period: period, site: site)?.value
        }

        @Test func sharesAreNormalisedByTheirSum() {
            #expect(report.rejects.isEmpty)
            // 2023: 70 + 5 + 5 + 10 + 9 + 0 = 99 → car 70/99 = 0.707070…, bike 9/99 = 0.090909…, walk 0.
            #expect(close(value("mobility.share.car", "baseline", "a"), 70.0 / 99))
            #expect(close(value("mobility.share.bike", "baseline", "a"), 9.0 / 99))
            #expect(close(value("mobility.share.walk", "baseline", "a"), 0))
            // 2024: 55.5 + 8 + 6 + 12 + 16 + 2.5 = 100 → car 0.555, walk 0.025.
            #expect(close(value("mobility.share.car", "reporting", "a"), 0.555))
            #expect(close(value("mobility.share.walk", "reporting", "a"), 0.025))
        }

        @Test func shiftFromShares() {
            // car 0.555 − 70/99 = 0.555 − 0.7070707071 = −0.1520707071 → −15.20707071 pp
            // bike 0.16 − 9/99 = 0.16 − 0.0909090909 = 0.0690909091 → +6.90909091 pp
            // walk 0.025 − 0 → +2.5 pp
            #expect(close(value("mobility.shift_pp.car", "reporting", "a"), -15.207070707070708))
            #expect(close(value("mobility.shift_pp.bike", "reporting", "a"), 6.909090909090909))
            #expect(close(value("mobility.shift_pp.walk", "reporting", "a"), 2.5))
        }

        @Test func noDistancesNoAvoidedCO2() throws {
            let reason = "the commuting survey a 2024-06-30 gives no average distance for car, carpool, bus, train, "
                + "bike, walk: pkm_total_now is unknown"
            let co2 = try #require(report.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "a"))
            #expect(co2.value == nil)
            #expect(co2.provenance.reason == reason)
            let km = try #require(report.kpi("mobility.car_km_avoided", period: "reporting", site: "a"))
            #expect(km.value == nil)
            #expect(km.provenance.reason == reason)
            #expect(report.kpi("co2.avoided_modal_shift_t", period: "reporting")?.provenance.reason == reason)
        }
    }

    // MARK: No baseline survey

    /// Site a: a 2024 survey (30 June) and an earlier company survey dated 1 March 2024; nothing in 2023.
    @Suite struct NoBaselineSurvey {
        static func pilot() throws -> PilotReport {
            try MobilityKPITests.run("nobase", sources: """
                  - { path: "*.csv", format: commute-survey, site: a }
                """, files: [
                "survey.csv": "year;mode;trips;avg_distance_km\n2024;car;8;10\n2024;bike;2;5\n",
                "march.csv": "date;mode;trips\n01/03/2024;car;10\n",
            ])
        }

        let report: PilotReport
        init() throws { report = try Self.pilot() }

        @Test func shiftAndAvoidedAreNullWithTheReason() throws {
            // Shares still exist: car 8/10, bike 2/10.
            #expect(close(report.kpi("mobility.share.car", period: "reporting", site: "a")?.value, 0.8))
            for key in ["mobility.shift_pp.car", "mobility.shift_pp.bike", "mobility.car_km_avoided",
                        "co2.avoided_modal_shift_t"] {
                let site = try #require(report.kpi(key, period: "reporting", site: "a"))
                #expect(site.value == nil)
                #expect(site.provenance.reason == "no commuting survey with a reference date in the baseline period "
                    + "(2023-01-01 – 2023-12-31) for site a")
                let total = try #require(report.kpi(key, period: "reporting"))
                #expect(total.value == nil)
                #expect(total.provenance.reason
                        == "no commuting survey with a reference date in the baseline period (2023-01-01 – 2023-12-31)")
            }
            // Site b has no survey at all.
            let b = try #require(report.kpi("mobility.share.car", period: "reporting", site: "b"))
            #expect(b.provenance.reason == "no source delivers a commuting survey or trip logs for site b")
        }

        @Test func theLatestSurveyOfThePeriodCounts() throws {
            // 2024 holds two surveys of a: 1 March (car 10 of 10) and 30 June (car 8 of 10): the latest is used.
            let kpi = try #require(report.kpi("mobility.share.car", period: "reporting", site: "a"))
            #expect(close(kpi.value, 0.8))
            #expect(kpi.provenance.inputs == ["nobase/survey.csv"])
            // March 2024 alone holds the March survey: car 10/10 = 1, bike 0.
            #expect(close(report.kpi("mobility.share.car", period: "2024-03", site: "a")?.value, 1))
            #expect(close(report.kpi("mobility.share.bike", period: "2024-03", site: "a")?.value, 0))
        }
    }

    // MARK: Assumptions: no factor for mode `other`, no logged carpool occupancy

    /// Baseline 2023: car 90, other 10. Reporting 2024 with distances: car 70 × 10 km, carpool 10 × 10 km,
    /// other 15 × 10 km, bike 5 × 5 km.
    @Suite struct MissingFactorAndAssumedOccupancy {
        static func pilot() throws -> PilotReport {
            try MobilityKPITests.run("assume", sources: """
                  - { path: "*.csv", format: commute-survey, site: a }
                """, files: [
                "survey.csv": """
                    year;mode;trips;avg_distance_km
                    2023;car;90;
                    2023;other;10;
                    2024;car;70;10
                    2024;carpool;10;10
                    2024;other;15;10
                    2024;bike;5;5

                    """,
            ])
        }

        let report: PilotReport
        init() throws { report = try Self.pilot() }

        @Test func carKilometresWithTheAssumedOccupancy() throws {
            // pkm_total_now = 700 + 100 + 150 + 25 = 975. Baseline − now: car 0.90 − 0.70 = 0.20,
            // carpool 0 − 0.10 = −0.10; occupancy 2 (placeholder: no carpool logs).
            // car-km = 0.20 × 975 − 0.10 × 975 ÷ 2 = 195 − 48.75 = 146.25 km.
            let kpi = try #require(report.kpi("mobility.car_km_avoided", period: "reporting", site: "a"))
            #expect(close(kpi.value, 146.25))
            #expect(kpi.flags == [.notAnnualised, .assumedOccupancy])
            #expect(kpi.provenance.formula.contains("carpool occupancy per site: a 2 ASSUMED"))
        }

        @Test func aModeWithoutFactorWhoseShareChangedMakesCO2Null() throws {
            // Other 0.10 → 0.15: +5 pp, and no factor exists for mode `other`.
            let kpi = try #require(report.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "a"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason == "no emission factor for other in the catalogue, and its share changed "
                + "by +5 pp (a 2024-06-30 vs a 2023-06-30): leaving it out would bias the avoided CO2")
            #expect(kpi.flags.isEmpty)
        }
    }

    // MARK: Trip logs only

    @Suite struct TripLogsOnly {
        static func pilot() throws -> PilotReport {
            try MobilityKPITests.run("logs", sources: """
                  - { path: "*.csv", format: trips, site: a }
                """, files: [
                "trips.csv": """
                    start,mode,distance_km,occupancy
                    2024-03-04 07:45,carpool,24.0,3
                    2024-03-04 08:05,shuttle,5.5,
                    2024-03-04 17:10,carpool,24.0,2
                    2024-03-05 07:50,bike,6.2,

                    """,
            ])
        }

        let report: PilotReport
        init() throws { report = try Self.pilot() }

        @Test func sharesOfTheLoggedTrips() throws {
            // 4 trips: carpool 2/4, bus (shuttle) 1/4, bike 1/4; no key for modes not in the data.
            let keys = report.kpis.filter { $0.period == "reporting" && $0.site == "a" }.map(\.key)
            #expect(keys.filter { $0.hasPrefix("mobility.share.") }
                    == ["mobility.share.carpool", "mobility.share.bus", "mobility.share.bike"])
            let carpool = try #require(report.kpi("mobility.share.carpool", period: "reporting", site: "a"))
            #expect(close(carpool.value, 0.5))
            #expect(carpool.flags == [.tripLogs])
            #expect(carpool.provenance.formula.contains("(2 of 4)"))
            #expect(close(report.kpi("mobility.share.bus", period: "2024-03")?.value, 0.25))
            #expect(close(report.kpi("mobility.share.bike", period: "reporting")?.value, 0.25))
            #expect(report.kpi("mobility.counter.bike_share", period: "reporting") == nil)
        }

        @Test func noSurveyNoShift() throws {
            let kpi = try #require(report.kpi("mobility.shift_pp.carpool", period: "reporting", site: "a"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason == "no commuting survey with a reference date in the baseline period "
                + "(2023-01-01 – 2023-12-31) nor in the reporting period (2024-01-01 – 2024-12-31) for site a")
            let co2 = try #require(report.kpi("co2.avoided_modal_shift_t", period: "reporting"))
            #expect(co2.value == nil)
        }
    }

    // MARK: Counters

    /// Site a: a Telraam API CSV (UTC hours); 2 May has an empty bike cell at 10:00Z. Site b: an Eco-Counter that
    /// counts bikes only.
    @Suite struct CounterBikeShare {
        static func pilot() throws -> PilotReport {
            try MobilityKPITests.run("count", sources: """
                  - { path: "telraam/*.csv", format: telraam, site: a }
                  - { path: "eco/*.csv", format: ecocounter, site: b }
                """, files: [
                "telraam/api.csv": """
                    instance_id,segment_id,date,interval,uptime,heavy,car,bike,pedestrian,v85
                    -1,348917,2024-05-01 10:00:00+00:00,hourly,0.88,4.0,120.5,33.0,12.0,31.5
                    -1,348917,2024-05-01 11:00:00+00:00,hourly,0.91,3.0,100.0,30.0,9.0,32.0
                    -1,348917,2024-05-02 10:00:00+00:00,hourly,0.93,2.0,98.0,,7.0,30.5
                    -1,348917,2024-05-02 11:00:00+00:00,hourly,0.95,1.0,90.0,20.0,5.0,30.5

                    """,
                "eco/eco.csv": """
                    Datum;Kanaalbrug;Kanaalbrug IN;Kanaalbrug OUT
                    01/05/2024 10:00;14;9;5
                    01/05/2024 11:00;6;4;2
                    01/05/2024 12:00;8;4;4

                    """,
            ])
        }

        let report: PilotReport
        init() throws { report = try Self.pilot() }

        @Test func bikeShareOfCountedRoadUsers() throws {
            #expect(report.rejects.isEmpty, "\(report.rejects.map(\.reason))")
            // 1 May (12:00 and 13:00 local): bikes 33 + 30 = 63; all = heavy 4 + 3, cars 120.5 + 100, bikes 63,
            // pedestrians 12 + 9 = 7 + 220.5 + 63 + 21 = 311.5. 2 May: bikes observed 1 hour, the rest 2 → not used.
            // Share 63 / 311.5 = 0.2022471910.
            let kpi = try #require(report.kpi("mobility.counter.bike_share", period: "reporting", site: "a"))
            #expect(close(kpi.value, 63 / 311.5))
            #expect(kpi.unit == .ratio)
            // Coverage: 4 classes × 2 hours used = 8 of 4 × 8784 hours (366 days × 24) in 2024.
            #expect(close(kpi.coverage, 8.0 / 35_136))
            #expect(kpi.flags == [.lowCoverage])
            #expect(kpi.provenance.formula.contains("counted traffic past the counter, not the commuters' modal split"))
            #expect(kpi.provenance.inputs == ["count/telraam/api.csv"])
            // May 2024: 31 days × 24 = 744 hours per class.
            #expect(close(
                report.kpi("mobility.counter.bike_share", period: "2024-05", site: "a")?.coverage, 8.0 / 2976))
        }

        @Test func aBikeOnlyCounterHasNoDenominator() throws {
            let kpi = try #require(report.kpi("mobility.counter.bike_share", period: "reporting", site: "b"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason
                    == "the counters of site b count bikes only (Kanaalbrug): no count of all road users to divide by")
            // The pilot total uses the Telraam counter only, and names the bike-only one.
            let total = try #require(report.kpi("mobility.counter.bike_share", period: "reporting"))
            #expect(close(total.value, 63 / 311.5))
            #expect(total.provenance.formula.contains("counters: a/348917"))
            #expect(total.provenance.formula
                    .contains("not used (they count bikes only, no other road users): b/Kanaalbrug"))
        }

        @Test func aPeriodWithoutCountsIsNull() throws {
            let kpi = try #require(report.kpi("mobility.counter.bike_share", period: "baseline", site: "a"))
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reason
                    == "no day in this period on which a counter observed every class of road user")
            // No survey and no trip logs: no modal-split keys.
            #expect(!report.kpis.contains { $0.key.hasPrefix("mobility.share.") || $0.key.hasPrefix("mobility.shift") })
        }
    }
}

// MARK: Annualised (pipeline setting `mobility:`)

extension MobilityKPITests {
    /// The `ShiftAndAvoidedCO2` pilot with `mobility: { commuting_days_per_year: 220, trips_per_day: 2 }`.
    /// Per one-way commute (worked out there): car-km 360 − 180 ÷ 2.6 = 290.769230769 km, CO2
    /// (60.21 − 30.105 ÷ 2.6 − 0.1395) kg = 48.4916538462 kg, pkm_total_now 1800.
    /// Annualised: × 2 trips × 220 days × the period's share of its calendar year:
    ///   reporting = 2024 (366 of 366 days): × 440 → car-km 127938.461538 km, CO2 21.3363277 t, pkm 792000;
    ///   2024-02 (29 of 366 days): × 440 × 29/366 = × 34.8633879781 → car-km 10137.2005044 km;
    ///   the twelve months of 2024 add up to the year (Σ days = 366).
    @Suite struct Annualised {
        let report: PilotReport
        init() throws {
            report = try MobilityKPITests.ShiftAndAvoidedCO2.pilot(
                extra: "mobility: { commuting_days_per_year: 220, trips_per_day: 2 }")
        }

        static let perCommuteCarKm = 360 - 180 / 2.6
        static let perCommuteKg = 60.21 - 30.105 / 2.6 - 0.1395

        @Test func theReportingYearCountsEveryCommute() throws {
            let carKm = try #require(report.kpi("mobility.car_km_avoided", period: "reporting", site: "a"))
            #expect(close(carKm.value, Self.perCommuteCarKm * 2 * 220))
            #expect(close(carKm.value, 127938.46153846154))
            #expect(carKm.flags.isEmpty)  // no not_annualised
            #expect(carKm.provenance.formula.contains("annualised: × trips_per_day 2 × commuting_days_per_year 220 × "
                + "the period's share of its calendar years (366/366) = 440 one-way commutes per commuter"))
            #expect(carKm.provenance.formula.contains("a: pkm_total_now 792000 (1800 per commute)"))
            let co2 = try #require(report.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "a"))
            #expect(close(co2.value, Self.perCommuteKg * 440 / 1000))
            #expect(close(co2.value, 21.336327692307692))
            #expect(co2.flags.isEmpty)
            #expect(close(report.kpi("mobility.car_km_avoided", period: "2024", site: "a")?.value,
                          Self.perCommuteCarKm * 440))
            // The pilot total is null: b has a survey in 2024 only (never counted as 0).
            #expect(report.kpi("mobility.car_km_avoided", period: "reporting")?.value == nil)
        }

        @Test func monthsArePutProRata() throws {
            let february = try #require(report.kpi("mobility.car_km_avoided", period: "2024-02", site: "a"))
            #expect(close(february.value, Self.perCommuteCarKm * 2 * 220 * 29 / 366))
            #expect(close(february.value, 10137.20050441362))
            #expect(february.provenance.formula.contains("(29/366) = 34.8634 one-way commutes per commuter"))
            // Occupancy 2.6 from the year's carpool logs (March), also in months without logs.
            #expect(february.provenance.formula.contains("carpool occupancy per site: a 2.6"))
            #expect(february.provenance.formula.contains("shares, surveys and carpool occupancy of 2024"))
            var sum = 0.0
            for month in 1...12 {
                let key = "2024-" + (month < 10 ? "0" : "") + "\(month)"
                sum += try #require(report.kpi("mobility.car_km_avoided", period: key, site: "a")?.value)
            }
            #expect(close(sum, Self.perCommuteCarKm * 440))
            let co2 = try #require(report.kpi("co2.avoided_modal_shift_t", period: "2024-02", site: "a"))
            #expect(close(co2.value, Self.perCommuteKg * 440 * 29 / 366 / 1000))
            // Not in the baseline's months, and no shift in points per month.
            #expect(report.kpi("mobility.car_km_avoided", period: "2023-02", site: "a") == nil)
            #expect(report.kpi("mobility.shift_pp.car", period: "2024-02", site: "a") == nil)
        }

        @Test func withoutTheSettingNothingChanges() throws {
            let plain = try MobilityKPITests.ShiftAndAvoidedCO2.pilot()
            #expect(plain.kpi("mobility.car_km_avoided", period: "2024-02", site: "a") == nil)
            let kpi = try #require(plain.kpi("mobility.car_km_avoided", period: "reporting", site: "a"))
            #expect(close(kpi.value, Self.perCommuteCarKm))
            #expect(kpi.flags == [.notAnnualised])
        }
    }

    /// Mode `other` has no factor (it names no vehicle, `docs/method.md`, and no number is invented); motorbike has
    /// the catalogue's `transport.motorbike`. Baseline: car 80, other 20; now car 70, other 20, bike 10 (10 km each).
    /// Shares: other 0.20 → 0.20 (unchanged: contributes 0, noted); car 0.80 → 0.70; bike 0 → 0.10.
    /// pkm_total_now = 1000; CO2 = (0.10 × 1000 × 0.16725 − 0.10 × 1000 × 0) kg = 16.725 kg.
    /// A second survey pair where other grows (0.20 → 0.30): CO2 null with the reason.
    @Test func modeOtherHasNoFactor() throws {
        #expect(KPIEngine.passengerKmFactorID(.other) == nil)
        #expect(KPIEngine.passengerKmFactorID(.motorbike) == "transport.motorbike")
        #expect(FactorCatalogue.builtIn.knows("transport.motorbike"))
        #expect(!FactorCatalogue.builtIn.knows("transport.other"))
        let unchanged = try MobilityKPITests.run("other", sources: """
              - { path: "*.csv", format: commute-survey, site: a }
            """, files: ["survey.csv": """
                year;mode;trips;avg_distance_km
                2023;car;80;
                2023;other;20;
                2024;car;70;10
                2024;other;20;10
                2024;bike;10;10

                """])
        let co2 = try #require(unchanged.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "a"))
        #expect(close(co2.value, 0.016725))
        #expect(co2.provenance.formula.contains("other has no factor; its share is unchanged, so it contributes 0"))
        let grown = try MobilityKPITests.run("other", sources: """
              - { path: "*.csv", format: commute-survey, site: a }
            """, files: ["survey.csv": """
                year;mode;trips;avg_distance_km
                2023;car;80;
                2023;other;20;
                2024;car;70;10
                2024;other;30;10

                """])
        let null = try #require(grown.kpi("co2.avoided_modal_shift_t", period: "reporting", site: "a"))
        #expect(null.value == nil)
        #expect(null.provenance.reason == "no emission factor for other in the catalogue, and its share changed "
            + "by +10 pp (a 2024-06-30 vs a 2023-06-30): leaving it out would bias the avoided CO2")
        // The car-km do not need a factor: 0.10 × 1000 = 100 km.
        #expect(close(grown.kpi("mobility.car_km_avoided", period: "reporting", site: "a")?.value, 100))
    }
}
