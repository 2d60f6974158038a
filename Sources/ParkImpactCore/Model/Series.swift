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
    /// Earliest and latest interval start (UTC seconds) that fell on this day, `Int64.max`/`Int64.min` when none
    /// were noted: lets the merge tell two files that split a day between them from two that overlap.
    public var firstStart = Int64.max
    public var lastStart = Int64.min

    public init() {}

    /// Notes an interval start on this day.
    @inline(__always)
    mutating func note(start: Int64) {
        if start < firstStart { firstStart = start }
        if start > lastStart { lastStart = start }
    }

    /// Both cells noted their starts and their ranges do not meet: each file holds other intervals of the day.
    func isDisjoint(from other: DayCell) -> Bool {
        firstStart != .max && other.firstStart != .max && (lastStart < other.firstStart || other.lastStart < firstStart)
    }

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
        firstStart = min(firstStart, other.firstStart)
        lastStart = max(lastStart, other.lastStart)
    }
}

/// A series' daily cells plus what is known about its interval.
public struct SeriesData: Sendable {
    public let key: SeriesKey
    /// Interval length in seconds (900 for quarter-hours); 0 when it could not be determined.
    public var intervalSeconds: Int32
    /// Cells by local day number, in day order.
    public var days: DayCells
    /// Input files that contributed, with the local days they cover.
    public var inputs: [InputSpan]
    /// The readings one by one, in file order then row order: kept only where PV matching needs them
    /// (`IntervalReadingPolicy`), empty for every other series. Dropped once the PV matching stage has run.
    public var readings: [IntervalReading] = []
    /// Why a derived series has unmatched intervals that its coverage alone does not explain (PV matching: totals
    /// longer than a day); empty for measured series.
    public var notes: [String] = []

    public init(key: SeriesKey, intervalSeconds: Int32, days: DayCells, inputs: [InputSpan],
                readings: [IntervalReading] = [], notes: [String] = []) {
        self.key = key
        self.intervalSeconds = intervalSeconds
        self.days = days
        self.inputs = inputs
        self.readings = readings
        self.notes = notes
    }
}

/// A series' day cells by local day number, in day order: two arrays rather than a dictionary. A dictionary of 64-byte
/// cells rounds its capacity up to between 1.3 and 2.7 times the days (512 slots for 220 days): the compact form
/// holds a file's result, and what the merge reads, in about 68 bytes a day.
///
/// Reads like a dictionary (`cells[day]`, `keys`, `values`, `for (day, cell) in cells`), iterating in day order.
/// Built in day order with `append`, as readers produce it; `cells[day] = cell` also inserts out of order.
public struct DayCells: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Local day numbers, ascending (Int32: days since 1970).
    public private(set) var dayNumbers: [Int32] = []
    /// `cells[i]` is the cell of `dayNumbers[i]`.
    public private(set) var cells: [DayCell] = []

    public init() {}

    public init(_ byDay: [Int: DayCell]) {
        let days = byDay.keys.sorted()
        dayNumbers = days.map { Int32(truncatingIfNeeded: $0) }
        cells = days.map { byDay[$0]! }
    }

    public init(dictionaryLiteral elements: (Int, DayCell)...) {
        for (day, cell) in elements { self[day] = cell }
    }

    public var count: Int { cells.count }
    public var isEmpty: Bool { cells.isEmpty }
    /// The days, ascending.
    public var keys: [Int] { dayNumbers.map(Int.init) }
    /// The cells in day order.
    public var values: [DayCell] { cells }
    public var firstDay: Int? { dayNumbers.first.map(Int.init) }
    public var lastDay: Int? { dayNumbers.last.map(Int.init) }

    public mutating func reserveCapacity(_ count: Int) {
        dayNumbers.reserveCapacity(count)
        cells.reserveCapacity(count)
    }

    /// Adds the cell of a day after every day already held.
    public mutating func append(day: Int, _ cell: DayCell) {
        precondition(dayNumbers.last.map { Int($0) < day } ?? true, "DayCells.append: days must ascend")
        dayNumbers.append(Int32(truncatingIfNeeded: day))
        cells.append(cell)
    }

    /// Where `day` is, or where it would go.
    private func position(of day: Int) -> (index: Int, found: Bool) {
        let target = Int32(truncatingIfNeeded: day)
        if let last = dayNumbers.last, last < target { return (dayNumbers.count, false) }
        var low = 0, high = dayNumbers.count
        while low < high {
            let middle = (low + high) / 2
            if dayNumbers[middle] < target { low = middle + 1 } else { high = middle }
        }
        return (low, low < dayNumbers.count && dayNumbers[low] == target)
    }

    public subscript(day: Int) -> DayCell? {
        get {
            let (index, found) = position(of: day)
            return found ? cells[index] : nil
        }
        set {
            let (index, found) = position(of: day)
            switch (found, newValue) {
            case (true, let cell?): cells[index] = cell
            case (true, nil):
                dayNumbers.remove(at: index)
                cells.remove(at: index)
            case (false, let cell?):
                dayNumbers.insert(Int32(truncatingIfNeeded: day), at: index)
                cells.insert(cell, at: index)
            case (false, nil): break
            }
        }
    }

    public struct Iterator: IteratorProtocol {
        let days: DayCells
        var index = 0
        public mutating func next() -> (key: Int, value: DayCell)? {
            guard index < days.cells.count else { return nil }
            defer { index += 1 }
            return (Int(days.dayNumbers[index]), days.cells[index])
        }
    }

    public func makeIterator() -> Iterator { Iterator(days: self) }
    public var underestimatedCount: Int { cells.count }
}

/// One interval reading as a format produced it: what the day cells sum up, kept for PV matching (24 bytes).
public struct IntervalReading: Sendable, Equatable {
    /// Interval start, seconds since 1970 (UTC).
    public var startUTC: Int64
    /// Interval length in seconds; 0 when it could not be determined (no end, a single reading).
    public var seconds: Int32
    public var quality: Quality
    /// In the quantity's canonical unit (kWh); 0 when missing.
    public var value: Double

    public init(startUTC: Int64, seconds: Int32, quality: Quality, value: Double) {
        self.startUTC = startUTC
        self.seconds = seconds
        self.quality = quality
        self.value = value
    }
}

/// Which series keep their interval readings (PV matching needs production and grid exchange per interval; day cells
/// lose that). The read stage keeps readings only for PV series and for the grid series of sites known to have PV:
/// memory grows with PV sites only, not with the park.
///
/// Known PV sites are those of the definition's PV sources (`PipelineDefinition.intervalReadingPolicy`) and those
/// whose PV production the data showed (`PipelineDefinition.pvSitesFromData`: a `parkimpact-long` file can name any
/// site and quantity on any row). A file that was read without the grid readings of a site that turns out to have PV
/// (`FileResult.gridSitesWithoutReadings`) is read again (`PVDiscovery`).
public struct IntervalReadingPolicy: Sendable, Equatable {
    /// Every site's grid series (a PV source without a fixed site: its rows may name any site).
    public var allSites: Bool
    /// Sites whose grid offtake and injection are kept.
    public var sites: Set<String>

    public init(allSites: Bool = false, sites: Set<String> = []) {
        self.allSites = allSites
        self.sites = sites
    }

    /// Keeps nothing but PV production (a PV series is always kept: it is small and may meet grid data of any file).
    public static let none = IntervalReadingPolicy()

    /// Called once per series and file (when the series is interned), never per row.
    public func keeps(_ key: SeriesKey) -> Bool {
        switch key.quantity {
        case .pvProduction: return true
        case .electricityInjection, .electricityOfftake: return allSites || sites.contains(key.site)
        default: return false
        }
    }
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

/// A merged day cell as the stages after the merge read it: 40 bytes rather than `DayCell`'s 64, without what only
/// the merge needs (the first and last interval start) or nothing reads (the estimated sum).
struct DaySummary: Sendable, Equatable {
    var sum: Double
    var maximum: Double
    var nightMinimumRate: Double
    var present: Int32
    var estimated: Int32
    var missing: Int32

    init(_ cell: DayCell) {
        sum = cell.sum
        maximum = cell.maximum
        nightMinimumRate = cell.nightMinimumRate
        present = cell.present
        estimated = cell.estimated
        missing = cell.missing
    }
}

/// A merged series with its day cells in day order: the compact form everything after the merge reads (range sums
/// for the KPIs, `DailyTotals`, `daily.csv`), built once per series so that the per-file dictionaries can go.
/// A class: the KPI engine hands series around by scope and quantity, one reference each.
final class IndexedSeries: Sendable {
    let key: SeriesKey
    let interval: Int32
    let inputs: [InputSpan]
    /// Local day numbers, ascending; `cells[i]` is the cell of `days[i]`.
    let days: [Int]
    let cells: [DaySummary]
    /// Expected intervals count from the series' first day (PV production and what PV matching derives from it):
    /// before its first reading the installation did not exist, which is not missing data.
    let countsFromFirstDay: Bool
    /// `SeriesData.notes` (PV matching: totals longer than a day that could not be matched).
    let notes: [String]
    /// `days[0]` when the days follow each other without a gap (`days[i] == days[0] + i`), as they mostly do: then
    /// a day's position is computed rather than searched for.
    private let firstOfRun: Int?

    init(_ data: SeriesData) {
        key = data.key
        interval = data.intervalSeconds
        inputs = data.inputs
        let days = data.days.keys
        self.days = days
        cells = data.days.values.map(DaySummary.init)
        countsFromFirstDay = data.key.quantity == .pvProduction || data.key.quantity.isDerived
        notes = data.notes
        firstOfRun = days.first.flatMap { $0 + days.count - 1 == days.last ? $0 : nil }
    }

    struct RangeTotals {
        var sum = 0.0
        var present: Int32 = 0
        var estimated: Int32 = 0
        var daysPresent: Int32 = 0
    }

    /// The index of the first day at or after `day` (`days.count` when there is none).
    func firstIndex(atOrAfter day: Int) -> Int {
        if let first = firstOfRun { return min(max(day - first, 0), days.count) }
        var low = 0, high = days.count
        while low < high {
            let mid = (low + high) / 2
            if days[mid] < day { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Sums of the days in `from...to`, added in day order.
    func totals(from: Int, to: Int) -> RangeTotals {
        var result = RangeTotals()
        guard from <= to else { return result }
        for cell in cells(from: from, to: to) {
            result.sum += cell.sum
            result.present += cell.present
            result.estimated += cell.estimated
            if cell.present > 0 { result.daysPresent += 1 }
        }
        return result
    }

    /// The cells of the days in `from...to`, in day order.
    func cells(from: Int, to: Int) -> ArraySlice<DaySummary> {
        guard from <= to else { return [] }
        return cells[firstIndex(atOrAfter: from)..<firstIndex(atOrAfter: to + 1)]
    }

    var lastPresentDay: Int? {
        cells.lastIndex { $0.present > 0 }.map { days[$0] }
    }
}
