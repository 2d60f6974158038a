/// The per-file (per-worker) partial aggregate: readings summed per series × local day as they stream in.
///
/// Series keys are interned once per file; the hot path adds to a cell found by a packed integer key.
public struct FileAggregator: Sendable {
    public let file: String
    let table: LocalTimeTable
    private(set) var seriesKeys: [SeriesKey] = []
    private var seriesIndex: [SeriesKey: Int32] = [:]
    private(set) var intervals: [Int32] = []
    private var cells: [Int64: DayCell] = [:]
    /// Last start instant per series (interval inference for formats without an end column).
    private var lastStart: [Int64] = []
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
        } else if lastStart[index] != Int64.min {
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
        let local = startUTC + table.offset(atUTC: startUTC)
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let key = Int64(series) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: day)))
        cells[key, default: DayCell()].add(value: value, quality: quality)
        cells[key]!.note(start: startUTC)
        // Night minimum flow: intervals of at most an hour starting 01:00–05:00 local.
        let interval = intervalSeconds > 0 ? intervalSeconds : intervals[index]
        if quality != .missing, interval > 0, interval <= 3600, seriesKeys[index].quantity == .water {
            let secondOfDay = local - Int64(day) * 86_400
            if secondOfDay >= 3600, secondOfDay < 5 * 3600 {
                let rate = value * 3600 / Double(interval)
                if rate < cells[key]!.nightMinimumRate { cells[key]!.nightMinimumRate = rate }
            }
        }
        acceptedRows += 1
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
            let key = Int64(series) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: day)))
            var cell = cells[key, default: DayCell()]
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
            cells[key] = cell
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

    /// The aggregate as series data, sorted by key (deterministic).
    public func seriesData() -> [SeriesData] {
        var bySeries: [[Int: DayCell]] = Array(repeating: [:], count: seriesKeys.count)
        for (packed, cell) in cells {
            let series = Int(packed >> 32)
            let day = Int(Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF))
            bySeries[series][day] = cell
        }
        return seriesKeys.indices.compactMap { index in
            guard let first = bySeries[index].keys.min(), let last = bySeries[index].keys.max() else { return nil }
            var kept = readings[index]
            if intervals[index] > 0 {
                for position in kept.indices where kept[position].seconds == 0 {
                    kept[position].seconds = intervals[index]
                }
            }
            return SeriesData(key: seriesKeys[index], intervalSeconds: intervals[index], days: bySeries[index],
                              inputs: [InputSpan(file: file, firstDay: first, lastDay: last)], readings: kept)
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
