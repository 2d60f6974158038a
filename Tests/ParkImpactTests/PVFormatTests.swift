import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

// PV portal formats: `sma`, `sungrow`, `enphase`.
//
// Expected numbers for the samples in Tests/Fixtures/samples were computed independently with a short Python script
// (csv module, Decimal, zoneinfo Europe/Brussels), not with ParkImpact's code:
// - Sungrow: sum of each column over the 30 rows; day starts converted with zoneinfo.
// - Enphase: sum of `Energy Produced (Wh)` over the 19 rows ÷ 1000.
// - SMA daily: differences of consecutive non-NaN `Metering.TotWhOut` readings; a difference across NaN rows
//   shared over the local days in proportion to their real length (zoneinfo); 23.03 → 25.03 = 10805 Wh,
//   30.03 → 01.04 = 69206 Wh, the 23-hour 29 March is one measured day. The inline fixtures' numbers are worked
//   out by hand in the comments next to them.

/// Reads `path` as `format`, with extra keys on the source (`quantity: pv_production`).
private func readPV(_ path: String, _ format: SourceFormatName, source extra: String = "",
                    traceLimit: Int = 200) throws -> FileResult {
    let definition = try DefinitionLoader.parse(yaml: """
        pilot: test
        name: Test
        timezone: Europe/Brussels
        periods:
          baseline: { from: 2021-01-01, to: 2022-12-31 }
          reporting: { from: 2023-01-01, to: 2023-12-31 }
        sites:
          - { id: s1, name: Site one }
        sources:
          - { path: "*.csv", format: \(format.rawValue), site: s1\(extra.isEmpty ? "" : ", " + extra) }
        """, file: "pipelines/test.yaml", catalogue: .builtIn)
    let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: traceLimit)
}

/// Writes `text` to a scratch file and reads it.
private func readInline(_ text: String, _ format: SourceFormatName, source extra: String = "") throws -> FileResult {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("input.csv", text)
    return try readPV(scratch.root + "/input.csv", format, source: extra)
}

/// Expected totals of one quantity (present, estimated and missing intervals, sum in kWh).
private func counts(present: Int, estimated: Int, missing: Int, sum: Double) -> QuantityTotals {
    QuantityTotals(present: present, estimated: estimated, missing: missing, sum: sum)
}


private func sums(_ result: FileResult, _ quantity: Quantity) -> QuantityTotals {
    var got = totals(result, quantity)
    got.sum = (got.sum * 1_000_000).rounded() / 1_000_000
    return got
}


/// All PV format tests (`swift test --filter PVFormatTests`).
@Suite struct PVFormatTests {}

// MARK: - SMA

extension PVFormatTests {
    @Suite struct SMA {
        static let header = """
            \u{FEFF}sep=,
            Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma

            ,STP6.0-3AV-40 033,STP6.0-3AV-40 033
            ,SUNNY TRIPOWER 6.0,SUNNY TRIPOWER 6.0
            ,1900123456,1900123456
            ,Metering.TotWhOut,Metering.GridMs.AbsWhOut
            ,Analog,Analog
            DD.MM.YYYY hh:mm:ss,[Wh],[Wh]

            """

        @Test("daily sample: one PV series, NaN days shared as estimated, 304.847 kWh over 10 days")
        func dailySample() throws {
            let result = try readPV(samplePath("sma_webui_daily_head20.csv"), .sma)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .pvProduction,
                                                            meter: "XXXXXXXXXX:Metering.TotWhOut")])
            // Daily: the 23-hour 29 March 2020 is the shortest interval seen.
            #expect(result.series.first?.intervalSeconds == 82_800)
            #expect(sums(result, .pvProduction) == counts(present: 10, estimated: 4, missing: 0, sum: 304.847))
            // The grid registers stay at 0 Wh throughout (no energy meter): no injection or offtake series.
            #expect(totals(result, .electricityInjection) == QuantityTotals())
            #expect(totals(result, .electricityOfftake) == QuantityTotals())

            let trace = result.trace
            #expect(trace.map(\.startUTC) == ["2020-03-22T23:00Z", "2020-03-23T23:00Z", "2020-03-24T23:00Z",
                                              "2020-03-25T23:00Z", "2020-03-26T23:00Z", "2020-03-27T23:00Z",
                                              "2020-03-28T23:00Z", "2020-03-29T22:00Z", "2020-03-30T22:00Z",
                                              "2020-03-31T22:00Z"].map(utc))
            #expect(trace.map(\.intervalSeconds) == [86_400, 86_400, 86_400, 86_400, 86_400, 86_400, 82_800, 86_400,
                                                     86_400, 86_400])
            // 10805 Wh over 23 and 24 March (NaN on the 24th); 69206 Wh over 30 and 31 March (NaN on the 31st).
            let expected: [(Double, Quality)] = [
                (5.4025, .estimated), (5.4025, .estimated), (37.253, .measured), (38.435, .measured),
                (38.199, .measured), (37.349, .measured), (37.733, .measured), (34.603, .estimated),
                (34.603, .estimated), (35.867, .measured),
            ]
            #expect(trace.count == expected.count)
            for (reading, want) in zip(trace, expected) {
                #expect(close(reading.value, want.0) && reading.quality == want.1, "\(reading)")
            }

            let ignored = result.summary.ignoredRows
            let abs = SMAFormat.ignoredChannelsReason(["Metering.GridMs.AbsWhOut", "Metering.GridMs.AbsWhIn"]).key
            #expect(ignored[abs] == 11)
            // 2 grid registers × 10 intervals from 0 to 0.
            #expect(ignored[SMAFormat.ignoredNotCounting.rawValue] == 20)
            #expect(ignored[SMAFormat.ignoredChainStart.rawValue] == 3)
            #expect(ignored[SMAFormat.ignoredHeaderRows.rawValue] == 5)
        }

        @Test("5-minute sample: only Metering.TotWhOut is read; 4 measured zero intervals of 5 minutes")
        func fiveMinuteSample() throws {
            let result = try readPV(samplePath("sma_webui_5min_head14.csv"), .sma)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key.quantity) == [.pvProduction])
            #expect(result.series.first?.intervalSeconds == 300)
            #expect(sums(result, .pvProduction) == counts(present: 4, estimated: 0, missing: 0, sum: 0))
            // 30.06.2025 00:00 CEST = 29.06 22:00 UTC.
            #expect(result.trace.map(\.startUTC) == ["2025-06-29T22:00Z", "2025-06-29T22:05Z", "2025-06-29T22:10Z",
                                                     "2025-06-29T22:15Z"].map(utc))
            let ignored = result.summary.ignoredRows
            // Grid registers NaN in all 5 rows (no energy meter): no series, 5 rows × 2 channels.
            #expect(ignored[SMAFormat.ignoredBeforeFirst.rawValue] == 10)
            let channels = try #require(ignored.keys.first { $0.hasPrefix("sma_channels_not_read: ") })
            #expect(ignored[channels] == 5)
            for name in ["GridMs.TotW (Avg)", "DcMs.Watt (Avg)", "Operation.Health", "Operation.GriSwCnt",
                         "Metering.GridMs.AbsWhOut", "Metering.GridMs.AbsWhIn", "Isolation.LeakRis"] {
                #expect(channels.contains(name))
            }
            #expect(!channels.contains("Metering.TotWhOut,") && !channels.contains("Metering.GridMs.TotWhIn"))
        }

        @Test("a register that goes down is rejected with both readings; the differences restart from it")
        func registerReset() throws {
            // 1000 → 21000 → 500 (reset) → 20500: 01.06 = 20 kWh, 02.06 rejected, 03.06 = 20 kWh.
            let result = try readInline(Self.header + """
                01.06.2024 00:00:00,1000,NaN
                02.06.2024 00:00:00,21000,NaN
                03.06.2024 00:00:00,500,NaN
                04.06.2024 00:00:00,20500,NaN
                """, .sma)
            #expect(result.rejects.count == 1)
            let reject = try #require(result.rejects.first)
            #expect(reject.line == 12)
            #expect(reject.column == "1900123456:Metering.TotWhOut")
            #expect(reject.reason == "the register went down from 21000 Wh (line 11) to 500 Wh: a reset, rollover or "
                + "replaced meter, not negative energy; the differences restart from this reading")
            #expect(reject.raw == "03.06.2024 00:00:00,500,NaN")
            #expect(sums(result, .pvProduction) == counts(present: 2, estimated: 0, missing: 0, sum: 40))
            #expect(result.trace.map(\.startUTC) == ["2024-05-31T22:00Z", "2024-06-02T22:00Z"].map(utc))
            #expect(result.trace.allSatisfy { $0.value >= 0 })
        }

        @Test("two days without rows in a 5-minute export: one estimated reading per local day, not 576 present steps")
        func gapOverDays() throws {
            // 1100 Wh at 1 June 12:05 CEST, 4100 Wh 48 h later: 3 kWh over a gap (> max(4 × 5 min, 1 day)).
            // By time: 1 June 12:05–24:00 = 715 min, 2 June 1,440 min, 3 June 00:00–12:05 = 725 min, of 2,880.
            let result = try readInline(Self.header + """
                01.06.2024 12:00:00,1000,NaN
                01.06.2024 12:05:00,1100,NaN
                03.06.2024 12:05:00,4100,NaN
                03.06.2024 12:10:00,4200,NaN
                """, .sma)
            #expect(result.rejects.isEmpty)
            // Present: 12:00 and 3 June 12:05 (measured, 0.1 kWh each) and the three day parts (estimated).
            #expect(sums(result, .pvProduction) == counts(present: 5, estimated: 3, missing: 0, sum: 3.2))
            var byDay: [String: Double] = [:]
            for (day, cell) in try #require(result.series.first).days { byDay[CivilDate(dayNumber: day).description] = cell.sum }
            #expect(close(byDay["2024-06-01"], 0.1 + 3 * 715 / 2_880.0))
            #expect(close(byDay["2024-06-02"], 1.5))
            #expect(close(byDay["2024-06-03"], 3 * 725 / 2_880.0 + 0.1))
        }

        @Test("eight days without rows in a daily export: the days are filled (estimated and not covered)")
        func gapInADailyExport() throws {
            // 2000 Wh on 2 June, 10000 Wh on 10 June: 8 kWh over 8 whole days (> max(4 × 1 day, 1 day)), 1 kWh each.
            let result = try readInline(Self.header + """
                01.06.2024 00:00:00,1000,NaN
                02.06.2024 00:00:00,2000,NaN
                10.06.2024 00:00:00,10000,NaN
                11.06.2024 00:00:00,11000,NaN
                """, .sma)
            #expect(result.rejects.isEmpty)
            // Present: 1 and 10 June (measured, 1 kWh each) and the 8 filled days 2–9 June (present, estimated and
            // missing at once: `quality.coverage` does not count them).
            #expect(sums(result, .pvProduction) == counts(present: 10, estimated: 8, missing: 8, sum: 10))
            let cells = try #require(result.series.first).days
            #expect(cells.filter { $0.1.present == 1 && $0.1.estimated == 1 && $0.1.missing == 1 }.map(\.0)
                == (2...9).map { CivilDate(year: 2024, month: 6, day: $0)!.dayNumber })
        }

        @Test("a malformed register value is rejected with its line, column and reason")
        func malformedValue() throws {
            // 1000 → 4x0 (rejected) → 3000: the difference 2000 Wh spans 01.06 and 02.06 (estimated, 1 kWh each).
            let result = try readInline(Self.header + """
                01.06.2024 00:00:00,1000,NaN
                02.06.2024 00:00:00,4x0,NaN
                03.06.2024 00:00:00,3000,NaN
                32.06.2024 00:00:00,4000,NaN
                """, .sma)
            #expect(result.rejects.map(\.line) == [11, 13])
            #expect(result.rejects.map(\.column) == ["1900123456:Metering.TotWhOut", "DD.MM.YYYY hh:mm:ss"])
            #expect(result.rejects.map(\.reason) == [
                "\"4x0\" is not a number (a register reading in Wh, or NaN)",
                "\"32.06.2024 00:00:00\" is not a date and time in the layout DD.MM.YYYY hh:mm:ss of the units row",
            ])
            // The rejected row's time still counts as a row: the 2 kWh are shared over its day and the one before.
            #expect(sums(result, .pvProduction) == counts(present: 2, estimated: 2, missing: 0, sum: 2))
        }

        @Test("two inverters are two series; NaN between readings is shared over 5-minute steps; grid channels read")
        func twoInvertersAndGrid() throws {
            // Inverter 111: PV 1000 → 1100 → NaN → 1400: 12:00 0.1 kWh measured, 12:05 and 12:10 0.15 kWh
            // estimated.
            // Feed-in 0 → NaN → NaN → 60: 60 Wh over three 5-minute steps, 0.02 kWh each, estimated.
            // Purchase stays at 0: not counting, no series. Inverter 222: three intervals of 50 Wh.
            let result = try readInline("""
                Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma

                ,Dev A,Dev A,Dev A,Dev B
                ,STP,STP,STP,STP
                ,111,111,111,222
                ,Metering.TotWhOut,Metering.GridMs.TotWhOut,Metering.GridMs.TotWhIn,Metering.TotWhOut
                ,Analog,Analog,Analog,Analog
                DD.MM.YYYY hh:mm:ss,[Wh],[Wh],[Wh],[Wh]
                01.06.2024 12:00:00,1000,0,0,5000
                01.06.2024 12:05:00,1100,NaN,0,5050
                01.06.2024 12:10:00,NaN,NaN,0,5100
                01.06.2024 12:15:00,1400,60,0,5150
                """, .sma)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key.meter).sorted() == ["111:Metering.GridMs.TotWhOut", "111:Metering.TotWhOut",
                                                                 "222:Metering.TotWhOut"])
            #expect(result.series.allSatisfy { $0.intervalSeconds == 300 })
            #expect(sums(result, .pvProduction) == counts(present: 6, estimated: 2, missing: 0, sum: 0.55))
            #expect(sums(result, .electricityInjection) == counts(present: 3, estimated: 3, missing: 0, sum: 0.06))
            #expect(totals(result, .electricityOfftake) == QuantityTotals())
            #expect(result.summary.ignoredRows[SMAFormat.ignoredNotCounting.rawValue] == 3)
            let pv111 = result.trace.filter { $0.series.meter == "111:Metering.TotWhOut" }
            // 12:00 CEST = 10:00 UTC.
            #expect(pv111.map(\.startUTC) == ["2024-06-01T10:00Z", "2024-06-01T10:05Z", "2024-06-01T10:10Z"].map(utc))
            #expect(pv111.map(\.quality) == [.measured, .estimated, .estimated])
            #expect(zip(pv111.map(\.value), [0.1, 0.15, 0.15]).allSatisfy { close($0, $1) })
        }

        @Test("`quantity: pv_production` on the source reads only the PV channels")
        func quantityFilter() throws {
            let result = try readInline("""
                Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma
                ,Dev A,Dev A
                ,STP,STP
                ,111,111
                ,Metering.TotWhOut,Metering.GridMs.TotWhOut
                ,Analog,Analog
                DD.MM.YYYY hh:mm:ss,[Wh],[Wh]
                01.06.2024 12:00:00,1000,10
                01.06.2024 12:05:00,1100,20
                """, .sma, source: "quantity: pv_production")
            #expect(result.series.map(\.key.quantity) == [.pvProduction])
            #expect(result.summary.ignoredRows[SMAFormat.ignoredChannelsReason(["Metering.GridMs.TotWhOut"]).key] == 2)

            let water = try readInline("Version CSV3|Tool WebUI\n,A\n", .sma, source: "quantity: water")
            #expect(water.summary.problem?.contains("`quantity: water` selects nothing in this SMA export") == true)
        }

        @Test("the export re-saved by Excel (`;`, no sep= line, padding rows) reads the same")
        func excelResaved() throws {
            // 1000 → 3000 → 6000 Wh on consecutive days: 2 and 3 kWh.
            let result = try readInline("""
                Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma;;
                ;;
                ;STP8.0-3AV-40 622;STP8.0-3AV-40 622
                ;SUNNY TRIPOWER 8.0;SUNNY TRIPOWER 8.0
                ;XXXXXXXXXX;XXXXXXXXXX
                ;Metering.TotWhOut;GridMs.TotPFPrc (Avg)
                ;Analog;Analog
                DD.MM.YYYY hh:mm:ss;[Wh];
                11.07.2025 00:00:00;1000;1.000
                12.07.2025 00:00:00;3000;0.996
                13.07.2025 00:00:00;6000;NaN
                """, .sma)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(sums(result, .pvProduction) == counts(present: 2, estimated: 0, missing: 0, sum: 5))
        }

        @Test("the autumn repeated hour of a local-time export becomes consecutive UTC intervals")
        func autumnRepeatedHour() throws {
            // 27.10.2024: 02:00 and 02:30 appear twice (summer time, then winter time); 100 Wh per half hour.
            let result = try readInline("""
                Version CSV3|Tool WebUI
                ,A
                ,M
                ,111
                ,Metering.TotWhOut
                ,Analog
                DD.MM.YYYY hh:mm:ss,[Wh]
                27.10.2024 01:30:00,100
                27.10.2024 02:00:00,200
                27.10.2024 02:30:00,300
                27.10.2024 02:00:00,400
                27.10.2024 02:30:00,500
                27.10.2024 03:00:00,600
                """, .sma)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.trace.map(\.startUTC) == ["2024-10-26T23:30Z", "2024-10-27T00:00Z", "2024-10-27T00:30Z",
                                                     "2024-10-27T01:00Z", "2024-10-27T01:30Z"].map(utc))
            #expect(result.trace.allSatisfy {
                $0.intervalSeconds == 1800 && close($0.value, 0.1) && $0.quality == .measured
            })
        }

        @Test("a file that is not an SMA export is refused with what was expected")
        func notSMA() throws {
            let result = try readInline("Time,PV(kWh)\n2024-09-01,5\n", .sma)
            #expect(result.summary.problem?.contains("not an SMA WebUI export (CSV3)") == true)
        }
    }
}

// MARK: - Sungrow

extension PVFormatTests {
    @Suite struct Sungrow {
        @Test("the monthly report sample: four daily series, 30 days each, column totals")
        func sample() throws {
            let result = try readPV(samplePath("sungrow_isolarcloud_monthly_report_full.csv"), .sungrow, traceLimit: 8)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key.meter).sorted() == ["sungrow:Feed-in", "sungrow:Load", "sungrow:PV",
                                                                 "sungrow:Purchased Energy"])
            #expect(result.series.allSatisfy { $0.intervalSeconds == 86_400 && $0.key.site == "s1" })
            #expect(sums(result, .pvProduction) == counts(present: 30, estimated: 0, missing: 0, sum: 1470.3))
            #expect(sums(result, .electricityOfftake) == counts(present: 30, estimated: 0, missing: 0, sum: 191.4))
            #expect(sums(result, .electricityInjection) == counts(present: 30, estimated: 0, missing: 0, sum: 1105.1))
            #expect(sums(result, .electricityConsumption) == counts(present: 30, estimated: 0, missing: 0, sum: 556.6))
            // 2024-09-01 00:00 CEST = 2024-08-31 22:00 UTC; first row 56.2, 7, 44.7, 18.5 kWh.
            let first = result.trace.prefix(4)
            #expect(first.allSatisfy { $0.startUTC == utc("2024-08-31T22:00Z") && $0.intervalSeconds == 86_400 })
            #expect(first.map(\.series.quantity) == [.pvProduction, .electricityOfftake, .electricityInjection,
                                                     .electricityConsumption])
            #expect(first.map(\.value) == [56.2, 7, 44.7, 18.5])
            #expect(result.trace[4].startUTC == utc("2024-09-01T22:00Z"))
        }

        @Test("monthly and yearly rows are spread over their local days; `--` is missing")
        func monthsAndYears() throws {
            // March 2024 lasts 31 days minus the spring hour (2,674,800 s): 310 kWh → 31 March (23 h) gets
            // 310 × 82800 / 2674800 = 9.596231… kWh. April PV is `--`: 30 missing days.
            let months = try readInline("""
                Time,PV(kWh),Feed-in(kWh)
                2024-03,310,100
                2024-04,--,90
                Total,310,190
                """, .sungrow)
            #expect(months.rejects.isEmpty, "\(months.rejects.map(\.reason))")
            #expect(sums(months, .pvProduction) == counts(present: 31, estimated: 0, missing: 30, sum: 310))
            #expect(sums(months, .electricityInjection) == counts(present: 61, estimated: 0, missing: 0, sum: 190))
            #expect(months.summary.ignoredRows[SungrowFormat.ignoredTotal.rawValue] == 1)
            let pv = try #require(months.series.first { $0.key.quantity == .pvProduction })
            let march31 = CivilDate(year: 2024, month: 3, day: 31)!.dayNumber
            #expect(abs((pv.days[march31]?.sum ?? 0) - 9.596231493943472) < 1e-9)

            // A year: 365 days of 2023.
            let year = try readInline("Time,PV(kWh),Load(kWh)\n2023,5000,7300\n", .sungrow)
            #expect(sums(year, .pvProduction) == counts(present: 365, estimated: 0, missing: 0, sum: 5000))
        }

        @Test("mixed granularity, times of day, malformed values and out-of-order rows are rejected with reasons")
        func rejects() throws {
            let result = try readInline("""
                Time,PV(kWh),Purchased Energy(kWh)
                2024-09-01,56.2,7
                2024-09-02,n/a,6.2
                2024-09,1500,190
                2024-09-03 10:00,1,1
                2024-09-02,5,5
                2024-09-04,"5,5",-1
                """, .sungrow)
            #expect(result.rejects.map(\.line) == [3, 4, 5, 6, 7, 7])
            #expect(result.rejects.map(\.column) == ["PV(kWh)", "Time", "Time", "Time", "PV(kWh)",
                                                      "Purchased Energy(kWh)"])
            #expect(result.rejects.map(\.reason) == [
                "\"n/a\" is not a number",
                "a month (yyyy-MM) in a report of days: mixing them would count the same energy twice",
                "\"2024-09-03 10:00\" has a time of day: only daily, monthly or yearly reports are read (intraday "
                    + "reports give power, not energy per day)",
                "the period is not later than that of the previous row (line 3): a repeated or out-of-order row",
                "\"5,5\" is not a number",
                "an energy total cannot be negative",
            ])
            // Kept: 01 and 02 September for purchase, 01 September for PV.
            #expect(sums(result, .pvProduction) == counts(present: 1, estimated: 0, missing: 0, sum: 56.2))
            #expect(sums(result, .electricityOfftake) == counts(present: 2, estimated: 0, missing: 0, sum: 13.2))
        }
    }
}

// MARK: - Enphase

extension PVFormatTests {
    @Suite struct Enphase {
        @Test("the hourly sample: 19 hourly intervals, 554 Wh")
        func sample() throws {
            let result = try readPV(samplePath("enphase_custom_report_hourly_head20.csv"), .enphase)
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .pvProduction,
                                                            meter: "enphase:Energy Produced")])
            #expect(result.series.first?.intervalSeconds == 3600)
            #expect(sums(result, .pvProduction) == counts(present: 19, estimated: 0, missing: 0, sum: 0.554))
            // 01/01/2024 00:00 CET = 2023-12-31 23:00 UTC; the first production at 09:00 CET.
            #expect(result.trace.first?.startUTC == utc("2023-12-31T23:00Z"))
            #expect(result.trace.last?.startUTC == utc("2024-01-01T17:00Z"))
            #expect(result.trace.allSatisfy { $0.intervalSeconds == 3600 })
            let firstProduction = try #require(result.trace.first { $0.value > 0 })
            #expect(firstProduction.startUTC == utc("2024-01-01T08:00Z") && close(firstProduction.value, 0.021))
        }

        @Test("month-first dates are recognised by the hour sequence across midnight")
        func monthFirstBySequence() throws {
            // 01/02/2024 00:00 follows 01/01/2024 23:00: one hour later only if month first (2 January).
            let result = try readInline("""
                Date/Time,Energy Produced (Wh)
                01/01/2024 22:00,1
                01/01/2024 23:00,2
                01/02/2024 00:00,3
                01/02/2024 01:00,4
                """, .enphase)
            #expect(result.rejects.isEmpty)
            #expect(result.trace.map(\.startUTC) == ["2024-01-01T21:00Z", "2024-01-01T22:00Z", "2024-01-01T23:00Z",
                                                     "2024-01-02T00:00Z"].map(utc))
        }

        @Test("day-first dates are recognised by the sequence too; a single ambiguous day is read day first")
        func dayFirst() throws {
            let sequence = try readInline("""
                Date/Time,Energy Produced (Wh)
                01/02/2024 23:00,1
                02/02/2024 00:00,2
                """, .enphase)
            #expect(sequence.trace.map(\.startUTC) == ["2024-02-01T22:00Z", "2024-02-01T23:00Z"].map(utc))

            // Nothing settles 02/03/2024: day first (2 March), as DateTimeLayout.detect assumes.
            let single = try readInline("Date/Time,Energy Produced (Wh)\n02/03/2024 10:00,5\n02/03/2024 11:00,6\n",
                                        .enphase)
            #expect(single.trace.map(\.startUTC) == ["2024-03-02T09:00Z", "2024-03-02T10:00Z"].map(utc))

            // A day above 12 settles it at once.
            let explicit = try readInline("Date/Time,Energy Produced (Wh)\n13/03/2024 10:00,5\n", .enphase)
            #expect(explicit.trace.map(\.startUTC) == [utc("2024-03-13T09:00Z")])
        }

        @Test("15-minute rows keep their interval across a missing row; empty cells are missing; all known columns")
        func fifteenMinutesAllColumns() throws {
            // 00:30 is absent: the interval stays 15 minutes. Produced: 10 + 20 + (missing) = 30 Wh.
            // Exported 0 + 5 + 5 = 10 Wh, imported 40 + 30 + 20 = 90 Wh, consumed 50 + 45 + 40 = 135 Wh.
            let result = try readInline("""
                Date/Time,Energy Produced (Wh),Energy Consumed (Wh),Exported to Grid (Wh),Imported from Grid (Wh),\
                Stored in batteries (Wh)
                15/06/2024 00:00,10,50,0,40,0
                15/06/2024 00:15,20,45,5,30,0
                15/06/2024 00:45,,40,5,20,0
                """, .enphase)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.series.count == 4)
            #expect(result.series.allSatisfy { $0.intervalSeconds == 900 })
            #expect(sums(result, .pvProduction) == counts(present: 2, estimated: 0, missing: 1, sum: 0.03))
            #expect(sums(result, .electricityConsumption) == counts(present: 3, estimated: 0, missing: 0, sum: 0.135))
            #expect(sums(result, .electricityInjection) == counts(present: 3, estimated: 0, missing: 0, sum: 0.01))
            #expect(sums(result, .electricityOfftake) == counts(present: 3, estimated: 0, missing: 0, sum: 0.09))
            let stored = EnphaseFormat.ignoredColumnsReason(["Stored in batteries (Wh)"]).key
            #expect(result.summary.ignoredRows[stored] == 3)
            #expect(result.trace.allSatisfy { $0.intervalSeconds == 900 })
        }

        @Test("malformed values, negative consumption and duplicate times are rejected; negative production is kept")
        func rejects() throws {
            let result = try readInline("""
                Date/Time,Energy Produced (Wh),Energy Consumed (Wh)
                15/06/2024 00:00,-2,50
                15/06/2024 01:00,12x,40
                15/06/2024 02:00,3,-1
                15/06/2024 02:00,3,1
                """, .enphase)
            #expect(result.rejects.map(\.line) == [3, 4, 5])
            #expect(result.rejects.map(\.column) == ["Energy Produced (Wh)", "Energy Consumed (Wh)", "Date/Time"])
            #expect(result.rejects.map(\.reason) == [
                "\"12x\" is not a number",
                "an energy total cannot be negative here",
                "the time is not later than that of the previous row (line 4): a duplicate or out-of-order row",
            ])
            #expect(sums(result, .pvProduction) == counts(present: 2, estimated: 0, missing: 0, sum: 0.001))
            #expect(sums(result, .electricityConsumption) == counts(present: 2, estimated: 0, missing: 0, sum: 0.09))
        }

        @Test("daily rows with a UTC offset (older exports) are read as instants")
        func offsets() throws {
            let result = try readInline("""
                Date/Time,Energy Produced (Wh)
                2016-07-29 00:00:00 -0500,2956
                2016-07-30 00:00:00 -0500,9468
                """, .enphase)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.trace.map(\.startUTC) == ["2016-07-29T05:00Z", "2016-07-30T05:00Z"].map(utc))
            #expect(result.trace.allSatisfy { $0.intervalSeconds == 86_400 })
            #expect(sums(result, .pvProduction).sum == 12.424)
        }
    }
}

// MARK: - Detection

extension PVFormatTests {
    @Suite struct Detection {
        static let mine: [String: SourceFormatName] = [
            "sma_webui_daily_head20.csv": .sma,
            "sma_webui_5min_head14.csv": .sma,
            "sungrow_isolarcloud_monthly_report_full.csv": .sungrow,
            "enphase_custom_report_hourly_head20.csv": .enphase,
        ]

        static var samples: [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: samplesFolder)) ?? []
            return names.filter { $0.hasSuffix(".csv") }.sorted()
        }

        @Test("each PV format detects its own samples and no other sample", arguments: samples)
        func detection(_ name: String) throws {
            let report = try Sniff.sniff(path: samplePath(name))
            let records = [report.header] + report.firstRecords
            let expected = Self.mine[name]
            #expect(SMAFormat.detect(records) == (expected == .sma), "sma on \(name)")
            #expect(SungrowFormat.detect(records) == (expected == .sungrow), "sungrow on \(name)")
            #expect(EnphaseFormat.detect(records) == (expected == .enphase), "enphase on \(name)")
            if let expected { #expect(report.format == expected) }
        }

        @Test("all four PV samples are among the samples")
        func samplesPresent() {
            #expect(Set(Self.mine.keys).isSubset(of: Set(Self.samples)))
        }
    }
}
