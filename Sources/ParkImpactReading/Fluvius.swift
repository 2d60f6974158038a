import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// Fluvius consumption-history exports (quarter-hour electricity, hourly gas, day totals), Dutch and English.
///
/// Read by header names (three header generations plus the reordered day-total layout), in local Belgian time:
/// the autumn repeated hour is resolved first pass = summer time (the `02:45 → 02:00` and gas `02:00 → 02:00` rows
/// say so explicitly; otherwise the first occurrence per series is summer time), the spring gap is rejected.
///
/// Dates are fixed by the exporter: day first, `dd-MM-yyyy` or `dd/MM/yyyy` (`yyyy-MM-dd` is read too). A source's
/// `date_format` is refused when the pipeline is loaded rather than silently ignored.
///
/// **Opened and saved in Excel** (Belgian settings) the same export reads alike: dates without zero padding
/// (`1/03/2023`, always day first), times `0:00:00`, the EAN without `="…"`, `,` or `;` as delimiter, `.` or `,`
/// decimals, CRLF, Windows-1252 (the delimiter, decimals and encoding are detected for every file). Excel may
/// destroy the 18-digit EAN: `5,41449E+17`, or rounded to 15 digits (`541448820052632000`, which fails the EAN's
/// check digit). Such an EAN names no meter, so the series is named by the row's `Meter` column (the meter's serial
/// number, which Excel leaves intact); a row whose Meter is empty too is rejected (`empty_meter_id`).
///
/// **Month totals** (`maandtotalen`): a row with status `Onvolledig` / `Incomplete` is the consumption of the part of
/// the period that the meter was read (the first month of a new connection, the running month). Its value is real,
/// but the row does not say which days it covers when its From/To span the whole month, so it is read as
/// **estimated**: counted in the totals, and the period is reported as not fully measured (completeness) instead of
/// as a measured month.
///
/// **Gas in m³**: the gas export writes every hour twice, in m³ and in kWh. The kWh row is the one counted and its m³
/// twin (the row just before or after it, same hour and EAN) is ignored. An m³ row without its kWh twin is converted
/// with the source's `kwh_per_m3` (the gross calorific value on the bill) to kWh; without `kwh_per_m3` it is rejected
/// with a message saying to add it (a volume of 0 is 0 kWh and needs no factor). A file mixing both never counts an
/// hour twice.
struct FluviusFormat: RowFormat {
    let columnNames: [String]
    let fromDate: Int, fromTime: Int?, toDate: Int?, toTime: Int?
    let ean: Int, register: Int, volume: Int, unit: Int, status: Int
    let isGas: Bool
    let site: String
    /// The `Meter` column (the meter's serial number): names the series when Excel destroyed the EAN.
    let meterColumn: Int?
    /// The source's `kwh_per_m3`: converts gas m³ rows that have no kWh twin.
    let kwhPerM3: Double?
    /// `sources[i]` of the pipeline, for messages.
    let sourceName: String
    /// An m³ row held until the next row tells whether its kWh twin follows.
    private var pendingVolume: PendingVolume?
    private var pendingRaw: [UInt8] = []
    /// The last kWh gas row added (series, start): an m³ row right after it is its twin.
    private var lastEnergy: (series: Int32, start: Int64) = (-1, .min)
    /// The file has gas m³ rows: it is then read sequentially (see `orderDependentKeys`), since whether an m³ row
    /// is a twin depends on its neighbouring row, which a chunk boundary may cut off.
    private var sawVolume = false
    /// Series named by the Meter column (EAN destroyed by a spreadsheet), by the Meter field's bytes.
    private var meterSeries = ByteKeyCache<(id: Int32, quantity: Quantity)>()
    private(set) var meterNamedByMeterColumn = false

    struct PendingVolume {
        let series: Int32, start: Int64, length: Int32, value: Double, quality: Quality, line: Int, day: Int
    }

    private var registers = ByteKeyCache<RegisterKind>()
    private var statuses = ByteKeyCache<Quality?>()
    private var units = ByteKeyCache<UnitKind>()
    /// Series by the EAN field's bytes and the row's quantity: an EAN's offtake and injection rows alternate, so the
    /// quantity is part of the key (cleaning and interning the EAN once per series, not once per row).
    private var series = ByteKeyCache<(id: Int32, quantity: Quantity, eanDestroyed: Bool)>()
    /// Resolves the autumn repeated hour per series (first occurrence = summer time).
    private var resolver: LocalInstantResolver
    private var fromDays = DayCache()
    private var toDays = DayCache()

    enum RegisterKind { case offtake, injection, reactive, peak, unknown }

    /// A leap year and the autumn clock-change hour, in seconds.
    static let longestInterval: Int64 = 366 * 86_400 + 3600

    static var readsInChunks: Bool { true }
    /// A gas export has m³ rows (`orderDependentKeys`): read sequentially from the start.
    var chunkable: Bool { !isGas }
    var valueColumnIndex: Int? { volume }
    func orderDependentKeys(_ seriesKeys: [SeriesKey]) -> Set<String> {
        resolver.resolvedKeys(seriesKeys).union(sawVolume ? ["gas m³ rows"] : [])
    }
    enum UnitKind { case kilowattHour, cubicMetre, reactive, kilowatt, unknown }

    static let headerAliases: [String: [String]] = [
        "fromDate": ["van datum", "van (datum)", "from (date)", "from date"],
        "fromTime": ["van tijdstip", "van (tijdstip)", "from (time)", "from time"],
        "toDate": ["tot datum", "tot (datum)", "until (date)", "to (date)", "until date"],
        "toTime": ["tot tijdstip", "tot (tijdstip)", "until (time)", "to (time)", "until time"],
        "ean": ["ean", "ean-code", "ean code"],
        "meter": ["meter"],
        "register": ["register"],
        "volume": ["volume"],
        "unit": ["eenheid", "unit"],
        "status": ["validatiestatus", "validation status"],
        "caloric": ["calorische bovenwaarde", "caloric upper value"],
    ]

    static let expectedHeader = "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;"
        + "Register;Volume;Eenheid;Validatiestatus (or the older/English variants)"

    static func detect(_ records: [[String]]) -> Bool { records.first.map(matches) ?? false }

    /// Whether a header looks like a Fluvius export.
    static func matches(_ names: [String]) -> Bool {
        let normalised = names.map(normalisedHeader)
        return ["fromDate", "ean", "register", "volume", "unit", "status"].allSatisfy { role in
            headerAliases[role]!.contains { normalised.contains($0) }
        }
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<FluviusFormat> {
        let names = header.strings
        let normalised = names.map(normalisedHeader)
        func index(_ role: String) -> Int? { normalised.firstIndex { headerAliases[role]!.contains($0) } }
        let missing = ["fromDate", "ean", "register", "volume", "unit", "status"].filter { index($0) == nil }
        guard missing.isEmpty, let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "the header is not a Fluvius export header; expected "
                + "\(expectedHeader), found: \(names.joined(separator: ";"))"))
        }
        let fileName = context.file.lowercased()
        let isGas = index("caloric") != nil || context.source.quantity == .gas
            || fileName.contains("_gas_") || fileName.contains("/gas")
        return .format(FluviusFormat(
            columnNames: names, fromDate: index("fromDate")!, fromTime: index("fromTime"), toDate: index("toDate"),
            toTime: index("toTime"), ean: index("ean")!, register: index("register")!, volume: index("volume")!,
            unit: index("unit")!, status: index("status")!, isGas: isGas, site: site, meterColumn: index("meter"),
            kwhPerM3: context.source.kwhPerM3, sourceName: "sources[\(context.source.index)]",
            resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        let unitName = columnNames[unit].trimmingSpaces
        return columnMapping(columnNames, [
            ([fromDate, fromTime], "interval start, local time"),
            ([toDate, toTime], "interval end, local time"),
            ([ean], "meter: one series per EAN"
                + (meterNamedByMeterColumn ? " (an EAN destroyed by a spreadsheet: named by the Meter column)" : "")),
            ([meterNamedByMeterColumn ? meterColumn : nil], "meter name of the rows whose EAN a spreadsheet destroyed"),
            ([register], isGas ? "quantity: gas (the offtake register)"
                : "quantity: electricity_offtake or electricity_injection (day and night registers merged)"),
            ([volume], isGas
                ? "value, kWh (m³ rows are the kWh rows' twins and ignored; an m³ row without a kWh twin is converted "
                    + (kwhPerM3.map { "with the source's kwh_per_m3 \(FileAggregator.text($0)) kWh/m³)" }
                        ?? "only with kwh_per_m3 on the source, else rejected)")
                : "value, kWh (rows whose \(unitName) is m³, kVArh or kW are ignored)"),
            ([unit], "unit: selects the kWh rows"),
            ([status], "quality: measured, estimated (also Onvolledig: an incomplete period), or missing (no consumption)"),
        ])
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }

        // What the row measures.
        let unitKind = units.lookup(record[unit]) ?? classifyUnit(record)
        let registerKind = registers.lookup(record[register]) ?? classifyRegister(record)
        switch (registerKind, unitKind) {
        case (.offtake, .cubicMetre), (.peak, .cubicMetre), (.injection, .cubicMetre), (.unknown, .cubicMetre):
            break  // gas volume: the kWh twin's, or converted (below)
        case (.reactive, _), (_, .reactive):
            aggregator.ignore(.reactiveEnergy)
            return
        case (.peak, .kilowatt), (.offtake, .kilowatt):
            break  // a peak power register: read as a peak series, never summed as energy
        case (.peak, _), (_, .kilowatt):
            reject(record, column: unit, .unitDoesNotFit,
                "a peak register needs the unit kW, an energy register kWh; found "
                + "\"\(record.string(register))\" in \"\(record.string(unit))\"", &aggregator)
            return
        case (.unknown, _):
            if FieldParsing.equalsIgnoringCase(record[register], "register") {
                aggregator.ignore(.repeatedHeader)
                return
            }
            reject(record, column: register, .unknownRegister,
                "unknown register \"\(record.string(register))\"; known: Afname Dag, "
                + "Afname Nacht, Injectie Dag, Injectie Nacht, Afname Actief, Afname (gas) and the English names",
                &aggregator)
            return
        case (_, .unknown):
            reject(record, column: unit, .unknownUnit,
                "unknown unit \"\(record.string(unit))\"; known: kWh, m³, kW, kVArh",
                   &aggregator)
            return
        case (.offtake, .kilowattHour), (.injection, .kilowattHour):
            break
        default:  // every combination is handled above; a row never disappears silently
            reject(record, column: register, .unitDoesNotFit, "register \"\(record.string(register))\" with unit "
                + "\"\(record.string(unit))\" is not read", &aggregator)
            return
        }
        let isVolume = unitKind == .cubicMetre
        let quantity: Quantity = isVolume ? .gas : unitKind == .kilowatt ? .electricityPeak
            : registerKind == .injection ? .electricityInjection : (isGas ? .gas : .electricityOfftake)

        // When.
        guard let startDay = fromDays.day(record[fromDate]) ?? TimeParsing.dayFirstUnpadded(record[fromDate]) else {
            reject(record, column: fromDate, .notADate,
                "\"\(record.string(fromDate))\" is not a date (dd-MM-yyyy, or d/MM/yyyy after Excel)", &aggregator)
            return
        }
        var startSeconds = 0
        if let fromTime {
            guard let seconds = TimeParsing.timeOfDayUnpadded(record[fromTime]), seconds < 86_400 else {
                reject(record, column: fromTime, .notATime,
                    "\"\(record.string(fromTime))\" is not a time (HH:mm:ss)", &aggregator,
                       day: startDay)
                return
            }
            startSeconds = seconds
        }
        let startLocal = Int64(startDay) * 86_400 + Int64(startSeconds)
        var naiveLength: Int64 = 86_400
        if let toDate {
            guard let endDay = toDays.day(record[toDate]) ?? TimeParsing.dayFirstUnpadded(record[toDate]) else {
                reject(record, column: toDate, .notADate,
                    "\"\(record.string(toDate))\" is not a date (dd-MM-yyyy, or d/MM/yyyy after Excel)", &aggregator,
                       day: startDay)
                return
            }
            var endSeconds = 0
            if let toTime {
                guard let seconds = TimeParsing.timeOfDayUnpadded(record[toTime]) else {
                    reject(record, column: toTime, .notATime, "\"\(record.string(toTime))\" is not a time (HH:mm:ss)",
                           &aggregator, day: startDay)
                    return
                }
                endSeconds = seconds
            }
            naiveLength = Int64(endDay) * 86_400 + Int64(endSeconds) - startLocal
        }
        let resolution = resolver.resolution(localSeconds: startLocal)
        // `02:45 → 02:00` (quarter) and `02:00 → 02:00` (hour) mark the last summer-time interval of the autumn
        // clock change: the wall clock went back one hour during it.
        var endsInRepeatedHour = false
        if case .ambiguous = resolution, naiveLength <= 0 { endsInRepeatedHour = true }
        var length = endsInRepeatedHour ? naiveLength + 3600 : naiveLength
        if length == 0, startSeconds == 0, fromTime == nil || toTime == nil || naiveLength == 0 {
            length = 86_400  // day totals written with an inclusive end date (`Van 01-01-2024 Tot 01-01-2024`)
        }
        guard length > 0 else {
            reject(record, column: toTime ?? toDate ?? fromDate, .intervalEndsBeforeStart,
                "the interval ends before it starts", &aggregator,
                   day: startDay)
            return
        }
        // The longest Fluvius row is a month (or a year of a yearly total); an end years away is a typo (2204 for
        // 2024), rejected before any arithmetic on it.
        guard length <= Self.longestInterval else {
            reject(record, column: toDate ?? fromDate, .intervalTooLong,
                "the interval from \(record.string(fromDate)) to \(toDate.map { record.string($0) } ?? "?") lasts "
                + "\(length / 86_400) days, longer than a year: check the end date", &aggregator, day: startDay)
            return
        }
        if length >= 86_400, length % 86_400 == 0 {
            // Whole local days: their real length differs on clock-change days (23 h / 25 h).
            length = Int64(aggregator.table.startOfDay(startDay + Int(length / 86_400))
                - aggregator.table.startOfDay(startDay))
        }

        // Which series.
        var seriesID: Int32 = -1
        let eanBytes = record[ean]
        var eanDestroyed = false
        if let cached = series.lookup(eanBytes, where: { $0.quantity == quantity }) {
            seriesID = cached.id
            eanDestroyed = cached.eanDestroyed
        } else {
            let meter = Self.cleanEAN(record.string(ean))
            guard !meter.isEmpty else {
                reject(record, column: ean, .emptyMeterID, "the EAN is empty", &aggregator, day: startDay)
                return
            }
            if Self.isDestroyedEAN(meter) {
                eanDestroyed = true
                series.insert(eanBytes, (-1, quantity, true))
            } else {
                seriesID = aggregator.intern(SeriesKey(site: site, quantity: quantity, meter: meter))
                series.insert(eanBytes, (seriesID, quantity, false))
            }
        }
        if eanDestroyed {
            let meterBytes = meterColumn.map { record[$0] } ?? UnsafeRawBufferPointer(start: nil, count: 0)
            if let cached = meterSeries.lookup(meterBytes, where: { $0.quantity == quantity }) {
                seriesID = cached.id
            } else {
                let meter = meterColumn.map { record.string($0).trimmingSpaces } ?? ""
                guard !meter.isEmpty else {
                    reject(record, column: ean, .emptyMeterID, "the EAN \"\(record.string(ean))\" was rounded by a "
                        + "spreadsheet (Excel shows 18 digits as 5,41449E+17) and the Meter column is empty, so the "
                        + "meter is unknown: download the export again from Mijn Fluvius and use it as it is (or open "
                        + "it in Excel with the EAN column imported as text)", &aggregator, day: startDay)
                    return
                }
                seriesID = aggregator.intern(SeriesKey(site: site, quantity: quantity, meter: meter))
                meterSeries.insert(meterBytes, (seriesID, quantity))
                meterNamedByMeterColumn = true
            }
        }

        let startUTC: Int64
        switch resolver.resolve(resolution, localSeconds: startLocal, series: seriesID, firstPass: endsInRepeatedHour) {
        case .instant(let instant):
            startUTC = instant
        case .gap:
            reject(record, column: fromTime ?? fromDate, .timeInClockChangeGap, "local time \(record.string(fromDate)) "
                + "\(fromTime.map { record.string($0) } ?? "") does not exist (clocks moved forward)", &aggregator,
                day: startDay)
            return
        }
        // An interval that ends later the same local day lasts from its start to its end in UTC: across the spring
        // clock change `01:45 → 03:00` is 15 minutes and the gas hour `01:00 → 03:00` one hour, not the wall
        // clock's 75 and 120. (An end in the autumn repeated hour is ambiguous: the wall clock's length, as above.)
        let endLocal = startLocal + naiveLength
        if length == naiveLength, length < 86_400, endLocal < Int64(startDay + 1) * 86_400,
           case .unique(let endUTC) = resolver.resolution(localSeconds: endLocal), endUTC > startUTC {
            length = endUTC - startUTC
        }

        // How much, and how sure.
        let quality: Quality
        if let cached = statuses.lookup(record[status]) {
            guard let known = cached else {
                reject(record, column: status, .unknownStatus, unknownStatus(record), &aggregator, day: startDay)
                return
            }
            quality = known
        } else {
            let parsed = Self.quality(record.string(status))
            statuses.insert(record[status], parsed)
            guard let parsed else {
                reject(record, column: status, .unknownStatus, unknownStatus(record), &aggregator, day: startDay)
                return
            }
            quality = parsed
        }
        let volumeBytes = record[volume]
        var value = 0.0
        var rowQuality = quality
        if quality == .missing || FieldParsing.isBlank(volumeBytes) {
            rowQuality = .missing
        } else {
            guard let parsed = FieldParsing.decimal(volumeBytes, decimalMark: UInt8(ascii: ","))
                ?? Self.pointDecimal(volumeBytes) else {
                reject(record, column: volume, .notANumber,
                    "\"\(record.string(volume))\" is not a number", &aggregator, day: startDay)
                return
            }
            value = parsed
        }
        if isVolume {
            sawVolume = true
            // The twin of the kWh row just added, or held until the next row says whether its kWh twin follows.
            if lastEnergy.series == seriesID, lastEnergy.start == startUTC {
                aggregator.ignore(.gasM3Twin)
                return
            }
            flushPendingVolume(&aggregator)
            pendingVolume = PendingVolume(series: seriesID, start: startUTC, length: Int32(length), value: value,
                                          quality: rowQuality, line: record.line, day: startDay)
            pendingRaw.removeAll(keepingCapacity: true)
            pendingRaw.append(contentsOf: record.raw)
            return
        }
        if quantity == .gas {
            if let pending = pendingVolume, pending.series == seriesID, pending.start == startUTC {
                pendingVolume = nil
                aggregator.ignore(.gasM3Twin)
            }
            lastEnergy = (seriesID, startUTC)
        }
        flushPendingVolume(&aggregator)
        aggregator.add(series: seriesID, startUTC: startUTC, intervalSeconds: Int32(length), value: value,
                       quality: rowQuality)
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        flushPendingVolume(&aggregator)
    }

    /// An m³ row without its kWh twin: converted with `kwh_per_m3`, or rejected saying to add it.
    private mutating func flushPendingVolume(_ aggregator: inout FileAggregator) {
        guard let pending = pendingVolume else { return }
        pendingVolume = nil
        let line = aggregator.line
        defer { aggregator.line = line }
        aggregator.line = pending.line
        if pending.quality == .missing || pending.value == 0 {  // no gas, or none used: 0 kWh without any factor
            aggregator.add(series: pending.series, startUTC: pending.start, intervalSeconds: pending.length, value: 0,
                           quality: pending.quality)
            return
        }
        guard let kwhPerM3 else {
            let raw = String(decoding: pendingRaw.prefix(4096), as: UTF8.self)
            aggregator.reject(line: pending.line, column: columnName(unit), code: .unitDoesNotFit,
                reason: "gas in m³ without its kWh row: add `kwh_per_m3: <value from the bill>` (the gross calorific "
                    + "value in kWh/m³ on the gas bill) to \(sourceName) in the pipeline YAML, so that the m³ are "
                    + "converted to kWh", raw: raw, site: site, day: pending.day)
            return
        }
        aggregator.add(series: pending.series, startUTC: pending.start, intervalSeconds: pending.length,
                       value: pending.value * kwhPerM3, quality: pending.quality)
    }

    private func unknownStatus(_ record: CSVRecord) -> String {
        "unknown validation status \"\(record.string(status))\"; known: Gevalideerd, Uitgelezen, Geschat, "
            + "Onvolledig, Geen verbruik, Read, Validated, Estimated, Incomplete, No consumption"
    }

    /// A volume written with a decimal point (an export re-saved by Excel in an English locale).
    static func pointDecimal(_ bytes: UnsafeRawBufferPointer) -> Double? {
        bytes.contains(UInt8(ascii: ",")) ? nil : FieldParsing.decimal(bytes, decimalMark: UInt8(ascii: "."))
    }

    private mutating func reject(
        _ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String,
            _ aggregator: inout FileAggregator, day: Int? = nil
    ) {
        aggregator.reject(line: record.line, column: columnName(column), code: code,
            reason: reason, raw: record.rawText(),
                          site: site, day: day ?? TimeParsing.day(record[fromDate]))
    }

    private mutating func classifyRegister(_ record: CSVRecord) -> RegisterKind {
        let text = normalisedHeader(record.string(register))
        let kind: RegisterKind
        if ["capacitief", "inductief", "capacitive", "inductive", "reactief", "reactive"].contains(where: text.contains) {
            kind = .reactive
        } else if text.hasPrefix("piek") || text.hasPrefix("peak") {
            kind = .peak
        } else if text.hasPrefix("afname") || text.hasPrefix("offtake") {
            kind = .offtake
        } else if text.hasPrefix("injectie") || text.hasPrefix("injection") {
            kind = .injection
        } else {
            kind = .unknown
        }
        if kind != .unknown { registers.insert(record[register], kind) }
        return kind
    }

    private mutating func classifyUnit(_ record: CSVRecord) -> UnitKind {
        let text = record.string(unit).trimmingSpaces.lowercased()
        let kind: UnitKind
        switch text {
        case "kwh": kind = .kilowattHour
        case "m³", "m3": kind = .cubicMetre
        case "kvarh", "kvar": kind = .reactive
        case "kw": kind = .kilowatt
        default: kind = .unknown
        }
        if kind != .unknown { units.insert(record[unit], kind) }
        return kind
    }

    /// nil for a status the reader does not know (the row is rejected rather than guessed).
    static func quality(_ status: String) -> Quality? {
        switch normalisedHeader(status) {
        case "gevalideerd", "uitgelezen", "gemeten", "read", "validated", "measured", "real": return .measured
        case "geschat", "estimated": return .estimated
        // An incomplete period (month totals: the first month of a connection, the running month): the value is
        // real but covers an unstated part of the period, so it is flagged rather than counted as a measured period.
        case "onvolledig", "onvolledige periode", "incomplete", "incomplete period": return .estimated
        case "geen verbruik", "no consumption", "": return .missing
        default: return nil
        }
    }

    /// An EAN a spreadsheet turned into a number: `5,41449E+17` / `5.41449E+17`, or 18 digits rounded to 15
    /// significant ones (`541448820052632000`) that fail the EAN's check digit (GS1 mod 10).
    static func isDestroyedEAN(_ ean: String) -> Bool {
        let bytes = Array(ean.utf8)
        if bytes.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }),
           bytes.contains(UInt8(ascii: "+")), bytes.first.map({ $0 &- 0x30 < 10 }) == true {
            return true
        }
        guard bytes.count == 18, bytes.allSatisfy({ $0 &- 0x30 < 10 }), bytes.suffix(3).allSatisfy({ $0 == 0x30 })
        else { return false }
        let digits = bytes.map { Int($0 - 0x30) }
        var sum = 0
        for (position, digit) in digits.dropLast().reversed().enumerated() {
            sum += digit * (position % 2 == 0 ? 3 : 1)
        }
        return (10 - sum % 10) % 10 != digits[17]
    }

    /// `="541448820052632233"` or `=5414...` → `541448820052632233`.
    static func cleanEAN(_ text: String) -> String {
        var value = text.trimmingSpaces
        if value.hasPrefix("=") { value.removeFirst() }
        value.removeAll { $0 == "\"" }
        return value.trimmingSpaces
    }
}
