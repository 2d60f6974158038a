/// The per-file (per-worker) partial aggregate: readings summed per series × local day as they stream in.
///
/// Series keys are interned once per file; the hot path adds to a cell found by a packed integer key.
public struct FileAggregator: Sendable {
    public let file: String
    let table: LocalTimeTable
    private(set) var seriesKeys: [SeriesKey] = []
    private var seriesIndex: [SeriesKey: Int32] = [:]
    private(set) var intervals: [Int32] = []
    /// The day cells, found by packed key (series << 32 | day) in `slotIndex`; each remembers the last line that
    /// touched it (the chunk merge replays up to there, see `ChunkedRead`).
    private var slots: [Slot] = []
    private var slotIndex: [Int64: Int32] = [:]
    /// Per series: the day and slot of its last reading (rows of a series come in time order: no hashing per row).
    private var cachedDay: [Int] = []
    private var cachedSlot: [Int32] = []
    /// The UTC-offset segment of the last reading (the offset changes twice a year: no search per row).
    private var segment = LocalTimeTable.Segment(start: 0, end: 0, offset: 0)
    /// Last start instant per series (interval inference for formats without an end column).
    private var lastStart: [Int64] = []
    /// First start instant per series, when that first reading had no explicit interval (chunk merge: the
    /// interval between the previous chunk's last start and this one counts as in a sequential read).
    private var firstInferredStart: [Int64] = []
    /// Line of the record being read (set by the reader before each record).
    var line = 0
    /// A reading used an interval inferred from the rows before it (water night flow without an end column): a
    /// later chunk of a file read in parallel would not know those rows, so the file is read sequentially instead.
    private(set) var usedInferredInterval = false
    /// Replay mode (chunk merge): only cells that already exist are updated (`seedCell`).
    var onlyExistingCells = false

    struct Slot: Sendable {
        var cell: DayCell
        var lastLine: Int
    }
    public private(set) var rejects: [Reject] = []
    public private(set) var acceptedRows = 0
    /// Rows deliberately not used (m³ twins of gas kWh rows, reactive energy, repeated headers): counted, not lost.
    public private(set) var ignoredRows: [String: Int] = [:]

    /// When above 0, the first `traceLimit` readings are also kept one by one (for `sniff` and tests).
    let traceLimit: Int
    public private(set) var trace: [TracedReading] = []

    /// Which series keep their readings one by one (PV matching); decided per series when it is interned.
    let readingPolicy: IntervalReadingPolicy
    /// Per series: whether its readings are kept, and the kept readings (empty when not kept).
    private var keepsReadings: [Bool] = []
    private var readings: [[IntervalReading]] = []

    public init(file: String, table: LocalTimeTable, traceLimit: Int = 0, readingPolicy: IntervalReadingPolicy = .none) {
        self.file = file
        self.table = table
        self.traceLimit = traceLimit
        self.readingPolicy = readingPolicy
    }

    /// The series' local id, creating it on first use.
    mutating func intern(_ key: SeriesKey) -> Int32 {
        if let id = seriesIndex[key] { return id }
        let id = Int32(seriesKeys.count)
        seriesKeys.append(key)
        seriesIndex[key] = id
        intervals.append(0)
        lastStart.append(Int64.min)
        firstInferredStart.append(Int64.min)
        cachedDay.append(Int.min)
        cachedSlot.append(0)
        keepsReadings.append(readingPolicy.keeps(key))
        readings.append([])
        return id
    }

    /// Adds one interval reading. `intervalSeconds` 0 means "infer from consecutive starts".
    @inline(__always)
    mutating func add(series: Int32, startUTC: Int64, intervalSeconds: Int32, value: Double, quality: Quality) {
        let index = Int(series)
        if intervalSeconds > 0 {
            if intervals[index] == 0 || intervalSeconds < intervals[index] { intervals[index] = intervalSeconds }
        } else if lastStart[index] == Int64.min {
            firstInferredStart[index] = startUTC
        } else {
            let delta = abs(startUTC - lastStart[index])
            if delta > 0, delta < Int64(Int32.max), intervals[index] == 0 || delta < Int64(intervals[index]) {
                intervals[index] = Int32(delta)
            }
        }
        lastStart[index] = startUTC
        if keepsReadings[index] {
            // Length 0 ("infer") is filled with the series' interval in `seriesData()`, once it is known.
            readings[index].append(IntervalReading(startUTC: startUTC, seconds: max(0, intervalSeconds), quality: quality,
                                                   value: quality == .missing ? 0 : value))
        }
        if trace.count < traceLimit {
            trace.append(TracedReading(series: seriesKeys[index], startUTC: startUTC, intervalSeconds: intervalSeconds,
                                       value: value, quality: quality))
        }
        if startUTC < segment.start || startUTC >= segment.end { segment = table.offsetSegment(containingUTC: startUTC) }
        let local = startUTC + segment.offset
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let slot: Int
        if cachedDay[index] == day {
            slot = Int(cachedSlot[index])
        } else if let found = slotFor(series: series, day: day, create: !onlyExistingCells) {
            slot = found
            cachedDay[index] = day
            cachedSlot[index] = Int32(found)
        } else {
            acceptedRows += 1
            return
        }
        slots[slot].cell.add(value: value, quality: quality)
        slots[slot].cell.note(start: startUTC)
        slots[slot].lastLine = line
        // Night minimum flow: intervals of at most an hour starting 01:00–05:00 local.
        if quality != .missing, seriesKeys[index].quantity == .water {
            if intervalSeconds <= 0 { usedInferredInterval = true }
            let interval = intervalSeconds > 0 ? intervalSeconds : intervals[index]
            let secondOfDay = local - Int64(day) * 86_400
            if interval > 0, interval <= 3600, secondOfDay >= 3600, secondOfDay < 5 * 3600 {
                let rate = value * 3600 / Double(interval)
                if rate < slots[slot].cell.nightMinimumRate { slots[slot].cell.nightMinimumRate = rate }
            }
        }
        acceptedRows += 1
    }

    /// The slot of a series' day cell; a new empty one when `create`, else nil when there is none.
    @inline(__always)
    private mutating func slotFor(series: Int32, day: Int, create: Bool) -> Int? {
        let key = Int64(series) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: day)))
        if let found = slotIndex[key] { return Int(found) }
        guard create else { return nil }
        slots.append(Slot(cell: DayCell(), lastLine: line))
        slotIndex[key] = Int32(slots.count - 1)
        return slots.count - 1
    }

    /// Adds a value that covers `fromUTC..<toUTC`, split over the local days it spans in proportion to time
    /// (cumulative readings at irregular times). Each touched day counts as one present day of a daily series.
    mutating func addSpread(series: Int32, fromUTC: Int64, toUTC: Int64, value: Double, quality: Quality) {
        guard toUTC > fromUTC else { return }
        let index = Int(series)
        intervals[index] = 86_400
        if keepsReadings[index] {
            // Kept whole: how the value falls on days is not measured, so PV matching must not see day shares.
            readings[index].append(IntervalReading(
                startUTC: fromUTC, seconds: Int32(clamping: toUTC - fromUTC), quality: quality,
                value: quality == .missing ? 0 : value))
        }
        var day = table.localDay(ofUTC: fromUTC)
        var start = fromUTC
        let length = Double(toUTC - fromUTC)
        while start < toUTC {
            let end = min(toUTC, table.startOfDay(day + 1))
            let share = quality == .missing ? 0 : value * Double(end - start) / length
            let slot = slotFor(series: series, day: day, create: true)!
            var cell = slots[slot].cell
            let firstTouch = cell.present == 0 && cell.missing == 0
            switch quality {
            case .missing:
                if firstTouch { cell.missing = 1 }
            case .measured, .estimated:
                cell.sum += share
                if quality == .estimated { cell.estimatedSum += share }
                if cell.present == 0 {
                    cell.present = 1
                    cell.missing = 0
                    if quality == .estimated { cell.estimated = 1 }
                }
            }
            cell.note(start: start)
            slots[slot].cell = cell
            slots[slot].lastLine = line
            if trace.count < traceLimit {
                trace.append(TracedReading(series: seriesKeys[index], startUTC: start, intervalSeconds: Int32(end - start),
                                           value: share, quality: quality))
            }
            start = end
            day += 1
        }
        acceptedRows += 1
    }

    mutating func reject(line: Int, column: String, reason: String, raw: String, site: String?, day: Int? = nil) {
        rejects.append(Reject(file: file, line: line, column: column, reason: reason, raw: raw, site: site, day: day))
    }

    mutating func ignore(_ why: String) {
        ignoredRows[why, default: 0] += 1
    }

    // MARK: Chunks of one file read in parallel (`ChunkedRead`)

    /// The (series, local day) cells both aggregates have, and the last line of `later` that touched any of them.
    func sharedCells(with later: FileAggregator) -> (cells: [(key: SeriesKey, day: Int)], lastLine: Int) {
        var shared: [(key: SeriesKey, day: Int)] = []
        var lastLine = 0
        let mine = Dictionary(uniqueKeysWithValues: seriesKeys.enumerated().map { ($1, Int32($0)) })
        for (packed, slot) in later.slotIndex {
            let key = later.seriesKeys[Int(packed >> 32)]
            let day = Int(Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF))
            guard let series = mine[key],
                  slotIndex[Int64(series) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: day)))] != nil
            else { continue }
            shared.append((key, day))
            lastLine = max(lastLine, later.slots[Int(slot)].lastLine)
        }
        return (shared, lastLine)
    }

    func cell(_ key: SeriesKey, day: Int) -> DayCell? {
        guard let series = seriesKeys.firstIndex(of: key) else { return nil }
        return slotIndex[Int64(series) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: day)))]
            .map { slots[Int($0)].cell }
    }

    /// Puts a cell in place (replay mode: the earlier chunks' total that the replayed rows add to).
    mutating func seedCell(_ key: SeriesKey, day: Int, _ cell: DayCell) {
        let series = intern(key)
        let slot = slotFor(series: series, day: day, create: true)!
        slots[slot].cell = cell
    }

    /// Appends the aggregate of the next chunk of the same file, as if its rows had followed in one read:
    /// `lineOffset` lines before the chunk; `replayed` holds the exact cells of the days both have (the earlier
    /// total plus the chunk's values added in row order, so floating-point sums are bit-identical).
    mutating func append(_ later: FileAggregator, lineOffset: Int, replayed: [SeriesKey: [Int: DayCell]]) {
        var map: [Int32] = []
        for (index, key) in later.seriesKeys.enumerated() {
            let series = intern(key)
            map.append(series)
            let mine = Int(series)
            // The interval between this file's last start so far and the chunk's first (inferred) start.
            if later.firstInferredStart[index] != Int64.min, lastStart[mine] != Int64.min {
                let delta = abs(later.firstInferredStart[index] - lastStart[mine])
                if delta > 0, delta < Int64(Int32.max), intervals[mine] == 0 || delta < Int64(intervals[mine]) {
                    intervals[mine] = Int32(delta)
                }
            }
            if later.intervals[index] > 0, intervals[mine] == 0 || later.intervals[index] < intervals[mine] {
                intervals[mine] = later.intervals[index]
            }
            if later.lastStart[index] != Int64.min { lastStart[mine] = later.lastStart[index] }
            readings[mine].append(contentsOf: later.readings[index])
        }
        for (packed, slot) in later.slotIndex.sorted(by: { $0.value < $1.value }) {
            let index = Int(packed >> 32)
            let day = Int(Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF))
            let series = map[index]
            let existed = slotFor(series: series, day: day, create: false) != nil
            let mine = slotFor(series: series, day: day, create: true)!
            if let exact = replayed[later.seriesKeys[index]]?[day] {
                slots[mine].cell = exact
            } else if existed {
                slots[mine].cell.merge(later.slots[Int(slot)].cell)  // not reached: every shared cell is replayed
            } else {
                slots[mine].cell = later.slots[Int(slot)].cell
            }
        }
        for reject in later.rejects {
            rejects.append(Reject(file: reject.file, line: reject.line + lineOffset, column: reject.column,
                                  reason: reject.reason, raw: reject.raw, site: reject.site, day: reject.day))
        }
        acceptedRows += later.acceptedRows
        for (why, count) in later.ignoredRows { ignoredRows[why, default: 0] += count }
        usedInferredInterval = usedInferredInterval || later.usedInferredInterval
    }

    /// The aggregate as series data, sorted by key (deterministic).
    public func seriesData() -> [SeriesData] {
        // Each series' cells gathered as (day, slot), sorted by day (already in order when rows came in time order),
        // then copied into its compact `DayCells`.
        var counts = [Int](repeating: 0, count: seriesKeys.count)
        for packed in slotIndex.keys { counts[Int(packed >> 32)] += 1 }
        var bySeries: [[(day: Int32, slot: Int32)]] = counts.map { count in
            var entries: [(day: Int32, slot: Int32)] = []
            entries.reserveCapacity(count)
            return entries
        }
        for (packed, slot) in slotIndex {
            bySeries[Int(packed >> 32)].append((Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF), slot))
        }
        return seriesKeys.indices.compactMap { index in
            guard !bySeries[index].isEmpty else { return nil }
            bySeries[index].sort { $0.day < $1.day }
            var days = DayCells()
            days.reserveCapacity(bySeries[index].count)
            for entry in bySeries[index] { days.append(day: Int(entry.day), slots[Int(entry.slot)].cell) }
            bySeries[index] = []
            var kept = readings[index]
            if intervals[index] > 0 {
                for position in kept.indices where kept[position].seconds == 0 {
                    kept[position].seconds = intervals[index]
                }
            }
            return SeriesData(key: seriesKeys[index], intervalSeconds: intervals[index], days: days,
                              inputs: [InputSpan(file: file, firstDay: days.firstDay!, lastDay: days.lastDay!)],
                              readings: kept)
        }.sorted { $0.key < $1.key }
    }
}

/// One reading as a format produced it (UTC start, canonical unit).
public struct TracedReading: Sendable, Equatable {
    public let series: SeriesKey
    public let startUTC: Int64
    public let intervalSeconds: Int32
    public let value: Double
    public let quality: Quality
}
