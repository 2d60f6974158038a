import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `generic`: any long or wide CSV mapped to series in the YAML (see `PipelineDefinition.GenericMapping`), so a
/// coordinator onboards a new export without code.
///
/// Interval values are added to the interval that starts at the row's time (its length from the `end` column, or
/// inferred from consecutive rows). Cumulative values are differenced per series and the consumption between two
/// readings is spread over the local days in proportion to time; a register that goes down is rejected.
///
/// Dates: the source's `date_format` (a layout, or `iso` for instants with an offset), else detected from the first
/// data row (ISO instant, a compact `yyyyMMdd` date, else `DateTimeLayout.detect`: day first when both orders fit).
///
/// A value with `where:` reads only the rows whose cells match (one column with `Elektriciteit` and `Teruglevering`
/// rows, read as offtake and injection); a row no value selects is counted as ignored under
/// `no_value_mapping_selects_row` with its texts. `scale:` multiplies the number before the unit conversion; gas in
/// m³ becomes kWh with the source's `kwh_per_m3`. Header cells match the YAML names trimmed, case-insensitive and
/// without a leading `#` (KNMI `# STN`); the header is searched in the first `preambleLimit` records.
package struct GenericFormat: RowFormat {

    let columnNames: [String]
    /// The source's column mapping from the YAML.
    let yaml: PipelineDefinition.GenericMapping
    let site: String
    let timestampColumn: Int?, dateColumn: Int?, timeColumn: Int?, endColumn: Int?, meterColumn: Int?
    let valueColumns: [Int]
    /// Per value: scale × unit factor (× `kwh_per_m3` for gas in m³): the parsed number times this is canonical.
    let factors: [Double]
    /// Header columns named in a `where:` (each once) and, per such column, each value's accepted texts (trimmed,
    /// lower case; nil: no condition on that column).
    let selectorColumns: [Int]
    let selectorTexts: [[[String]?]]
    /// Bit `position` set for every value.
    let allValues: UInt64
    private var selectorCaches: [ByteKeyCache<UInt64>] = []
    /// The ignore key of an unselected row by its first selector cell (one selector column only), valid while
    /// `unselectedGeneration` is the same.
    private var unselectedKeys = ByteKeyCache<(key: IgnoreKey, generation: Int)>()
    /// The texts of unselected rows named in `ignoredRows` (`unselectedKey`).
    private var unselectedDetails: Set<String> = []
    /// How often a named text gave way to a smaller one (cached keys of an earlier generation are looked up again).
    private var unselectedGeneration = 0
    /// A compact `yyyyMMdd` date was detected (KNMI).
    private var compactDate = false
    let numbers: NumberStyle
    /// The source's `timezone:` when it has one (local times are read in it), for the mapping.
    var zone: String? = nil
    /// Known from `date_format`, else detected from the first data row.
    var dateFormat: GenericDateFormat?
    /// Whether `dateFormat` comes from the YAML.
    let dateFormatForced: Bool
    private var resolver: LocalInstantResolver
    private var registers = RegisterDifferencer(wording: .generic, countsChainStart: false)
    /// The series of a row's values are `series[base + position]`; `base` by the meter cell's bytes (a long layout)
    /// or `fixedBase` (one series per value column): no array per row.
    private var series: [Int32] = []
    private var meters = ByteKeyCache<Int32>()
    private var fixedBase: Int32?
    /// Per value: how it is read (`yaml.values`' kinds, without copying a value mapping per row).
    private var kinds: [PipelineDefinition.GenericMapping.ValueKind] = []
    private var kindsGiven: [Bool] = []
    private var dates = LayoutDayCache()

    static func detect(_ records: [[String]]) -> Bool { false }  // generic is chosen in the YAML, never guessed

    /// The YAML names the columns, so a free-text preamble (a KNMI legend of 50 lines) is searched through: a
    /// record without any of them is preamble. One with some but not all is the header with a misspelt name: refused
    /// at once, naming the missing ones.
    static var preambleLimit: Int { 1_000 }

    /// Distinct texts of unselected rows named in `ignoredRows`: the smallest in text order, so that the same rows
    /// in any order, or read in chunks, name the same ones; further ones are counted together (`otherTexts`).
    static let unselectedDetailLimit = 20
    static let otherTexts = "other texts"

    /// A source whose values are all interval values is read in chunks; a cumulative register is differenced
    /// reading by reading across the whole file (`RegisterDifferencer`), and water without an `end` column takes
    /// its interval from the rows before (night flow: `FileAggregator.usedInferredInterval`, which the chunk merge
    /// refuses), so such a source is read whole.
    static var readsInChunks: Bool { true }
    static func readsInChunks(_ source: PipelineDefinition.Source) -> Bool {
        guard let mapping = source.generic else { return false }
        return mapping.values.allSatisfy { $0.kind == .interval }
            && (mapping.end != nil || !mapping.values.contains { $0.quantity == .water })
    }

    /// The date layout is known (from `date_format`, or detected from the first data row).
    var primed: Bool { dateFormat != nil || compactDate }

    mutating func adoptPriming(from primed: GenericFormat) {
        dateFormat = primed.dateFormat
        compactDate = primed.compactDate
    }

    /// The autumn repeated hour of a series is resolved by row order (`LocalInstantResolver`).
    func orderDependentKeys(_ seriesKeys: [SeriesKey]) -> Set<String> { resolver.resolvedKeys(seriesKeys) }

    /// The ignore key of an unselected row with `detail`: named while it is among the `unselectedDetailLimit`
    /// smallest texts seen, else counted under `otherTexts`. A text that displaces a named one moves that one's
    /// rows to `otherTexts` (`named` and `generation` change).
    static func unselectedKey(_ detail: String, named: inout Set<String>, generation: inout Int,
                              into aggregator: inout FileAggregator) -> IgnoreKey {
        if named.contains(detail) { return IgnoreKey(.noValueMappingSelectsRow, detail: detail) }
        if named.count < unselectedDetailLimit {
            named.insert(detail)
            return IgnoreKey(.noValueMappingSelectsRow, detail: detail)
        }
        let largest = named.max()!
        guard detail < largest else { return IgnoreKey(.noValueMappingSelectsRow, detail: otherTexts) }
        named.remove(largest)
        named.insert(detail)
        generation += 1
        aggregator.moveIgnored(IgnoreKey(.noValueMappingSelectsRow, detail: largest),
                               to: IgnoreKey(.noValueMappingSelectsRow, detail: otherTexts))
        return IgnoreKey(.noValueMappingSelectsRow, detail: detail)
    }

    /// The chunks of a file each named up to `unselectedDetailLimit` texts: the smallest of them all stay named.
    static func finishMerged(_ aggregator: inout FileAggregator) {
        let details = aggregator.ignoredRows.keys.compactMap(IgnoreKey.init(key:))
            .filter { $0.code == .noValueMappingSelectsRow && $0.detail != otherTexts }.compactMap(\.detail).sorted()
        for detail in details.dropFirst(unselectedDetailLimit) {
            aggregator.moveIgnored(IgnoreKey(.noValueMappingSelectsRow, detail: detail),
                                   to: IgnoreKey(.noValueMappingSelectsRow, detail: otherTexts))
        }
    }

    /// A header cell or a YAML column name for matching: `normalisedHeader` without a leading `#` (`# STN` = `STN`).
    package static func headerKey(_ text: String) -> String {
        let key = normalisedHeader(text)
        guard key.hasPrefix("#") else { return key }
        return normalisedHeader(String(key.drop { $0 == "#" || $0 == " " }))
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<GenericFormat> {
        guard let mapping = context.source.generic, let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "a generic source needs `site`, `columns` and `values` in the YAML"))
        }
        let names = header.strings
        let normalised = names.map(headerKey)
        func index(_ name: String?) -> Int? {
            guard let name else { return nil }
            return normalised.firstIndex(of: headerKey(name))
        }
        var selectorNames: [String] = []
        for condition in mapping.values.flatMap(\.selector)
        where !selectorNames.contains(where: { headerKey($0) == headerKey(condition.column) }) {
            selectorNames.append(condition.column)
        }
        let named = [mapping.timestamp, mapping.date, mapping.time, mapping.end, mapping.meterColumn].compactMap { $0 }
            + mapping.values.map(\.column)
        let wanted = named + selectorNames
        let missing = wanted.filter { index($0) == nil }
        if missing.count == wanted.count { return .preamble }  // a title line before the header
        guard missing.isEmpty else {
            let columns = missing.filter(named.contains)
            let selectors = missing.filter { !named.contains($0) }
            var parts: [String] = []
            if !columns.isEmpty {
                parts.append("columns \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) named in the YAML are not "
                    + "in the header")
            }
            if !selectors.isEmpty {
                parts.append("where: names \(selectors.map { "\"\($0)\"" }.joined(separator: ", ")), not in the header")
            }
            return .mismatch(HeaderMismatch(message: parts.joined(separator: "; ")
                + "; found: \(names.joined(separator: ", "))"))
        }
        var factors: [Double] = []
        for value in mapping.values {
            if let factor = value.unit.factor(to: value.quantity) {
                factors.append(value.scale * factor)
            } else if value.quantity == .gas, value.unit == .cubicMetre, let kwhPerM3 = context.source.kwhPerM3 {
                factors.append(value.scale * kwhPerM3)
            } else {
                return .mismatch(HeaderMismatch(message: "column \"\(value.column)\": \(value.unit.rawValue) does not "
                    + "fit quantity \(value.quantity.rawValue)" + (value.quantity == .gas && value.unit == .cubicMetre
                        ? "; add kwh_per_m3 (the gross calorific value) to sources[\(context.source.index)]" : "")))
            }
        }
        guard mapping.values.count <= 64 else {
            return .mismatch(HeaderMismatch(message: "at most 64 values per generic source"))
        }
        let selectorColumns = selectorNames.map { index($0)! }
        let selectorTexts = selectorNames.map { name in
            mapping.values.map { value in
                value.selector.first { headerKey($0.column) == headerKey(name) }?.matchTexts
            }
        }
        let numbers = NumberStyle(context.dialect)
        var format = GenericFormat(
            columnNames: names, yaml: mapping, site: site, timestampColumn: index(mapping.timestamp),
            dateColumn: index(mapping.date), timeColumn: index(mapping.time), endColumn: index(mapping.end),
            meterColumn: index(mapping.meterColumn), valueColumns: mapping.values.map { index($0.column)! },
            factors: factors, selectorColumns: selectorColumns, selectorTexts: selectorTexts,
            allValues: mapping.values.count == 64 ? UInt64.max : (1 << UInt64(mapping.values.count)) - 1,
            numbers: numbers, dateFormat: context.source.dateFormat,
            dateFormatForced: context.source.dateFormat != nil, resolver: LocalInstantResolver(table: context.table))
        format.selectorCaches = selectorColumns.map { _ in ByteKeyCache<UInt64>() }
        format.kinds = mapping.values.map(\.kind)
        format.kindsGiven = mapping.values.map(\.kindGiven)
        format.zone = context.source.timezone
        return .format(format)
    }

    /// The values (bits by position) whose `where:` the row matches; all values when none has a `where:`.
    @inline(__always)
    private mutating func selectedValues(_ record: CSVRecord) -> UInt64 {
        var selected = allValues
        for (position, column) in selectorColumns.enumerated() {
            let bytes = record[column]
            if let cached = selectorCaches[position].lookup(bytes) {
                selected &= cached
                continue
            }
            let text = String(decoding: TimeParsing.trimmed(bytes), as: UTF8.self).lowercased()
            var mask: UInt64 = 0
            for (value, texts) in selectorTexts[position].enumerated() where texts?.contains(text) ?? true {
                mask |= 1 << UInt64(value)
            }
            selectorCaches[position].insert(bytes, mask)
            selected &= mask
        }
        return selected
    }

    /// Counts a row no value's `where:` selects, under its selector texts (`Type = Gas`).
    private mutating func ignoreUnselected(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        let generation = unselectedGeneration
        if selectorColumns.count == 1,
           let cached = unselectedKeys.lookup(record[selectorColumns[0]], where: { $0.generation == generation }) {
            aggregator.ignore(cached.key)
            return
        }
        let detail = zip(selectorColumns, selectorColumns.map { columnName($0).trimmingSpaces })
            .map { column, name in
                let text = record.string(column).trimmingSpaces
                return "\(name) = " + (text.isEmpty ? "(blank)" : text)
            }.joined(separator: ", ")
        let key = Self.unselectedKey(detail, named: &unselectedDetails, generation: &unselectedGeneration,
                                     into: &aggregator)
        if selectorColumns.count == 1 {
            unselectedKeys.insert(record[selectorColumns[0]], (key, unselectedGeneration))
        }
        aggregator.ignore(key)
    }

    var mapping: [ColumnRole] {
        let when: String
        switch dateFormat {
        case .iso?: when = "instant with offset (iso\(dateFormatForced ? " from date_format" : ", detected"))"
        case .layout(let layout)?: when = "local time (\(layoutNote(layout, forced: dateFormatForced)))"
        case nil: when = compactDate ? "local time (yyyyMMdd, detected)" : "local time (layout not detected)"
        }
        var roles: [(columns: [Int?], role: String)] = [
            ([timestampColumn ?? dateColumn, timestampColumn == nil ? timeColumn : nil],
             "interval start, " + when + (dateFormat == .iso ? "" : zone.map { ", timezone \($0)" } ?? "")),
            ([endColumn], "interval end"),
            ([meterColumn], "meter (one series per meter and value column)"),
        ]
        // One entry per value column: values reading the same column (told apart by `where:`) are listed together.
        var done = Set<Int>()
        for column in valueColumns where !done.contains(column) {
            done.insert(column)
            let parts = valueColumns.indices.filter { valueColumns[$0] == column }.map { position in
                let value = yaml.values[position]
                var unit = value.unit.rawValue
                if value.scale != 1 { unit += " × \(MachineNumber.format(value.scale, decimals: 9))" }
                if value.quantity == .gas, value.unit == .cubicMetre, value.unit.factor(to: .gas) == nil {
                    unit += ", × \(MachineNumber.format(factors[position] / value.scale, decimals: 6)) kWh/m3 (kwh_per_m3)"
                }
                return "\(value.quantity.rawValue) (\(unit), "
                    + (value.kind == .interval ? "interval values)" : "cumulative register, differenced)")
                    + (value.selector.isEmpty ? "" : " where " + value.selector.map(\.description).joined(separator: " and "))
            }
            roles.append(([column], parts.joined(separator: "; ")))
        }
        for column in selectorColumns {
            roles.append(([column], "row selector (where:)"))
        }
        return columnMapping(columnNames, roles)
    }

    /// The row's time as local seconds, or a UTC instant when the format is `iso`.
    private enum When { case local(Int64), instant(Int64) }

    /// The day number of a compact `yyyyMMdd` date (eight digits, KNMI), or nil.
    static func compactDay(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let field = TimeParsing.trimmed(bytes)
        guard field.count == 8, let number = FieldParsing.digits(field, 0, 8) else { return nil }
        return CivilDate(year: number / 10_000, month: number / 100 % 100, day: number % 100)?.dayNumber
    }

    private mutating func when(_ record: CSVRecord, dateColumn: Int, timeColumn: Int?) -> When? {
        when(date: record[dateColumn], time: timeColumn.map { record[$0] })
    }

    private static let periodSeparator: [UInt8] = Array(" to ".utf8)

    /// A time cell that holds a period (`2025-10-19 00:00 to 2025-10-20 00:00`, United Power): its start and end.
    static func period(_ bytes: UnsafeRawBufferPointer) -> (start: UnsafeRawBufferPointer, end: UnsafeRawBufferPointer)? {
        let separator = periodSeparator
        guard bytes.count > separator.count * 2 else { return nil }
        for index in 1..<(bytes.count - separator.count) where bytes[index] == separator[0] {
            if (0..<separator.count).allSatisfy({ bytes[index + $0] == separator[$0] }) {
                return (UnsafeRawBufferPointer(rebasing: bytes[..<index]),
                        UnsafeRawBufferPointer(rebasing: bytes[(index + separator.count)...]))
            }
        }
        return nil
    }

    private mutating func when(date: UnsafeRawBufferPointer, time: UnsafeRawBufferPointer?) -> When? {
        if compactDate {
            guard let day = Self.compactDay(date) else { return nil }
            var local = Int64(day) * 86_400
            if let time {
                guard let seconds = TimeParsing.timeOfDay(time)
                    ?? SpreadsheetDates.timeOfDay(time), seconds < 86_400 else { return nil }
                local += Int64(seconds)
            }
            return .local(local)
        }
        if dateFormat == nil {
            // Detected on the first data row; day-first when both orders fit (set `date_format` otherwise).
            let text = String(decoding: TimeParsing.trimmed(date), as: UTF8.self)
            if TimeParsing.isoInstant(date) != nil {
                dateFormat = .iso
            } else if Self.compactDay(date) != nil {
                compactDate = true
                return when(date: date, time: time)
            } else if let detected = DateTimeLayout.detect([text]) {
                dateFormat = .layout(detected.layout)
            } else if let detected = SpreadsheetDates.detect(date) {
                dateFormat = .layout(detected)  // `1/03/2023` as a spreadsheet re-saves it: read unpadded below
            } else {
                return nil
            }
        }
        switch dateFormat! {
        case .iso:
            return TimeParsing.isoInstant(date).map(When.instant)
        case .layout(let layout):
            guard var local = dates.parse(date, layout)
                ?? SpreadsheetDates.parse(date, layout: layout) else { return nil }
            if let time {
                guard let seconds = TimeParsing.timeOfDay(time)
                    ?? SpreadsheetDates.timeOfDay(time), seconds < 86_400 else { return nil }
                local += Int64(seconds)
            }
            return .local(local)
        }
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        if record.fieldCount == 1, columnNames.count > 1, record.string(0).allSatisfy({ $0 == "#" || $0 == " " }) {
            aggregator.ignore(.emptyRow)  // `# ` under a KNMI header line
            return
        }
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        let dateIndex = timestampColumn ?? dateColumn!
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(.emptyRow)
            return
        }
        let selected = selectorColumns.isEmpty ? allValues : selectedValues(record)
        if selected == 0 {
            ignoreUnselected(record, into: &aggregator)
            return
        }
        var periodEnd: When?
        var start = when(record, dateColumn: dateIndex, timeColumn: timestampColumn == nil ? timeColumn : nil)
        if start == nil, endColumn == nil, timestampColumn != nil, let period = Self.period(record[dateIndex]),
           let from = when(date: period.start, time: nil), let to = when(date: period.end, time: nil) {
            start = from
            periodEnd = to
        }
        guard let start else {
            // The header once more (a header of two identical lines, two exports pasted one after the other): not a
            // reading. Checked only here, where the time cell is no date, so rows that are readings pay nothing.
            if dateIndex < columnNames.count,
               Self.headerKey(record.string(dateIndex)) == Self.headerKey(columnNames[dateIndex]) {
                aggregator.ignore(.repeatedHeader)
                return
            }
            aggregator.reject(line: record.line, column: columnName(dateIndex), code: .notADate,
                              reason: "\"\(record.string(dateIndex))\" is not a date/time in the layout "
                                  + (dateFormatForced ? "\(dateFormat!) of date_format in the YAML"
                                      : "detected from the first row; set date_format in the YAML"),
                              raw: record.rawText(), site: site)
            return
        }
        let base = Int(seriesBase(record, into: &aggregator))
        var interval: Int32 = 0
        if let endColumn, !FieldParsing.isBlank(record[endColumn]) {
            guard let end = when(record, dateColumn: endColumn, timeColumn: nil) else {
                aggregator.reject(line: record.line, column: columnName(endColumn), code: .notADate,
                                  reason: "\"\(record.string(endColumn))\" is not a date/time", raw: record.rawText(),
                                  site: site)
                return
            }
            switch (start, end) {
            case (.local(let a), .local(let b)), (.instant(let a), .instant(let b)):
                interval = b > a ? Int32(clamping: b - a) : 0
            default: break
            }
        }
        if let periodEnd {
            switch (start, periodEnd) {
            case (.local(let a), .local(let b)), (.instant(let a), .instant(let b)):
                interval = b > a ? Int32(clamping: b - a) : 0
            default: break
            }
        }
        for (position, column) in valueColumns.enumerated() where selected & (1 << UInt64(position)) != 0 {
            let kind = kinds[position]
            let seriesID = series[base + position]
            let instant: Int64
            switch start {
            case .instant(let utc): instant = utc
            case .local(let local):
                switch resolver.resolve(localSeconds: local, series: seriesID) {
                case .instant(let utc): instant = utc
                case .gap:
                    aggregator.reject(line: record.line, column: columnName(dateIndex), code: .timeInClockChangeGap,
                                      reason: "local time \(record.string(dateIndex)) does not exist (clocks moved forward)",
                                      raw: record.rawText(), site: site)
                    return
                }
            }
            aggregator.valueColumn = column
            let bytes = record[column]
            if FieldParsing.isBlank(bytes) || FieldParsing.equalsIgnoringCase(bytes, "nan") {
                if kind == .interval {
                    aggregator.add(series: seriesID, startUTC: instant, intervalSeconds: interval, value: 0, quality: .missing)
                }
                continue
            }
            guard let number = numbers.parse(bytes) else {
                aggregator.reject(line: record.line, column: columnName(column), code: .notANumber,
                                  reason: "\"\(record.string(column))\" is not a number (decimal mark "
                                      + "\"\(numbers.markText)\")",
                                  raw: record.rawText(), site: site, day: aggregator.table.localDay(ofUTC: instant))
                continue
            }
            var canonical = number * factors[position]
            if canonical == 0 { canonical = 0 }  // `scale: -1` of a 0: no -0 in messages and outputs
            switch kind {
            case .interval:
                aggregator.add(series: seriesID, startUTC: instant, intervalSeconds: interval, value: canonical,
                               quality: .measured)
                if !kindsGiven[position] {
                    aggregator.observeRegister(series: seriesID, instant: instant, value: canonical)
                }
            case .cumulative:
                let names = columnNames, unit = yaml.values[position].unit, display = factors[position]
                registers.read(series: seriesID, column: {
                    .init(value: names[column], time: names[dateIndex], unit: unit, factor: 1,
                          display: display)
                }, site: site, instant: instant, value: canonical, line: record.line, raw: RowText(record),
                    field: { record.string(column) }, into: &aggregator)
            }
        }
    }

    /// The registers held because their rows came newest first, sorted and differenced (`RegisterDifferencer`).
    mutating func finish(into aggregator: inout FileAggregator) {
        registers.finish(into: &aggregator)
    }

    func registerAdvice(for key: SeriesKey, sourceIndex: Int) -> (what: String, fix: String) {
        let value = yaml.values.first { value in
            value.quantity == key.quantity && (meterColumn == nil ? (value.meter ?? value.column) == key.meter
                : value.meter.map { key.meter.hasSuffix("/" + $0) } ?? true)
        }
        let column = value?.column ?? key.meter
        return ("column \"\(column)\" (series \(key))",
                "add `kind: cumulative` to its value mapping in sources[\(sourceIndex)] (the differences between readings "
                    + "are then the use), or `kind: interval` if the values really are the use per interval")
    }

    /// Where the series of this row's values begin in `series` (the `meter` column's value names them in a long
    /// layout).
    private mutating func seriesBase(_ record: CSVRecord, into aggregator: inout FileAggregator) -> Int32 {
        if let meterColumn {
            if let cached = meters.lookup(record[meterColumn]) { return cached }
            let meter = record.string(meterColumn).trimmingSpaces
            if meters.isFull {  // the memo starts over: so do the series it points into
                meters.removeAll()
                series.removeAll(keepingCapacity: true)
            }
            let base = Int32(series.count)
            for value in yaml.values {
                series.append(aggregator.intern(SeriesKey(site: site, quantity: value.quantity,
                                                          meter: value.meter.map { "\(meter)/\($0)" } ?? meter)))
            }
            meters.insert(record[meterColumn], base)
            return base
        }
        if let fixedBase { return fixedBase }
        let base = Int32(series.count)
        for value in yaml.values {
            series.append(aggregator.intern(SeriesKey(site: site, quantity: value.quantity,
                                                      meter: value.meter ?? value.column)))
        }
        fixedBase = base
        return base
    }
}

/// Dates and times as a spreadsheet re-saves them (a CSV opened and saved in Excel): day and month of one or two
/// digits (`1/03/2023`, `1-3-2023`), a four-digit year, and an hour of one digit (`0:00:00`, `9:15`). `generic` reads
/// them where its layout (`dd/MM/yyyy`, detected or from `date_format`) does not fit the padded text.
enum SpreadsheetDates {
    /// Reads up to `maxDigits` digits from `index` on; nil without a digit.
    @inline(__always)
    private static func number(_ field: UnsafeRawBufferPointer, _ index: inout Int, maxDigits: Int) -> Int? {
        var value = 0, digits = 0
        while index < field.count, digits < maxDigits, field[index] &- 0x30 < 10 {
            value = value * 10 + Int(field[index] &- 0x30)
            index += 1
            digits += 1
        }
        return digits == 0 ? nil : value
    }

    /// The date part: the two numbers before the year, the year, the separator and where the date ends.
    private static func parts(_ field: UnsafeRawBufferPointer)
        -> (first: Int, second: Int, year: Int, separator: UInt8, end: Int)? {
        var index = 0
        guard let first = number(field, &index, maxDigits: 2), index < field.count else { return nil }
        let separator = field[index]
        guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: "-") || separator == UInt8(ascii: ".")
        else { return nil }
        index += 1
        guard let second = number(field, &index, maxDigits: 2), index < field.count, field[index] == separator
        else { return nil }
        index += 1
        let yearStart = index
        guard let year = number(field, &index, maxDigits: 4), index - yearStart == 4 else { return nil }
        return (first, second, year, separator, index)
    }

    /// Local seconds of `d/M/yyyy[ H:mm[:ss]]` in `layout`'s order and separator (day-month or month-day).
    static func parse(_ bytes: UnsafeRawBufferPointer, layout: DateTimeLayout) -> Int64? {
        guard layout.order != .yearMonthDay else { return nil }
        let field = TimeParsing.trimmed(bytes)
        guard let parts = parts(field), parts.separator == layout.separator else { return nil }
        let (day, month) = layout.order == .dayMonthYear ? (parts.first, parts.second) : (parts.second, parts.first)
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysIn(month: month, year: parts.year) else {
            return nil
        }
        var seconds = 0
        if parts.end < field.count {
            guard field[parts.end] == UInt8(ascii: " ") || field[parts.end] == UInt8(ascii: "T"),
                  let time = timeOfDay(UnsafeRawBufferPointer(rebasing: field[(parts.end + 1)...])), time < 86_400
            else { return nil }
            seconds = time
        }
        return Int64(CivilDate.dayNumber(year: parts.year, month: month, day: day)) * 86_400 + Int64(seconds)
    }

    /// The layout of an unpadded date (`1/03/2023`): day first unless the first number cannot be a day's month
    /// partner (`3/13/2023` is month first); nil when it is not such a date.
    static func detect(_ bytes: UnsafeRawBufferPointer) -> DateTimeLayout? {
        let field = TimeParsing.trimmed(bytes)
        guard let parts = parts(field) else { return nil }
        for order in [DateTimeLayout.DateOrder.dayMonthYear, .monthDayYear] {
            let layout = DateTimeLayout(order: order, separator: parts.separator, yearDigits: 4)
            if parse(bytes, layout: layout) != nil { return layout }
        }
        return nil
    }

    /// `H:mm[:ss]` or `HH:mm[:ss]` → seconds after midnight.
    static func timeOfDay(_ bytes: UnsafeRawBufferPointer) -> Int? { TimeParsing.timeOfDayUnpadded(bytes) }
}
