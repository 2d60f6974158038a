import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

// `date_format` on any source: a forced date layout instead of the detected one. Every file below is ambiguous
// (all its dates fit both day-first and month-first); the expected instants are worked out by hand in the comments
// (Europe/Brussels: CET = UTC+1 until 31 March 2024).

/// Writes `text` to a scratch file and reads it as `format`, with extra keys on the source
/// (`date_format: "MM/dd/yyyy HH:mm"`).
private func readDated(_ text: String, _ format: SourceFormatName, source extra: String = "") throws -> FileResult {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("input/d/data.csv", text)
    let definition = try DefinitionLoader.parse(yaml: """
        pilot: d
        name: D
        timezone: Europe/Brussels
        periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
        sites: [ { id: s1 } ]
        sources:
          - { path: "*.csv", format: \(format.rawValue), site: s1\(extra.isEmpty ? "" : ", " + extra) }
        """, file: "pipelines/d.yaml", catalogue: .builtIn)
    let file = InputFile(path: scratch.root + "/input/d/data.csv", relativePath: "d/data.csv", pilot: "d",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: 100)
}

/// Sum per local date (`2024-01-31`) of one quantity.
private func sumsPerDay(_ result: FileResult, _ quantity: Quantity) -> [String: Double] {
    var sums: [String: Double] = [:]
    for series in result.series where series.key.quantity == quantity {
        for (day, cell) in series.days { sums[CivilDate(dayNumber: day).description, default: 0] += cell.sum }
    }
    return sums
}


@Suite struct DateFormatTests {
    static let monthFirst = "date_format: \"MM/dd/yyyy HH:mm\""

    @Test("enphase: one ambiguous day is read day first, month first with date_format")
    func enphase() throws {
        let text = """
            Date/Time,Energy Produced (Wh)
            02/03/2024 10:00,5
            02/03/2024 11:00,6
            02/03/2024 12:00,7

            """
        // Nothing settles 02/03/2024 (one day): 2 March, 10:00 CET = 09:00Z.
        let detected = try readDated(text, .enphase)
        #expect(detected.rejects.isEmpty)
        #expect(detected.trace.map(\.startUTC) == ["2024-03-02T09:00Z", "2024-03-02T10:00Z", "2024-03-02T11:00Z"].map(utc))
        // Forced month first: 3 February, 10:00 CET = 09:00Z; still hourly, 18 Wh.
        let forced = try readDated(text, .enphase, source: Self.monthFirst)
        #expect(forced.rejects.isEmpty)
        #expect(forced.trace.map(\.startUTC) == ["2024-02-03T09:00Z", "2024-02-03T10:00Z", "2024-02-03T11:00Z"].map(utc))
        #expect(forced.trace.allSatisfy { $0.intervalSeconds == 3600 })
        #expect(close(totals(forced, .pvProduction).sum, 0.018))
        #expect(forced.mapping.first == ColumnRole(column: "Date/Time",
                                                   role: "interval start, local time (MM/dd/yyyy from date_format)"))
        #expect(detected.mapping.first == ColumnRole(
            column: "Date/Time", role: "interval start, local time (dd/MM/yyyy, detected; day first assumed, both "
                + "orders fit: set date_format)"))
    }

    @Test("enphase: a forced layout is never second-guessed; a date that does not fit it is rejected")
    func enphaseForcedRejects() throws {
        // 13/03/2024 would settle day first if detected; with MM/dd/yyyy it is month 13.
        let result = try readDated("Date/Time,Energy Produced (Wh)\n12/03/2024 10:00,5\n13/03/2024 10:00,6\n",
                                   .enphase, source: Self.monthFirst)
        #expect(result.trace.map(\.startUTC) == [utc("2024-12-03T09:00Z")])
        #expect(result.rejects.map { [String($0.line), $0.column, $0.reason] } == [[
            "3", "Date/Time",
            "\"13/03/2024 10:00\" is not a date and time in the layout MM/dd/yyyy HH:mm of date_format in the YAML",
        ]])
    }

    @Test("ecocounter: hourly rows on one ambiguous day are read day first, month first with date_format")
    func ecoCounter() throws {
        let text = """
            Date,Kanaalbrug,Kanaalbrug IN,Kanaalbrug OUT
            01/02/2024 00:00,3,1,2
            01/02/2024 01:00,4,2,2
            01/02/2024 02:00,5,3,2

            """
        // Both orders give the same hourly steps: a tie, read day first: 1 February 00:00 CET = 31 January 23:00Z.
        let detected = try readDated(text, .ecocounter)
        #expect(detected.rejects.isEmpty)
        #expect(detected.trace.map(\.startUTC) == ["2024-01-31T23:00Z", "2024-02-01T00:00Z", "2024-02-01T01:00Z"].map(utc))
        // Forced month first: 2 January 00:00 CET = 1 January 23:00Z. The total column: 3 + 4 + 5 = 12.
        let forced = try readDated(text, .ecocounter, source: Self.monthFirst)
        #expect(forced.rejects.isEmpty)
        #expect(forced.trace.map(\.startUTC) == ["2024-01-01T23:00Z", "2024-01-02T00:00Z", "2024-01-02T01:00Z"].map(utc))
        #expect(forced.trace.allSatisfy { $0.intervalSeconds == 3600 })
        #expect(totals(forced, .trafficBike) == QuantityTotals(present: 3, estimated: 0, missing: 0, sum: 12))
    }

    @Test("meter-readings: the first reading's ambiguous date is read day first, month first with date_format")
    func meterReadings() throws {
        let text = """
            Date;Time;Reading
            01/02/2024;06:00;100
            01/03/2024;06:00;124

            """
        // Day first: 1 February 06:00 → 1 March 06:00 is 29 days = 696 h (CET throughout); 24 m³ spread by time:
        // 18 h on 1 February, 24 h on each of 2–29 February, 6 h on 1 March.
        let detected = try readDated(text, .meterReadings)
        #expect(detected.rejects.isEmpty)
        let spread = sumsPerDay(detected, .water)
        #expect(spread.count == 30)
        #expect(close(spread["2024-02-01"], 24.0 * 18 / 696) && close(spread["2024-02-15"], 24.0 * 24 / 696)
            && close(spread["2024-03-01"], 24.0 * 6 / 696))
        // Month first (`date_format: "MM/dd/yyyy"`, the time is in its own column): 2 January 06:00 → 3 January
        // 06:00, 24 h: 18 m³ on 2 January, 6 m³ on 3 January.
        let forced = try readDated(text, .meterReadings, source: "date_format: \"MM/dd/yyyy\"")
        #expect(forced.rejects.isEmpty)
        #expect(sumsPerDay(forced, .water) == ["2024-01-02": 18, "2024-01-03": 6])
        #expect(forced.mapping.first == ColumnRole(column: "Date + Time",
                                                   role: "reading time, local time (MM/dd/yyyy from date_format)"))
    }

    @Test("sma: date_format wins over the layout of the units row")
    func sma() throws {
        let text = """
            \u{FEFF}sep=,
            Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma

            ,STP6.0-3AV-40 033
            ,SUNNY TRIPOWER 6.0
            ,1900123456
            ,Metering.TotWhOut
            ,Analog
            DD.MM.YYYY hh:mm:ss,[Wh]
            02.03.2024 12:00:00,1000
            02.03.2024 12:05:00,1100
            02.03.2024 12:10:00,1250

            """
        // The units row: 2 March 12:00 CET = 11:00Z; differences 100 Wh and 150 Wh on two 5-minute intervals.
        let units = try readDated(text, .sma)
        #expect(units.trace.map(\.startUTC) == ["2024-03-02T11:00Z", "2024-03-02T11:05Z"].map(utc))
        // Forced month first: 3 February.
        let forced = try readDated(text, .sma, source: "date_format: \"MM.dd.yyyy HH:mm:ss\"")
        #expect(forced.rejects.isEmpty)
        #expect(forced.trace.map(\.startUTC) == ["2024-02-03T11:00Z", "2024-02-03T11:05Z"].map(utc))
        #expect(forced.trace.map(\.value) == [0.1, 0.15])
        #expect(forced.mapping.first == ColumnRole(column: "DD.MM.YYYY hh:mm:ss",
                                                   role: "reading time, local time (MM.dd.yyyy from date_format)"))
    }

    @Test("homewizard-water, temperature, waste, trips and telraam web downloads take date_format too")
    func otherFormats() throws {
        // 01/02/2024 is 1 February when detected, 2 January when forced month first.
        let water = try readDated("time,water usage dl\n01/02/2024 00:00,10\n01/02/2024 00:15,30\n",
                                  .homewizardWater, source: Self.monthFirst)
        #expect(water.trace.map(\.startUTC) == [utc("2024-01-01T23:00Z")])
        let temperature = try readDated("date,tavg\n01/02/2024,4.5\n", .temperature, source: Self.monthFirst)
        #expect(temperature.trace.map(\.startUTC) == [utc("2024-01-01T23:00Z")])
        let waste = try readDated("Datum;Euralcode;Gewicht (kg)\n01/02/2024;20 03 01;5\n", .waste, source: Self.monthFirst)
        #expect(waste.rejects.isEmpty && waste.trace.map(\.startUTC) == [utc("2024-01-01T23:00Z")])
        let trips = try readDated("start,mode,distance_km\n01/02/2024 08:00,bike,4\n", .trips, source: Self.monthFirst)
        #expect(trips.trace.map(\.startUTC).first == utc("2024-01-02T07:00Z"))
        let telraam = try readDated("""
            Installation ID,Date and Time (Local),Bike Total,Uptime
            10045,01/02/2024 08:00,7,Good uptime - 1

            """, .telraam, source: Self.monthFirst)
        #expect(telraam.rejects.isEmpty && telraam.trace.map(\.startUTC) == [utc("2024-01-02T07:00Z")])
    }

    @Test("trips takes date_format: iso (generic too: GenericFormatTests)")
    func iso() throws {
        let trips = try readDated("start,mode,distance_km\n2024-02-01T08:00:00+02:00,bike,4\n", .trips,
                                  source: "date_format: iso")
        #expect(trips.trace.map(\.startUTC).first == utc("2024-02-01T06:00Z"))
        // A local time is not an instant: rejected, never read in the pilot's zone.
        let local = try readDated("start,mode,distance_km\n2024-02-01 08:00,bike,4\n", .trips, source: "date_format: iso")
        #expect(local.rejects.map(\.reason) == ["\"2024-02-01 08:00\" is not a date and time in the layout iso of "
            + "date_format in the YAML"])
    }

    @Test("a Telraam API CSV read by a source with date_format is refused with what to do")
    func telraamAPI() throws {
        let result = try readDated("""
            instance_id,segment_id,date,interval,uptime,heavy,car,bike,pedestrian
            -1,9000001844,2024-05-01 10:00:00+00:00,hourly,0.8,1,20,5,3

            """, .telraam, source: Self.monthFirst)
        #expect(result.summary.problem?.contains("line 1: this is a Telraam API CSV, whose dates are UTC instants fixed "
            + "by the API, but the source says `date_format: MM/dd/yyyy` (meant for web downloads in local time); give "
            + "API CSVs a source of their own without date_format") == true)
    }

    @Test("date_format is validated per source when the pipeline is loaded")
    func definitionErrors() {
        do {
            _ = try DefinitionLoader.parse(yaml: """
                pilot: d
                name: D
                periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
                sites: [ { id: s } ]
                sources:
                  - { path: "a/*.csv", format: fluvius, site: s, date_format: "dd-MM-yyyy" }
                  - { path: "b/*.csv", format: enphase, site: s, date_format: "yyyy.dd.MM" }
                  - { path: "c/*.csv", format: ecocounter, site: s, date_format: iso }
                  - { path: "d/*.csv", format: meter-readings, site: s, date_format: "MM/dd/yyyy" }
                  - { path: "e/*.csv", format: parkimpact-long, date_format: "yyyy-MM-dd HH:mm" }
                  - { path: "f/*.csv", format: sungrow, site: s, date_format: "dd/MM/yyyy" }
                """, file: "pipelines/d.yaml", catalogue: .builtIn)
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.description) == [
                "pipelines/d.yaml:6: sources[0].date_format: format: fluvius takes no date_format: Fluvius writes its "
                    + "dates day first (dd-MM-yyyy or dd/MM/yyyy), fixed by the exporter; remove date_format",
                "pipelines/d.yaml:7: sources[1].date_format: \"yyyy.dd.MM\" is not a layout ParkImpact reads; use one "
                    + "of: dd-MM-yyyy HH:mm, dd/MM/yyyy, MM/dd/yyyy HH:mm, yyyy-MM-dd HH:mm:ss, dd.MM.yy, iso",
                "pipelines/d.yaml:8: sources[2].date_format: iso (instants with a UTC offset) is read only by format: "
                    + "trips, generic; format: ecocounter reads local times: give the date layout, e.g. "
                    + "\"dd/MM/yyyy HH:mm\" or \"MM/dd/yyyy HH:mm\"",
                "pipelines/d.yaml:10: sources[4].date_format: format: parkimpact-long takes no date_format: "
                    + "parkimpact-long times are ISO 8601 instants with an offset or Z, fixed by the format; remove "
                    + "date_format",
                "pipelines/d.yaml:11: sources[5].date_format: format: sungrow takes no date_format: iSolarCloud writes "
                    + "its periods year first (yyyy-MM-dd, yyyy-MM or yyyy), which is never ambiguous; remove "
                    + "date_format",
            ])
        }
    }

    @Test("a valid date_format is kept on the source; generic keeps it at the same place in the YAML")
    func kept() throws {
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: d
            name: D
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources:
              - { path: "a/*.csv", format: meter-readings, site: s, date_format: "MM/dd/yyyy" }
              - path: "b/*.csv"
                format: generic
                site: s
                columns: { timestamp: "Tijdstip" }
                date_format: "dd.MM.yy HH:mm"
                values: [ { column: "kWh", quantity: gas, unit: kWh } ]
              - { path: "c/*.csv", format: trips, site: s }
            """, file: "pipelines/d.yaml", catalogue: .builtIn)
        #expect(definition.sources.map { $0.dateFormat?.description } == ["MM/dd/yyyy", "dd.MM.yy", nil])
    }
}

/// The day memo of `generic`'s dates reads every text as `DateTimeLayout.parse` does, whatever came before it: the
/// same date with other times, invalid times after a valid date, spaces, `T`, unpadded and two-digit-year texts.
@Test func theDateMemoReadsAsTheLayoutDoes() {
    var layouts: [DateTimeLayout] = []
    for separator in [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")] {
        for order in [DateTimeLayout.DateOrder.yearMonthDay, .dayMonthYear, .monthDayYear] {
            for digits in order == .yearMonthDay ? [4] : [4, 2] {
                layouts.append(DateTimeLayout(order: order, separator: separator, yearDigits: digits))
            }
        }
    }
    let dates = ["2024-03-31", "31/03/2024", "03/31/2024", "31.03.24", "03-04-24", "2024-02-30", "29/02/2023",
                 "1/03/2024", "31/03/2O24", "", "2024-03-3", "12.11.2024"]
    let times = ["", " 00:00", " 02:15", "T23:45:59", " 24:00", " 9:15", "T12:00:00Z", "  ", " 23:59:60", "X10:00"]
    for layout in layouts {
        let s = String(UnicodeScalar(layout.separator)), year = layout.yearDigits == 4 ? "2024" : "24"
        let own = layout.order == .yearMonthDay ? "2024\(s)03\(s)31"
            : layout.order == .dayMonthYear ? "31\(s)03\(s)\(year)" : "03\(s)31\(s)\(year)"
        var texts: [String] = []
        for date in dates + [own] {
            for time in times { texts += [date + time, " " + date + time, date + time + " "] }
            texts.append(date)  // the date alone right after it with times
        }
        var memo = LayoutDayCache()
        var hits = 0
        for text in texts + texts.reversed() {
            let expected = Array(text.utf8).withUnsafeBytes { layout.parse($0) }
            let got = Array(text.utf8).withUnsafeBytes { memo.parse($0, layout) }
            #expect(got == expected, "\(layout) \"\(text)\"")
            if expected != nil { hits += 1 }
        }
        #expect(hits > 0, "\(layout)")
    }
}
