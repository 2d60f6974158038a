import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `sungrow`: the Sungrow iSolarCloud plant report, `Time,PV(kWh),Purchased Energy(kWh),Feed-in(kWh),Load(kWh)`.
///
/// Read by header names (any order; units from the parentheses: Wh, kWh or MWh):
/// - `PV` → `pv_production`, `Purchased Energy` → `electricity_offtake`, `Feed-in` → `electricity_injection`,
///   `Load` → `electricity_consumption` (the site's use as the inverter's meter sees it, not grid offtake).
/// - Other columns (battery, power in kW, …) are not read; they are listed under one ignored reason per row.
/// - A source `quantity:` reads only that quantity's column (e.g. `pv_production` when the grid comes from Fluvius).
///
/// Rows are interval totals in the plant's local time:
/// - `2024-09-01`: that local day (23 or 25 hours on clock-change days);
/// - `2024-09` (monthly report in a yearly export) or `2024` (yearly rows): that local month or year, split over its
///   days in proportion to time (`FileAggregator.addSpread`). The total of the month is measured; how it falls on
///   days within the month is not, so a period boundary inside the month gets a time-proportional share.
/// - One granularity per file (a month row among day rows would count the same energy twice): rejected.
/// - A row with a time of day is rejected (intraday reports give power, not day energy).
/// - Empty cells and `--` are missing values (no data), not zero. A `Total` row is ignored (the sum of the rows
///   above). Rows must be in time order; a repeated or earlier period is rejected.
/// - Periods are written year first by iSolarCloud (`yyyy-MM-dd`, `yyyy-MM`, `yyyy`), never ambiguous: a source's
///   `date_format` is refused when the pipeline is loaded.
struct SungrowFormat: RowFormat {

    let columnNames: [String]
    let site: String
    let timeColumn: Int
    let columns: [Column]
    let ignoredColumns: IgnoreKey?
    let decimalMark: UInt8
    let delimiter: UInt8
    private var series: [Int32] = []
    private var granularity: Granularity?
    private var previous: (start: Int64, line: Int)?

    typealias Column = PVExports.Column

    enum Granularity: String {
        case day, month, year
        var layout: String {
            switch self {
            case .day: return "yyyy-MM-dd"
            case .month: return "yyyy-MM"
            case .year: return "yyyy"
            }
        }
    }

    /// Column names (without unit, normalised) → quantity.
    static let known: [String: Quantity] = [
        "pv": .pvProduction,
        "purchased energy": .electricityOfftake,
        "feed-in": .electricityInjection,
        "load": .electricityConsumption,
    ]
    static let expectedHeader = "Time,PV(kWh),Purchased Energy(kWh),Feed-in(kWh),Load(kWh)"
    static let ignoredTotal = IgnoreCode.totalRow
    static func ignoredColumnsReason(_ names: [String]) -> IgnoreKey {
        IgnoreKey(.columnsNotRead, detail: names.joined(separator: ", "))
    }

    // MARK: Header

    static func detect(_ records: [[String]]) -> Bool {
        guard let header = records.first, header.count >= 3,
              PVExports.nameAndUnit(header[0]) == ("time", nil) else { return false }
        let columns = header.dropFirst().map(PVExports.nameAndUnit)
        let energy = columns.filter { known[$0.name] != nil && $0.unit.flatMap(PVExports.energyFactor) != nil }
        return energy.contains { $0.name == "pv" } && energy.count >= 2
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<SungrowFormat> {
        let found: PVExports.ReportHeader
        switch PVExports.reportHeader(header, context: context, known: known, isTime: { $0 == ("time", nil) },
                                      format: "Sungrow", report: "a Sungrow iSolarCloud report",
                                      expectedHeader: expectedHeader) {
        case .format(let header): found = header
        case .preamble: return .preamble
        case .mismatch(let mismatch): return .mismatch(mismatch)
        }
        let (names, time, site, columns, ignored) = (found.names, found.time, found.site, found.columns, found.ignored)
        return .format(SungrowFormat(
            columnNames: names, site: site, timeColumn: time, columns: columns,
            ignoredColumns: ignored.isEmpty ? nil : ignoredColumnsReason(ignored),
            decimalMark: context.dialect.decimalMark, delimiter: context.dialect.delimiter))
    }

    var mapping: [ColumnRole] {
        columnMapping(columnNames, [([timeColumn], "period, local time: a day (yyyy-MM-dd), month (yyyy-MM) or year")]
            + columns.map { column in
                let unit = PVExports.nameAndUnit(columnNames[column.index]).unit ?? ""
                return ([column.index], "\(column.quantity.rawValue) (\(unit) per period)")
            })
    }

    // MARK: Rows

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        let timeBytes = record[timeColumn]
        if FieldParsing.equalsIgnoringCase(timeBytes, "total") {
            aggregator.ignore(Self.ignoredTotal)
            return
        }
        if FieldParsing.equalsIgnoringCase(timeBytes, "time") {
            aggregator.ignore(.repeatedHeader)
            return
        }
        if let ignoredColumns { aggregator.ignore(ignoredColumns) }
        if series.isEmpty {
            series = columns.map { column in
                aggregator.intern(SeriesKey(site: site, quantity: column.quantity,
                                            meter: "sungrow:" + PVExports.displayName(columnNames[column.index])))
            }
        }

        // Which period.
        guard let period = Self.period(timeBytes) else {
            let text = record.string(timeColumn)
            reject(record, column: timeColumn, .mixedGranularity, Self.hasTimeOfDay(timeBytes)
                ? "\"\(text)\" has a time of day: only daily, monthly or yearly reports are read (intraday reports "
                    + "give power, not energy per day)"
                : "\"\(text)\" is not a day (yyyy-MM-dd), a month (yyyy-MM) or a year (yyyy)", &aggregator)
            return
        }
        let day = period.firstDay
        if let granularity, granularity != period.granularity {
            reject(record, column: timeColumn, .mixedGranularity,
                "a \(period.granularity.rawValue) (\(period.granularity.layout)) in a "
                + "report of \(granularity.rawValue)s: mixing them would count the same energy twice", &aggregator,
                day: day)
            return
        }
        granularity = period.granularity
        let table = aggregator.table
        let from = table.startOfDay(period.firstDay), to = table.startOfDay(period.endDay)
        if let previous, from <= previous.start {
            reject(record, column: timeColumn, .timeOutOfOrder,
                "the period is not later than that of the previous row (line "
                + "\(previous.line)): a repeated or out-of-order row", &aggregator, day: day)
            return
        }
        previous = (from, record.line)

        // How much.
        for (position, column) in columns.enumerated() {
            aggregator.valueColumn = column.index
            let bytes = record[column.index]
            let value: Double
            let quality: Quality
            if FieldParsing.isBlank(bytes) || FieldParsing.equalsIgnoringCase(bytes, "--") {
                (value, quality) = (0, .missing)
            } else if let number = PVExports.number(bytes, decimalMark: decimalMark, delimiter: delimiter) {
                guard number >= 0 else {
                    reject(record, column: column.index, .negativeValue,
                        "an energy total cannot be negative", &aggregator, day: day)
                    continue
                }
                (value, quality) = (number * column.factor, .measured)
            } else {
                reject(record, column: column.index, .notANumber,
                    "\"\(record.string(column.index))\" is not a number", &aggregator,
                       day: day)
                continue
            }
            if period.granularity == .day {
                aggregator.add(series: series[position], startUTC: from, intervalSeconds: Int32(to - from),
                               value: value, quality: quality)
            } else {
                aggregator.addSpread(series: series[position], fromUTC: from, toUTC: to, value: value, quality: quality)
            }
        }
    }

    /// `2024-09-01`, `2024-09`, `2024` (also with `/` or `.`) → the local days it covers.
    static func period(_ bytes: UnsafeRawBufferPointer) -> (granularity: Granularity, firstDay: Int, endDay: Int)? {
        let field = TimeParsing.trimmed(bytes)
        guard field.count == 4 || field.count == 7 || field.count == 10,
              let year = FieldParsing.digits(field, 0, 4), year >= 1970 else { return nil }
        if field.count == 4 {
            return (.year, CivilDate.dayNumber(year: year, month: 1, day: 1),
                    CivilDate.dayNumber(year: year + 1, month: 1, day: 1))
        }
        let separator = field[4]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") || separator == UInt8(ascii: "."),
              let month = FieldParsing.digits(field, 5, 2), (1...12).contains(month) else { return nil }
        let monthStart = CivilDate.dayNumber(year: year, month: month, day: 1)
        if field.count == 7 {
            return (.month, monthStart, monthStart + CivilDate.daysIn(month: month, year: year))
        }
        guard field[7] == separator, let day = FieldParsing.digits(field, 8, 2),
              day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        return (.day, monthStart + day - 1, monthStart + day)
    }

    /// `2024-09-01 10:00`: a day followed by a time.
    static func hasTimeOfDay(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let field = TimeParsing.trimmed(bytes)
        guard field.count > 11, field[10] == UInt8(ascii: " ") || field[10] == UInt8(ascii: "T") else { return false }
        return period(UnsafeRawBufferPointer(rebasing: field[0..<10])) != nil
    }

    private func reject(_ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String,
        _ aggregator: inout FileAggregator,
                        day: Int? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code,
            reason: reason, raw: record.rawText(),
                          site: site, day: day)
    }
}
