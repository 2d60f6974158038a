import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// What `parkimpact sniff FILE` prints for a file no format recognises, from its warnings to its end: the YAML entry
/// with its `# check:` and `# set:` notes, and the first readings per series as the entry reads them.
@Suite struct SniffOutputTests {
    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/sniff/\(name)").path
    }

    static let notRecognised = "warning: format not recognised (this version reads "
        + SourceFormatName.implemented.map(\.rawValue).joined(separator: ", ")
        + "); a `format: generic` mapping is proposed below: check each `# check:` guess"

    /// Runs `parkimpact sniff path` (the built binary): exit status and standard output.
    static func sniff(_ path: String) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Binary.path, "the parkimpact binary was not built"))
        process.arguments = ["sniff", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let exited = Binary.watch(process.processIdentifier, "parkimpact sniff \(path)")
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        exited()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The output from its first warning on.
    static func tail(_ name: String) throws -> (status: Int32?, text: String) {
        let outcome = try sniff(fixture(name))
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.firstIndex { $0.hasPrefix("warning:") } ?? lines.endIndex
        return (outcome.status, lines[first...].joined(separator: "\n"))
    }

    @Test("a UTC export: timezone: UTC proposed; its first readings at 00:00Z are 01:00 in Brussels")
    func utcExport() throws {
        let (status, text) = try Self.tail("utc_hourly.csv")
        #expect(status == 0)
        #expect(text == Self.notRecognised + "\n" + """
            in pipelines/<pilot>.yaml (every `# check:` is a guess to verify; fill in each `<...>`):
            sources:
              - path: "utc_hourly.csv"
                format: generic
                site: <site id>   # set: the site's id from sites:
                columns: { timestamp: "Date/time UTC" }
                date_format: "yyyy-MM-dd HH:mm:ss"   # check: the only order that fits all 72 sampled rows
                timezone: UTC   # check: the header "Date/time UTC" says "utc"
                values:
                  - { column: "Energy (kWh)", quantity: electricity_offtake, unit: kWh, meter: "Energy" }   # check: energy in kWh, no direction in the name → offtake
            first readings per series, as this entry reads them (local time of the pilot, UTC start, interval when known, value):
              electricity_offtake Energy:
                2024-03-30 01:00  (2024-03-30T00:00Z)  0.25 kWh
                2024-03-30 02:00  (2024-03-30T01:00Z)  0.375 kWh
                2024-03-30 03:00  (2024-03-30T02:00Z)  0.5 kWh

            """)
    }

    @Test("month-first dates settled far down the file; no ambiguity warning")
    func monthFirst() throws {
        let (status, text) = try Self.tail("month_first_hourly.csv")
        #expect(status == 0)
        #expect(text == Self.notRecognised + "\n" + """
            in pipelines/<pilot>.yaml (every `# check:` is a guess to verify; fill in each `<...>`):
            sources:
              - path: "month_first_hourly.csv"
                format: generic
                site: <site id>   # set: the site's id from sites:
                columns: { timestamp: "Date" }
                date_format: "MM/dd/yyyy HH:mm"   # check: the only order that fits all 336 sampled rows
                values:
                  - { column: "Consumption (kWh)", quantity: electricity_offtake, unit: kWh, meter: "Consumption" }   # check: "consumption" in the name → electricity_offtake
            first readings per series, as this entry reads them (local time of the pilot, UTC start, interval when known, value):
              electricity_offtake Consumption:
                2024-09-01 00:00  (2024-08-31T22:00Z)  0.5 kWh
                2024-09-01 01:00  (2024-08-31T23:00Z)  0.6 kWh
                2024-09-01 02:00  (2024-09-01T00:00Z)  0.7 kWh

            """)
    }

    @Test("a file with no dates: no entry, the reason and what to do; nothing promised below")
    func noProposal() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("notes.csv", "Naam;Opmerking\nhal 3;dak vervangen\nhal 4;nieuwe meter\n")
        let outcome = try Self.sniff(scratch.root + "/notes.csv")
        #expect(outcome.status == 0)
        #expect(!outcome.stdout.contains("in pipelines/"))
        #expect(!outcome.stdout.contains("(below)"))
        #expect(outcome.stdout.hasSuffix("; write a `format: generic` source by hand (README, \"generic\"), or save the "
            + "export with one header line, a date-time column and one column per value\n"))
        #expect(outcome.stdout.contains("\nno proposal: format not recognised and no `generic` mapping can be proposed: "
            + "no column holds dates or date-times on every sampled row"))
    }
}
