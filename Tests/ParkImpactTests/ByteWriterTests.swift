import Foundation
import Testing
import TestSupport
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The machine-readable outputs are written as bytes; each byte writer must give exactly what the `String` function
/// it replaces gives, and the concurrent rendering the same bytes for any number of threads.
@Suite struct ByteWriterTests {
    static func bytes(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func machineNumbersAreWhatStringFormatWrites() {
        var numbers = SplitMix64(state: 42)
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.0005, -0.0005, 0.125, 1e-9, -1e-9, 1e15, 1e21, -1e21,
                                123_456.789_012_345, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                .leastNonzeroMagnitude, .nan, .infinity, -.infinity]
        for _ in 0..<4_000 {
            values.append(Double(bitPattern: numbers.next()))
            let mantissa = Double(Int64(bitPattern: numbers.next()) % 10_000_000_000) / 1_000
            values.append(mantissa * pow(10, Double(Int(numbers.next() % 17) - 8)))
        }
        // Ties and near-ties at every number of decimals (k / 2^n is exact), and products close to 2^52, where the
        // writer hands over to `format`.
        for numerator in [1, 3, 5, 7, 9, 11, 13, 15, 1_001, 4_095, 123_457] {
            for exponent in [1, 2, 3, 4, 5, 8, 10, 13, 17, 20, 27] {
                let tie = Double(numerator) / pow(2, Double(exponent))
                values += [tie, -tie, tie.nextUp, tie.nextDown, tie * 1_000 + 0.5]
            }
        }
        for decimals in 0...8 {
            let limit = 0x1p52 / pow(10, Double(decimals))
            values += [limit, limit.nextDown, limit.nextUp, -limit.nextDown, limit / 2 + 0.5]
        }
        values += [2.675, 1.005, 0.045, 1.0e-8, 5.0e-9, 4.9999999e-9, 0.99999999, 9.9999995, 999.9995, 0.0000005]
        for value in values {
            for decimals in [0, 1, 2, 3, 4, 6, 8] {
                let expected = MachineNumber.format(value, decimals: decimals)
                #expect(Self.bytes { MachineNumber.write(value, decimals: decimals, to: &$0) } == expected)
                #expect(Self.bytes { MachineNumber.write(value, decimals: decimals, decimalComma: true, to: &$0) }
                    == CSVLocale.nl.number(expected))
            }
        }
    }

    static let cells = [
        "", " ", "a", "plain text", "a,b", "a;b", "say \"hi\"", "line\nbreak", "cr\rhere", "crlf\r\nhere", " lead",
        "trail ", "=SUM(A1)", "+1", "-1", "-1.5", "-1,5", "-1.5 -2.5", "@home", "\tx", "\rx", "Σ over sites, years",
        "x ÷ y; z", "e\u{301},x", "x,\u{301}y", "\"\u{301}", ";\u{301}", " \u{301}x", "x\u{301} ", "x \u{301}",
        "\u{600}, prepend", "kWh × factor ÷ 1000", "ok ", "null", "12,5", "'quoted'", "=", "@", "= a, b",
        "=\"x\"", "@a;b", "= trail ", "=é,x", "= x;\u{301}", "=\u{301}", "@ ", "=1", "@1,5", "=line\nbreak", "=cr\r",
    ]

    @Test(arguments: CSVLocale.allCases) func csvCellsAreWhatCellWrites(locale: CSVLocale) {
        for text in Self.cells {
            #expect(Self.bytes { CSVOutput.write(cell: text, locale: locale, to: &$0) }
                == CSVOutput.cell(text, locale: locale), "\(text.debugDescription)")
        }
    }

    @Test func jsonStringsAreWhatJsonWrites() {
        for text in Self.cells + ["<b>", "back\\slash", "\u{1}\u{1f}", "tab\there", "naïve <é>"] {
            #expect(Self.bytes { KPIJSONWriter.write(json: text, to: &$0) } == KPIJSONWriter.json(text))
        }
    }

    @Test func decimalsAndDaysAreWhatDescriptionWrites() {
        for value in [0, 7, 10, 99, 1_000, 123_456_789, -1, -45, Int.max, Int.min] {
            #expect(Self.bytes { $0.write(decimal: value) } == "\(value)")
        }
        for day in [-800_000, -1, 0, 19_000, 19_723, 2_932_896, 3_000_000] {
            #expect(Self.bytes { $0.write(day: day) } == CivilDate(dayNumber: day).description)
        }
    }

    static func report(kpis count: Int) throws -> PilotReport {
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: many
            name: "Many KPIs"
            language: en
            timezone: Europe/Brussels
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - id: acme
                name: "Acme"
                electricity_contract: grey
            sources:
              - path: "acme/*.csv"
                format: fluvius
                site: acme
            """, file: "pipelines/many.yaml", catalogue: .builtIn)
        let factor = FactorReference(id: "electricity.market.grey", value: 0.16749, unit: "kg CO2e/kWh", year: 2023,
                                     source: "AIB, \"residual\" mix", note: "no 2024 value; 2023 used")
        let kpis = (0..<count).map { index in
            // A site name with a comma and markup: the reason's text needs quoting in CSV and escaping in JSON.
            let reason: KPIReason? = index % 5 == 0 ? .noSource(.gridOfftake, site: "a, <b> \(index)") : nil
            return KPI(key: "energy.key\(index % 7)", period: index % 2 == 0 ? "baseline" : "reporting",
                site: index % 3 == 0 ? nil : "acme", value: index % 5 == 0 ? nil : Double(index) * -1.0625,
                unit: [KPIUnit.kWh, .tonnesCO2e, .percent, .ratio][index % 4], coverage: Double(index % 11) / 10,
                estimatedShare: index % 4 == 0 ? nil : 0.25, flags: index % 6 == 0 ? [.lowCoverage, .tripLogs] : [],
                provenance: Provenance(inputs: ["many/acme/a.csv", "many/acme/b,c.csv"],
                                       factors: index % 3 == 0 ? [factor, factor] : [],
                                       formula: "Σ kWh × factor ÷ 1000, per year; <test>",
                                       reason: reason))
        }
        return PilotReport(definition: definition, periods: [], kpis: kpis, files: [], rejects: [],
                           factorsUsed: [factor], lastDataDate: nil, seriesCount: 0)
    }

    @Test(arguments: [0, 1, 5_000]) func renderingGivesTheSameBytesOnAnyNumberOfThreads(kpis: Int) throws {
        let report = try Self.report(kpis: kpis)
        for locale in CSVLocale.allCases {
            let one = PipelineRun.render(report, csvLocale: locale, daily: [], threads: 1)
            let two = PipelineRun.render(report, csvLocale: locale, daily: [], threads: 2)
            #expect(one.map(\.path) == ["many/kpis.json", "many/kpis.csv", "many/rejects.csv", "many/report.html",
                                        "many/daily.csv"])
            #expect(one.map(\.text) == two.map(\.text))
            #expect(one.map(\.sha256) == two.map(\.sha256))
            #expect(one[0].text == KPIJSONWriter.render(report))
            #expect(one[1].text == CSVOutput.kpis(report, locale: locale))
            #expect(one[1].sha256 == FileDigest.sha256(Array(CSVOutput.kpis(report, locale: locale).utf8)))
        }
    }

    /// KPIs whose lists of inputs are long (written once per part, `ListBytesCache`): one array shared by many, an
    /// equal list in another array, and lists that differ, with names that need escaping and quoting.
    static func reportWithSharedLists() throws -> PilotReport {
        let base = try report(kpis: 0)
        let shared = (0..<40).map { "many/acme/file \($0), \"q\" <x>.csv" }
        let copy = Array(shared.map { String($0) })  // equal, other storage
        let other = (0..<25).map { "many/acme/m-\($0);é.csv" }
        let kpis = (0..<1_200).map { index in
            let inputs = [shared, copy, other, Array(other.prefix(15)), [], shared][index % 6]
            return KPI(key: "energy.key\(index % 7)", period: "reporting", site: index % 3 == 0 ? nil : "acme",
                       value: Double(index), unit: .kWh, coverage: 1, flags: [],
                       provenance: Provenance(inputs: inputs, formula: index % 4 == 0 ? "= energy.key1 (x, y)" : "Σ kWh"))
        }
        return PilotReport(definition: base.definition, periods: [], kpis: kpis, files: [], rejects: [],
                           factorsUsed: [], lastDataDate: nil, seriesCount: 0)
    }

    @Test func sharedListsAreWrittenAsEachKPIAlone() throws {
        let report = try Self.reportWithSharedLists()
        let all = 0..<report.kpis.count
        // Parts of one KPI each have nothing to reuse: together they are the file as written without the cache.
        let json = all.flatMap { KPIJSONWriter.part(report, $0..<$0 + 1) }
        #expect(KPIJSONWriter.part(report, all) == json)
        for locale in CSVLocale.allCases {
            let csv = all.flatMap { CSVOutput.kpisPart(report, locale: locale, $0..<$0 + 1) }
            #expect(CSVOutput.kpisPart(report, locale: locale, all) == csv)
        }
    }

    @Test func reportHeadingsFoundInBytesAreTheSearchedOnes() throws {
        let report = try Self.report(kpis: 50)
        let html = HTMLReport.render(report)
        var bytes = html
        let found = bytes.withUTF8 { PilotReportPage.headings(inBytes: $0) }
        let searched = PilotReportPage.headingsBySearch(in: html[...])
        #expect(found != nil)
        #expect(found?.map(\.id) == searched.map(\.id))
        #expect(found?.map(\.title) == searched.map(\.title))
        #expect(found?.map(\.appendix) == searched.map(\.appendix))
        #expect(!searched.isEmpty)
        // A combining mark after a marker: the `String` search decides.
        var marked = "<section id=\"a\"><h2>\u{301}Title</h2></section>"
        #expect(marked.withUTF8 { PilotReportPage.headings(inBytes: $0) } == nil)
        let expected = PilotReportPage.headingsBySearch(in: marked[...])
        #expect(PilotReportPage.headings(in: marked[...]).map(\.title) == expected.map(\.title))
    }
}
