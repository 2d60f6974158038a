import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline
#if canImport(Glibc)
import Glibc
#endif

/// Two sites, each with its own Fluvius folder: `a/*.csv` (site a) and `b/*.csv` (site b), run by the real binary.
struct TwoSites {
    let scratch: Scratch
    static let eanA = "541448820000000001"
    static let eanB = "541448820000000002"
    static let definition = """
        pilot: p
        name: "P"
        language: en
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: a, name: "A" }, { id: b, name: "B" } ]
        sources:
          - { path: "a/*.csv", format: fluvius, site: a }
          - { path: "b/*.csv", format: fluvius, site: b }
        """

    init(definition: String = Self.definition) throws {
        scratch = try Scratch()
        try scratch.write("pipelines/p.yaml", definition)
        try FileManager.default.createDirectory(atPath: scratch.path("input/p"), withIntermediateDirectories: true)
    }

    /// A Fluvius export of one meter: the first hour of January `day` 2024, four quarter-hours of `value` kWh.
    static func export(ean: String, day: Int, value: Int) -> String {
        var text = "\u{FEFF}" + CommandTests.header
        for quarter in 0..<4 {
            let from = String(format: "%02d-01-2024;00:%02d:00", day, quarter * 15)
            let to = quarter == 3 ? String(format: "%02d-01-2024;01:00:00", day)
                : String(format: "%02d-01-2024;00:%02d:00", day, quarter * 15 + 15)
            text += "\(from);\(to);=\"\(ean)\";1SAG;Digitale Meter;Afname Nacht;\(value);kWh;Gevalideerd;\n"
        }
        return text
    }

    // a1: site a's own meter, 4 kWh on 1 January. b1 and b2: site b's meter, 8 kWh on 1 and 12 kWh on 2 January.
    static let a1 = export(ean: eanA, day: 1, value: 1)
    static let b1 = export(ean: eanB, day: 1, value: 2)
    static let b2 = export(ean: eanB, day: 2, value: 3)
    /// A second download of b2 saved in site a's folder.
    static let stray = "a/b2 (1).csv"

    func write(_ relative: String, _ text: String) throws { try scratch.write("input/p/\(relative)", text) }
    func delete(_ relative: String) throws { try FileManager.default.removeItem(atPath: scratch.path("input/p/\(relative)")) }
    func full(_ relative: String) -> String { scratch.path("input/p/\(relative)") }

    func run(_ extra: [String] = []) throws -> Binary.Outcome {
        try Binary.run(["run", "--settle-seconds", "0"] + extra, in: scratch.root)
    }

    /// The reporting-period grid offtake of a site (nil: the pilot) in kpis.json, as an officer reads it.
    func offtake(_ site: String? = nil) throws -> String {
        let json = try #require(scratch.read("output/p/kpis.json"))
        let prefix = "{\"key\": \"energy.electricity.offtake_kwh\", \"period\": \"reporting\", \"site\": "
            + (site.map { "\"\($0)\"" } ?? "null") + ", \"value\": "
        let line = try #require(json.split(separator: "\n").map { $0.drop { $0 == " " } }.first { $0.hasPrefix(prefix) })
        return String(line.dropFirst(prefix.count).prefix { $0 != "," })
    }

    func totals() throws -> [String] { [try offtake("a"), try offtake("b"), try offtake()] }

    func ledger() throws -> [String] {
        try StateStore(path: scratch.path("output/.parkimpact/state.sqlite")).ledger(pilot: "p").map {
            "\($0.path) \($0.status.rawValue) \($0.duplicateOf ?? "-")" + ($0.conflict.map { " conflict: \($0)" } ?? "")
        }
    }

    /// The error for a copy of `counted` under the other site's source.
    func keptError(copy: String, copySource: Int, counted: String, countedSource: Int, meter: String) -> String {
        "error: \(full(copy)) is a copy of \(full(counted)) (same bytes, SHA-256; meter id(s) \(meter)), taken by "
            + "sources[\(copySource)] (site \(copySource == 0 ? "a" : "b"), fluvius) while p/\(counted) is taken by "
            + "sources[\(countedSource)] (site \(countedSource == 0 ? "a" : "b"), fluvius): only p/\(counted) is "
            + "counted, this copy is not; delete the stray copy, or fix the sources' globs in "
            + "\(scratch.path("pipelines/p.yaml")) so that only the right source takes it\n"
    }

    func errors(_ outcome: Binary.Outcome) -> String {
        outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("error: ") }
            .map { $0 + "\n" }.joined()
    }
}

@Suite("copies across sites and sources, deleted copies (the real binary)", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct CopyAcrossSitesTests {
    /// By hand: a = 4 kWh (a1), b = 8 + 12 = 20 kWh (b1, b2), the park 24 kWh.
    static let right = ["4", "20", "24"]

    @Test("a copy of site b's export in site a's folder before the first run: b's own file counts (its meter is b's), the copy is an error until deleted")
    func copyBeforeFirstRun() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("b/b2.csv", TwoSites.b2)
        try park.write(TwoSites.stray, TwoSites.b2)
        let first = try park.run()
        #expect(first.status == 65, "\(first.stderr)")
        let error = park.keptError(copy: TwoSites.stray, copySource: 0, counted: "b/b2.csv", countedSource: 1,
                                   meter: TwoSites.eanB)
        #expect(park.errors(first) == error)
        #expect(try park.totals() == Self.right)
        // It stands on every run (with its code in JSON lines), and nothing else changes.
        let again = try park.run(["--log-format", "json"])
        #expect(again.status == 65)
        #expect(again.stderr.contains("\"code\": \"copy_across_sites\""), "\(again.stderr)")
        #expect(try park.totals() == Self.right)
        try park.delete(TwoSites.stray)
        let fixed = try park.run()
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(park.errors(fixed).isEmpty)
        #expect(try park.totals() == Self.right)
        #expect(try park.ledger() == ["p/a/a1.csv ingested -", "p/b/b1.csv ingested -", "p/b/b2.csv ingested -"])
        #expect(try park.run().stdout.hasPrefix("nothing new: 3 file(s) unchanged"))
    }

    @Test("check names copies that different sources take (exit 65); copies under one source are not an error")
    func checkNamesCopies() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("b/b2.csv", TwoSites.b2)
        try park.write("b/copy of b2.csv", TwoSites.b2)
        #expect(try Binary.run(["check"], in: park.scratch.root).status == 0)
        try park.write(TwoSites.stray, TwoSites.b2)
        let checked = try Binary.run(["check"], in: park.scratch.root)
        #expect(checked.status == 65)
        #expect(park.errors(checked) == "error: \(park.full(TwoSites.stray)) and \(park.full("b/b2.csv")) and "
            + "\(park.full("b/copy of b2.csv")) are copies of each other (same bytes, SHA-256), taken by sources[0] "
            + "(site a, fluvius) and sources[1] (site b, fluvius): a run counts at most "
            + "one of them; delete the stray copy, or fix the sources' globs in \(park.scratch.path("pipelines/p.yaml")) "
            + "so that only the right source takes it\n")
    }

    @Test("a copy added after the original's first run: the original keeps counting, the copy is an error until deleted")
    func copyAfterFirstRun() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("b/b2.csv", TwoSites.b2)
        #expect(try park.run().status == 0)
        #expect(try park.totals() == Self.right)
        try park.write(TwoSites.stray, TwoSites.b2)
        let copied = try park.run()
        #expect(copied.status == 65)
        #expect(park.errors(copied) == park.keptError(copy: TwoSites.stray, copySource: 0, counted: "b/b2.csv",
                                                      countedSource: 1, meter: TwoSites.eanB))
        #expect(try park.totals() == Self.right)
        #expect(try park.run().status == 65)
        try park.delete(TwoSites.stray)
        let fixed = try park.run()
        #expect(fixed.status == 0 && park.errors(fixed).isEmpty, "\(fixed.stderr)")
        #expect(try park.totals() == Self.right)
    }

    @Test("the counted original deleted while its copy in the other site's folder remains: the copy counts, for its own site, and both warnings say so")
    func originalDeletedStrayRemains() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("b/b2.csv", TwoSites.b2)
        #expect(try park.run().status == 0)
        try park.write(TwoSites.stray, TwoSites.b2)
        #expect(try park.run().status == 65)
        try park.delete("b/b2.csv")
        let promoted = try park.run()
        #expect(promoted.status == 0)
        // a: 4 + 12 (the copy), b: 8: visibly moved, not silently.
        #expect(try park.totals() == ["16", "8", "24"])
        #expect(promoted.stderr == """
            warning: \(park.full(TwoSites.stray)): read and counted now: p/b/b2.csv, which it copies, was deleted; \
            sources[1] (site b, fluvius) took that file, sources[0] (site a, fluvius) takes this copy, so its data \
            count there; if that is wrong, move it where sources[1] takes it
            warning: meter id \(TwoSites.eanB) is counted under site a (p/\(TwoSites.stray)) and site b (p/b/b1.csv): \
            one meter belongs to one site; check the sources' site and globs for a file saved in the wrong folder

            """)
    }

    @Test("a stray copy counted before its original arrived: the original is an error; deleting the stray copy promotes the original and the totals are right")
    func strayCopyDeleted() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write(TwoSites.stray, TwoSites.b2)
        // Nothing tells yet that the copy is b's: counted for a (4 + 12), but its meter under two sites is warned.
        let first = try park.run()
        #expect(first.status == 0)
        #expect(try park.totals() == ["16", "8", "24"])
        #expect(first.stderr.contains("warning: meter id \(TwoSites.eanB) is counted under site a (p/\(TwoSites.stray)) "
            + "and site b (p/b/b1.csv): one meter belongs to one site; check the sources' site and globs for a file "
            + "saved in the wrong folder\n"), "\(first.stderr)")
        try park.write("b/b2.csv", TwoSites.b2)
        let arrived = try park.run()
        #expect(arrived.status == 65)
        #expect(park.errors(arrived) == park.keptError(copy: "b/b2.csv", copySource: 1, counted: TwoSites.stray,
                                                       countedSource: 0, meter: TwoSites.eanB))
        // Both read again (an edited source, as after a new build): the file the state counts still counts.
        try park.scratch.write("pipelines/p.yaml", TwoSites.definition.replacingOccurrences(
            of: "format: fluvius,", with: "format: fluvius, timezone: Europe/Brussels,"))
        let reread = try park.run()
        #expect(reread.status == 65 && reread.stdout.hasPrefix("p: 3 file(s) ingested, 1 duplicate(s) not counted"),
                "\(reread.stdout)")
        #expect(park.errors(reread) == park.errors(arrived))
        #expect(try park.totals() == ["16", "8", "24"])
        try park.delete(TwoSites.stray)
        let fixed = try park.run()
        #expect(fixed.status == 0 && park.errors(fixed).isEmpty, "\(fixed.stderr)")
        #expect(fixed.stderr.contains(park.full("b/b2.csv") + ": read and counted now: p/\(TwoSites.stray), which it "
            + "copies, was deleted\n"), "\(fixed.stderr)")
        #expect(!fixed.stderr.contains("meter id"))
        #expect(try park.totals() == Self.right)
        #expect(try park.ledger() == ["p/a/a1.csv ingested -", "p/b/b1.csv ingested -", "p/b/b2.csv ingested -"])
        #expect(try park.run().stdout.hasPrefix("nothing new: 3 file(s) unchanged"))
    }

    @Test("a stray copy counted for the wrong site, moved into the right site's folder: counted once, for the right site, no error left")
    func strayCopyMoved() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write(TwoSites.stray, TwoSites.b2)
        #expect(try park.run().status == 0)
        try park.write("b/b2.csv", TwoSites.b2)
        #expect(try park.run().status == 65)
        #expect(try park.totals() == ["16", "8", "24"])
        try FileManager.default.moveItem(atPath: park.full(TwoSites.stray), toPath: park.full("b/b2 (1).csv"))
        let moved = try park.run()
        #expect(moved.status == 0, "\(moved.stderr)")
        // Its meter is site b's (b1.csv): a plain rename.
        #expect(moved.stderr == park.full("b/b2 (1).csv") + ": renamed from p/\(TwoSites.stray) (same content): read "
            + "under its new name, counted once\n")
        #expect(try park.totals() == Self.right)
        #expect(try park.ledger() == ["p/a/a1.csv ingested -", "p/b/b1.csv ingested -", "p/b/b2 (1).csv ingested -",
                                      "p/b/b2.csv duplicate p/b/b2 (1).csv"])
        #expect(try park.run().stdout.hasPrefix("nothing new: 4 file(s) unchanged"))
        // Moved the wrong way (b's file into a's folder): counted once, for a, and a warning says so.
        try FileManager.default.moveItem(atPath: park.full("b/b1.csv"), toPath: park.full("a/b1.csv"))
        let wrong = try park.run()
        #expect(wrong.status == 0)
        #expect(try park.totals() == ["12", "12", "24"])
        #expect(wrong.stderr.hasPrefix("warning: " + park.full("a/b1.csv") + ": renamed from p/b/b1.csv (same content), "
            + "which sources[1] (site b, fluvius) took; now sources[0] (site a, fluvius) takes it, so its data count "
            + "there, counted once; if that is wrong, move it back\n"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("warning: meter id \(TwoSites.eanB) is counted under site a (p/a/b1.csv) and "
            + "site b (p/b/b2 (1).csv)"), "\(wrong.stderr)")
    }

    @Test("the original deleted while a copy under the same source remains: the copy is read and counted, totals unchanged, nothing kept of the deleted file")
    func originalDeletedCopyRemains() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("b/b2.csv", TwoSites.b2)
        try park.write("b/copy of b2.csv", TwoSites.b2)
        let first = try park.run()
        #expect(first.status == 0)
        #expect(first.stderr == "warning: \(park.full("b/copy of b2.csv")): same content as p/b/b2.csv: not counted twice\n")
        #expect(try park.totals() == Self.right)
        try park.delete("b/b2.csv")
        let promoted = try park.run()
        #expect(promoted.status == 0)
        #expect(promoted.stderr == park.full("b/copy of b2.csv") + ": read and counted now: p/b/b2.csv, which it "
            + "copies, was deleted\n")
        #expect(promoted.stdout.hasPrefix("p: 1 file(s) ingested, 2 unchanged, 0 unreadable; 4 rows accepted"),
                "\(promoted.stdout)")
        #expect(try park.totals() == Self.right)
        #expect(try park.ledger() == ["p/a/a1.csv ingested -", "p/b/b1.csv ingested -", "p/b/copy of b2.csv ingested -"])
        // The only copy deleted: kept, so that no data is lost.
        try park.delete("b/copy of b2.csv")
        let kept = try park.run()
        #expect(kept.stderr == "warning: \(park.full("b/copy of b2.csv")): deleted from the input folder, and no copy "
            + "of it is left; its contribution (4 rows) is kept in the reports so that no data is lost; put the file "
            + "back if it was deleted by mistake\n")
        #expect(try park.totals() == Self.right)
    }

    @Test("the original and a copy in the other site's folder added in the same run: decided by the meter ids")
    func bothInOneRun() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        #expect(try park.run().status == 0)
        #expect(try park.totals() == ["4", "8", "12"])
        try park.write("b/b2.csv", TwoSites.b2)
        try park.write(TwoSites.stray, TwoSites.b2)
        let both = try park.run()
        #expect(both.status == 65)
        #expect(park.errors(both) == park.keptError(copy: TwoSites.stray, copySource: 0, counted: "b/b2.csv",
                                                    countedSource: 1, meter: TwoSites.eanB))
        #expect(try park.totals() == Self.right)
        #expect(try park.ledger() == ["p/a/a1.csv ingested -",
                                      "p/a/b2 (1).csv duplicate p/b/b2.csv conflict: meter id(s) \(TwoSites.eanB)",
                                      "p/b/b1.csv ingested -", "p/b/b2.csv ingested -"])
    }

    @Test("when no site's other files have the copies' meter ids, neither counts; deleting the stray copy counts the other")
    func nothingDecides() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b2.csv", TwoSites.b2)
        try park.write(TwoSites.stray, TwoSites.b2)
        let first = try park.run()
        #expect(first.status == 65)
        #expect(park.errors(first) == "error: \(park.full(TwoSites.stray)) and \(park.full("b/b2.csv")) are copies of "
            + "each other (same bytes, SHA-256; meter id(s) \(TwoSites.eanB)), taken by sources[0] (site a, fluvius) "
            + "and sources[1] (site b, fluvius): neither is counted, as no other file of either site has these meter "
            + "ids to tell which site the data belong to; delete the stray copy, or fix the sources' globs in "
            + "\(park.scratch.path("pipelines/p.yaml")) so that only the right source takes it\n")
        #expect(try park.totals() == ["4", "null", "4"])
        #expect(try park.run().status == 65)
        try park.delete(TwoSites.stray)
        let fixed = try park.run()
        #expect(fixed.status == 0 && park.errors(fixed).isEmpty, "\(fixed.stderr)")
        #expect(try park.totals() == ["4", "12", "16"])
    }
}

@Suite("files no source takes, a missing input folder, files left to settle, report before any run (the real binary)",
       .serialized, .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct StrayInputTests {
    @Test("every file under input/<pilot>/ that no source takes is named with why; hidden files stay silent")
    func straysAreNamed() throws {
        let park = try TwoSites(definition: TwoSites.definition.replacingOccurrences(
            of: "\n  - { path: \"b/*.csv\", format: fluvius, site: b }", with: ""))
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        try park.write("a/offtake.xlsx", "PK\u{3}\u{4}")
        try park.write("a/.DS_Store", "x")
        // A name in Latin-1 (caf\xE9.csv), as an old Windows share may write it.
        let bytes = Array(park.full("a/caf").utf8) + [0xE9] + Array(".csv".utf8) + [0]
        let descriptor = bytes.withUnsafeBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
        }
        #expect(descriptor >= 0)
        close(descriptor)
        defer { _ = bytes.withUnsafeBufferPointer { unlink(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) } }
        let outcome = try park.run()
        #expect(outcome.status == 0)
        let folder = park.scratch.path("input/p")
        #expect(outcome.stderr == """
            warning: \(folder)/a/offtake.xlsx: not read: an Excel workbook, not a CSV file; open it in Excel and save \
            it as CSV (UTF-8) (File › Save As › CSV UTF-8) in the same folder, then remove the workbook
            warning: \(folder)/b/b1.csv: not read: no source of \(park.scratch.path("pipelines/p.yaml")) takes it (its \
            globs: "a/*.csv"); add a source for it or fix a glob, or move it out of \(folder)
            warning: \(folder)/a/caf\\xE9.csv: not read: its name is not valid UTF-8 (shown with its non-ASCII bytes \
            as \\xNN), so no source can take it; rename it (e.g. without accented letters)

            """)
        #expect(try park.offtake() == "4")
        let json = try park.run(["--log-format", "json"])
        for code in ["xlsx_not_csv", "no_source", "name_not_utf8"] {
            #expect(json.stderr.contains("\"code\": \"\(code)\""), "\(code): \(json.stderr)")
        }
    }

    @Test("a missing input folder is an error (exit 65) and no report of nulls is written")
    func missingInputFolder() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try FileManager.default.removeItem(atPath: park.scratch.path("input/p"))
        let outcome = try park.run()
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: \(park.scratch.path("input/p")): input folder not found, so nothing of pilot "
            + "p was read and no report was written; create it and drop the exports there, or check --input (now "
            + "\(park.scratch.path("input")))\n")
        #expect(outcome.stdout == "p: input folder missing: nothing read, no report written\n")
        #expect(!FileManager.default.fileExists(atPath: park.scratch.path("output/p/kpis.json")))
        #expect(!FileManager.default.fileExists(atPath: park.scratch.path("output/index.html")))
        // The run manifest records it with its code.
        let manifest = try #require(park.scratch.read("output/.parkimpact/last-run.json"))
        #expect(manifest.contains("\"input_missing\": true"), "\(manifest)")
        #expect(manifest.contains("was read and no report was written; create it and drop the exports there, or check "
            + "--input (now \(park.scratch.path("input")))\", \"code\": \"input_folder_missing\"}"), "\(manifest)")
    }

    @Test("a run that leaves files to settle says so and when to run again, never 'outputs up to date'; report before any input was read exits 64")
    func filesLeftToSettle() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        let none = try Binary.run(["report"], in: park.scratch.root)
        #expect(none.status == 64)
        #expect(none.stderr == "error: report: nothing to report yet: no state at "
            + "\(park.scratch.path("output/.parkimpact/state.sqlite")) (no run has read the inputs); run `parkimpact run` "
            + "first, or give --state\n")
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        // Modified "in the future" (a clock ahead on the share), and again while the run waits: left to settle.
        let paths = ["a/a1.csv", "b/b1.csv"].map(park.full)
        let aheadAgain: @Sendable (Double) -> Void = { seconds in
            for path in paths {
                try? FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(seconds)],
                                                       ofItemAtPath: path)
            }
        }
        aheadAgain(3600)
        // Changed again four times within the first 1.5 s: a run that looks late (a busy machine) still sees a change
        // while it waits; none is left for the second run's wait.
        let first = try Binary.run(["run", "--settle-seconds", "2"], in: park.scratch.root, started: { _ in
            for (step, delay) in [0.3, 0.7, 1.1, 1.5].enumerated() {
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) { aheadAgain(7200 + Double(step) * 60) }
            }
        })
        #expect(first.status == 0)
        #expect(first.stdout == "nothing new: 0 file(s) unchanged in 1 pilot(s); 2 file(s) left to settle; run again "
            + "in 2 s or pass --settle-seconds 0\n")
        // Nothing read yet: no report of nulls.
        #expect(!FileManager.default.fileExists(atPath: park.scratch.path("output/p/kpis.json")))
        let report = try Binary.run(["report"], in: park.scratch.root)
        #expect(report.status == 64)
        #expect(report.stderr == "error: p: nothing to report yet: no run has read an input of this pilot into "
            + "\(park.scratch.path("output/.parkimpact/state.sqlite")); run `parkimpact run` first\n")
        #expect(report.stdout.isEmpty)
        // Still dated in the future but unchanged over the run's wait: read, with a warning about the clocks.
        let second = try Binary.run(["run", "--settle-seconds", "2"], in: park.scratch.root)
        #expect(second.status == 0)
        #expect(second.stdout.hasPrefix("p: 2 file(s) ingested"), "\(second.stdout)")
        let warnings = second.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 2, "\(second.stderr)")
        for warning in warnings {
            #expect(warning.contains(" in the future (the clock of the machine or share that wrote it is ahead of this "
                + "one's); read because it stayed unchanged for 2 s; set the clocks right (NTP)"), "\(warning)")
        }
        #expect(try Binary.run(["report"], in: park.scratch.root).status == 0)
    }

    @Test("files copied in just now are waited for (at most --settle-seconds) and read, not skipped")
    func freshFilesAreWaitedFor() throws {
        let park = try TwoSites()
        defer { park.scratch.remove() }
        try park.write("a/a1.csv", TwoSites.a1)
        try park.write("b/b1.csv", TwoSites.b1)
        let started = Date()
        let run = try Binary.run(["run", "--settle-seconds", "2"], in: park.scratch.root)
        let waited = Date().timeIntervalSince(started)
        #expect(run.status == 0)
        #expect(run.stderr.hasPrefix("waiting 2 s for 2 file(s) modified less than 2 s ago (or dated in the future) to "
            + "settle"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("p: 2 file(s) ingested"), "\(run.stdout)")
        #expect(waited >= 1.5 && waited < 30)
        #expect(FileManager.default.fileExists(atPath: park.scratch.path("output/p/kpis.json")))
        // Nothing young left: the next run does not wait.
        let again = try Binary.run(["run", "--settle-seconds", "2"], in: park.scratch.root)
        #expect(again.stdout.hasPrefix("nothing new"), "\(again.stdout)")
        #expect(!again.stderr.contains("waiting"))
    }
}

@Suite("copies across sites under SIGKILL (the real binary)", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct CopyAcrossSitesCrashTests {
    /// The ledger as it must be after a crash and a rerun (no run ids, no row ids).
    static func ledger(_ park: TwoSites) throws -> [String] {
        try StateStore(path: park.scratch.path("output/.parkimpact/state.sqlite")).ledger(pilot: "p").map {
            "\($0.path) \($0.size) \($0.sha256.prefix(12)) \($0.status.rawValue) \($0.duplicateOf ?? "-") "
                + "\($0.conflict ?? "-") \($0.rowsAccepted)"
        }
    }

    @Test("SIGKILL after each file's commit or after the copies are settled, then a rerun: the same ledger and outputs as an uninterrupted run")
    func killedWhileSettling() throws {
        func park() throws -> TwoSites {
            let park = try TwoSites()
            try park.write("a/a1.csv", TwoSites.a1)
            try park.write("b/b1.csv", TwoSites.b1)
            try park.write("b/b2.csv", TwoSites.b2)
            try park.write(TwoSites.stray, TwoSites.b2)
            return park
        }
        let reference = try park()
        defer { reference.scratch.remove() }
        #expect(try reference.run().status == 65)
        let expectedLedger = try Self.ledger(reference)
        #expect(expectedLedger.count == 4 && expectedLedger[1].contains(" duplicate p/b/b2.csv meter id(s) "))
        let expectedOutputs = outputFiles(in: reference.scratch.path("output"))
        for fault in ["committed:1", "committed:2", "committed:3", "committed:4", "settled:1"] {
            let crashed = try park()
            defer { crashed.scratch.remove() }
            // Same modification times as the reference (the merge's tie-break reads them).
            for name in ["a/a1.csv", "b/b1.csv", "b/b2.csv", TwoSites.stray] {
                let time = try FileManager.default.attributesOfItem(atPath: reference.full(name))[.modificationDate]
                try FileManager.default.setAttributes([.modificationDate: time as Any], ofItemAtPath: crashed.full(name))
            }
            let killed = try Binary.run(["run", "--settle-seconds", "0"], in: crashed.scratch.root,
                                        environment: ["PARKIMPACT_FAULT": fault])
            #expect(killed.signal == SIGKILL, "\(fault): \(killed.stderr)")
            let rerun = try crashed.run()
            #expect(rerun.status == 65, "\(fault): \(rerun.stderr)")
            #expect(try Self.ledger(crashed) == expectedLedger, "ledger after a crash at \(fault)")
            #expect(try crashed.totals() == CopyAcrossSitesTests.right, "\(fault)")
            #expect(outputFiles(in: crashed.scratch.path("output")) == expectedOutputs, "outputs after a crash at \(fault)")
        }
    }

    @Test("SIGKILL while a copy is promoted in place of its deleted original, then a rerun: the same ledger and totals as an uninterrupted run")
    func killedWhilePromoting() throws {
        func park() throws -> TwoSites {
            let park = try TwoSites()
            try park.write("a/a1.csv", TwoSites.a1)
            try park.write("b/b1.csv", TwoSites.b1)
            try park.write("b/b2.csv", TwoSites.b2)
            try park.write("b/copy of b2.csv", TwoSites.b2)
            #expect(try park.run().status == 0)
            try park.delete("b/b2.csv")
            return park
        }
        let reference = try park()
        defer { reference.scratch.remove() }
        #expect(try reference.run().status == 0)
        let expected = try Self.ledger(reference)
        #expect(expected.map { $0.components(separatedBy: " ")[0] } == ["p/a/a1.csv", "p/b/b1.csv", "p/b/copy"])
        for fault in ["committed:1", "output:1", "recorded:1"] {
            let crashed = try park()
            defer { crashed.scratch.remove() }
            let killed = try Binary.run(["run", "--settle-seconds", "0"], in: crashed.scratch.root,
                                        environment: ["PARKIMPACT_FAULT": fault])
            #expect(killed.signal == SIGKILL, "\(fault): \(killed.stderr)")
            let rerun = try crashed.run()
            #expect(rerun.status == 0 && !rerun.stderr.contains("error"), "\(fault): \(rerun.stderr)")
            #expect(try Self.ledger(crashed) == expected, "ledger after a crash at \(fault)")
            #expect(try crashed.totals() == CopyAcrossSitesTests.right, "\(fault)")
        }
    }
}
