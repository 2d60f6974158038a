import CSVReading
import ParkImpactModel
package import ParkImpactDefinition

/// Reading a layout from bytes (the hot path: inlined where the formats call it).
extension DateTimeLayout {
    /// Works out the layout from sample date(-time) texts; nil when they are not dates.
    /// Day-first is assumed when both orders fit every sample (European exports); `ambiguous` says so.
    package static func detect(_ samples: [String]) -> (layout: DateTimeLayout, ambiguous: Bool)? {
        var candidates: [DateTimeLayout] = []
        for separator in [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")] {
            for yearDigits in [4, 2] {
                candidates.append(DateTimeLayout(order: .yearMonthDay, separator: separator, yearDigits: 4))
                candidates.append(DateTimeLayout(order: .dayMonthYear, separator: separator, yearDigits: yearDigits))
                candidates.append(DateTimeLayout(order: .monthDayYear, separator: separator, yearDigits: yearDigits))
            }
        }
        let texts = samples.map { Array($0.utf8) }.filter { !$0.isEmpty }
        guard !texts.isEmpty else { return nil }
        let fitting = candidates.filter { layout in
            texts.allSatisfy { text in text.withUnsafeBytes { layout.parse($0) != nil } }
        }
        guard let first = fitting.first else { return nil }
        let dayFirst = fitting.first { $0.order == .dayMonthYear } ?? first
        let ambiguous = fitting.contains { $0.order == .dayMonthYear } && fitting.contains { $0.order == .monthDayYear }
        return (first.order == .yearMonthDay ? first : dayFirst, ambiguous)
    }

    /// Local seconds since 1970 (wall clock as if UTC): a date, optionally followed by ` ` or `T` and `HH:mm[:ss]`.
    @inline(__always)
    package func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let field = TimeParsing.trimmed(bytes)
        let dateLength = yearDigits == 4 ? 10 : 8
        guard field.count >= dateLength else { return nil }
        let year: Int, month: Int, day: Int
        switch order {
        case .yearMonthDay:
            guard field[4] == separator, field[7] == separator, let y = FieldParsing.digits(field, 0, 4),
                  let m = FieldParsing.digits(field, 5, 2), let d = FieldParsing.digits(field, 8, 2) else { return nil }
            (year, month, day) = (y, m, d)
        case .dayMonthYear, .monthDayYear:
            guard field[2] == separator, field[5] == separator, let a = FieldParsing.digits(field, 0, 2),
                  let b = FieldParsing.digits(field, 3, 2), var y = FieldParsing.digits(field, 6, yearDigits)
            else { return nil }
            if yearDigits == 2 { y += 2000 }
            (year, month, day) = order == .dayMonthYear ? (y, b, a) : (y, a, b)
        }
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        var seconds = 0
        if field.count > dateLength {
            let separator = field[dateLength]
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "T"),
                  let time = TimeParsing.timeOfDay(UnsafeRawBufferPointer(rebasing: field[(dateLength + 1)...])),
                  time < 86_400 else { return nil }
            seconds = time
        }
        return Int64(CivilDate.dayNumber(year: year, month: month, day: day)) * 86_400 + Int64(seconds)
    }
}

/// `DateTimeLayout.parse` with the day of the last date remembered by its bytes: consecutive rows share their date,
/// so most rows compare two words and read only their time of day.
struct LayoutDayCache {
    private var head: UInt64 = 0
    private var tail: UInt16 = 0
    private var length = 0
    private var day: Int64 = 0

    @inline(__always)
    mutating func parse(_ bytes: UnsafeRawBufferPointer, _ layout: DateTimeLayout) -> Int64? {
        let field = TimeParsing.trimmed(bytes)
        let dateLength = layout.yearDigits == 4 ? 10 : 8
        guard field.count >= dateLength, let base = field.baseAddress else { return layout.parse(bytes) }
        let head = base.loadUnaligned(as: UInt64.self)
        let tail = dateLength == 10 ? base.loadUnaligned(fromByteOffset: 8, as: UInt16.self) : 0
        if length != dateLength || head != self.head || tail != self.tail {
            guard let parsed = layout.parse(UnsafeRawBufferPointer(rebasing: field[..<dateLength])) else { return nil }
            (self.head, self.tail, length, day) = (head, tail, dateLength, parsed)
        }
        guard field.count > dateLength else { return day }
        // As `DateTimeLayout.parse` reads a time after the date.
        let separator = field[dateLength]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "T"),
              let time = TimeParsing.timeOfDay(UnsafeRawBufferPointer(rebasing: field[(dateLength + 1)...])),
              time < 86_400 else { return nil }
        return day + Int64(time)
    }
}

/// How a date column's layout is known, for `RowFormat.mapping`: `dd/MM/yyyy from date_format`,
/// `dd/MM/yyyy, detected` (`…, detected, day first when ambiguous` where the format guesses), `not detected`.
func layoutNote(_ layout: DateTimeLayout?, forced: Bool) -> String {
    guard let layout else { return "layout not detected" }
    return forced ? "\(layout) from date_format" : "\(layout), detected"
}

/// Turns local wall-clock starts into UTC instants per series, resolving the autumn repeated hour by order:
/// the first occurrence of an ambiguous local time in a series is summer time, the second winter time.
struct LocalInstantResolver {
    let table: LocalTimeTable
    private var seen = Set<Key>()
    private var days = LocalDayCache()
    private struct Key: Hashable { let series: Int32; let local: Int64 }

    init(table: LocalTimeTable) { self.table = table }

    /// The ambiguous local times resolved so far, as `series@local` with the series named by `seriesKeys`.
    func resolvedKeys(_ seriesKeys: [SeriesKey]) -> Set<String> {
        Set(seen.map { "\(seriesKeys[Int($0.series)])@\($0.local)" })
    }

    enum Outcome { case instant(Int64), gap }

    /// What `table.resolve(localSeconds:)` says, without its search for most rows (see ``LocalDayCache``).
    @inline(__always)
    mutating func resolution(localSeconds: Int64) -> LocalTimeTable.Resolution {
        days.resolve(localSeconds: localSeconds, table: table)
    }

    /// `firstPass` forces the summer-time reading (the export says so, e.g. Fluvius' `02:45 → 02:00`).
    mutating func resolve(localSeconds: Int64, series: Int32, firstPass: Bool = false) -> Outcome {
        resolve(resolution(localSeconds: localSeconds), localSeconds: localSeconds, series: series,
                firstPass: firstPass)
    }

    /// Like ``resolve(localSeconds:series:firstPass:)`` with `resolution` already asked for `localSeconds`.
    mutating func resolve(
        _ resolution: LocalTimeTable.Resolution, localSeconds: Int64, series: Int32, firstPass: Bool = false
    ) -> Outcome {
        switch resolution {
        case .unique(let instant):
            return .instant(instant)
        case .gap:
            return .gap
        case .ambiguous(let first, let second):
            let key = Key(series: series, local: localSeconds)
            if firstPass {
                seen.insert(key)
                return .instant(first)
            }
            return seen.insert(key).inserted ? .instant(first) : .instant(second)
        }
    }
}

/// The local day of the last time resolved, when every local time of that day has one UTC offset: then a time
/// of that day resolves by a subtraction instead of `LocalTimeTable.resolve`'s search. The result is the same.
///
/// A day qualifies when it lies, in UTC, inside one offset segment `S` (offset `o`) and no clock change reaches into
/// it. The change into `S` (from offset `p`) leaves local times before `S.start + max(p, o)` in a gap or read twice,
/// the change out of it (to offset `n`) those from `S.end + min(o, n)` on; a local time `L` between the two is
/// claimed by `S` (`L - o` lies in `S`) and by neither neighbour (`L - p` is not before `S.start`, `L - n` not from
/// `S.end` on), so it is unique. Only the clock-change days themselves take the search. The neighbours must last
/// three days or more (offsets differ by less than a day, so no farther segment claims `L` either, and
/// `LocalTimeTable.resolve`, which looks at a segment's neighbours only, agrees); else the day must lie two days
/// inside `S`, as any offset then still falls inside it.
struct LocalDayCache {
    private var day = Int64.min
    private var offset: Int64 = 0
    /// The last day found not to qualify (a clock-change day): its times take the search without asking again.
    private var searchedDay = Int64.min

    @inline(__always)
    mutating func resolve(localSeconds local: Int64, table: LocalTimeTable) -> LocalTimeTable.Resolution {
        let localDay = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        if localDay == day { return .unique(local - offset) }
        let resolution = table.resolve(localSeconds: local)
        if localDay != searchedDay, case .unique(let instant) = resolution {
            if let offset = Self.singleOffset(localDay: localDay, instant: instant, table: table) {
                day = localDay
                self.offset = offset
            } else {
                searchedDay = localDay
            }
        }
        return resolution
    }

    /// The offset of every local time of `localDay` when the day qualifies (above); `instant`: one of its times,
    /// resolved.
    static func singleOffset(localDay: Int64, instant: Int64, table: LocalTimeTable) -> Int64? {
        let segment = table.offsetSegment(containingUTC: instant)
        let (dayStart, overflow) = localDay.multipliedReportingOverflow(by: 86_400)
        guard !overflow, dayStart > Int64.min / 2, dayStart < Int64.max / 2 else { return nil }
        let minimum: Int64 = 3 * 86_400
        if segment.start > Int64.min / 2, segment.end < Int64.max / 2 {
            let previous = table.offsetSegment(containingUTC: segment.start - 1)
            let next = table.offsetSegment(containingUTC: segment.end)
            if previous.start > Int64.min / 2, previous.end - previous.start >= minimum,
               next.end < Int64.max / 2, next.end - next.start >= minimum,
               dayStart >= segment.start + max(previous.offset, segment.offset),
               dayStart + 86_400 <= segment.end + min(segment.offset, next.offset) {
                return segment.offset
            }
        }
        let utcStart = dayStart - segment.offset
        if segment.start <= utcStart - 2 * 86_400, utcStart + 3 * 86_400 <= segment.end { return segment.offset }
        return nil
    }
}

/// Differences a cumulative register (SMA `TotWhOut`, a water meter index) into interval values, per series.
/// A register that goes down is a reset, a rollover or a swapped meter: reported, never negative consumption.
struct CumulativeRegister {
    /// Per series (by id, as interned per file): its last reading; `instant == Int64.min`: none.
    private var last: [(instant: Int64, value: Double)] = []

    enum Step {
        /// The first reading of a series: nothing to difference yet.
        case first
        case interval(from: Int64, to: Int64, delta: Double)
        case decreased(from: Int64, previous: Double, current: Double)
        /// An earlier time than the previous reading.
        case notLater(previous: Int64)
        /// The same time as the previous reading (a repeated row when `previousValue` equals the value, else a
        /// conflicting one); the previous reading stays the chain's last.
        case sameInstant(previous: Int64, previousValue: Double)
    }

    mutating func next(series: Int32, instant: Int64, value: Double) -> Step {
        let index = Int(series)
        while last.count <= index { last.append((Int64.min, 0)) }
        let previous = last[index]
        guard previous.instant != Int64.min else {
            last[index] = (instant, value)
            return .first
        }
        if instant == previous.instant { return .sameInstant(previous: instant, previousValue: previous.value) }
        guard instant > previous.instant else { return .notLater(previous: previous.instant) }
        last[index] = (instant, value)
        if value < previous.value {
            return .decreased(from: previous.instant, previous: previous.value, current: value)
        }
        return .interval(from: previous.instant, to: instant, delta: value - previous.value)
    }

    /// Forgets a series' last reading (after a gap: the next reading starts a new difference chain).
    mutating func forget(series: Int32) {
        if Int(series) < last.count { last[Int(series)] = (Int64.min, 0) }
    }
}
