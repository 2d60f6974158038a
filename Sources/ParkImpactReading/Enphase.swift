import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `enphase`: the Enphase Enlighten custom report, `Date/Time,Energy Produced (Wh)` with one row per interval in
/// local time (`01/01/2024 00:00,0`): hourly in the sample, 15-minute or daily in other exports. The French UI writes
/// the same report as `Date/Heure,Énergie produite (Wh),Énergie consommée (Wh),Exportée vers le réseau (Wh),Importée
/// depuis le réseau (Wh)` (same date layouts, read alike).
///
/// Read by header names (units from the parentheses: Wh, kWh or MWh):
/// - `Energy Produced` → `pv_production`. Negative values are kept: a production meter reads the
///   microinverters' night-time standby draw as negative production, and the sum is the net production.
/// - When the system has consumption meters (CTs), the report adds `Energy Consumed` → `electricity_consumption`
///   (the site's use), `Exported to Grid` → `electricity_injection`, `Imported from Grid` → `electricity_offtake`.
///   Enphase computes these from its own CTs per interval, so they can differ from the grid operator's meter;
///   when the grid is also read from Fluvius, set `quantity: pv_production` on this source (a source `quantity:`
///   reads only that quantity's column), or both are added.
/// - Other columns (`Stored in batteries`, `Discharged from batteries`, …) are not read: ParkImpact has no battery
///   quantity. They are listed under one ignored reason per row.
///
/// Policies:
/// - Each row is the energy of the interval that starts at its time (the first morning value of the hourly sample
///   is at 09:00 in January, the last at 16:00). The interval is the smallest step between consecutive rows (one
///   hour in the sample, 15 minutes in other exports); a missing row leaves its interval missing rather than making
///   the previous one longer. Daily rows cover local days of 23, 24 or 25 hours.
/// - Date order (`01/02/2024` is 1 February in Europe, 2 January in an American account): worked out from the
///   file's first rows with `DateTimeLayout.detect` — a day above 12 settles it. When every date seen fits both
///   orders, rows with a time of day settle it by their sequence: consecutive intervals are hours apart, so the
///   order in which the date changes by one day (`01/01 23:00 → 02/01 00:00`) is the file's. Up to 400 rows are held
///   back for this (at least 8, so that the first row's interval is known). If nothing settles it (a single day, or
///   daily rows all on days 1–12), day first is assumed, as `DateTimeLayout.detect` does (European accounts).
///   A source's `date_format` (`MM/dd/yyyy HH:mm`) removes the guess: its layout is used and nothing is worked out
///   from the rows (8 rows are still held back, for the first row's interval).
/// - Times are local wall-clock time of the source's (or pilot's) zone; the autumn repeated hour is taken in file
///   order (first pass summer time), a time in the spring gap is rejected. Times with an offset
///   (`2016-07-29 00:00:00 -0500`, older exports) are read as such.
/// - Empty cells are missing values, not zero. Rows must be in time order: a repeated or earlier time is rejected.
struct EnphaseFormat: RowFormat {

    let columnNames: [String]
    let site: String
    let timeColumn: Int
    let columns: [Column]
    /// `columns.map(\.index)`, kept so the hot path does not allocate it per row.
    let columnIndices: [Int]
    let ignoredColumns: IgnoreKey?
    let decimalMark: UInt8
    let delimiter: UInt8
    /// The source's `date_format`: used instead of working the order out.
    let forcedLayout: DateTimeLayout?
    private var series: [Int32] = []
    private var decided = false
    private(set) var layout: DateTimeLayout?
    /// Nothing settled the date order: day first was assumed.
    private var dayFirstAssumed = false
    /// Rows held back until the date order is known.
    private var pending: [Pending] = []
    private var resolver: LocalInstantResolver
    private var previous: (instant: Int64, line: Int)?
    /// The interval: the smallest step between consecutive rows.
    private var step: Int64 = 0

    typealias Column = PVExports.Column

    struct Pending {
        let line: Int
        let raw: String
        let time: String
        let cells: [Cell]
    }

    enum Cell {
        case number(Double)
        case blank
        case invalid(String)
    }

    /// Column names (without unit, normalised) → quantity.
    static let known: [String: Quantity] = [
        "energy produced": .pvProduction,
        "energy consumed": .electricityConsumption,
        "exported to grid": .electricityInjection,
        "imported from grid": .electricityOfftake,
        // The French Enlighten UI: `Date/Heure,Énergie produite (Wh),Énergie consommée (Wh),Exportée vers le
        // réseau (Wh),Importée depuis le réseau (Wh)`.
        "énergie produite": .pvProduction,
        "énergie consommée": .electricityConsumption,
        "exportée vers le réseau": .electricityInjection,
        "importée depuis le réseau": .electricityOfftake,
    ]
    /// The time column's name in the English and French UI.
    static let timeNames: Set<String> = ["date/time", "date/heure"]
    static let expectedHeader = "Date/Time,Energy Produced (Wh)"
    static let holdBackLimit = 400
    static let holdBackMinimum = 8
    static func ignoredColumnsReason(_ names: [String]) -> IgnoreKey {
        IgnoreKey(.columnsNotRead, detail: names.joined(separator: ", "))
    }

    // MARK: Header

    static func detect(_ records: [[String]]) -> Bool {
        guard let header = records.first, header.count >= 2, timeNames.contains(normalisedHeader(header[0])) else {
            return false
        }
        return header.dropFirst().map(PVExports.nameAndUnit).contains {
            known[$0.name] == .pvProduction && $0.unit.flatMap(PVExports.energyFactor) != nil
        }
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<EnphaseFormat> {
        let found: PVExports.ReportHeader
        switch PVExports.reportHeader(header, context: context, known: known, isTime: { timeNames.contains($0.name) },
                                      format: "Enphase", report: "an Enphase Enlighten report",
                                      expectedHeader: expectedHeader) {
        case .format(let header): found = header
        case .preamble: return .preamble
        case .mismatch(let mismatch): return .mismatch(mismatch)
        }
        let (names, time, site, columns, ignored) = (found.names, found.time, found.site, found.columns, found.ignored)
        return .format(EnphaseFormat(
            columnNames: names, site: site, timeColumn: time, columns: columns, columnIndices: columns.map(\.index),
            ignoredColumns: ignored.isEmpty ? nil : ignoredColumnsReason(ignored),
            decimalMark: context.dialect.decimalMark, delimiter: context.dialect.delimiter,
            forcedLayout: context.forcedLayout, resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        var time = layoutNote(layout, forced: forcedLayout != nil)
        if dayFirstAssumed { time += "; day first assumed, both orders fit: set date_format" }
        return columnMapping(columnNames, [([timeColumn], "interval start, local time (\(time))")]
            + columns.map { column in
                let unit = PVExports.nameAndUnit(columnNames[column.index]).unit ?? ""
                return ([column.index], "\(column.quantity.rawValue) (\(unit) per interval)")
            })
    }

    // MARK: Rows

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        if FieldParsing.equalsIgnoringCase(record[timeColumn], "date/time")
            || FieldParsing.equalsIgnoringCase(record[timeColumn], "date/heure") {
            aggregator.ignore(.repeatedHeader)
            return
        }
        if let ignoredColumns { aggregator.ignore(ignoredColumns) }
        if series.isEmpty {
            series = columns.map { column in
                aggregator.intern(SeriesKey(site: site, quantity: column.quantity,
                                            meter: "enphase:" + PVExports.displayName(columnNames[column.index])))
            }
        }
        let (mark, delimiter, indices) = (decimalMark, self.delimiter, columnIndices)
        if decided {
            process(line: record.line, raw: { record.rawText() }, time: record[timeColumn],
                    cell: { Self.cell(record[indices[$0]], mark, delimiter) }, &aggregator)
            return
        }
        let time = record.string(timeColumn)
        let newDate = forcedLayout != nil || pending.last.map { $0.time.prefix(10) != time.prefix(10) } ?? true
        pending.append(Pending(line: record.line, raw: record.rawText(), time: time,
                               cells: indices.map { Self.cell(record[$0], mark, delimiter) }))
        // Only a new date can settle the date order (a forced layout needs nothing settled); a few rows are held in
        // any case, so that the first row's interval is known.
        let full = pending.count >= Self.holdBackLimit
        if newDate && pending.count >= Self.holdBackMinimum || full, decideLayout(final: full) {
            replay(&aggregator)
        }
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        if !decided, !pending.isEmpty {
            _ = decideLayout(final: true)
            replay(&aggregator)
        }
    }

    @inline(__always)
    static func cell(_ bytes: UnsafeRawBufferPointer, _ decimalMark: UInt8, _ delimiter: UInt8) -> Cell {
        if FieldParsing.isBlank(bytes) { return .blank }
        if let value = PVExports.number(bytes, decimalMark: decimalMark, delimiter: delimiter) { return .number(value) }
        return .invalid(String(decoding: bytes, as: UTF8.self))
    }

    /// Works out the date order from the held-back rows; true when decided.
    private mutating func decideLayout(final: Bool) -> Bool {
        if let forcedLayout {
            layout = forcedLayout
            decided = true
            return true
        }
        let texts = pending.map { Self.withoutOffset($0.time) }.filter { DateTimeLayout.detect([$0]) != nil }
        guard let first = texts.first else {
            if final { decided = true }  // no date at all: every row is rejected
            return final
        }
        guard let detected = DateTimeLayout.detect(texts) else {
            // The rows do not share one layout: take the first row's; the others are rejected.
            layout = DateTimeLayout.detect([first])?.layout
            decided = true
            return true
        }
        if detected.ambiguous {
            let dayFirst = DateTimeLayout(order: .dayMonthYear, separator: detected.layout.separator,
                                          yearDigits: detected.layout.yearDigits)
            let monthFirst = DateTimeLayout(order: .monthDayYear, separator: detected.layout.separator,
                                            yearDigits: detected.layout.yearDigits)
            if let settled = Self.orderBySequence(texts, dayFirst, monthFirst) {
                layout = settled
            } else if final {
                layout = detected.layout  // day first
                dayFirstAssumed = true
            } else {
                return false
            }
        } else {
            layout = detected.layout
        }
        decided = true
        return true
    }

    /// Rows with a time of day whose dates fit both orders: the order in which consecutive rows are at most a day
    /// apart is the file's (`01/01 23:00 → 02/01 00:00` is one hour day-first, a month month-first).
    static func orderBySequence(_ texts: [String], _ a: DateTimeLayout, _ b: DateTimeLayout) -> DateTimeLayout? {
        func locals(_ layout: DateTimeLayout) -> [Int64] {
            texts.compactMap { text in Array(text.utf8).withUnsafeBytes { layout.parse($0) } }
        }
        let (first, second) = (locals(a), locals(b))
        guard first.count == texts.count, second.count == texts.count,
              first.contains(where: { $0 % 86_400 != 0 }) else { return nil }
        func largestStep(_ values: [Int64]) -> Int64 { zip(values, values.dropFirst()).map { abs($1 - $0) }.max() ?? 0 }
        let (stepA, stepB) = (largestStep(first), largestStep(second))
        guard stepA != stepB, min(stepA, stepB) <= 86_400 else { return nil }
        return stepA < stepB ? a : b
    }

    /// Reads the held-back rows once the date order is known.
    private mutating func replay(_ aggregator: inout FileAggregator) {
        let rows = pending
        pending = []
        if let layout {
            // The interval, known before the first row is added.
            var last: Int64?
            for row in rows {
                let local = Array(row.time.utf8).withUnsafeBytes { bytes -> Int64? in
                    let (dateTime, offset) = Self.splitOffset(bytes)
                    return layout.parse(dateTime).map { $0 - (offset ?? 0) }
                }
                guard let local else { continue }
                if let last, local > last, step == 0 || local - last < step { step = local - last }
                last = local
            }
        }
        let line = aggregator.line
        for row in rows {
            aggregator.line = row.line
            Array(row.time.utf8).withUnsafeBytes { bytes in
                process(line: row.line, raw: { row.raw }, time: bytes, cell: { row.cells[$0] }, &aggregator)
            }
            if aggregator.needsRaw { aggregator.fillRaw(row.raw) { valueColumnName($0) } }
        }
        aggregator.line = line
    }

    private mutating func process(
        line: Int, raw: () -> String, time: UnsafeRawBufferPointer, cell: (Int) -> Cell,
        _ aggregator: inout FileAggregator
    ) {
        // When.
        let (dateTime, offset) = Self.splitOffset(time)
        guard let layout, let local = layout.parse(dateTime) else {
            reject(line, raw(), column: timeColumn, .notADate,
                "\"\(String(decoding: time, as: UTF8.self))\" is not a date and "
                + "time" + (layout.map { forcedLayout == nil ? " in the file's layout \($0) HH:mm"
                    : " in the layout \($0) HH:mm of date_format in the YAML" } ?? " (dd/MM/yyyy HH:mm)"), &aggregator)
            return
        }
        let day = PVExports.localDay(local)
        let instant: Int64
        if let offset {
            instant = local - offset
        } else {
            switch resolver.resolve(localSeconds: local, series: -1) {
            case .instant(let resolved):
                instant = resolved
            case .gap:
                reject(line, raw(), column: timeColumn, .timeInClockChangeGap,
                    "local time \(String(decoding: time, as: UTF8.self)) does not "
                    + "exist (clocks moved forward)", &aggregator, day: day)
                return
            }
        }
        if let previous {
            guard instant > previous.instant else {
                reject(line, raw(), column: timeColumn, .timeOutOfOrder,
                    "the time is not later than that of the previous row (line "
                    + "\(previous.line)): a duplicate or out-of-order row", &aggregator, day: day)
                return
            }
            if step == 0 || instant - previous.instant < step { step = instant - previous.instant }
        }
        previous = (instant, line)
        var interval = Int32(clamping: step)
        if step >= 82_800, offset == nil {
            interval = Int32(aggregator.table.secondsIn(day: aggregator.table.localDay(ofUTC: instant)))
        }

        // How much.
        for (position, column) in columns.enumerated() {
            aggregator.valueColumn = column.index
            switch cell(position) {
            case .blank:
                aggregator.add(series: series[position], startUTC: instant, intervalSeconds: interval, value: 0,
                               quality: .missing)
            case .number(let value):
                guard value >= 0 || column.quantity == .pvProduction else {
                    reject(line, raw(), column: column.index, .negativeValue,
                        "an energy total cannot be negative here", &aggregator,
                           day: day)
                    continue
                }
                aggregator.add(series: series[position], startUTC: instant, intervalSeconds: interval,
                               value: value * column.factor, quality: .measured,
                               mayBeNegative: column.quantity == .pvProduction)
            case .invalid(let text):
                reject(line, raw(), column: column.index, .notANumber,
                    "\"\(text)\" is not a number", &aggregator, day: day)
            }
        }
    }

    /// `2016-07-29 00:00:00 -0500` → (`2016-07-29 00:00:00`, -18000 s); without an offset: (text, nil).
    static func splitOffset(_ bytes: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, Int64?) {
        let field = TimeParsing.trimmed(bytes)
        let count = field.count
        var signAt = -1, hours: Int?, minutes: Int?
        if count >= 7, field[count - 6] == UInt8(ascii: " ") {  // ` -0500`
            signAt = count - 5
            (hours, minutes) = (FieldParsing.digits(field, count - 4, 2), FieldParsing.digits(field, count - 2, 2))
        } else if count >= 8, field[count - 7] == UInt8(ascii: " "), field[count - 3] == UInt8(ascii: ":") {
            // ` -05:00`
            signAt = count - 6
            (hours, minutes) = (FieldParsing.digits(field, count - 5, 2), FieldParsing.digits(field, count - 2, 2))
        }
        guard signAt > 0, field[signAt] == UInt8(ascii: "+") || field[signAt] == UInt8(ascii: "-"),
              let hours, let minutes else { return (field, nil) }
        let offset = Int64(hours * 3600 + minutes * 60) * (field[signAt] == UInt8(ascii: "-") ? -1 : 1)
        return (TimeParsing.trimmed(UnsafeRawBufferPointer(rebasing: field[0..<(signAt - 1)])), offset)
    }

    static func withoutOffset(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { String(decoding: splitOffset($0).0, as: UTF8.self) }
    }

    private func reject(_ line: Int, _ raw: String, column: Int, _ code: RejectCode, _ reason: String,
        _ aggregator: inout FileAggregator,
                        day: Int? = nil) {
        aggregator.reject(line: line, column: columnName(column), code: code,
            reason: reason, raw: raw, site: site, day: day)
    }
}
