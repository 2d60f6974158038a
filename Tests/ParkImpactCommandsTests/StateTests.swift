import Foundation
import GRDB
import Testing
@testable import ParkImpactCommands
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A pilot in a scratch folder run against its state, as cron would run it: each `run()` opens the state anew.
struct StatefulPilot {
    let scratch: Scratch
    static let definition = """
        pilot: p
        name: "P"
        language: en
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: s, name: "S" } ]
        sources: [ { path: "*.csv", format: parkimpact-long } ]
        """

    init(definition: String = Self.definition) throws {
        scratch = try Scratch()
        try scratch.write("pipelines/p.yaml", definition)
        try FileManager.default.createDirectory(atPath: scratch.path("input/p"), withIntermediateDirectories: true)
    }

    var folders: RunFolders {
        RunFolders(pipelines: scratch.path("pipelines"), input: scratch.path("input"), output: scratch.path("output"))
    }

    @discardableResult
    func run(settle: Int = 0, now: Int64? = nil, ingest: Bool = true, dailyCSV: Bool = false, threads: Int = 2) throws
        -> (StatefulRun.Result, Diagnostics) {
        var loaded = LoadedDefinitions.load(folders: folders, pilots: [], catalogue: .builtIn)
        let store = try StateStore(path: StatefulRun.defaultStatePath(output: folders.output))
        let runID = try store.beginRun(startedAt: "test")
        let result = StatefulRun.execute(
            definitions: loaded.definitions,
            context: .init(folders: folders, catalogue: .builtIn, threads: threads,
                           settings: .init(settleSeconds: settle, now: now, ingest: ingest),
                           rebuildAll: !ingest, dailyCSV: dailyCSV),
            store: store, runID: runID, diagnostics: &loaded.diagnostics)
        return (result, loaded.diagnostics)
    }

    func ledger() throws -> [LedgerEntry] {
        try StateStore(path: StatefulRun.defaultStatePath(output: folders.output)).ledger(pilot: "p")
    }

    /// The pilot's reporting-period offtake in kWh from kpis.json, as an officer reads it.
    func offtake(period: String = "reporting") throws -> String {
        let json = try #require(scratch.read("output/p/kpis.json"))
        let prefix = "{\"key\": \"energy.electricity.offtake_kwh\", \"period\": \"\(period)\", \"site\": null, \"value\": "
        let line = try #require(json.split(separator: "\n").map { $0.drop { $0 == " " } }.first { $0.hasPrefix(prefix) })
        return String(line.dropFirst(prefix.count).prefix { $0 != "," })
    }

    func write(_ name: String, _ text: String, modified: Date? = nil) throws {
        try scratch.write("input/p/\(name)", text)
        if let modified {
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: scratch.path("input/p/\(name)"))
        }
    }

    /// Outputs (not the hidden state folder) with their bytes.
    func outputs() -> [String: Data] { outputFiles(in: scratch.path("output")) }

    static func messages(_ diagnostics: Diagnostics) -> [String] { diagnostics.entries.map(\.message) }
}

/// The files under an output folder, the hidden state folder apart, with their bytes.
func outputFiles(in base: String) -> [String: Data] {
    var result: [String: Data] = [:]
    for case let relative as String in FileManager.default.enumerator(atPath: base) ?? .init()
    where !relative.hasPrefix(".parkimpact") {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory),
           !isDirectory.boolValue {
            result[relative] = FileManager.default.contents(atPath: base + "/" + relative)
        }
    }
    return result
}

/// Hourly `parkimpact-long` offtake rows of meter `m1` on the January days given, `value(day, hour)` kWh each.
func longRows(days: ClosedRange<Int>, meter: String = "m1", value: (Int, Int) -> String = { _, _ in "1" }) -> String {
    var text = "timestamp,site,series,quantity,value,unit,quality\n"
    for day in days {
        for hour in 0..<24 {
            let stamp = String(format: "2024-01-%02dT%02d:00:00+01:00", day, hour)
            text += "\(stamp),s,\(meter),electricity_offtake,\(value(day, hour)),kWh,measured\n"
        }
    }
    return text
}

@Suite("incremental runs against the state") struct StateTests {
    let old = Date(timeIntervalSince1970: 1_700_000_000)

    /// `--daily-csv`: written right after the merge, before the KPIs (so the series can be freed before the other
    /// outputs are rendered), and recorded like them.
    @Test("run --daily-csv writes every series' local days, sums and counts by hand, and keeps them up to date")
    func dailyCSV() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        // m1: 2024-01-01 12 × 1.25 + 12 × 1.5 = 33, 2024-01-02 12 × 2.25 + 12 × 2.5 = 57; m2: 2024-01-03 24 × 1.
        try pilot.write("a.csv", longRows(days: 1...2) { day, hour in "\(day).\(hour % 2 == 0 ? "25" : "5")" })
        try pilot.write("b.csv", longRows(days: 3...3, meter: "m2"))
        let header = "series,date,sum,count,missing\n"
        try pilot.run(dailyCSV: true)
        #expect(pilot.scratch.read("output/p/daily.csv") == header
            + "s/electricity_offtake/m1,2024-01-01,33.0,24,0\ns/electricity_offtake/m1,2024-01-02,57.0,24,0\n"
            + "s/electricity_offtake/m2,2024-01-03,24.0,24,0\n")
        #expect(try pilot.offtake() == "114")
        let before = pilot.outputs()
        #expect(before.keys.sorted() == ["index.html", "p/daily.csv", "p/kpis.csv", "p/kpis.json", "p/rejects.csv",
                                         "p/report.html"])
        #expect(try pilot.run(dailyCSV: true).0.nothingNew)
        #expect(pilot.outputs() == before)
        try pilot.write("c.csv", longRows(days: 3...3) { _, _ in "0.5" })
        try pilot.run(dailyCSV: true)
        #expect(pilot.scratch.read("output/p/daily.csv") == header
            + "s/electricity_offtake/m1,2024-01-01,33.0,24,0\ns/electricity_offtake/m1,2024-01-02,57.0,24,0\n"
            + "s/electricity_offtake/m1,2024-01-03,12.0,24,0\ns/electricity_offtake/m2,2024-01-03,24.0,24,0\n")
        #expect(try pilot.offtake() == "126")
    }

    /// A run whose one file is under two default chunks (32 MiB each) cuts it into a piece per worker
    /// (`Aggregate.ChunkSizing`), fingerprinted beside the reading: the same outputs and ledger as one thread's
    /// sequential read.
    @Test("a run of one 19 MB file on two threads reads it in chunks, with the outputs and ledger of one thread")
    func midSizeFileInChunks() throws {
        // A year of 10 meters' quarter-hours: 350,400 rows.
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        text.reserveCapacity(20_000_000)
        let start = 1_704_063_600  // 2024-01-01T00:00:00+01:00
        let formatter = ISO8601DateFormatter()
        var thousandths = 0  // the year's offtake, by hand
        for quarter in 0..<(366 * 96) {
            let stamp = formatter.string(from: Date(timeIntervalSince1970: Double(start + quarter * 900)))
            for meter in 0..<10 {
                let value = (quarter * 7_919 + meter * 13) % 1000
                thousandths += value
                text += "\(stamp),s,m\(meter),electricity_offtake,0.\(String(repeating: "0", count: 3 - String(value).count))\(value),kWh,measured\n"
            }
        }
        let size = text.utf8.count
        #expect(size > 19_000_000 && size < 2 * ReadFile.defaultChunkBytes)
        // One file of that size on two workers: two pieces.
        let path = "year.csv"
        let chunking = Aggregate.ChunkSizing.plan([(path, size)], threads: 2)
        #expect(chunking.pieces == [path: 2])
        #expect(ReadFile.chunkCount(size: size, chunkBytes: chunking.chunkBytes(path: path, size: size)) == 2)
        var outputs: [[String: Data]] = []
        for threads in [2, 1] {
            let pilot = try StatefulPilot()
            defer { pilot.scratch.remove() }
            try pilot.write("year.csv", text)
            let file = InputFile(path: pilot.scratch.path("input/p/year.csv"), relativePath: "year.csv", pilot: "p",
                                 source: try #require(LoadedDefinitions.load(folders: pilot.folders, pilots: [], catalogue: .builtIn)
                                    .definitions.first?.sources.first))
            let plan = Aggregate.ChunkSizing.plan([(file.path, size)], threads: threads)
            #expect(Aggregate.mayReadInChunks(file, threads: threads, chunking: plan) == (threads == 2))
            let (_, diagnostics) = try pilot.run(dailyCSV: true, threads: threads)
            #expect(diagnostics.status == .success, "\(StatefulPilot.messages(diagnostics))")
            let ledger = try pilot.ledger()
            #expect(ledger.map(\.sha256) == [FileDigest.sha256(Array(text.utf8))])
            let offtake = try #require(Double(try pilot.offtake()))
            #expect(abs(offtake - Double(thousandths) / 1000) < 1e-6)
            outputs.append(pilot.outputs())
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test("a rerun with nothing new reads nothing, says so, and leaves every output byte-identical and untouched")
    func rerunWithNothingNew() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        let (first, _) = try pilot.run()
        #expect(first.outcomes[0].filesRead == 1)
        #expect(try pilot.offtake() == "48")
        let before = pilot.outputs()
        let modified = try FileManager.default.attributesOfItem(atPath: pilot.scratch.path("output/p/report.html"))[
            .modificationDate] as? Date
        let (second, diagnostics) = try pilot.run()
        #expect(second.nothingNew)
        #expect(second.outcomes[0].filesRead == 0 && second.outcomes[0].filesUnchanged == 1)
        #expect(second.outcomes[0].report == nil)
        #expect(diagnostics.entries.isEmpty && diagnostics.status == .success)
        #expect(pilot.outputs() == before)
        #expect(try FileManager.default.attributesOfItem(atPath: pilot.scratch.path("output/p/report.html"))[
            .modificationDate] as? Date == modified)
    }

    @Test("an output deleted or edited by hand is rebuilt by the next run, byte-identical")
    func damagedOutputsAreRebuilt() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        let before = pilot.outputs()
        try FileManager.default.removeItem(atPath: pilot.scratch.path("output/p/kpis.csv"))
        try "edited".write(toFile: pilot.scratch.path("output/p/report.html"), atomically: true, encoding: .utf8)
        let (result, _) = try pilot.run()
        #expect(!result.nothingNew)
        #expect(result.outcomes[0].filesRead == 0)
        #expect(pilot.outputs() == before)
    }

    @Test("the same content under another name is detected and not counted twice")
    func duplicateContent() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        try pilot.write("copy of a.csv", longRows(days: 1...2), modified: old)
        let (result, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "48")
        #expect(result.outcomes[0].filesDuplicate == 1)
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/copy of a.csv") + ": same content as p/a.csv: not counted twice",
        ])
        #expect(try pilot.ledger().map { "\($0.path) \($0.status.rawValue) \($0.duplicateOf ?? "-")" }
            == ["p/a.csv ingested -", "p/copy of a.csv duplicate p/a.csv"])
        // Two identical new files in the same run: the first by name is read, the second is its duplicate.
        let twins = try StatefulPilot()
        defer { twins.scratch.remove() }
        try twins.write("x.csv", longRows(days: 3...3), modified: old)
        try twins.write("y.csv", longRows(days: 3...3), modified: old)
        try twins.run()
        #expect(try twins.offtake() == "24")
    }

    @Test("new files of one size are read once each and fingerprinted while read; copies among them count once")
    func sameSizeNewFiles() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        // x, y and z have the same size: y is a copy of x, z another meter. bad1 and bad2 are unreadable (their reads
        // stop at the header, the rest is hashed after) and copies of each other. only.csv has a size of its own.
        try pilot.write("x.csv", longRows(days: 3...3), modified: old)
        try pilot.write("y.csv", longRows(days: 3...3), modified: old)
        try pilot.write("z.csv", longRows(days: 3...3, meter: "m2"), modified: old)
        try pilot.write("only.csv", longRows(days: 4...5), modified: old)
        try pilot.write("bad1.csv", "when,what\n" + String(repeating: "1,2\n", count: 300_000), modified: old)
        try pilot.write("bad2.csv", "when,what\n" + String(repeating: "1,2\n", count: 300_000), modified: old)
        let (result, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "96")  // x, z and only: 24 + 24 + 48
        #expect(result.outcomes[0].filesDuplicate == 2)
        #expect(StatefulPilot.messages(diagnostics).filter { $0.contains("same content") } == [
            pilot.scratch.path("input/p/bad2.csv") + ": same content as p/bad1.csv: not counted twice",
            pilot.scratch.path("input/p/y.csv") + ": same content as p/x.csv: not counted twice",
        ])
        let ledger = try pilot.ledger()
        #expect(ledger.map { "\($0.path) \($0.status.rawValue) \($0.duplicateOf ?? "-")" } == [
            "p/bad1.csv unreadable -", "p/bad2.csv duplicate p/bad1.csv", "p/only.csv ingested -",
            "p/x.csv ingested -", "p/y.csv duplicate p/x.csv", "p/z.csv ingested -",
        ])
        for entry in ledger {
            #expect(entry.sha256 == (try FileDigest.sha256(path: pilot.scratch.path("input/" + entry.path))), "\(entry.path)")
        }
        // The next run finds them all unchanged; a third copy of x is known from the ledger without being read.
        try pilot.write("w.csv", longRows(days: 3...3), modified: old)
        let (again, messages) = try pilot.run()
        #expect(again.outcomes[0].filesRead == 0)
        #expect(StatefulPilot.messages(messages).contains(
            pilot.scratch.path("input/p/w.csv") + ": same content as p/x.csv: not counted twice"))
        #expect(try pilot.offtake() == "96")
    }

    @Test("hundreds of new files of one size, read on two threads: each counted once, each copy found")
    func oneLargeSameSizeGroup() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        // 300 meters of one day each (24 readings of 1 kWh), all files the same size; z<n>.csv copies m<n>.csv for
        // every tenth meter (a later path: the copy, not the file it copies).
        for meter in 1...300 {
            let text = longRows(days: 3...3, meter: String(format: "m%03d", meter))
            try pilot.write(String(format: "m%03d.csv", meter), text, modified: old)
            if meter % 10 == 0 { try pilot.write(String(format: "z%03d.csv", meter), text, modified: old) }
        }
        let (result, _) = try pilot.run()
        #expect(try pilot.offtake() == "7200")  // 300 meters × 24 kWh
        #expect(result.outcomes[0].filesDuplicate == 30)
        let ledger = try pilot.ledger()
        #expect(ledger.count == 330)
        #expect(ledger.filter { $0.status == .ingested }.map(\.path) == (1...300).map { String(format: "p/m%03d.csv", $0) })
        #expect(ledger.filter { $0.status == .duplicate }.map { "\($0.path) \($0.duplicateOf ?? "-")" }
            == stride(from: 10, through: 300, by: 10).map { String(format: "p/z%03d.csv p/m%03d.csv", $0, $0) })
    }

    @Test("a renamed file keeps its numbers, counted once, and the outputs name the new file")
    func renamedFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2) + "2024-01-03T00:00:00+01:00,s,m1,electricity_offtake,x,kWh,measured\n",
                        modified: old)
        try pilot.run()
        try FileManager.default.moveItem(atPath: pilot.scratch.path("input/p/a.csv"),
                                         toPath: pilot.scratch.path("input/p/january.csv"))
        let (_, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "48")
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/january.csv") + ": renamed from p/a.csv (same content): read under its new "
                + "name, counted once",
        ])
        #expect(try pilot.ledger().map(\.path) == ["p/january.csv"])
        #expect(pilot.scratch.read("output/p/rejects.csv")?.contains("p/january.csv,50,") == true)
        #expect(pilot.scratch.read("output/p/rejects.csv")?.contains("p/a.csv") == false)
    }

    @Test("a changed file replaces its old contribution")
    func changedFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        try pilot.write("a.csv", longRows(days: 1...2) { _, _ in "2" }, modified: old.addingTimeInterval(3600))
        let (result, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "96")
        #expect(result.outcomes[0].filesRead == 1)
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/a.csv") + ": changed since it was ingested: its old contribution is replaced",
        ])
        #expect(try pilot.ledger().count == 1)
    }

    @Test("a file touched without a change is not read again")
    func touchedFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        try pilot.write("a.csv", longRows(days: 1...2), modified: old.addingTimeInterval(60))
        let (result, _) = try pilot.run()
        #expect(result.nothingNew)
        #expect(try pilot.ledger()[0].modifiedNanoseconds == Int64(old.timeIntervalSince1970 + 60) * 1_000_000_000)
    }

    @Test("a monthly export re-dropped inside a yearly one: identical days are counted once")
    func overlappingIdenticalFiles() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("2024-01-01_02.csv", longRows(days: 1...2), modified: old)
        try pilot.write("2024-01-01_04.csv", longRows(days: 1...4), modified: old)
        let (_, diagnostics) = try pilot.run()
        // 4 days × 24 h × 1 kWh, not 6 days' worth.
        #expect(try pilot.offtake() == "96")
        #expect(StatefulPilot.messages(diagnostics) == [
            "p/2024-01-01_02.csv and p/2024-01-01_04.csv both hold s/electricity_offtake/m1 on 2 day(s) "
                + "(2024-01-01 … 2024-01-02) with identical values: counted once",
        ])
    }

    @Test("two exports that split a day between them are added, not flagged")
    func complementaryHalfDays() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        let all = longRows(days: 1...1).split(separator: "\n").map(String.init)
        try pilot.write("morning.csv", ([all[0]] + all[1...12]).joined(separator: "\n") + "\n", modified: old)
        try pilot.write("evening.csv", ([all[0]] + all[13...24]).joined(separator: "\n") + "\n", modified: old)
        let (_, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "24")
        #expect(diagnostics.entries.isEmpty)
    }

    @Test("conflicting values: the newer export wins each day, and both sources are named")
    func overlappingConflictingFiles() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("first.csv", longRows(days: 1...2), modified: old)
        // A corrected re-export, an hour newer: 2 kWh per hour on 2 January.
        try pilot.write("corrected.csv", longRows(days: 2...2) { _, _ in "2" }, modified: old.addingTimeInterval(3600))
        let (_, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "72")  // 24 × 1 (1 Jan, first.csv) + 24 × 2 (2 Jan, corrected.csv)
        #expect(StatefulPilot.messages(diagnostics) == [
            "p/corrected.csv and p/first.csv disagree on s/electricity_offtake/m1 on 1 day(s) (2024-01-02); e.g. "
                + "2024-01-02: 48 kWh in 24 interval(s) vs 24 kWh in 24; kept p/corrected.csv; policy: per day the "
                + "file with more present intervals wins, then the newer file, then the later name (Aggregate.merge)",
        ])
        #expect(diagnostics.entries.map(\.level) == [.warning])
    }

    @Test("a deleted input keeps its contribution, and is reported once")
    func deletedInputIsKept() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.write("b.csv", longRows(days: 3...3), modified: old)
        try pilot.run()
        try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p/a.csv"))
        let (result, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "72")
        #expect(result.outcomes[0].filesDeletedKept == 1)
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/a.csv") + ": deleted from the input folder, and no copy of it is left; its "
                + "contribution (48 rows) is kept in the reports so that no data is lost; put the file back if it was "
                + "deleted by mistake",
        ])
        #expect(diagnostics.entries.map(\.code.rawValue) == ["deleted_kept"])
        let (again, quiet) = try pilot.run()
        #expect(again.nothingNew && quiet.entries.isEmpty)
        #expect(again.outcomes[0].filesDeletedKept == 1)
    }

    @Test("a file no source selects any more leaves the reports")
    func unselectedFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.write("b.txt", longRows(days: 3...3), modified: old)
        try pilot.scratch.write("pipelines/p.yaml", StatefulPilot.definition.replacingOccurrences(of: "*.csv", with: "*"))
        try pilot.run()
        #expect(try pilot.offtake() == "72")
        try pilot.scratch.write("pipelines/p.yaml", StatefulPilot.definition)
        let (_, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "48")
        // Named as a file no source takes, and its contribution leaves the reports.
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/b.txt") + ": not read: no source of \(pilot.scratch.path("pipelines/p.yaml")) "
                + "takes it (its globs: \"*.csv\"); add a source for it or fix a glob, or move it out of "
                + pilot.scratch.path("input/p"),
            pilot.scratch.path("input/p/p/b.txt").replacingOccurrences(of: "/p/p/", with: "/p/")
                + ": no source of \(pilot.scratch.path("pipelines/p.yaml")) selects it any more: its contribution is "
                + "removed from the reports",
        ])
    }

    @Test("a file modified within the settle time is skipped and read by a later run")
    func recentFileIsSkipped() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.write("b.csv", longRows(days: 3...3), modified: old.addingTimeInterval(100))
        let now = Int64(old.timeIntervalSince1970 + 130) * 1_000_000_000
        let (first, diagnostics) = try pilot.run(settle: 60, now: now)
        #expect(first.outcomes[0].filesSettling == 1 && first.outcomes[0].filesRead == 1)
        #expect(first.outcomes[0].settleWaitSeconds == 30 && first.outcomes[0].filesSkipped == 0)
        #expect(try pilot.offtake() == "48")
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/b.csv") + ": skipped: modified 30 s ago: modified less than 60 s ago, they may "
                + "still be written; the next run reads them (--settle-seconds 0 reads them now)",
        ])
        let (second, _) = try pilot.run(settle: 60, now: now + 31_000_000_000)
        #expect(second.outcomes[0].filesRead == 1)
        #expect(try pilot.offtake() == "72")
    }

    @Test("temporary names (.part, .tmp, .crdownload, ~$…) are never read", arguments: [
        "a.csv.part", "a.csv.tmp", "a.csv.crdownload", "~$a.csv", "a.csv~",
    ])
    func temporaryNames(name: String) throws {
        let pilot = try StatefulPilot(definition: StatefulPilot.definition.replacingOccurrences(of: "*.csv", with: "*"))
        defer { pilot.scratch.remove() }
        try pilot.write("b.csv", longRows(days: 1...1), modified: old)
        try pilot.write(name, longRows(days: 2...2), modified: old)
        let (result, diagnostics) = try pilot.run()
        #expect(try pilot.offtake() == "24")
        #expect(result.outcomes[0].filesSkipped == 1)
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/\(name)") + ": skipped: a temporary name (still being written or an "
                + "editor's lock file); rename it when it is complete",
        ])
    }

    @Test("a file read while it was still growing is replaced once complete: no row lost or counted twice")
    func growingFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        let full = longRows(days: 1...2)
        let cut = full.index(full.startIndex, offsetBy: full.count / 2 + 7)  // mid-line
        try pilot.write("a.csv", String(full[..<cut]), modified: old)
        try pilot.run()
        let partial = try pilot.offtake()
        #expect(partial != "48")
        #expect(pilot.scratch.read("output/p/rejects.csv")?.split(separator: "\r\n").count == 2)  // the cut line
        try pilot.write("a.csv", full, modified: old.addingTimeInterval(5))
        try pilot.run()
        #expect(try pilot.offtake() == "48")
        #expect(pilot.scratch.read("output/p/rejects.csv")?.split(separator: "\r\n").count == 1)  // header only
    }

    @Test("an unreadable file is reported on every run (exit 65) until it is fixed")
    func unreadableFileStaysReported() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1), modified: old)
        try pilot.write("b.csv", "\0\0\0\0", modified: old)
        let (_, first) = try pilot.run()
        #expect(first.status == .dataError)
        let (second, again) = try pilot.run()
        #expect(again.status == .dataError)
        #expect(StatefulPilot.messages(again) == StatefulPilot.messages(first))
        #expect(second.outcomes[0].filesFailed == 1)
        try pilot.write("b.csv", longRows(days: 2...2), modified: old.addingTimeInterval(9))
        let (_, fixed) = try pilot.run()
        #expect(fixed.status == .success)
        #expect(try pilot.offtake() == "48")
    }

    @Test("an unreadable file deleted from the folder leaves no lasting error")
    func deletedUnreadableFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1), modified: old)
        try pilot.write("b.csv", "\0\0\0\0", modified: old)
        #expect(try pilot.run().1.status == .dataError)
        try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p/b.csv"))
        let (_, deleted) = try pilot.run()
        #expect(deleted.status == .success)
        #expect(StatefulPilot.messages(deleted) == [
            pilot.scratch.path("input/p/b.csv") + ": deleted from the input folder; it was not counted (it could not "
                + "be read), so the reports do not change",
        ])
        let (again, quiet) = try pilot.run()
        #expect(quiet.status == .success && quiet.entries.isEmpty && again.nothingNew)
        #expect(try pilot.ledger().map(\.path) == ["p/a.csv"])
        #expect(try pilot.offtake() == "24")
    }

    @Test("the counted file changed while a copy of its old bytes remains: the copy is read and counted")
    func changedOriginalPromotesItsCopy() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.write("copy of a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        #expect(try pilot.offtake() == "48")
        // a.csv now holds 3 and 4 January (72 kWh); the copy still has 1 and 2 January (48 kWh).
        try pilot.write("a.csv", longRows(days: 3...4) { _, _ in "1.5" }, modified: old.addingTimeInterval(60))
        let (result, diagnostics) = try pilot.run()
        #expect(result.outcomes[0].filesRead == 2)
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/a.csv") + ": changed since it was ingested: its old contribution is replaced",
            pilot.scratch.path("input/p/copy of a.csv") + ": read and counted now: the file it copies (p/a.csv) was "
                + "changed, deleted or is no longer selected",
        ])
        #expect(try pilot.offtake() == "120")
        #expect(try pilot.ledger().map { "\($0.path) \($0.status.rawValue)" } == ["p/a.csv ingested",
                                                                                "p/copy of a.csv ingested"])
    }

    @Test("a state written before copies across sources were settled (schema v2) opens, upgrades and keeps its files")
    func stateFromTheLastVersionUpgrades() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        // Back to schema v2: no conflict column, the migration not recorded.
        let path = StatefulRun.defaultStatePath(output: pilot.folders.output)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "ALTER TABLE input_file DROP COLUMN conflict")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3'")
        }
        try queue.close()
        try pilot.write("copy of a.csv", longRows(days: 1...2), modified: old)
        let (_, diagnostics) = try pilot.run()
        #expect(StatefulPilot.messages(diagnostics) == [
            pilot.scratch.path("input/p/copy of a.csv") + ": same content as p/a.csv: not counted twice",
        ])
        #expect(try pilot.offtake() == "48")
        #expect(try pilot.ledger().map { "\($0.path) \($0.status.rawValue) \($0.conflict ?? "-")" }
            == ["p/a.csv ingested -", "p/copy of a.csv duplicate -"])
    }

    @Test("a stored contribution that cannot be decoded, or whose bytes changed (checksum), is read again from input/ in the same run")
    func unusableContributionIsReadAgain() throws {
        for damage in ["UPDATE contribution SET data = X'00'",
                       // One byte changed in the middle of the blob: it still decodes, into other numbers.
                       "UPDATE contribution SET data = substr(data, 1, length(data) / 2) || X'7F' "
                           + "|| substr(data, length(data) / 2 + 2)"] {
            let pilot = try StatefulPilot()
            defer { pilot.scratch.remove() }
            try pilot.write("a.csv", longRows(days: 1...2), modified: old)
            try pilot.run()
            #expect(try pilot.offtake() == "48")
            let queue = try DatabaseQueue(path: StatefulRun.defaultStatePath(output: pilot.folders.output))
            try queue.write { db in try db.execute(sql: damage) }
            try queue.close()
            // A new file makes the run rebuild the report, which needs a.csv's contribution.
            try pilot.write("b.csv", longRows(days: 3...3), modified: old)
            let (_, repaired) = try pilot.run()
            #expect(repaired.status == .success)
            #expect(repaired.entries.map(\.code) == [.contributionRepaired], "\(damage)")
            #expect(StatefulPilot.messages(repaired).first?.hasSuffix("the file, unchanged in the input folder, was "
                + "read again and stored anew") == true)
            #expect(try pilot.offtake() == "72")  // 3 days of 24 kWh: a.csv counted in this run
            // Stored anew: the next rebuild decodes it without a word.
            try pilot.write("c.csv", longRows(days: 4...4), modified: old)
            let (_, next) = try pilot.run()
            #expect(next.entries.isEmpty)
            #expect(try pilot.offtake() == "96")
        }
    }

    @Test("a damaged contribution of a file no longer in input/ is an error naming it, never a quiet gap")
    func unusableContributionOfDeletedFile() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p/a.csv"))
        try pilot.run()
        #expect(try pilot.offtake() == "48")  // kept: deleting an export does not delete its history
        let queue = try DatabaseQueue(path: StatefulRun.defaultStatePath(output: pilot.folders.output))
        try queue.write { db in try db.execute(sql: "UPDATE contribution SET data = X'00'") }
        try queue.close()
        try pilot.write("b.csv", longRows(days: 3...3), modified: old)
        let (_, broken) = try pilot.run()
        #expect(broken.status == .dataError)
        #expect(broken.entries.filter { $0.level == .error }.map(\.code) == [.contributionUnusable])
        #expect(StatefulPilot.messages(broken).contains { $0.hasPrefix("p/a.csv: its stored contribution cannot be used")
            && $0.hasSuffix("this run's reports lack it; the file is no longer in the input folder: put it back and "
                + "the next run reads it again") })
    }

    @Test("check names the files no source takes and refuses a missing input folder (exit 65)")
    func checkNamesStrays() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1))
        try pilot.write("a.xls", "x")
        let arguments = ["check", "--pipelines", pilot.scratch.path("pipelines"), "--input", pilot.scratch.path("input"),
                         "--output", pilot.scratch.path("output")]
        #expect(runCommand(arguments) == 0)
        let definition = try DefinitionLoader.load(file: pilot.scratch.path("pipelines/p.yaml"), catalogue: .builtIn)
        var strays = Diagnostics()
        _ = PipelineRun.execute(definitions: [definition],
                                context: .init(folders: pilot.folders, catalogue: .builtIn, threads: 1),
                                diagnostics: &strays)
        #expect(strays.entries.map(\.code.rawValue) == ["xlsx_not_csv"])
        #expect(StatefulPilot.messages(strays) == [pilot.scratch.path("input/p/a.xls") + ": not read: an Excel "
            + "workbook, not a CSV file; open it in Excel and save it as CSV (UTF-8) (File › Save As › CSV UTF-8) in "
            + "the same folder, then remove the workbook"])
        try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p"))
        #expect(runCommand(arguments) == 65)
        var diagnostics = Diagnostics()
        _ = PipelineRun.execute(definitions: [definition],
                                context: .init(folders: pilot.folders, catalogue: .builtIn, threads: 1),
                                diagnostics: &diagnostics)
        #expect(diagnostics.entries.map(\.code.rawValue) == ["input_folder_missing"])
    }

    @Test("report rebuilds byte-identical outputs from the state alone")
    func reportFromState() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...2), modified: old)
        try pilot.run()
        let before = pilot.outputs()
        try FileManager.default.removeItem(atPath: pilot.scratch.path("input/p/a.csv"))
        try FileManager.default.removeItem(atPath: pilot.scratch.path("output/p"))
        let (result, diagnostics) = try pilot.run(ingest: false)
        #expect(diagnostics.entries.isEmpty)
        #expect(result.outcomes[0].report != nil)
        #expect(pilot.outputs() == before)
    }

    @Test("an edited definition source re-reads its files")
    func editedSourceRereads() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("a.csv", longRows(days: 1...1), modified: old)
        try pilot.run()
        try pilot.scratch.write("pipelines/p.yaml", StatefulPilot.definition.replacingOccurrences(
            of: "format: parkimpact-long", with: "format: parkimpact-long, timezone: Europe/Amsterdam"))
        let (result, _) = try pilot.run()
        #expect(result.outcomes[0].filesRead == 1)
    }
}

@Suite("the contribution codec") struct ContributionCodecTests {
    @Test("a contribution survives encoding bit for bit; each quantity keeps the extras its KPIs read")
    func roundTrip() throws {
        var cell = DayCell()
        cell.add(value: 0.1, quality: .measured)
        cell.add(value: 0.2, quality: .estimated)
        cell.add(value: 0, quality: .missing)
        cell.nightMinimumRate = 0.30000000000000004
        cell.note(start: 1_704_063_600 + 900)
        cell.note(start: 1_704_063_600 + 85_500)
        let span = [InputSpan(file: "p/a.csv", firstDay: 19_723, lastDay: 19_724)]
        let series = [Quantity.pvProduction, .water, .electricityPeak].map { quantity in
            SeriesData(
                key: SeriesKey(site: "s", quantity: quantity, meter: "inverter é"), intervalSeconds: 900,
                days: [19_723: cell, 19_724: DayCell()], inputs: span,
                readings: [IntervalReading(startUTC: 1_704_067_200, seconds: 900, quality: .estimated, value: 0.2)])
        }
        let contribution = ContributionCodec.Contribution(
            series: series,
            rejects: [Reject(file: "p/a.csv", line: 7, column: "value", code: .notANumber, reason: "\"x\" is not a number",
                             raw: "a,\"b\"\n", site: nil, day: 19_723)],
            summary: FileSummary(path: "p/a.csv", format: "sma", dialect: ";", acceptedRows: 3, rejectedRows: 1,
                                 ignoredRows: ["m³ twins": 2, "reactive": 1], problem: nil))
        let decoded = try ContributionCodec.decode(ContributionCodec.encode(contribution))
        // Stored and read back as the state does it: encoded whole (small) and piece by piece into its blob (large).
        let folder = NSTemporaryDirectory() + "parkimpact-codec-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StateStore(path: folder + "/state.sqlite")
        let run = try store.beginRun(startedAt: "2026-12-07T00:00:00Z")
        for (path, limit) in [("p/whole.csv", Int.max), ("p/pieces.csv", 0)] {
            let entry = LedgerEntry(pilot: "p", path: path, size: 1, modifiedNanoseconds: 1, sha256: "", readerKey: "",
                                    sourceIndex: 0, format: "sma", status: .ingested, runID: run)
            try store.commit([StateStore.FileCommit(entry, contribution: contribution, events: [])],
                             encodedWholeLimit: limit)
            let stored = try #require(try store.ledger(pilot: "p").first { $0.path == path })
            #expect(ContributionCodec.encode(try store.contribution(fileID: stored.id))
                == ContributionCodec.encode(decoded), "\(path)")
        }
        #expect(decoded.summary == contribution.summary)
        #expect(decoded.rejects == contribution.rejects)
        #expect(decoded.series.count == 3)
        for (index, original) in series.enumerated() {
            let read = decoded.series[index]
            #expect(read.key == original.key && read.intervalSeconds == 900)
            #expect(read.days == DayCells([19_723: cell, 19_724: DayCell()], extras: .init(for: original.key.quantity)))
            #expect(read.days[19_723]!.sum.bitPattern == cell.sum.bitPattern)
            #expect(read.days[19_723]!.firstStart == cell.firstStart && read.days[19_723]!.lastStart == cell.lastStart)
            #expect(read.inputs == original.inputs && read.readings == original.readings)
        }
        // PV keeps neither extra; water its night minimum, bit for bit; peak registers their maximum.
        #expect(decoded.series[0].days[19_723]!.maximum == -.infinity)
        #expect(decoded.series[0].days[19_723]!.nightMinimumRate == .infinity)
        #expect(decoded.series[1].days[19_723]!.nightMinimumRate.bitPattern == cell.nightMinimumRate.bitPattern)
        #expect(decoded.series[1].days[19_723]!.maximum == -.infinity)
        #expect(decoded.series[2].days[19_723]!.maximum == 0.2)
    }

    @Test("a version 1 contribution (PIC1, rejects without a code) still decodes, its rejects as unclassified")
    func version1StillDecodes() throws {
        let reject = Reject(file: "p/a.csv", line: 7, column: "value", code: .notANumber, reason: "\"x\" is not a number",
                            raw: "x", site: "s", day: 19_723)
        let contribution = ContributionCodec.Contribution(
            series: [], rejects: [reject],
            summary: FileSummary(path: "p/a.csv", format: "fluvius", dialect: ";", acceptedRows: 0, rejectedRows: 1,
                                 ignoredRows: ["gas m³ rows (the kWh twin row is used)": 2, "blank lines": 1,
                                               "Enphase columns not read: Stored in batteries (Wh)": 3,
                                               "a text of an older build": 4],
                                 problem: "all rejected", problemCode: "all_rows_rejected"))
        var bytes = ContributionCodec.encode(contribution, layout: .version3)
        #expect(Array(bytes.prefix(4)) == Array("PIC2".utf8))
        // The version 1 layout: magic PIC1, no problem code after the problem (a flag byte 1, an 8-byte length and
        // its bytes) and no code string after the reject's column.
        let problemCode = [1] + withUnsafeBytes(of: Int64(17).littleEndian, Array.init) + Array("all_rows_rejected".utf8)
        let codeAt = try #require(bytes.indices.first { bytes[$0...].starts(with: problemCode) })
        bytes.removeSubrange(codeAt..<(codeAt + problemCode.count))
        let code = Array(reject.code.rawValue.utf8)
        let codeField = withUnsafeBytes(of: Int64(code.count).littleEndian, Array.init) + code
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: codeField) })
        bytes.removeSubrange(at..<(at + codeField.count))
        bytes.replaceSubrange(0..<4, with: Array("PIC1".utf8))
        let decoded = try ContributionCodec.decode(bytes)
        #expect(decoded.rejects == [Reject(file: "p/a.csv", line: 7, column: "value", code: .unclassified,
                                           reason: "\"x\" is not a number", raw: "x", site: "s", day: 19_723)])
        #expect(decoded.summary.problem == "all rejected" && decoded.summary.problemCode == nil)
        // Version 1 kept English texts for ignored rows: the known ones become codes, others stay as they were.
        #expect(decoded.summary.ignoredRows == ["gas_m3_twin": 2, "empty_row": 1,
                                                "columns_not_read: Stored in batteries (Wh)": 3,
                                                "a text of an older build": 4])
        #expect(try ContributionCodec.decode(ContributionCodec.encode(contribution)).summary == contribution.summary)
        // A code this build does not know is refused, never read as another.
        var unknown = ContributionCodec.encode(contribution, layout: .version3)
        let position = try #require(unknown.indices.first { unknown[$0...].starts(with: code) })
        unknown[position] = UInt8(ascii: "X")
        #expect(throws: ContributionCodec.DecodingError.self) { try ContributionCodec.decode(unknown) }
    }

    /// A contribution of `seriesCount` series of `days` days each, with varied values.
    static func large(seriesCount: Int, days: Int) -> ContributionCodec.Contribution {
        let series = (0..<seriesCount).map { index in
            var cells = DayCells(extras: .init(for: .electricityOfftake))
            for day in 0..<days {
                var cell = DayCell()
                cell.add(value: Double(index * days + day) / 7, quality: day % 5 == 0 ? .estimated : .measured)
                cells.append(day: 19_000 + day, cell)
            }
            return SeriesData(key: SeriesKey(site: "s\(index % 3)", quantity: .electricityOfftake, meter: "m\(index)"),
                              intervalSeconds: 900, days: cells, inputs: [], readings: [])
        }
        return .init(series: series, rejects: [], summary: FileSummary(
            path: "p/big.csv", format: "parkimpact-long", dialect: ",", acceptedRows: seriesCount * days, rejectedRows: 0,
            ignoredRows: [:], problem: nil))
    }

    @Test("encoded in pieces of any size, the bytes are those of one encoding, and their count is known before")
    func pieces() throws {
        let contribution = Self.large(seriesCount: 7, days: 30)
        let whole = ContributionCodec.encode(contribution)
        #expect(ContributionCodec.encodedSize(contribution) == whole.count)
        for piece in [1, 7, 100, 4096, 1 << 20] {
            let collected = Box()
            try ContributionCodec.encode(contribution, piece: piece) { collected.pieces.append(Array($0)) }
            #expect(collected.pieces.joined().elementsEqual(whole), "piece \(piece)")
            #expect(collected.pieces.dropLast().allSatisfy { $0.count >= piece && $0.count < piece + 4096 })
        }
        struct Full: Error {}
        #expect(throws: Full.self) { try ContributionCodec.encode(contribution, piece: 64) { _ in throw Full() } }
    }

    final class Box: @unchecked Sendable { var pieces: [[UInt8]] = [] }

    @Test("the store writes a contribution larger than its pieces into its blob and gives it back bit for bit")
    func storedInPieces() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = try StateStore(path: scratch.path("state.sqlite"))
        let run = try store.beginRun(startedAt: "test")
        let contribution = Self.large(seriesCount: 300, days: 400)  // about 1.4 MB: two pieces
        #expect(ContributionCodec.encodedSize(contribution) > 1 << 20)
        try store.commit(LedgerEntry(pilot: "p", path: "p/big.csv", size: 1, modifiedNanoseconds: 1, sha256: "x",
                                     readerKey: "k", sourceIndex: 0, format: "parkimpact-long", status: .ingested,
                                     rowsAccepted: 16_000, rowsRejected: 0, runID: run),
                         contribution: contribution, events: [])
        let entry = try #require(try store.ledger(pilot: "p").first)
        let stored = try store.contribution(fileID: entry.id)
        #expect(ContributionCodec.encode(stored) == ContributionCodec.encode(contribution))
    }

    @Test("PIC4 keeps every cell and reading bit for bit in a fraction of PIC3's bytes; PIC3 still decodes the same")
    func compactLayout() throws {
        // Cells with every field away from an empty cell's value or at it, and bit patterns that only a bit-for-bit
        // store keeps (-0, NaN with a payload, infinities, the largest and smallest counts and starts); days that go
        // back before 1970 and jump; readings whose starts go down as well as up.
        let doubles: [Double] = [0, -0.0, 0.1, -1e300, .infinity, -.infinity, Double(bitPattern: 0x7FF8_0000_0000_0ABC),
                                 .leastNonzeroMagnitude, 1.0 / 3]
        // Starts from the day's midnight (a cell holds them as 32-bit offsets); nil: none.
        let starts: [Int64?] = [nil, 0, -86_400, 90_000, Int64(Int32.max), Int64(Int32.min) + 1]
        let counts: [Int32] = [0, 1, 96, .max, -1, .min]
        var cells = DayCells(extras: .init(for: .water))
        var day = -1_000
        for index in 0..<300 {
            var cell = DayCell()
            cell.sum = doubles[index % doubles.count]
            cell.present = counts[index % counts.count]
            cell.estimated = counts[(index / 2) % counts.count]
            cell.missing = counts[(index / 3) % counts.count]
            cell.maximum = index % 4 == 0 ? -.infinity : doubles[(index / 4) % doubles.count]
            cell.nightMinimumRate = index % 5 == 0 ? .infinity : doubles[(index / 5) % doubles.count]
            cell.firstStart = starts[index % starts.count].map { Int64(day) * 86_400 + $0 } ?? .max
            cell.lastStart = starts[(index / 6) % starts.count].map { Int64(day) * 86_400 + $0 } ?? .min
            cells.append(day: day, cell)
            day += index % 7 == 0 ? 400 : 1
        }
        let readings = (0..<200).map { index in
            IntervalReading(startUTC: [Int64.max, .min + 1, 0, 1_704_063_600][index % 4] - (index % 3 == 0 ? 0 : 1),
                            seconds: [900, 0, -1, .max][index % 4],
                            quality: [.measured, .estimated, .missing][index % 3],
                            value: doubles[index % doubles.count])
        }
        let series = [SeriesData(key: SeriesKey(site: "s", quantity: .water, meter: "w"), intervalSeconds: 900,
                                 days: cells, inputs: [InputSpan(file: "p/a.csv", firstDay: -1_000, lastDay: day)],
                                 readings: IntervalReadings(readings))]
        let contribution = ContributionCodec.Contribution(series: series, rejects: [], summary: FileSummary(
            path: "p/a.csv", format: "generic", dialect: ",", acceptedRows: 1, rejectedRows: 0, ignoredRows: [:],
            problem: nil))
        let compact = ContributionCodec.encode(contribution)
        #expect(Array(compact.prefix(4)) == Array("PIC4".utf8))
        #expect(ContributionCodec.encodedSize(contribution) == compact.count)
        for bytes in [compact, ContributionCodec.encode(contribution, layout: .version3)] {
            let read = try #require(try ContributionCodec.decode(bytes).series.first)
            #expect(read.days.count == cells.count && read.readings.count == readings.count)
            for ((dayA, a), (dayB, b)) in zip(read.days, cells) {
                #expect(dayA == dayB)
                #expect([a.sum, a.maximum, a.nightMinimumRate].map(\.bitPattern)
                    == [b.sum, b.maximum, b.nightMinimumRate].map(\.bitPattern), "day \(dayB)")
                #expect([a.present, a.estimated, a.missing] == [b.present, b.estimated, b.missing], "day \(dayB)")
                #expect(a.firstStart == b.firstStart && a.lastStart == b.lastStart, "day \(dayB)")
            }
            for (a, b) in zip(read.readings, readings) {
                #expect(a.startUTC == b.startUTC && a.seconds == b.seconds && a.quality == b.quality
                    && a.value.bitPattern == b.value.bitPattern)
            }
        }
        // One value per meter and day: an empty maximum and night rate, starts at local midnight.
        let daily = Self.large(seriesCount: 50, days: 365)
        let (new, old) = (ContributionCodec.encodedSize(daily), ContributionCodec.encodedSize(daily, layout: .version3))
        #expect(new * 3 < old, "\(new) vs \(old) bytes")
        // Damage is refused: a varint longer than 64 bits, unknown cell flags.
        let header = ContributionCodec.encode(.init(series: [], rejects: [], summary: contribution.summary)).count - 16
        var damaged = compact
        // After the meter's name "w", the interval (900) and the day count (8 bytes): the first cell.
        let meterAndInterval = Array("w".utf8) + withUnsafeBytes(of: Int32(900).littleEndian, Array.init)
        let firstCell = try #require(compact.indices.first { index in
            index > header && compact[index...].starts(with: meterAndInterval)
        }) + 1 + 4 + 8
        damaged.replaceSubrange(firstCell..<(firstCell + 2), with: [UInt8](repeating: 0xFF, count: 11) + [0x01])
        #expect(throws: ContributionCodec.DecodingError.self) { try ContributionCodec.decode(damaged) }
        damaged = compact
        damaged[firstCell + 2] = 0x40  // the first cell's flags
        #expect(throws: ContributionCodec.DecodingError.self) { try ContributionCodec.decode(damaged) }
    }

    @Test("a truncated or foreign blob is refused with a reason, never a crash")
    func truncatedBlobs() throws {
        let bytes = ContributionCodec.encode(.init(series: [], rejects: [], summary: FileSummary(
            path: "p", format: "f", dialect: "d", acceptedRows: 0, rejectedRows: 0, ignoredRows: [:], problem: nil)))
        for length in 0..<bytes.count {
            #expect(throws: ContributionCodec.DecodingError.self) { try ContributionCodec.decode(Array(bytes[..<length])) }
        }
        #expect(throws: ContributionCodec.DecodingError.self) { try ContributionCodec.decode(Array("nope".utf8)) }
    }
}

@Suite("the progress line") struct ProgressLineTests {
    @Test("bytes, share, files, rate and time left; fingerprinting has no total; reporting counts pilots")
    func lines() {
        #expect(ProgressDisplay.line(.init(stage: .reading, bytes: 412_300_000, totalBytes: 1_082_528_012, files: 74,
                                           totalFiles: 201, seconds: 4.3))
            == "reading: 38 % · 412 of 1,083 MB · 74 of 201 files · 96 MB/s · about 7 s left")
        // Re-reads can take the bytes past the total: the share stops at 99 % until the stage ends.
        #expect(ProgressDisplay.line(.init(stage: .reading, bytes: 1_100_000_000, totalBytes: 1_082_528_012,
                                           files: 201, totalFiles: 201, seconds: 10))
            == "reading: 99 % · 1,100 of 1,083 MB · 201 of 201 files · 110 MB/s")
        #expect(ProgressDisplay.line(.init(stage: .fingerprinting, bytes: 2_500_000_000, totalBytes: 0, files: 3,
                                           totalFiles: 0, seconds: 2))
            == "fingerprinting: 2,500 MB · 3 file(s) · 1,250 MB/s")
        #expect(ProgressDisplay.line(.init(stage: .reporting, bytes: 0, totalBytes: 0, files: 0, totalFiles: 1,
                                           seconds: 3.7)) == "reporting: 0 of 1 pilots · 3 s")
    }
}

@Suite("fingerprints") struct FingerprintTests {
    /// A 64-bit little-endian ELF image with one `PT_LOAD` and one `PT_NOTE` program header holding `notes`.
    static func elf(notes: [UInt8], elfClass: UInt8 = 2) -> [UInt8] {
        func le(_ value: Int, _ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        var header = [UInt8](repeating: 0, count: 64)
        header.replaceSubrange(0..<6, with: [0x7F, 0x45, 0x4C, 0x46, elfClass, 1])
        header.replaceSubrange(0x20..<0x28, with: le(64, 8))      // e_phoff
        header.replaceSubrange(0x36..<0x38, with: le(56, 2))      // e_phentsize
        header.replaceSubrange(0x38..<0x3A, with: le(2, 2))       // e_phnum
        func program(type: Int, offset: Int, size: Int) -> [UInt8] {
            le(type, 4) + le(0, 4) + le(offset, 8) + le(0, 8) + le(0, 8) + le(size, 8) + le(size, 8) + le(4, 8)
        }
        return header + program(type: 1, offset: 0, size: 0) + program(type: 4, offset: 64 + 112, size: notes.count)
            + notes
    }

    static func note(owner: String, type: Int, descriptor: [UInt8]) -> [UInt8] {
        func le(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4) }
        let name = Array(owner.utf8) + [0]
        return le(name.count) + le(descriptor.count) + le(type) + padded(name) + padded(descriptor)
    }

    @Test("the build is identified by the linker's GNU build ID, read from the ELF notes")
    func buildID() {
        func read(_ image: [UInt8]) -> String? {
            FileDigest.elfBuildID { offset, count in
                offset >= 0 && offset + count <= image.count ? Array(image[offset..<offset + count]) : nil
            }
        }
        let id = [UInt8](0..<20)
        let abiTag = Self.note(owner: "GNU", type: 1, descriptor: [0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
        let image = Self.elf(notes: Self.note(owner: "Go", type: 4, descriptor: [1, 2, 3]) + abiTag
                             + Self.note(owner: "GNU", type: 3, descriptor: id))
        #expect(read(image) == "000102030405060708090a0b0c0d0e0f10111213")
        #expect(read(Self.elf(notes: abiTag)) == nil)                               // no build ID note
        #expect(read(Self.elf(notes: Self.note(owner: "GNU", type: 3, descriptor: id), elfClass: 1)) == nil)  // 32-bit
        #expect(read(Array(image.dropLast(8))) == nil)                               // cut inside the ID
        #expect(read(Array("#!/bin/sh\n".utf8) + [UInt8](repeating: 0, count: 64)) == nil)
        // The running test binary: a build ID, or (linked without one) none; the build key follows.
        if let own = FileDigest.elfBuildID(path: "/proc/self/exe") {
            #expect(own.count >= 16 && own.allSatisfy(\.isHexDigit))
            #expect(FileDigest.executable == "build-id " + own)
        }
    }

    @Test("SHA-256 of many files on all cores equals each file's own; unreadable files are left out")
    func parallelEqualsSequential() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var paths: [String] = []
        for index in 0..<9 {
            try scratch.write("f\(index).csv", String(repeating: "row \(index)\n", count: 1 + index * 5_000))
            paths.append(scratch.path("f\(index).csv"))
        }
        let together = FileDigest.sha256(paths: paths + [scratch.path("missing.csv")], threads: 2)
        #expect(together.count == 9)
        for path in paths { #expect(together[path] == (try FileDigest.sha256(path: path))) }
        #expect(together[scratch.path("f0.csv")] == FileDigest.sha256(Array("row 0\n".utf8)))
    }
}

@Suite("outputs written part by part") struct SinkTests {
    @Test("parts delivered in any order are written in part order, hashed, and renamed into place; no temporary left")
    func partsInAnyOrder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("out/p/kpis.csv")
        let sink = try OutputFiles.Sink(path: path)
        #expect(FileManager.default.fileExists(atPath: scratch.path("out/p/.kpis.csv.parkimpact-tmp")))
        for part in [2, 0, 3, 1] { sink.deliver(Array("part \(part)\n".utf8), part: part) }
        let sha = try sink.finish()
        #expect(scratch.read("out/p/kpis.csv") == "part 0\npart 1\npart 2\npart 3\n")
        #expect(sha == (try FileDigest.sha256(path: path)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out/p")) == ["kpis.csv"])
    }

    /// Workers that run ahead of a slow one wait rather than pile up parts, and never wait for each other for ever.
    @Test("parts rendered on several threads at uneven speeds: written in order, at most two held", .timeLimit(.minutes(1)))
    func aFewPartsHeldAtMost() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let sink = try OutputFiles.Sink(path: scratch.path("out/p/daily.csv"))
        ConcurrentMap.forEach(300, threads: 4) { part in
            // Part 0 takes long while the others run ahead: it waits until one of them is held (at most 10 s, so a
            // run where no other thread got to work still ends, and fails on `mostHeld > 0` below).
            if part == 0 {
                for _ in 0..<1000 where sink.mostHeld == 0 { usleep(10_000) }
            }
            if part % 37 == 0 { usleep(20_000) }
            sink.deliver(Array("part \(part)\n".utf8), part: part)
        }
        _ = try sink.finish()
        #expect(scratch.read("out/p/daily.csv") == (0..<300).map { "part \($0)\n" }.joined())
        #expect(sink.mostHeld <= OutputFiles.Sink.heldLimit && sink.mostHeld > 0)
    }
}
