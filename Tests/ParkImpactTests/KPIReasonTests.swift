import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Null reasons are codes with parameters (`KPIReason`): English in kpis.json and kpis.csv with their `reason_code`,
/// Dutch in Dutch reports, rendered rather than translated back from English.
@Suite struct KPIReasonTests {
    static let baseline = ReportPeriod(key: "baseline", kind: .baseline,
                                       firstDay: CivilDate(iso: "2023-01-01")!.dayNumber,
                                       lastDay: CivilDate(iso: "2023-12-31")!.dayNumber)
    static let reporting = ReportPeriod(key: "reporting", kind: .reporting,
                                        firstDay: CivilDate(iso: "2024-01-01")!.dayNumber,
                                        lastDay: CivilDate(iso: "2024-12-31")!.dayNumber)
    static let day = CivilDate(iso: "2024-04-01")!

    /// One reason of every kind, with parameters.
    static let examples: [KPIReason] = [
        .noSource(.naturalGas, site: "a"), .noSource(.offtakeGasOrPV, site: nil, inThisPeriod: true), .noSeries,
        .noEmissionSource(site: nil), .dataStartLater(.pvProduction, date: day), .noSeriesStarted(date: day),
        .noData(.gridOfftake, expected: 96), .noDataAtAll, .noWaterData(baseline: true), .noWasteCollections,
        .noPeakValue, .partMissing(.naturalGas, site: "l", with: baseline, without: reporting),
        .partWithoutDataIn(.water, site: "z", baseline, reporting), .partWithoutData(.gridOfftake, site: "n"),
        .surveyMissing(site: "b", with: reporting, without: baseline), .zeroDivisor(field: "fte"),
        .zeroWaterBaseline, .zeroMeanBaselineGas, .zeroTotalEnergy, .zeroConsumption, .zeroMatchedProduction,
        .zeroWaste, .zeroRoadUsers, .surveyWithoutCommuters(labels: ["a 2024-05-14"], grouped: true),
        .noPrice(carrier: "gas", year: 2024, file: "pipelines/p.yaml"),
        .noPilotCost(site: "a", file: "pipelines/p.yaml"), .noCO2Avoided, .costAvoidedNotPositive(euros: -12.5),
        .noEmissions, .noSiteValue(field: "fte", sites: ["a", "b"], withWaterData: true), .perSiteOnly,
        .noFineWaterMeter(site: "a"), .noDegreeDays, .noGasAndDegreeDays, .noCompleteNight(site: "a"),
        .noCompleteCounterDay, .offtakeNotPerInterval(sites: ["p"]),
        .pvTotalsNotMatched(notes: ["the PV production of site p (inv) has 2 of 40 readings longer than a day"]),
        .noInjectionSeries(sites: ["p"]), .baselineBeforeReporting(first: day, last: day),
        .baselineDays(days: 20, needed: 90),
        .baselineMissingDays(share: 0.125, allowed: "10 %", missing: 45, days: 360), .noSurveyOrTrips,
        .noSurveyIn([baseline, reporting], site: "a"),
        .noSiteSurveyedInBoth(baseline, reporting, baseline: ["a 2023-05-10"], now: ["b 2024-05-14"]),
        .noAverageDistance(survey: "a 2024-05-14", modes: ["bike"]),
        .noModeFactor(mode: "motorbike", shift: "+2.5", now: "a 2024-05-14", before: "a 2023-05-10"),
        .noBikeCounter(site: nil), .bikeOnlyCounters(site: "a", counters: ["t1"]),
        .noCommuteFactor(mode: "motorbike", factor: "transport.motorbike", survey: "a 2024-06-30"),
        .commutingNotAnnualised(file: "p.yaml"), .residualMixSplitUnknown(sites: ["a", "c"]),
        .within(.period(baseline), .noData(.naturalGas, expected: 8760)), .within(.kpi("co2.scope1_t"), .noDataAtAll),
        .within(.noBaselineValue("co2.scope1_t"), .noSource(.naturalGas, site: nil)),
        .within(.noReportingValue("co2.scope2_market_t"), .noDataAtAll),
        .within(.isNull("cost.energy_avoided_eur"), .noPrice(carrier: "electricity", year: 2024, file: "p.yaml")),
        .within(.noBaselineModel, .baselineDays(days: 20, needed: 90)),
        .detailed(.noData(.selfConsumedMatched, expected: 10), .pvTotalsNotMatched(notes: ["x"])),
        .all([.partWithoutData(.gridOfftake, site: "n"), .noSource(.water, site: "m")]),
    ]

    /// The kind of a reason: an exhaustive switch, so a new kind fails to compile until it is named here (and given
    /// an example above, which `everyKindHasAnExample` checks by the count).
    static func kind(_ reason: KPIReason) -> String {
        switch reason {
        case .noSource: "noSource"
        case .noSeries: "noSeries"
        case .noEmissionSource: "noEmissionSource"
        case .dataStartLater: "dataStartLater"
        case .noSeriesStarted: "noSeriesStarted"
        case .noData: "noData"
        case .noDataAtAll: "noDataAtAll"
        case .noWaterData: "noWaterData"
        case .noWasteCollections: "noWasteCollections"
        case .noPeakValue: "noPeakValue"
        case .partMissing: "partMissing"
        case .partWithoutDataIn: "partWithoutDataIn"
        case .partWithoutData: "partWithoutData"
        case .surveyMissing: "surveyMissing"
        case .zeroDivisor: "zeroDivisor"
        case .zeroWaterBaseline: "zeroWaterBaseline"
        case .zeroMeanBaselineGas: "zeroMeanBaselineGas"
        case .zeroTotalEnergy: "zeroTotalEnergy"
        case .zeroConsumption: "zeroConsumption"
        case .zeroMatchedProduction: "zeroMatchedProduction"
        case .zeroWaste: "zeroWaste"
        case .zeroRoadUsers: "zeroRoadUsers"
        case .surveyWithoutCommuters: "surveyWithoutCommuters"
        case .noPrice: "noPrice"
        case .noPilotCost: "noPilotCost"
        case .noCO2Avoided: "noCO2Avoided"
        case .costAvoidedNotPositive: "costAvoidedNotPositive"
        case .noEmissions: "noEmissions"
        case .noSiteValue: "noSiteValue"
        case .perSiteOnly: "perSiteOnly"
        case .noFineWaterMeter: "noFineWaterMeter"
        case .noDegreeDays: "noDegreeDays"
        case .noGasAndDegreeDays: "noGasAndDegreeDays"
        case .noCompleteNight: "noCompleteNight"
        case .noCompleteCounterDay: "noCompleteCounterDay"
        case .offtakeNotPerInterval: "offtakeNotPerInterval"
        case .pvTotalsNotMatched: "pvTotalsNotMatched"
        case .noInjectionSeries: "noInjectionSeries"
        case .baselineBeforeReporting: "baselineBeforeReporting"
        case .baselineDays: "baselineDays"
        case .baselineMissingDays: "baselineMissingDays"
        case .noSurveyOrTrips: "noSurveyOrTrips"
        case .noSurveyIn: "noSurveyIn"
        case .noSiteSurveyedInBoth: "noSiteSurveyedInBoth"
        case .noAverageDistance: "noAverageDistance"
        case .noModeFactor: "noModeFactor"
        case .noBikeCounter: "noBikeCounter"
        case .bikeOnlyCounters: "bikeOnlyCounters"
        case .noCommuteFactor: "noCommuteFactor"
        case .commutingNotAnnualised: "commutingNotAnnualised"
        case .residualMixSplitUnknown: "residualMixSplitUnknown"
        case .within: "within"
        case .detailed: "detailed"
        case .all: "all"
        }
    }

    @Test func everyKindHasAnExampleAndEveryCodeASentence() {
        #expect(Set(Self.examples.map(Self.kind)).count == 54)
        #expect(Set(Self.examples.map(\.code)) == Set(KPIReasonCode.allCases))
    }

    @Test("every reason renders as its own non-empty sentence in English and in Dutch")
    func everyReasonRendersInBothLanguages() {
        let english = Self.examples.map { $0.text(.en) }, dutch = Self.examples.map { $0.text(.nl) }
        #expect(english.allSatisfy { !$0.isEmpty } && dutch.allSatisfy { !$0.isEmpty })
        #expect(Set(english).count == english.count)
        #expect(Set(dutch).count == dutch.count)
        for (en, nl) in zip(english, dutch) {
            #expect(en != nl)
            #expect(!nl.contains("technische melding"))
            #expect(!nl.contains(" data in ") && !nl.contains("no source") && !nl.contains("the baseline"), "\(nl)")
        }
        for reason in Self.examples { #expect(reason.english == reason.text(.en)) }
    }

    @Test("a combination has the code of its first part and renders each part from its own code")
    func combinations() {
        let gas = KPIReason.partMissing(.naturalGas, site: "l", with: Self.baseline, without: Self.reporting)
        let price = KPIReason.noPrice(carrier: "gas", year: 2024, file: "p.yaml")
        let both = KPIReason.all([gas, .within(.period(Self.reporting), price)])
        #expect(both.code == .partMissingInPeriod)
        #expect(KPIReason.all([price, gas]).code == .noPrice)
        #expect(both.english == gas.english + "; reporting: " + price.english)
        #expect(both.text(.nl) == gas.text(.nl) + "; rapportage: " + price.text(.nl))
        #expect(KPIReason.joined([]) == nil)
        #expect(KPIReason.joined([gas]) == gas)
        #expect(KPIReason.within(.noBaselineModel, .baselineDays(days: 20, needed: 90)).code == .baselineTooShort)
        #expect(KPIReason.within(.isNull("cost.energy_avoided_eur"), both).text(.nl)
            .hasPrefix(KPILabels.label(for: "cost.energy_avoided_eur", language: .nl) + " is leeg: "))
    }

    // MARK: A small pilot with many nulls

    static let yaml = """
        pilot: nulls
        name: "Nulls"
        language: nl
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
          gas: { 2023: 0.1 }
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

    let report: PilotReport
    init() throws { report = try runPilot("nulls", yaml: Self.yaml, files: ["data.csv": Self.data]) }

    @Test("kpis.json and kpis.csv give each null KPI's reason_code beside its reason")
    func reasonCodesInTheMachineOutputs() throws {
        let expected: [(key: String, period: String, site: String?, code: KPIReasonCode)] = [
            ("co2.change_vs_baseline_pct", "reporting", nil, .partMissingInPeriod),
            ("energy.gas_kwh", "reporting", "b", .noSource),
            ("energy.gas_kwh", "2024-03", "a", .noDataInPeriod),
            ("water.night_min_flow_m3h", "reporting", nil, .perSiteOnly),
            ("water.m3_per_fte", "reporting", "a", .noSiteValue),
            ("cost.eur_per_t_co2_avoided", "reporting", nil, .noPilotCost),
        ]
        let csv = CSVOutput.kpis(report)
        let header = try #require(csv.split(separator: "\r\n").first).dropFirst()  // the BOM
        let columns = header.split(separator: ",").map(String.init)
        #expect(columns.firstIndex(of: "reason_code") == columns.firstIndex(of: "reason").map { $0 + 1 })
        for row in expected {
            let kpi = try #require(report.kpi(row.key, period: row.period, site: row.site), "\(row.key) \(row.period)")
            #expect(kpi.value == nil)
            #expect(kpi.provenance.reasonCode == row.code, "\(row.key) \(row.period): \(kpi.provenance.reason ?? "")")
            let json = KPIJSONWriter.object(kpi)
            #expect(json.contains(", \"reason\": \(KPIJSONWriter.json(kpi.provenance.reason ?? ""))"
                + ", \"reason_code\": \"\(row.code.rawValue)\"}"), "\(json)")
            #expect(csv.contains(",\(row.code.rawValue),"))
        }
        // The saving of 2024 lacks the gas price and l's gas: two parts, the code of the first.
        let saving = try #require(report.kpi("cost.energy_avoided_eur", period: "reporting"))
        #expect(saving.provenance.reason?.contains("; ") == true)
        #expect(saving.provenance.reasonCode == saving.provenance.why.map { Self.first($0).code })
        let valued = try #require(report.kpi("energy.gas_kwh", period: "reporting", site: "a"))
        #expect(valued.value != nil && valued.provenance.reasonCode == nil)
        #expect(KPIJSONWriter.object(valued).hasSuffix(", \"reason_code\": null}}"))
    }

    static func first(_ reason: KPIReason) -> KPIReason {
        if case .all(let parts) = reason, let part = parts.first { return first(part) }
        if case .within(_, let inner) = reason { return first(inner) }
        return reason
    }

    @Test("a Dutch report of a pilot with many null KPIs gives every reason in Dutch")
    func dutchReportOfManyNulls() throws {
        let nulls = report.kpis.filter { $0.value == nil }
        #expect(nulls.count > 50)
        #expect(Set(nulls.compactMap(\.provenance.reasonCode)).count >= 6)
        #expect(nulls.allSatisfy { $0.provenance.why != nil })
        let html = HTMLReport.render(report)
        #expect(html.contains("<html lang=\"nl\">"))
        #expect(!html.contains("technische melding"))
        for kpi in nulls {
            let dutch = EngineText.reason(kpi.provenance.why!, .nl)
            #expect(dutch != kpi.provenance.reason)
            #expect(!dutch.contains("technische melding"))
        }
        let titles = HTMLReportTests.nullReasons(html)
        #expect(!titles.isEmpty)
        #expect(titles.allSatisfy { !$0.contains("no source") && !$0.contains(" data in ") }, "\(titles)")
    }
}
