import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// What the real binary says about rows it cannot count as given: repeated intervals, negative values, files none
/// (or many) of whose rows could be used.
@Suite("rows refused, files that yield nothing (the real binary)") struct RowVerdictTests {
    static func definition(fluvius: Bool) -> String { """
        pilot: p
        name: "P"
        language: en
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: s, name: "S" } ]
        sources:
          - { path: "*.csv", format: parkimpact-long }
        """ + (fluvius ? "\n  - { path: \"fluvius/*.csv\", format: fluvius, site: s }" : "") }
    static let header = "timestamp,site,series,quantity,value,unit,quality\n"

    /// Hourly offtake rows of meter m1 on the January days given, `value` kWh each.
    static func hours(days: ClosedRange<Int>, value: String = "1") -> [String] {
        days.flatMap { day in
            (0..<24).map { String(format: "2024-01-%02dT%02d:00:00+01:00", day, $0) + ",s,m1,electricity_offtake,\(value),kWh,measured\n" }
        }
    }

    static func pilot(fluvius: Bool = false) throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("pipelines/p.yaml", definition(fluvius: fluvius))
        try FileManager.default.createDirectory(atPath: scratch.path("input/p"), withIntermediateDirectories: true)
        return scratch
    }

    /// The reporting-period offtake in kWh from kpis.json.
    static func offtake(_ scratch: Scratch) throws -> String {
        let json = try #require(scratch.read("output/p/kpis.json"))
        let prefix = "{\"key\": \"energy.electricity.offtake_kwh\", \"period\": \"reporting\", \"site\": null, \"value\": "
        let line = try #require(json.split(separator: "\n").map { $0.drop { $0 == " " } }.first { $0.hasPrefix(prefix) })
        return String(line.dropFirst(prefix.count).prefix { $0 != "," })
    }

    static func rejects(_ scratch: Scratch) -> [String] {
        (scratch.read("output/p/rejects.csv") ?? "").split(separator: "\r\n").dropFirst().map(String.init)
    }

    static let run = ["run", "--settle-seconds", "0"]

    @Test("an exact repeat counts once, a conflicting repeat is refused, a negative value is refused")
    func repeatsAndNegatives() throws {
        let scratch = try Self.pilot()
        defer { scratch.remove() }
        var rows = Self.hours(days: 1...2)
        rows.insert("2024-01-01T03:00:00+01:00,s,m1,electricity_offtake,1,kWh,measured\n", at: 4)  // line 6
        rows.insert("2024-01-01T05:00:00+01:00,s,m1,electricity_offtake,9,kWh,measured\n", at: 7)  // line 9
        rows.append("2024-01-03T00:00:00+01:00,s,m1,electricity_offtake,-2,kWh,measured\n")  // line 52
        try scratch.write("input/p/a.csv", Self.header + rows.joined())
        let outcome = try Binary.run(Self.run, in: scratch.root)
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "p: 1 file(s) ingested, 0 unreadable; 48 rows accepted, 3 rejected; 898 KPIs written\n")
        #expect(outcome.stderr == "")  // 3 of 51 rows: below a tenth, no warning
        // 48 hours of 1 kWh; before, the repeats and the negative row were added: 48 + 1 + 9 − 2 = 56.
        #expect(try Self.offtake(scratch) == "48")
        #expect(Self.rejects(scratch) == [
            "p/a.csv,6,value,duplicate_interval,\"repeats line 5: the interval of m1 electricity_offtake starting 2024-01-01T02:00:00Z again "
                + "with the same value 1; counted once\",\"2024-01-01T03:00:00+01:00,s,m1,electricity_offtake,1,kWh,measured\"",
            "p/a.csv,9,value,conflicting_interval,\"conflicts with line 8: the interval of m1 electricity_offtake starting 2024-01-01T04:00:00Z "
                + "is 1 there and 9 here (kWh); the first counts\",\"2024-01-01T05:00:00+01:00,s,m1,electricity_offtake,9,kWh,measured\"",
            "p/a.csv,52,value,negative_value,\"negative value -2 kWh for electricity_offtake (interval starting 2024-01-02T23:00:00Z), "
                + "which cannot be negative\",\"2024-01-03T00:00:00+01:00,s,m1,electricity_offtake,-2,kWh,measured\"",
        ])
    }

    @Test("a file whose rows are all rejected: exit 65 on every run until it is fixed, its rejects listed")
    func allRowsRejected() throws {
        let scratch = try Self.pilot()
        defer { scratch.remove() }
        try scratch.write("input/p/a.csv", Self.header + Self.hours(days: 1...1).joined())
        try scratch.write("input/p/b.csv", Self.header + Self.hours(days: 2...2, value: "-1").prefix(3).joined())
        let error = "error: \(scratch.root)/input/p/b.csv: no row could be used: all 3 row(s) were rejected; most "
            + "often (3×): negative value -1 kWh for electricity_offtake (interval starting 2024-01-01T23:00:00Z), "
            + "which cannot be negative (line 2: 2024-01-02T00:00:00+01:00,s,m1,electricity_offtake,-1,kWh,measured); "
            + "fix the file (or the source's format) and it is read again (every reject is in rejects.csv)\n"
        let first = try Binary.run(Self.run, in: scratch.root)
        #expect(first.status == 65)
        #expect(first.stdout == "p: 1 file(s) ingested, 1 unreadable; 24 rows accepted, 3 rejected; 898 KPIs written\n")
        #expect(first.stderr == error)
        #expect(Self.rejects(scratch).count == 3)
        #expect(Self.rejects(scratch).allSatisfy { $0.hasPrefix("p/b.csv,") })
        #expect(try Self.offtake(scratch) == "24")

        let second = try Binary.run(Self.run, in: scratch.root)
        #expect(second.status == 65)
        #expect(second.stderr == error)
        // A run that rebuilds the outputs (another file changed) still lists the refused file's rejects.
        try scratch.write("input/p/c.csv", Self.header + Self.hours(days: 3...3).joined())
        let third = try Binary.run(Self.run, in: scratch.root)
        #expect(third.status == 65)
        #expect(third.stderr == error)
        #expect(Self.rejects(scratch).count == 3)
        #expect(try Self.offtake(scratch) == "48")

        try scratch.write("input/p/b.csv", Self.header + Self.hours(days: 2...2).joined())
        let fixed = try Binary.run(Self.run, in: scratch.root)
        #expect(fixed.status == 0)
        #expect(fixed.stderr == "\(scratch.root)/input/p/b.csv: changed since it was ingested: its old contribution is "
            + "replaced\n")
        #expect(Self.rejects(scratch).isEmpty)
        #expect(try Self.offtake(scratch) == "72")
    }

    @Test("more than a tenth of a file's rows rejected: a warning; rows all ignored by design: a warning")
    func warnings() throws {
        let scratch = try Self.pilot(fluvius: true)
        defer { scratch.remove() }
        var rows = Self.hours(days: 1...1)
        for hour in 0..<3 {  // 3 of 27 rows: 11.1 %
            rows.append(String(format: "2024-01-01T%02d:00:00+01:00", hour) + ",s,m1,electricity_offtake,2,kWh,measured\n")
        }
        try scratch.write("input/p/a.csv", Self.header + rows.joined())
        try scratch.write("input/p/fluvius/r.csv", """
            Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus;Omschrijving
            01-01-2024;00:00:00;01-01-2024;00:15:00;="541448820000000011";1SAG1100000011;Digitale Meter;Afname Reactief;1,337;kVArh;Gevalideerd;
            01-01-2024;00:15:00;01-01-2024;00:30:00;="541448820000000011";1SAG1100000011;Digitale Meter;Afname Reactief;1,436;kVArh;Gevalideerd;

            """)
        let many = "warning: \(scratch.root)/input/p/a.csv: 11.1 % of its rows rejected (3 of 27); most often (3×): "
            + "conflicts with line 2: the interval of m1 electricity_offtake starting 2023-12-31T23:00:00Z is 1 there and "
            + "2 here (kWh); the first counts (line 26: 2024-01-01T00:00:00+01:00,s,m1,electricity_offtake,2,kWh,measured); "
            + "see rejects.csv\n"
        let nothing = "warning: \(scratch.root)/input/p/fluvius/r.csv: no row used: all 2 row(s) are ignored by design "
            + "(reactive energy rows (kVArh, not energy): 2); check the source's format and quantity\n"
        let checked = try Binary.run(["check"], in: scratch.root)
        #expect(checked.status == 0)
        #expect(checked.stderr == many + nothing)
        let ran = try Binary.run(Self.run, in: scratch.root)
        #expect(ran.status == 0)
        #expect(ran.stderr == many + nothing)
        #expect(try Self.offtake(scratch) == "24")
        // Warnings are about reading a file: a run with nothing new says nothing of them.
        let rerun = try Binary.run(Self.run, in: scratch.root)
        #expect(rerun.stderr == "")
    }

    @Test("check: a file whose rows are all rejected is an error (exit 65)")
    func checkAllRejected() throws {
        let scratch = try Self.pilot()
        defer { scratch.remove() }
        try scratch.write("input/p/a.csv", Self.header + Self.hours(days: 1...1).joined())
        try scratch.write("input/p/b.csv", Self.header + "2024-01-02T00:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n")
        let checked = try Binary.run(["check"], in: scratch.root)
        #expect(checked.status == 65)
        #expect(checked.stdout == "p: 1 file(s) checked, 1 unreadable; 24 rows accepted, 1 rejected; 898 KPIs computed, "
            + "nothing written\n")
        #expect(checked.stderr == "error: \(scratch.root)/input/p/b.csv: no row could be used: all 1 row(s) were "
            + "rejected; most often (1×): \"x\" is not a number (line 2: 2024-01-02T00:00:00+01:00,s,m1,"
            + "electricity_offtake,x,kWh,measured); fix the file (or the source's format) and it is read again (every "
            + "reject is in rejects.csv)\n")
    }

    @Test("the codes of the file diagnostics")
    func codes() throws {
        let scratch = try Self.pilot()
        defer { scratch.remove() }
        try scratch.write("input/p/b.csv", Self.header + "2024-01-02T00:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n")
        try scratch.write("input/p/c.csv", Self.header + Self.hours(days: 1...1).joined()
            + "2024-01-01T00:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n"
            + "2024-01-01T01:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n"
            + "2024-01-01T02:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n")
        var loaded = LoadedDefinitions.load(folders: RunFolders(pipelines: scratch.path("pipelines"),
                                                                input: scratch.path("input"),
                                                                output: scratch.path("output")),
                                            pilots: [], catalogue: .builtIn)
        _ = PipelineRun.execute(definitions: loaded.definitions,
                                context: .init(folders: RunFolders(pipelines: scratch.path("pipelines"),
                                                                   input: scratch.path("input"),
                                                                   output: scratch.path("output")),
                                               catalogue: .builtIn, threads: 1),
                                diagnostics: &loaded.diagnostics)
        #expect(loaded.diagnostics.entries.map { "\($0.level) \($0.code)" }
            == ["error all_rows_rejected", "warning many_rows_rejected"])

        // Stateful: the error and its code on every run, the warning when the file is read.
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("b.csv", Self.header + "2024-01-02T00:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n")
        try pilot.write("c.csv", try #require(scratch.read("input/p/c.csv")))
        let (_, first) = try pilot.run()
        #expect(first.entries.map { "\($0.level) \($0.code)" }
            == ["warning many_rows_rejected", "error all_rows_rejected"])
        let (_, second) = try pilot.run()
        #expect(second.entries.filter { $0.level != .info }.map { "\($0.level) \($0.code)" }
            == ["error all_rows_rejected"])
        #expect(second.status == .dataError)
    }
}
