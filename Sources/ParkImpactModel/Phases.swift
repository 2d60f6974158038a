import Foundation

/// Wall time per stage of a run, in the order the stages ran, and the process's peak resident memory when each
/// ended: `last-run.json` lists them (`phases_seconds`, `peak_rss_mib_after`), so where time and memory go can be read
/// after any run (`docs/performance.md` takes its figures from there and from perf).
public struct Phases: Sendable, Equatable {
    public private(set) var entries: [(name: String, seconds: Double)] = []
    /// Peak RSS (VmHWM) in MiB when the stage last ended; 0 where /proc is not available.
    public private(set) var peakMiB: [String: Int] = [:]

    public init() {}

    /// Runs `body`, adding its wall time to the stage `name`.
    public mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { add(name, seconds: Self.seconds(clock.now - start)) }
        return try body()
    }

    public mutating func add(_ name: String, seconds: Double) {
        peakMiB[name] = Self.peakResidentMiB()
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].seconds += seconds
        } else {
            entries.append((name, seconds))
        }
    }

    /// The process's peak resident set so far (`VmHWM` of /proc/self/status), MiB.
    public static func peakResidentMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kib / 1024
    }

    package static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    public static func == (lhs: Phases, rhs: Phases) -> Bool {
        lhs.entries.map(\.name) == rhs.entries.map(\.name) && lhs.entries.map(\.seconds) == rhs.entries.map(\.seconds)
            && lhs.peakMiB == rhs.peakMiB
    }
}
