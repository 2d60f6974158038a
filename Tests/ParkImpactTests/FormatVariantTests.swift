import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Exports as coordinators have them (issue #17): Fluvius re-saved by Excel, month totals with an incomplete month,
/// gas in m³ only; the French Enphase UI; Eco-Counter feeds without totals, newest first, 12-hour clock.
/// Expected values are computed from the raw bytes independently of ParkImpact: `scripts/fluvius_excel_variants.py`
/// (Python, Decimal) for the Fluvius files, by hand in the comments for the others.

fileprivate func fixture(_ folder: String, _ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/\(folder)/\(name)").path
}

/// Reads one file with a one-source definition; `source` adds keys to the source's map (`kwh_per_m3: 11.33`).
fileprivate func read(_ path: String, format: SourceFormatName, timezone: String = "Europe/Brussels",
                      source: String = "", chunkBytes: Int? = nil) throws -> FileResult {
    let definition = try DefinitionLoader.parse(yaml: """
        pilot: test
        name: Test
        timezone: \(timezone)
        periods:
          baseline: { from: 2021-01-01, to: 2022-12-31 }
          reporting: { from: 2023-01-01, to: 2023-12-31 }
        sites:
          - { id: s1, name: Site one }
        sources:
          - { path: "*.csv", format: \(format.rawValue), site: s1\(source.isEmpty ? "" : ", " + source) }
        """, file: "pipelines/test.yaml", catalogue: .builtIn)
    let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                         source: definition.sources[0])
    if let chunkBytes {
        return ReadFile.readChunked(file, definition: definition, chunkBytes: chunkBytes, parallel: false)
    }
    return ReadFile.read(file, definition: definition, traceLimit: 500)
}

/// Sum per local day (`yyyy-MM-dd`) of one quantity.
fileprivate func daySums(_ result: FileResult, _ quantity: Quantity) -> [String: Double] {
    var sums: [String: Double] = [:]
    for series in result.series where series.key.quantity == quantity {
        for (day, cell) in series.days { sums[CivilDate(dayNumber: day).description, default: 0] += cell.sum }
    }
    return sums.mapValues { ($0 * 1000).rounded() / 1000 }
}

fileprivate func rounded(_ totals: QuantityTotals) -> QuantityTotals {
    var copy = totals
    copy.sum = (copy.sum * 1000).rounded() / 1000
    return copy
}

@Suite struct FluviusExcelTests {
    // scripts/fluvius_excel_variants.py over the verbatim excerpt: offtake 1.219 (31 Oct) + 0.363 (1 Nov) = 1.582 kWh,
    // injection 0.000 + 0.343 = 0.343 kWh; 11 quarters each.
    static let offtake = QuantityTotals(present: 11, estimated: 0, missing: 0, sum: 1.582)
    static let injection = QuantityTotals(present: 11, estimated: 0, missing: 0, sum: 0.343)

    @Test("the verbatim excerpt and its Excel re-saves read alike",
          arguments: ["fluvius_en_electricity_15min_2023-11-01_excerpt.csv",
                      "fluvius_en_electricity_excel_be_resave.csv"])
    func excelResave(_ name: String) throws {
        let result = try read(fixture("fluvius", name), format: .fluvius)
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        #expect(rounded(totals(result, .electricityOfftake)) == Self.offtake)
        #expect(rounded(totals(result, .electricityInjection)) == Self.injection)
        #expect(daySums(result, .electricityOfftake) == ["2023-10-31": 1.219, "2023-11-01": 0.363])
        #expect(daySums(result, .electricityInjection) == ["2023-10-31": 0, "2023-11-01": 0.343])
        #expect(result.series.map(\.key.meter) == ["123456879123456789", "123456879123456789"])
        // 1/11/2023 0:00:00 is midnight CET = 23:00Z on 31 October.
        #expect(result.trace.contains { $0.startUTC == utc("2023-10-31T23:00Z") && $0.value == 0.148 })
    }

    @Test("Excel with English settings: , delimiter, . decimals, quotes, the EAN as 1.23457E+17 → series named by the Meter column")
    func scientificEAN() throws {
        let result = try read(fixture("fluvius", "fluvius_en_electricity_excel_en_resave_ean_e17.csv"), format: .fluvius)
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        #expect(rounded(totals(result, .electricityOfftake)) == Self.offtake)
        #expect(rounded(totals(result, .electricityInjection)) == Self.injection)
        #expect(Set(result.series.map(\.key.meter)) == ["1SAG1234567890"])
        #expect(result.mapping.contains { $0.role.contains("named by the Meter column") })
    }

    @Test("an EAN rounded by a spreadsheet without a Meter value is refused, saying why")
    func destroyedEANWithoutMeter() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("f.csv", """
            Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus
            1/03/2023;0:00:00;1/03/2023;0:15:00;5,41449E+17;;Digitale meter;Afname Dag;0,1;kWh;Gemeten

            """)
        let result = try read(scratch.root + "/f.csv", format: .fluvius)
        #expect(result.rejects.map(\.code) == [.emptyMeterID])
        #expect(result.rejects.first?.reason.hasPrefix("the EAN \"5,41449E+17\" was rounded by a spreadsheet") == true)
        #expect(FluviusFormat.isDestroyedEAN("541448820052632000"))      // 15 significant digits, check digit fails
        #expect(!FluviusFormat.isDestroyedEAN("541448820052632233"))
        #expect(!FluviusFormat.isDestroyedEAN("123456879123456789"))     // anonymised, not rounded
    }

    @Test("unpadded day-first dates and one-digit hours")
    func unpaddedDates() {
        func day(_ text: String) -> Int? { Array(text.utf8).withUnsafeBytes { TimeParsing.dayFirstUnpadded($0) } }
        func time(_ text: String) -> Int? { Array(text.utf8).withUnsafeBytes { TimeParsing.timeOfDayUnpadded($0) } }
        #expect(day("1/03/2023") == CivilDate(iso: "2023-03-01")!.dayNumber)
        #expect(day("1/3/2023") == CivilDate(iso: "2023-03-01")!.dayNumber)
        #expect(day("12/1/2023") == CivilDate(iso: "2023-01-12")!.dayNumber)
        #expect(day("31-10-2023") == CivilDate(iso: "2023-10-31")!.dayNumber)
        #expect(day("2023-10-31") == CivilDate(iso: "2023-10-31")!.dayNumber)
        #expect(day("31/2/2023") == nil)
        #expect(day("1/03/23") == nil)
        #expect(time("0:00:00") == 0)
        #expect(time("9:15") == 33_300)
        #expect(time("23:45:00") == 85_500)
        #expect(time("9:5:00") == nil)
    }
}

@Suite struct FluviusGasVolumeTests {
    // scripts/fluvius_excel_variants.py: the real excerpt has 20 m³ rows (1.674 m³) and their 20 kWh twins
    // (18.970 kWh, all on 22 October). 1.674 m³ × 11.33 kWh/m³ = 18.96642 kWh.

    @Test("m³ rows without kWh twins are converted with kwh_per_m3",
          arguments: ["fluvius_en_gas_hourly_m3_only.csv", "fluvius_en_gas_m3_only_excel_be_resave.csv"])
    func converted(_ name: String) throws {
        let result = try read(fixture("fluvius", name), format: .fluvius, source: "kwh_per_m3: 11.33")
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        let gas = totals(result, .gas)
        #expect(gas.present == 20 && gas.missing == 0 && gas.estimated == 0)
        #expect(close(gas.sum, 18.96642))
        #expect(result.summary.ignoredRows["gas_m3_twin", default: 0] == 0)
        #expect(result.mapping.contains { $0.role.contains("kwh_per_m3 11.33 kWh/m³") })
    }

    @Test("with both kWh and m³ rows only the kWh rows count, kwh_per_m3 or not")
    func twinsNeverDoubled() throws {
        for source in ["", "kwh_per_m3: 11.33"] {
            let result = try read(fixture("fluvius", "fluvius_en_gas_hourly_head40.csv"), format: .fluvius,
                                  source: source)
            #expect(result.rejects.isEmpty)
            // 19 kWh rows (18.970 kWh) and their 19 m³ twins; the excerpt is cut after the 20th hour's m³ row
            // (0,000 m³: 0 kWh, needing no factor).
            #expect(rounded(totals(result, .gas)) == QuantityTotals(present: 20, estimated: 0, missing: 0, sum: 18.970))
            #expect(result.summary.ignoredRows["gas_m3_twin", default: 0] == 19)
        }
    }

    @Test("read in chunks (a large file) the results equal a sequential read: twins at a chunk edge never doubled")
    func chunked() throws {
        for (name, source) in [("fluvius_en_gas_hourly_head40.csv", ""), ("fluvius_en_gas_hourly_head40.csv",
                                "kwh_per_m3: 11.33"), ("fluvius_en_gas_hourly_m3_only.csv", "kwh_per_m3: 11.33"),
                                ("fluvius_en_gas_hourly_m3_only.csv", "")] {
            let path = fixture("fluvius", name)
            let whole = try read(path, format: .fluvius, source: source)
            for chunkBytes in [250, 400, 700] {
                let parts = try read(path, format: .fluvius, source: source, chunkBytes: chunkBytes)
                #expect(totals(parts, .gas) == totals(whole, .gas), "\(name) \(source) \(chunkBytes)")
                #expect(parts.rejects.map(\.line) == whole.rejects.map(\.line), "\(name) \(source) \(chunkBytes)")
                #expect(parts.summary.ignoredRows == whole.summary.ignoredRows, "\(name) \(source) \(chunkBytes)")
            }
        }
    }

    @Test("m³ rows without kWh twins and without kwh_per_m3 are refused, saying what to add (0 m³ is 0 kWh)")
    func refusedWithoutFactor() throws {
        let result = try read(fixture("fluvius", "fluvius_en_gas_hourly_m3_only.csv"), format: .fluvius)
        // 5 of the 20 m³ rows are not 0,000 (lines 4, 13, 14, …): refused; the 15 zero hours read as 0 kWh.
        #expect(result.rejects.count == 5)
        #expect(Set(result.rejects.map(\.code)) == [.unitDoesNotFit])
        #expect(result.rejects.first?.reason == "gas in m³ without its kWh row: add `kwh_per_m3: <value from the bill>` "
            + "(the gross calorific value in kWh/m³ on the gas bill) to sources[0] in the pipeline YAML, so that the m³ "
            + "are converted to kWh")
        #expect(Array(result.rejects.map(\.line).prefix(3)) == [4, 13, 14])
        #expect(totals(result, .gas) == QuantityTotals(present: 15, estimated: 0, missing: 0, sum: 0))
    }
}

@Suite struct FluviusMonthTotalsTests {
    @Test("month totals: Onvolledig / Incomplete months are read as estimated, over the days their row states",
          arguments: ["fluvius_nl_maandtotalen_onvolledig_constructed.csv",
                      "fluvius_en_month_totals_incomplete_constructed.csv"])
    func incompleteMonths(_ name: String) throws {
        let result = try read(fixture("fluvius", name), format: .fluvius)
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        // By hand (the file's rows): offtake 41,250 (22–31 Oct, incomplete) + 312,5 + 298,125 (Nov, Dec: validated)
        // + 35,0 (1 Jan–1 Feb, incomplete) = 686,875 kWh; injection 2,5 + 10 + 6,25 + 0,75 = 19,5 kWh.
        let offtake = result.trace.filter { $0.series.quantity == .electricityOfftake }
        #expect(close(offtake.reduce(0) { $0 + $1.value }, 686.875))
        #expect(close(result.trace.filter { $0.series.quantity == .electricityInjection }.reduce(0) { $0 + $1.value },
                      19.5))
        #expect(offtake.map(\.quality) == [.estimated, .measured, .measured, .estimated])
        // The first row claims 22 Oct 00:00 CEST (21 Oct 22:00Z) to 1 Nov 00:00 CET (31 Oct 23:00Z): 10 days + 1 h.
        #expect(offtake.first.map { [$0.startUTC, Int64($0.intervalSeconds)] }
                == [utc("2023-10-21T22:00Z"), 10 * 86_400 + 3600])
        // January: 1 Jan 00:00 CET to 1 Feb 00:00 CET = 31 days.
        #expect(offtake.last.map { [$0.startUTC, Int64($0.intervalSeconds)] } == [utc("2023-12-31T23:00Z"), 31 * 86_400])
    }
}

@Suite struct EnphaseFrenchTests {
    @Test("the French Enlighten UI header is recognised and read like the English one")
    func frenchHeader() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // The header as the French UI writes it (issue #17); rows as the English custom report: one per hour.
        try scratch.write("f.csv", """
            Date/Heure,Énergie produite (Wh),Énergie consommée (Wh),Exportée vers le réseau (Wh),Importée depuis le réseau (Wh)
            14/06/2024 11:00,1500,600,900,0
            14/06/2024 12:00,1700,400,1300,0
            14/06/2024 13:00,1200,900,300,0
            14/06/2024 14:00,800,1000,0,200

            """)
        let records = [["Date/Heure", "Énergie produite (Wh)", "Énergie consommée (Wh)", "Exportée vers le réseau (Wh)",
                        "Importée depuis le réseau (Wh)"], ["14/06/2024 11:00", "1500", "600", "900", "0"]]
        #expect(EnphaseFormat.detect(records))
        let result = try read(scratch.root + "/f.csv", format: .enphase)
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        // By hand: produced 1.5+1.7+1.2+0.8 = 5.2 kWh, consumed 0.6+0.4+0.9+1.0 = 2.9, exported 0.9+1.3+0.3 = 2.5,
        // imported 0.2; 14 June 11:00 CEST = 09:00Z.
        #expect(close(totals(result, .pvProduction).sum, 5.2))
        #expect(close(totals(result, .electricityConsumption).sum, 2.9))
        #expect(close(totals(result, .electricityInjection).sum, 2.5))
        #expect(close(totals(result, .electricityOfftake).sum, 0.2))
        #expect(result.trace.filter { $0.series.quantity == .pvProduction }.map(\.startUTC)
                == (0..<4).map { utc("2024-06-14T09:00Z") + Int64($0) * 3600 })
    }
}

@Suite struct EcoCounterFeedTests {
    @Test("Seattle feed without a total, newest first, 12-hour clock: East + West per hour, one site")
    func fremontWithoutTotal() throws {
        let path = fixture("counters", "ecocounter_seattle_fremont_east_west_newest_first.csv")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let records = text.split(separator: "\n").prefix(3).map { $0.split(separator: ",").map(String.init) }
        #expect(EcoCounterFormat.detect(records))
        let result = try read(path, format: .ecocounter, timezone: "America/Los_Angeles")
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        #expect(result.series.map(\.key) == [SeriesKey(site: "s1", quantity: .trafficBike, meter: "Fremont Bridge")])
        // By hand (East + West = the source's Total column, checked for every row): 3 October 2012 3,521, 4 October
        // 13 + 3... = 18 + 3 = 21; 26 hours, 3,542 in all.
        #expect(totals(result, .trafficBike) == QuantityTotals(present: 26, estimated: 0, missing: 0, sum: 3542))
        #expect(daySums(result, .trafficBike) == ["2012-10-03": 3521, "2012-10-04": 21])
        #expect(result.trace.allSatisfy { $0.intervalSeconds == 3600 })
        // 12:00:00 AM is midnight (PDT, -7: 07:00Z), 12:00:00 PM noon (19:00Z).
        #expect(result.trace.first { $0.startUTC == utc("2012-10-03T07:00Z") }?.value == 13)
        #expect(result.trace.first { $0.startUTC == utc("2012-10-03T19:00Z") }?.value == 76)
        #expect(result.trace.first { $0.startUTC == utc("2012-10-04T07:00Z") }?.value == 18)
        #expect(result.mapping.first?.role
                == "interval start, local time (MM/dd/yyyy, detected; both orders fit, the sequence of the rows decided; "
                + "rows newest first)")
    }

    @Test("newest first: the same instants and totals as oldest first, the repeated 1 AM included")
    func newestFirstRepeatedHour() throws {
        let result = try read(fixture("counters", "ecocounter_us_total_east_west_hourly_newest_first.csv"),
                              format: .ecocounter, timezone: "America/Los_Angeles")
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        // The oldest-first file's readings (CounterFormatTests): 1 AM PDT (08:00Z) 4, 1 AM PST (09:00Z) 2; 535 in all.
        let byInstant = Dictionary(uniqueKeysWithValues: result.trace.map { ($0.startUTC, $0.value) })
        #expect(byInstant == [utc("2019-11-03T06:00Z"): 13, utc("2019-11-03T07:00Z"): 8, utc("2019-11-03T08:00Z"): 4,
                              utc("2019-11-03T09:00Z"): 2, utc("2019-11-03T10:00Z"): 1, utc("2019-11-03T11:00Z"): 0,
                              utc("2019-11-03T20:00Z"): 245, utc("2019-11-03T21:00Z"): 262])
        #expect(totals(result, .trafficBike) == QuantityTotals(present: 8, estimated: 0, missing: 0, sum: 535))
        #expect(result.trace.allSatisfy { $0.intervalSeconds == 3600 })
    }

    @Test("a total with direction-only columns (`Total,NB,SB`) is one site; compass pairs group only without IN/OUT")
    func headerGrouping() throws {
        let seattle = try EcoCounterFormat.plan(["Date", "2nd Ave Cycletrack Total", "NB", "SB"], configured: nil).get()
        #expect(seattle.sites == [.init(meter: "2nd Ave Cycletrack", quantity: .trafficBike, total: 1, parts: [2, 3])])
        let flows = try EcoCounterFormat.plan(["Date", "Park Noord Pedestrian IN", "Park Noord Pedestrian OUT"],
                                              configured: nil).get()
        #expect(flows.sites == [.init(meter: "Park Noord Pedestrian", quantity: .trafficPedestrian, total: nil,
                                      parts: [1, 2])])
    }
}
