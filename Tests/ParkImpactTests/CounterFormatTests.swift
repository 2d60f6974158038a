import CSVReading
import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

// Traffic counters: `telraam` (API CSV in UTC, web raw-data download in local time) and `ecocounter` (wide
// Eco-Visio exports). Every expected number below was worked out independently of ParkImpact: by hand from the
// fixture rows (written out in the comments), and for the real Telraam sample with a short Python script (csv
// module: sum of the `… Total` columns per row; local → UTC with zoneinfo America/Toronto).

/// `Tests/ParkImpactTests/Fixtures/counters/<name>`.
fileprivate func counterFixture(_ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/counters/\(name)").path
}

/// Reads one file as the run would, with the pilot's time zone (and the source's `quantity:` when given).
fileprivate func readCounterFile(
    _ path: String, format: SourceFormatName, timezone: String, quantity: Quantity? = nil, traceLimit: Int = 200
) throws -> FileResult {
    let definition: PipelineDefinition
    if let quantity {
        definition = try DefinitionLoader.parse(yaml: """
            pilot: test
            name: Test
            timezone: \(timezone)
            periods:
              baseline: { from: 2021-01-01, to: 2022-12-31 }
              reporting: { from: 2023-01-01, to: 2023-12-31 }
            sites:
              - { id: s1, name: Site one }
            sources:
              - { path: "*.csv", format: \(format.rawValue), site: s1, quantity: \(quantity.rawValue) }
            """, file: "pipelines/test.yaml", catalogue: .builtIn)
    } else {
        definition = try ParkImpactTests.definition(format: format, timezone: timezone)
    }
    let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: traceLimit)
}

/// Sums rounded to 1e-6 (the API's counts are uptime-corrected decimals).
fileprivate func roundedCounts(_ totals: QuantityTotals) -> QuantityTotals {
    var copy = totals
    copy.sum = (copy.sum * 1_000_000).rounded() / 1_000_000
    return copy
}

/// What `parkimpact sniff` says about one format for a file.
fileprivate func counterSniffVerdict(_ path: String, _ format: SourceFormatName) throws -> String? {
    try Sniff.sniff(path: path).tried.first { $0.format == format }?.verdict
}

/// The counter formats' tests under one name: `swift test --filter CounterFormatTests`.
@Suite struct CounterFormatTests {}

extension CounterFormatTests {
    @Suite
    struct TelraamSampleTests {
        static let sample = "telraam_s2_rawdata_hourly_excerpt_DERIVED_from_xlsx.csv"

        @Test("the Montreal raw-data sample: four series for installation 10045, totals per mode, no rejects")
        func sampleTotals() throws {
            let result = try readCounterFile(samplePath(Self.sample), format: .telraam, timezone: "America/Toronto")
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key) == [
                SeriesKey(site: "s1", quantity: .trafficPedestrian, meter: "10045"),
                SeriesKey(site: "s1", quantity: .trafficBike, meter: "10045"),
                SeriesKey(site: "s1", quantity: .trafficCar, meter: "10045"),
                SeriesKey(site: "s1", quantity: .trafficHeavy, meter: "10045"),
            ])
            #expect(result.series.allSatisfy { $0.intervalSeconds == 3600 })
            // Python over the sample: Pedestrian Total 0+0+0+24+41+39, Bike 0+0+0+0+7+5, Car 0+0+0+58+109+142,
            // Large vehicle 0+0+0+0+0+8; every uptime is "Good uptime - 1".
            #expect(totals(result, .trafficPedestrian) == QuantityTotals(present: 6, estimated: 0, missing: 0, sum: 104))
            #expect(totals(result, .trafficBike) == QuantityTotals(present: 6, estimated: 0, missing: 0, sum: 12))
            #expect(totals(result, .trafficCar) == QuantityTotals(present: 6, estimated: 0, missing: 0, sum: 309))
            #expect(totals(result, .trafficHeavy) == QuantityTotals(present: 6, estimated: 0, missing: 0, sum: 8))
        }

        @Test("local Montreal times become UTC (EST, -5 h), the three 50-field night rows included")
        func sampleInstants() throws {
            let result = try readCounterFile(samplePath(Self.sample), format: .telraam, timezone: "America/Toronto")
            let pedestrians = result.trace.filter { $0.series.quantity == .trafficPedestrian }
            #expect(pedestrians.map(\.startUTC) == ["2025-01-01T05:00Z", "2025-01-01T06:00Z", "2025-01-01T07:00Z",
                                                    "2025-01-01T17:00Z", "2025-01-02T17:00Z", "2025-01-03T17:00Z"].map(utc))
            #expect(pedestrians.map(\.value) == [0, 0, 0, 24, 41, 39])
            #expect(result.trace.allSatisfy { $0.quality == .measured && $0.intervalSeconds == 3600 })
        }

        @Test("sniff names telraam for the sample, and no other sample is taken for telraam or ecocounter")
        func detection() throws {
            #expect(try counterSniffVerdict(samplePath(Self.sample), .telraam) == "matches")
            #expect(try counterSniffVerdict(samplePath(Self.sample), .ecocounter) == "no")
            let others = try FileManager.default.contentsOfDirectory(atPath: samplesFolder)
                .filter { $0.hasSuffix(".csv") && $0 != Self.sample }
            #expect(others.count >= 10)
            for name in others {
                #expect(try counterSniffVerdict(samplePath(name), .telraam) == "no", "\(name)")
                #expect(try counterSniffVerdict(samplePath(name), .ecocounter) == "no", "\(name)")
            }
        }
    }

    @Suite struct TelraamTests {
        static let api = "telraam_api_traffic_segments_hourly.csv"
        static let autumn = "telraam_rawdata_autumn_2024-11-03_toronto.csv"
        static let ragged = "telraam_rawdata_ragged_rows.csv"

        @Test("API CSV: UTC dates in both spellings, one series per segment and mode, uptime policy, totals")
        func apiTotals() throws {
            let result = try readCounterFile(counterFixture(Self.api), format: .telraam, timezone: "Europe/Brussels")
            #expect(result.summary.problem == nil)
            #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
            #expect(Set(result.series.map(\.key.meter)) == ["348917", "9000001844"])
            #expect(result.series.count == 8)
            // By hand: segment 348917 has 5 hours: uptime 0 (missing), 0.41 (estimated), 0.73, 0.774 (measured),
            // and an hour without any count (missing); segment 9000001844 two measured hours. Sums of the `car` column:
            // 180.487804878 + 619.1780821918 + 462.5987078248 + 41 + 38 = 1341.2645948946.
            #expect(roundedCounts(totals(result, .trafficCar))
                    == QuantityTotals(present: 5, estimated: 1, missing: 2, sum: 1341.264595))
            // pedestrian: 9.756097561 + 72.602739726 + 14.2139267767 + 8 + 5 = 109.5727640637
            #expect(roundedCounts(totals(result, .trafficPedestrian))
                    == QuantityTotals(present: 5, estimated: 1, missing: 2, sum: 109.572764))
            // bike: 41.4634146341 + 263.0136986301 + 95.6209619526 + 17 + 22 = 439.0980752168
            #expect(roundedCounts(totals(result, .trafficBike))
                    == QuantityTotals(present: 5, estimated: 1, missing: 2, sum: 439.098075))
            // heavy: 12.1951219512 + 78.0821917808 + 64.6087580761 + 3 + 1 = 158.8860718081
            #expect(roundedCounts(totals(result, .trafficHeavy))
                    == QuantityTotals(present: 5, estimated: 1, missing: 2, sum: 158.886072))
        }

        @Test("API rows: `2020-10-30 06:00:00+00:00` and `2020-10-30T07:00:00.000Z` are UTC instants, hourly")
        func apiInstantsAndQualities() throws {
            let result = try readCounterFile(counterFixture(Self.api), format: .telraam, timezone: "Europe/Brussels")
            let cars = result.trace.filter { $0.series.quantity == .trafficCar && $0.series.meter == "348917" }
            #expect(cars.map(\.startUTC) == ["2020-10-30T05:00Z", "2020-10-30T06:00Z", "2020-10-30T07:00Z",
                                             "2020-10-30T08:00Z", "2020-10-30T09:00Z"].map(utc))
            #expect(cars.map(\.quality) == [.missing, .estimated, .measured, .measured, .missing])
            #expect(cars.map(\.value) == [0, 180.487804878, 619.1780821918, 462.5987078248, 0])
            #expect(result.trace.allSatisfy { $0.intervalSeconds == 3600 })
        }

        @Test("web download: the autumn repeated 01:00 becomes 05:00Z then 06:00Z; Poor uptime 0.42 is estimated, 0 missing")
        func webAutumnRepeatedHour() throws {
            let result = try readCounterFile(counterFixture(Self.autumn), format: .telraam, timezone: "America/Toronto")
            #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
            let pedestrians = result.trace.filter { $0.series.quantity == .trafficPedestrian }
            // 00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST, 03:00 EST.
            #expect(pedestrians.map(\.startUTC) == ["2024-11-03T04:00Z", "2024-11-03T05:00Z", "2024-11-03T06:00Z",
                                                    "2024-11-03T07:00Z", "2024-11-03T08:00Z"].map(utc))
            #expect(pedestrians.map(\.quality) == [.measured, .measured, .measured, .estimated, .missing])
            // By hand (Pedestrian / Bike / Car / Large vehicle Total of the rows with uptime > 0):
            // 3+2+1+0, 1+0+0+2, 12+9+0+6, 0+1+0+0. The second 01:00 row is 50 fields (V85 dropped) and is read.
            #expect(totals(result, .trafficPedestrian) == QuantityTotals(present: 4, estimated: 1, missing: 1, sum: 6))
            #expect(totals(result, .trafficBike) == QuantityTotals(present: 4, estimated: 1, missing: 1, sum: 3))
            #expect(totals(result, .trafficCar) == QuantityTotals(present: 4, estimated: 1, missing: 1, sum: 27))
            #expect(totals(result, .trafficHeavy) == QuantityTotals(present: 4, estimated: 1, missing: 1, sum: 1))
        }

        @Test("a short row whose missing cell cannot be located is rejected, not shifted into the wrong mode")
        func raggedRowsRejected() throws {
            let result = try readCounterFile(counterFixture(Self.ragged), format: .telraam, timezone: "America/Toronto")
            #expect(result.rejects.map(\.line) == [2, 3])
            #expect(result.rejects.map(\.column) == ["Uptime", "Mode night(B > A)"])
            #expect(result.rejects[0].reason == "50 fields against 51 in the header: one cell is missing and the row does "
                + "not show which (each mode's total should equal its (A > B) + (B > A) one position to the left, and "
                + "the last field should be the uptime); export the file again")
            #expect(result.rejects[1].reason == "expected 51 fields as in the header, found 49")
            // The full row of 14:00 is read: 25 pedestrians, 6 bikes, 98 cars, 4 large vehicles.
            #expect(result.trace.map(\.value) == [25, 6, 98, 4])
            #expect(result.trace.allSatisfy { $0.startUTC == utc("2025-01-04T19:00Z") })
        }

        @Test("a malformed count rejects its row with line, column and reason; an empty mode cell is missing alone")
        func malformedCount() throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            try scratch.write("api.csv", """
                instance_id,segment_id,date,interval,uptime,heavy,car,bike,pedestrian,v85
                -1,348917,2024-05-01 10:00:00+00:00,hourly,0.88,4.0,120.5,33.0,12.0,31.5
                -1,348917,2024-05-01 11:00:00+00:00,hourly,0.91,3.0,61x.5,30.0,9.0,32.0
                -1,348917,2024-05-01 12:00:00+00:00,hourly,0.93,2.0,98.0,,7.0,30.5
                -1,348917,2024-05-01 13:00:00+00:00,hourly,1.7,2.0,98.0,20.0,7.0,30.5
                -1,348917,2024-05-01 14:00:00+00:00,weekly,0.93,2.0,98.0,20.0,7.0,30.5
                -1,348917,2024-05-01 15:00:00+00:00,quarterly,0.93,0.5,24.0,5.0,2.0,30.5

                """)
            let result = try readCounterFile(scratch.root + "/api.csv", format: .telraam, timezone: "Europe/Brussels")
            #expect(result.rejects.map(\.line) == [3, 5, 6])
            #expect(result.rejects.map(\.column) == ["car", "uptime", "interval"])
            #expect(result.rejects.map(\.reason) == [
                "\"61x.5\" is not a count (a number ≥ 0)",
                "\"1.7\" is not an uptime between 0 and 1 (like 0.87 or Good uptime - 0.87)",
                "unknown interval \"weekly\"; known: hourly, quarterly (per-quarter)",
            ])
            #expect(result.rejects[0].raw == "-1,348917,2024-05-01 11:00:00+00:00,hourly,0.91,3.0,61x.5,30.0,9.0,32.0")
            // 12:00: bike empty → bike missing, the other modes measured.
            #expect(totals(result, .trafficBike) == QuantityTotals(present: 2, estimated: 0, missing: 1, sum: 38))
            #expect(totals(result, .trafficCar) == QuantityTotals(present: 3, estimated: 0, missing: 0, sum: 242.5))
            #expect(result.trace.filter { $0.startUTC == utc("2024-05-01T15:00Z") }.allSatisfy { $0.intervalSeconds == 900 })
        }

        @Test("uptime cells: Telraam's labels, plain numbers (scientific notation too), nothing else")
        func uptimeCells() {
            func parse(_ text: String) -> (Double, Bool)? {
                Array(text.utf8).withUnsafeBytes { TelraamFormat.uptimeLabel($0, decimalMark: UInt8(ascii: ".")) }
                    .map { ($0.value, $0.labelled) }
            }
            #expect(parse("Good uptime - 1")! == (1, true))
            #expect(parse("Poor uptime - 0.57")! == (0.57, true))
            #expect(parse("0.7738888889")! == (0.7738888889, false))
            #expect(parse("5.6097e-05")! == (5.6097e-05, false))
            #expect(parse("Good uptime - high") == nil)
            #expect(parse("uptime") == nil)
        }

        @Test("web download: a time inside the spring gap is rejected with the zone named")
        func webSpringGap() throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let header = try String(contentsOfFile: counterFixture(Self.autumn), encoding: .utf8)
                .split(separator: "\r\n").first!
            let cells = String(repeating: ",0", count: 40)  // speeds, directions, modes: not read here
            try scratch.write("spring.csv", "\(header)\n"
                + "10045,Terrebonne,Montreal,2024-03-10 01:00,2,1,7,0,0,36\(cells),Good uptime - 1\n"
                + "10045,Terrebonne,Montreal,2024-03-10 02:00,0,0,0,0,0,0\(cells),Good uptime - 1\n"
                + "10045,Terrebonne,Montreal,2024-03-10 03:00,1,0,5,0,0,35\(cells),Good uptime - 1\n")
            let result = try readCounterFile(scratch.root + "/spring.csv", format: .telraam, timezone: "America/Toronto")
            #expect(result.rejects.map(\.line) == [3])
            #expect(result.rejects.first?.column == "Date and Time (Local)")
            #expect(result.rejects.first?.reason
                    == "local time 2024-03-10 02:00 does not exist in America/Toronto (clocks moved forward)")
            // 01:00 EST = 06:00Z, 03:00 EDT = 07:00Z: consecutive UTC hours.
            #expect(Set(result.trace.map(\.startUTC)) == [utc("2024-03-10T06:00Z"), utc("2024-03-10T07:00Z")])
        }

        @Test("sniff names telraam for the API CSV and the web fixtures, and not ecocounter")
        func detection() throws {
            for name in [Self.api, Self.autumn, Self.ragged] {
                #expect(try counterSniffVerdict(counterFixture(name), .telraam) == "matches", "\(name)")
                #expect(try counterSniffVerdict(counterFixture(name), .ecocounter) == "no", "\(name)")
            }
            #expect(TelraamFormat.detect([["Date", "Kanaalbrug", "Kanaalbrug IN", "Kanaalbrug OUT"]]) == false)
            #expect(TelraamFormat.detect([["instance_id", "segment_id", "date", "uptime", "car"]]))
        }
    }

    @Suite struct EcoCounterTests {
        static let belgian = "ecocounter_ecovisio_hourly_be.csv"
        static let american = "ecocounter_us_total_east_west_hourly.csv"
        static let daily = "ecocounter_flows_daily_pedestrians.csv"

        @Test("Eco-Visio hourly (;, dd/MM/yyyy): one series per site from its total column; empty cell missing, bad cell rejected")
        func belgianHourly() throws {
            let result = try readCounterFile(counterFixture(Self.belgian), format: .ecocounter, timezone: "Europe/Brussels")
            #expect(result.summary.problem == nil)
            #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .trafficBike, meter: "Kanaalbrug"),
                                                 SeriesKey(site: "s1", quantity: .trafficBike, meter: "Stationsplein")])
            #expect(result.series.allSatisfy { $0.intervalSeconds == 3600 })
            #expect(result.rejects.count == 1)
            #expect(result.rejects.first.map { [String($0.line), $0.column, $0.reason] }
                    == ["7", "Stationsplein", "\"4O\" is not a count (a number ≥ 0)"])
            // By hand: Kanaalbrug total column 14+6+3+1+0+2 = 26 (IN/OUT not added again);
            // Stationsplein 31+17+9+5 = 62, one empty hour (01:00), one rejected cell (02:00).
            var kanaalbrug = QuantityTotals()
            var stationsplein = QuantityTotals()
            for series in result.series {
                for cell in series.days.values {
                    if series.key.meter == "Kanaalbrug" {
                        kanaalbrug.present += Int(cell.present); kanaalbrug.missing += Int(cell.missing); kanaalbrug.sum += cell.sum
                    } else {
                        stationsplein.present += Int(cell.present); stationsplein.missing += Int(cell.missing)
                        stationsplein.sum += cell.sum
                    }
                }
            }
            #expect(kanaalbrug == QuantityTotals(present: 6, estimated: 0, missing: 0, sum: 26))
            #expect(stationsplein == QuantityTotals(present: 4, estimated: 0, missing: 1, sum: 62))
            #expect(result.summary.ignoredRows["total_row"] == 1)
            #expect(result.summary.ignoredRows["preamble"] == 1)
            // 01/10/2024 22:00 CEST = 20:00Z (day first: 1 October, not 10 January).
            let first = result.trace.filter { $0.series.meter == "Kanaalbrug" }.map(\.startUTC)
            #expect(first == (0..<6).map { utc("2024-10-01T20:00Z") + Int64($0) * 3600 })
        }

        @Test("US account: MM/dd/yyyy hh:mm:ss AM/PM detected from the rows, the repeated 1 AM resolved, Total column only")
        func americanTotalsAndRepeatedHour() throws {
            let result = try readCounterFile(counterFixture(Self.american), format: .ecocounter,
                                             timezone: "America/Los_Angeles")
            #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .trafficBike, meter: "Fremont Bridge")])
            // 11 PM PDT (-7) on 2 November, midnight and 1 AM PDT, 1 AM again in PST (-8), 2 AM, 3 AM, noon, 1 PM.
            #expect(result.trace.map(\.startUTC) == ["2019-11-03T06:00Z", "2019-11-03T07:00Z", "2019-11-03T08:00Z",
                                                     "2019-11-03T09:00Z", "2019-11-03T10:00Z", "2019-11-03T11:00Z",
                                                     "2019-11-03T20:00Z", "2019-11-03T21:00Z"].map(utc))
            // By hand: the Total column 13+8+4+2+1+0+245+262 = 535 (East + West would count every cyclist twice).
            #expect(totals(result, .trafficBike) == QuantityTotals(present: 8, estimated: 0, missing: 0, sum: 535))
            #expect(result.trace.allSatisfy { $0.intervalSeconds == 3600 })
        }

        @Test("daily flows without a total: IN + OUT per day, pedestrians by name, the 23-hour spring day, Site Name row skipped")
        func dailyFlows() throws {
            let result = try readCounterFile(counterFixture(Self.daily), format: .ecocounter, timezone: "Europe/Brussels")
            #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
            #expect(result.series.map(\.key)
                    == [SeriesKey(site: "s1", quantity: .trafficPedestrian, meter: "Park Noord Pedestrian")])
            #expect(result.trace.map(\.startUTC) == ["2024-03-28T23:00Z", "2024-03-29T23:00Z", "2024-03-30T23:00Z",
                                                     "2024-03-31T22:00Z", "2024-04-01T22:00Z"].map(utc))
            #expect(result.trace.map(\.intervalSeconds) == [86_400, 86_400, 82_800, 86_400, 86_400])
            // By hand: 412+398, 156+171, 133+140, (98 + empty → missing), 455+447 = 810+327+273+902 = 2312.
            #expect(totals(result, .trafficPedestrian) == QuantityTotals(present: 4, estimated: 0, missing: 1, sum: 2312))
            #expect(result.series.first?.intervalSeconds == 82_800 || result.series.first?.intervalSeconds == 86_400)
        }

        @Test("the YAML `quantity:` decides what the counts are")
        func quantityFromDefinition() throws {
            let result = try readCounterFile(counterFixture(Self.daily), format: .ecocounter, timezone: "Europe/Brussels",
                                             quantity: .trafficBike)
            #expect(result.series.map(\.key.quantity) == [.trafficBike])
            #expect(totals(result, .trafficBike).sum == 2312)
        }

        @Test("15-minute flows: the interval comes from consecutive rows")
        func quarterHours() throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            try scratch.write("flows.csv", """
                Flow Name,UMD_Lab_Test Cyclist IN,UMD_Lab_Test Cyclist OUT
                2022-06-15 06:45,2,0
                2022-06-15 07:00,0,3
                2022-06-15 07:15,0,1
                2022-06-15 07:30,1,0

                """)
            let result = try readCounterFile(scratch.root + "/flows.csv", format: .ecocounter, timezone: "America/Detroit")
            #expect(result.series.map(\.key.meter) == ["UMD_Lab_Test Cyclist"])
            #expect(result.trace.map(\.intervalSeconds) == [900, 900, 900, 900])
            #expect(result.trace.map(\.startUTC).first == utc("2022-06-15T10:45Z"))
            #expect(totals(result, .trafficBike) == QuantityTotals(present: 4, estimated: 0, missing: 0, sum: 7))
        }

        @Test("weekly rows are rejected with a reason, not read as one long interval")
        func weeklyRejected() throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            try scratch.write("weeks.csv", """
                Date,Kanaalbrug,Kanaalbrug IN,Kanaalbrug OUT
                2024-01-01,2410,1180,1230
                2024-01-08,2588,1301,1287

                """)
            let result = try readCounterFile(scratch.root + "/weeks.csv", format: .ecocounter,
                                             timezone: "Europe/Brussels")
            #expect(result.trace.isEmpty)
            #expect(result.rejects.map(\.reason) == Array(repeating: "rows are 7 days apart: weekly or monthly "
                + "exports are not read; export per day, hour or 15 minutes", count: 2))
        }

        @Test("site grouping: <site> + IN/OUT, <site> Total + directions, flows only, single columns")
        func grouping() throws {
            func sites(_ header: [String]) -> [EcoCounterFormat.Site] {
                guard case .success(let plan) = EcoCounterFormat.plan(header, configured: nil) else { return [] }
                return plan.sites
            }
            #expect(sites(["Date", "A", "A IN", "A OUT", "B Total", "B North", "B South", "C IN", "C OUT", "D"]) == [
                .init(meter: "A", quantity: .trafficBike, total: 1, parts: [2, 3]),
                .init(meter: "B", quantity: .trafficBike, total: 4, parts: [5, 6]),
                .init(meter: "C", quantity: .trafficBike, total: nil, parts: [7, 8]),
                .init(meter: "D", quantity: .trafficBike, total: 9, parts: []),
            ])
            #expect(sites(["Date", "Heure", "Voie verte Piétons", "Voie verte Piétons IN", "Voie verte Piétons OUT"])
                    == [.init(meter: "Voie verte Piétons", quantity: .trafficPedestrian, total: 2, parts: [3, 4])])
            guard case .failure(let mismatch) = EcoCounterFormat.plan(["Site Name", "X", "X"], configured: nil) else {
                Issue.record("duplicate columns accepted")
                return
            }
            #expect(mismatch.message.contains("appears twice"))
        }

        @Test("sniff names ecocounter for the fixtures, and not telraam")
        func detection() throws {
            for name in [Self.belgian, Self.american, Self.daily] {
                #expect(try counterSniffVerdict(counterFixture(name), .ecocounter) == "matches", "\(name)")
                #expect(try counterSniffVerdict(counterFixture(name), .telraam) == "no", "\(name)")
            }
            // A date column and values without directions is not recognisably Eco-Counter (Enphase, HomeWizard, ...).
            #expect(EcoCounterFormat.detect([["Date/Time", "Energy Produced (Wh)"], ["01/01/2024 00:00", "0"]]) == false)
            #expect(EcoCounterFormat.detect([["time", "water usage dl"], ["2024-01-01 00:00", "3"]]) == false)
        }
    }
}
