import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `generic` on real exports (`Fixtures/generic`, see PROVENANCE.md there). Every expected number comes from
/// `scripts/generic_fixture_totals.py`, which reads the same bytes with Python's csv and zoneinfo (exact decimals).
@Suite struct GenericRealExportTests {
    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/generic/\(name)").path
    }

    /// A one-source pilot (Europe/Brussels) whose source is `source` (YAML lines), and one fixture as its input.
    static func input(_ name: String, format: String = "generic", source: String) throws
        -> (definition: PipelineDefinition, file: InputFile) {
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: g
            name: G
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2025-12-31 } }
            sites: [ { id: s } ]
            sources:
              - path: "*"
                format: \(format)
                site: s
            \(source)
            """, file: "pipelines/g.yaml", catalogue: .builtIn)
        return (definition, InputFile(path: fixture(name), relativePath: "g/\(name)", pilot: "g",
                                      source: definition.sources[0]))
    }

    /// Reads one fixture through `input`'s pilot.
    static func read(_ name: String, format: String = "generic", source: String, traceLimit: Int = 0) throws
        -> FileResult {
        let (definition, file) = try input(name, format: format, source: source)
        return ReadFile.read(file, definition: definition, traceLimit: traceLimit)
    }

    static func day(_ iso: String) -> Int { CivilDate(iso: iso)!.dayNumber }

    /// The day cell of the one series of `quantity`.
    static func cell(_ result: FileResult, _ quantity: Quantity, _ iso: String) -> DayCell? {
        result.series.first { $0.key.quantity == quantity }?.days[day(iso)]
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) < tolerance
    }

    // MARK: where:

    static let engieSource = """
            columns: { timestamp: "Datum" }
            values:
              - { column: "Verbruik", quantity: electricity_offtake, unit: kWh, where: { Type: Elektriciteit } }
              - { column: "Verbruik", quantity: electricity_injection, unit: kWh, where: { Type: Teruglevering } }
        """

    /// Real exports read in chunks as a large file of theirs would be (`ReadFile.readChunked`, chunk sizes down to a
    /// few hundred bytes): what the sequential read gives, bit for bit. The date layout each chunk uses is the one
    /// detected from the file's first row (KNMI's compact dates after a 51-line legend, Engie's day-first dates, ISO
    /// instants), and a source of water without an end column or of a register is read whole.
    @Test(arguments: [
        ("engie_verbruik_type_2024-10.csv", engieSource),
        ("knmi_etmgeg_249_legend_and_2024.txt", """
            columns: { date: "YYYYMMDD", meter: "STN" }
            values: [ { column: "TG", quantity: temperature, unit: degC, scale: 0.1 } ]
        """),
        ("energiemanager_online_2016_daily.csv", """
            columns: { timestamp: "Vanaf", end: "Tot" }
            values:
              - { column: "Verbruik laag tarief", quantity: electricity_offtake, unit: kWh }
              - { column: "Teruglevering laag tarief", quantity: electricity_injection, unit: kWh, scale: -1 }
        """),
        ("dsmrreader_hour_gas_m3_2024-01.csv", """
            kwh_per_m3: 9.769
            columns: { timestamp: "Hour Start" }
            values: [ { column: "Gas", quantity: gas, unit: m3 } ]
        """),
        ("shelly_em3_utc_2025-03-29_to_31.csv", """
            timezone: UTC
            columns: { timestamp: "Date/time UTC" }
            values: [ { column: "Active energy Wh (A)", quantity: electricity_offtake, unit: Wh } ]
        """),
    ])
    func realExportsInChunks(name: String, source: String) throws {
        let (definition, file) = try Self.input(name, source: source)
        #expect(FormatRegistry.readers[.generic]!.readsInChunks(definition.sources[0]))
        let whole = ReadFile.read(file, definition: definition)
        #expect(whole.summary.problem == nil && whole.summary.acceptedRows > 0)
        let size = Int((try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0)
        for chunkBytes in [size / 7, size / 3, 1_999] {
            #expect(ReadFile.chunkCount(size: size, chunkBytes: chunkBytes) > 1)
            let chunked = ReadFile.readChunked(file, definition: definition, chunkBytes: chunkBytes, parallel: false)
            let note: Comment = "\(name), chunks of \(chunkBytes) bytes"
            #expect(chunked.summary.problem == nil, note)
            #expect(chunked.series.map(\.key) == whole.series.map(\.key), note)
            for (a, b) in zip(chunked.series, whole.series) {
                #expect(a.days == b.days && a.intervalSeconds == b.intervalSeconds && a.inputs == b.inputs, note)
            }
            #expect(chunked.rejects == whole.rejects, note)
            #expect(chunked.summary.acceptedRows == whole.summary.acceptedRows, note)
            #expect(chunked.summary.ignoredRows == whole.summary.ignoredRows, note)
            #expect(chunked.mapping == whole.mapping, note)
            #expect(chunked.headerLine == whole.headerLine, note)
        }
    }

    @Test("one value column, two quantities: where: { Type: … } splits offtake from injection (Engie export)")
    func whereSplitsTypes() throws {
        let result = try Self.read("engie_verbruik_type_2024-10.csv", source: Self.engieSource)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        #expect(result.summary.ignoredRows.isEmpty)
        // Script: 745 rows of each type (October 2024, hourly, 25 hours on 27 Oct); Σ Elektriciteit 255.877 kWh,
        // Σ Teruglevering 350.697 kWh (summed into offtake before: 606.574).
        let offtake = totals(result, .electricityOfftake), injection = totals(result, .electricityInjection)
        #expect(offtake.present == 745 && injection.present == 745)
        #expect(Self.close(offtake.sum, 255.877))
        #expect(Self.close(injection.sum, 350.697))
        // Local days (Europe/Brussels) of the ISO instants: 27 Oct has 25 hours.
        #expect(Self.close(Self.cell(result, .electricityOfftake, "2024-10-27")?.sum, 10.552))
        #expect(Self.cell(result, .electricityOfftake, "2024-10-27")?.present == 25)
        #expect(Self.close(Self.cell(result, .electricityInjection, "2024-10-27")?.sum, 12.535))
        #expect(Self.close(Self.cell(result, .electricityOfftake, "2024-10-01")?.sum, 8.574))
        #expect(result.mapping.map(\.description).contains(
            "Verbruik → electricity_offtake (kWh, interval values) where Type = Elektriciteit; electricity_injection "
                + "(kWh, interval values) where Type = Teruglevering"))
        #expect(result.mapping.map(\.description).contains("Type → row selector (where:)"))
    }

    @Test("rows no where: selects are counted as ignored with their texts, never lost silently")
    func unselectedRowsAreNamed() throws {
        let result = try Self.read("engie_verbruik_type_2024-10.csv", source: """
                columns: { timestamp: "Datum" }
                values:
                  - { column: "Verbruik", quantity: electricity_offtake, unit: kWh, where: { Type: " elektriciteit " } }
            """)
        #expect(result.rejects.isEmpty)
        #expect(Self.close(totals(result, .electricityOfftake).sum, 255.877))
        #expect(result.summary.ignoredRows == ["no_value_mapping_selects_row: Type = Teruglevering": 745])
        let warnings = FileVerdict.warnings(result.summary, path: "in/x.csv", rejects: result.rejects)
        #expect(warnings.map(\.message) == ["in/x.csv: 745 row(s) matched no value's where: (Type = Teruglevering: "
            + "745 rows); they are not counted: add a value with a where: for them if they count"])
        #expect(warnings.map(\.code) == [.rowsNotSelected])
        #expect(IgnoreKey.render("no_value_mapping_selects_row: Type = Teruglevering", .en)
            == "rows no value's where: selects (add a value with a where: for them if they count): Type = Teruglevering")
    }

    @Test("where: with a list of texts and with two columns (all must match); a where: on the meter column")
    func whereListAndColumns() throws {
        // The peak-tariff rows (Piek = true) of both types, one series per Type (the meter column).
        let result = try Self.read("engie_verbruik_type_2024-10.csv", source: """
                columns: { timestamp: "Datum", meter: "Type" }
                values:
                  - { column: "Verbruik", quantity: electricity_offtake, unit: kWh,
                      where: { Type: [Elektriciteit, Teruglevering], Piek: "TRUE" } }
            """)
        #expect(result.rejects.isEmpty)
        let rows = try String(contentsOfFile: Self.fixture("engie_verbruik_type_2024-10.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        func count(_ type: String, _ peak: String) -> Int {
            rows.filter { $0.hasSuffix("\"\(type)\",\"\(peak)\"") }.count
        }
        #expect(totals(result, .electricityOfftake).present == count("Elektriciteit", "true") + count("Teruglevering", "true"))
        #expect(result.summary.ignoredRows == [
            "no_value_mapping_selects_row: Type = Elektriciteit, Piek = false": count("Elektriciteit", "false"),
            "no_value_mapping_selects_row: Type = Teruglevering, Piek = false": count("Teruglevering", "false"),
        ])
        #expect(Set(result.series.map(\.key.meter)) == ["Elektriciteit", "Teruglevering"])
    }

    @Test("where: on the meter number separates an electricity and a gas meter in one file (Liander registers)")
    func whereSeparatesMeters() throws {
        let result = try Self.read("liander_csv_bijlage_electricity_and_gas_registers.csv", source: """
                kwh_per_m3: 9.769
                columns: { date: "meterreadingdate" }
                values:
                  - { column: "reading1", quantity: electricity_offtake, unit: kWh, kind: cumulative, meter: t1,
                      where: { meternummer: E0045003866355817 } }
                  - { column: "reading2", quantity: electricity_offtake, unit: kWh, kind: cumulative, meter: t2,
                      where: { meternummer: E0045003866355817 } }
                  - { column: "reading1", quantity: gas, unit: m3, kind: cumulative,
                      where: { meternummer: G0039001721304017 } }
            """)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        // Script: 206 daily readings per meter (5 Jun – 27 Dec 2023); electricity (reading1 + reading2) last − first
        // = 2793.5 kWh; gas 377.9 m³ × 9.769 = 3691.7051 kWh.
        #expect(Self.close(totals(result, .electricityOfftake).sum, 2793.5, 1e-6))
        #expect(Self.close(totals(result, .gas).sum, 3691.7051, 1e-6))
    }

    @Test("a where: column missing from the header is named")
    func whereColumnMissing() throws {
        let result = try Self.read("engie_verbruik_type_2024-10.csv", source: """
                columns: { timestamp: "Datum" }
                values: [ { column: "Verbruik", quantity: electricity_offtake, unit: kWh, where: { Soort: Elektriciteit } } ]
            """)
        #expect(result.summary.problem?.contains("line 1: where: names \"Soort\", not in the header; found: Datum, EAN, "
            + "Verbruik, Type, Piek") == true)
    }

    // MARK: scale: and preambles

    @Test("scale: -1 reads injection written as negative numbers (Energie Manager Online daily export)")
    func negativeInjection() throws {
        let result = try Self.read("energiemanager_online_2016_daily.csv", source: """
                columns: { timestamp: "Vanaf", end: "Tot" }
                values:
                  - { column: "Verbruik laag tarief", quantity: electricity_offtake, unit: kWh }
                  - { column: "Verbruik hoog tarief", quantity: electricity_offtake, unit: kWh }
                  - { column: "Teruglevering laag tarief", quantity: electricity_injection, unit: kWh, scale: -1 }
                  - { column: "Teruglevering hoog tarief", quantity: electricity_injection, unit: kWh, scale: -1 }
            """)
        #expect(result.summary.problem == nil)
        // Script: 366 days, offtake Σ (laag + hoog) = 2961.471 kWh, injection Σ −(laag + hoog) = 1252.569 kWh.
        #expect(Self.close(totals(result, .electricityOfftake).sum, 2961.471))
        #expect(Self.close(totals(result, .electricityInjection).sum, 1252.569))
        #expect(totals(result, .electricityOfftake).present == 2 * 366)
        // The last row holds the year's totals over one interval from 1 January: refused, never added.
        #expect(result.rejects.map(\.line) == [368, 368, 368, 368])
        #expect(result.rejects.allSatisfy { $0.code == .conflictingInterval })
        #expect(result.rejects.last?.reason.contains(" is 0 there and 888.738 here (kWh)") == true)
        #expect(result.mapping.map(\.description).contains(
            "Teruglevering laag tarief → electricity_injection (kWh × -1, interval values)"))
    }

    @Test("KNMI etmgeg download: 51 legend lines without #, header `# STN,…` on line 52, TG × 0.1 (generic)")
    func knmiGeneric() throws {
        let result = try Self.read("knmi_etmgeg_249_legend_and_2024.txt", source: """
                columns: { date: "YYYYMMDD", meter: "STN" }
                values: [ { column: "TG", quantity: temperature, unit: degC, scale: 0.1 } ]
            """)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        #expect(result.headerLine == 52)
        // Script: 366 days, Σ TG/10 = 4227.7 °C (mean 11.551 °C); 1 Jan 7.5, 31 Mar 9.2, 27 Oct 12.6, 31 Dec 6.2.
        let all = totals(result, .temperature)
        #expect(all.present == 366)
        #expect(Self.close(all.sum, 4227.7, 1e-9))
        for (day, value) in [("2024-01-01", 7.5), ("2024-03-31", 9.2), ("2024-10-27", 12.6), ("2024-12-31", 6.2)] {
            #expect(Self.close(Self.cell(result, .temperature, day)?.sum, value), "\(day)")
        }
        #expect(result.series.map(\.key.meter) == ["249"])
        #expect(result.mapping.map(\.description).contains("TG → temperature (degC × 0.1, interval values)"))
        #expect(result.mapping.first?.description == "# STN → meter (one series per meter and value column)")
    }

    @Test("KNMI etmgeg download read by format: temperature (legend, `# STN` header)")
    func knmiTemperature() throws {
        let result = try Self.read("knmi_etmgeg_249_legend_and_2024.txt", format: "temperature", source: "")
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        #expect(result.headerLine == 52)
        let all = totals(result, .temperature)
        #expect(all.present == 366)
        #expect(Self.close(all.sum, 4227.7, 1e-9))
        #expect(Self.close(Self.cell(result, .temperature, "2024-10-27")?.sum, 12.6))
        #expect(result.series.map(\.key.meter) == ["249"])
    }

    @Test("KNMI script output: every legend line and the header start with #; the header is `# STN,YYYYMMDD,   TG`")
    func knmiScriptOutput() throws {
        // Written here in the layout of KNMI's daggegevens script output (legend and header after "# ", values
        // right-aligned in fixed widths); not a downloaded file.
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("input/g/knmi.txt", "# BRON: KONINKLIJK NEDERLANDS METEOROLOGISCH INSTITUUT (KNMI)\n"
            + "# STN         LON(east)   LAT(north)  ALT(m)   NAME\n# 260:           5.180       52.100    1.90   De Bilt\n"
            + "# YYYYMMDD  : Datum (YYYY=jaar MM=maand DD=dag) / Date (YYYY=year MM=month DD=day)\n"
            + "# TG        : Etmaalgemiddelde temperatuur (in 0.1 graden Celsius) / Daily mean temperature in (0.1 "
            + "degrees Celsius)\n# \n# STN,YYYYMMDD,   TG\n# \n  260,20240105,   43\n  260,20240106,  -12\n")
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: g
            name: G
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources: [ { path: "*.txt", format: temperature, site: s } ]
            """, file: "pipelines/g.yaml", catalogue: .builtIn)
        let file = InputFile(path: scratch.root + "/input/g/knmi.txt", relativePath: "g/knmi.txt", pilot: "g",
                             source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition, traceLimit: 5)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        #expect(result.headerLine == 7)
        #expect(result.trace.map(\.value) == [4.3, -1.2])
        #expect(result.series.map(\.key.meter) == ["260"])
    }

    @Test("a file without the header: refused quickly, naming what was looked for")
    func noHeader() throws {
        let start = Date()
        let temperature = try Self.read("shelly_em3_utc_2025-03-29_to_31.csv", format: "temperature", source: "")
        #expect(temperature.summary.problem?.contains("no header found (line 1: no date and daily-mean temperature "
            + "columns") == true)
        // 1,490 records, none with a column the YAML names: the search stops after 1,000.
        let generic = try Self.read("engie_verbruik_type_2024-10.csv", source: """
                columns: { date: "Tijd" }
                values: [ { column: "Waarde", quantity: electricity_offtake, unit: kWh } ]
            """)
        #expect(generic.summary.problem == Self.fixture("engie_verbruik_type_2024-10.csv") + ": no header found in the "
            + "first 1000 records; check `format: generic` of sources[0] or run `parkimpact sniff "
            + Self.fixture("engie_verbruik_type_2024-10.csv") + "`")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    // MARK: gas in m³

    @Test("gas in m³ (DSMR-reader hourly export) becomes kWh with the source's kwh_per_m3")
    func gasCubicMetres() throws {
        let result = try Self.read("dsmrreader_hour_gas_m3_2024-01.csv", source: """
                kwh_per_m3: 9.769
                columns: { timestamp: "Hour Start" }
                values: [ { column: "Gas", quantity: gas, unit: m3 } ]
            """)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        // Script: 744 hours, Σ Gas 219.669 m³ × 9.769 = 2145.946461 kWh.
        let gas = totals(result, .gas)
        #expect(gas.present == 744)
        #expect(Self.close(gas.sum, 2145.946461, 1e-7))
        #expect(result.mapping.map(\.description).contains("Gas → gas (m3, × 9.769 kWh/m3 (kwh_per_m3), interval values)"))
    }

    @Test("KPIs using gas read in m³ cite gas.kwh_per_m3 like a factor; the others do not")
    func gasConversionProvenance() throws {
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: g
            name: G
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources:
              - path: "*.csv"
                format: generic
                site: s
                kwh_per_m3: 9.769
                columns: { timestamp: "Hour Start" }
                values:
                  - { column: "Gas", quantity: gas, unit: m3 }
                  - { column: "Electricity 1 (Dutch Users: Low Tariff)", quantity: electricity_offtake, unit: kWh }
            """, file: "pipelines/g.yaml", catalogue: .builtIn)
        let name = "dsmrreader_hour_gas_m3_2024-01.csv"
        let file = InputFile(path: Self.fixture(name), relativePath: "g/\(name)", pilot: "g", source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition)
        #expect(result.summary.problem == nil)
        let kpis = KPIEngine(definition: definition, series: result.series, rejects: [], catalogue: .builtIn).compute()
        let conversion = FactorReference(id: "gas.kwh_per_m3", value: 9.769, unit: "kWh/m3", year: 2024,
                                         source: "pipelines/g.yaml sources[0] kwh_per_m3", note: nil)
        let gas = try #require(kpis.first { $0.key == "energy.gas_kwh" && $0.period == "reporting" && $0.site == nil })
        #expect(Self.close(gas.value, 2145.946461, 1e-7))
        #expect(gas.provenance.factors == [conversion])
        let scope1 = try #require(kpis.first { $0.key == "co2.scope1_t" && $0.period == "2024-01" && $0.site == "s" })
        #expect(scope1.provenance.factors.map(\.id) == ["natural_gas.hhv", "gas.kwh_per_m3"])
        #expect(scope1.provenance.factors.last == conversion)
        for key in ["energy.total_mwh", "energy.fossil_mwh"] {
            #expect(kpis.first { $0.key == key && $0.period == "reporting" }?.provenance.factors.contains(conversion)
                == true, "\(key)")
        }
        let offtake = try #require(kpis.first { $0.key == "energy.electricity.offtake_kwh" && $0.period == "reporting" })
        #expect(offtake.provenance.factors.isEmpty)
        // No gas in the baseline: nothing to cite there.
        #expect(kpis.first { $0.key == "energy.gas_kwh" && $0.period == "baseline" }?.provenance.factors.isEmpty == true)
    }

    @Test("a gas register in m³ (HomeWizard P1, kind: cumulative) is converted before it is differenced")
    func gasRegisterCubicMetres() throws {
        let result = try Self.read("homewizard_p1_gas_m3_total_2025-03-15_to_17.csv", source: """
                kwh_per_m3: 9.769
                columns: { timestamp: "time" }
                values: [ { column: "Total gas used", quantity: gas, unit: m3, kind: cumulative } ]
            """)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        // Script: register 1561.113 → 1577.552 m³ = 16.439 m³ × 9.769 = 160.592591 kWh.
        #expect(Self.close(totals(result, .gas).sum, 160.592591, 1e-6))
    }

    /// The definition errors of a one-source generic pilot whose source is `source`, as printed.
    static func definitionErrors(_ source: String) -> [String] {
        do {
            _ = try DefinitionLoader.parse(yaml: """
                pilot: g
                name: G
                periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
                sites: [ { id: s } ]
                sources:
                  - path: "*.csv"
                    format: generic
                    site: s
                    columns: { timestamp: "Datum" }
                \(source)
                """, file: "pipelines/g.yaml", catalogue: .builtIn)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test("gas in m³ without kwh_per_m3 is a definition error naming kwh_per_m3")
    func gasWithoutCalorificValue() {
        #expect(Self.definitionErrors("""
                values: [ { column: "Gas", quantity: gas, unit: m3 } ]
            """) == [
                "pipelines/g.yaml:10: sources[0].values[0].unit: m3 of gas needs the gross calorific value: add "
                    + "kwh_per_m3 to sources[0] (kWh per m³ as the bill states it, about 9.8 for L-gas and 11.4 for "
                    + "H-gas), or map a column in kWh",
            ])
        #expect(Self.definitionErrors("""
                kwh_per_m3: 9.769
                values: [ { column: "Gas", quantity: gas, unit: m3 } ]
            """) == [])
    }

    @Test("a source's unit: m3 with quantity: gas names kwh_per_m3 when it is missing")
    func sourceGasCubicMetres() {
        func errors(_ extra: String) -> [String] {
            do {
                _ = try DefinitionLoader.parse(yaml: """
                    pilot: g
                    name: G
                    periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
                    sites: [ { id: s } ]
                    sources:
                      - { path: "*.csv", format: meter-readings, site: s, quantity: gas, unit: m3\(extra) }
                    """, file: "pipelines/g.yaml", catalogue: .builtIn)
                return []
            } catch {
                return error.errors.map(\.description)
            }
        }
        #expect(errors("") == ["pipelines/g.yaml:6: sources[0].unit: m3 of gas needs the gross calorific value: add "
            + "kwh_per_m3 to sources[0] (kWh per m³ as the bill states it, about 9.8 for L-gas and 11.4 for H-gas)"])
        #expect(errors(", kwh_per_m3: 11.2") == [])
        // Out of range: only the range is reported.
        #expect(errors(", kwh_per_m3: 40").count == 1)
    }

    @Test("where: and scale: mistakes are definition errors with line and key path")
    func selectorErrors() {
        #expect(Self.definitionErrors("""
                values:
                  - { column: "Verbruik", quantity: electricity_offtake, unit: kWh, where: { Verbruik: "1" } }
                  - { column: "Verbruik", quantity: electricity_injection, unit: kWh, where: { Datum: "x" } }
                  - { column: "Verbruik", quantity: gas, unit: kWh, where: { Type: [] }, scale: 0 }
                  - { column: "Verbruik", quantity: water, unit: m3, where: "Type" }
            """) == [
                "pipelines/g.yaml:11: sources[0].values[0].where.Verbruik: \"Verbruik\" is read as a value "
                    + "(values[].column); a where: selects rows by another column, e.g. where: { Type: Teruglevering } "
                    + "or where: { Type: [Teruglevering, Injectie] }",
                "pipelines/g.yaml:12: sources[0].values[1].where.Datum: \"Datum\" is the timestamp column "
                    + "(columns.timestamp); a where: selects rows by a column with a kind of row, e.g. where: { Type: "
                    + "Teruglevering } or where: { Type: [Teruglevering, Injectie] }",
                "pipelines/g.yaml:13: sources[0].values[2].where.Type: empty text; give the text the selected rows "
                    + "have in column \"Type\"",
                "pipelines/g.yaml:13: sources[0].values[2].scale: \"0\" is not a number other than 0: give the factor "
                    + "the column's numbers are multiplied by, e.g. 0.1 for tenths of a degree",
                "pipelines/g.yaml:14: sources[0].values[3].where: expected a mapping of column: text, e.g. where: "
                    + "{ Type: Teruglevering } or where: { Type: [Teruglevering, Injectie] }",
                "pipelines/g.yaml:12: sources[0].values[1]: reads column \"Verbruik\" like values[0] and a row can "
                    + "match both, so it would be counted twice: give each a where: on the column that tells their "
                    + "rows apart, e.g. where: { Type: Elektriciteit } and where: { Type: Teruglevering }",
                "pipelines/g.yaml:13: sources[0].values[2]: reads column \"Verbruik\" like values[0] and a row can "
                    + "match both, so it would be counted twice: give each a where: on the column that tells their "
                    + "rows apart, e.g. where: { Type: Elektriciteit } and where: { Type: Teruglevering }",
                "pipelines/g.yaml:14: sources[0].values[3]: reads column \"Verbruik\" like values[0] and a row can "
                    + "match both, so it would be counted twice: give each a where: on the column that tells their "
                    + "rows apart, e.g. where: { Type: Elektriciteit } and where: { Type: Teruglevering }",
            ])
        // Told apart: no error; the same texts in another case overlap.
        #expect(Self.definitionErrors("""
                values:
                  - { column: "Verbruik", quantity: electricity_offtake, unit: kWh, where: { Type: Elektriciteit } }
                  - { column: "Verbruik", quantity: electricity_injection, unit: kWh, where: { Type: [Teruglevering, Injectie] } }
            """) == [])
        #expect(Self.definitionErrors("""
                values:
                  - { column: "Verbruik", quantity: electricity_offtake, unit: kWh, where: { Type: Elektriciteit } }
                  - { column: "Verbruik", quantity: electricity_injection, unit: kWh, where: { type: " ELEKTRICITEIT" } }
            """).count == 1)
    }

    // MARK: timezone: UTC

    @Test("timezone: UTC (Shelly `Date/time UTC`): local days cut at Brussels midnight, 23 hours on 30 March")
    func utcExport() throws {
        let result = try Self.read("shelly_em3_utc_2025-03-29_to_31.csv", source: """
                timezone: UTC
                columns: { timestamp: "Date/time UTC" }
                values: [ { column: "Active energy Wh (A)", quantity: electricity_offtake, unit: Wh } ]
            """, traceLimit: 1)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        // The first row, 2025-03-29 00:00 UTC, is read as that instant (01:00 in Brussels).
        #expect(result.trace.first?.startUTC == utc("2025-03-29T00:00Z"))
        // Script (zoneinfo Europe/Brussels): 29 Mar 4.0752, 30 Mar 3.3910 (23 h), 31 Mar 4.5488, 1 Apr 0.9240 kWh (the
        // rows from 31 Mar 22:00 UTC); by UTC days it would be 4.5809, 3.5769, 4.7812.
        let expected = [("2025-03-29", 4.0752, 138), ("2025-03-30", 3.3910, 138), ("2025-03-31", 4.5488, 144),
                        ("2025-04-01", 0.9240, 12)]
        for (day, kWh, rows) in expected {
            let cell = Self.cell(result, .electricityOfftake, day)
            #expect(Self.close(cell?.sum, kWh), "\(day)")
            #expect(cell?.present == Int32(rows), "\(day)")
        }
        #expect(Self.close(totals(result, .electricityOfftake).sum, 12.939))
        #expect(result.mapping.first?.description.hasSuffix(", timezone UTC") == true)
    }
}
