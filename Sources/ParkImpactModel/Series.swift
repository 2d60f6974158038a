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
///
/// The value type the stages hand around; a file aggregator holds it packed in 32 bytes (`PackedDayCell`), `DayCells`
/// in columns (12 bytes a day), each with the maximum and the night minimum only for the quantities that use them
/// (`DayCells.Extras`).
public struct DayCell: Sendable, Equatable {
    /// Sum of present values (measured + estimated), in the quantity's canonical unit.
    public var sum: Double = 0
    public var present: Int32 = 0
    public var estimated: Int32 = 0
    public var missing: Int32 = 0
    /// The largest present value (peak registers), -∞ when none.
    public var maximum: Double = -.infinity
    /// The lowest flow rate (value per hour) of a present interval of at most one hour starting between 01:00 and
    /// 05:00 local time, +∞ when none: the night minimum flow, a leak indicator for water.
    public var nightMinimumRate: Double = .infinity
    /// Earliest and latest interval start (UTC seconds) that fell on this day, `Int64.max`/`Int64.min` when none
    /// were noted: lets the merge tell two files that split a day between them from two that overlap.
    public var firstStart = Int64.max
    public var lastStart = Int64.min

    public init() {}

    init(sum: Double, present: Int32, estimated: Int32, missing: Int32, maximum: Double = -.infinity,
         nightMinimumRate: Double = .infinity, firstStart: Int64, lastStart: Int64) {
        self.sum = sum
        self.present = present
        self.estimated = estimated
        self.missing = missing
        self.maximum = maximum
        self.nightMinimumRate = nightMinimumRate
        self.firstStart = firstStart
        self.lastStart = lastStart
    }

    /// Notes an interval start on this day.
    @inline(__always)
    mutating func note(start: Int64) {
        if start < firstStart { firstStart = start }
        if start > lastStart { lastStart = start }
    }

    /// Both cells noted their starts and their ranges do not meet: each file holds other intervals of the day.
    package func isDisjoint(from other: DayCell) -> Bool {
        firstStart != .max && other.firstStart != .max && (lastStart < other.firstStart || other.lastStart < firstStart)
    }

    @inline(__always)
    package mutating func add(value: Double, quality: Quality) {
        if quality != .missing, value > maximum { maximum = value }
        Self.count(value, quality, sum: &sum, present: &present, estimated: &estimated, missing: &missing)
    }

    /// What one reading adds to a day's sum and counts (here and in `PackedDayCell`).
    @inline(__always)
    static func count(_ value: Double, _ quality: Quality, sum: inout Double, present: inout Int32,
                      estimated: inout Int32, missing: inout Int32) {
        switch quality {
        case .measured:
            sum += value
            present += 1
        case .estimated:
            sum += value
            present += 1
            estimated += 1
        case .missing:
            missing += 1
        }
    }

    package mutating func merge(_ other: DayCell) {
        sum += other.sum
        present += other.present
        estimated += other.estimated
        missing += other.missing
        maximum = max(maximum, other.maximum)
        nightMinimumRate = min(nightMinimumRate, other.nightMinimumRate)
        firstStart = min(firstStart, other.firstStart)
        lastStart = max(lastStart, other.lastStart)
    }
}

/// A day cell as a file aggregator holds it while reading, 32 bytes: the sum, the counts, and the first and last
/// interval start as seconds from the day number's midnight in UTC (`day × 86,400`; a start on a local day lies within
/// a day and a few hours of it). `lastLine` is the file aggregator's (the last line that touched the cell, for the chunk merge), 0 elsewhere.
package struct PackedDayCell: Sendable, Equatable {
    package var sum: Double = 0
    package var present: Int32 = 0
    package var estimated: Int32 = 0
    package var missing: Int32 = 0
    package var firstOffset: Int32 = .max
    package var lastOffset: Int32 = .min
    package var lastLine: Int32 = 0

    package init(sum: Double = 0, present: Int32 = 0, estimated: Int32 = 0, missing: Int32 = 0, firstOffset: Int32 = .max, lastOffset: Int32 = .min, lastLine: Int32 = 0) {
        self.sum = sum
        self.present = present
        self.estimated = estimated
        self.missing = missing
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.lastLine = lastLine
    }

    /// Never touched: a gap in a file aggregator's days (every reading counts as present or missing).
    package var isAbsent: Bool { present == 0 && missing == 0 && firstOffset == .max }

    package init() {}

    package init(_ cell: DayCell, day: Int) {
        sum = cell.sum
        present = cell.present
        estimated = cell.estimated
        missing = cell.missing
        let midnight = Int64(day) * 86_400
        firstOffset = cell.firstStart == .max ? .max : Int32(clamping: cell.firstStart - midnight)
        lastOffset = cell.lastStart == .min ? .min : Int32(clamping: cell.lastStart - midnight)
    }

    /// The cell of `day`, with the extras held beside it.
    package func unpacked(day: Int, maximum: Double = -.infinity, nightMinimumRate: Double = .infinity) -> DayCell {
        let midnight = Int64(day) * 86_400
        return DayCell(sum: sum, present: present, estimated: estimated, missing: missing, maximum: maximum,
                       nightMinimumRate: nightMinimumRate,
                       firstStart: firstOffset == .max ? .max : midnight + Int64(firstOffset),
                       lastStart: lastOffset == .min ? .min : midnight + Int64(lastOffset))
    }

    /// Adds a reading (as `DayCell.add`, without the maximum) and notes its start and line.
    @inline(__always)
    package mutating func add(value: Double, quality: Quality, startOffset: Int32, line: Int32) {
        DayCell.count(value, quality, sum: &sum, present: &present, estimated: &estimated, missing: &missing)
        if startOffset < firstOffset { firstOffset = startOffset }
        if startOffset > lastOffset { lastOffset = startOffset }
        lastLine = line
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
    public var readings = IntervalReadings()
    /// Why a derived series has unmatched intervals that its coverage alone does not explain (PV matching: totals
    /// longer than a day); empty for measured series.
    public var notes: [String] = []

    public init(key: SeriesKey, intervalSeconds: Int32, days: DayCells, inputs: [InputSpan],
                readings: IntervalReadings = [], notes: [String] = []) {
        self.key = key
        self.intervalSeconds = intervalSeconds
        self.days = days
        self.inputs = inputs
        self.readings = readings
        self.notes = notes
    }
}

/// A series' day cells by local day number, in day order, in columns: 12 bytes a day (the sum, and the three counts
/// in 4 bytes while they fit: up to 65,535 present and 255 estimated and missing intervals a day), plus 8 for each
/// extra the quantity uses. The day numbers are kept as runs of consecutive days and the first and last interval
/// start as runs of equal offsets from the day's midnight (they change at clock changes and on partial days): a few
/// entries a year for a meter that reads every day. Everything from a file's result to the KPIs reads this form,
/// moved along rather than copied: a park-year of 2,000 quarter-hour meters (730,000 series-days) is about 9 MB.
///
/// Reads like a dictionary (`cells[day]`, `keys`, `values`, `for (day, cell) in cells`), iterating in day order.
/// Built in day order with `append`, as readers produce it; `cells[day] = cell` also replaces, inserts and removes
/// out of order (rebuilding the columns from that day on: the merge and the tests, not a hot path).
public struct DayCells: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// What a cell holds besides its sum and counts: the daily maximum (peak power registers) and the night minimum
    /// flow (water). A quantity that uses neither keeps neither (`init(for:)`); they read as -∞ and +∞.
    public struct Extras: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let maximum = Extras(rawValue: 1)
        public static let nightMinimum = Extras(rawValue: 2)
        public static let all: Extras = [.maximum, .nightMinimum]

        /// What the KPIs read of a quantity's cells: the peak KPI the maximum of peak registers, the leak KPI the
        /// night minimum of water.
        public init(for quantity: Quantity) {
            switch quantity {
            case .electricityPeak: self = .maximum
            case .water: self = .nightMinimum
            default: self = []
            }
        }
    }

    /// The counts of a cell: 16 bits present, 8 estimated, 8 missing (`narrow`), or all three as Int32 once a cell of
    /// the series has more (every cell then, in `wideCounts`).
    struct Counts: Equatable {
        var present: Int32
        var estimated: Int32
        var missing: Int32

        var narrow: UInt32? {
            guard (0...0xFFFF).contains(present), (0...0xFF).contains(estimated), (0...0xFF).contains(missing)
            else { return nil }
            return UInt32(present) << 16 | UInt32(estimated) << 8 | UInt32(missing)
        }

        /// A day of a daily series spread over a register gap: present, estimated and missing at once (one present
        /// day; `FileAggregator.addSpread(overGap:)`).
        var isFilled: Bool { present == 1 && estimated == 1 && missing == 1 }

        init(present: Int32, estimated: Int32, missing: Int32) {
            self.present = present
            self.estimated = estimated
            self.missing = missing
        }

        init(narrow: UInt32) {
            present = Int32(narrow >> 16)
            estimated = Int32(narrow >> 8 & 0xFF)
            missing = Int32(narrow & 0xFF)
        }
    }

    /// From position `start` on (until the next run), the cells' first and last interval start, in seconds from the
    /// day number's midnight in UTC (`PackedDayCell`).
    struct OffsetRun: Equatable {
        var start: Int32
        var first: Int32
        var last: Int32
    }

    public let extras: Extras
    /// Runs of consecutive days: the cells from position `runStarts[k]` on are those of `runDays[k]`, the next day,
    /// and so on up to the next run's start.
    private var runDays: [Int32] = []
    private var runStarts: [Int32] = []
    private var sums: [Double] = []
    /// Per cell while every cell's counts fit in 32 bits (`Counts.narrow`), else empty.
    private var counts: [UInt32] = []
    /// Per cell once one cell's counts did not fit, else empty.
    private var wideCounts: [Counts] = []
    private var isWide = false
    private var offsetRuns: [OffsetRun] = []
    /// Per cell when `extras` has `.maximum` / `.nightMinimum`, else empty.
    private var maxima: [Double] = []
    private var nightRates: [Double] = []

    /// Empty, keeping `extras` (all by default: what a test writes is what it reads).
    public init(extras: Extras = .all) {
        self.extras = extras
    }

    public init(_ byDay: [Int: DayCell], extras: Extras = .all) {
        self.extras = extras
        let days = byDay.keys.sorted()
        reserveCapacity(days.count)
        for day in days { append(day: day, byDay[day]!) }
    }

    public init(dictionaryLiteral elements: (Int, DayCell)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    public var count: Int { sums.count }
    public var isEmpty: Bool { sums.isEmpty }
    /// The days, ascending.
    public var keys: [Int] { Array(days) }
    /// The cells in day order.
    public var values: [DayCell] { indices.map { cell(at: $0) } }
    public var firstDay: Int? { runDays.first.map(Int.init) }
    public var lastDay: Int? {
        guard let day = runDays.last, let start = runStarts.last else { return nil }
        return Int(day) + count - 1 - Int(start)
    }
    var indices: Range<Int> { sums.indices }
    /// The day of every position, in order.
    package var days: Days { Days(cells: self) }

    /// The days of the positions `0..<count`, computed from the runs.
    package struct Days: RandomAccessCollection {
        let cells: DayCells
        package var startIndex: Int { 0 }
        package var endIndex: Int { cells.count }
        package subscript(position: Int) -> Int { cells.day(at: position) }
    }

    /// Of `count` ascending keys (`count` > 0, the first at most `target`), the last one at most `target`: a
    /// binary search, the last at once when it qualifies (the usual case while appending or reading in order).
    private static func last(atMost target: Int32, count: Int, key: (Int) -> Int32) -> Int {
        if key(count - 1) <= target { return count - 1 }
        var low = 0, high = count
        while high - low > 1 {
            let middle = (low + high) / 2
            if key(middle) <= target { low = middle } else { high = middle }
        }
        return low
    }

    /// The run holding a position (the last run starting at or before it).
    private func run(at index: Int) -> Int {
        Self.last(atMost: Int32(truncatingIfNeeded: index), count: runStarts.count) { runStarts[$0] }
    }

    /// The day at a position (0..<count).
    func day(at index: Int) -> Int {
        let run = run(at: index)
        return Int(runDays[run]) + index - Int(runStarts[run])
    }

    func counts(at index: Int) -> Counts {
        isWide ? wideCounts[index] : Counts(narrow: counts[index])
    }

    /// The first and last interval start at a position, as offsets from the day's midnight.
    private func offsets(at index: Int) -> OffsetRun {
        offsetRuns[Self.last(atMost: Int32(truncatingIfNeeded: index), count: offsetRuns.count) { offsetRuns[$0].start }]
    }

    func cell(at index: Int) -> DayCell {
        var packed = PackedDayCell()
        packed.sum = sums[index]
        let counts = counts(at: index)
        packed.present = counts.present
        packed.estimated = counts.estimated
        packed.missing = counts.missing
        let offsets = offsets(at: index)
        packed.firstOffset = offsets.first
        packed.lastOffset = offsets.last
        return packed.unpacked(day: day(at: index), maximum: maxima.isEmpty ? -.infinity : maxima[index],
                               nightMinimumRate: nightRates.isEmpty ? .infinity : nightRates[index])
    }

    /// What the stages after the merge read of the cell at a position.
    func summary(at index: Int) -> DaySummary {
        let counts = counts(at: index)
        return DaySummary(sum: sums[index], maximum: maxima.isEmpty ? -.infinity : maxima[index],
                          nightMinimumRate: nightRates.isEmpty ? .infinity : nightRates[index],
                          present: counts.present, estimated: counts.estimated, missing: counts.missing)
    }

    /// The sums and counts of the positions in `range`, added in day order.
    /// `filled`: the days spread over a gap of a cumulative register (present, estimated and missing at once,
    /// `FileAggregator.addSpread(overGap:)`): they have a value but are not covered.
    func totals(_ range: Range<Int>) -> (sum: Double, present: Int32, estimated: Int32, daysPresent: Int32,
                                         filled: Int32) {
        var sum = 0.0
        var present: Int32 = 0, estimated: Int32 = 0, daysPresent: Int32 = 0, filled: Int32 = 0
        for index in range {
            sum += sums[index]
            let counts = counts(at: index)
            present += counts.present
            estimated += counts.estimated
            if counts.present > 0 { daysPresent += 1 }
            if counts.isFilled { filled += 1 }
        }
        return (sum, present, estimated, daysPresent, filled)
    }

    /// The bytes the columns hold (their elements, not spare capacity): what `DayStorageTests` bounds per day.
    var heldBytes: Int {
        sums.count * 8 + counts.count * 4 + wideCounts.count * MemoryLayout<Counts>.stride
            + (runDays.count + runStarts.count) * 4 + offsetRuns.count * MemoryLayout<OffsetRun>.stride
            + (maxima.count + nightRates.count) * 8
    }

    /// The last position with a present interval.
    var lastPresentIndex: Int? { indices.last { counts(at: $0).present > 0 } }

    public mutating func reserveCapacity(_ count: Int) {
        sums.reserveCapacity(count)
        if !isWide { counts.reserveCapacity(count) }
        if extras.contains(.maximum) { maxima.reserveCapacity(count) }
        if extras.contains(.nightMinimum) { nightRates.reserveCapacity(count) }
    }

    /// Adds the cell of a day after every day already held.
    public mutating func append(day: Int, _ cell: DayCell) {
        append(day: day, PackedDayCell(cell, day: day), maximum: cell.maximum, nightMinimumRate: cell.nightMinimumRate)
    }

    /// Adds a packed cell (its `lastLine` is not kept) after every day already held; the extras not kept are
    /// ignored.
    package mutating func append(day: Int, _ cell: PackedDayCell, maximum: Double, nightMinimumRate: Double) {
        let day32 = Int32(truncatingIfNeeded: day)
        let position = Int32(truncatingIfNeeded: count)
        if let last = lastDay {
            precondition(last < day, "DayCells.append: days must ascend")
            if last + 1 != day {
                runDays.append(day32)
                runStarts.append(position)
            }
        } else {
            runDays.append(day32)
            runStarts.append(position)
        }
        sums.append(cell.sum)
        let cellCounts = Counts(present: cell.present, estimated: cell.estimated, missing: cell.missing)
        if !isWide, let narrow = cellCounts.narrow {
            counts.append(narrow)
        } else {
            if !isWide {
                wideCounts = counts.map(Counts.init(narrow:))
                counts = []
                isWide = true
            }
            wideCounts.append(cellCounts)
        }
        if offsetRuns.last.map({ $0.first != cell.firstOffset || $0.last != cell.lastOffset }) ?? true {
            offsetRuns.append(OffsetRun(start: position, first: cell.firstOffset, last: cell.lastOffset))
        }
        if extras.contains(.maximum) { maxima.append(maximum) }
        if extras.contains(.nightMinimum) { nightRates.append(nightMinimumRate) }
    }

    /// Where `day` is, or where it would go.
    func position(of day: Int) -> (index: Int, found: Bool) {
        guard let last = lastDay, day <= last else { return (count, false) }
        let target = Int32(truncatingIfNeeded: day)
        guard target >= runDays[0] else { return (0, false) }
        let low = Self.last(atMost: target, count: runDays.count) { runDays[$0] }
        let index = Int(runStarts[low]) + day - Int(runDays[low])
        let end = low + 1 < runStarts.count ? Int(runStarts[low + 1]) : count
        return index < end ? (index, true) : (end, false)
    }

    public subscript(day: Int) -> DayCell? {
        get {
            let (index, found) = position(of: day)
            return found ? cell(at: index) : nil
        }
        set {
            let (index, found) = position(of: day)
            if !found, newValue == nil { return }
            // The cells from `index` on, rebuilt after the change (the end at once when appending).
            let later = (index..<count).map { (self.day(at: $0), cell(at: $0)) }
            removeSuffix(from: index)
            if let newValue { append(day: day, newValue) }
            for (laterDay, cell) in later.dropFirst(found ? 1 : 0) { append(day: laterDay, cell) }
        }
    }

    /// Drops the cells from position `index` on.
    private mutating func removeSuffix(from index: Int) {
        guard index < count else { return }
        let position = Int32(truncatingIfNeeded: index)
        if index == 0 {
            self = DayCells(extras: extras)
            return
        }
        while let start = runStarts.last, start >= position {
            runStarts.removeLast()
            runDays.removeLast()
        }
        while let run = offsetRuns.last, run.start >= position { offsetRuns.removeLast() }
        sums.removeSubrange(index...)
        if isWide { wideCounts.removeSubrange(index...) } else { counts.removeSubrange(index...) }
        if extras.contains(.maximum) { maxima.removeSubrange(index...) }
        if extras.contains(.nightMinimum) { nightRates.removeSubrange(index...) }
    }

    /// The same days and cells as read (`values`): what is not kept reads the same on both sides.
    public static func == (lhs: DayCells, rhs: DayCells) -> Bool {
        guard lhs.runDays == rhs.runDays, lhs.runStarts == rhs.runStarts, lhs.sums == rhs.sums,
              lhs.offsetRuns == rhs.offsetRuns else { return false }
        if lhs.isWide != rhs.isWide {
            guard lhs.indices.allSatisfy({ lhs.counts(at: $0) == rhs.counts(at: $0) }) else { return false }
        } else if lhs.counts != rhs.counts || lhs.wideCounts != rhs.wideCounts {
            return false
        }
        if lhs.maxima.isEmpty != rhs.maxima.isEmpty || lhs.nightRates.isEmpty != rhs.nightRates.isEmpty {
            return lhs.indices.allSatisfy { lhs.cell(at: $0) == rhs.cell(at: $0) }
        }
        return lhs.maxima == rhs.maxima && lhs.nightRates == rhs.nightRates
    }

    public struct Iterator: IteratorProtocol {
        let days: DayCells
        var index = 0
        public mutating func next() -> (key: Int, value: DayCell)? {
            guard index < days.count else { return nil }
            defer { index += 1 }
            return (days.day(at: index), days.cell(at: index))
        }
    }

    public func makeIterator() -> Iterator { Iterator(days: self) }
    public var underestimatedCount: Int { count }
}

/// One interval reading as a format produced it: what the day cells sum up, kept for PV matching (stored in
/// ``IntervalReadings``).
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

/// A series' interval readings in reading order, stored by column: each reading's start and value (16 bytes), and
/// the lengths and qualities as runs of equal ones (a series' readings mostly share one length and quality: a few
/// runs for thousands of readings). A reading read by position costs a search among the runs; in order, none.
public struct IntervalReadings: RandomAccessCollection, Sendable, Equatable, ExpressibleByArrayLiteral {
    private var starts: [Int64] = []
    private var values: [Double] = []
    /// Run `k` holds the readings from `runStarts[k]` to the next run's start (or the end), all of length
    /// `runSeconds[k]` and quality `runQualities[k]`; neighbouring runs differ.
    private var runStarts: [Int] = []
    private var runSeconds: [Int32] = []
    private var runQualities: [Quality] = []

    /// What a reading costs, besides its run.
    public static let bytesPerReading = MemoryLayout<Int64>.stride + MemoryLayout<Double>.stride

    public init() {}

    public init(_ readings: some Sequence<IntervalReading>) {
        for reading in readings { append(reading) }
    }

    public init(arrayLiteral elements: IntervalReading...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { starts.count }
    /// How many runs of one length and quality the readings make.
    public var runCount: Int { runStarts.count }

    public subscript(position: Int) -> IntervalReading {
        precondition(position >= 0 && position < starts.count, "reading index out of range")
        // The last run that starts at or before `position`.
        var low = 0, high = runStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if runStarts[middle] <= position { low = middle } else { high = middle - 1 }
        }
        return IntervalReading(startUTC: starts[position], seconds: runSeconds[low], quality: runQualities[low],
                               value: values[position])
    }

    public mutating func reserveCapacity(_ count: Int) {
        starts.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    public mutating func append(_ reading: IntervalReading) {
        if runSeconds.last != reading.seconds || runQualities.last != reading.quality {
            runStarts.append(starts.count)
            runSeconds.append(reading.seconds)
            runQualities.append(reading.quality)
        }
        starts.append(reading.startUTC)
        values.append(reading.value)
    }

    public mutating func append(contentsOf readings: some Sequence<IntervalReading>) {
        for reading in readings { append(reading) }
    }

    /// Gives the readings of unknown length (0) the length `seconds`.
    public mutating func fillUnknownLengths(with seconds: Int32) {
        guard runSeconds.contains(0) else { return }
        let old = self
        self = IntervalReadings()
        reserveCapacity(old.count)
        for var reading in old {
            if reading.seconds == 0 { reading.seconds = seconds }
            append(reading)
        }
    }

    /// In order: the run is followed, not searched for.
    public struct Iterator: IteratorProtocol {
        fileprivate let readings: IntervalReadings
        fileprivate var position = 0
        fileprivate var run = 0
        /// Where the next run starts (`Int.max`: none).
        fileprivate var nextRun = Int.max

        fileprivate init(readings: IntervalReadings) {
            self.readings = readings
            nextRun = readings.runStarts.count > 1 ? readings.runStarts[1] : Int.max
        }

        public mutating func next() -> IntervalReading? {
            guard position < readings.starts.count else { return nil }
            if position == nextRun {
                run += 1
                nextRun = run + 1 < readings.runStarts.count ? readings.runStarts[run + 1] : Int.max
            }
            defer { position += 1 }
            return IntervalReading(startUTC: readings.starts[position], seconds: readings.runSeconds[run],
                                   quality: readings.runQualities[run], value: readings.values[position])
        }
    }

    public func makeIterator() -> Iterator { Iterator(readings: self) }
    public var underestimatedCount: Int { starts.count }
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
        // Water: only the readings starting in the night window, 01:00–05:00 local (`FileAggregator.add`), for the
        // night minimum flow summed over a site's meters per interval.
        case .water: return true
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

    package init(file: String, firstDay: Int, lastDay: Int) {
        self.file = file
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    public func overlaps(_ period: ReportPeriod) -> Bool { firstDay <= period.lastDay && lastDay >= period.firstDay }
}

/// A row that could not be used: it goes to `rejects.csv` and never disappears.
public struct Reject: Sendable, Equatable {
    public let file: String
    public let line: Int
    public let column: String
    /// Stable snake_case code of the kind of problem (`duplicate_interval`, `negative_value`, …): what tools filter
    /// rejects.csv by and what the report's texts are rendered from.
    public let code: RejectCode
    public let reason: String
    public let raw: String
    /// The site it belongs to, when known.
    public let site: String?
    /// The local day of the row, when its date could be read (for `quality.rejected_rows` per period).
    public let day: Int?
    /// 0 for a reject kept in full (one row, with its line, column, reason and raw text). Above 0: a tally of that
    /// many rejected rows of `file` with this `code`, `site` and `day` whose detail was not kept because the file
    /// already has `Reject.detailLimit` detailed rejects of the code (line 0, column, reason and raw empty).
    public let omittedRows: Int

    public init(file: String, line: Int, column: String, code: RejectCode, reason: String, raw: String,
                site: String?, day: Int?, omittedRows: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
        self.code = code
        self.reason = reason
        self.raw = raw
        self.site = site
        self.day = day
        self.omittedRows = omittedRows
    }

    /// How many rejects per file and code are kept in full (line, column, reason, raw text); every further one is
    /// only counted (per code, site and local day: `omittedRows`). A hundred examples of one kind of problem are
    /// more than anyone reads to fix a file, and they bound what a file's rejects hold in memory, in the state and in
    /// rejects.csv to a few hundred KB whatever the file's size (a file of 2.76 million bad rows held 1.8 GB and
    /// wrote a 445 MB rejects.csv when every reject was kept). Counts stay exact: rejects.csv says, per file and
    /// code, how many rows were rejected beyond the detailed ones.
    public static let detailLimit = 100

    /// Whether this is a reject kept in full (not a tally of rows without detail).
    public var isDetailed: Bool { omittedRows == 0 }

    /// How many rejected rows this stands for: 1, or the tally's count.
    public var rows: Int { omittedRows == 0 ? 1 : omittedRows }

    /// The same reject `offset` lines further down (a chunk's rejects merged into the file's).
    package func shifted(by offset: Int) -> Reject {
        Reject(file: file, line: isDetailed ? line + offset : 0, column: column, code: code, reason: reason, raw: raw,
               site: site, day: day, omittedRows: omittedRows)
    }
}

extension Sequence where Element == Reject {
    /// The number of rejected rows (a tally counts as its rows), not the number of elements.
    public var rowCount: Int { reduce(0) { $0 + $1.rows } }
}

/// A merged day cell as the stages after the merge read it: without what only the merge needs (the first and last
/// interval start). Made on the fly from the packed cells (`DayCells.summary(at:)`).
package struct DaySummary: Sendable, Equatable {
    package var sum: Double
    package var maximum: Double
    var nightMinimumRate: Double
    package var present: Int32
    package var estimated: Int32
    package var missing: Int32

    init(sum: Double, maximum: Double, nightMinimumRate: Double, present: Int32, estimated: Int32, missing: Int32) {
        self.sum = sum
        self.maximum = maximum
        self.nightMinimumRate = nightMinimumRate
        self.present = present
        self.estimated = estimated
        self.missing = missing
    }

    init(_ cell: DayCell) {
        self.init(sum: cell.sum, maximum: cell.maximum, nightMinimumRate: cell.nightMinimumRate, present: cell.present,
                  estimated: cell.estimated, missing: cell.missing)
    }
}

/// A merged series with its day cells in day order: what everything after the merge reads (range sums for the KPIs,
/// `DailyTotals`, `daily.csv`). It takes over the merged series' `DayCells` (moved, not copied).
/// A class: the KPI engine hands series around by scope and quantity, one reference each.
package final class IndexedSeries: Sendable {
    package let key: SeriesKey
    package let interval: Int32
    package let inputs: [InputSpan]
    private let stored: DayCells
    /// Expected intervals count from the series' first day (PV production and what PV matching derives from it):
    /// before its first reading the installation did not exist, which is not missing data.
    package let countsFromFirstDay: Bool
    /// `SeriesData.notes` (PV matching: totals longer than a day that could not be matched).
    package let notes: [String]
    /// Water only: the readings of the night window (intervals starting 01:00–05:00 local), by start, one per start
    /// (a day two files both hold identically is kept from both by the merge). Empty for other quantities.
    package let nightReadings: [IntervalReading]
    /// The first day when the days follow each other without a gap (`days[i] == days[0] + i`), as they mostly do: then
    /// a day's position is computed rather than searched for.
    private let firstOfRun: Int?

    package init(_ data: SeriesData) {
        key = data.key
        interval = data.intervalSeconds
        inputs = data.inputs
        let stored = data.days
        self.stored = stored
        countsFromFirstDay = data.key.quantity == .pvProduction || data.key.quantity.isDerived
        notes = data.notes
        if data.key.quantity == .water, !data.readings.isEmpty {
            var night: [IntervalReading] = []
            night.reserveCapacity(data.readings.count)
            for reading in data.readings.sorted(by: { $0.startUTC < $1.startUTC })
            where night.last?.startUTC != reading.startUTC {
                night.append(reading)
            }
            nightReadings = night
        } else {
            nightReadings = []
        }
        firstOfRun = stored.firstDay.flatMap { $0 + stored.count - 1 == stored.lastDay ? $0 : nil }
    }

    /// Local day numbers, ascending; `cells[i]` is the cell of `days[i]`.
    package var days: DayCells.Days { stored.days }

    /// The cells in day order.
    package var cells: Summaries { Summaries(stored: stored, startIndex: 0, endIndex: stored.count) }

    /// Day summaries of consecutive positions, made on the fly.
    package struct Summaries: RandomAccessCollection {
        let stored: DayCells
        package let startIndex: Int
        package let endIndex: Int
        package subscript(position: Int) -> DaySummary { stored.summary(at: position) }
    }

    package struct RangeTotals {
        package var sum = 0.0
        package var present: Int32 = 0
        package var estimated: Int32 = 0
        package var daysPresent: Int32 = 0
        /// Days spread over a register gap (`DayCells.totals`).
        package var filled: Int32 = 0
    }

    /// The index of the first day at or after `day` (`days.count` when there is none).
    package func firstIndex(atOrAfter day: Int) -> Int {
        if let first = firstOfRun { return min(max(day - first, 0), stored.count) }
        return stored.position(of: day).index
    }

    /// Sums of the days in `from...to`, added in day order.
    package func totals(from: Int, to: Int) -> RangeTotals {
        guard from <= to else { return RangeTotals() }
        let totals = stored.totals(firstIndex(atOrAfter: from)..<firstIndex(atOrAfter: to + 1))
        return RangeTotals(sum: totals.sum, present: totals.present, estimated: totals.estimated,
                           daysPresent: totals.daysPresent, filled: totals.filled)
    }

    /// The cells of the days in `from...to`, in day order.
    package func cells(from: Int, to: Int) -> Summaries {
        guard from <= to else { return Summaries(stored: stored, startIndex: 0, endIndex: 0) }
        return Summaries(stored: stored, startIndex: firstIndex(atOrAfter: from), endIndex: firstIndex(atOrAfter: to + 1))
    }

    package var lastPresentDay: Int? {
        stored.lastPresentIndex.map { stored.day(at: $0) }
    }
}

extension Array where Element == Int32 {
    /// In ascending day numbers: where `day` is, or where it would go (a binary search; the end at once for a day
    /// after the last, the usual case while appending).
    package func position(of day: Int) -> (index: Int, found: Bool) {
        let target = Int32(truncatingIfNeeded: day)
        if let last, last < target { return (count, false) }
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < target { low = middle + 1 } else { high = middle }
        }
        return (low, low < count && self[low] == target)
    }
}
