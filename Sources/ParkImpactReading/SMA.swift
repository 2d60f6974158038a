import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `sma`: the SMA Sunny WebUI export "CSV3" of an inverter (Sunny Tripower, Sunny Boy), daily or 5-minute.
///
/// Layout: BOM, `sep=,` (skipped by the reader), `Version CSV3|Tool WebUI|…`, a blank line, five header rows
/// (device name, model, serial number, channel, `Analog`/`Status`), a units row whose first cell is the date layout
/// (`DD.MM.YYYY hh:mm:ss,[Wh],…`), then one row per timestamp in local time (`25.03.2020 00:00:00,10805,0,NaN,…`).
/// The same file re-saved by Excel (`;`, no `sep=` line, `;;;;` padding rows) reads the same.
///
/// What is read — only the cumulative energy registers, in Wh (converted to kWh):
/// - `Metering.TotWhOut` (the inverter's total yield) → `pv_production`;
/// - `Metering.GridMs.TotWhOut` (grid feed-in, from an SMA Energy Meter) → `electricity_injection`;
/// - `Metering.GridMs.TotWhIn` (grid purchase, from an SMA Energy Meter) → `electricity_offtake`.
///
/// What is ignored (counted per data row under one reason that lists the channels): `Metering.GridMs.AbsWhOut` and
/// `AbsWhIn` (the energy meter's absolute counters: the same energy as the `Tot*` channels, so reading both would
/// count it twice), and everything the 5-minute export adds — power (`GridMs.TotW`, `GridMs.W.phsA…C`,
/// `DcMs.Watt`, W), voltage, current, frequency, power factor, insulation (`Isolation.*`), event and health status
/// (`Operation.*`) and the grid-switch counter `Operation.GriSwCnt` (a count, not energy). Power averages could be
/// integrated, but the registers measure the same energy exactly.
///
/// Series: one per serial number and channel (`<serial>:Metering.TotWhOut`), so two inverters are two series.
/// A source `quantity:` selects one of the three quantities (e.g. `pv_production` when the grid is already read from
/// Fluvius: the SMA Energy Meter measures the same connection, and both would be added).
///
/// Policies:
/// - The reading at `t` is the register at `t`; the difference to the next reading of the same channel is the energy
///   of the interval between them, put on the interval that starts at `t`. The first reading of a channel only
///   starts the differences (counted as ignored).
/// - `NaN` (or an empty cell) is no reading. NaN rows between two readings: the difference of the two readings is
///   exact, its place in time is not, so it is shared over the rows' intervals in proportion to time (whole local
///   days of 23, 24 or 25 hours in a daily export, equal steps in a 5-minute export), marked *estimated* (measured
///   when the register did not move). The `FileAggregator.addSpread` day spreading is not used because it would turn
///   a 5-minute series into a daily one and count one reading per day. Rows missing altogether are shared the same
///   way when the gap is a whole number of steps (else the difference stays one longer interval, measured). A
///   difference over a gap (`RegisterGap`, the step as the usual interval) is estimated and not covered instead
///   (`FileAggregator.addOverGap`).
///   NaN before a channel's first reading or after
///   its last one covers no known interval: counted as ignored (a channel that is NaN throughout, like the grid
///   channels of an inverter without an energy meter, makes no series at all).
/// - A grid register (`GridMs.Tot*`) that stays at exactly 0 Wh is not counting: inverters without an SMA Energy
///   Meter write 0 there (the daily sample; others write NaN, as in the 5-minute sample) where a connected meter
///   shows a lifetime count. Intervals from 0 to 0
///   are ignored, not reported as zero grid exchange (which would make all PV self-consumed); the first rise from 0
///   is read.
/// - A register that goes down (reset, rollover, replaced inverter or meter) is rejected with both readings, never
///   read as negative energy; the differences restart from the lower reading. A gap of more than 366 days between
///   two readings is rejected likewise (too long to place the energy in time).
/// - Timestamps are local wall-clock time of the source's (or pilot's) zone in the layout of the units row; a source's
///   `date_format` wins over the units row (a file re-saved with another date order than the units row states).
///   When neither gives a layout, it is detected from the first row. The
///   autumn repeated hour is taken in file order (first pass summer time, second winter time); a time in the spring
///   gap is rejected. A row not later than the previous row is rejected (duplicate or out of order).
struct SMAFormat: RowFormat {

    private(set) var columnNames: [String]
    let site: String
    let decimalMark: UInt8
    let delimiter: UInt8
    /// The source's `quantity:`: read only that quantity's channel.
    let onlyQuantity: Quantity?
    /// The source's `unit:`, checked against the units row.
    let unitOverride: MeasurementUnit?
    /// The source's `date_format`: wins over the units row.
    let forcedLayout: DateTimeLayout?

    private enum Stage { case device, header, data }
    private var stage = Stage.header
    private var deviceNames: [String]
    /// The header rows after the device row (model, serial number, channel, type).
    private var headerRows: [[String]] = []
    private var layout: DateTimeLayout?
    private var layoutText = ""
    /// Where `layout` comes from (for the mapping): `from date_format`, `from the units row`, `detected`.
    private var layoutOrigin = "detected"
    /// Why the rows of this file cannot be read (reported once, on the units row).
    private var headerProblem: String?
    private var channels: [Channel] = []
    private var ignoredChannels: IgnoreKey?
    private var register = CumulativeRegister()
    private var resolver: LocalInstantResolver
    private var previousRow: (instant: Int64, line: Int)?
    /// The export's interval: the smallest step between consecutive rows so far.
    private var step: Int64 = 0

    struct Channel {
        let column: Int
        let name: String
        let quantity: Quantity
        /// Multiplier from the file's unit to kWh.
        let factor: Double
        let unitText: String
        /// `Metering.GridMs.Tot*`: at exactly 0 it is not counting (no energy meter).
        let isGrid: Bool
        let series: Int32
        var hasReading = false
        var lastLine = 0
        /// NaN rows since the last reading.
        var gapRows = 0
    }

    /// The channels read, by name (lower case).
    static let readChannels: [String: Quantity] = [
        "metering.totwhout": .pvProduction,
        "metering.gridms.totwhout": .electricityInjection,
        "metering.gridms.totwhin": .electricityOfftake,
    ]
    static let maximumGap: Int64 = 366 * 86_400

    static let ignoredHeaderRows = IgnoreCode.smaHeaderRows
    static let ignoredBlank = IgnoreCode.emptyRow
    static let ignoredRepeatedHeader = IgnoreCode.smaRepeatedHeader
    static let ignoredChainStart = IgnoreCode.chainStart
    static let ignoredBeforeFirst = IgnoreCode.nanBeforeFirst
    static let ignoredAfterLast = IgnoreCode.nanAfterLast
    static let ignoredInRejected = IgnoreCode.nanInRejected
    static let ignoredNotCounting = IgnoreCode.smaGridNotCounting
    static let ignoredUnreadable = IgnoreCode.smaHeaderUnreadable
    /// The channels not read (another quantity than the source's, a unit that is not energy, a repeated column),
    /// by name.
    static func ignoredChannelsReason(_ names: [String]) -> IgnoreKey {
        IgnoreKey(.smaChannelsNotRead, detail: names.joined(separator: ", "))
    }

    static let expected = "`Version CSV3|Tool WebUI|…`, then rows of device names, models, serial numbers and "
        + "channels (`,STP6.0-3AV-40 033,…`), then the units row `DD.MM.YYYY hh:mm:ss,[Wh],…`"

    // MARK: Detection and header

    static func detect(_ records: [[String]]) -> Bool {
        guard let version = records.prefix(3).firstIndex(where: { ($0.first ?? "").hasPrefix("Version CSV") }) else {
            return false
        }
        return records.dropFirst(version + 1).contains(where: isUnitsRow)
    }

    /// `DD.MM.YYYY hh:mm:ss,[Wh],,[W],…`: a date layout, then bracketed units or empty cells.
    static func isUnitsRow(_ row: [String]) -> Bool {
        guard row.count >= 2, layout(unitsHeader: row[0]) != nil else { return false }
        let units = row.dropFirst().map(\.trimmingSpaces)
        return units.contains { !$0.isEmpty }
            && units.allSatisfy { $0.isEmpty || ($0.hasPrefix("[") && $0.hasSuffix("]")) }
    }

    /// The date layout named in the units row: `DD.MM.YYYY hh:mm:ss`, `MM/DD/YYYY hh:mm:ss`, `YYYY-MM-DD hh:mm`, …
    static func layout(unitsHeader text: String) -> DateTimeLayout? {
        let parts = text.trimmingSpaces.uppercased().split(separator: " ")
        guard let date = parts.first, parts.count <= 2 else { return nil }
        if parts.count == 2, parts[1] != "HH:MM:SS", parts[1] != "HH:MM" { return nil }
        guard let separator = date.first(where: { !$0.isLetter })?.asciiValue,
              [UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-")].contains(separator) else { return nil }
        let fields = date.split(separator: Character(UnicodeScalar(separator)), omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        switch (fields[0], fields[1], fields[2]) {
        case ("DD", "MM", "YYYY"): return DateTimeLayout(order: .dayMonthYear, separator: separator, yearDigits: 4)
        case ("DD", "MM", "YY"): return DateTimeLayout(order: .dayMonthYear, separator: separator, yearDigits: 2)
        case ("MM", "DD", "YYYY"): return DateTimeLayout(order: .monthDayYear, separator: separator, yearDigits: 4)
        case ("MM", "DD", "YY"): return DateTimeLayout(order: .monthDayYear, separator: separator, yearDigits: 2)
        case ("YYYY", "MM", "DD"): return DateTimeLayout(order: .yearMonthDay, separator: separator, yearDigits: 4)
        default: return nil
        }
    }

    /// `Version CSV3|…`, `sep=,`: lines before (or between concatenated) header blocks.
    static func isVersionLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let field = TimeParsing.trimmed(bytes)
        guard let first = field.first, first == UInt8(ascii: "V") || first == UInt8(ascii: "s") else { return false }
        let text = String(decoding: field, as: UTF8.self)
        return text.hasPrefix("Version CSV") || text.hasPrefix("sep=")
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<SMAFormat> {
        let names = header.strings.map(\.trimmingSpaces)
        if names.allSatisfy(\.isEmpty) || isVersionLine(header[0]) { return .preamble }
        guard names.count >= 2, names[0].isEmpty, names.dropFirst().contains(where: { !$0.isEmpty }) else {
            let found = header.strings.joined(separator: String(UnicodeScalar(context.dialect.delimiter)))
            return .mismatch(HeaderMismatch(message: "the file is not an SMA WebUI export (CSV3); expected "
                + "\(expected), found: \(found)"))
        }
        guard let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "the source has no `site:`; an SMA export does not name its site"))
        }
        if let quantity = context.source.quantity, !readChannels.values.contains(quantity) {
            return .mismatch(HeaderMismatch(message: PVExports.quantityFilterMessage(
                "SMA", quantity, available: Array(readChannels.values))))
        }
        return .format(SMAFormat(
            columnNames: names, site: site, decimalMark: context.dialect.decimalMark,
            delimiter: context.dialect.delimiter,
            onlyQuantity: context.source.quantity, unitOverride: context.source.unit,
            forcedLayout: context.forcedLayout, deviceNames: names,
            resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        let time = layout.map { "\($0) \(layoutOrigin)" } ?? "layout not known"
        return columnMapping(columnNames, [([0], "reading time, local time (\(time))")] + channels.map { channel in
            ([channel.column], "\(channel.quantity.rawValue) (cumulative \(channel.unitText), differenced)")
        })
    }

    /// The units row ends the header: work out the layout and the channels read.
    private mutating func configure(units: [String], line: Int, raw: String, _ aggregator: inout FileAggregator) {
        layoutText = units[0].trimmingSpaces
        if let forcedLayout {
            (layout, layoutOrigin) = (forcedLayout, "from date_format")
        } else {
            layout = Self.layout(unitsHeader: layoutText)
            layoutOrigin = layout == nil ? "detected" : "from the units row"
        }
        let channelRow = headerRows.firstIndex { row in row.contains { $0.trimmingSpaces.hasPrefix("Metering.") } }
            ?? (headerRows.count >= 3 ? 2 : nil)
        guard let channelRow else {
            headerProblem = "the SMA header has no channel row (`Metering.TotWhOut`, …) between the device row and "
                + "the units row; expected \(Self.expected)"
            aggregator.reject(line: line, column: layoutText, code: .headerMismatch,
                reason: headerProblem!, raw: raw, site: site)
            return
        }
        let names = headerRows[channelRow].map(\.trimmingSpaces)
        let serials = channelRow > 0 ? headerRows[channelRow - 1].map(\.trimmingSpaces) : deviceNames
        func cell(_ row: [String], _ index: Int) -> String { index < row.count ? row[index] : "" }

        var labels = [layoutText]
        var ignored: [String] = []
        var seen = Set<String>()
        var available: [Quantity] = []
        var unitConflict: String?
        for column in 1..<max(1, deviceNames.count, names.count) {
            let name = cell(names, column)
            let serial = cell(serials, column).isEmpty ? cell(deviceNames, column) : cell(serials, column)
            let label = serial.isEmpty ? name : "\(serial):\(name)"
            labels.append(label)
            let unitText = cell(units, column).trimmingSpaces
            guard let quantity = Self.readChannels[name.lowercased()] else {
                if !name.isEmpty, !ignored.contains(name) { ignored.append(name) }
                continue
            }
            available.append(quantity)
            guard onlyQuantity == nil || onlyQuantity == quantity else {
                ignored.append(name)
                continue
            }
            guard let factor = PVExports.energyFactor(unitText) else {
                ignored.append(unitText.isEmpty ? name : "\(name) [\(unitText)]")
                continue
            }
            guard seen.insert(label.lowercased()).inserted else {
                ignored.append(name)
                continue
            }
            if let unitOverride, unitOverride.factor(to: quantity) != factor {
                unitConflict = "the units row says \(unitText) for \(label), but the source says `unit: "
                    + "\(unitOverride.rawValue)`; leave `unit:` out (the export states its units)"
            }
            channels.append(Channel(
                column: column, name: name, quantity: quantity, factor: factor, unitText: unitText.trimmingBrackets,
                isGrid: quantity != .pvProduction,
                series: aggregator.intern(SeriesKey(site: site, quantity: quantity, meter: label))))
        }
        columnNames = labels
        ignoredChannels = ignored.isEmpty ? nil : Self.ignoredChannelsReason(ignored)
        if let unitConflict {
            headerProblem = unitConflict
        } else if let onlyQuantity, !available.contains(onlyQuantity) {
            headerProblem = PVExports.quantityFilterMessage("SMA", onlyQuantity, available: available)
        } else if channels.isEmpty {
            headerProblem = "no energy register in this SMA export: ParkImpact reads Metering.TotWhOut, "
                + "Metering.GridMs.TotWhOut and Metering.GridMs.TotWhIn in Wh; channels: "
                + names.filter { !$0.isEmpty }.joined(separator: ", ")
        }
        if let headerProblem {
            channels = []
            aggregator.reject(line: line, column: layoutText, code: .headerMismatch,
                reason: headerProblem, raw: raw, site: site)
        }
    }

    // MARK: Rows

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        let first = record[0]
        if FieldParsing.isBlank(first),
           (1..<max(1, record.fieldCount)).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(Self.ignoredBlank)
            return
        }
        if Self.isVersionLine(first) {
            aggregator.ignore(Self.ignoredRepeatedHeader)
            stage = .device
            return
        }
        switch stage {
        case .device:
            guard FieldParsing.isBlank(first) else {
                aggregator.reject(line: record.line, column: columnName(0), code: .headerMismatch,
                                  reason: "expected the device row of a "
                    + "repeated SMA header (`,STP6.0-3AV-40 033,…`) after the `Version CSV3` line",
                    raw: record.rawText(), site: site)
                return
            }
            aggregator.ignore(Self.ignoredRepeatedHeader)
            deviceNames = record.strings.map(\.trimmingSpaces)
            headerRows = []
            stage = .header
        case .header:
            aggregator.ignore(Self.ignoredHeaderRows)
            if FieldParsing.isBlank(first) {
                headerRows.append(record.strings)
                return
            }
            channels = []
            headerProblem = nil
            configure(units: record.strings, line: record.line, raw: record.rawText(), &aggregator)
            stage = .data
        case .data:
            readData(record, &aggregator)
        }
    }

    private mutating func readData(_ record: CSVRecord, _ aggregator: inout FileAggregator) {
        guard headerProblem == nil else {
            aggregator.ignore(Self.ignoredUnreadable)
            return
        }
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        if let ignoredChannels { aggregator.ignore(ignoredChannels) }

        // When.
        if layout == nil { layout = DateTimeLayout.detect([record.string(0)])?.layout }
        guard let layout, let local = layout.parse(record[0]) else {
            reject(record, column: 0, .notADate, "\"\(record.string(0))\" is not a date and time in the layout "
                + (forcedLayout.map { "\($0) of date_format in the YAML" }
                    ?? "\(layoutText.isEmpty ? "DD.MM.YYYY hh:mm:ss" : layoutText) of the units row"), &aggregator)
            return
        }
        let instant: Int64
        switch resolver.resolve(localSeconds: local, series: -1) {
        case .instant(let resolved):
            instant = resolved
        case .gap:
            reject(record, column: 0, .timeInClockChangeGap,
                "local time \(record.string(0)) does not exist (clocks moved forward)",
                   &aggregator, local: local)
            return
        }
        if let previous = previousRow {
            guard instant > previous.instant else {
                reject(record, column: 0, .timeOutOfOrder, "the time is not later than that of the previous row (line "
                    + "\(previous.line)): a duplicate or out-of-order row", &aggregator, local: local)
                return
            }
            if step == 0 || instant - previous.instant < step { step = instant - previous.instant }
        }
        previousRow = (instant, record.line)

        // How much, per channel.
        for index in channels.indices {
            readChannel(index, record, instant: instant, local: local, &aggregator)
        }
    }

    private mutating func readChannel(
        _ index: Int, _ record: CSVRecord, instant: Int64, local: Int64, _ aggregator: inout FileAggregator
    ) {
        let channel = channels[index]
        let bytes = record[channel.column]
        if FieldParsing.isBlank(bytes) || FieldParsing.equalsIgnoringCase(bytes, "NaN") {
            if channel.hasReading {
                channels[index].gapRows += 1
            } else {
                aggregator.ignore(Self.ignoredBeforeFirst)
            }
            return
        }
        guard let value = PVExports.number(bytes, decimalMark: decimalMark, delimiter: delimiter) else {
            reject(record, column: channel.column, .notANumber,
                "\"\(record.string(channel.column))\" is not a number (a register "
                + "reading in \(channel.unitText), or NaN)", &aggregator, local: local)
            return
        }
        guard value >= 0 else {
            reject(record, column: channel.column, .negativeValue,
                "a cumulative register cannot be negative", &aggregator,
                   local: local)
            return
        }
        let gapRows = channel.gapRows
        channels[index].hasReading = true
        channels[index].gapRows = 0
        channels[index].lastLine = record.line
        switch register.next(series: channel.series, instant: instant, value: value) {
        case .first:
            aggregator.ignore(Self.ignoredChainStart)
        case .interval(let from, let to, let delta):
            if channel.isGrid, value == 0 {
                aggregator.ignore(Self.ignoredNotCounting)
            } else if to - from > Self.maximumGap {
                reject(record, column: channel.column, .gapTooLong,
                    "\((to - from) / 86_400) days after the previous reading (line "
                    + "\(channel.lastLine)): too long a gap to place the energy in time; the differences restart "
                    + "from this reading", &aggregator, local: local)
                for _ in 0..<gapRows { aggregator.ignore(Self.ignoredInRejected) }
            } else {
                aggregator.valueColumn = channel.column
                emit(series: channel.series, from: from, to: to, energy: delta * channel.factor, &aggregator)
            }
        case .decreased(_, let previous, let current):
            reject(record, column: channel.column, .registerDecreased,
                "the register went down from \(PVExports.text(previous)) "
                + "\(channel.unitText) (line \(channel.lastLine)) to \(PVExports.text(current)) \(channel.unitText): "
                + "a reset, rollover or replaced meter, not negative energy; the differences restart from this reading",
                &aggregator, local: local)
            for _ in 0..<gapRows { aggregator.ignore(Self.ignoredInRejected) }
        case .notLater(let previous), .sameInstant(let previous, _):
            // Rows are checked for order first; kept for completeness.
            reject(record, column: 0, .timeOutOfOrder,
                "the time is not later than that of the channel's previous reading "
                + "(\(previous))", &aggregator, local: local)
        }
    }

    /// Puts the energy (kWh) of `from..<to` on the export's intervals: one interval when the readings are
    /// consecutive, else shared over the missing rows' intervals in proportion to time.
    private mutating func emit(series: Int32, from: Int64, to: Int64, energy: Double,
                               _ aggregator: inout FileAggregator) {
        let length = to - from
        let shared: Quality = energy == 0 ? .measured : .estimated
        if energy != 0, step > 0, RegisterGap.isGap(length, usual: step) {
            aggregator.addOverGap(series: series, fromUTC: from, toUTC: to, value: energy, step: step)
            return
        }
        if step >= 82_800 {
            // A daily export: whole local days of 23, 24 or 25 hours.
            let table = aggregator.table
            let firstDay = table.localDay(ofUTC: from), lastDay = table.localDay(ofUTC: to)
            if lastDay - firstDay > 1, table.startOfDay(firstDay) == from, table.startOfDay(lastDay) == to {
                for day in firstDay..<lastDay {
                    let start = table.startOfDay(day), end = table.startOfDay(day + 1)
                    aggregator.add(series: series, startUTC: start, intervalSeconds: Int32(end - start),
                                   value: energy * Double(end - start) / Double(length), quality: shared)
                }
                return
            }
        } else if step > 0, length > step, length % step == 0 {
            let count = length / step
            for index in 0..<count {
                aggregator.add(series: series, startUTC: from + index * step, intervalSeconds: Int32(step),
                               value: energy / Double(count), quality: shared)
            }
            return
        }
        aggregator.add(series: series, startUTC: from, intervalSeconds: Int32(length), value: energy,
                       quality: .measured)
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        for index in channels.indices {
            for _ in 0..<channels[index].gapRows { aggregator.ignore(Self.ignoredAfterLast) }
            channels[index].gapRows = 0
        }
    }

    private func reject(_ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String,
        _ aggregator: inout FileAggregator,
                        local: Int64? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code,
            reason: reason, raw: record.rawText(),
                          site: site, day: local.map(PVExports.localDay))
    }
}

extension String {
    /// `[Wh]` → `Wh`.
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
