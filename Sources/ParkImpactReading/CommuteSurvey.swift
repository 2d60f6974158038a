import CSVReading
import Foundation
import ParkImpactModel
import ParkImpactDefinition

/// `commute-survey`: the federal home–work commuting diagnostic (or a company survey): per site and survey year,
/// the number of commuters (or shares) per main mode, optionally with the average one-way distance.
///
/// Two layouts, read by header name: long (`site;year;mode;trips[;avg_distance_km]`, or `share` instead of
/// `trips`) and wide (`site;year;<one column per mode>`, the modes in Dutch, French or English). A survey is recorded
/// on its reference date, 30 June of the survey year (or a `date` column): series `commute_trips` per mode, and
/// `commute_pkm` = trips × average distance when distances are given. A date column's layout is detected from its
/// first value (day first when both orders fit); a source's `date_format` replaces the detection.
struct CommuteSurveyFormat: RowFormat {

    static let siteNames = ["site", "vestiging", "siège", "siege", "locatie", "establishment", "site id"]
    static let yearNames = ["year", "jaar", "année", "annee", "survey year", "enquêtejaar", "diagnostiek"]
    static let dateNames = ["date", "datum", "reference date", "referentiedatum"]
    static let modeNames = ["mode", "vervoerwijze", "hoofdvervoerwijze", "main mode", "mode principal", "modus"]
    static let tripNames = ["trips", "count", "aantal", "werknemers", "employees", "travailleurs", "n", "verplaatsingen"]
    static let shareNames = ["share", "aandeel", "part", "share %", "aandeel %", "%", "percentage"]
    static let distanceNames = ["avg_distance_km", "average distance km", "gemiddelde afstand km", "afstand km",
                                "distance km", "distance moyenne km", "avg distance", "gemiddelde afstand"]

    enum Layout {
        case long(mode: Int, value: Int, distance: Int?)
        case wide(modes: [(column: Int, mode: TransportMode)])
    }

    let columnNames: [String]
    let layout: Layout
    let site: Int?, year: Int?, date: Int?
    let defaultSite: String?
    let siteIDs: [String]
    let numbers: NumberStyle
    private var dateLayout: DateTimeLayout?
    /// Whether `dateLayout` is the source's `date_format`.
    let layoutForced: Bool

    static func normalised(_ name: String) -> String {
        normalisedHeader(name).replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
    }

    static func find(_ names: [String], _ aliases: [String]) -> Int? {
        names.map(normalised).firstIndex(where: aliases.contains)
    }

    static func layout(_ names: [String]) -> Layout? {
        if let mode = find(names, modeNames), let value = find(names, tripNames) ?? find(names, shareNames) {
            return .long(mode: mode, value: value, distance: find(names, distanceNames))
        }
        let modes = names.enumerated().compactMap { index, name in TransportMode(name: name).map { (index, $0) } }
        return modes.count >= 2 ? .wide(modes: modes) : nil
    }

    static func detect(_ records: [[String]]) -> Bool {
        guard let header = records.first else { return false }
        return (find(header, yearNames) != nil || find(header, dateNames) != nil) && layout(header) != nil
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<CommuteSurveyFormat> {
        let names = header.strings
        let year = find(names, yearNames), date = find(names, dateNames)
        guard year != nil || date != nil, let layout = layout(names) else {
            if year == nil, date == nil, layout(names) == nil, names.count <= 2 { return .preamble }
            return .mismatch(HeaderMismatch(message: "not a commuting survey: expected a year (or date) column and "
                + "either mode + trips/share columns or one column per mode (\(TransportMode.knownNames)); found: "
                + names.joined(separator: ";")))
        }
        let site = find(names, siteNames)
        if site == nil, context.source.site == nil {
            return .mismatch(HeaderMismatch(message: "no site column: set `site:` on the source in the YAML"))
        }
        return .format(CommuteSurveyFormat(
            columnNames: names, layout: layout, site: site, year: year, date: date, defaultSite: context.source.site,
            siteIDs: context.siteIDs, numbers: NumberStyle(context.dialect), dateLayout: context.forcedLayout,
            layoutForced: context.forcedLayout != nil))
    }

    var mapping: [ColumnRole] {
        var roles: [(columns: [Int?], role: String)] = [
            ([site], "site" + (defaultSite.map { " (empty: \($0))" } ?? "")),
            ([date], "reference day, local (\(layoutNote(dateLayout, forced: layoutForced)))"),
            ([year], date == nil ? "survey year (recorded on 30 June)" : "survey year (30 June when the date is empty)"),
        ]
        switch layout {
        case .long(let mode, let value, let distance):
            roles.append(([mode], "mode"))
            roles.append(([value], "commute_trips of the row's mode"))
            roles.append(([distance], "average one-way distance, km (commute_pkm = trips × distance)"))
        case .wide(let modes):
            for (column, mode) in modes { roles.append(([column], "commute_trips: \(mode.rawValue)")) }
        }
        return columnMapping(columnNames, roles)
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: defaultSite) else { return }
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(.emptyRow)
            return
        }
        // When: the date column, else 30 June of the survey year (the diagnostic's reference date).
        let day: Int
        if let date, !FieldParsing.isBlank(record[date]) {
            if dateLayout == nil { dateLayout = DateTimeLayout.detect([record.string(date)])?.layout }
            guard let local = dateLayout?.parse(record[date]) else {
                reject(record, date, .notADate, "\"\(record.string(date))\" is not a date"
                    + (layoutForced ? " in the layout \(dateLayout!) of date_format in the YAML" : ""), &aggregator)
                return
            }
            day = Int(local / 86_400)
        } else if let year, let value = FieldParsing.digits(TimeParsing.trimmed(record[year]), 0, 4),
                  TimeParsing.trimmed(record[year]).count == 4 {
            day = CivilDate.dayNumber(year: value, month: 6, day: 30)
        } else {
            reject(record, year ?? 0, .notADate,
                "\"\(year.map(record.string) ?? "")\" is not a survey year", &aggregator)
            return
        }
        var siteID = defaultSite ?? ""
        if let site, !FieldParsing.isBlank(record[site]) {
            siteID = record.string(site).trimmingSpaces
            guard siteIDs.contains(siteID) else {
                reject(record, site, .unknownSite,
                    "unknown site \"\(siteID)\"; known: \(siteIDs.joined(separator: ", "))",
                       &aggregator, day: day)
                return
            }
        }
        let start = aggregator.table.startOfDay(day)
        switch layout {
        case .long(let modeColumn, let valueColumn, let distanceColumn):
            guard let mode = TransportMode(name: record.string(modeColumn).trimmingSpaces) else {
                reject(record, modeColumn, .unknownMode, "unknown mode \"\(record.string(modeColumn))\"; known: "
                    + TransportMode.knownNames + " (and their Dutch and French names)", &aggregator, day: day)
                return
            }
            guard let trips = number(record[valueColumn]) else {
                reject(record, valueColumn, .notANumber,
                    "\"\(record.string(valueColumn))\" is not a number ≥ 0", &aggregator,
                       day: day)
                return
            }
            var distance: Double?
            if let distanceColumn, !FieldParsing.isBlank(record[distanceColumn]) {
                guard let value = number(record[distanceColumn]) else {
                    reject(record, distanceColumn, .notANumber,
                        "\"\(record.string(distanceColumn))\" is not a distance in km",
                           &aggregator, day: day)
                    return
                }
                distance = value
            }
            add(siteID, mode, trips: trips, distance: distance, start: start, &aggregator)
        case .wide(let modes):
            var values: [(TransportMode, Double)] = []
            for (column, mode) in modes where !FieldParsing.isBlank(record[column]) {
                guard let value = number(record[column]) else {
                    reject(record, column, .notANumber,
                        "\"\(record.string(column))\" is not a number ≥ 0", &aggregator, day: day)
                    return
                }
                values.append((mode, value))
            }
            for (mode, value) in values { add(siteID, mode, trips: value, distance: nil, start: start, &aggregator) }
        }
    }

    private func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var field = TimeParsing.trimmed(bytes)
        if field.last == UInt8(ascii: "%") { field = UnsafeRawBufferPointer(rebasing: field.dropLast()) }
        guard let value = numbers.parse(field), value >= 0 else { return nil }
        return value
    }

    private func add(_ site: String, _ mode: TransportMode, trips: Double, distance: Double?, start: Int64,
                     _ aggregator: inout FileAggregator) {
        let series = aggregator.intern(SeriesKey(site: site, quantity: .commuteTrips, meter: mode.rawValue))
        aggregator.add(series: series, startUTC: start, intervalSeconds: 0, value: trips, quality: .measured)
        if let distance {
            let pkm = aggregator.intern(SeriesKey(site: site, quantity: .commutePassengerKm, meter: mode.rawValue))
            aggregator.add(series: pkm, startUTC: start, intervalSeconds: 0, value: trips * distance, quality: .measured)
        }
    }

    private func reject(_ record: CSVRecord, _ column: Int, _ code: RejectCode, _ reason: String,
        _ aggregator: inout FileAggregator,
                        day: Int? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code,
            reason: reason, raw: record.rawText(),
                          site: defaultSite, day: day)
    }
}
