import CSVReading
import Foundation
import ParkImpactModel
import ParkImpactDefinition

/// `trips`: one row per trip from shuttles, bike sharing or carpool apps: start time, mode, distance (km) and
/// optionally occupancy (people in the vehicle) and site. Per mode: `trips` (count), `trip_km` (vehicle-km =
/// distance) and `trip_pkm` (passenger-km = distance × occupancy, occupancy 1 when absent).
///
/// Start times: ISO 8601 instants with an offset, or local times whose date layout is detected from the first row
/// (day first when both orders fit). A source's `date_format` (a layout, or `iso`) replaces the detection.
struct TripsFormat: RowFormat {

    static let startNames = ["start", "start time", "starttijd", "vertrek", "departure", "timestamp", "date", "datum",
                             "datetime", "début", "depart"]
    static let modeNames = ["mode", "vervoerwijze", "modus", "transport mode", "mode de transport", "type"]
    static let distanceNames = ["distance km", "distance_km", "afstand km", "distance", "afstand", "km", "kilometers"]
    static let occupancyNames = ["occupancy", "bezetting", "passengers", "passagiers", "persons", "personen",
                                 "occupants", "inzittenden"]
    static let siteNames = ["site", "vestiging", "locatie"]

    let columnNames: [String]
    let start: Int, mode: Int, distance: Int, occupancy: Int?, site: Int?
    var valueColumnIndex: Int? { distance }
    let defaultSite: String?
    let siteIDs: [String]
    let numbers: NumberStyle
    private var layout: DateTimeLayout?
    private var useISO = false
    /// Whether `layout` / `useISO` come from the source's `date_format`.
    let dateFormatForced: Bool
    private var resolver: LocalInstantResolver
    private var modes = ByteKeyCache<TransportMode?>()

    static func find(_ names: [String], _ aliases: [String]) -> Int? {
        names.map { normalisedHeader($0).replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "") }
            .firstIndex(where: aliases.contains)
    }

    static func detect(_ records: [[String]]) -> Bool {
        guard let header = records.first else { return false }
        return find(header, startNames) != nil && find(header, modeNames) != nil && find(header, distanceNames) != nil
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<TripsFormat> {
        let names = header.strings
        guard let start = find(names, startNames), let mode = find(names, modeNames),
              let distance = find(names, distanceNames) else {
            return .mismatch(HeaderMismatch(message: "not a trip log: expected start, mode and distance (km) columns "
                + "(occupancy and site optional); found: \(names.joined(separator: ","))"))
        }
        let site = find(names, siteNames)
        if site == nil, context.source.site == nil {
            return .mismatch(HeaderMismatch(message: "no site column: set `site:` on the source in the YAML"))
        }
        return .format(TripsFormat(
            columnNames: names, start: start, mode: mode, distance: distance, occupancy: find(names, occupancyNames),
            site: site, defaultSite: context.source.site, siteIDs: context.siteIDs,
            numbers: NumberStyle(context.dialect), layout: context.forcedLayout,
            useISO: context.source.dateFormat == .iso, dateFormatForced: context.source.dateFormat != nil,
            resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        let when = useISO ? "instant with offset (iso\(dateFormatForced ? " from date_format" : ", detected"))"
            : "local time (\(layoutNote(layout, forced: dateFormatForced)))"
        return columnMapping(columnNames, [
            ([start], "trip start, " + when),
            ([mode], "mode"),
            ([distance], "trip_km, km (trip_pkm = km × occupancy)"),
            ([occupancy], "occupancy: people in the vehicle (empty: 1)"),
            ([site], "site" + (defaultSite.map { " (empty: \($0))" } ?? "")),
        ])
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: defaultSite) else { return }
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(.emptyRow)
            return
        }
        let modeValue: TransportMode
        if let cached = modes.lookup(record[mode]) {
            guard let cached else {
                reject(record, mode, .unknownMode, unknownMode(record), &aggregator)
                return
            }
            modeValue = cached
        } else {
            let parsed = TransportMode(name: record.string(mode).trimmingSpaces)
            modes.insert(record[mode], parsed)
            guard let parsed else {
                reject(record, mode, .unknownMode, unknownMode(record), &aggregator)
                return
            }
            modeValue = parsed
        }
        var siteID = defaultSite ?? ""
        if let site, !FieldParsing.isBlank(record[site]) {
            siteID = record.string(site).trimmingSpaces
            guard siteIDs.contains(siteID) else {
                reject(record, site, .unknownSite,
                    "unknown site \"\(siteID)\"; known: \(siteIDs.joined(separator: ", "))", &aggregator)
                return
            }
        }
        let tripSeries = aggregator.intern(SeriesKey(site: siteID, quantity: .trips, meter: modeValue.rawValue))
        // When.
        if layout == nil, !useISO {
            if TimeParsing.isoInstant(record[start]) != nil { useISO = true }
            else { layout = DateTimeLayout.detect([record.string(start)])?.layout }
        }
        let instant: Int64
        if useISO, let value = TimeParsing.isoInstant(record[start]) {
            instant = value
        } else if let local = layout?.parse(record[start]),
                  case .instant(let value) = resolver.resolve(localSeconds: local, series: tripSeries) {
            instant = value
        } else {
            reject(record, start, .notADate, "\"\(record.string(start))\" is not a date and time"
                + (dateFormatForced ? " in the layout \(useISO ? "iso" : layout.map(\.description) ?? "") of date_format "
                    + "in the YAML" : ""), &aggregator)
            return
        }
        let day = aggregator.table.localDay(ofUTC: instant)
        guard let km = numbers.parse(record[distance]), km >= 0 else {
            reject(record, distance, .notANumber,
                "\"\(record.string(distance))\" is not a distance in km", &aggregator, day: day)
            return
        }
        var people = 1.0
        if let occupancy, !FieldParsing.isBlank(record[occupancy]) {
            guard let value = numbers.parse(record[occupancy]), value >= 1 else {
                reject(record, occupancy, .valueOutOfRange,
                    "\"\(record.string(occupancy))\" is not an occupancy (1 or more people)",
                       &aggregator, day: day)
                return
            }
            people = value
        }
        let kmSeries = aggregator.intern(SeriesKey(site: siteID, quantity: .tripKm, meter: modeValue.rawValue))
        let pkmSeries = aggregator.intern(SeriesKey(site: siteID, quantity: .tripPassengerKm, meter: modeValue.rawValue))
        aggregator.add(series: tripSeries, startUTC: instant, intervalSeconds: 0, value: 1, quality: .measured)
        aggregator.add(series: kmSeries, startUTC: instant, intervalSeconds: 0, value: km, quality: .measured)
        aggregator.add(series: pkmSeries, startUTC: instant, intervalSeconds: 0, value: km * people, quality: .measured)
    }

    private func unknownMode(_ record: CSVRecord) -> String {
        "unknown mode \"\(record.string(mode))\"; known: \(TransportMode.knownNames) (and their Dutch and French names)"
    }

    private func reject(_ record: CSVRecord, _ column: Int, _ code: RejectCode, _ reason: String,
        _ aggregator: inout FileAggregator,
                        day: Int? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code,
            reason: reason, raw: record.rawText(),
                          site: defaultSite, day: day)
    }
}
