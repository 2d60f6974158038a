import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// Puts the readings of cumulative registers in time order per series before they are differenced, whatever the row
/// order of the file (oldest first, or newest first as supplier readings, app exports and counter feeds write them).
///
/// Streaming when the rows allow it, held and sorted when they do not; decided per series by its first two times:
/// - A series whose second reading time (the first one that differs from its first) is *later* than its first is
///   **streamed**: each reading is differenced as it arrives and nothing is held beyond the previous reading (the
///   multi-million-row P1 logs, written oldest first), with the results of a reader that never sorts (but for the
///   codes of two readings at one time, below). A later reading that is earlier than the previous one (blocks of
///   months newest first with days oldest first, a late row) makes the series `late` when the caller asks for it
///   (`holdsLate`, `RegisterDifferencer`): from then on its readings are held as below, and at the end those before
///   the streamed span make a chain that ends in its first reading, those after it continue from its last, those at
///   its first or last time are repeats or conflicts, and those inside it are rejected (`time_out_of_order`: the span
///   is already differenced between the readings around them). Without `holdsLate` (`homewizard-water`) the reading
///   is given back to the caller, which rejects it.
/// - A series whose second reading time is *earlier* than its first is **held**: from then on its readings are
///   kept, 32 bytes each (instant, value, line, local day, where its row ends) plus the bytes of the row (a reject
///   found only after sorting — a register that went down, a conflicting repeat — must show the row; the bytes sit
///   in one buffer per series, no allocation per row): a year of quarter-hour readings newest first, about 35,000
///   rows of 40 bytes, holds 2.5 MB until the end of the file. There they are sorted by time (rows at the same time
///   keep their file order) and differenced as if the file had been written oldest first. Any order is read this
///   way, newest first included.
/// - Readings at the same time: the same value is a repeated row (`duplicate_interval`, counted once), another value
///   a conflict (`conflicting_interval`: the first row in the file counts).
struct RegisterOrder {
    /// One reading, 24 bytes.
    struct Reading: Sendable {
        var instant: Int64
        /// In the file's unit.
        var value: Double
        var line: Int32
        /// The local day of the reading (for a reject).
        var day: Int32
    }

    /// What the caller does with a reading that arrives.
    enum Arrival {
        /// Difference it now (the series is streamed, or not decided yet).
        case now
        /// Held until `finish`: nothing to do now.
        case held
        /// The series turned out newest first: forget its difference chain (its one reading so far is held with this
        /// one and comes back, sorted, from `takeHeld`).
        case restart
    }

    private enum Mode: UInt8 { case empty, one, streamed, held, late }

    /// A streamed series that later had an earlier reading (`holdsLate`): its first and last streamed readings.
    struct Span {
        let first: Reading
        let firstRaw: String
        let last: Reading
    }

    /// Whether a streamed series' reading earlier than the previous one is held (`late`: the caller differences the
    /// held readings before the streamed span into its first reading, those after it from its last, at the end)
    /// rather than given back `.now` for the caller to reject.
    let holdsLate: Bool

    init(holdsLate: Bool = false) { self.holdsLate = holdsLate }

    private struct Held {
        var readings: [Reading] = []
        var rawBytes: [UInt8] = []
        /// End offset in `rawBytes` of each reading's row, in arrival order.
        var rawEnds: [Int] = []

        mutating func append(_ reading: Reading, raw: RowText) {
            readings.append(reading)
            raw.append(to: &rawBytes)
            rawEnds.append(rawBytes.count)
        }

        mutating func append(_ reading: Reading, raw: String) {
            readings.append(reading)
            rawBytes.append(contentsOf: raw.utf8)
            rawEnds.append(rawBytes.count)
        }
    }

    private var modes: [Mode] = []
    private var firsts: [Reading] = []
    private var firstRaws: [String] = []
    /// Per series (by id): its held readings; `heldSeries` lists the series that have any, in the order they began.
    private var held: [Held] = []
    private var heldSeries: [Int32] = []
    /// Per streamed series (with `holdsLate`): its latest reading so far.
    private var lasts: [Reading] = []
    private var spans: [Int32: Span] = [:]

    /// Whether any series is held.
    var holdsAny: Bool { !heldSeries.isEmpty }

    /// `day`: the reading's local day, asked only when the reading is held.
    mutating func arrive(series: Int32, _ reading: Reading, day: () -> Int, raw: RowText) -> Arrival {
        var reading = reading
        let index = Int(series)
        while modes.count <= index {
            modes.append(.empty)
            firsts.append(Reading(instant: 0, value: 0, line: 0, day: 0))
            firstRaws.append("")
            lasts.append(Reading(instant: 0, value: 0, line: 0, day: 0))
            held.append(Held())
        }
        switch modes[index] {
        case .streamed:
            guard holdsLate else { return .now }
            if reading.instant >= lasts[index].instant {
                if reading.instant > lasts[index].instant { lasts[index] = reading }
                return .now
            }
            modes[index] = .late
            spans[series] = Span(first: firsts[index], firstRaw: firstRaws[index], last: lasts[index])
            firstRaws[index] = ""
            reading.day = Int32(truncatingIfNeeded: day())
            heldSeries.append(series)
            held[index].append(reading, raw: raw)
            return .held
        case .held, .late:
            reading.day = Int32(truncatingIfNeeded: day())
            held[index].append(reading, raw: raw)
            return .held
        case .empty:
            reading.day = Int32(truncatingIfNeeded: day())
            modes[index] = .one
            firsts[index] = reading
            firstRaws[index] = raw.string
            return .now
        case .one:
            let first = firsts[index]
            if reading.instant == first.instant { return .now }
            let firstRaw = firstRaws[index]
            if reading.instant > first.instant {
                modes[index] = .streamed
                if holdsLate { lasts[index] = reading } else { firstRaws[index] = "" }
                return .now
            }
            firstRaws[index] = ""
            modes[index] = .held
            reading.day = Int32(truncatingIfNeeded: day())
            heldSeries.append(Int32(index))
            held[index].append(first, raw: firstRaw)
            held[index].append(reading, raw: raw)
            return .restart
        }
    }

    /// A held series' readings sorted by time (file order within a time), with the row of each made into text only
    /// when asked (a reject).
    struct SortedReadings {
        let readings: [Reading]
        fileprivate let rawBytes: [UInt8]
        fileprivate let rawRanges: [Range<Int>]

        /// The row of `readings[position]`.
        func raw(_ position: Int) -> String {
            String(decoding: rawBytes[rawRanges[position]], as: UTF8.self)
        }
    }

    /// The held series in id order, each with its readings sorted by time (file order within a time); the held
    /// readings are given up.
    /// `span`: for a streamed series held from a late reading on, its streamed span.
    mutating func takeHeld() -> [(series: Int32, readings: SortedReadings, span: Span?)] {
        var result: [(series: Int32, readings: SortedReadings, span: Span?)] = []
        for series in heldSeries.sorted() {
            let one = held[Int(series)]
            held[Int(series)] = Held()
            let order = one.readings.indices.sorted {
                (one.readings[$0].instant, $0) < (one.readings[$1].instant, $1)
            }
            var readings: [Reading] = []
            var ranges: [Range<Int>] = []
            readings.reserveCapacity(order.count)
            ranges.reserveCapacity(order.count)
            for position in order {
                let start = position == 0 ? 0 : one.rawEnds[position - 1]
                readings.append(one.readings[position])
                ranges.append(start..<one.rawEnds[position])
            }
            result.append((series, SortedReadings(readings: readings, rawBytes: one.rawBytes, rawRanges: ranges),
                           spans.removeValue(forKey: series)))
        }
        heldSeries = []
        return result
    }
}

/// The row of a reading, as `RegisterOrder` keeps it for a held reading: the bytes of the record being read (copied
/// without making a `String`; valid only while that record is handled), made into text only for a reject.
struct RowText {
    private let record: CSVRecord

    init(_ record: CSVRecord) { self.record = record }

    /// `record.rawText()`.
    var string: String { record.rawText() }

    /// Appends the bytes whose UTF-8 decoding is `string`.
    func append(to buffer: inout [UInt8]) { record.appendRawText(to: &buffer) }
}

/// Differences cumulative registers read row by row into `FileAggregator.addRegisterDifference` (spread over the
/// local days by time), in time order per series (`RegisterOrder`), with the rejects of a register: one that went
/// down, a repeated or conflicting reading, a reading out of order. Shared by `meter-readings`, `homewizard-energy`
/// and `generic` (`kind: cumulative`).
struct RegisterDifferencer {
    /// How the format words its rejects.
    enum Wording: Sendable {
        /// `meter-readings`, `homewizard-energy`: values with the file's decimal mark and unit, rejects on the time
        /// column with the local day.
        case readings(decimalMark: UInt8)
        /// `generic`: the previous value as a machine number; an out-of-order reading without a day.
        case generic
    }

    /// What a series' readings are: the value column, the time column (for an order reject), the unit and the
    /// factor to the quantity's canonical unit.
    struct Column: Sendable {
        let value: String
        let time: String
        let unit: MeasurementUnit
        let factor: Double
        /// What a value is divided by to show it in `unit` (`generic` holds canonical values: its unit's factor).
        var display: Double = 1
    }

    let wording: Wording
    /// Whether the reading that starts a difference chain counts as ignored (`chain_start`).
    let countsChainStart: Bool

    private var order = RegisterOrder(holdsLate: true)
    private var register = CumulativeRegister()
    /// Per series: its column and site (asked for rejects only) and its factor (every difference).
    private var columns: [Column?] = []
    private var sites: [String] = []
    private var factors: [Double] = []
    private var table: LocalTimeTable?
    private var previousLines: [Int] = []
    private var chainStartUncounted: [Bool] = []

    init(wording: Wording, countsChainStart: Bool) {
        self.wording = wording
        self.countsChainStart = countsChainStart
    }

    /// A reading (in the column's unit) of `series` on the record being read.
    /// `field`: the value's text as written (a reject of a streamed reading quotes it; a held one shows the number).
    /// `day`: the reading's local day (asked for a reject or a held reading); nil: the local day of `instant`.
    mutating func read(series: Int32, column: () -> Column, site: String, instant: Int64, value: Double, line: Int,
                       day: () -> Int? = { nil }, raw: RowText, field: () -> String? = { nil },
                       into aggregator: inout FileAggregator) {
        if !describes(series) { describe(series: series, column: column(), site: site) }
        read(series: series, instant: instant, value: value, line: line, day: day, raw: raw, field: field,
             into: &aggregator)
    }

    /// Whether `describe(series:column:site:)` was called for the series.
    func describes(_ series: Int32) -> Bool { Int(series) < factors.count && !factors[Int(series)].isNaN }

    /// The column and site of a series, given once before its first reading (rejects name them; the factor turns
    /// each difference into the quantity's unit).
    mutating func describe(series: Int32, column: Column, site: String) {
        let index = Int(series)
        while columns.count <= index {
            columns.append(nil)
            previousLines.append(0)
            chainStartUncounted.append(false)
            sites.append("")
            factors.append(.nan)
        }
        columns[index] = column
        factors[index] = column.factor
        sites[index] = site
    }

    /// A reading of a series already described (`describe(series:column:site:)`): no column or site to pass per row.
    /// The closures are not kept (no allocation per row): `day` nil means the local day of `instant`.
    mutating func read(series: Int32, instant: Int64, value: Double, line: Int, day: () -> Int? = { nil },
                       raw: RowText, field: () -> String? = { nil }, into aggregator: inout FileAggregator) {
        let index = Int(series)
        if table == nil { table = aggregator.table }
        let reading = RegisterOrder.Reading(instant: instant, value: value, line: Int32(truncatingIfNeeded: line),
                                            day: 0)
        let table = self.table
        switch order.arrive(series: series, reading,
                            day: { day() ?? table.map { Int($0.localDay(ofUTC: instant)) } ?? 0 }, raw: raw) {
        case .now:
            difference(series, reading, day: { day() ?? table.map { Int($0.localDay(ofUTC: instant)) } ?? 0 },
                       raw: { raw.string }, field: field, into: &aggregator)
        case .held:
            break
        case .restart:
            register.forget(series: series)
            chainStartUncounted[index] = false
        }
    }

    /// End of file: the held series, sorted and differenced; the chain starts counted.
    mutating func finish(into aggregator: inout FileAggregator) {
        if order.holdsAny {
            let savedLine = aggregator.line
            for (series, readings, span) in order.takeHeld() {
                guard let span else {
                    for (position, reading) in readings.readings.enumerated() {
                        aggregator.line = Int(reading.line)
                        difference(series, reading, day: { Int(reading.day) }, raw: { readings.raw(position) },
                                   into: &aggregator)
                    }
                    continue
                }
                finishLate(series, readings, span, into: &aggregator)
            }
            aggregator.line = savedLine
        }
        for index in chainStartUncounted.indices { countChainStart(index, &aggregator) }
    }

    /// A streamed series with readings that came late (earlier than one before them in the file), sorted: those
    /// after the streamed span continue its chain; those before it make a chain that ends in its first reading;
    /// those at its first or last time are repeats or conflicts; those inside it are rejected (the span is already
    /// differenced between the readings around them).
    private mutating func finishLate(_ series: Int32, _ readings: RegisterOrder.SortedReadings,
                                     _ span: RegisterOrder.Span, into aggregator: inout FileAggregator) {
        let index = Int(series)
        guard let column = columns[index] else { return }
        let site = sites[index]
        var before: [Int] = []
        for (position, reading) in readings.readings.enumerated() {
            let raw = { readings.raw(position) }
            aggregator.line = Int(reading.line)
            let line = Int(reading.line), day = Int(reading.day)
            if reading.instant > span.last.instant {
                difference(series, reading, day: { day }, raw: raw, into: &aggregator)
            } else if reading.instant < span.first.instant {
                before.append(position)
            } else if reading.instant == span.first.instant || reading.instant == span.last.instant {
                let kept = reading.instant == span.first.instant ? span.first : span.last
                let same = kept.value == reading.value
                let keptText = text(kept.value / column.display), currentText = text(reading.value / column.display)
                aggregator.reject(
                    line: line, column: same ? column.time : column.value,
                    code: same ? .duplicateInterval : .conflictingInterval,
                    reason: same
                        ? "repeats the reading of line \(kept.line) (same time, same value \(currentText) "
                            + "\(column.unit.rawValue)): counted once"
                        : "another reading at the time of line \(kept.line): \(keptText) \(column.unit.rawValue) there, "
                            + "\(currentText) \(column.unit.rawValue) here; the first counts",
                    raw: raw(), site: site, day: day)
            } else {
                aggregator.reject(line: line, column: column.time, code: .timeOutOfOrder,
                                  reason: "the time lies between readings already differenced in time order (lines "
                                      + "\(span.first.line) to \(span.last.line)); sort the file by time to use it",
                                  raw: raw(), site: site, day: day)
            }
        }
        guard !before.isEmpty else { return }
        // The earlier readings end in the span's first reading: that row was counted as a chain start already, so
        // the new chain's start is not counted again.
        register.forget(series: series)
        for (number, position) in before.enumerated() {
            let reading = readings.readings[position]
            aggregator.line = Int(reading.line)
            let day = Int(reading.day)
            difference(series, reading, day: { day }, raw: { readings.raw(position) }, into: &aggregator)
            if number == 0 { chainStartUncounted[index] = false }
        }
        let first = span.first, firstDay = Int(first.day)
        aggregator.line = Int(first.line)
        difference(series, first, day: { firstDay }, raw: { span.firstRaw }, into: &aggregator)
    }

    private mutating func difference(_ series: Int32, _ reading: RegisterOrder.Reading, day: () -> Int,
                                     raw: () -> String,
                                     field: () -> String? = { nil }, into aggregator: inout FileAggregator) {
        let index = Int(series)
        let line = Int(reading.line)
        switch register.next(series: series, instant: reading.instant, value: reading.value) {
        case .first:
            if countsChainStart { chainStartUncounted[index] = true }
        case .interval(let from, let to, let delta):
            aggregator.addRegisterDifference(series: series, fromUTC: from, toUTC: to, value: delta * factors[index])
            countChainStart(index, &aggregator)
        case .decreased(_, let previous, let current):
            guard let column = columns[index] else { return }
            let site = sites[index]
            let reason: String
            switch wording {
            case .readings(let decimalMark):
                reason = RegisterNumber.decreaseReason(current: current, previous: previous,
                                                       previousLine: previousLines[index], unit: column.unit,
                                                       decimalMark: decimalMark)
            case .generic:
                reason = "the register went down from \(MachineNumber.format(previous / column.display, decimals: 6)) "
                    + "to \(field() ?? MachineNumber.format(current / column.display, decimals: 6)) (reset, rollover or new meter): the consumption "
                    + "since the previous reading is unknown and not counted; counting restarts from this reading"
            }
            aggregator.reject(line: line, column: column.value, code: .registerDecreased, reason: reason, raw: raw(),
                              site: site, day: day())
            countChainStart(index, &aggregator)
        case .sameInstant(_, let previousValue):
            guard let column = columns[index] else { return }
            let site = sites[index]
            let same = previousValue == reading.value
            let previousText = text(previousValue / column.display), currentText = text(reading.value / column.display)
            aggregator.reject(
                line: line, column: same ? column.time : column.value,
                code: same ? .duplicateInterval : .conflictingInterval,
                reason: same
                    ? "repeats the reading of line \(previousLines[index]) (same time, same value \(currentText) "
                        + "\(column.unit.rawValue)): counted once"
                    : "another reading at the time of line \(previousLines[index]): \(previousText) "
                        + "\(column.unit.rawValue) there, \(currentText) \(column.unit.rawValue) here; the first counts",
                raw: raw(), site: site, day: day())
            return
        case .notLater:
            guard let column = columns[index] else { return }
            let site = sites[index]
            switch wording {
            case .readings:
                aggregator.reject(line: line, column: column.time, code: .timeOutOfOrder,
                                  reason: "the time is not later than that of the previous reading (line "
                                      + "\(previousLines[index])): a duplicate or out-of-order reading",
                                  raw: raw(), site: site, day: day())
            case .generic:
                aggregator.reject(line: line, column: column.time, code: .timeOutOfOrder,
                                  reason: "not later than the previous reading of this register", raw: raw(),
                                  site: site)
            }
            return
        }
        previousLines[index] = line
    }

    private func text(_ value: Double) -> String {
        switch wording {
        case .readings(let decimalMark): return RegisterNumber.text(value, decimalMark: decimalMark)
        case .generic: return MachineNumber.format(value, decimals: 6)
        }
    }

    private mutating func countChainStart(_ index: Int, _ aggregator: inout FileAggregator) {
        if chainStartUncounted[index] {
            aggregator.ignore(MeterReadingsFormat.ignoredChainStart)
            chainStartUncounted[index] = false
        }
    }
}

/// Units of register readings.
enum RegisterUnits {
    /// The factor from `unit` to `quantity`'s canonical unit; gas in m³ with the source's `kwh_per_m3` (gross
    /// calorific value): 1 m³ = `kwhPerM3` kWh. Nil when the unit does not fit (gas in m³ without `kwh_per_m3`).
    static func factor(_ unit: MeasurementUnit, to quantity: Quantity, kwhPerM3: Double?) -> Double? {
        if let direct = unit.factor(to: quantity) { return direct }
        if quantity == .gas, unit == .cubicMetre, let kwhPerM3,
           let kwh = MeasurementUnit.kilowattHour.factor(to: .gas) {
            return kwhPerM3 * kwh
        }
        return nil
    }
}
