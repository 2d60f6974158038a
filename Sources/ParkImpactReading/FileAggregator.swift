public import ParkImpactModel
import ParkImpactDefinition

/// The per-file (per-worker) partial aggregate: readings summed per series × local day as they stream in.
///
/// Series keys are interned once per file; the hot path adds to a cell found by a packed integer key.
public struct FileAggregator: Sendable {
    public let file: String
    let table: LocalTimeTable
    private(set) var seriesKeys: [SeriesKey] = []
    private var seriesIndex: [SeriesKey: Int32] = [:]
    private(set) var intervals: [Int32] = []
    /// Per series, its day cells (`SeriesDays`): found by day without hashing, packed in 32 bytes each, and handed
    /// over to the file's result without a copy of the whole (`takeSeriesData`).
    private var days: [SeriesDays] = []
    /// Per series: the day and position of its last reading (rows of a series come in time order: no search per row).
    private var cachedDay: [Int] = []
    private var cachedPosition: [Int32] = []
    /// The UTC-offset segment of the last reading (the offset changes twice a year: no search per row).
    private var segment = LocalTimeTable.Segment(start: 0, end: 0, offset: 0)
    /// The last day asked of `dayStart(_:)` and its UTC start (register differences spread a day at a time).
    private var cachedDayStart: (day: Int, start: Int64) = (Int.min, 0)
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
    /// A chunk after the first with what `ChunkAssembly` refuses to merge: a repeat (its message names a chunk-local
    /// line) or an interval inferred from the rows before (they are in the chunk before).
    var refusesChunkMerge: Bool { refusedRepeats > 0 || usedInferredInterval }
    /// Replay mode (chunk merge): only cells that already exist are updated (`seedCell`).
    var onlyExistingCells = false

    /// One value `add` added to a cell's sum: the series' index here, the local day.
    struct SumEntry {
        let series: Int32
        let day: Int32
        let value: Double
    }
    /// A chunk read (`ReadFile.readPart`) keeps the values added to the sums of the cells its first
    /// `sumLogLines` lines began, in row order (`sumLog`), at most `sumLogLimit` of them: a cell the chunk shares
    /// with the chunks before it (one they began too: in an export by time, the days under way at the chunk's
    /// start; by meter, the meter's) is then summed exactly without reading its rows again
    /// (`appendContinuingSums`). Only a sum's additions depend on order; counts, extremes and starts do not. False
    /// when not kept, or given up (over the limit, or a sum changed by `addSpread`).
    private(set) var logsSums = false
    private var sumLog: [SumEntry] = []
    private var sumLogLimit = 0
    private var sumLogLines = 0
    /// Per series: the days whose cells are logged, and whether the cell of `cachedDay` is.
    private var loggedDays: [[Int32]] = []
    private var cachedLogged: [Bool] = []

    /// `keepSumLog(lines:)` for every cell of the chunk, wherever it begins (no list of logged days is kept).
    static let everyLine = Int.max

    /// Starts keeping the sum log (before the first row): the cells begun on the first `lines` lines, at most
    /// `limit` values.
    mutating func keepSumLog(lines: Int, limit: Int, expected: Int) {
        sumLog.reserveCapacity(min(limit, expected))  // not grown (copied) row by row
        logsSums = true
        sumLogLines = lines
        sumLogLimit = limit
    }

    private mutating func dropSumLog() {
        logsSums = false
        sumLog = []
        loggedDays = []
    }

    /// Whether series `index`'s cell of `day` at `position` (just found) is logged: it is when it is begun on one of
    /// the first `sumLogLines` lines, and then stays so.
    private mutating func isLogged(_ index: Int, day: Int, position: Int) -> Bool {
        if sumLogLines == Self.everyLine { return true }  // every cell (rows in no time order): no list kept
        if loggedDays.count <= index { loggedDays += Array(repeating: [], count: seriesKeys.count - loggedDays.count) }
        let day32 = Int32(truncatingIfNeeded: day)
        if loggedDays[index].contains(day32) { return true }
        guard line <= sumLogLines, days[index].cells[position].isAbsent else { return false }
        loggedDays[index].append(day32)
        return true
    }

    /// The rejects kept in full: the first `Reject.detailLimit` per code in the order they were made (a repeat
    /// whose code is settled later is kept until `resolveRepeats`), with the positions `fillRaw` and
    /// `PendingRepeats.rejects` refer to.
    private var detailed: [Reject] = []
    /// Per code, how many of `detailed` count against the limit.
    private var detailedPerCode: [RejectCode: Int] = [:]
    /// The rejects beyond the limit: counted per code, site and local day (bounded by the file's days, never by its
    /// rows), and the first line per code whose detail was dropped (the order of the tallies).
    private var tallies: [RejectTallyKey: Int] = [:]
    private var firstOmittedLine: [RejectCode: Int] = [:]
    /// Every rejected row, detailed or tallied.
    public private(set) var rejectedRows = 0

    /// The file's rejects: those kept in full, then one tally per code, site and day of the rows beyond the limit
    /// (codes in the order of their first row without detail; sites and days ascending, unknown first).
    public var rejects: [Reject] {
        guard !tallies.isEmpty else { return detailed }
        let ordered = tallies.sorted { left, right in
            let (a, b) = (left.key, right.key)
            let lineA = firstOmittedLine[a.code] ?? 0, lineB = firstOmittedLine[b.code] ?? 0
            if a.code != b.code { return lineA != lineB ? lineA < lineB : a.code.rawValue < b.code.rawValue }
            if a.site != b.site {
                guard let siteA = a.site else { return true }
                guard let siteB = b.site else { return false }
                return siteA < siteB
            }
            return (a.day ?? Int.min) < (b.day ?? Int.min)
        }
        return detailed + ordered.map { Reject(file: file, line: 0, column: "", code: $0.key.code, reason: "", raw: "",
                                                site: $0.key.site, day: $0.key.day, omittedRows: $0.value) }
    }
    public private(set) var acceptedRows = 0
    /// Rows deliberately not used (m³ twins of gas kWh rows, reactive energy, repeated headers): counted, not lost.
    public var ignoredRows: [String: Int] {
        guard let pending = pendingIgnored else { return ignoredCounts }
        var rows = ignoredCounts
        rows[pending.key.key, default: 0] += pending.rows
        return rows
    }
    private var ignoredCounts: [String: Int] = [:]
    /// The key of the last ignored rows and how many of them are not yet in `ignoredCounts`: a format that ignores
    /// every row under one key (SMA's power and status channels, a reason of several hundred characters) neither
    /// builds nor hashes the key per row.
    private var pendingIgnored: (key: IgnoreKey, rows: Int)?

    /// When above 0, the first `traceLimit` readings are also kept one by one (for `sniff` and tests).
    let traceLimit: Int
    public private(set) var trace: [TracedReading] = []

    /// Which series keep their readings one by one (PV matching); decided per series when it is interned.
    let readingPolicy: IntervalReadingPolicy
    /// Per series: whether its readings are kept, and the kept readings (empty when not kept).
    private var keepsReadings: [Bool] = []
    private var readings: [IntervalReadings] = []
    /// Per series read as interval values that a running total could hide behind: the register rule's counts
    /// (`observeRegister`, `registerSuspects`).
    private var registerEvidence: [RegisterEvidence] = []
    /// Per series, its differences of a cumulative register held back until the end of the file
    /// (`addRegisterDifference`, `spreadRegisterDifferences`).
    private var registerDifferences: [[RegisterDifference]] = []

    /// Per series: whether a second reading of an interval start is refused, its last accepted reading and the run of
    /// starts it is extending (`RepeatTrack`: one flat value per row in time order), and the other starts of its
    /// accepted readings (`SeenStarts`).
    private var tracks: [RepeatTrack] = []
    private var seen: [SeenStarts] = []
    /// Repeats of a reading that is not the series' last: refused, their code and reason settled once the earlier
    /// reading's value is known (a second pass: `lookUp`, `resolveRepeats`).
    private(set) var pendingRepeats = PendingRepeats()
    /// Repeats refused (their reasons name the earlier line: a chunk with any is not merged but read sequentially).
    private(set) var refusedRepeats = 0
    /// Rejects from `rawFrom` on were made by the aggregator (it does not see the record): the reader gives them the
    /// record's raw text after the format has read it (`fillRaw`).
    private(set) var needsRaw = false
    private var rawFrom = 0
    /// The header column of the value the format gives `add` next, for a format that reads several per row (Sungrow,
    /// Enphase, `generic`, counters, SMA channels); -1: the format's one value column (`RowFormat.valueColumnIndex`).
    var valueColumn = -1
    /// In place of a `valueColumn`: the reject is about the reading's time (`date_out_of_range`), and names the
    /// format's time column (`RowFormat.timeColumnIndex`).
    static let timeColumn = -2
    /// How many empty fields beyond the header the file's first data row has (a trailing delimiter on every row):
    /// decided by that row (`RowFormat.checkFieldCount`), nil before it.
    var trailingEmptyFields: Int?
    /// Per reject from `rawFrom` on, the `valueColumn` it was made for, or `timeColumn` (`fillRaw` names it).
    private var rawColumns: [Int] = []
    /// Lookup mode (a second pass over a file with `pendingRepeats`): readings are not aggregated; those at the
    /// line, series and start of a repeat's earlier reading settle its code (`PendingRepeats.see`).
    private(set) var lookingUp = false

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
        days.append(SeriesDays(extras: DayCells.Extras(for: key.quantity)))
        cachedDay.append(Int.min)
        cachedPosition.append(0)
        cachedLogged.append(false)
        keepsReadings.append(readingPolicy.keeps(key))
        readings.append([])
        registerEvidence.append(RegisterEvidence())
        registerDifferences.append([])
        tracks.append(RepeatTrack(refuses: !key.quantity.isEvent))
        seen.append(SeenStarts())
        return id
    }

    /// Whether the reading counts: false (after rejecting it) for a negative value of a quantity that cannot be
    /// negative, and for a second reading of an interval start of a metered series. O(1) for a series in time order.
    @inline(__always)
    private mutating func admits(_ index: Int, start: Int64, value: Double, quality: Quality, mayBeNegative: Bool)
        -> Bool {
        if lookingUp {
            lookUp(index, start: start, value: value, quality: quality, mayBeNegative: mayBeNegative)
            return false
        }
        if value < 0, quality != .missing, !mayBeNegative, !seriesKeys[index].quantity.canBeNegative {
            rejectNegative(index, start: start, value: value)
            return false
        }
        if !(abs(value) <= Self.largestReading) {  // also NaN and infinity
            rejectOutOfRange(index, start: start, value: value)
            return false
        }
        if !Self.plausibleInstants.contains(start) {
            rejectImplausibleDate(index, start: start)
            return false
        }
        let reading = AcceptedReading(start: start, value: value, quality: quality, line: Int64(line))
        if tracks[index].admitsInRun(reading) { return true }
        return admitsOutOfRun(index, reading)
    }

    /// `admits` in a lookup pass: only readings the first pass did not reject for their value or date are seen (the
    /// first of a start is then the one it accepted).
    @inline(never)
    private mutating func lookUp(_ index: Int, start: Int64, value: Double, quality: Quality, mayBeNegative: Bool) {
        if value < 0, quality != .missing, !mayBeNegative, !seriesKeys[index].quantity.canBeNegative { return }
        if !(abs(value) <= Self.largestReading) || !Self.plausibleInstants.contains(start) { return }
        pendingRepeats.see(line: Int64(line), series: Int32(index), start: start, value: value, quality: quality)
    }

    /// `admits` for a reading that does not continue its series' open run.
    @inline(never)
    private mutating func admitsOutOfRun(_ index: Int, _ reading: AcceptedReading) -> Bool {
        var track = tracks[index]
        defer { tracks[index] = track }
        let start = reading.start
        if start == track.last.start {
            refusedRepeats += 1
            rejectRepeat(index, reading, of: track.last)
            return false
        }
        if track.runCount == 1, track.above ? start > track.high : start < track.low {
            track.step = start - track.last.start
            track.lineStep = reading.line - track.last.line
            track.runCount = 2
            track.last = reading
            return true
        }
        track.flush(into: &seen[index])
        if start > track.high || start < track.low {
            track.open(reading)
            return true
        }
        if let earlier = seen[index].insert(start, line: reading.line) {
            // Refused now; which of the two codes is settled once the earlier value is known (`resolveRepeats`).
            refusedRepeats += 1
            // Only the first `pendingDetailLimit` are kept in full until then (their raw text is not read again); the
            // others are tallied once their code is known.
            let keep = pendingRepeats.rejects.count < Self.pendingDetailLimit
            pendingRepeats.append(series: Int32(index), reading: reading, earlierLine: earlier,
                                  reject: keep ? detailed.count : nil)
            if keep {
                addReject(index, start: start, code: Self.duplicateCode, reason: "", settledLater: true)
            } else {
                rejectedRows += 1
            }
            return false
        }
        track.last = reading
        return true
    }

    /// The starts of series `index`'s accepted readings.
    func seenStarts(_ index: Int) -> SeenStarts {
        var starts = seen[index]
        var track = tracks[index]
        track.flush(into: &starts)
        return starts
    }

    /// How many repeats whose code is settled later (`pendingRepeats`) are kept in full until then: enough for the
    /// first `Reject.detailLimit` of both codes when they come in any mix; a file of a million such repeats (an
    /// export pasted twice) holds no raw text for the others.
    static let pendingDetailLimit = 2 * Reject.detailLimit

    static let duplicateCode = RejectCode.duplicateInterval
    static let conflictCode = RejectCode.conflictingInterval
    static let negativeCode = RejectCode.negativeValue

    private mutating func rejectNegative(_ index: Int, start: Int64, value: Double) {
        let quantity = seriesKeys[index].quantity
        addReject(index, start: start, code: Self.negativeCode,
                  reason: "negative value \(Self.text(value)) \(quantity.canonicalUnit.rawValue) for \(quantity.rawValue) "
                    + "(interval starting \(Self.instantText(start))), which cannot be negative")
    }

    /// The largest value one reading may have, in its quantity's canonical unit (kWh, m³, count, kg, km, °C): 10¹²
    /// kWh is a TWh in one interval, more than a tenth of Belgium's yearly electricity use (about 8 × 10¹⁰ kWh);
    /// no meter, counter or scale delivers it. A value beyond it (a typo in the exponent, `1e308`, an overflowed
    /// register) is rejected before any arithmetic: sums stay finite, so no total, KPI or chart ever meets infinity.
    static let largestReading = 1e12

    /// Readings start from 1800 to 2199 (UTC): KNMI's daily series go back to 1901; a year typed with a wrong digit
    /// (`6024`, `2204`, `1024`) is refused rather than counted on a day no period will ever show.
    static let plausibleInstants: Range<Int64> = -5_364_662_400 ..< 7_258_118_400

    private mutating func rejectImplausibleDate(_ index: Int, start: Int64) {
        addReject(index, start: Self.plausibleInstants.lowerBound, code: .dateOutOfRange, column: Self.timeColumn,
                  reason: "the reading starts \(Self.instantText(start)), outside the years 1800 to 2199: check the "
                    + "year (a digit typed wrong)")
    }

    private mutating func rejectOutOfRange(_ index: Int, start: Int64, value: Double) {
        let quantity = seriesKeys[index].quantity
        addReject(index, start: start, code: .valueOutOfRange,
                  reason: "value \(Self.text(value)) \(quantity.canonicalUnit.rawValue) for \(quantity.rawValue) (interval "
                    + "starting \(Self.instantText(start))) is beyond what any meter delivers in one reading (at most "
                    + "10^12 \(quantity.canonicalUnit.rawValue)); check the number and its unit")
    }

    private mutating func rejectRepeat(_ index: Int, _ reading: AcceptedReading, of earlier: AcceptedReading) {
        let (code, reason) = Self.repeatReason(seriesKeys[index], reading, of: earlier)
        addReject(index, start: reading.start, code: code, reason: reason)
    }

    static func repeatReason(_ key: SeriesKey, _ reading: AcceptedReading, of earlier: AcceptedReading)
        -> (code: RejectCode, reason: String) {
        let series = "\(key.meter.isEmpty ? "" : key.meter + " ")\(key.quantity.rawValue)"
        let interval = "the interval of \(series) starting \(instantText(reading.start))"
        // An earlier line unknown: the lookup pass did not find the reading (the file changed in between).
        let line = earlier.line >= 0 ? "line \(earlier.line)" : "an earlier line"
        if repeatCode(reading, of: earlier) == duplicateCode {
            return (duplicateCode, "repeats \(line): \(interval) again with the same "
                + (reading.quality == .missing ? "missing value" : "value \(text(reading.value))")
                + "; counted once")
        }
        return (conflictCode, "conflicts with \(line): \(interval) is \(valueText(earlier)) there and "
            + "\(valueText(reading)) here (\(key.quantity.canonicalUnit.rawValue)); the first counts")
    }

    /// `duplicate_interval` when the repeat has the earlier reading's quality and value, else `conflicting_interval`.
    static func repeatCode(_ reading: AcceptedReading, of earlier: AcceptedReading) -> RejectCode {
        let identical = reading.quality == earlier.quality && (reading.quality == .missing || reading.value == earlier.value)
        return identical ? duplicateCode : conflictCode
    }

    private static func valueText(_ reading: AcceptedReading) -> String {
        switch reading.quality {
        case .missing: return "missing"
        case .measured: return text(reading.value)
        case .estimated: return text(reading.value) + " estimated"
        }
    }

    /// A value as Swift prints a Double, without a trailing `.0`.
    static func text(_ value: Double) -> String {
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// `table.localDay(ofUTC:)` through the cached offset segment: no search while the offset stays the same.
    @inline(__always)
    private mutating func localDay(ofUTC instant: Int64) -> Int {
        if instant < segment.start || instant >= segment.end { segment = table.offsetSegment(containingUTC: instant) }
        let local = instant + segment.offset
        return Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// `table.startOfDay(_:)`, remembered for the last day asked.
    @inline(__always)
    private mutating func dayStart(_ day: Int) -> Int64 {
        if cachedDayStart.day != day { cachedDayStart = (day, table.startOfDay(day)) }
        return cachedDayStart.start
    }

    /// `2024-01-01T00:15:00Z`.
    static func instantText(_ instant: Int64) -> String {
        let day = Int(instant >= 0 ? instant / 86_400 : (instant - 86_399) / 86_400)
        let second = Int(instant - Int64(day) * 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate(dayNumber: day))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }

    /// A reject of the record being read; its raw text comes from the reader (`fillRaw`). `settledLater`: a repeat
    /// whose code `resolveRepeats` settles: kept in full until then (its position is referred to).
    private mutating func addReject(_ index: Int, start: Int64, code: RejectCode, column: Int? = nil,
                                    reason: @autoclosure () -> String, settledLater: Bool = false) {
        rejectedRows += 1
        let day = localDay(ofUTC: start)
        guard settledLater || keepsDetail(code) else {
            tally(code, site: seriesKeys[index].site, day: day, line: line)
            return
        }
        if !needsRaw {
            needsRaw = true
            rawFrom = detailed.count
            rawColumns.removeAll(keepingCapacity: true)
        }
        rawColumns.append(column ?? valueColumn)
        detailed.append(Reject(file: file, line: line, column: "", code: code, reason: reason(), raw: "",
                               site: seriesKeys[index].site, day: day))
    }

    /// Whether the next reject of `code` is kept in full (and counts it if so).
    @inline(__always)
    private mutating func keepsDetail(_ code: RejectCode) -> Bool {
        let kept = detailedPerCode[code, default: 0]
        guard kept < Reject.detailLimit else { return false }
        detailedPerCode[code] = kept + 1
        return true
    }

    /// Counts `rows` rejects of `code` without their detail.
    private mutating func tally(_ code: RejectCode, site: String?, day: Int?, line: Int, rows: Int = 1) {
        tallies[RejectTallyKey(code: code, site: site, day: day), default: 0] += rows
        if line > 0, firstOmittedLine[code].map({ line < $0 }) ?? true { firstOmittedLine[code] = line }
    }

    /// Gives the rejects the aggregator made for the record just read its raw text, and the name of the column of
    /// their value (`columnName` of a `valueColumn`, -1 for the format's value column, `timeColumn` for its time).
    mutating func fillRaw(_ raw: String, columnName: (Int) -> String) {
        for position in rawFrom..<detailed.count where detailed[position].raw.isEmpty {
            let reject = detailed[position]
            let column = position - rawFrom < rawColumns.count ? columnName(rawColumns[position - rawFrom]) : ""
            detailed[position] = Reject(file: reject.file, line: reject.line, column: column, code: reject.code,
                                        reason: reject.reason, raw: raw, site: reject.site, day: reject.day)
        }
        needsRaw = false
    }

    /// Keeps the first `Reject.detailLimit` detailed rejects per code (in the order they were made) and tallies the
    /// rest: after repeats got their codes (`resolveRepeats`), which were kept in full until then.
    private mutating func applyDetailLimit() {
        var kept: [Reject] = []
        var perCode: [RejectCode: Int] = [:]
        for reject in detailed {
            let count = perCode[reject.code, default: 0]
            if count < Reject.detailLimit {
                perCode[reject.code] = count + 1
                kept.append(reject)
            } else {
                tally(reject.code, site: reject.site, day: reject.day, line: reject.line)
            }
        }
        detailed = kept
        detailedPerCode = perCode
    }

    /// Hands the pending repeats over to a second pass (`lookUp`), leaving none here.
    mutating func takePendingRepeats() -> PendingRepeats {
        defer { pendingRepeats = PendingRepeats() }
        return pendingRepeats
    }

    /// Turns this into a lookup pass for `pending` (a first pass's repeats, `takePendingRepeats`): readings are not
    /// aggregated, they settle the repeats' codes.
    mutating func lookUp(_ pending: consuming PendingRepeats) {
        pendingRepeats = pending
        pendingRepeats.startLookup()
        lookingUp = true
    }

    /// Gives each pending repeat its code (and, kept in full, its reason) from what the lookup pass found; an
    /// earlier reading it did not find counts as a value no repeat equals (`conflicting_interval`).
    mutating func resolveRepeats(_ lookup: PendingRepeats) {
        for entry in lookup.entries {
            let reading = entry.reading
            let site = seriesKeys[Int(entry.series)].site
            guard let position = lookup.reject(of: entry) else {
                let code: RejectCode
                switch entry.found {
                case .same: code = Self.duplicateCode
                case .other: code = Self.conflictCode
                case .nothing: code = Self.repeatCode(reading, of: Self.notFound(entry))
                }
                tally(code, site: site, day: table.localDay(ofUTC: reading.start), line: Int(reading.line))
                continue
            }
            let earlier = entry.found == .nothing ? Self.notFound(entry)
                : lookup.earlierOfDetailed[entry.earlierKey] ?? Self.notFound(entry)
            let (code, reason) = Self.repeatReason(seriesKeys[Int(entry.series)], reading, of: earlier)
            let reject = detailed[position]
            detailed[position] = Reject(file: reject.file, line: reject.line, column: reject.column, code: code,
                                        reason: reason, raw: reject.raw, site: reject.site, day: reject.day)
        }
        if !lookup.isEmpty { applyDetailLimit() }
        pendingRepeats = PendingRepeats()
    }

    /// The earlier reading of a repeat the lookup pass did not find.
    private static func notFound(_ entry: PendingRepeats.Entry) -> AcceptedReading {
        AcceptedReading(start: entry.start, value: .nan, quality: .measured, line: entry.earlierLine)
    }

    /// Adds one interval reading. `intervalSeconds` 0 means "infer from consecutive starts". `mayBeNegative`: the
    /// format knows a negative value is real for this reading (Enphase net PV production at night).
    @inline(__always)
    mutating func add(series: Int32, startUTC: Int64, intervalSeconds: Int32, value: Double, quality: Quality,
                      mayBeNegative: Bool = false) {
        let index = Int(series)
        guard admits(index, start: startUTC, value: value, quality: quality, mayBeNegative: mayBeNegative) else { return }
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
        if startUTC < segment.start || startUTC >= segment.end { segment = table.offsetSegment(containingUTC: startUTC) }
        let local = startUTC + segment.offset
        // Water keeps only the readings of the night window (intervals starting 01:00–05:00 local): the night
        // minimum flow sums a site's meters per interval (`KPIEngine.nightMinimumFlow`). 16 a night for quarter-hours.
        if keepsReadings[index], seriesKeys[index].quantity != .water || Self.inNightWindow(local) {
            // Length 0 ("infer") is filled with the series' interval in `takeSeriesData()`, once it is known.
            readings[index].append(IntervalReading(startUTC: startUTC, seconds: max(0, intervalSeconds), quality: quality,
                                                   value: quality == .missing ? 0 : value))
        }
        if trace.count < traceLimit {
            trace.append(TracedReading(series: seriesKeys[index], startUTC: startUTC, intervalSeconds: intervalSeconds,
                                       value: value, quality: quality))
        }
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let position: Int
        if cachedDay[index] == day {
            position = Int(cachedPosition[index])
        } else if let found = days[index].position(of: day, create: !onlyExistingCells) {
            position = found
            cachedDay[index] = day
            cachedPosition[index] = Int32(found)
            if logsSums { cachedLogged[index] = isLogged(index, day: day, position: found) }
        } else {
            acceptedRows += 1
            return
        }
        days[index].cells[position].add(value: value, quality: quality,
                                        startOffset: Int32(truncatingIfNeeded: startUTC - Int64(day) * 86_400),
                                        line: Int32(truncatingIfNeeded: line))
        if logsSums, quality != .missing, cachedLogged[index] {
            if sumLog.count < sumLogLimit {
                sumLog.append(SumEntry(series: series, day: Int32(truncatingIfNeeded: day), value: value))
            } else {
                dropSumLog()
            }
        }
        if quality != .missing, days[index].keepsMaximum, value > days[index].maxima[position] {
            days[index].maxima[position] = value
        }
        // Night minimum flow: intervals of at most an hour starting 01:00–05:00 local.
        if quality != .missing, seriesKeys[index].quantity == .water {
            if intervalSeconds <= 0 { usedInferredInterval = true }
            let interval = intervalSeconds > 0 ? intervalSeconds : intervals[index]
            let secondOfDay = local - Int64(day) * 86_400
            if interval > 0, interval <= 3600, secondOfDay >= 3600, secondOfDay < 5 * 3600 {
                let rate = value * 3600 / Double(interval)
                days[index].lowerNightRate(rate, at: position)
            }
        }
        acceptedRows += 1
    }

    /// Whether a local time (seconds since 1970 in local time) starts an interval of the night window, 01:00–05:00.
    @inline(__always)
    static func inNightWindow(_ local: Int64) -> Bool {
        let second = local >= 0 ? local % 86_400 : (local % 86_400 + 86_400) % 86_400
        return second >= 3600 && second < 5 * 3600
    }

    /// Adds a value that covers `fromUTC..<toUTC`, split over the local days it spans in proportion to time
    /// (cumulative readings at irregular times). Each touched day counts as one present day of a daily series.
    /// `overGap`: the value fills a gap (`RegisterGap`): each day it touches counts as estimated and as not covered
    /// (the cell is present, estimated and missing at once; `DayCells.totals` counts it as `filled`). `counted`: the
    /// row counts as accepted here (false when `addRegisterDifference` counted it already).
    mutating func addSpread(series: Int32, fromUTC: Int64, toUTC: Int64, value: Double, quality: Quality,
                            overGap: Bool = false, counted: Bool = true) {
        guard toUTC > fromUTC else { return }
        let index = Int(series)
        if logsSums { dropSumLog() }  // a sum changed by shares of a value: not in the log
        // One source reading: a repeat is of its start, not of the days it is spread over.
        guard admits(index, start: fromUTC, value: value, quality: quality, mayBeNegative: false) else { return }
        intervals[index] = 86_400
        if keepsReadings[index], seriesKeys[index].quantity != .water {  // water: a spread value has no night flow
            // Kept whole: how the value falls on days is not measured, so PV matching must not see day shares.
            readings[index].append(IntervalReading(
                startUTC: fromUTC, seconds: Int32(clamping: toUTC - fromUTC), quality: quality,
                value: quality == .missing ? 0 : value))
        }
        var day = localDay(ofUTC: fromUTC)
        var start = fromUTC
        let length = Double(toUTC - fromUTC)
        while start < toUTC {
            let end = min(toUTC, dayStart(day + 1))
            let share = quality == .missing ? 0 : value * Double(end - start) / length
            let position = days[index].position(of: day, create: true)!
            cachedDay[index] = Int.min  // positions may have moved
            var cell = days[index].cells[position]
            let firstTouch = cell.present == 0 && cell.missing == 0
            switch quality {
            case .missing:
                if firstTouch { cell.missing = 1 }
            case .measured, .estimated:
                cell.sum += share
                if cell.present == 0 {
                    cell.present = 1
                    cell.missing = 0
                    if quality == .estimated { cell.estimated = 1 }
                }
                if overGap {
                    // Any part of the day spread over a gap: the whole day is estimated and not covered.
                    cell.estimated = 1
                    cell.missing = 1
                }
            }
            let offset = Int32(truncatingIfNeeded: start - Int64(day) * 86_400)
            if offset < cell.firstOffset { cell.firstOffset = offset }
            if offset > cell.lastOffset { cell.lastOffset = offset }
            cell.lastLine = Int32(truncatingIfNeeded: line)
            days[index].cells[position] = cell
            if trace.count < traceLimit {
                trace.append(TracedReading(series: seriesKeys[index], startUTC: start, intervalSeconds: Int32(end - start),
                                           value: share, quality: quality))
            }
            start = end
            day += 1
        }
        if counted { acceptedRows += 1 }
    }

    // MARK: Running totals

    /// Counts a reading of a series read as interval values for the register rule (`RegisterEvidence`): O(1), no
    /// allocation.
    @inline(__always)
    mutating func observeRegister(series: Int32, instant: Int64, value: Double) {
        registerEvidence[Int(series)].observe(instant: instant, value: value, line: line)
    }

    /// The series whose readings behave like a running total, with the evidence, in key order.
    func registerSuspects() -> [(key: SeriesKey, evidence: RegisterEvidence)] {
        seriesKeys.indices.filter { registerEvidence[$0].isRegister }
            .map { (seriesKeys[$0], registerEvidence[$0]) }
            .sorted { $0.key < $1.key }
    }

    /// The difference of two consecutive readings of a cumulative register (`fromUTC..<toUTC`), held back until the
    /// end of the file: whether it is spread as measured or as estimated over a gap depends on the series' usual
    /// reading interval (`RegisterGap`), known only then. `spreadRegisterDifferences` spreads them. Held: 32 bytes a
    /// difference (a year of quarter-hour readings of one register: 1.1 MB), appended (amortised O(1)).
    mutating func addRegisterDifference(series: Int32, fromUTC: Int64, toUTC: Int64, value: Double) {
        guard toUTC > fromUTC else { return }
        guard Self.plausibleInstants.contains(fromUTC), Self.plausibleInstants.contains(toUTC) else {
            rejectImplausibleDate(Int(series), start: Self.plausibleInstants.contains(fromUTC) ? toUTC : fromUTC)
            return
        }
        guard abs(value) <= Self.largestReading else {
            let quantity = seriesKeys[Int(series)].quantity
            addReject(Int(series), start: toUTC, code: .valueOutOfRange,
                      reason: "the register rose by \(Self.text(value)) \(quantity.canonicalUnit.rawValue) of "
                        + "\(quantity.rawValue) since the previous reading (\(Self.instantText(fromUTC))), beyond what any "
                        + "meter delivers (at most 10^12 \(quantity.canonicalUnit.rawValue)); check the reading and its unit")
            return
        }
        registerDifferences[Int(series)].append(RegisterDifference(from: fromUTC, to: toUTC, value: value,
                                                                   line: Int32(truncatingIfNeeded: line)))
        acceptedRows += 1
    }

    /// Spreads the held-back register differences over the local days (`addSpread`), in reading order: a
    /// difference spread over a gap (`RegisterGap.isGap`) as estimated and not covered, the others as measured.
    mutating func spreadRegisterDifferences() {
        let savedLine = line
        defer { line = savedLine }
        for index in registerDifferences.indices where !registerDifferences[index].isEmpty {
            let differences = registerDifferences[index]
            registerDifferences[index] = []
            let usual = RegisterGap.usualInterval(differences.map { $0.to - $0.from })
            for difference in differences {
                line = Int(difference.line)
                let gap = RegisterGap.isGap(difference.to - difference.from, usual: usual)
                addSpread(series: Int32(index), fromUTC: difference.from, toUTC: difference.to, value: difference.value,
                          quality: gap ? .estimated : .measured, overGap: gap, counted: false)
            }
        }
    }

    /// A register's difference over a gap (`RegisterGap`) in a series read in steps of `step` seconds (SMA,
    /// HomeWizard): estimated and not covered. A daily series gets filled days (`addSpread(overGap:)`); a finer one
    /// one estimated reading per local day the gap touches, pro-rated by time, so that its intervals in the gap are
    /// not counted present (a day of 5-minute steps has 1 present of 288 expected).
    mutating func addOverGap(series: Int32, fromUTC: Int64, toUTC: Int64, value: Double, step: Int64) {
        guard toUTC > fromUTC else { return }
        if step >= 82_800 {
            addSpread(series: series, fromUTC: fromUTC, toUTC: toUTC, value: value, quality: .estimated, overGap: true)
            return
        }
        let length = Double(toUTC - fromUTC)
        var start = fromUTC
        var day = localDay(ofUTC: fromUTC)
        while start < toUTC {
            let end = min(toUTC, dayStart(day + 1))
            add(series: series, startUTC: start, intervalSeconds: Int32(end - start),
                value: value * Double(end - start) / length, quality: .estimated)
            start = end
            day += 1
        }
    }

    /// A rejected row. Its reason and raw text are only made for the first `Reject.detailLimit` rejects of the code
    /// (every further one is counted per code, site and day).
    mutating func reject(line: Int, column: String, code: RejectCode, reason: @autoclosure () -> String,
                         raw: @autoclosure () -> String, site: String?, day: Int? = nil) {
        rejectedRows += 1
        guard keepsDetail(code) else {
            tally(code, site: site, day: day, line: line)
            return
        }
        detailed.append(Reject(file: file, line: line, column: column, code: code, reason: reason(), raw: raw(),
                               site: site, day: day))
    }

    /// A row ignored by design, counted under its code (`FileSummary.ignoredRows`).
    mutating func ignore(_ code: IgnoreCode) {
        ignore(IgnoreKey(code))
    }

    /// A row ignored by design, counted under its code and detail (the columns not read).
    mutating func ignore(_ key: IgnoreKey) {
        if pendingIgnored?.key == key {
            pendingIgnored!.rows += 1
            return
        }
        flushIgnored()
        pendingIgnored = (key, 1)
    }

    private mutating func flushIgnored() {
        guard let pending = pendingIgnored else { return }
        ignoredCounts[pending.key.key, default: 0] += pending.rows
        pendingIgnored = nil
    }

    /// The rows counted under `key` counted under `other` instead.
    mutating func moveIgnored(_ key: IgnoreKey, to other: IgnoreKey) {
        flushIgnored()
        guard let rows = ignoredCounts.removeValue(forKey: key.key) else { return }
        ignoredCounts[other.key, default: 0] += rows
    }

    // MARK: Chunks of one file read in parallel (`ChunkedRead`)

    /// The (series, local day) cells both aggregates have, and the last line of `later` that touched any of them.
    func sharedCells(with later: FileAggregator) -> (cells: [(key: SeriesKey, day: Int)], lastLine: Int) {
        var shared: [(key: SeriesKey, day: Int)] = []
        var lastLine = 0
        for (index, key) in later.seriesKeys.enumerated() {
            guard let mine = seriesIndex[key] else { continue }
            later.days[index].forEachTouched { day, position in
                guard days[Int(mine)].find(day) != nil else { return }
                shared.append((key, day))
                lastLine = max(lastLine, Int(later.days[index].cells[position].lastLine))
            }
        }
        return (shared, lastLine)
    }

    /// Whether a series of `later` (the next part of the same file) has an interval start this one has.
    /// `mapping`: `seriesIndices(of: later)`.
    func sharesStarts(with later: FileAggregator, mapping: [Int32]) -> Bool {
        for index in later.seriesKeys.indices where later.tracks[index].refuses && mapping[index] >= 0 {
            if seenStarts(Int(mapping[index])).intersects(later.seenStarts(index)) { return true }
        }
        return false
    }

    /// The index here of each series of `later`, -1 for a series this aggregate does not have.
    func seriesIndices(of later: FileAggregator) -> [Int32] {
        later.seriesKeys.map { seriesIndex[$0] ?? -1 }
    }

    func cell(_ key: SeriesKey, day: Int) -> DayCell? {
        guard let series = seriesIndex[key], let position = days[Int(series)].find(day) else { return nil }
        return days[Int(series)].cell(at: position, day: day)
    }

    /// Puts a cell in place (replay mode: the earlier chunks' total that the replayed rows add to).
    mutating func seedCell(_ key: SeriesKey, day: Int, _ cell: DayCell) {
        let series = Int(intern(key))
        let position = days[series].position(of: day, create: true)!
        cachedDay[series] = Int.min
        days[series].set(cell, day: day, at: position, line: Int32(truncatingIfNeeded: line))
    }

    /// Appends the aggregate of the next chunk of the same file, as if its rows had followed in one read:
    /// `lineOffset` lines before the chunk; `replayed` holds the exact cells of the days both have (the earlier
    /// total plus the chunk's values added in row order, so floating-point sums are bit-identical).
    mutating func append(_ later: FileAggregator, lineOffset: Int, replayed: [SeriesKey: [Int: DayCell]]) {
        append(later, lineOffset: lineOffset, mapping: later.seriesKeys.map { intern($0) }) { index, day in
            replayed[later.seriesKeys[index]]?[day]
        }
    }

    /// `append`, the cells of the days both have computed from `later`'s sum log (`keepSumLog`): this aggregate's
    /// cell with the later chunk's counts, extremes and starts merged and its sum continued with the values the later
    /// chunk added, in row order: what a sequential read gives, without reading the rows again. False, and nothing
    /// appended, when the later chunk kept no complete log.
    /// `mapping`: `seriesIndices(of: later)`.
    mutating func appendContinuingSums(_ later: FileAggregator, lineOffset: Int, mapping found: [Int32]) -> Bool {
        guard later.logsSums else { return false }
        // Every shared cell must be logged (else its rows are read again); series new here share none.
        var mapping = found
        for index in later.seriesKeys.indices where mapping[index] >= 0 && later.sumLogLines != Self.everyLine {
            let mine = mapping[index]
            let logged = index < later.loggedDays.count ? later.loggedDays[index] : []
            var unlogged = false
            later.days[index].forEachTouched { day, _ in
                if !unlogged, days[Int(mine)].find(day) != nil, !logged.contains(Int32(truncatingIfNeeded: day)) {
                    unlogged = true
                }
            }
            if unlogged { return false }
        }
        for index in mapping.indices where mapping[index] < 0 { mapping[index] = intern(later.seriesKeys[index]) }
        // The shared cells in the later chunk's series order (a series shares a day or two, rows in no order all of
        // theirs): series `index`'s are `cells[firstCell[index] ..< firstCell[index + 1]]`, of the days `cellDays`.
        // Flat arrays: the log's entries (a row each) find their cell without retaining an array of arrays.
        var firstCell = [Int](repeating: 0, count: later.seriesKeys.count + 1)
        var cellDays: [Int32] = []
        var cells: [DayCell] = []
        for index in later.seriesKeys.indices {
            let mine = Int(mapping[index])
            firstCell[index] = cells.count
            later.days[index].forEachTouched { day, position in
                guard let target = days[mine].find(day) else { return }
                var cell = days[mine].cell(at: target, day: day)
                let sum = cell.sum
                cell.merge(later.days[index].cell(at: position, day: day))
                cell.sum = sum
                cellDays.append(Int32(truncatingIfNeeded: day))
                cells.append(cell)
            }
        }
        firstCell[later.seriesKeys.count] = cells.count
        if !cells.isEmpty {
            cells.withUnsafeMutableBufferPointer { cells in
                for entry in later.sumLog {
                    let series = Int(entry.series)
                    for slot in firstCell[series] ..< firstCell[series + 1] where cellDays[slot] == entry.day {
                        cells[slot].sum += entry.value
                        break
                    }
                }
            }
        }
        append(later, lineOffset: lineOffset, mapping: mapping) { index, day in
            let slots = firstCell[index] ..< firstCell[index + 1]
            return slots.first { cellDays[$0] == Int32(truncatingIfNeeded: day) }.map { cells[$0] }
        }
        return true
    }

    /// `append` with `later`'s series at `mapping` here (interned) and `exact(series of later, day)` the exact cell
    /// of each day both have.
    private mutating func append(_ later: FileAggregator, lineOffset: Int, mapping: [Int32],
                                 exact: (Int, Int) -> DayCell?) {
        for index in later.seriesKeys.indices {
            let mine = Int(mapping[index])
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
            tracks[mine].flush(into: &seen[mine])
            seen[mine].absorb(later.seenStarts(index), lineOffset: Int64(lineOffset))
            tracks[mine].bound(by: seen[mine])
            if later.tracks[index].last.start != Int64.min {
                tracks[mine].last = later.tracks[index].last
                tracks[mine].last.line += Int64(lineOffset)
            }
            readings[mine].append(contentsOf: later.readings[index])
            var evidence = later.registerEvidence[index]
            evidence.shiftLines(by: lineOffset)
            registerEvidence[mine].merge(evidence)
            registerDifferences[mine].append(contentsOf: later.registerDifferences[index])
            cachedDay[mine] = Int.min
            later.days[index].forEachTouched { day, position in
                let existed = days[mine].find(day) != nil
                let target = days[mine].position(of: day, create: true)!
                if existed, let cell = exact(index, day) {
                    days[mine].set(cell, day: day, at: target, line: 0)
                } else if existed {  // not reached: every shared cell is replayed
                    var cell = days[mine].cell(at: target, day: day)
                    cell.merge(later.days[index].cell(at: position, day: day))
                    days[mine].set(cell, day: day, at: target, line: 0)
                } else {
                    days[mine].copy(from: later.days[index], at: position, to: target)
                }
            }
        }
        // The first `Reject.detailLimit` per code of both chunks, in line order, stay in full; the rest is tallied,
        // as one read of the whole file would have done.
        for reject in later.detailed {
            if keepsDetail(reject.code) {
                detailed.append(reject.shifted(by: lineOffset))
            } else {
                tally(reject.code, site: reject.site, day: reject.day, line: reject.line + lineOffset)
            }
        }
        for (key, rows) in later.tallies {
            tally(key.code, site: key.site, day: key.day, line: later.firstOmittedLine[key.code].map { $0 + lineOffset } ?? 0,
                  rows: rows)
        }
        rejectedRows += later.rejectedRows
        acceptedRows += later.acceptedRows
        flushIgnored()
        for (why, count) in later.ignoredRows { ignoredCounts[why, default: 0] += count }
        usedInferredInterval = usedInferredInterval || later.usedInferredInterval
    }

    /// The aggregate as series data, sorted by key (deterministic). Takes the cells out: each series' cells are
    /// freed as its `DayCells` is made, so the file's cells are not held twice.
    public mutating func takeSeriesData() -> [SeriesData] {
        spreadRegisterDifferences()
        var result: [SeriesData] = []
        result.reserveCapacity(seriesKeys.count)
        for index in seriesKeys.indices {
            guard let cells = days[index].take() else { continue }
            var kept = readings[index]
            readings[index] = []
            if intervals[index] > 0 { kept.fillUnknownLengths(with: intervals[index]) }
            result.append(SeriesData(key: seriesKeys[index], intervalSeconds: intervals[index], days: cells,
                                     inputs: [InputSpan(file: file, firstDay: cells.firstDay!, lastDay: cells.lastDay!)],
                                     readings: kept))
        }
        cachedDay = cachedDay.map { _ in Int.min }
        return result.sorted { $0.key < $1.key }
    }
}

/// One series' day cells in a file aggregator. Dense while the days mostly follow each other (`cells[i]` is the day
/// `first + i`, never-touched days in between are absent cells): the day's position is a subtraction. A series whose
/// days are far apart (a reading a month, a stray date) switches to sorted day numbers with a binary search, so a gap
/// never costs a cell per day.
struct SeriesDays: Sendable {
    let extras: DayCells.Extras
    var cells: [PackedDayCell] = []
    /// Per cell when the quantity keeps them (`extras`), else empty.
    var maxima: [Double] = []
    var nightRates: [Double] = []
    /// Dense: the day of `cells[0]`.
    private var first = 0
    /// Sparse: the day of each cell (ascending); nil while dense.
    private var sparseDays: [Int32]?
    /// Touched days: how many, the lowest and the highest.
    private var touched = 0
    private var lowest = Int.max
    private var highest = Int.min

    init(extras: DayCells.Extras) {
        self.extras = extras
    }

    var keepsMaximum: Bool { extras.contains(.maximum) }

    /// The position of `day`'s cell; with `create`, a new empty cell when there is none (positions of this series'
    /// other days may move), else nil.
    @inline(__always)
    mutating func position(of day: Int, create: Bool) -> Int? {
        if sparseDays == nil, !cells.isEmpty {
            let offset = day - first
            if offset >= 0, offset < cells.count {
                if cells[offset].isAbsent {
                    guard create else { return nil }
                    touch(day)
                }
                return offset
            }
        }
        guard create else { return sparseDays == nil ? nil : find(day) }
        return insertionPosition(of: day)
    }

    /// The position of `day`'s cell when it has been touched.
    func find(_ day: Int) -> Int? {
        if let sparseDays {
            let (index, found) = sparseDays.position(of: day)
            return found ? index : nil
        }
        let offset = day - first
        return offset >= 0 && offset < cells.count && !cells[offset].isAbsent ? offset : nil
    }

    private mutating func touch(_ day: Int) {
        touched += 1
        lowest = min(lowest, day)
        highest = max(highest, day)
    }

    private mutating func insertionPosition(of day: Int) -> Int {
        if let days = sparseDays {
            let (index, found) = days.position(of: day)
            if found { return index }
            touch(day)
            sparseDays!.insert(Int32(truncatingIfNeeded: day), at: index)
            insertAbsent(count: 1, at: index)
            return index
        }
        if cells.isEmpty {
            touch(day)
            first = day
            insertAbsent(count: 1, at: 0)
            return 0
        }
        if max(highest, day) - min(lowest, day) + 1 > 2 * (touched + 1) + 62 {
            makeSparse()
            return insertionPosition(of: day)
        }
        touch(day)
        let last = first + cells.count - 1
        if day > last {
            insertAbsent(count: day - last, at: cells.count)
            return cells.count - 1
        }
        // Before the first day: room for as many days again (an export newest first grows at the front).
        let room = min(cells.count, 366)
        insertAbsent(count: first - day + room, at: 0)
        first = day - room
        return room
    }

    private mutating func insertAbsent(count: Int, at index: Int) {
        cells.insert(contentsOf: repeatElement(PackedDayCell(), count: count), at: index)
        if extras.contains(.maximum) { maxima.insert(contentsOf: repeatElement(-.infinity, count: count), at: index) }
        if extras.contains(.nightMinimum) {
            nightRates.insert(contentsOf: repeatElement(.infinity, count: count), at: index)
        }
    }

    /// Keeps the touched cells only, with their day numbers.
    private mutating func makeSparse() {
        var days: [Int32] = []
        var kept = SeriesDays(extras: extras)
        forEachTouched { day, position in
            days.append(Int32(truncatingIfNeeded: day))
            kept.cells.append(cells[position])
            if extras.contains(.maximum) { kept.maxima.append(maxima[position]) }
            if extras.contains(.nightMinimum) { kept.nightRates.append(nightRates[position]) }
        }
        cells = kept.cells
        maxima = kept.maxima
        nightRates = kept.nightRates
        sparseDays = days
    }

    /// Calls `body(day, position)` for each touched cell, in day order.
    func forEachTouched(_ body: (Int, Int) -> Void) {
        if let sparseDays {
            for (position, day) in sparseDays.enumerated() { body(Int(day), position) }
            return
        }
        for position in cells.indices where !cells[position].isAbsent { body(first + position, position) }
    }

    func cell(at position: Int, day: Int) -> DayCell {
        cells[position].unpacked(day: day, maximum: maxima.isEmpty ? -.infinity : maxima[position],
                                 nightMinimumRate: nightRates.isEmpty ? .infinity : nightRates[position])
    }

    mutating func set(_ cell: DayCell, day: Int, at position: Int, line: Int32) {
        cells[position] = PackedDayCell(cell, day: day)
        cells[position].lastLine = line
        if extras.contains(.maximum) { maxima[position] = cell.maximum }
        if extras.contains(.nightMinimum) { nightRates[position] = cell.nightMinimumRate }
    }

    /// Copies another aggregator's cell of the same series and day.
    mutating func copy(from other: SeriesDays, at position: Int, to target: Int) {
        cells[target] = other.cells[position]
        if extras.contains(.maximum) { maxima[target] = other.maxima[position] }
        if extras.contains(.nightMinimum) { nightRates[target] = other.nightRates[position] }
    }

    @inline(__always)
    mutating func lowerNightRate(_ rate: Double, at position: Int) {
        if extras.contains(.nightMinimum), rate < nightRates[position] { nightRates[position] = rate }
    }

    /// The touched cells as `DayCells` (nil when none), leaving this empty.
    mutating func take() -> DayCells? {
        guard touched > 0 else { return nil }
        var taken = DayCells(extras: extras)
        taken.reserveCapacity(touched)
        forEachTouched { day, position in
            taken.append(day: day, cells[position],
                         maximum: extras.contains(.maximum) ? maxima[position] : -.infinity,
                         nightMinimumRate: extras.contains(.nightMinimum) ? nightRates[position] : .infinity)
        }
        self = SeriesDays(extras: extras)
        return taken
    }
}

/// A cumulative register's difference between two consecutive readings, held back by `FileAggregator`.
struct RegisterDifference: Sendable {
    let from: Int64
    let to: Int64
    let value: Double
    let line: Int32
}

/// A reading a file aggregator accepted (its line and value, to tell a repeat's kind).
struct AcceptedReading: Sendable, Equatable {
    var start: Int64
    var value: Double
    var quality: Quality
    var line: Int64
}

/// What the rejects beyond the detail limit are counted by (`quality.rejected_rows` counts per site and period).
struct RejectTallyKey: Sendable, Hashable {
    let code: RejectCode
    let site: String?
    let day: Int?
}

/// A reading looked for by a second pass: line, series (the file's local id) and start.
struct LookupKey: Sendable, Hashable {
    let line: Int64
    let series: Int32
    let start: Int64
}

/// One reading as a format produced it (UTC start, canonical unit).
public struct TracedReading: Sendable, Equatable {
    public let series: SeriesKey
    public let startUTC: Int64
    public let intervalSeconds: Int32
    public let value: Double
    public let quality: Quality
}
