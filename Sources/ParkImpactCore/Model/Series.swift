/// Identifies one measured series: a meter's quantity at a site (e.g. ACME's offtake on EAN 5414...).
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let site: String
    public let quantity: Quantity
    /// The meter or series name (an EAN for Fluvius, the `series` column for `parkimpact-long`).
    public let meter: String

    public init(site: String, quantity: Quantity, meter: String) {
        self.site = site
        self.quantity = quantity
        self.meter = meter
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        (lhs.site, lhs.quantity, lhs.meter) < (rhs.site, rhs.quantity, rhs.meter)
    }

    public var description: String { "\(site)/\(quantity.rawValue)/\(meter)" }
}

/// What one series contributed on one local day. Mergeable: adding two cells gives the cell of both inputs.
public struct DayCell: Sendable, Equatable {
    /// Sum of present values (measured + estimated), in the quantity's canonical unit.
    public var sum: Double = 0
    public var estimatedSum: Double = 0
    public var present: Int32 = 0
    public var estimated: Int32 = 0
    public var missing: Int32 = 0
    /// The largest present value (peak registers, highest daily temperature), -∞ when none.
    public var maximum: Double = -.infinity
    /// The lowest flow rate (value per hour) of a present interval of at most one hour starting between 01:00 and
    /// 05:00 local time, +∞ when none: the night minimum flow, a leak indicator for water.
    public var nightMinimumRate: Double = .infinity

    public init() {}

    @inline(__always)
    mutating func add(value: Double, quality: Quality) {
        if quality != .missing, value > maximum { maximum = value }
        switch quality {
        case .measured:
            sum += value
            present += 1
        case .estimated:
            sum += value
            estimatedSum += value
            present += 1
            estimated += 1
        case .missing:
            missing += 1
        }
    }

    mutating func merge(_ other: DayCell) {
        sum += other.sum
        estimatedSum += other.estimatedSum
        present += other.present
        estimated += other.estimated
        missing += other.missing
        maximum = max(maximum, other.maximum)
        nightMinimumRate = min(nightMinimumRate, other.nightMinimumRate)
    }
}

/// A series' daily cells plus what is known about its interval.
public struct SeriesData: Sendable {
    public let key: SeriesKey
    /// Interval length in seconds (900 for quarter-hours); 0 when it could not be determined.
    public var intervalSeconds: Int32
    /// Cells by local day number.
    public var days: [Int: DayCell]
    /// Input files that contributed, with the local days they cover.
    public var inputs: [InputSpan]
}

/// One input file's part of a series: which local days it has rows for (present or missing).
public struct InputSpan: Sendable, Equatable {
    /// Path relative to the input folder.
    public let file: String
    public let firstDay: Int
    public let lastDay: Int

    public func overlaps(_ period: ReportPeriod) -> Bool { firstDay <= period.lastDay && lastDay >= period.firstDay }
}

/// A row that could not be used: it goes to `rejects.csv` and never disappears.
public struct Reject: Sendable, Equatable {
    public let file: String
    public let line: Int
    public let column: String
    public let reason: String
    public let raw: String
    /// The site it belongs to, when known.
    public let site: String?
    /// The local day of the row, when its date could be read (for `quality.rejected_rows` per period).
    public let day: Int?

    public init(file: String, line: Int, column: String, reason: String, raw: String, site: String?, day: Int?) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
        self.raw = raw
        self.site = site
        self.day = day
    }
}
