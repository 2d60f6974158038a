import CSVReading

/// Fluvius consumption-history exports (quarter-hour electricity, hourly gas, day totals), Dutch and English.
///
/// Read by header names (three header generations plus the reordered day-total layout), in local Belgian time:
/// the autumn repeated hour is resolved first pass = summer time (the `02:45 → 02:00` and gas `02:00 → 02:00` rows
/// say so explicitly; otherwise the first occurrence per series is summer time), the spring gap is rejected.
///
/// Dates are fixed by the exporter: day first, `dd-MM-yyyy` or `dd/MM/yyyy` (`yyyy-MM-dd` is read too). A source's
/// `date_format` is refused when the pipeline is loaded rather than silently ignored.
struct FluviusFormat: RowFormat {
    static let dateFormatSupport = DateFormatSupport.fixed(
        "Fluvius writes its dates day first (dd-MM-yyyy or dd/MM/yyyy), fixed by the exporter")
    let columnNames: [String]
    let fromDate: Int, fromTime: Int?, toDate: Int?, toTime: Int?
    let ean: Int, register: Int, volume: Int, unit: Int, status: Int
    let isGas: Bool
    let site: String

    private var registers = ByteKeyCache<RegisterKind>()
    private var statuses = ByteKeyCache<Quality?>()
    private var units = ByteKeyCache<UnitKind>()
    /// Series by the EAN field's bytes and the row's quantity: an EAN's offtake and injection rows alternate, so the
    /// quantity is part of the key (cleaning and interning the EAN once per series, not once per row).
    private var series = ByteKeyCache<(id: Int32, quantity: Quantity)>()
    /// Resolves the autumn repeated hour per series (first occurrence = summer time).
    private var resolver: LocalInstantResolver
    private var fromDays = DayCache()
    private var toDays = DayCache()

    enum RegisterKind { case offtake, injection, reactive, peak, unknown }

    static var readsInChunks: Bool { true }
    var valueColumnIndex: Int? { volume }
    func orderDependentKeys(_ seriesKeys: [SeriesKey]) -> Set<String> { resolver.resolvedKeys(seriesKeys) }
    enum UnitKind { case kilowattHour, cubicMetre, reactive, kilowatt, unknown }

    static let headerAliases: [String: [String]] = [
        "fromDate": ["van datum", "van (datum)", "from (date)", "from date"],
        "fromTime": ["van tijdstip", "van (tijdstip)", "from (time)", "from time"],
        "toDate": ["tot datum", "tot (datum)", "until (date)", "to (date)", "until date"],
        "toTime": ["tot tijdstip", "tot (tijdstip)", "until (time)", "to (time)", "until time"],
        "ean": ["ean", "ean-code", "ean code"],
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
            unit: index("unit")!, status: index("status")!, isGas: isGas, site: site,
            resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        let unitName = columnNames[unit].trimmingSpaces
        return columnMapping(columnNames, [
            ([fromDate, fromTime], "interval start, local time"),
            ([toDate, toTime], "interval end, local time"),
            ([ean], "meter: one series per EAN"),
            ([register], isGas ? "quantity: gas (the offtake register)"
                : "quantity: electricity_offtake or electricity_injection (day and night registers merged)"),
            ([volume], "value, kWh (rows whose \(unitName) is m³, kVArh or kW are ignored)"),
            ([unit], "unit: selects the kWh rows"),
            ([status], "quality: measured, estimated, or missing (no consumption)"),
        ])
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }

        // What the row measures.
        let unitKind = units.lookup(record[unit]) ?? classifyUnit(record)
        let registerKind = registers.lookup(record[register]) ?? classifyRegister(record)
        switch (registerKind, unitKind) {
        case (_, .cubicMetre):
            aggregator.ignore(.gasM3Twin)
            return
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
        let quantity: Quantity = unitKind == .kilowatt ? .electricityPeak
            : registerKind == .injection ? .electricityInjection : (isGas ? .gas : .electricityOfftake)

        // When.
        guard let startDay = fromDays.day(record[fromDate]) else {
            reject(record, column: fromDate, .notADate,
                "\"\(record.string(fromDate))\" is not a date (dd-MM-yyyy)", &aggregator)
            return
        }
        var startSeconds = 0
        if let fromTime {
            guard let seconds = TimeParsing.timeOfDay(record[fromTime]), seconds < 86_400 else {
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
            guard let endDay = toDays.day(record[toDate]) else {
                reject(record, column: toDate, .notADate,
                    "\"\(record.string(toDate))\" is not a date (dd-MM-yyyy)", &aggregator,
                       day: startDay)
                return
            }
            var endSeconds = 0
            if let toTime {
                guard let seconds = TimeParsing.timeOfDay(record[toTime]) else {
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
        if length >= 86_400, length % 86_400 == 0 {
            // Whole local days: their real length differs on clock-change days (23 h / 25 h).
            length = Int64(aggregator.table.startOfDay(startDay + Int(length / 86_400))
                - aggregator.table.startOfDay(startDay))
        }

        // Which series.
        let seriesID: Int32
        let eanBytes = record[ean]
        if let cached = series.lookup(eanBytes, where: { $0.quantity == quantity }) {
            seriesID = cached.id
        } else {
            let meter = Self.cleanEAN(record.string(ean))
            guard !meter.isEmpty else {
                reject(record, column: ean, .emptyMeterID, "the EAN is empty", &aggregator, day: startDay)
                return
            }
            seriesID = aggregator.intern(SeriesKey(site: site, quantity: quantity, meter: meter))
            series.insert(eanBytes, (seriesID, quantity))
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
        if quality == .missing || FieldParsing.isBlank(volumeBytes) {
            aggregator.add(series: seriesID, startUTC: startUTC, intervalSeconds: Int32(length), value: 0,
                           quality: .missing)
            return
        }
        guard let value = FieldParsing.decimal(volumeBytes, decimalMark: UInt8(ascii: ","))
            ?? Self.pointDecimal(volumeBytes) else {
            reject(record, column: volume, .notANumber,
                "\"\(record.string(volume))\" is not a number", &aggregator, day: startDay)
            return
        }
        aggregator.add(series: seriesID, startUTC: startUTC, intervalSeconds: Int32(length), value: value,
                       quality: quality)
    }

    private func unknownStatus(_ record: CSVRecord) -> String {
        "unknown validation status \"\(record.string(status))\"; known: Gevalideerd, Uitgelezen, Geschat, "
            + "Geen verbruik, Read, Validated, Estimated, No consumption"
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
        case "geen verbruik", "no consumption", "": return .missing
        default: return nil
        }
    }

    /// `="541448820052632233"` or `=5414...` → `541448820052632233`.
    static func cleanEAN(_ text: String) -> String {
        var value = text.trimmingSpaces
        if value.hasPrefix("=") { value.removeFirst() }
        value.removeAll { $0 == "\"" }
        return value.trimmingSpaces
    }
}
