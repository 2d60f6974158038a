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

/// Fields separated by single spaces are detected as such (when no other delimiter occurs) and read; a file none of
/// whose lines can be parsed says so, naming the delimiter, instead of "only blank lines".
struct SpaceDelimitedTests {
    func detect(_ text: String) -> CSVDialect {
        Array(text.utf8).withUnsafeBytes { CSVDialect.detect(prefix: $0) }
    }

    @Test func spacesAreTheDelimiterOnlyWhenEveryLineHasThemAndNoOtherDelimiterOccurs() {
        #expect(detect("\"Date\" \"Value\"\n\"2024-01-01\" \"1.5\"\n\"2024-01-02\" \"2.5\"\n").delimiter == 0x20)
        #expect(detect("date value\n2024-01-01 1.5\n2024-01-02 2.5\n").delimiter == 0x20)
        // A one-column file whose header has a space: its data lines have none.
        #expect(detect("Total energy\n12.5\n13.5\n").delimiter == UInt8(ascii: ","))
        // Another delimiter occurs: spaces inside fields (a date and time) do not count.
        #expect(detect("time,value\n2024-01-01 00:00,1.5\n").delimiter == UInt8(ascii: ","))
    }

    @Test func aQuotedSpaceDelimitedLongExportIsRead() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let definition = try definition(format: .parkimpactLong)
        // Two rows, 1.5 + 2.5 kWh = 4 kWh (by hand).
        try folder.write("input/a.csv", """
            "timestamp" "site" "series" "quantity" "value" "unit" "quality"
            "2023-01-01T00:00:00+01:00" "s1" "m1" "electricity_offtake" "1.5" "kWh" "measured"
            "2023-01-01T01:00:00+01:00" "s1" "m1" "electricity_offtake" "2.5" "kWh" "measured"

            """)
        let file = InputFile(path: folder.root + "/input/a.csv", relativePath: "a.csv", pilot: "test",
                             source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition)
        #expect(result.summary.problem == nil, "\(result.summary.problem ?? "")")
        #expect(result.summary.dialect.hasPrefix("delimiter space"))
        #expect(result.summary.acceptedRows == 2)
        #expect(result.rejects.isEmpty)
        #expect(result.series.map { $0.days.summary(at: 0).sum } == [4])
    }

    @Test func aFileWithoutOneParsableLineSaysSoAndNamesTheDelimiter() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let definition = try DefinitionLoader.parse(yaml: """
            pilot: test
            name: Test
            periods:
              baseline: { from: 2021-01-01, to: 2022-12-31 }
              reporting: { from: 2023-01-01, to: 2023-12-31 }
            sites:
              - { id: s1, name: Site one }
            sources:
              - { path: "*.csv", format: parkimpact-long, delimiter: ";" }
            """, file: "pipelines/test.yaml", catalogue: .builtIn)
        // Forced to ';', a space-separated file with quoted fields: every line is malformed quoting.
        try folder.write("input/a.csv", "\"timestamp\" \"value\"\n\"2023-01-01T00:00:00+01:00\" \"1.5\"\n")
        let file = InputFile(path: folder.root + "/input/a.csv", relativePath: "a.csv", pilot: "test",
                             source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition)
        let problem = try #require(result.summary.problem)
        #expect(problem.hasPrefix("\(file.path): no record could be read: all 2 non-blank line(s) are malformed with "
            + "delimiter ';' (line 1: "), "\(problem)")
        #expect(problem.hasSuffix("set `delimiter:` on sources[0] (\"space\", tab, \";\", \",\", \"|\") or run "
            + "`parkimpact sniff \(file.path)`"), "\(problem)")
        #expect(result.summary.problemCode == DiagnosticCode.headerNotRecognised.rawValue)
    }
}
