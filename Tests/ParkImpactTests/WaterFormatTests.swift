import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

// Expected values in this file were computed independently of ParkImpact's code:
// - sample and excerpt totals with Python (csv module, zoneinfo Europe/Brussels, fractions.Fraction), spreading
//   each register difference over local days in proportion to UTC seconds;
// - the small fixtures by hand (hours per local day written next to each expectation).

/// A one-site definition reading everything as `format`, with extra keys on the source (`quantity: gas`).
private func waterDefinition(_ format: SourceFormatName, source: String = "") throws -> PipelineDefinition {
    try DefinitionLoader.parse(yaml: """
        pilot: test
        name: Test
        timezone: Europe/Brussels
        periods:
          baseline: { from: 2021-01-01, to: 2022-12-31 }
          reporting: { from: 2023-01-01, to: 2023-12-31 }
        sites:
          - { id: s1, name: Site one }
        sources:
          - { path: "*.csv", format: \(format.rawValue), site: s1\(source.isEmpty ? "" : ", " + source) }
        """, file: "pipelines/test.yaml", catalogue: .builtIn)
}

/// Reads `path` as the run would, with the source keys given.
private func read(_ path: String, _ format: SourceFormatName, source: String = "", traceLimit: Int = 0) throws
    -> FileResult {
    let definition = try waterDefinition(format, source: source)
    let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: traceLimit)
}

/// Writes `text` to a scratch file and reads it.
private func read(text: String, _ format: SourceFormatName, source: String = "", traceLimit: Int = 0) throws
    -> FileResult {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("input/readings.csv", text)
    return try read(scratch.root + "/input/readings.csv", format, source: source, traceLimit: traceLimit)
}

/// Sum per local date (`2024-01-31`) of one quantity.
private func daySums(_ result: FileResult, _ quantity: Quantity) -> [String: Double] {
    var sums: [String: Double] = [:]
    for series in result.series where series.key.quantity == quantity {
        for (day, cell) in series.days { sums[CivilDate(dayNumber: day).description, default: 0] += cell.sum }
    }
    return sums
}

/// Sum per local month (`2024-02`) of one quantity.
private func monthSums(_ result: FileResult, _ quantity: Quantity) -> [String: Double] {
    var sums: [String: Double] = [:]
    for series in result.series where series.key.quantity == quantity {
        for (day, cell) in series.days { sums[CivilDate(dayNumber: day).monthKey, default: 0] += cell.sum }
    }
    return sums
}


/// The first records of a file as text, as `sniff` hands them to the detectors.
private func firstRecords(_ path: String) throws -> [[String]] {
    let report = try Sniff.sniff(path: path)
    return [report.header] + report.firstRecords
}

/// The `homewizard-water` and `meter-readings` formats (`swift test --filter WaterFormatTests`).
@Suite struct WaterFormatTests {}

// MARK: - Samples

extension WaterFormatTests {
    @Suite
    struct Samples {
        @Test("EnergyControl readings: 10 readings, 9 differences spread over 689 local days, 141.94 m³")
        func energyControlSample() throws {
            let result = try read(samplePath("energycontrol_water_meter_readings_full.csv"), .meterReadings)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .water, meter: "meter-readings")])
            // Python: 522.940 − 381.000 = 141.94 m³ over 689 distinct local days (2022-10-29 … 2024-09-16).
            var got = totals(result, .water)
            got.sum = (got.sum * 1e9).rounded() / 1e9
            // Spread over a gap (`RegisterGap`: the median difference is 7 days, so > 31 days here): the 53-day
            // difference 29 Oct – 21 Dec 2022 (54 local days) and the 596-day one 24 Dec 2022 – 12 Aug 2024 (598
            // local days) are estimated and not covered (present, estimated and missing at once): 652 days.
            #expect(got == QuantityTotals(present: 689, estimated: 652, missing: 652, sum: 141.94))
            // One accepted row per difference; every other line counted.
            #expect(result.summary.acceptedRows == 9)
            #expect(result.summary.ignoredRows == [
                "preamble": 2,            // `Wasser;19.09.24;`, `;;`
                MeterReadingsFormat.ignoredChainStart.rawValue: 1,          // 29.10.22 11:39 starts the chain
                MeterReadingsFormat.ignoredBlank.rawValue: 2,               // the two `;;` lines after the data
                MeterReadingsFormat.ignoredFooter.rawValue: 4,              // Created with…, Wenn dir…, https…, Made…
            ])
            let days = daySums(result, .water)
            // Python (Fraction): 29 Oct 2022 gets 14 h 21 min of the 53-day first difference (8 m³), 30 Oct its
            // 25-hour day; 24 Dec gets 1 h 40 min of the 596-day gap (125.98 m³) after the equal reading at 22:20.
            #expect(close(days["2022-10-29"], 0.07729216647543549))
            #expect(close(days["2022-10-30"], 0.15646187545634713))
            #expect(close(days["2022-12-24"], 0.014672381262956839))
            #expect(close(days["2022-12-25"], 0.21128229018657846))
            #expect(close(days["2024-09-16"], 0.09521013029913745))
            let months = monthSums(result, .water)
            #expect(close(months["2022-10"], 0.3839574423698759))
            #expect(close(months["2023-02"], 5.915904125224197))
            #expect(close(months["2024-08"], 6.582844616443805))
            #expect(close(months["2024-09"], 2.7511466719026116))
            #expect(result.series[0].intervalSeconds == 86_400)
        }

        @Test("HomeWizard head: 29 rows of register 0 before the meter's first count give no data, all counted")
        func homeWizardSample() throws {
            let result = try read(samplePath("homewizard_water_15min_head30.csv"), .homewizardWater)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty)
            #expect(result.series.isEmpty)
            #expect(result.summary.acceptedRows == 0)
            // Python: 29 data rows under the header, every value 0 (the export pads the weeks before installation).
            #expect(result.summary.ignoredRows == [HomeWizardWaterFormat.ignoredNotCounting.rawValue: 29])
        }

        @Test("sniff names each water sample's format, and neither water format matches any other sample")
        func detection() throws {
            let own: [String: SourceFormatName] = [
                "energycontrol_water_meter_readings_full.csv": .meterReadings,
                "homewizard_water_15min_head30.csv": .homewizardWater,
            ]
            let files = try FileManager.default.contentsOfDirectory(atPath: samplesFolder)
                .filter { $0.hasSuffix(".csv") }
            #expect(files.count >= 15)
            for file in files {
                let records = try firstRecords(samplePath(file))
                #expect(HomeWizardWaterFormat.detect(records) == (own[file] == .homewizardWater), "\(file)")
                #expect(MeterReadingsFormat.detect(records) == (own[file] == .meterReadings), "\(file)")
                if let format = own[file] {
                    #expect(try Sniff.sniff(path: samplePath(file)).format == format, "\(file)")
                }
            }
        }
}

}

// MARK: - HomeWizard fixtures

extension WaterFormatTests {
    @Suite struct HomeWizard {
        /// Rows copied verbatim from the public export the sample was cut from
        /// (patrickvorgers/Home-Assistant-Import-Energy-Data, `15min_Water-2025-3-1-2025-7-12.csv`): the meter's first
        /// count on 28 March 2025.
        static let firstCount = """
            time,water usage dl
            2025-03-28 12:30,0
            2025-03-28 12:45,0
            2025-03-28 13:00,0
            2025-03-28 13:15,116
            2025-03-28 13:30,116
            2025-03-28 13:45,116
            2025-03-28 14:00,116
            2025-03-28 14:15,303
            2025-03-28 14:30,356
            2025-03-28 14:45,360
            2025-03-28 15:00,360
            2025-03-28 15:15,360
            2025-03-28 15:30,436
            2025-03-28 15:45,453
            2025-03-28 16:00,503
            2025-03-28 16:15,503
            2025-03-28 16:30,503
            2025-03-28 16:45,503
            2025-03-28 17:00,503
            2025-03-28 17:15,533
            2025-03-28 17:30,533
            2025-03-28 17:45,533
            2025-03-28 18:00,650
            2025-03-28 18:15,760
            2025-03-28 18:30,816
            2025-03-28 18:45,816
            2025-03-28 19:00,830
            2025-03-28 19:15,830
            2025-03-28 19:30,880
            2025-03-28 19:45,960
            2025-03-28 20:00,1146
            2025-03-28 20:15,1146
            2025-03-28 20:30,1146
            2025-03-28 20:45,1146
            2025-03-28 21:00,1146
            2025-03-28 21:15,1146
            2025-03-28 21:30,1146
            2025-03-28 21:45,1146
            2025-03-28 22:00,1146
            2025-03-28 22:15,1146
            2025-03-28 22:30,1146
            2025-03-28 22:45,1160
            2025-03-28 23:00,1160
            2025-03-28 23:15,1160
            2025-03-28 23:30,1206
            2025-03-28 23:45,2156
            2025-03-29 00:00,2156
            2025-03-29 00:15,2156
            2025-03-29 00:30,2193

            """

        @Test("the register's first count: leading zeros ignored, 46 quarters, decilitres differenced into m³")
        func firstCountExcerpt() throws {
            let result = try read(text: Self.firstCount, .homewizardWater, traceLimit: 100)
            #expect(result.rejects.isEmpty)
            #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .water, meter: "homewizard-water")])
            #expect(result.series[0].intervalSeconds == 900)
            // Python: 12:30 and 12:45 are padding, 13:00 (still 0) starts the chain; 28 Mar: 44 quarters,
            // 2156 − 0 = 2156 dl = 0.2156 m³; 29 Mar: 2 quarters, 2193 − 2156 = 37 dl = 0.0037 m³.
            let days = daySums(result, .water)
            #expect(close(days["2025-03-28"], 0.2156))
            #expect(close(days["2025-03-29"], 0.0037))
            let cells = result.series[0].days
            #expect(cells[CivilDate(iso: "2025-03-28")!.dayNumber]?.present == 44)
            #expect(cells[CivilDate(iso: "2025-03-29")!.dayNumber]?.present == 2)
            #expect(result.summary.acceptedRows == 46)
            #expect(result.summary.ignoredRows == [HomeWizardWaterFormat.ignoredNotCounting.rawValue: 2,
                                                   HomeWizardWaterFormat.ignoredChainStart.rawValue: 1])
            // 13:00 CET = 12:00Z: the first quarter's use (116 dl) is 13:00–13:15 local.
            let first = try #require(result.trace.first)
            #expect(first.startUTC == utc("2025-03-28T12:00Z") && first.intervalSeconds == 900)
            #expect(close(first.value, 0.0116) && first.quality == .measured)
        }

        @Test("spring clock change (verbatim rows of 30 March 2025): 01:45 → 03:00 is one 15-minute interval")
        func springExcerpt() throws {
            let text = """
                time,water usage dl
                2025-03-30 01:00,6053
                2025-03-30 01:15,6053
                2025-03-30 01:30,6053
                2025-03-30 01:45,6053
                2025-03-30 03:00,6053
                2025-03-30 03:15,6053
                2025-03-30 03:30,6053
                2025-03-30 03:45,6053
                2025-03-30 04:00,6053
                2025-03-30 04:15,6053
                2025-03-30 04:30,6053
                2025-03-30 04:45,6053
                2025-03-30 05:00,6053
                2025-03-30 05:15,6053
                2025-03-30 05:30,6053
                2025-03-30 05:45,6053
                2025-03-30 06:00,6053
                2025-03-30 06:15,6053
                2025-03-30 06:30,6186
                2025-03-30 06:45,6240
                2025-03-30 07:00,6240
                """
            let result = try read(text: text, .homewizardWater, traceLimit: 100)
            #expect(result.rejects.isEmpty)
            // Python: every UTC step is 900 s; 20 intervals; 6240 − 6053 = 187 dl.
            #expect(result.trace.count == 20)
            #expect(result.trace.allSatisfy { $0.intervalSeconds == 900 && $0.quality == .measured })
            #expect(Array(result.trace.prefix(6).map(\.startUTC)) == ["2025-03-30T00:00Z", "2025-03-30T00:15Z",
                "2025-03-30T00:30Z", "2025-03-30T00:45Z", "2025-03-30T01:00Z", "2025-03-30T01:15Z"].map(utc))
            #expect(close(daySums(result, .water)["2025-03-30"], 0.0187))
        }

        @Test("two days without rows: the use over the gap is one estimated reading per local day, not 192 quarters")
        func gapOverDays() throws {
            // 100 → 110 dl (a quarter), then 48 h later 590 dl: 480 dl over a gap (> max(4 × 15 min, 1 day)).
            // By time: 2 March 00:15–24:00 = 1,425 min, 3 March 1,440 min, 4 March 00:00–00:15 = 15 min, of 2,880.
            let text = """
                time,water usage dl
                2025-03-02 00:00,100
                2025-03-02 00:15,110
                2025-03-04 00:15,590
                2025-03-04 00:30,600
                """
            let result = try read(text: text, .homewizardWater, traceLimit: 100)
            #expect(result.rejects.isEmpty)
            #expect(result.trace.map(\.quality) == [.measured, .estimated, .estimated, .estimated, .measured])
            #expect(result.trace.map(\.intervalSeconds) == [900, 1_425 * 60, 86_400, 900, 900])
            #expect(totals(result, .water).present == 5 && totals(result, .water).estimated == 3)
            let days = daySums(result, .water)
            #expect(close(days["2025-03-02"], 0.001 + 0.048 * 1_425 / 2_880))
            #expect(close(days["2025-03-03"], 0.024))
            #expect(close(days["2025-03-04"], 0.048 * 15 / 2_880 + 0.001))
        }

        @Test("autumn clock change: the repeated hour written twice gives 11 distinct consecutive UTC quarters")
        func autumnRepeatedHour() throws {
            let text = """
                time,water usage dl
                2025-10-26 01:30,1000
                2025-10-26 01:45,1000
                2025-10-26 02:00,1010
                2025-10-26 02:15,1020
                2025-10-26 02:30,1030
                2025-10-26 02:45,1040
                2025-10-26 02:00,1050
                2025-10-26 02:15,1060
                2025-10-26 02:30,1070
                2025-10-26 02:45,1080
                2025-10-26 03:00,1090
                2025-10-26 03:15,1100
                """
            let result = try read(text: text, .homewizardWater, traceLimit: 100)
            #expect(result.rejects.isEmpty)
            // zoneinfo: 01:30 CEST = 23:30Z (25 Oct); 02:00 first = 00:00Z, second = 01:00Z; 03:00 CET = 02:00Z.
            let starts = result.trace.map(\.startUTC)
            #expect(starts == ["2025-10-25T23:30Z", "2025-10-25T23:45Z", "2025-10-26T00:00Z", "2025-10-26T00:15Z",
                               "2025-10-26T00:30Z", "2025-10-26T00:45Z", "2025-10-26T01:00Z", "2025-10-26T01:15Z",
                               "2025-10-26T01:30Z", "2025-10-26T01:45Z", "2025-10-26T02:00Z"].map(utc))
            #expect(Set(starts).count == 11)
            #expect(result.trace.map { ($0.value * 1e6).rounded() / 1e6 }
                == [0] + Array(repeating: 0.001, count: 10))
            // All on local 26 October (a 25-hour day): 1100 − 1000 = 100 dl.
            #expect(close(daySums(result, .water)["2025-10-26"], 0.01))
        }

        @Test("autumn clock change written once: 02:45 summer → 03:00 winter is 75 minutes, five estimated quarters")
        func autumnHourOnce() throws {
            let text = """
                time,water usage dl
                2025-10-26 02:00,1000
                2025-10-26 02:15,1010
                2025-10-26 02:30,1020
                2025-10-26 02:45,1030
                2025-10-26 03:00,1080
                """
            let result = try read(text: text, .homewizardWater, traceLimit: 100)
            #expect(result.rejects.isEmpty)
            // 02:45 CEST = 00:45Z, 03:00 CET = 02:00Z: 50 dl over 5 quarters = 10 dl each, estimated.
            let last5 = result.trace.suffix(5)
            #expect(last5.map(\.startUTC) == ["2025-10-26T00:45Z", "2025-10-26T01:00Z", "2025-10-26T01:15Z",
                                              "2025-10-26T01:30Z", "2025-10-26T01:45Z"].map(utc))
            #expect(last5.allSatisfy { close($0.value, 0.001) && $0.quality == .estimated })
            #expect(totals(result, .water).estimated == 5)
        }

        @Test("missing rows: a rising register is shared evenly as estimated quarters, a flat one gives measured zeros")
        func missingRows() throws {
            let text = """
                time,water usage dl
                2024-06-01 10:00,100
                2024-06-01 10:15,110
                2024-06-01 11:00,140
                2024-06-01 11:15,140
                2024-06-01 12:00,140
                """
            let result = try read(text: text, .homewizardWater, traceLimit: 100)
            #expect(result.rejects.isEmpty)
            // 10:15 → 11:00: 30 dl over 3 quarters; 11:15 → 12:00: 0 dl over 3 quarters.
            #expect(result.trace.map(\.quality) == [.measured, .estimated, .estimated, .estimated, .measured,
                                                    .measured, .measured, .measured])
            #expect(result.trace.map { ($0.value * 1e7).rounded() / 1e7 } == [0.001, 0.001, 0.001, 0.001, 0, 0, 0, 0])
            var got = totals(result, .water)
            got.sum = (got.sum * 1e9).rounded() / 1e9
            #expect(got == QuantityTotals(present: 8, estimated: 3, missing: 0, sum: 0.004))
        }

        @Test("a register that goes down is rejected with both values and differencing restarts from it")
        func reset() throws {
            let text = """
                time,water usage dl
                2024-06-01 10:00,500
                2024-06-01 10:15,520
                2024-06-01 10:30,20
                2024-06-01 10:45,30
                2024-06-01 10:45,35
                """
            let result = try read(text: text, .homewizardWater)
            #expect(result.rejects.map(\.line) == [4, 6])
            #expect(result.rejects.first?.column == "water usage dl")
            #expect(result.rejects.first?.reason == "the reading 20 dl is lower than the previous reading 520 dl "
                + "(line 3): a meter reset, rollover or replacement; no consumption is counted between these two "
                + "readings and the differences restart from this reading")
            #expect(result.rejects.last?.reason == "another reading at the time of line 5: 30 dl there, 35 dl here; "
                + "the first counts")
            #expect(result.rejects.last?.code == .conflictingInterval)
            // (520 − 500) + (30 − 20) = 30 dl; never negative.
            var got = totals(result, .water)
            got.sum = (got.sum * 1e9).rounded() / 1e9
            #expect(got == QuantityTotals(present: 2, estimated: 0, missing: 0, sum: 0.003))
        }

        @Test("a header that is not HomeWizard's is refused with what was expected")
        func wrongHeader() throws {
            let result = try read(text: "time,gas usage m3\n2025-03-01 00:00,0\n", .homewizardWater)
            #expect(result.summary.problem?.contains("expected time,water usage dl, found: time,gas usage m3") == true)
            let unit = try read(text: "time,water usage dl\n2025-03-01 00:00,0\n", .homewizardWater, source: "unit: l")
            #expect(unit.summary.problem?.contains("is in decilitres (dl), but the source says `unit: l`") == true)
        }

        @Test("detection: HomeWizard's water header only")
        func detect() {
            #expect(HomeWizardWaterFormat.detect([["time", "water usage dl"], ["2025-03-01 00:00", "0"]]))
            #expect(!HomeWizardWaterFormat.detect([["time", "Import T1 kWh", "Import T2 kWh"]]))
            #expect(!HomeWizardWaterFormat.detect([["Datum", "Zeit", "Zählerstand"]]))
            #expect(!HomeWizardWaterFormat.detect([]))
        }
}

}

// MARK: - Meter-readings fixtures

extension WaterFormatTests {
    @Suite struct MeterReadings {
        @Test("pro-rating by time across a day and a month boundary (Dutch header, dd-MM-yyyy)")
        func proRating() throws {
            let text = """
                Datum;Tijd;Meterstand
                31-01-2024;18:00;100
                01-02-2024;06:00;124
                03-02-2024;12:00;178
                """
            let result = try read(text: text, .meterReadings)
            #expect(result.rejects.isEmpty)
            // By hand (CET all along): 24 m³ over 12 h = 6 h on 31 Jan + 6 h on 1 Feb;
            // 54 m³ over 54 h = 18 h on 1 Feb + 24 h on 2 Feb + 12 h on 3 Feb.
            let days = daySums(result, .water)
            #expect(close(days["2024-01-31"], 12))
            #expect(close(days["2024-02-01"], 12 + 18))
            #expect(close(days["2024-02-02"], 24))
            #expect(close(days["2024-02-03"], 12))
            #expect(days.count == 4)
            let months = monthSums(result, .water)
            #expect(close(months["2024-01"], 12) && close(months["2024-02"], 66))
            #expect(totals(result, .water).present == 4)
            #expect(result.summary.acceptedRows == 2)
        }

        @Test("pro-rating over the spring clock change uses real hours: the 23-hour day gets 23 of 47")
        func proRatingSpring() throws {
            let text = """
                Date,Time,Reading
                30/03/2024,12:00,1000.5
                01/04/2024,12:00,1047.5
                """
            let result = try read(text: text, .meterReadings)
            #expect(result.rejects.isEmpty)
            // zoneinfo: 30 Mar 12:00 CET → 1 Apr 12:00 CEST is 47 h: 12 h + 23 h + 12 h.
            let days = daySums(result, .water)
            #expect(close(days["2024-03-30"], 12) && close(days["2024-03-31"], 23) && close(days["2024-04-01"], 12))
        }

        @Test("a reset is rejected with both values, no consumption across it, differences restart from it")
        func reset() throws {
            let text = """
                Date;Time;Reading
                01.01.2024;00:00;500
                02.01.2024;00:00;520
                03.01.2024;00:00;3
                04.01.2024;00:00;10
                """
            let result = try read(text: text, .meterReadings)
            #expect(result.rejects.count == 1)
            let reject = try #require(result.rejects.first)
            #expect(reject.line == 4)
            #expect(reject.column == "Reading")
            #expect(reject.reason == "the reading 3 m3 is lower than the previous reading 520 m3 (line 3): a meter "
                + "reset, rollover or replacement; no consumption is counted between these two readings and the "
                + "differences restart from this reading")
            #expect(reject.day == CivilDate(iso: "2024-01-03")!.dayNumber)
            // 20 m³ on 1 Jan, nothing on 2 Jan (unknown, not zero), 7 m³ on 3 Jan.
            let days = daySums(result, .water)
            #expect(close(days["2024-01-01"], 20) && days["2024-01-02"] == nil && close(days["2024-01-03"], 7))
            #expect(totals(result, .water) == QuantityTotals(present: 2, estimated: 0, missing: 0, sum: 27))
        }

        @Test("equal readings are zero use; a conflicting repeat, an earlier time and stray text are rejected; footer ignored")
        func policies() throws {
            let text = """
                Titel
                Datum/Tijd;Meterstand
                01-03-2024 08:00;10,5
                01-03-2024 20:00;10,5
                02-03-2024 08:00;11,5
                02-03-2024 08:00;11,6
                01-03-2024 23:00;11,7
                een losse opmerking;
                03-03-2024 08:00;12,5
                ;
                Export door app X;
                """
            let result = try read(text: text, .meterReadings)
            // Line 7 comes late and lies inside the readings already differenced in time order: rejected at the end.
            #expect(result.rejects.map(\.line) == [6, 8, 7])
            #expect(result.rejects.map(\.reason) == [
                "another reading at the time of line 5: 11,5 m3 there, 11,6 m3 here; the first counts",
                "text between readings, not a reading",
                "the time lies between readings already differenced in time order (lines 3 to 5); sort the file by "
                    + "time to use it",
            ])
            #expect(result.rejects.map(\.code) == [.conflictingInterval, .unexpectedText, .timeOutOfOrder])
            // By hand: 1 Mar 08→20 equal (0, present); 1 m³ over 20:00→08:00 = 4/12 on 1 Mar, 8/12 on 2 Mar;
            // 1 m³ over 2 Mar 08:00 → 3 Mar 08:00 = 16/24 on 2 Mar, 8/24 on 3 Mar.
            let days = daySums(result, .water)
            #expect(close(days["2024-03-01"], 1.0 / 3))
            #expect(close(days["2024-03-02"], 2.0 / 3 + 2.0 / 3))
            #expect(close(days["2024-03-03"], 1.0 / 3))
            #expect(totals(result, .water).present == 3)
            #expect(result.summary.acceptedRows == 3)
            #expect(result.summary.ignoredRows == ["preamble": 1,
                                                   MeterReadingsFormat.ignoredChainStart.rawValue: 1,
                                                   MeterReadingsFormat.ignoredBlank.rawValue: 1,
                                                   MeterReadingsFormat.ignoredFooter.rawValue: 1])
        }

        @Test("equal consecutive readings mark the days present with zero use, not missing")
        func equalReadings() throws {
            let result = try read(text: "Date;Reading\n01.05.2024;7\n04.05.2024;7\n", .meterReadings)
            #expect(result.rejects.isEmpty)
            #expect(totals(result, .water) == QuantityTotals(present: 3, estimated: 0, missing: 0, sum: 0))
        }

        @Test("quantity and unit come from the source: litres → m³ (with thousands groups), kWh registers, French")
        func units() throws {
            let litres = try read(text: """
                Datum;Uhrzeit;Zählerstand
                01.06.2024;00:00;1.234.500
                02.06.2024;00:00;1.236.000
                """, .meterReadings, source: "quantity: water, unit: l")
            #expect(litres.rejects.isEmpty)
            // 1 236 000 l − 1 234 500 l = 1 500 l = 1.5 m³, all on 1 June.
            #expect(close(daySums(litres, .water)["2024-06-01"], 1.5))

            let electricity = try read(text: """
                Date;Heure;Index
                01/06/2024;00:00;12345,6
                01/06/2024;12:00;12357,6
                """, .meterReadings, source: "quantity: electricity_offtake, unit: kWh")
            #expect(electricity.series.map(\.key.quantity) == [.electricityOfftake])
            #expect(close(daySums(electricity, .electricityOfftake)["2024-06-01"], 12))

            let headerUnit = try read(text: "Datum;Stand (l)\n01.06.2024;1000\n02.06.2024;1250\n", .meterReadings)
            #expect(close(daySums(headerUnit, .water)["2024-06-01"], 0.25))

            let conflict = try read(text: "Datum;Meterstand (m³)\n01.06.2024;1\n", .meterReadings, source: "unit: l")
            #expect(conflict.summary.problem?.contains("the source says `unit: l` but the column \"Meterstand (m³)\" "
                + "says m3") == true)
            // A unit that cannot fit the quantity is caught when the pipeline is loaded (exit 78), before any file.
            #expect(throws: DefinitionErrors.self) {
                try read(text: "Datum;Meterstand\n01.06.2024;1\n", .meterReadings, source: "quantity: gas, unit: m3")
            }
        }

        @Test("ambiguous or broken numbers and dates are rejected, never guessed")
        func badValues() throws {
            let text = """
                Datum;Zeit;Zählerstand
                01.06.24;08:00;381,000
                02.06.24;08:00;381.500
                03.06.24;25:00;382,000
                31.06.24;08:00;382,000
                04.06.24;08:00;-1
                05.06.24;08:00;
                06.06.24;08:00;383,000
                """
            let result = try read(text: text, .meterReadings)
            #expect(result.rejects.map(\.line) == [3, 4, 5, 6, 7])
            #expect(result.rejects.map(\.column) == ["Zählerstand", "Zeit", "Datum", "Zählerstand", "Zählerstand"])
            #expect(result.rejects[0].reason == "\"381.500\" is not a number (this file writes decimal commas: 381,5)")
            #expect(result.rejects[2].reason
                == "\"31.06.24\" is not a date in the file's layout dd.MM.yy (from its first reading)")
            #expect(close(totals(result, .water).sum, 2))
        }

        @Test("a reading before any header is refused; no header at all is refused")
        func noHeader() throws {
            let headerless = try read(text: "29.10.22;11:39;381,000\n21.12.22;16:55;389,000\n", .meterReadings)
            #expect(headerless.summary.problem?.contains("a reading row came before any header") == true)
            let none = try read(text: "Wasser;19.09.24;\n;;\n", .meterReadings)
            #expect(none.summary.problem != nil)
        }

        @Test("detection looks past preamble lines and needs readings that never decrease")
        func detect() {
            #expect(MeterReadingsFormat.detect([["Wasser", "19.09.24", ""], ["", "", ""],
                                                ["Datum", "Zeit", "Zählerstand"], ["29.10.22", "11:39", "381,000"],
                                                ["21.12.22", "16:55", "389,000"]]))
            #expect(MeterReadingsFormat.detect([["Date", "Time", "Reading"], ["2024-01-01", "08:00", "12.5"]]))
            #expect(MeterReadingsFormat.detect([["Datum/tijd", "Meterstand (m³)", "Opmerking"],
                                                ["01-01-2024 08:00", "12,5", "na vakantie"]]))
            // Interval values go up and down: not a register.
            #expect(!MeterReadingsFormat.detect([["Date", "Value"], ["01.01.2024", "5"], ["02.01.2024", "3"]]))
            // A header without readings, unknown extra columns, other formats' headers.
            #expect(!MeterReadingsFormat.detect([["Datum", "Zeit", "Zählerstand"]]))
            #expect(!MeterReadingsFormat.detect([["Date", "Reading", "Temperature"], ["01.01.2024", "5", "3"]]))
            #expect(!MeterReadingsFormat.detect([["Date/Time", "Energy Produced (Wh)"], ["01/01/2024 00:00", "0"]]))
            #expect(!MeterReadingsFormat.detect([["time", "water usage dl"], ["2025-03-01 00:00", "0"]]))
        }
}
}
