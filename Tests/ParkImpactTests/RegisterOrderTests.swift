import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

// Expected values computed independently of ParkImpact's code with scripts/register_totals.py (csv module, zoneinfo
// Europe/Brussels): per register column, readings sorted by local time, consecutive differences spread over local
// days in proportion to UTC seconds, summed per quantity. The small inline files by hand (next to each expectation).

private let registerFixtures = packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/registers").path

/// Reads `path` as `format` with extra keys on the source.
private func readRegisters(_ path: String, _ format: SourceFormatName, source: String = "",
                           extraSources: String = "") throws -> FileResult {
    let definition = try DefinitionLoader.parse(yaml: """
        pilot: test
        name: Test
        timezone: Europe/Brussels
        periods:
          baseline: { from: 2021-01-01, to: 2022-12-31 }
          reporting: { from: 2023-01-01, to: 2025-12-31 }
        sites:
          - { id: s1, name: Site one }
        sources:
          - { path: "*.csv", format: \(format.rawValue), site: s1\(source.isEmpty ? "" : ", " + source) }
        \(extraSources)
        """, file: "pipelines/test.yaml", catalogue: .builtIn)
    let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: 0)
}

/// Writes `text` to a scratch file and reads it.
private func readRegisters(text: String, _ format: SourceFormatName, source: String = "", extraSources: String = "")
    throws -> FileResult {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("input/readings.csv", text)
    return try readRegisters(scratch.root + "/input/readings.csv", format, source: source, extraSources: extraSources)
}

/// The file's header line, then its data lines in reverse order (newest first), same line ending.
private func reversedRows(_ path: String) throws -> String {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    let header = lines.removeFirst()
    return ([header] + lines.reversed()).joined(separator: "\n") + "\n"
}

/// Sum per local date of one quantity.
private func perDay(_ result: FileResult, _ quantity: Quantity) -> [String: Double] {
    var sums: [String: Double] = [:]
    for series in result.series where series.key.quantity == quantity {
        for (day, cell) in series.days { sums[CivilDate(dayNumber: day).description, default: 0] += cell.sum }
    }
    return sums
}

private func near(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}

@Suite struct RegisterOrderTests {
    // MARK: homewizard-energy

    @Test("HomeWizard P1 export (real): T1+T2 import registers differenced = 1356.427 kWh offtake, export 861.118")
    func homeWizardP1() throws {
        let path = registerFixtures + "/homewizard_2022-09_15min_elec.csv"
        let report = try Sniff.sniff(path: path)
        #expect(FormatRegistry.detect([report.header] + report.firstRecords) == .homewizardEnergy)
        let result = try readRegisters(path, .homewizardEnergy)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
        #expect(result.series.map(\.key.meter).sorted() == [
            "homewizard-energy/Export T1 kWh", "homewizard-energy/Export T2 kWh",
            "homewizard-energy/Import T1 kWh", "homewizard-energy/Import T2 kWh",
        ])
        // register_totals.py: offtake 1356.4270000000006 kWh over 30 days, injection 861.1179999999999 kWh.
        #expect(near(totals(result, .electricityOfftake).sum, 1356.427))
        #expect(near(totals(result, .electricityInjection).sum, 861.118))
        let offtake = perDay(result, .electricityOfftake), injection = perDay(result, .electricityInjection)
        #expect(offtake.count == 30 && injection.count == 30)
        #expect(near(offtake["2022-09-01"], 44.246) && near(offtake["2022-09-02"], 44.514))
        #expect(near(offtake["2022-09-29"], 43.449) && near(offtake["2022-09-30"], 46.527))
        #expect(near(injection["2022-09-01"], 29.789) && near(injection["2022-09-30"], 28.353))
        // 2880 rows × 4 registers: 4 chain starts, 4 × 2879 differences.
        #expect(result.summary.acceptedRows == 4 * 2879)
        #expect(result.summary.ignoredRows[IgnoreCode.chainStart.rawValue] == 4)
    }

    @Test("the same P1 export newest first reads exactly as oldest first")
    func homeWizardP1NewestFirst() throws {
        let path = registerFixtures + "/homewizard_2022-09_15min_elec.csv"
        let forward = try readRegisters(path, .homewizardEnergy)
        let backward = try readRegisters(text: reversedRows(path), .homewizardEnergy)
        #expect(backward.rejects.isEmpty, "\(backward.rejects.map(\.reason))")
        for quantity in [Quantity.electricityOfftake, .electricityInjection] {
            #expect(perDay(backward, quantity) == perDay(forward, quantity))
            #expect(totals(backward, quantity) == totals(forward, quantity))
        }
        #expect(backward.summary.acceptedRows == forward.summary.acceptedRows)
        #expect(backward.summary.ignoredRows == forward.summary.ignoredRows)
    }

    @Test("HomeWizard kWh meters (real): 1-phase import 0.162 kWh; 3-phase power columns ignored, export 0.211 kWh")
    func homeWizardKWhMeters() throws {
        let one = try readRegisters(registerFixtures + "/15min_1_phase_kwh_meter-2025-3-1-2025-7-12.csv",
                                    .homewizardEnergy)
        // By hand: 6199.691 − 6199.529 = 0.162; export 0.015 throughout.
        #expect(one.rejects.isEmpty)
        #expect(near(totals(one, .electricityOfftake).sum, 0.162) && totals(one, .electricityInjection).sum == 0)
        let three = try readRegisters(registerFixtures + "/15min_3_phase_kwh_meter-2025-3-1-2025-7-12.csv",
                                      .homewizardEnergy)
        // By hand: import 32.123 flat; export 0.361 − 0.150 = 0.211 (21:30 missing: 21:15 → 21:45 is one difference).
        #expect(three.rejects.isEmpty)
        #expect(totals(three, .electricityOfftake).sum == 0 && near(totals(three, .electricityInjection).sum, 0.211))
        let ignored = three.mapping.filter { $0.role == "ignored" }.map(\.column)
        #expect(ignored == ["L1 max W", "L2 max W", "L3 max W"])
    }

    @Test("HomeWizard gas (real, first 2320 lines): m³ × kwh_per_m3; without it the file is refused with the fix")
    func homeWizardGas() throws {
        let path = registerFixtures + "/15min_P1g-2025-3-1-2025-7-12.csv"
        let result = try readRegisters(path, .homewizardEnergy, source: "kwh_per_m3: 11.2")
        #expect(result.rejects.isEmpty)
        // register_totals.py: 28.224 m³ × 11.2 = 316.1088 kWh over 12 days; 15 Mar 7.156 m³ = 80.1472 kWh.
        #expect(near(totals(result, .gas).sum, 316.1088))
        let days = perDay(result, .gas)
        #expect(days.count == 12 && near(days["2025-03-14"], 8.1872) && near(days["2025-03-15"], 80.1472))
        // 1318 rows before the gas meter's first reading have no value: counted, not read as zero use.
        #expect(result.summary.ignoredRows[IgnoreCode.noRegisterValue.rawValue] == 1318)
        let refused = try readRegisters(path, .homewizardEnergy)
        #expect(refused.summary.problem?.contains("the column \"Total gas used\" is the gas meter in m³; add "
            + "`kwh_per_m3:` to the source") == true)
        #expect(refused.series.isEmpty)
    }

    @Test("HomeWizard water (real, first 3000 lines) newest first reads as oldest first: 1.4686 m³")
    func homeWizardWaterNewestFirst() throws {
        let path = registerFixtures + "/15min_Water-2025-3-1-2025-7-12_head3000.csv"
        let oldest = try readRegisters(path, .homewizardWater)
        let newest = try readRegisters(text: reversedRows(path), .homewizardWater)
        // Python over the raw rows (difference to the next row on the day of the row): 28 Mar 2156 dl, 29 Mar 3897,
        // 30 Mar 3990 (the 23-hour day), 31 Mar 4543, 1 Apr 100; 14686 dl = 1.4686 m³.
        for result in [oldest, newest] {
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            let days = perDay(result, .water)
            #expect(days.count == 5)
            #expect(near(days["2025-03-28"], 0.2156) && near(days["2025-03-29"], 0.3897)
                && near(days["2025-03-30"], 0.399) && near(days["2025-03-31"], 0.4543) && near(days["2025-04-01"], 0.01))
            #expect(near(totals(result, .water).sum, 1.4686))
        }
        #expect(perDay(newest, .water) == perDay(oldest, .water))
        #expect(newest.summary.ignoredRows == oldest.summary.ignoredRows)
        #expect(newest.summary.acceptedRows == oldest.summary.acceptedRows)
    }

    @Test("homewizard-energy: a sum beside its tariff registers is not read twice; a conflicting repeat is rejected")
    func homeWizardSumColumn() throws {
        let text = """
            time,Import T1 kWh,Import T2 kWh,Import kWh,Export kWh
            2024-05-01 00:00,100.000,200.000,300.000,5.000
            2024-05-01 00:15,100.250,200.000,300.250,5.000
            2024-05-01 00:15,100.300,200.000,300.300,5.000
            2024-05-01 00:30,100.500,200.125,300.625,5.500

            """
        let result = try readRegisters(text: text, .homewizardEnergy)
        // By hand: T1 0.25 + 0.25 = 0.5, T2 0.125 → offtake 0.625 (the sum column's 0.625 not added again); export
        // 0.5 (no T1/T2 export registers here: the sum is the register). Line 4 repeats 00:15 with other values.
        #expect(near(totals(result, .electricityOfftake).sum, 0.625))
        #expect(near(totals(result, .electricityInjection).sum, 0.5))
        #expect(result.mapping.first { $0.column == "Import kWh" }?.role == "ignored")
        #expect(result.rejects.map(\.code) == [.conflictingInterval, .duplicateInterval, .duplicateInterval])
        #expect(result.rejects.map(\.column) == ["Import T1 kWh", "time", "time"])
        #expect(result.rejects.allSatisfy { $0.line == 4 && $0.raw == "2024-05-01 00:15,100.300,200.000,300.300,5.000" })
    }

    // MARK: meter-readings with several registers

    @Test("GreenChoice supplier readings (real, newest first): normal+low = offtake 1216 kWh, return = 2330 kWh")
    func greenChoice() throws {
        let path = registerFixtures + "/greenchoice_meterstanden_stroom_2023.csv"
        let report = try Sniff.sniff(path: path)
        #expect(FormatRegistry.detect([report.header] + report.firstRecords) == .meterReadings)
        let result = try readRegisters(path, .meterReadings)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
        #expect(result.series.map(\.key.meter).sorted() == [
            "meter-readings/StandDal", "meter-readings/StandNormaal", "meter-readings/TerugleveringDal",
            "meter-readings/TerugleveringNormaal",
        ])
        // register_totals.py: offtake (874−317+... ) 1216.0 kWh, injection 2330.0 kWh, 103 days each.
        // By hand: StandNormaal 874 − 298 = 576, StandDal 824 − 184 = 640 (1216); TerugleveringNormaal 1608 − 0,
        // TerugleveringDal 722 − 0 (2330). 21 Apr → 23 Apr (22 Apr missing): (317−298)+(210−184) = 45 over 2 days.
        #expect(totals(result, .electricityOfftake).sum == 1216 && totals(result, .electricityInjection).sum == 2330)
        let offtake = perDay(result, .electricityOfftake), injection = perDay(result, .electricityInjection)
        #expect(offtake.count == 103 && injection.count == 103)
        #expect(near(offtake["2023-04-21"], 22.5) && near(offtake["2023-04-22"], 22.5))
        #expect(near(offtake["2023-07-31"], 11) && near(offtake["2023-08-01"], 8) && near(injection["2023-08-01"], 20))
        #expect(result.summary.acceptedRows == 4 * 102)  // 103 readings per register
        #expect(result.summary.ignoredRows[IgnoreCode.chainStart.rawValue] == 4)
    }

    @Test("Van Ons supplier readings (real, newest first): the four stand registers read, daily use columns not")
    func vanOns() throws {
        let result = try readRegisters(registerFixtures + "/vanons_meterstanden_stroom_2023.csv", .meterReadings)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
        #expect(result.series.map(\.key.meter).sorted() == [
            "meter-readings/afname stand dal", "meter-readings/afname stand normaal",
            "meter-readings/invoeding stand dal", "meter-readings/invoeding stand normaal",
        ])
        // register_totals.py: offtake 1409.0 kWh, injection 94.0 kWh over 70 days; 24 Jan 2024 17 and 3 kWh.
        #expect(totals(result, .electricityOfftake).sum == 1409 && totals(result, .electricityInjection).sum == 94)
        let offtake = perDay(result, .electricityOfftake), injection = perDay(result, .electricityInjection)
        #expect(offtake.count == 70 && near(offtake["2023-11-16"], 7) && near(offtake["2024-01-24"], 17))
        #expect(near(injection["2023-11-16"], 5) && near(injection["2024-01-24"], 3))
        #expect(result.mapping.filter { $0.role == "ignored" }.count == 6)
    }

    @Test("the GreenChoice readings oldest first read the same")
    func greenChoiceOldestFirst() throws {
        let path = registerFixtures + "/greenchoice_meterstanden_stroom_2023.csv"
        let newest = try readRegisters(path, .meterReadings)
        let oldest = try readRegisters(text: reversedRows(path), .meterReadings)
        #expect(oldest.rejects.isEmpty)
        for quantity in [Quantity.electricityOfftake, .electricityInjection] {
            #expect(perDay(oldest, quantity) == perDay(newest, quantity))
        }
        #expect(oldest.summary.acceptedRows == newest.summary.acceptedRows)
    }

    @Test("register names of supplier readings: normal/low tariff and return, derived columns not")
    func registerNames() {
        let names: [(String, Quantity?)] = [
            ("standnormaal", .electricityOfftake), ("stand dal", .electricityOfftake),
            ("teruglevering normaal", .electricityInjection), ("terugleveringdal", .electricityInjection),
            ("afname stand dal", .electricityOfftake), ("invoeding stand normaal", .electricityInjection),
            ("zählerstand ht", .electricityOfftake), ("einspeisung nt", .electricityInjection),
            ("meterstand normaal", .electricityOfftake), ("levering dal", .electricityOfftake),
            ("afname t1", .electricityOfftake), ("injectie t2", .electricityInjection),
            ("reading low", .electricityOfftake), ("return normal", .electricityInjection),
            ("index hp", .electricityOfftake), ("zählerstand tarif 1", .electricityOfftake),
            ("afname verbruik dal", nil), ("invoeding productie normaal", nil), ("afname minus invoeding stand totaal", nil), ("opmerking", nil),
            ("normaal", nil), ("tijd", nil),
        ]
        for (name, quantity) in names {
            #expect(MeterReadingsFormat.registerQuantity(name) == quantity, "\(name)")
        }
    }

    // MARK: Row order, repeats

    @Test("newest first: repeats and conflicts after sorting keep line, column and raw text; a drop is rejected")
    func heldRejects() throws {
        let text = """
            Datum;Stand normaal;Stand dal
            04-01-2024;130;60
            03-01-2024;120;55
            03-01-2024;120;56
            02-01-2024;110;58
            01-01-2024;100;50

            """
        let result = try readRegisters(text: text, .meterReadings)
        // Sorted: normaal 100, 110, 120, 120 (line 4 repeats line 3), 130 → 30 kWh;
        // dal 50, 58, 55 (line 3 below line 5: rejected, the chain restarts at 55), 56 (line 4 conflicts with
        // line 3: the first counts), 60 → 8 + 5 = 13 kWh.
        #expect(result.rejects.map(\.line) == [4, 3, 4])
        #expect(result.rejects.map(\.code) == [.duplicateInterval, .registerDecreased, .conflictingInterval])
        #expect(result.rejects.map(\.column) == ["Datum", "Stand dal", "Stand dal"])
        #expect(result.rejects.map(\.raw) == ["03-01-2024;120;56", "03-01-2024;120;55", "03-01-2024;120;56"])
        #expect(result.rejects[0].reason == "repeats the reading of line 3 (same time, same value 120 kWh): counted once")
        #expect(result.rejects[1].reason == "the reading 55 kWh is lower than the previous reading 58 kWh (line 5): a "
            + "meter reset, rollover or replacement; no consumption is counted between these two readings and the "
            + "differences restart from this reading")
        #expect(result.rejects[2].reason
            == "another reading at the time of line 3: 55 kWh there, 56 kWh here; the first counts")
        #expect(result.rejects[2].day == CivilDate(iso: "2024-01-03")!.dayNumber)
        #expect(totals(result, .electricityOfftake).sum == 30 + 13)
        let days = perDay(result, .electricityOfftake)
        // 1 Jan: 10 + 8; 2 Jan: 10 + 0 (the drop); 3 Jan: 10 + 5.
        #expect(days == ["2024-01-01": 18, "2024-01-02": 10, "2024-01-03": 15])
    }

    @Test("blocks: months newest first, days oldest first within each, read as sorted; a row inside is rejected")
    func lateBlocks() throws {
        let text = """
            Datum;Stand normaal
            01-03-2024;200
            02-03-2024;210
            03-03-2024;215
            01-02-2024;100
            02-02-2024;130
            02-03-2024;211
            03-03-2024;215
            04-03-2024;230

            """
        let result = try readRegisters(text: text, .meterReadings)
        // Sorted: 1 Feb 100, 2 Feb 130, 1 Mar 200, 2 Mar 210, 3 Mar 215, 4 Mar 230 → 130 kWh. Lines 2–4 stream;
        // line 5 is earlier: held with the rest. Line 7 (2 Mar, inside the streamed span 1–3 Mar) is rejected; line 8
        // (3 Mar, the span's last time, same value) is a repeat.
        #expect(result.rejects.map(\.line) == [7, 8])
        #expect(result.rejects.map(\.code) == [.timeOutOfOrder, .duplicateInterval])
        #expect(result.rejects[0].reason == "the time lies between readings already differenced in time order (lines 2 "
            + "to 4); sort the file by time to use it")
        #expect(result.rejects[1].reason == "repeats the reading of line 4 (same time, same value 215 kWh): counted once")
        #expect(result.rejects[0].raw == "02-03-2024;211")
        // By hand: 1 Feb 30; 2 Feb → 1 Mar (28 days, 2024 is a leap year) 70 / 28 = 2.5 a day; 1 Mar 10, 2 Mar 5,
        // 3 Mar 15.
        #expect(totals(result, .electricityOfftake).sum == 130)
        let days = perDay(result, .electricityOfftake)
        #expect(days["2024-02-01"] == 30 && near(days["2024-02-02"], 2.5) && near(days["2024-02-29"], 2.5))
        #expect(days["2024-03-01"] == 10 && days["2024-03-02"] == 5 && days["2024-03-03"] == 15)
        // Rows: 8 readings, 2 rejected, 1 chain start (line 2), 5 differences.
        #expect(result.summary.acceptedRows == 5)
        #expect(result.summary.ignoredRows[IgnoreCode.chainStart.rawValue] == 1)
    }

    @Test("gas meter readings in m³ become kWh with kwh_per_m3")
    func gasCubicMetres() throws {
        let text = """
            Datum;Meterstand
            01-01-2024;1000,5
            02-01-2024;1003,0
            04-01-2024;1008,0

            """
        let result = try readRegisters(text: text, .meterReadings, source: "quantity: gas, unit: m3, kwh_per_m3: 11.2")
        // By hand: 2.5 m³ × 11.2 = 28 kWh on 1 Jan; 5 m³ × 11.2 = 56 kWh over 2–3 Jan, 28 each.
        #expect(result.rejects.isEmpty)
        let days = perDay(result, .gas)
        #expect(near(days["2024-01-01"], 28) && near(days["2024-01-02"], 28) && near(days["2024-01-03"], 28))
        #expect(result.mapping.map(\.role).last
            == "gas (cumulative register in m³, × 11.2 kWh/m³ (kwh_per_m3), differenced, spread over the days by time)")
    }

    @Test("gas meter readings in m³ without kwh_per_m3 are refused with the fix")
    func gasWithoutCalorificValue() throws {
        let result = try readRegisters(text: "Datum;Meterstand (m³)\n01-01-2024;1000,5\n02-01-2024;1003,0\n",
                                       .meterReadings, source: "quantity: gas")
        #expect(result.summary.problem?.contains("gas in m³ needs the gross calorific value to become kWh: add "
            + "`kwh_per_m3:` to the source") == true)
        #expect(result.series.isEmpty)
    }

    @Test("generic kind: cumulative newest first reads as oldest first")
    func genericNewestFirst() throws {
        let mapping = """
                columns: { timestamp: "Tijd" }
                values:
                  - { column: "Stand", quantity: electricity_offtake, unit: kWh, kind: cumulative }
            """
        let oldest = try readGeneric("""
            Tijd;Stand
            2024-01-01 00:00;100
            2024-01-01 12:00;106
            2024-01-02 00:00;110
            2024-01-02 12:00;110
            2024-01-03 00:00;121

            """, mapping)
        let newest = try readGeneric("""
            Tijd;Stand
            2024-01-03 00:00;121
            2024-01-02 12:00;110
            2024-01-02 00:00;110
            2024-01-01 12:00;106
            2024-01-01 00:00;100

            """, mapping)
        // By hand: 1 Jan 6 + 4 = 10, 2 Jan 0 + 11 = 11.
        #expect(oldest.rejects.isEmpty && newest.rejects.isEmpty)
        #expect(perDay(oldest, .electricityOfftake) == ["2024-01-01": 10, "2024-01-02": 11])
        #expect(perDay(newest, .electricityOfftake) == perDay(oldest, .electricityOfftake))
    }

    private func readGeneric(_ csv: String, _ mapping: String) throws -> FileResult {
        try ParkImpactTests.readGeneric(csv, source: mapping, traceLimit: 0)
    }
}
