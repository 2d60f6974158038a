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
#if canImport(Glibc)
import Glibc
#endif

/// The real `parkimpact` binary, started as cron would start it.
enum Binary {
    /// Next to the test bundle (`swift test` builds every product into the same folder).
    static let path: String? = {
        let beside = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let candidates = [beside + "/parkimpact", (beside as NSString).deletingLastPathComponent + "/parkimpact",
                          packageRoot.path + "/.build/debug/parkimpact"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Outcome {
        /// Exit status, or nil when a signal ended the process.
        let status: Int32?
        let signal: Int32?
        let stdout: String
        let stderr: String
    }

    /// The environment that makes the binary pause `ms` at fault point `point` and create `marker` when it gets there.
    /// `until`: after `ms`, the pause goes on until that file exists (another process's marker).
    static func pause(at point: String, ms: Int, marker: String, until: String? = nil) -> [String: String] {
        try? FileManager.default.removeItem(atPath: marker)
        var environment = ["PARKIMPACT_FAULT": "pause@\(point):\(ms)", "PARKIMPACT_FAULT_REACHED": marker]
        if let until { environment["PARKIMPACT_FAULT_UNTIL"] = until }
        return environment
    }

    /// Waits until the paused binary created `marker` (at most `seconds`): true when it did.
    @discardableResult
    static func waitForPause(_ marker: String, seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: marker) { return true }
            usleep(5_000)
        }
        return false
    }

    /// How long a run may take before it counts as hung (killed, the test failed).
    static let hangSeconds: Double = 600

    /// A child that hangs fails its test after `seconds` (killed) instead of holding the suite until CI gives up.
    /// Call the returned function once the child exited.
    static func watch(_ pid: pid_t, _ what: String, seconds: Double = hangSeconds) -> () -> Void {
        let state = Locked<(exited: Bool, killed: Bool)>((false, false))
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            state.withLock { state in
                guard !state.exited else { return }
                kill(pid, SIGKILL)
                state.killed = true
            }
        }
        return {
            if state.withLock({ state in state.exited = true; return state.killed }) {
                Issue.record("\(what) did not finish within \(Int(seconds)) s: killed")
            }
        }
    }

    /// Starts the binary in `directory`; `killAfter` sends SIGKILL after that many milliseconds if it still runs.
    /// `terminal`: stderr is a pseudo-terminal (as when a person runs it), not a file (as under cron).
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:],
                    killAfter: Int? = nil, terminal: Bool = false, started: ((pid_t) -> Void)? = nil) throws -> Outcome {
        let binary = try #require(path, "the parkimpact binary was not built beside the tests")
        let out = directory + "/.stdout-\(UUID().uuidString)"
        let err = directory + "/.stderr-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pty: PseudoTerminal?
        if terminal {
            pty = PseudoTerminal()
            try #require(pty != nil, "no pseudo-terminal available")
            posix_spawn_file_actions_addopen(&actions, 2, pty!.device, O_RDWR | O_NOCTTY, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PARKIMPACT_FAULT")
        for (key, value) in environment { env[key] = value }
        // Folders given as absolute paths (the binary starts in the test's working directory).
        let folders = ["--pipelines", directory + "/pipelines", "--input", directory + "/input", "--output",
                       directory + "/output"]
        let argv = ([binary] + arguments + folders).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        #expect(spawned == 0)
        started?(pid)
        let finished = watch(pid, "parkimpact " + arguments.joined(separator: " "))
        if let killAfter {
            usleep(UInt32(killAfter) * 1000)
            kill(pid, SIGKILL)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        finished()
        let exited = status & 0x7f == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                       stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                       stderr: pty?.finish() ?? (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}

/// A pseudo-terminal whose device end the child gets as stderr; what it writes is collected from the other end
/// while it runs (a full terminal buffer would block the child).
final class PseudoTerminal: Sendable {
    let device: String
    private let master: Int32
    private final class Collected: Sendable { let data = Mutex(Data()) }
    private let collected = Collected()
    private let done = DispatchSemaphore(value: 0)

    private let keep: Int32

    init?() {
        // posix_openpt/unlockpt/ptsname by hand (Glibc's module hides them): the multiplexer, unlock, the number.
        // Close-on-exec: a process another test starts meanwhile (a PostgreSQL server lives on) must not inherit
        // either end, or the master never sees the hang-up and the reader waits forever.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { return nil }
        var unlock: CInt = 0
        var number: CInt = 0
        // <asm-generic/ioctls.h> (x86-64 and arm64): TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30,
        // unsigned int); Swift does not import these macros.
        let setLock: UInt = 0x4004_5431, getNumber: UInt = 0x8004_5430
        guard ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0 else {
            close(master)
            return nil
        }
        self.master = master
        device = "/dev/pts/\(number)"
        // Keep the device open here too, so that the master end sees no hang-up before the child opens it.
        keep = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC)
        let collected = collected
        let done = done
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count <= 0 { break }
                collected.data.withLock { $0.append(contentsOf: buffer[0..<count]) }
            }
            done.signal()
        }
    }

    /// After the child exited: everything it wrote.
    func finish() -> String {
        close(keep)  // the last open device end: the reader gets EIO once the buffer is drained
        // Bounded: a device end still open elsewhere fails the test instead of hanging the suite.
        if done.wait(timeout: .now() + 60) == .timedOut {
            Issue.record("the pseudo-terminal \(device) was not hung up 60 s after the child exited")
            return String(decoding: collected.data.withLock { $0 }, as: UTF8.self)
        }
        close(master)
        return String(decoding: collected.data.withLock { $0 }, as: UTF8.self)
    }
}

/// A multi-file pilot for the crash tests: 12 files, two meters, one overlap, one rejected row.
struct CrashFixture {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "parkimpact-crash-" + UUID().uuidString
        let input = root + "/input/p"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        try StatefulPilot.definition.write(toFile: root + "/pipelines/p.yaml", atomically: true, encoding: .utf8)
        for index in 1...12 {
            var text = longRows(days: index...(index + 1), meter: index % 2 == 0 ? "m1" : "m2") { day, hour in
                "\(day + hour % 5).\(index)"
            }
            if index == 7 { text += "2024-01-09T00:00:00+01:00,s,m2,electricity_offtake,7x,kWh,measured\n" }
            try text.write(toFile: input + String(format: "/export-%02d.csv", index), atomically: true, encoding: .utf8)
        }
    }

    func copy() throws -> String {
        let other = NSTemporaryDirectory() + "parkimpact-crash-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: root, toPath: other)
        return other
    }

    static let arguments = ["run", "--settle-seconds", "0"]

    /// Outputs by path (the hidden state folder apart).
    static func outputs(_ folder: String) -> [String: Data] { outputFiles(in: folder + "/output") }

    /// The ledger without run ids and row ids: what must be the same after a crash and a rerun.
    static func ledger(_ folder: String) throws -> [String] {
        try StateStore(path: folder + "/output/.parkimpact/state.sqlite").allEntries().map {
            [$0.pilot, $0.path, "\($0.size)", $0.sha256, $0.status.rawValue, "\($0.rowsAccepted)", "\($0.rowsRejected)"]
                .joined(separator: " ")
        }
    }
}

@Suite("the real binary under crashes, concurrency and hostile input", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct ProcessTests {
    @Test("SIGKILL at any point of a run, then a rerun: outputs and ledger equal an uninterrupted run's")
    func killedRunsRecover() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let reference = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: reference) }
        let clean = try Binary.run(CrashFixture.arguments, in: reference)
        #expect(clean.status == 0, "\(clean.stderr)")
        let expectedOutputs = CrashFixture.outputs(reference)
        let expectedLedger = try CrashFixture.ledger(reference)
        #expect(expectedOutputs.count == 5 && expectedLedger.count == 12)

        // Named points: after the lock, after each file's commit, after each output, after recording the outputs.
        var faults = ["locked:1", "recorded:1"]
        faults += (1...12).map { "committed:\($0)" }
        faults += (1...5).map { "output:\($0)" }
        for fault in faults {
            let folder = try fixture.copy()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let crashed = try Binary.run(CrashFixture.arguments, in: folder, environment: ["PARKIMPACT_FAULT": fault])
            #expect(crashed.signal == SIGKILL, "\(fault): \(crashed.stderr)")
            let rerun = try Binary.run(CrashFixture.arguments, in: folder)
            #expect(rerun.status == 0, "\(fault): \(rerun.stderr)")
            #expect(CrashFixture.outputs(folder) == expectedOutputs, "outputs after a crash at \(fault)")
            #expect(try CrashFixture.ledger(folder) == expectedLedger, "ledger after a crash at \(fault)")
            // And a third run finds nothing new.
            let third = try Binary.run(CrashFixture.arguments, in: folder)
            #expect(third.stdout.hasPrefix("nothing new: 12 file(s) unchanged"), "\(fault): \(third.stdout)")
        }
        // Kills at arbitrary moments (timing-dependent: where they land varies, the result must not).
        for delay in [1, 3, 10, 30, 60, 100, 150, 250, 400] {
            let folder = try fixture.copy()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            _ = try Binary.run(CrashFixture.arguments, in: folder, killAfter: delay)
            let rerun = try Binary.run(CrashFixture.arguments, in: folder)
            #expect(rerun.status == 0, "kill after \(delay) ms: \(rerun.stderr)")
            #expect(CrashFixture.outputs(folder) == expectedOutputs, "outputs after a kill at \(delay) ms")
            #expect(try CrashFixture.ledger(folder) == expectedLedger, "ledger after a kill at \(delay) ms")
        }
    }

    @Test("a second run while the first holds the lock exits 75, says why, and changes nothing")
    func concurrentRuns() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let reference = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: reference) }
        _ = try Binary.run(CrashFixture.arguments, in: reference)

        let folder = fixture.root
        let second = Mutex<Binary.Outcome?>(nil)
        let first = try Binary.run(CrashFixture.arguments, in: folder, environment: ["PARKIMPACT_FAULT": "pause@locked:1500"],
                                   started: { pid in
            // While the first run sleeps holding the lock, start another one.
            let lockFile = folder + "/output/.parkimpact/lock"
            for _ in 0..<100 where (try? String(contentsOfFile: lockFile, encoding: .utf8))?.hasPrefix("\(pid)") != true {
                usleep(20_000)
            }
            second.withLock { $0 = try? Binary.run(CrashFixture.arguments, in: folder) }
        })
        let busy = try #require(second.withLock { $0 })
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("another parkimpact run (pid ") && busy.stderr.contains("holds the lock"))
        #expect(busy.stdout.isEmpty)
        #expect(first.status == 0)
        #expect(CrashFixture.outputs(folder) == CrashFixture.outputs(reference))
    }

    struct Hostile: Sendable, CustomStringConvertible {
        let name: String
        let make: @Sendable (String) throws -> Void
        let status: Int32
        let message: String
        var description: String { name }
    }

    static let hostile: [Hostile] = [
        Hostile(name: "a 100 MB single field", make: { path in
            try Data().write(to: URL(fileURLWithPath: path))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.write(Data("timestamp,site,series,quantity,value,unit,quality\n".utf8))
            let block = Data(repeating: UInt8(ascii: "7"), count: 1 << 20)
            for _ in 0..<100 { handle.write(block) }
            handle.write(Data(",s,m1,electricity_offtake,1,kWh,measured\n".utf8))
            handle.write(Data("2024-01-01T00:00:00+01:00,s,m1,electricity_offtake,1,kWh,measured\n".utf8))
            try handle.close()
        }, status: 0, message: "line too long: 104857640 bytes (limit 8 MiB)"),
        Hostile(name: "a file of NUL bytes", make: { path in
            try Data(count: 1 << 20).write(to: URL(fileURLWithPath: path))
        }, status: 65, message: "binary data"),
        Hostile(name: "a binary file", make: { path in
            var generator = SystemRandomNumberGenerator()
            try Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                .write(to: URL(fileURLWithPath: path))
        }, status: 65, message: "binary data"),
        Hostile(name: "a 1-million-column line", make: { path in
            let line = String(repeating: "1,", count: 1_000_000) + "1\n"
            try ("timestamp,site,series,quantity,value,unit,quality\n" + line
                + "2024-01-01T00:00:00+01:00,s,m1,electricity_offtake,1,kWh,measured\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
        }, status: 0, message: "fields"),
        Hostile(name: "an empty file", make: { path in
            try Data().write(to: URL(fileURLWithPath: path))
        }, status: 65, message: "empty file"),
    ]

    @Test("hostile input gets a clear message naming the file, with bounded memory", arguments: hostile)
    func hostileInput(_ case: Hostile) throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try `case`.make(pilot.scratch.path("input/p/hostile.csv"))
        let outcome = try Binary.run(CrashFixture.arguments, in: pilot.scratch.root)
        #expect(outcome.status == `case`.status, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("input/p/hostile.csv") || (pilot.scratch.read("output/p/rejects.csv") ?? "")
            .contains("p/hostile.csv"), "\(outcome.stderr)")
        let said = outcome.stderr + (pilot.scratch.read("output/p/rejects.csv") ?? "").prefix(10_000)
        #expect(said.contains(`case`.message), "\(said.prefix(2000))")
        // The run's own peak (VmHWM, recorded in last-run.json at the end of each stage). Not `ru_maxrss` from
        // `wait4`: posix_spawn runs the child in the test process's memory until exec, and Linux keeps that
        // high-water mark, so it measured the test process as well (245 MiB for an empty file once).
        let manifest = try #require(pilot.scratch.read("output/.parkimpact/last-run.json"))
        let peaks = try #require((try JSONSerialization.jsonObject(with: Data(manifest.utf8)) as? [String: Any])?[
            "peak_rss_mib_after"] as? [String: Int])
        #expect(!peaks.isEmpty && peaks.values.allSatisfy { $0 > 0 && $0 < 160 }, "peak RSS \(peaks) MiB")
        // The outputs exist and stay small: the raw text of a huge rejected line is cut in rejects.csv.
        let rejects = try FileManager.default.attributesOfItem(atPath: pilot.scratch.path("output/p/rejects.csv"))
        #expect((rejects[.size] as? Int ?? .max) < 1 << 20)
    }

    @Test("source globs and symbolic links cannot leave input/<pilot>/")
    func linksCannotEscape() throws {
        let pilot = try StatefulPilot(definition: StatefulPilot.definition.replacingOccurrences(of: "\"*.csv\"",
                                                                                              with: "\"**\""))
        defer { pilot.scratch.remove() }
        try pilot.scratch.write("secret/outside.csv", longRows(days: 1...1))
        try FileManager.default.createSymbolicLink(atPath: pilot.scratch.path("input/p/link.csv"),
                                                   withDestinationPath: pilot.scratch.path("secret/outside.csv"))
        // A linked folder: the files in it are as outside as the folder it links to.
        try pilot.scratch.write("secret/deeper/more.csv", longRows(days: 3...3))
        try FileManager.default.createSymbolicLink(atPath: pilot.scratch.path("input/p/folder"),
                                                   withDestinationPath: pilot.scratch.path("secret/deeper"))
        try pilot.write("a.csv", longRows(days: 2...2))
        let outcome = try Binary.run(CrashFixture.arguments, in: pilot.scratch.root)
        #expect(outcome.stderr.contains("input/p/link.csv: skipped: it links outside "), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("more.csv") || outcome.stderr.contains("more.csv: skipped: it links outside "),
                "\(outcome.stderr)")
        #expect(try pilot.offtake() == "24")
        let escaping = try StatefulPilot(definition: StatefulPilot.definition.replacingOccurrences(
            of: "\"*.csv\"", with: "\"../secret/*.csv\""))
        defer { escaping.scratch.remove() }
        let refused = try Binary.run(CrashFixture.arguments, in: escaping.scratch.root)
        #expect(refused.status == 78, "\(refused.stderr)")
    }
}

import Synchronization

@Suite("the progress display", .serialized,
       .enabled(if: Binary.path != nil, "the parkimpact binary was not built beside the tests"))
struct ProgressDisplayTests {
    @Test("on a terminal a long run shows one progress line on stderr, redrawn in place and cleared at the end; under cron (stderr not a terminal) nothing")
    func progressOnlyOnATerminal() throws {
        let fixture = try CrashFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let other = try fixture.copy()
        defer { try? FileManager.default.removeItem(atPath: other) }
        // Each of the 12 files pauses 300 ms after its commit: reading takes about 2 s.
        let slow = ["PARKIMPACT_FAULT": "pause@committed:300", "TERM": "xterm"]
        let person = try Binary.run(CrashFixture.arguments, in: fixture.root, environment: slow, terminal: true)
        #expect(person.status == 0)
        let drawn = person.stderr.components(separatedBy: "\r").filter { $0.hasPrefix("reading: ") }
        #expect(drawn.count >= 2, "stderr: \(person.stderr.debugDescription)")
        for line in drawn {
            #expect(line.wholeMatch(of: /reading: \d+ % · \d+ of \d+ MB · \d+ of 12 files · \d+ MB\/s( · about \d+ s left)?\u{1B}\[K/) != nil,
                    "\(line.debugDescription)")
        }
        // The last thing on stderr clears the line (the summary goes to stdout).
        #expect(person.stderr.hasSuffix("\r\u{1B}[K"), "\(person.stderr.suffix(40).debugDescription)")
        #expect(person.stdout.hasPrefix("p: 12 file(s) ingested"))

        let cron = try Binary.run(CrashFixture.arguments, in: other, environment: slow)
        #expect(cron.status == 0)
        #expect(!cron.stderr.contains("\r") && !cron.stderr.contains("reading"), "\(cron.stderr.debugDescription)")
        #expect(CrashFixture.outputs(other) == CrashFixture.outputs(fixture.root))
    }
}
