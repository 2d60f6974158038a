import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `format: generic`: exports mapped in the YAML. Expected values are worked out by hand in the comments.
@Suite struct GenericFormatTests {
    func read(_ csv: String, source: String) throws -> FileResult { try readGeneric(csv, source: source) }

    @Test("a wide export with a title line, local times, decimal comma and litres")
    func wideLocalTimes() throws {
        let result = try read("""
            Export meetpunt Hal 3
            Tijdstip;Elektriciteit (kWh);Water (l)
            01.02.2024 00:00;1,5;120
            01.02.2024 00:15;2,25;
            01.02.2024 00:30;0,75;80

            """, source: """
                columns: { timestamp: "Tijdstip" }
                date_format: "dd.MM.yyyy HH:mm"
                values:
                  - { column: "Elektriciteit (kWh)", quantity: electricity_offtake, unit: kWh }
                  - { column: "Water (l)", quantity: water, unit: l, meter: "hoofdmeter" }
            """)
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty)
        // 1.5 + 2.25 + 0.75 = 4.5 kWh; water 120 l + 80 l = 0.2 m³, one missing quarter.
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 3, estimated: 0, missing: 0, sum: 4.5))
        let water = totals(result, .water)
        #expect(water.present == 2 && water.missing == 1 && abs(water.sum - 0.2) < 1e-12)
        #expect(Set(result.series.map(\.key.meter)) == ["Elektriciteit (kWh)", "hoofdmeter"])
        // 00:00 local in February (UTC+1) is 23:00Z the day before; the interval is inferred: 15 minutes.
        #expect(result.trace.first?.startUTC == utc("2024-01-31T23:00Z"))
        #expect(result.series.allSatisfy { $0.intervalSeconds == 900 })
    }

    @Test("rows no where: selects are named by their 20 smallest texts, in any row order; the rest counted together")
    func unselectedTextsNamedInTextOrder() throws {
        // 23 other types, Type 22 first and Type 00 last, each on k + 1 rows: Type 00 … Type 19 are named; Type 20,
        // 21 and 22 (21 + 22 + 23 = 66 rows) are "other texts", although they came first.
        var rows = "Tijd;Type;kWh\n"
        for type in (0..<23).reversed() {
            for row in 0...type {
                rows += String(format: "2024-02-01T%02d:%02d:00Z;Type %02d;1,5\n", type, row, type)
            }
        }
        rows += "2024-02-02T00:00:00Z;Elektriciteit;2,5\n"
        let result = try read(rows, source: """
                columns: { timestamp: Tijd }
                values: [ { column: kWh, quantity: electricity_offtake, unit: kWh, where: { Type: Elektriciteit } } ]
            """)
        var expected = ["no_value_mapping_selects_row: other texts": 66]
        for type in 0..<20 { expected[String(format: "no_value_mapping_selects_row: Type = Type %02d", type)] = type + 1 }
        #expect(result.summary.ignoredRows == expected)
        #expect(totals(result, .electricityOfftake).sum == 2.5)
    }

    @Test("a long export with a meter column and ISO instants")
    func longWithMeters() throws {
        let result = try read("""
            when,meter,kwh
            2024-03-31T00:00:00Z,A,1.0
            2024-03-31T00:00:00Z,B,2.0
            2024-03-31T01:00:00Z,A,3.5

            """, source: """
                columns: { timestamp: when, meter: meter }
                date_format: iso
                values: [ { column: kwh, quantity: pv_production, unit: kWh } ]
            """)
        #expect(result.rejects.isEmpty)
        #expect(result.series.map(\.key.meter) == ["A", "B"])
        #expect(totals(result, .pvProduction).sum == 6.5)
        #expect(result.series.first { $0.key.meter == "A" }?.intervalSeconds == 3600)
    }

    @Test("a cumulative register is differenced and spread over the local days by time; a drop is rejected")
    func cumulativeRegister() throws {
        let result = try read("""
            Datum,Uur,Stand
            2024-01-31,18:00,100
            2024-02-01,06:00,124
            2024-02-01,12:00,20
            2024-02-01,18:00,26

            """, source: """
                columns: { date: Datum, time: Uur }
                values: [ { column: Stand, quantity: water, unit: m3, kind: cumulative } ]
            """)
        // 100 → 124 over 12 h: 6 h on 31 Jan (12 m³) and 6 h on 1 Feb (12 m³); 124 → 20 is a drop (rejected);
        // 20 → 26 on 1 Feb: 6 m³. Totals: 31 Jan 12 m³, 1 Feb 18 m³.
        let days = try #require(result.series.first?.days)
        let jan31 = CivilDate(year: 2024, month: 1, day: 31)!.dayNumber
        let feb1 = CivilDate(year: 2024, month: 2, day: 1)!.dayNumber
        #expect(days[jan31]?.sum == 12)
        #expect(days[feb1]?.sum == 18)
        #expect(days[feb1]?.present == 1)
        #expect(result.rejects.map(\.reason) == [
            "the register went down from 124 to 20 (reset, rollover or new meter): the consumption since the previous "
                + "reading is unknown and not counted; counting restarts from this reading",
        ])
        #expect(result.rejects.first?.line == 4)
        #expect(result.rejects.first?.column == "Stand")
    }

    @Test("a column named in the YAML but missing from the header is one clear message")
    func missingColumn() throws {
        let result = try read("Tijd;Waarde\n2024-01-01 00:00;1\n", source: """
                columns: { timestamp: "Tijd" }
                values: [ { column: "Verbruik", quantity: gas, unit: kWh } ]
            """)
        #expect(result.summary.problem?.hasSuffix(": line 1: columns \"Verbruik\" named in the YAML are not in the "
            + "header; found: Tijd, Waarde; check `format: generic` of sources[0] or run `parkimpact sniff "
            + result.file.path + "`") == true)
    }

    @Test("mapping mistakes are definition errors with key paths")
    func definitionErrors() {
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
                    columns: { when: "Tijd" }
                    date_format: "yyyy.dd.MM"
                    values: [ { column: "Water", quantity: water, unit: kWh } ]
                """, file: "pipelines/g.yaml", catalogue: .builtIn)
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.description) == [
                "pipelines/g.yaml:9: sources[0].columns.when: unknown key; known: timestamp, date, time, end, meter",
                "pipelines/g.yaml:9: sources[0].columns: needs timestamp (date and time in one column) or date (+ time)",
                "pipelines/g.yaml:10: sources[0].date_format: \"yyyy.dd.MM\" is not a layout ParkImpact reads; use one "
                    + "of: dd-MM-yyyy HH:mm, dd/MM/yyyy, MM/dd/yyyy HH:mm, yyyy-MM-dd HH:mm:ss, dd.MM.yy, iso",
                "pipelines/g.yaml:11: sources[0].values[0].unit: kWh does not fit quantity water (expected m3 or a unit "
                    + "of the same kind)",
            ])
        }
    }
}

/// Dialect overrides on a source: when detection would guess wrong, the YAML decides.
@Suite struct DialectOverrideTests {
    func read(_ bytes: [UInt8], overrides: String) throws -> FileResult {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try Data(bytes).write(to: URL(fileURLWithPath: scratch.root + "/d.csv"))
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: d
            name: D
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources:
              - path: "*.csv"
                format: generic
                site: s
                columns: { date: Dag }
                values: [ { column: Verbruik, quantity: gas, unit: kWh } ]
            \(overrides)
            """, file: "pipelines/d.yaml", catalogue: .builtIn)
        let file = InputFile(path: scratch.root + "/d.csv", relativePath: "d/d.csv", pilot: "d",
                             source: definition.sources[0])
        return ReadFile.read(file, definition: definition)
    }

    @Test("`1.234` is a thousand when the YAML says decimal comma and thousands point")
    func decimalCommaAndThousands() throws {
        let csv = Array("Dag;Verbruik\n2024-01-01;1.234\n2024-01-02;2.000\n".utf8)
        // Detected: decimal point, so 1.234 kWh and 2 kWh.
        #expect(totals(try read(csv, overrides: ""), .gas).sum == 3.234)
        let forced = try read(csv, overrides: "    decimal_mark: \",\"\n    thousands_separator: \".\"")
        #expect(totals(forced, .gas).sum == 3234)
    }

    @Test("a forced encoding and delimiter")
    func encodingAndDelimiter() throws {
        // Windows-1252 bytes `Verbruik` header with a 0xE9 (é) in a third column name, tab-delimited.
        var bytes = Array("Dag\tVerbruik\tOpmerking caf".utf8) + [0xE9] + Array("\n2024-01-01\t5\tok\n".utf8)
        let result = try read(bytes, overrides: "    encoding: windows-1252\n    delimiter: tab")
        #expect(result.summary.problem == nil)
        #expect(totals(result, .gas).sum == 5)
        bytes = Array("Dag|Verbruik\n2024-01-01|5\n".utf8)
        let wrong = try read(bytes, overrides: "    delimiter: \";\"")
        #expect(wrong.summary.problem?.contains("columns \"Dag\", \"Verbruik\" named in the YAML") == true
            || wrong.summary.problem?.contains("no header found") == true)
    }

    @Test("an unknown override value lists the valid ones")
    func unknownValue() throws {
        do {
            _ = try read([], overrides: "    encoding: latin-9")
            Issue.record("expected a definition error")
        } catch let error as DefinitionErrors {
            #expect(error.errors.map(\.description) == [
                "pipelines/d.yaml:11: sources[0].encoding: unknown value \"latin-9\"; valid: \"utf-16be\", "
                    + "\"utf-16le\", \"utf-8\", \"windows-1252\"",
            ])
        }
    }
}

@Suite struct SniffProposalTests {
    @Test("for an unknown export, sniff proposes a generic mapping that reads it")
    func proposalReadsTheFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("input/p/meter.csv", "Tijdstip;Verbruik (kWh);Opmerking\n13-02-2024 00:00;1,5;ok\n"
            + "13-02-2024 00:15;2,25;\n")
        let report = try Sniff.sniff(path: scratch.root + "/input/p/meter.csv")
        #expect(report.format == nil)
        let yaml = try #require(report.yamlHint)
        #expect(yaml == """
            sources:
              - path: "meter.csv"
                format: generic
                site: <site id>   # set: the site's id from sites:
                columns: { timestamp: "Tijdstip" }
                date_format: "dd-MM-yyyy HH:mm"   # check: the only order that fits all 2 sampled rows
                values:
                  - { column: "Verbruik (kWh)", quantity: electricity_offtake, unit: kWh, meter: "Verbruik" }   # check: "verbruik" in the name → electricity_offtake
            """)
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: p
            name: P
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            \(yaml.replacingOccurrences(of: "<site id>", with: "s"))
            """, file: "pipelines/p.yaml", catalogue: .builtIn)
        let file = InputFile(path: scratch.root + "/input/p/meter.csv", relativePath: "p/meter.csv", pilot: "p",
                             source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition)
        #expect(result.summary.problem == nil && result.rejects.isEmpty)
        #expect(totals(result, .electricityOfftake).sum == 3.75)
    }
}

@Suite struct NightMinimumFlowTests {
    @Test("the night minimum flow is the lowest hourly rate of intervals starting 01:00–05:00 local")
    func nightMinimum() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("input/g/w.csv", """
            Tijd,Water
            2024-02-01 00:45,0.050
            2024-02-01 01:00,0.030
            2024-02-01 02:30,0.010
            2024-02-01 04:45,0.020
            2024-02-01 05:00,0.001

            """)
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: g
            name: G
            periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
            sites: [ { id: s } ]
            sources:
              - { path: "*.csv", format: generic, site: s, columns: { timestamp: Tijd },
                  values: [ { column: Water, quantity: water, unit: m3 } ] }
            """, file: "pipelines/g.yaml", catalogue: .builtIn)
        let file = InputFile(path: scratch.root + "/input/g/w.csv", relativePath: "g/w.csv", pilot: "g",
                             source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition)
        let cell = try #require(result.series.first?.days[CivilDate(year: 2024, month: 2, day: 1)!.dayNumber])
        // Interval inferred: 15 min (00:45 → 01:00). Night rows 01:00, 02:30, 04:45 → rates 0.12, 0.04, 0.08 m³/h;
        // 00:45 and 05:00 are outside the window. Minimum 0.04 m³/h.
        #expect(abs(cell.nightMinimumRate - 0.04) < 1e-12)
    }
}
