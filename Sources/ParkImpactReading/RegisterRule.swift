import ParkImpactModel
import ParkImpactDefinition

/// The rule that tells a running total (a meter register) from use per interval, from a series' readings in time
/// order. One rule for reading (`generic` value columns without `kind:`, `parkimpact-long` series: refused when it
/// holds, `register_as_interval`) and for `sniff` (proposes `kind: cumulative` when it holds).
///
/// A series behaves like a register when all of these hold:
/// - at least `minimumReadings` readings;
/// - of the steps between consecutive readings (in time order), at least `nonDecreasingPercent` (98 %) do not go
///   down;
/// - at least `risingPercent` (5 %) of them go up;
/// - in at least half of the rising steps (the median), the later value is at least `valueToRise` (10) times the rise.
///
/// Counted step by step (O(1) per reading, no allocation), so chunks of a file read in parallel combine exactly
/// (`merge`).
package struct RegisterEvidence: Sendable, Equatable {
    /// A day of hourly readings, two years of monthly ones; fewer say too little. With fewer than 50 steps the
    /// 98 % below allows no step down at all.
    static let minimumReadings = 24
    /// A register never goes down except at a reset or a new meter: 2 % of the steps are left for those (and for
    /// corrected readings). Use per interval goes down about as often as it goes up.
    static let nonDecreasingPercent = 98
    /// Registers stand still while nothing is used (a water meter at night, a low-tariff register by day, PV at
    /// night): 5 % rising steps is already a register. A series that is not a running total rises about as often as
    /// it falls, so with at most 2 % falls it rises in about 2 % of its steps at most (a flat series: never).
    static let risingPercent = 5
    /// A register's value is its whole history: many times each rise (48,000 kWh after 0.4 kWh). A series that only
    /// grows from a low level (doubling: 2× its rise) is not a running total of something measured.
    static let valueToRise = 10.0

    package private(set) var readings = 0
    package private(set) var steps = 0
    package private(set) var nonDecreasing = 0
    private(set) var rising = 0
    /// Rising steps whose later value is at least `valueToRise` times the rise.
    private(set) var large = 0
    private var firstInstant = Int64.min, firstValue = 0.0, firstLine = 0
    private var lastInstant = Int64.min, lastValue = 0.0
    /// The last rising step: the later value, the rise and the line of the later reading (for the message).
    private(set) var example: (value: Double, rise: Double, line: Int)?

    package init() {}

    /// Equal counts (the first, last and example readings only serve `merge` and the message).
    package static func == (a: RegisterEvidence, b: RegisterEvidence) -> Bool {
        a.readings == b.readings && a.steps == b.steps && a.nonDecreasing == b.nonDecreasing && a.rising == b.rising
            && a.large == b.large
    }

    /// Adds a reading (canonical unit). Readings at the same instant as the previous one make no step.
    @inline(__always)
    package mutating func observe(instant: Int64, value: Double, line: Int) {
        if readings == 0 {
            firstInstant = instant
            firstValue = value
            firstLine = line
        } else if instant != lastInstant {
            step(from: (lastInstant, lastValue), to: (instant, value), line: line)
        } else {
            return
        }
        readings += 1
        lastInstant = instant
        lastValue = value
    }

    @inline(__always)
    private mutating func step(from a: (Int64, Double), to b: (Int64, Double), line: Int) {
        // In time order, whichever order the file has (newest first included).
        let (earlier, later) = a.0 < b.0 ? (a.1, b.1) : (b.1, a.1)
        let rise = later - earlier
        steps += 1
        if rise >= 0 { nonDecreasing += 1 }
        if rise > 0 {
            rising += 1
            if later >= Self.valueToRise * rise { large += 1 }
            example = (later, rise, line)
        }
    }

    /// The evidence of the same series' next readings (the next chunk of the file) added, with the step between
    /// this one's last reading and that one's first.
    mutating func merge(_ later: RegisterEvidence) {
        guard later.readings > 0 else { return }
        guard readings > 0 else {
            self = later
            return
        }
        let boundary = later.firstInstant != lastInstant
        if boundary { step(from: (lastInstant, lastValue), to: (later.firstInstant, later.firstValue), line: later.firstLine) }
        readings += later.readings - (boundary ? 0 : 1)
        steps += later.steps
        nonDecreasing += later.nonDecreasing
        rising += later.rising
        large += later.large
        lastInstant = later.lastInstant
        lastValue = later.lastValue
        if let laterExample = later.example { example = laterExample }
    }

    /// Line numbers of a chunk made file-wide (`FileAggregator.append`).
    mutating func shiftLines(by offset: Int) {
        firstLine += offset
        if let example { self.example = (example.value, example.rise, example.line + offset) }
    }

    /// Whether the readings behave like a register (the rule above).
    package var isRegister: Bool {
        readings >= Self.minimumReadings
            && 100 * nonDecreasing >= Self.nonDecreasingPercent * steps
            && 100 * rising >= Self.risingPercent * steps
            && 2 * large >= rising && rising > 0
    }

    /// The evidence in words: `rises or stays equal in 999 of 1000 steps (rises in 700); in 700 of the 700 rises
    /// the value is at least 10 times the rise (e.g. 48123.4 kWh after a rise of 0.4 kWh, line 1002)`.
    package func describe(unit: String) -> String {
        var text = "it rises or stays equal in \(nonDecreasing) of \(steps) steps between readings (rises in \(rising)); "
            + "in \(large) of the \(rising) rises the value is at least \(MachineNumber.format(Self.valueToRise, decimals: 0)) "
            + "times the rise"
        if let example {
            let unit = unit.isEmpty ? "" : " " + unit
            text += " (e.g. \(MachineNumber.format(example.value, decimals: 3))\(unit) after a rise of "
                + "\(MachineNumber.format(example.rise, decimals: 3))\(unit)"
                + ", line \(example.line))"
        }
        return text
    }
}

/// When the difference between two readings of a cumulative register is spread over a gap rather than measured:
/// the total between the readings is a fact, how it falls on days and months is not.
///
/// A difference over `length` seconds is spread over a gap when `length` > 31 days and 1 hour (`longestMeasured`), or when
/// `length` > max(4 × the series' usual reading interval, 1 day) (`usualIntervals`, `shortestGap`); the usual
/// interval is the median length of the series' differences in the file.
enum RegisterGap {
    /// The longest calendar month (31 days, and the hour October gains at the clock change): a longer difference
    /// gives month values that are pro-rated over more than a month without a reading, whatever the usual interval
    /// (quarterly readings included). Monthly readings on the same day of each month stay measured.
    static let longestMeasured: Int64 = 31 * 86_400 + 3_600
    /// Readings that are usually an interval apart and now four or more: three or more readings are missing.
    static let usualIntervals: Int64 = 4
    /// A difference within a day or two of readings puts its value on the right days up to the hours: day values
    /// are not in doubt below a day, whatever the usual interval (a quarter-hour register missing two hours).
    static let shortestGap: Int64 = 86_400

    /// The median of the differences' lengths (the lower one of an even count), 0 when there are none.
    static func usualInterval(_ lengths: [Int64]) -> Int64 {
        guard !lengths.isEmpty else { return 0 }
        return lengths.sorted()[(lengths.count - 1) / 2]
    }

    static func isGap(_ length: Int64, usual: Int64) -> Bool {
        length > longestMeasured || length > max(usualIntervals * usual, shortestGap)
    }
}
