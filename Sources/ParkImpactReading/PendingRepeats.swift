import ParkImpactModel
import ParkImpactDefinition

/// Repeats of a reading that was not its series' last (`FileAggregator`): refused as they are read, their code
/// (`duplicate_interval` or `conflicting_interval`) settled by a second pass over the file that finds the earlier
/// readings (`ReadFile`). Held in one flat array of 40 bytes each (no hash, no text, no reason): the second pass
/// walks the file in line order and matches the repeats, sorted by their earlier line, with a cursor.
struct PendingRepeats: Sendable {
    /// One repeat: the line of the earlier reading, and the repeat itself (series, start, line, value, quality).
    struct Entry: Sendable, Equatable {
        var earlierLine: Int64
        var line: Int64
        var start: Int64
        var value: Double
        var series: Int32
        var quality: Quality
        /// What the second pass found (`Found`).
        var found: Found
        /// 0 when its reject is tallied once its code is known; else 1 + its index in `rejects` (kept in full).
        var detail: UInt16

        var reading: AcceptedReading { AcceptedReading(start: start, value: value, quality: quality, line: line) }
        var detailed: Bool { detail != 0 }
        /// The earlier reading's line, series and start.
        var earlierKey: LookupKey { LookupKey(line: earlierLine, series: series, start: start) }
    }

    enum Found: UInt8, Sendable {
        /// Not (yet) found.
        case nothing
        /// The earlier reading, with the repeat's quality and value.
        case same
        /// The earlier reading, with another quality or value.
        case other
    }

    private(set) var entries: [Entry] = []
    /// The positions of the rejects kept in full (in `FileAggregator`'s detailed rejects), in the order they were
    /// made; at most `FileAggregator.pendingDetailLimit`.
    private(set) var rejects: [Int] = []
    /// Whether `entries` are in the order of their earlier line (they are appended in the order of their own line:
    /// for an export pasted twice that is the same order, and no sort is needed).
    private var sorted = true
    /// Second pass: the earlier readings of the repeats kept in full (their reasons quote the earlier value).
    private(set) var earlierOfDetailed: [LookupKey: AcceptedReading] = [:]
    /// Second pass: the first entry whose earlier line is at or after the line of the previous reading.
    private var cursor = 0
    /// Second pass: the entries before this one had no earlier line (`SeenStarts.unknownLine`: a repeat of a start
    /// of rows in no order); they are found by series and start, at the first reading that has them.
    private var knownFrom = 0
    private var unknownEarlier: [SeriesStart: [Int]] = [:]

    struct SeriesStart: Hashable {
        var series: Int32
        var start: Int64
    }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Adds a repeat; `reject`: the position of its reject when it is kept in full.
    mutating func append(series: Int32, reading: AcceptedReading, earlierLine: Int64, reject: Int?) {
        if let last = entries.last, earlierLine < last.earlierLine { sorted = false }
        var detail: UInt16 = 0
        if let reject, rejects.count < Int(UInt16.max) {
            rejects.append(reject)
            detail = UInt16(rejects.count)
        }
        entries.append(Entry(earlierLine: earlierLine, line: reading.line, start: reading.start, value: reading.value,
                             series: series, quality: reading.quality, found: .nothing, detail: detail))
    }

    /// The position of the reject of `entry` when it is kept in full.
    func reject(of entry: Entry) -> Int? {
        entry.detail == 0 ? nil : rejects[Int(entry.detail) - 1]
    }

    /// Prepares the second pass: entries in the order of their earlier line (stable: equal lines keep their order),
    /// those without one first.
    mutating func startLookup() {
        if !sorted {
            entries.sort { $0.earlierLine < $1.earlierLine }
            sorted = true
        }
        knownFrom = 0
        while knownFrom < entries.count, entries[knownFrom].earlierLine < 0 {
            unknownEarlier[SeriesStart(series: entries[knownFrom].series, start: entries[knownFrom].start),
                           default: []].append(knownFrom)
            knownFrom += 1
        }
        cursor = knownFrom
    }

    /// Second pass: a reading at `line` (lines come in file order, except readings a format held back and adds
    /// later with their own line: then the cursor is searched again). Marks the repeats whose earlier reading it is.
    /// The first reading a repeat without an earlier line has is its earlier reading: the reading the first pass
    /// accepted (readings that pass a value check are `see`n, as they were accepted, in file order).
    @inline(__always)
    mutating func see(line: Int64, series: Int32, start: Int64, value: Double, quality: Quality) {
        if !unknownEarlier.isEmpty {
            seeUnknown(line: line, series: series, start: start, value: value, quality: quality)
        }
        if cursor > knownFrom, entries[cursor - 1].earlierLine >= line { cursor = lowerBound(line) }
        while cursor < entries.count, entries[cursor].earlierLine < line { cursor += 1 }
        guard cursor < entries.count, entries[cursor].earlierLine == line else { return }
        seeAtCursor(line: line, series: series, start: start, value: value, quality: quality)
    }

    @inline(never)
    private mutating func seeUnknown(line: Int64, series: Int32, start: Int64, value: Double, quality: Quality) {
        let key = SeriesStart(series: series, start: start)
        guard let positions = unknownEarlier.removeValue(forKey: key) else { return }
        let earlier = AcceptedReading(start: start, value: value, quality: quality, line: line)
        for position in positions {
            entries[position].earlierLine = line
            let entry = entries[position]
            let same = FileAggregator.repeatCode(entry.reading, of: earlier) == FileAggregator.duplicateCode
            entries[position].found = same ? .same : .other
            if entry.detailed { earlierOfDetailed[entry.earlierKey] = earlier }
        }
    }

    @inline(never)
    private mutating func seeAtCursor(line: Int64, series: Int32, start: Int64, value: Double, quality: Quality) {
        let earlier = AcceptedReading(start: start, value: value, quality: quality, line: line)
        var position = cursor
        while position < entries.count, entries[position].earlierLine == line {
            let entry = entries[position]
            if entry.series == series, entry.start == start {
                let same = FileAggregator.repeatCode(entry.reading, of: earlier) == FileAggregator.duplicateCode
                entries[position].found = same ? .same : .other
                if entry.detailed { earlierOfDetailed[entry.earlierKey] = earlier }
            }
            position += 1
        }
    }

    /// Index of the first entry with an earlier line at or after `line`.
    private func lowerBound(_ line: Int64) -> Int {
        var low = knownFrom
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].earlierLine < line { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
