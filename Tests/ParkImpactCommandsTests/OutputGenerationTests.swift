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

/// A small tmpfs, where a full disk is real: `mount -t tmpfs -o size=…` (root, and a kernel that allows it).
enum SmallDisk {
    static func mount(at path: String, kilobytes: Int) -> Bool {
        command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
    }

    @discardableResult
    static func unmount(_ path: String) -> Bool { command("/bin/umount", [path]) }

    /// Fills the file system that holds `folder` to the last byte (a file `filler` in it).
    static func fill(_ folder: String) {
        let descriptor = open(folder + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0x2A, count: 4096)
        while block.withUnsafeBufferPointer({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        var byte: UInt8 = 0x2A
        while write(descriptor, &byte, 1) > 0 {}
    }

    static let available: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = NSTemporaryDirectory() + "parkimpact-tmpfs-probe-" + UUID().uuidString
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil
        else { return false }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard mount(at: probe, kilobytes: 64) else { return false }
        return unmount(probe)
    }()

    private static func command(_ executable: String, _ arguments: [String]) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// Temporary output files anywhere under `folder` (`.<name>.parkimpact-tmp`).
func temporaryOutputs(in folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".parkimpact-tmp") }.sorted()
}

/// The outputs the state records (path → SHA-256).
func recordedOutputs(_ state: String) throws -> [String: String] {
    try StateStore(path: state).outputs().mapValues(\.sha256)
}

/// The crash fixture with export-12 held back: a first run writes the outputs of files 1–11, then export-12 comes
/// in and the next run has new outputs to write.
struct TwoGenerations {
    let fixture: CrashFixture
    let reference: String
    let held: String
    /// Outputs of an uninterrupted run over all 12 files (the reference).
    let expected: [String: Data]

    init(state: String? = nil) throws {
        fixture = try CrashFixture()
        reference = try fixture.copy()
        let run = try Binary.run(CrashFixture.arguments, in: reference)
        #expect(run.status == 0, "\(run.stderr)")
        expected = CrashFixture.outputs(reference)
        held = fixture.root + "/export-12.csv"
        try FileManager.default.moveItem(atPath: fixture.root + "/input/p/export-12.csv", toPath: held)
    }

    var root: String { fixture.root }

    func bringBack() throws {
        try FileManager.default.moveItem(atPath: held, toPath: root + "/input/p/export-12.csv")
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: fixture.root)
        try? FileManager.default.removeItem(atPath: reference)
    }
}

@Suite("a pilot's outputs switch generation together; an output that cannot be written says what, where and how to fix it",
       .serialized, .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct OutputGenerationTests {
    static let summaryOf12 = "p: 1 file(s) ingested, 11 unchanged, 0 unreadable; 48 rows accepted, 0 rejected; "

    /// The real thing: the output folder on a 4 MiB tmpfs, filled to the last byte before the second run (the
    /// state lives elsewhere, `--state`, so the run gets as far as the outputs).
    @Test("a full disk: exit 73, one message naming the folder and saying to free space; old outputs untouched, no temporary file; freeing space and running again writes them",
          .enabled(if: SmallDisk.available, "needs root and a mountable tmpfs"))
    func fullDisk() throws {
        let pilot = try TwoGenerations()
        defer { pilot.remove() }
        let output = pilot.root + "/output"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try #require(SmallDisk.mount(at: output, kilobytes: 4096))
        defer { SmallDisk.unmount(output) }
        let state = pilot.root + "/state/state.sqlite"
        let arguments = CrashFixture.arguments + ["--state", state]

        let first = try Binary.run(arguments, in: pilot.root)
        #expect(first.status == 0, "\(first.stderr)")
        let before = CrashFixture.outputs(pilot.root)
        let recordedBefore = try recordedOutputs(state)
        let manifestBefore = try Data(contentsOf: URL(fileURLWithPath: output + "/.parkimpact/last-run.json"))
        try pilot.bringBack()
        SmallDisk.fill(output)

        let full = try Binary.run(arguments, in: pilot.root)
        #expect(full.status == 73, "\(full.stderr)")
        // One error: the pilot's outputs, the portfolio and last-run.json all stopped by the same full disk.
        #expect(full.stderr.components(separatedBy: "error: ").count == 2, "\(full.stderr)")
        #expect(full.stderr.contains("error: cannot write the outputs of pilot p, \(output)/index.html and "
            + "\(output)/.parkimpact/last-run.json: the disk that holds \(output) is full (no space left on device); "
            + "none of them was replaced (the versions in place, if any, are an earlier run's); free space on that "
            + "disk, then run again\n"), "\(full.stderr)")
        #expect(full.stdout == Self.summaryOf12 + "898 KPIs computed, outputs not written (see the error above)\n")
        #expect(!full.stdout.contains("KPIs written"))
        var after = CrashFixture.outputs(pilot.root)
        after["filler"] = nil
        #expect(after == before, "the outputs in place are the first run's, byte for byte")
        #expect(temporaryOutputs(in: output).isEmpty)
        #expect(try recordedOutputs(state) == recordedBefore, "the state records no output that was not written")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output + "/.parkimpact/last-run.json")) == manifestBefore)

        try FileManager.default.removeItem(atPath: output + "/filler")
        let freed = try Binary.run(arguments, in: pilot.root)
        #expect(freed.status == 0, "\(freed.stderr)")
        #expect(freed.stdout == "p: 0 file(s) ingested, 12 unchanged, 0 unreadable; 0 rows accepted, 0 rejected; "
            + "898 KPIs written\n")
        #expect(CrashFixture.outputs(pilot.root) == pilot.expected)
        let third = try Binary.run(arguments, in: pilot.root)
        #expect(third.stdout.hasPrefix("nothing new: 12 file(s) unchanged"), "\(third.stdout)")
    }

    /// The disk fills up between two outputs (injected: the n-th write to a temporary file fails with ENOSPC): the
    /// outputs already written stay at their temporary names and are removed, none is renamed.
    @Test("the disk filling up after some outputs are written: none is renamed, the state records none, the next run writes them all",
          arguments: 1...4)
    func diskFullMidway(write: Int) throws {
        let pilot = try TwoGenerations()
        defer { pilot.remove() }
        let state = pilot.root + "/output/.parkimpact/state.sqlite"
        _ = try Binary.run(CrashFixture.arguments, in: pilot.root)
        let before = CrashFixture.outputs(pilot.root)
        let recordedBefore = try recordedOutputs(state)
        try pilot.bringBack()

        let failed = try Binary.run(CrashFixture.arguments + ["--threads", "1"], in: pilot.root,
                                    environment: ["PARKIMPACT_FAULT": "enospc@write:\(write)"])
        let output = pilot.root + "/output"
        #expect(failed.status == 73, "\(failed.stderr)")
        #expect(failed.stderr.contains("error: cannot write the outputs of pilot p and \(output)/index.html: the disk "
            + "that holds \(output) is full (no space left on device); none of them was replaced (the versions in "
            + "place, if any, are an earlier run's); free space on that disk, then run again\n"), "\(failed.stderr)")
        #expect(failed.stdout == Self.summaryOf12 + "898 KPIs computed, outputs not written (see the error above)\n")
        #expect(CrashFixture.outputs(pilot.root) == before)
        #expect(temporaryOutputs(in: output).isEmpty)
        #expect(try recordedOutputs(state) == recordedBefore)
        let manifest = try String(contentsOfFile: output + "/.parkimpact/last-run.json", encoding: .utf8)
        #expect(manifest.contains("\"outputs_rebuilt\": false, \"outputs_not_written\": [\"p/kpis.json\", "
            + "\"p/kpis.csv\", \"p/rejects.csv\", \"p/report.html\"]}"), "\(manifest)")
        #expect(manifest.contains("  \"outputs_not_written\": [\"p/kpis.json\", \"p/kpis.csv\", \"p/rejects.csv\", "
            + "\"p/report.html\", \"index.html\"],\n  \"exit_status\": 73\n}\n"), "\(manifest)")

        let rerun = try Binary.run(CrashFixture.arguments, in: pilot.root)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(CrashFixture.outputs(pilot.root) == pilot.expected)
        let third = try Binary.run(CrashFixture.arguments, in: pilot.root)
        #expect(third.stdout.hasPrefix("nothing new: 12 file(s) unchanged"), "\(third.stdout)")
    }

    /// A rename that fails after the first (injected EIO): kpis.json is in place, the others are not; the state
    /// records kpis.json only, so the next run, with nothing new read, rewrites the others.
    @Test("a rename failing midway: what was renamed is recorded, what was not is named and rewritten by the next run")
    func renameFailsMidway() throws {
        let pilot = try TwoGenerations()
        defer { pilot.remove() }
        let state = pilot.root + "/output/.parkimpact/state.sqlite"
        _ = try Binary.run(CrashFixture.arguments, in: pilot.root)
        let recordedBefore = try recordedOutputs(state)
        try pilot.bringBack()

        let failed = try Binary.run(CrashFixture.arguments, in: pilot.root,
                                    environment: ["PARKIMPACT_FAULT": "eio@rename:2"])
        let output = pilot.root + "/output"
        #expect(failed.status == 73, "\(failed.stderr)")
        #expect(failed.stderr.contains("error: cannot write \(output)/p/kpis.csv, \(output)/p/rejects.csv, "
            + "\(output)/p/report.html and \(output)/index.html: \(output)/p/kpis.csv: rename failed (Input/output "
            + "error); none of them was replaced (the versions in place, if any, are an earlier run's); check that "
            + "\(output)/p exists, is writable and has space, then run again\n"), "\(failed.stderr)")
        #expect(failed.stdout == Self.summaryOf12 + "898 KPIs computed, outputs not written (see the error above)\n")
        #expect(temporaryOutputs(in: output).isEmpty)
        let now = CrashFixture.outputs(pilot.root)
        #expect(now["p/kpis.json"] == pilot.expected["p/kpis.json"])
        #expect(now["p/kpis.csv"] != pilot.expected["p/kpis.csv"])
        var recorded = recordedBefore
        recorded["p/kpis.json"] = FileDigest.sha256(Array(try #require(pilot.expected["p/kpis.json"])))
        #expect(try recordedOutputs(state) == recorded)

        let rerun = try Binary.run(CrashFixture.arguments, in: pilot.root)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout == "p: 0 file(s) ingested, 12 unchanged, 0 unreadable; 0 rows accepted, 0 rejected; "
            + "898 KPIs written\n")
        #expect(CrashFixture.outputs(pilot.root) == pilot.expected)
    }

    @Test("output/p is a regular file: exit 73, a message naming it and how to fix it; nothing written for p or the portfolio")
    func pilotFolderIsAFile() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let reference = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: reference) }
        _ = try Binary.run(CrashFixture.arguments, in: reference)
        let output = fixture.root + "/output"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try "not a folder".write(toFile: output + "/p", atomically: false, encoding: .utf8)

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot write the outputs of pilot p and \(output)/index.html: \(output)/p "
            + "is a file, not a folder; none of them was replaced (the versions in place, if any, are an earlier "
            + "run's); move or remove the file \(output)/p so that parkimpact can create a folder there (or pass "
            + "--output with another folder), then run again\n"), "\(run.stderr)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain") && !run.stderr.contains("Error Domain"))
        #expect(run.stdout.hasSuffix("; 898 KPIs computed, outputs not written (see the error above)\n"), "\(run.stdout)")
        #expect(CrashFixture.outputs(fixture.root) == ["p": Data("not a folder".utf8)])

        try FileManager.default.removeItem(atPath: output + "/p")
        let fixed = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(CrashFixture.outputs(fixture.root) == CrashFixture.outputs(reference))
    }

    @Test("two pilots, one whose outputs cannot be written: the other's are written and recorded, the portfolio is not")
    func onePilotOfTwo() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        // Pilot q: the same definition and one of p's files.
        try StatefulPilot.definition.replacingOccurrences(of: "pilot: p", with: "pilot: q")
            .write(toFile: fixture.root + "/pipelines/q.yaml", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: fixture.root + "/input/q", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.root + "/input/p/export-01.csv",
                                         toPath: fixture.root + "/input/q/export-01.csv")
        let reference = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: reference) }
        _ = try Binary.run(CrashFixture.arguments, in: reference)
        let expected = CrashFixture.outputs(reference)
        let output = fixture.root + "/output"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try "not a folder".write(toFile: output + "/p", atomically: false, encoding: .utf8)

        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot write the outputs of pilot p and \(output)/index.html: \(output)/p "
            + "is a file, not a folder;"), "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasSuffix("; 898 KPIs computed, outputs not written (see the error above)")
            && lines[1].hasPrefix("q: ") && lines[1].hasSuffix("; 898 KPIs written"), "\(run.stdout)")
        var written = CrashFixture.outputs(fixture.root)
        #expect(written.removeValue(forKey: "p") == Data("not a folder".utf8))
        #expect(written == expected.filter { $0.key.hasPrefix("q/") })
        #expect(try recordedOutputs(output + "/.parkimpact/state.sqlite").keys.sorted()
            == ["q/kpis.csv", "q/kpis.json", "q/rejects.csv", "q/report.html"])

        try FileManager.default.removeItem(atPath: output + "/p")
        let fixed = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(CrashFixture.outputs(fixture.root) == expected)
    }

    @Test("output/p/report.html is a folder: none of p's new outputs is renamed, the message names the folder")
    func reportIsAFolder() throws {
        let pilot = try TwoGenerations()
        defer { pilot.remove() }
        _ = try Binary.run(CrashFixture.arguments, in: pilot.root)
        let output = pilot.root + "/output"
        var before = CrashFixture.outputs(pilot.root)
        before["p/report.html"] = nil
        try FileManager.default.removeItem(atPath: output + "/p/report.html")
        try FileManager.default.createDirectory(atPath: output + "/p/report.html", withIntermediateDirectories: false)
        try pilot.bringBack()

        let run = try Binary.run(CrashFixture.arguments, in: pilot.root)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot write the outputs of pilot p and \(output)/index.html: "
            + "\(output)/p/report.html is a folder, where parkimpact writes a file; none of them was replaced (the "
            + "versions in place, if any, are an earlier run's); move or remove the folder \(output)/p/report.html, "
            + "then run again\n"), "\(run.stderr)")
        #expect(CrashFixture.outputs(pilot.root) == before)
        #expect(temporaryOutputs(in: output).isEmpty)
    }

    @Test("the output folder is a regular file: exit 73, the lock file named, with the file in the way and the fix")
    func outputFolderIsAFile() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        try "not a folder".write(toFile: fixture.root + "/output", atomically: false, encoding: .utf8)
        let run = try Binary.run(CrashFixture.arguments, in: fixture.root)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr == "error: cannot create the lock file \(fixture.root)/output/.parkimpact/lock: "
            + "\(fixture.root)/output is a file, not a folder; move or remove the file \(fixture.root)/output so that "
            + "parkimpact can create a folder there (or pass --output with another folder), then run again\n")
    }

    @Test("`report` whose outputs cannot be written says so on its summary line, never \"KPIs written\"")
    func reportCommandSummary() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        _ = try Binary.run(CrashFixture.arguments, in: fixture.root)
        let failed = try Binary.run(["report"], in: fixture.root, environment: ["PARKIMPACT_FAULT": "enospc@write:1"])
        #expect(failed.status == 73, "\(failed.stderr)")
        // The summary line of `report` is an info line on stderr, after the error.
        #expect(failed.stderr.hasSuffix("\np: rebuilt from the state (no input read); 898 KPIs computed, outputs not "
            + "written (see the error above)\n"), "\(failed.stderr)")
        #expect(!failed.stderr.contains("KPIs written"))
        let json = try Binary.run(["report", "--log-format", "json"], in: fixture.root,
                                  environment: ["PARKIMPACT_FAULT": "enospc@write:1"])
        #expect(json.stderr.contains("\"kpis_written\": 0, \"outputs_not_written\": [\"p/kpis.json\", \"p/kpis.csv\", "
            + "\"p/rejects.csv\", \"p/report.html\"]}"), "\(json.stderr)")
        #expect(json.stderr.contains("\"code\": \"output_not_writable\""))
    }
}

@Suite("output failures told as what, where and how to fix") struct OutputFailureTests {
    @Test("each errno an output meets has its own problem and fix")
    func messages() {
        let path = "/srv/out/p/kpis.json"
        #expect(OutputFailure(call: "write", path: path, code: EACCES).description
            == "/srv/out/p is not writable (permission denied); give the user running parkimpact write permission on "
            + "/srv/out/p (or pass --output with a writable folder), then run again")
        #expect(OutputFailure(call: "open", path: path, code: EROFS).problem(outputFolder: "/srv/out")
            == "/srv/out is on a read-only file system")
        #expect(OutputFailure(call: "write", path: path, code: EDQUOT).problem(outputFolder: "/srv/out")
            == "the disk quota of the user running parkimpact is used up on the disk that holds /srv/out")
        #expect(OutputFailure(call: "write", path: path, code: ENOSPC).kind == .diskFull)
    }

    @Test("staged outputs: none renamed when one target is a folder, their temporary files removed")
    func commitChecksFoldersFirst() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let first = try OutputFiles.stage(RenderedFile(path: "a", text: "new a"), to: scratch.path("out/a"))
        let second = try OutputFiles.stage(RenderedFile(path: "b", text: "new b"), to: scratch.path("out/b"))
        try "old a".write(toFile: scratch.path("out/a"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.path("out/b"), withIntermediateDirectories: false)
        let (renamed, failure) = OutputFiles.commit([first, second])
        #expect(renamed.isEmpty)
        #expect(failure?.kind == .isAFolder && failure?.path == scratch.path("out/b"))
        #expect(scratch.read("out/a") == "old a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted() == ["a", "b"])
    }

    @Test("a folder that cannot be made because a file is in the way names that file, not an error number")
    func fileInTheWay() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("out", "x")
        #expect(throws: OutputFailure(call: "mkdir", path: scratch.path("out"), code: ENOTDIR)) {
            try OutputFiles.makeFolder(scratch.path("out/p/q"))
        }
    }
}
