import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `parkimpact-long`: `timestamp,site,series,quantity,value,unit,quality[,end]`, instants with offset or `Z`.
///
/// The format fixes its dates (ISO 8601 with offset): a source's `date_format` is refused when the pipeline is loaded.
struct ParkImpactLongFormat: RowFormat {
    static let required = ["timestamp", "site", "series", "quantity", "value", "unit", "quality"]
    let columnNames: [String]
    let timestamp: Int, site: Int, seriesColumn: Int, quantity: Int, value: Int, unit: Int, quality: Int, end: Int?
    let siteIDs: [String]
    /// `siteIDs` for the check of each new series (a park has hundreds of sites; a file thousands of series).
    let knownSites: Set<String>
    let defaultSite: String?
    let decimalMark: UInt8

    /// Series by the bytes of site, series and quantity (joined with NUL): interned once per file.
    private var series = ByteInterner<Int32>()
    /// The interner entry of the last row's series (-1 when that row was rejected).
    private var lastEntry = -1
    /// Per interner entry, the entry of the row that followed it last time (-1: none yet). An export by meter repeats
    /// the last row's series; an export by time (every meter at 00:00, then every meter at 00:15, …) repeats the
    /// series order of the previous timestamp: either way the next row's series is found by comparing three fields
    /// with one or two known keys, without building or hashing a key.
    private var followedBy: [Int] = []
    /// The key of a row whose series is neither (built only then).
    private var scratchKey = JoinedKey()
    private var units = ByteKeyCache<MeasurementUnit>()
    private var days = DayCache()
    private var endDays = DayCache()
    /// The UTC-offset stretch of the last row (local days for rejects without a search per row).
    private var segment = LocalTimeTable.Segment(start: 0, end: 0, offset: 0)

    static var readsInChunks: Bool { true }
    var valueColumnIndex: Int? { value }

    static func detect(_ records: [[String]]) -> Bool { records.first.map(matches) ?? false }

    static func matches(_ names: [String]) -> Bool {
        let normalised = names.map(normalisedHeader)
        return required.allSatisfy(normalised.contains)
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<ParkImpactLongFormat> {
        let names = header.strings
        let normalised = names.map(normalisedHeader)
        let missing = required.filter { !normalised.contains($0) }
        guard missing.isEmpty else {
            return .mismatch(HeaderMismatch(message: "the header lacks parkimpact-long columns "
                + "\(missing.joined(separator: ", ")); expected \(required.joined(separator: ","))[,end], "
                + "found: \(names.joined(separator: ","))"))
        }
        func index(_ name: String) -> Int { normalised.firstIndex(of: name)! }
        return .format(ParkImpactLongFormat(
            columnNames: names, timestamp: index("timestamp"), site: index("site"), seriesColumn: index("series"),
            quantity: index("quantity"), value: index("value"), unit: index("unit"), quality: index("quality"),
            end: normalised.firstIndex(of: "end"), siteIDs: context.siteIDs, knownSites: Set(context.siteIDs),
            defaultSite: context.source.site,
            decimalMark: context.dialect.decimalMark))
    }

    var mapping: [ColumnRole] {
        columnMapping(columnNames, [
            ([timestamp], "interval start, ISO 8601 instant"),
            ([end], "interval end, ISO 8601 instant"),
            ([site], "site"),
            ([seriesColumn], "series (meter)"),
            ([quantity], "quantity"),
            ([value], "value, in the row's unit"),
            ([unit], "unit (converted to the quantity's unit)"),
            ([quality], "quality (measured, estimated, missing)"),
        ])
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: defaultSite) else { return }
        guard let start = TimeParsing.isoInstant(record[timestamp], days: &days) else {
            // (`timestamp` is never an instant: asking after the parse failed keeps the per-row path short.)
            if FieldParsing.equalsIgnoringCase(record[timestamp], "timestamp") {
                aggregator.ignore(.repeatedHeader)
                return
            }
            reject(record, timestamp, .notADate, "\"\(record.string(timestamp))\" is not an ISO 8601 time with offset "
                + "(like 2024-03-31T01:45:00+01:00 or 2024-03-31T00:45:00Z)", &aggregator)
            return
        }
        if start < segment.start || start >= segment.end { segment = aggregator.table.offsetSegment(containingUTC: start) }
        let local = start + segment.offset
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        var interval: Int32 = 0
        if let end, !FieldParsing.isBlank(record[end]) {
            guard let endInstant = TimeParsing.isoInstant(record[end], days: &endDays), endInstant > start,
                  endInstant - start < Int64(Int32.max) else {
                reject(record, end, .notADate, "\"\(record.string(end))\" is not an ISO 8601 time after the timestamp",
                       &aggregator, day: day)
                return
            }
            interval = Int32(endInstant - start)
        }

        let siteBytes = record[site], nameBytes = record[seriesColumn], quantityBytes = record[quantity]
        var entry = -1
        if lastEntry >= 0 {
            if series.matches(entry: lastEntry, siteBytes, nameBytes, quantityBytes) {
                entry = lastEntry
            } else if case let next = followedBy[lastEntry], next >= 0,
                      series.matches(entry: next, siteBytes, nameBytes, quantityBytes) {
                entry = next
            }
        }
        if entry < 0 {
            scratchKey.set(siteBytes, nameBytes, quantityBytes)
            entry = scratchKey.withBytes { series.find($0, hash: ByteInterner<Int32>.hash($0)) } ?? -1
            if entry < 0 {
                let siteText = record.string(site).trimmingSpaces
                let siteID = siteText.isEmpty ? (defaultSite ?? "") : siteText
                guard knownSites.contains(siteID) else {
                    lastEntry = -1
                    reject(record, site, .unknownSite, "unknown site \"\(siteText)\"; known: \(siteIDs.joined(separator: ", "))",
                           &aggregator, day: day)
                    return
                }
                guard let kind = Quantity(inputName: record.string(quantity).trimmingSpaces) else {
                    lastEntry = -1
                    reject(record, quantity, .unknownQuantity, "unknown quantity \"\(record.string(quantity))\"; known: "
                        + Quantity.inputCases.map(\.rawValue).joined(separator: ", "), &aggregator, day: day)
                    return
                }
                let name = record.string(seriesColumn).trimmingSpaces
                guard !name.isEmpty else {
                    lastEntry = -1
                    reject(record, seriesColumn, .emptyMeterID, "the series name is empty", &aggregator, day: day)
                    return
                }
                let id = aggregator.intern(SeriesKey(site: siteID, quantity: kind, meter: name))
                entry = scratchKey.withBytes { series.insert($0, hash: ByteInterner<Int32>.hash($0), id) }
                followedBy.append(-1)
            }
            if lastEntry >= 0 { followedBy[lastEntry] = entry }
        }
        lastEntry = entry
        let seriesID = series.value(at: entry)
        let kind = aggregator.seriesKeys[Int(seriesID)].quantity

        let unitValue: MeasurementUnit
        if let cached = units.lookup(record[unit]) {
            unitValue = cached
        } else {
            guard let parsed = MeasurementUnit(spelling: record.string(unit)) else {
                reject(record, unit, .unknownUnit, "unknown unit \"\(record.string(unit))\"; known: "
                    + MeasurementUnit.allCases.map(\.rawValue).joined(separator: ", "), &aggregator, day: day)
                return
            }
            units.insert(record[unit], parsed)
            unitValue = parsed
        }
        guard let factor = unitValue.factor(to: kind) else {
            reject(record, unit, .unitDoesNotFit, "unit \(unitValue.rawValue) does not fit quantity \(kind.rawValue) "
                + "(expected \(kind.canonicalUnit.rawValue))", &aggregator, day: day)
            return
        }

        let qualityBytes = record[quality]
        let qualityValue: Quality
        if Self.isLowercaseMeasured(qualityBytes) || FieldParsing.isBlank(qualityBytes)
            || FieldParsing.equalsIgnoringCase(qualityBytes, "measured") {
            qualityValue = .measured
        } else if FieldParsing.equalsIgnoringCase(qualityBytes, "estimated") {
            qualityValue = .estimated
        } else if FieldParsing.equalsIgnoringCase(qualityBytes, "missing") {
            qualityValue = .missing
        } else {
            reject(record, quality, .unknownStatus, "unknown quality \"\(record.string(quality))\"; known: measured, estimated, missing",
                   &aggregator, day: day)
            return
        }
        if qualityValue == .missing || FieldParsing.isBlank(record[value]) {
            aggregator.add(series: seriesID, startUTC: start, intervalSeconds: interval, value: 0, quality: .missing)
            return
        }
        guard let number = FieldParsing.decimal(record[value], decimalMark: decimalMark) else {
            reject(record, value, .notANumber, "\"\(record.string(value))\" is not a number", &aggregator, day: day)
            return
        }
        aggregator.add(series: seriesID, startUTC: start, intervalSeconds: interval, value: number * factor,
                       quality: qualityValue)
        aggregator.observeRegister(series: seriesID, instant: start, value: number * factor)
    }

    /// The common spelling `measured`, compared as one word (the general comparison follows when it is not).
    @inline(__always)
    static func isLowercaseMeasured(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 8, let base = bytes.baseAddress else { return false }
        return base.loadUnaligned(as: UInt64.self) == measuredWord
    }

    /// `measured` as its eight bytes in memory order.
    private static var measuredWord: UInt64 { UInt64(littleEndian: 0x6465_7275_7361_656D) }

    private func reject(
        _ record: CSVRecord, _ column: Int, _ code: RejectCode, _ reason: String, _ aggregator: inout FileAggregator, day: Int? = nil
    ) {
        let siteText = record.string(site)
        aggregator.reject(line: record.line, column: columnName(column), code: code, reason: reason, raw: record.rawText(),
                          site: siteIDs.contains(siteText) ? siteText : defaultSite, day: day)
    }
}
