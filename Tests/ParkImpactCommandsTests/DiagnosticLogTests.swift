import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Every message of a run has a stable code: cron filters the JSON log by it.
@Suite("diagnostic codes in the JSON log") struct DiagnosticLogTests {
    /// The JSON lines of stderr as objects.
    static func lines(_ stderr: String) throws -> [[String: Any]] {
        try stderr.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
    }

    /// A summary line (one per pilot, or the one line of a run that found nothing new) carries counts, not a code.
    static func isSummary(_ line: [String: Any]) -> Bool {
        line["files_read"] != nil || line["nothing_new"] != nil || line["input_missing"] != nil
            || line["rebuilt_from_state"] != nil
    }

    @Test("a run over a pilot with faults: every line but the summary has a known code, the expected ones")
    func everyLineHasACode() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("b/b1 copy.csv", TwoSites.b1)                 // same_content
        try park.write("a/empty.csv", "")                             // empty_file
        try park.write("a/offtake.xlsx", "PK")                        // xlsx_not_csv
        try park.write("c/other.csv", TwoSites.b2)                    // no_source
        try park.write("a/late.csv.part", TwoSites.b2)                // temporary_name
        try park.write("b/bad.csv", "\u{FEFF}" + CommandTests.header  // all_rows_rejected
            + "01-01-2024;00:00:00;01-01-2024;00:15:00;=\"\(TwoSites.eanB)\";1SAG;Digitale Meter;Afname Nacht;x;kWh;"
            + "Gevalideerd;\n")
        let outcome = try park.run(["--log-format", "json"])
        #expect(outcome.status == 65, "\(outcome.stderr)")
        let lines = try Self.lines(outcome.stderr)
        var codes: [String] = []
        for line in lines where !Self.isSummary(line) {
            let code = try #require(line["code"] as? String, "a diagnostic without a code: \(line)")
            #expect(DiagnosticCode(rawValue: code) != nil, "\(code) is not a DiagnosticCode")
            codes.append(code)
        }
        #expect(lines.contains(where: Self.isSummary))
        #expect(Set(codes) == ["same_content", "empty_file", "xlsx_not_csv", "no_source", "temporary_name",
                               "all_rows_rejected"], "\(outcome.stderr)")

        // `check` (no state) prints the same kinds of messages, each with its code.
        let check = try Self.lines(try Binary.run(["check", "--log-format", "json"], in: park.scratch.root).stderr)
        let checked = check.filter { !Self.isSummary($0) }
        #expect(!checked.isEmpty && check.contains(where: Self.isSummary))
        #expect(checked.allSatisfy { ($0["code"] as? String).flatMap(DiagnosticCode.init(rawValue:)) != nil })
        #expect(Set(checked.compactMap { $0["code"] as? String }).isSuperset(of: ["empty_file", "all_rows_rejected",
                                                                                 "xlsx_not_csv", "no_source"]))

        // The manifest of the run carries the same codes.
        let manifest = try #require(park.scratch.read("output/.parkimpact/last-run.json"))
        for code in codes { #expect(manifest.contains("\"code\": \"\(code)\""), "\(code)") }

        // Deleted since: kept in the reports (deleted_kept); the unreadable file's error again, from the ledger.
        try park.delete("a/a1.csv")
        let again = try Self.lines(try park.run(["--log-format", "json"]).stderr)
        let later = again.filter { !Self.isSummary($0) }.compactMap { $0["code"] as? String }
        #expect(later.count == again.filter { !Self.isSummary($0) }.count)
        #expect(later.contains("deleted_kept") && later.contains("empty_file") && later.contains("all_rows_rejected"),
                "\(later)")
    }

    @Test("report: its diagnostics from the ledger have codes, its summary line counts")
    func reportLines() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        let none = try Self.lines(try Binary.run(["report", "--log-format", "json"], in: park.scratch.root).stderr)
        #expect(none.map { $0["code"] as? String } == ["nothing_to_report"])
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("a/empty.csv", "")
        _ = try park.run()
        let outcome = try Binary.run(["report", "--log-format", "json"], in: park.scratch.root)
        let lines = try Self.lines(outcome.stderr)
        #expect(lines.filter { !Self.isSummary($0) }.map { $0["code"] as? String } == ["empty_file"],
                "\(outcome.stderr)")
        #expect(lines.contains(where: Self.isSummary))
        #expect(lines.filter(Self.isSummary).map { $0["kpis_written"] as? Int }.allSatisfy { ($0 ?? 0) > 0 })
    }

    @Test("definition problems and an unknown pilot have codes too")
    func definitionAndUnknownPilot() throws {
        let park = try TwoSites(definition: TwoSites.definition.replacingOccurrences(of: "format: fluvius, site: a",
                                                                                    with: "format: fluvus, site: a"))
        defer { park.scratch.remove() }
        let outcome = try park.run(["--log-format", "json"])
        #expect(outcome.status == 78)
        let codes = try Self.lines(outcome.stderr).filter { !Self.isSummary($0) }.map { $0["code"] as? String }
        #expect(!codes.isEmpty && codes.allSatisfy { $0 == "definition_invalid" }, "\(outcome.stderr)")
        let unknown = try Binary.run(["run", "--log-format", "json", "nosuch"], in: park.scratch.root)
        #expect(try Self.lines(unknown.stderr).contains { $0["code"] as? String == "no_such_pipeline" },
                "\(unknown.stderr)")
    }
}
