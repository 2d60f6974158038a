/// Wall time per stage of a run, in the order the stages ran: `last-run.json` lists them (`phases_seconds`), so
/// where the time goes can be read after any run (the README's performance notes come from there and from perf).
public struct Phases: Sendable, Equatable {
    public private(set) var entries: [(name: String, seconds: Double)] = []

    public init() {}

    /// Runs `body`, adding its wall time to the stage `name`.
    public mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { add(name, seconds: Self.seconds(clock.now - start)) }
        return try body()
    }

    public mutating func add(_ name: String, seconds: Double) {
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].seconds += seconds
        } else {
            entries.append((name, seconds))
        }
    }

    public mutating func append(_ other: Phases) {
        for entry in other.entries { add(entry.name, seconds: entry.seconds) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    public static func == (lhs: Phases, rhs: Phases) -> Bool {
        lhs.entries.map(\.name) == rhs.entries.map(\.name) && lhs.entries.map(\.seconds) == rhs.entries.map(\.seconds)
    }
}
