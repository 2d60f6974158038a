import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `temperature`: daily mean outdoor temperatures (for degree days), one row per local day.
///
/// Read by header name: a date column (`date`, `datum`, `day`, `timestamp`, KNMI's `YYYYMMDD`) and a daily-mean
/// column (RMI/KMI open data `temp_avg`, Meteostat `tavg`, KNMI `TG` in 0.1 °C, `temperature`, `gemiddelde
/// temperatuur`, ...), optionally a station column (`code`, `station`, `STN`): one series per station. Values are
/// °C; a `TG` column is tenths of a degree (KNMI). Lines before the header are skipped (up to `preambleLimit`
/// records): `#` comment lines and the KNMI download's legend of about 50 lines; a header cell may start with `#`
/// (KNMI `# STN,YYYYMMDD,…,TG,…`).
///
/// The date layout is detected from the first row (day first when both orders fit); a source's `date_format`
/// replaces the detection. KNMI's compact `YYYYMMDD` (eight digits, no separator) is always read as such.
struct TemperatureFormat: RowFormat {

    static let dateNames = ["date", "datum", "day", "dag", "timestamp", "yyyymmdd", "time", "tijd"]
    static let meanNames = ["temp_avg", "tavg", "tg", "temperature", "temp", "mean temperature", "t_mean", "tmean",
                            "gemiddelde temperatuur", "temperatuur", "temperature (°c)", "temperatuur (°c)", "tmk"]
    static let stationNames = ["code", "station", "stn", "station code", "stationscode"]

    let columnNames: [String]
    let dateColumn: Int, meanColumn: Int, stationColumn: Int?
    var valueColumnIndex: Int? { meanColumn }
    let site: String
    /// 10 for KNMI tenths of a degree (a division is correctly rounded: -12 / 10 == -1.2).
    let divisor: Double
    let numbers: NumberStyle
    var layout: DateTimeLayout?
    /// Whether `layout` is the source's `date_format`.
    let layoutForced: Bool
    /// A compact `YYYYMMDD` date was read (KNMI).
    private var compact = false
    private var stations = ByteKeyCache<Int32>()

    /// Records searched for the header: the KNMI download's legend is about 50 lines.
    static var preambleLimit: Int { 1_000 }
    static var mismatchesBeforeHeaderArePreamble: Bool { true }

    /// A header cell for matching: `normalisedHeader` without a leading `#` (KNMI `# STN`).
    static func headerKey(_ text: String) -> String {
        let key = normalisedHeader(text)
        guard key.hasPrefix("#") else { return key }
        return normalisedHeader(String(key.drop { $0 == "#" || $0 == " " }))
    }

    static func columns(_ names: [String]) -> (date: Int, mean: Int, station: Int?)? {
        let normalised = names.map(headerKey)
        guard let date = normalised.firstIndex(where: dateNames.contains),
              let mean = normalised.firstIndex(where: meanNames.contains) else { return nil }
        return (date, mean, normalised.firstIndex(where: stationNames.contains))
    }

    /// The header among the records `sniff` shows, after `#` comment lines or a free-text legend (KNMI): a record
    /// with a date and a daily-mean column, a leading `#` ignored.
    static func detect(_ records: [[String]]) -> Bool {
        records.contains { columns($0) != nil }
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<TemperatureFormat> {
        let names = header.strings
        if names.first?.hasPrefix("#") == true, columns(names) == nil { return .preamble }
        guard let found = columns(names), let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "no date and daily-mean temperature columns; expected e.g. "
                + "date,temp_avg or date,tavg or YYYYMMDD,TG; found: \(names.joined(separator: ","))"))
        }
        let isKNMI = headerKey(names[found.mean]) == "tg"
        return .format(TemperatureFormat(
            columnNames: names, dateColumn: found.date, meanColumn: found.mean, stationColumn: found.station,
            site: site, divisor: isKNMI ? 10 : 1, numbers: NumberStyle(context.dialect), layout: context.forcedLayout,
            layoutForced: context.forcedLayout != nil))
    }

    var mapping: [ColumnRole] {
        let date = compact && layout == nil ? "yyyyMMdd" : layoutNote(layout, forced: layoutForced)
        return columnMapping(columnNames, [
            ([dateColumn], "day, local (\(date))"),
            ([meanColumn], "temperature (daily mean, \(divisor == 10 ? "0.1 °C" : "°C"))"),
            ([stationColumn], "station: one series per station"),
        ])
    }

    /// The local day of a date text: `2023-01-05`, `05/01/2023`, `2023-01-05T00:00:00`, `20230105`.
    private mutating func day(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let field = TimeParsing.trimmed(bytes)
        if field.count == 8, let number = FieldParsing.digits(field, 0, 8) {
            compact = true
            return CivilDate(year: number / 10_000, month: number / 100 % 100, day: number % 100)?.dayNumber
        }
        let datePart = UnsafeRawBufferPointer(rebasing: field[0..<min(field.count, 10)])
        if layout == nil {
            layout = DateTimeLayout.detect([String(decoding: datePart, as: UTF8.self)])?.layout
        }
        guard let local = layout?.parse(datePart) else { return nil }
        return Int(local / 86_400)
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        if record.fieldCount == 1, record.string(0).allSatisfy({ $0 == "#" || $0 == " " }) {
            aggregator.ignore(.emptyRow)  // `# ` under KNMI's header line
            return
        }
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        guard let day = day(record[dateColumn]) else {
            aggregator.reject(line: record.line, column: columnName(dateColumn), code: .notADate,
                              reason: "\"\(record.string(dateColumn))\" is not a date"
                                  + (layoutForced ? " in the layout \(layout!) of date_format in the YAML" : ""),
                              raw: record.rawText(), site: site)
            return
        }
        let series: Int32
        let stationBytes = stationColumn.map { record[$0] } ?? UnsafeRawBufferPointer(start: nil, count: 0)
        if let cached = stations.lookup(stationBytes) {
            series = cached
        } else {
            let station = stationColumn.map { record.string($0).trimmingSpaces } ?? ""
            series = aggregator.intern(SeriesKey(site: site, quantity: .temperature,
                                                 meter: station.isEmpty ? columnName(meanColumn) : station))
            stations.insert(stationBytes, series)
        }
        let start = aggregator.table.startOfDay(day)
        let length = Int32(aggregator.table.secondsIn(day: day))
        let bytes = record[meanColumn]
        if FieldParsing.isBlank(bytes) || FieldParsing.equalsIgnoringCase(bytes, "nan") {
            aggregator.add(series: series, startUTC: start, intervalSeconds: length, value: 0, quality: .missing)
            return
        }
        guard let value = numbers.parse(bytes), value / divisor > -80, value / divisor < 60
        else {
            aggregator.reject(line: record.line, column: columnName(meanColumn), code: .notANumber,
                              reason: "\"\(record.string(meanColumn))\" is not a daily mean temperature in °C",
                              raw: record.rawText(), site: site, day: day)
            return
        }
        aggregator.add(series: series, startUTC: start, intervalSeconds: length, value: value / divisor, quality: .measured)
    }
}
