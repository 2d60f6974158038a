import CSVReading

/// `generic`: any long or wide CSV mapped to series in the YAML (see `PipelineDefinition.GenericMapping`), so a
/// coordinator onboards a new export without code.
///
/// Interval values are added to the interval that starts at the row's time (its length from the `end` column, or
/// inferred from consecutive rows). Cumulative values are differenced per series and the consumption between two
/// readings is spread over the local days in proportion to time; a register that goes down is rejected.
///
/// Dates: the source's `date_format` (a layout, or `iso` for instants with an offset), else detected from the first
/// data row (ISO instant, else `DateTimeLayout.detect`: day first when both orders fit).
struct GenericFormat: RowFormat {
    static let dateFormatSupport = DateFormatSupport.layoutsAndISO

    let columnNames: [String]
    /// The source's column mapping from the YAML.
    let yaml: PipelineDefinition.GenericMapping
    let site: String
    let timestampColumn: Int?, dateColumn: Int?, timeColumn: Int?, endColumn: Int?, meterColumn: Int?
    let valueColumns: [Int]
    let numbers: NumberStyle
    /// Known from `date_format`, else detected from the first data row.
    var dateFormat: GenericDateFormat?
    /// Whether `dateFormat` comes from the YAML.
    let dateFormatForced: Bool
    private var resolver: LocalInstantResolver
    private var registers = RegisterDifferencer(wording: .generic, countsChainStart: false)
    private var meters = ByteKeyCache<[Int32]>()
    private var fixedSeries: [Int32]?

    static func detect(_ records: [[String]]) -> Bool { false }  // generic is chosen in the YAML, never guessed

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<GenericFormat> {
        guard let mapping = context.source.generic, let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "a generic source needs `site`, `columns` and `values` in the YAML"))
        }
        let names = header.strings
        let normalised = names.map(normalisedHeader)
        func index(_ name: String?) -> Int? {
            guard let name else { return nil }
            return normalised.firstIndex(of: normalisedHeader(name))
        }
        let wanted = [mapping.timestamp, mapping.date, mapping.time, mapping.end, mapping.meterColumn].compactMap { $0 }
            + mapping.values.map(\.column)
        let missing = wanted.filter { index($0) == nil }
        if missing.count == wanted.count { return .preamble }  // a title line before the header
        guard missing.isEmpty else {
            return .mismatch(HeaderMismatch(message: "columns \(missing.map { "\"\($0)\"" }.joined(separator: ", ")) "
                + "named in the YAML are not in the header; found: \(names.joined(separator: ", "))"))
        }
        let numbers = NumberStyle(context.dialect)
        return .format(GenericFormat(
            columnNames: names, yaml: mapping, site: site, timestampColumn: index(mapping.timestamp),
            dateColumn: index(mapping.date), timeColumn: index(mapping.time), endColumn: index(mapping.end),
            meterColumn: index(mapping.meterColumn), valueColumns: mapping.values.map { index($0.column)! },
            numbers: numbers, dateFormat: context.source.dateFormat,
            dateFormatForced: context.source.dateFormat != nil, resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        let when: String
        switch dateFormat {
        case .iso?: when = "instant with offset (iso\(dateFormatForced ? " from date_format" : ", detected"))"
        case .layout(let layout)?: when = "local time (\(layoutNote(layout, forced: dateFormatForced)))"
        case nil: when = "local time (layout not detected)"
        }
        var roles: [(columns: [Int?], role: String)] = [
            ([timestampColumn ?? dateColumn, timestampColumn == nil ? timeColumn : nil], "interval start, " + when),
            ([endColumn], "interval end"),
            ([meterColumn], "meter (one series per meter and value column)"),
        ]
        for (position, column) in valueColumns.enumerated() {
            let value = yaml.values[position]
            roles.append(([column], "\(value.quantity.rawValue) (\(value.unit.rawValue), "
                + (value.kind == .interval ? "interval values)" : "cumulative register, differenced)")))
        }
        return columnMapping(columnNames, roles)
    }

    /// The row's time as local seconds, or a UTC instant when the format is `iso`.
    private enum When { case local(Int64), instant(Int64) }

    private mutating func when(_ record: CSVRecord, dateColumn: Int, timeColumn: Int?) -> When? {
        if dateFormat == nil {
            // Detected on the first data row; day-first when both orders fit (set `date_format` otherwise).
            let text = record.string(dateColumn)
            if TimeParsing.isoInstant(record[dateColumn]) != nil {
                dateFormat = .iso
            } else if let detected = DateTimeLayout.detect([text]) {
                dateFormat = .layout(detected.layout)
            } else {
                return nil
            }
        }
        switch dateFormat! {
        case .iso:
            return TimeParsing.isoInstant(record[dateColumn]).map(When.instant)
        case .layout(let layout):
            guard var local = layout.parse(record[dateColumn]) else { return nil }
            if let timeColumn {
                guard let seconds = TimeParsing.timeOfDay(record[timeColumn]), seconds < 86_400 else { return nil }
                local += Int64(seconds)
            }
            return .local(local)
        }
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        let dateIndex = timestampColumn ?? dateColumn!
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(.emptyRow)
            return
        }
        guard let start = when(record, dateColumn: dateIndex, timeColumn: timestampColumn == nil ? timeColumn : nil)
        else {
            aggregator.reject(line: record.line, column: columnName(dateIndex), code: .notADate,
                              reason: "\"\(record.string(dateIndex))\" is not a date/time in the layout "
                                  + (dateFormatForced ? "\(dateFormat!) of date_format in the YAML"
                                      : "detected from the first row; set date_format in the YAML"),
                              raw: record.rawText(), site: site)
            return
        }
        let series = seriesIDs(record, into: &aggregator)
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
        for (position, column) in valueColumns.enumerated() {
            let value = yaml.values[position]
            let seriesID = series[position]
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
                if value.kind == .interval {
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
            let canonical = number * value.unit.factor(to: value.quantity)!
            switch value.kind {
            case .interval:
                aggregator.add(series: seriesID, startUTC: instant, intervalSeconds: interval, value: canonical,
                               quality: .measured)
                if !value.kindGiven { aggregator.observeRegister(series: seriesID, instant: instant, value: canonical) }
            case .cumulative:
                let names = columnNames, unit = value.unit, quantity = value.quantity
                registers.read(series: seriesID, column: {
                    .init(value: names[column], time: names[dateIndex], unit: unit, factor: 1,
                          display: unit.factor(to: quantity)!)
                }, site: site, instant: instant, value: canonical, line: record.line, raw: { record.rawText() },
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

    /// The series of each value column for this row (the `meter` column's value names them in a long layout).
    private mutating func seriesIDs(_ record: CSVRecord, into aggregator: inout FileAggregator) -> [Int32] {
        if let meterColumn {
            if let cached = meters.lookup(record[meterColumn]) { return cached }
            let meter = record.string(meterColumn).trimmingSpaces
            let ids = yaml.values.map { value in
                aggregator.intern(SeriesKey(site: site, quantity: value.quantity,
                                            meter: value.meter.map { "\(meter)/\($0)" } ?? meter))
            }
            meters.insert(record[meterColumn], ids)
            return ids
        }
        if let fixedSeries { return fixedSeries }
        let ids = yaml.values.map { value in
            aggregator.intern(SeriesKey(site: site, quantity: value.quantity, meter: value.meter ?? value.column))
        }
        fixedSeries = ids
        return ids
    }
}
