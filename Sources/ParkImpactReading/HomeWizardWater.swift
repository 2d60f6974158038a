import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `homewizard-water`: the HomeWizard Energy app's CSV export of its Wi-Fi water meter, `time,water usage dl`,
/// one row per quarter hour in local wall-clock time (`2025-03-01 00:00,0`).
///
/// **`water usage dl` is the meter's running total in decilitres, not the use per quarter.** The sample in
/// `Tests/Fixtures/samples` is the first 30 rows (all 0) of a public export whose later rows only ever rise
/// (`…194220, 194490, 194910…`): 19 422 dl = 1.9 m³ per quarter hour would be absurd for a household, whereas the
/// differences (0–150 dl per quarter, ~270 l a day) are ordinary. So the column is differenced like any register.
/// Policies:
/// - The reading at `t` is the register at `t`; the difference to the next reading is the use in between, put on
///   the interval that starts at `t` (decilitres → m³, the canonical water unit).
/// - The interval is inferred from the rows (the smallest step seen; 15 minutes in these exports). A longer step
///   (missing rows) is split into intervals of that length: a flat register gives measured zeros, a rising one
///   shares the difference evenly as *estimated* values. A day-resolution export (rows at local midnight) is
///   split by local days (23/24/25 hours). A rising difference over a gap (`RegisterGap`, the step as the usual
///   interval) is estimated and not covered instead (`FileAggregator.addOverGap`). A gap above 366 days is
///   rejected and differencing restarts.
/// - Local time goes through `LocalInstantResolver`: the spring gap does not exist in the export (01:45 → 03:00,
///   seen in the public export of 30 March 2025); a repeated autumn hour is summer time first, then winter time.
/// - A register at exactly 0 before it has counted anything is *not counting yet*: the export pads the weeks
///   before the meter was installed with `0` rows (the public export has 27 days of them). Those rows are
///   ignored (counted), not reported as measured zero use; the last 0 starts the difference chain.
/// - A register that goes down (reset, re-pairing) is rejected with both values and differencing restarts from
///   it: never negative use. Rows in any order: an export written newest first is held and sorted before it is
///   differenced (`RegisterOrder`). A second row at the same time is `duplicate_interval` (same value, counted once)
///   or `conflicting_interval` (the first counts); in an export read oldest first, a row earlier than the previous
///   one is rejected (`time_out_of_order`).
/// - The date layout is detected from the first row (`yyyy-MM-dd HH:mm` in the app's export); a source's
///   `date_format` replaces the detection (an export re-saved by a spreadsheet in another locale).
struct HomeWizardWaterFormat: RowFormat {

    let columnNames: [String]
    let timeColumn: Int
    let valueColumn: Int
    var valueColumnIndex: Int? { valueColumn }
    let unit: MeasurementUnit
    /// Multiplier from the file's unit to m³.
    let factor: Double
    let decimalMark: UInt8
    let site: String

    private var layout: DateTimeLayout?
    /// Whether `layout` is the source's `date_format`.
    let layoutForced: Bool
    private var series: Int32 = -1
    private var resolver: LocalInstantResolver
    /// The reading that starts the current difference chain.
    private var previous: (instant: Int64, value: Double, line: Int)?
    /// Whether the previous reading's row is already counted (accepted as an interval end, or rejected).
    private var previousCounted = false
    /// False while the register is 0 and has not counted anything since the start of the file or a reset.
    private var counting = false
    /// The interval: the smallest positive step between consecutive readings so far.
    private var step: Int64 = 0
    /// Readings in time order: streamed, or held and sorted when the export is newest first.
    private var order = RegisterOrder()

    static let header = ["time", "water usage dl"]
    static let maximumGap: Int64 = 366 * 86_400

    static let ignoredBlank = IgnoreCode.emptyRow
    static let ignoredNotCounting = IgnoreCode.registerNotCounting
    static let ignoredChainStart = MeterReadingsFormat.ignoredChainStart
    static let ignoredNoValue = IgnoreCode.noRegisterValue

    static func detect(_ records: [[String]]) -> Bool {
        guard let first = records.first else { return false }
        return first.map(normalisedHeader) == header
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<HomeWizardWaterFormat> {
        let names = header.strings
        let normalised = names.map(normalisedHeader)
        guard let time = normalised.firstIndex(of: "time"), let value = normalised.firstIndex(of: "water usage dl"),
              normalised.allSatisfy({ $0.isEmpty || Self.header.contains($0) }) else {
            return .mismatch(HeaderMismatch(message: "the header is not a HomeWizard water export header; expected "
                + "time,water usage dl, found: \(names.joined(separator: ","))"))
        }
        guard let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "the source has no `site:`; a HomeWizard export does not name "
                + "its site"))
        }
        if let quantity = context.source.quantity, quantity != .water {
            return .mismatch(HeaderMismatch(message: "a HomeWizard water export measures water, but the source says "
                + "`quantity: \(quantity.rawValue)`"))
        }
        if let unit = context.source.unit, unit != .decilitre {
            return .mismatch(HeaderMismatch(message: "the column \"\(names[value])\" is in decilitres (dl), but the "
                + "source says `unit: \(unit.rawValue)`; leave `unit:` out"))
        }
        return .format(HomeWizardWaterFormat(
            columnNames: names, timeColumn: time, valueColumn: value, unit: .decilitre,
            factor: MeasurementUnit.decilitre.factor(to: .water)!, decimalMark: context.dialect.decimalMark,
            site: site, layout: context.forcedLayout, layoutForced: context.forcedLayout != nil,
            resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        columnMapping(columnNames, [
            ([timeColumn], "reading time, local time (\(layoutNote(layout, forced: layoutForced)))"),
            ([valueColumn], "water (cumulative register in dl, differenced into m³)"),
        ])
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(Self.ignoredBlank)
            return
        }
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        if FieldParsing.equalsIgnoringCase(record[timeColumn], "time") {
            aggregator.ignore(.repeatedHeader)
            return
        }

        // When.
        let timeBytes = record[timeColumn]
        if layout == nil {
            layout = DateTimeLayout.detect([record.string(timeColumn)])?.layout
        }
        guard let layout, let local = layout.parse(timeBytes) else {
            reject(record, column: timeColumn, .notADate, "\"\(record.string(timeColumn))\" is not a date and time"
                + (layout.map { layoutForced ? " in the layout \($0) HH:mm of date_format in the YAML"
                    : " in the file's layout \($0) HH:mm" } ?? " (yyyy-MM-dd HH:mm)"), &aggregator)
            return
        }

        // How much.
        let valueBytes = record[valueColumn]
        if FieldParsing.isBlank(valueBytes) {
            aggregator.ignore(Self.ignoredNoValue)
            return
        }
        guard let value = RegisterNumber.parse(valueBytes, decimalMark: decimalMark) else {
            reject(record, column: valueColumn, .notANumber, "\"\(record.string(valueColumn))\" is not a number", &aggregator,
                   local: local)
            return
        }
        guard value >= 0 else {
            reject(record, column: valueColumn, .negativeValue, "a register reading cannot be negative", &aggregator, local: local)
            return
        }

        if series < 0 {
            series = aggregator.intern(SeriesKey(site: site, quantity: .water, meter: "homewizard-water"))
        }
        let instant: Int64
        switch resolver.resolve(localSeconds: local, series: series) {
        case .instant(let resolved):
            instant = resolved
        case .gap:
            reject(record, column: timeColumn, .timeInClockChangeGap, "local time \(record.string(timeColumn)) does not exist (clocks moved "
                + "forward)", &aggregator, local: local)
            return
        }

        // Differences, in time order (`RegisterOrder`: an export written newest first is held and sorted).
        let reading = RegisterOrder.Reading(instant: instant, value: value, line: Int32(truncatingIfNeeded: record.line),
                                            day: 0)
        switch order.arrive(series: series, reading, day: { RegisterNumber.localDay(local) },
                            raw: RowText(record)) {
        case .now:
            difference(reading, day: { RegisterNumber.localDay(local) }, raw: { record.rawText() }, into: &aggregator)
        case .held:
            break
        case .restart:
            previous = nil
            previousCounted = false
            counting = false
        }
    }

    /// Differences a reading against the previous one in time order.
    private mutating func difference(_ reading: RegisterOrder.Reading, day: () -> Int, raw: () -> String,
                                     into aggregator: inout FileAggregator) {
        let instant = reading.instant, value = reading.value, line = Int(reading.line)
        guard let start = previous else {
            previous = (instant, value, line)
            previousCounted = false
            counting = value != 0
            return
        }
        guard instant > start.instant else {
            if instant == start.instant {
                let same = value == start.value
                let previousText = RegisterNumber.text(start.value, decimalMark: decimalMark)
                let currentText = RegisterNumber.text(value, decimalMark: decimalMark)
                reject(line, raw(), column: same ? timeColumn : valueColumn,
                       same ? .duplicateInterval : .conflictingInterval,
                       same ? "repeats the reading of line \(start.line) (same time, same value \(currentText) dl): "
                           + "counted once"
                           : "another reading at the time of line \(start.line): \(previousText) dl there, "
                           + "\(currentText) dl here; the first counts", &aggregator, day: day())
                return
            }
            reject(line, raw(), column: timeColumn, .timeOutOfOrder, "the time is not later than that of the previous "
                + "reading (line \(start.line)): a duplicate or out-of-order row", &aggregator, day: day())
            return
        }
        if value < start.value {
            reject(line, raw(), column: valueColumn, .registerDecreased, RegisterNumber.decreaseReason(
                current: value, previous: start.value, previousLine: start.line, unit: unit, decimalMark: decimalMark),
                   &aggregator, day: day())
            restart(instant, value, line, &aggregator)
            return
        }
        if !counting, value == 0 {
            if !previousCounted { aggregator.ignore(Self.ignoredNotCounting) }
            previous = (instant, 0, line)
            previousCounted = false
            return
        }
        guard instant - start.instant <= Self.maximumGap else {
            reject(line, raw(), column: timeColumn, .gapTooLong, "\((instant - start.instant) / 86_400) days after the "
                + "previous reading (line \(start.line)): too long a gap to place the use in time; the differences "
                + "restart from this reading", &aggregator, day: day())
            restart(instant, value, line, &aggregator)
            return
        }
        emit(from: start.instant, to: instant, delta: value - start.value, into: &aggregator)
        if !previousCounted { aggregator.ignore(Self.ignoredChainStart) }
        previous = (instant, value, line)
        previousCounted = true
        counting = true
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        if order.holdsAny {
            let savedLine = aggregator.line
            for (_, readings, _) in order.takeHeld() {
                for (position, reading) in readings.readings.enumerated() {
                    aggregator.line = Int(reading.line)
                    difference(reading, day: { Int(reading.day) }, raw: { readings.raw(position) }, into: &aggregator)
                }
            }
            aggregator.line = savedLine
        }
        if let start = previous, !previousCounted {
            aggregator.ignore(!counting && start.value == 0 ? Self.ignoredNotCounting : Self.ignoredChainStart)
            previousCounted = true
        }
    }

    /// A rejected row becomes the start of a new difference chain.
    private mutating func restart(_ instant: Int64, _ value: Double, _ line: Int, _ aggregator: inout FileAggregator) {
        if let start = previous, !previousCounted {
            aggregator.ignore(!counting && start.value == 0 ? Self.ignoredNotCounting : Self.ignoredChainStart)
        }
        previous = (instant, value, line)
        previousCounted = true
        counting = value != 0
    }

    /// Puts the use `delta` (file unit) of `from..<to` on intervals of the inferred length.
    private mutating func emit(from: Int64, to: Int64, delta: Double, into aggregator: inout FileAggregator) {
        let length = to - from
        if step == 0 || length < step { step = length }
        let value = delta * factor
        let splitQuality: Quality = delta == 0 ? .measured : .estimated
        if delta != 0, RegisterGap.isGap(length, usual: step) {
            aggregator.addOverGap(series: series, fromUTC: from, toUTC: to, value: value, step: step)
        } else if length == step {
            aggregator.add(series: series, startUTC: from, intervalSeconds: Int32(length), value: value,
                           quality: .measured)
        } else if step >= 82_800 {
            // Day resolution: whole local days of 23, 24 or 25 hours.
            let table = aggregator.table
            let firstDay = table.localDay(ofUTC: from), lastDay = table.localDay(ofUTC: to)
            guard lastDay - firstDay > 1, table.startOfDay(firstDay) == from, table.startOfDay(lastDay) == to else {
                aggregator.add(series: series, startUTC: from, intervalSeconds: Int32(length), value: value,
                               quality: .measured)
                return
            }
            for day in firstDay..<lastDay {
                let start = table.startOfDay(day), end = table.startOfDay(day + 1)
                aggregator.add(series: series, startUTC: start, intervalSeconds: Int32(end - start),
                               value: value * Double(end - start) / Double(length), quality: splitQuality)
            }
        } else if length % step == 0 {
            // Missing rows: the difference is known, its spread over the missing intervals is not.
            let count = length / step
            for index in 0..<count {
                aggregator.add(series: series, startUTC: from + index * step, intervalSeconds: Int32(step),
                               value: value / Double(count), quality: splitQuality)
            }
        } else {
            aggregator.add(series: series, startUTC: from, intervalSeconds: Int32(length), value: value,
                           quality: .measured)
        }
    }

    private func reject(_ line: Int, _ raw: String, column: Int, _ code: RejectCode, _ reason: String,
                        _ aggregator: inout FileAggregator, day: Int) {
        aggregator.reject(line: line, column: columnName(column), code: code, reason: reason, raw: raw, site: site,
                          day: day)
    }

    private func reject(_ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String, _ aggregator: inout FileAggregator,
                        local: Int64? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code, reason: reason, raw: record.rawText(),
                          site: site, day: local.map(RegisterNumber.localDay))
    }
}
