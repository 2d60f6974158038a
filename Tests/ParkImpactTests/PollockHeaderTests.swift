import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `Tests/ParkImpactTests/Fixtures/pollock/<name>`: the first lines of Pollock benchmark files (see PROVENANCE.md).
private func pollockFixture(_ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/pollock/\(name)").path
}

/// What every no-proposal message of `sniff` ends with.
private let noProposalTail = ". This version reads " + SourceFormatName.implemented.map(\.rawValue).joined(separator: ", ")
    + "; write a `format: generic` source by hand (README, \"generic\"), or save the export with one header line, a "
    + "date-time column and one column per value"

/// A damaged or missing header line made `sniff` take the first row of readings as the header: the proposal named its
/// cells as columns (`date: "28/01/2018"`, `column: "2"`) and the run, pasted unedited, dropped that row without a
/// word. Such a "header" is a row of readings (its time cell is a date like the rows'): no proposal, naming the line.
@Suite struct PollockHeaderTests {
    @Test("a header with a delimiter too many (10 fields over rows of 9): no proposal, naming the line to correct")
    func headerWithDelimiterTooMany() throws {
        let report = try Sniff.sniff(path: pollockFixture("row_more_sep_row0_col4_first6.csv"))
        #expect(report.yamlHint == nil)
        #expect(report.noProposal == "format not recognised and no `generic` mapping can be proposed: the record taken "
            + "as the header (line 2) is a row of readings (column 1 holds \"28/01/2018\"); line 1 "
            + "(\"DATE,TIME,Qty,PRODUCTID,,Price,ProductType,ProductDescriptio\"…) looks like the header but has 10 "
            + "fields where the rows have 9: correct it (a delimiter too many or too few, or a stray quote) so that it "
            + "names each column once" + noProposalTail)
    }

    @Test("a header with a stray quote (not readable as a record): no proposal, naming the header line to correct")
    func headerWithStrayQuote() throws {
        let report = try Sniff.sniff(path: pollockFixture("row_extra_quote0_col2_first6.csv"))
        #expect(report.yamlHint == nil)
        #expect(report.noProposal == "format not recognised and no `generic` mapping can be proposed: the record taken "
            + "as the header (line 2) is a row of readings (column 1 holds \"28/01/2018\"); the line(s) before it "
            + "cannot be read as a header (a stray quote): correct the header line so that it names each column once"
            + noProposalTail)
    }

    @Test("no header line at all: no proposal, saying to add one")
    func noHeaderLine() throws {
        let report = try Sniff.sniff(path: pollockFixture("file_no_header_first6.csv"))
        #expect(report.yamlHint == nil)
        #expect(report.noProposal == "format not recognised and no `generic` mapping can be proposed: the record taken "
            + "as the header (line 1) is a row of readings (column 1 holds \"28/01/2018\"); the file has no header "
            + "line: add one that names each column" + noProposalTail)
    }

    @Test("the unpolluted file still gets its proposal (date DATE, time TIME, the value Qty)")
    func unpollutedFile() throws {
        let report = try Sniff.sniff(path: pollockFixture("source_first6.csv"))
        #expect(report.noProposal == nil)
        let yaml = report.yamlHint ?? ""
        #expect(yaml.contains("columns: { date: \"DATE\", time: \"TIME\" }"))
        #expect(yaml.contains("column: \"Qty\""))
    }

    @Test("a header of two identical lines: proposed from the first, the second ignored as repeated_header, every row read")
    func headerOfTwoIdenticalLines() throws {
        let path = pollockFixture("file_header_multirow_2_first6.csv")
        let report = try Sniff.sniff(path: path)
        #expect(report.noProposal == nil)
        #expect(report.yamlHint?.contains("columns: { date: \"DATE\", time: \"TIME\" }") == true)
        let result = try readGeneric(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self),
                                     source: """
                columns: { date: "DATE", time: "TIME" }
                date_format: "dd/MM/yyyy"
                values:
                  - { column: "Qty", quantity: electricity_offtake, unit: kWh }
            """)
        #expect(result.rejects.isEmpty)
        #expect(result.summary.ignoredRows == ["repeated_header": 1])
        #expect(result.summary.acceptedRows == 4)
        // Qty of lines 3–6 (awk -F, 'NR>2{s+=$3}END{print s}'): 2 + 0 + 1 + 1
        #expect(totals(result, .electricityOfftake).sum == 4)
    }
}
