import CSVReading

/// `meter-readings`: register readings written down by hand or by a meter-reading app (EnergyControl, ...):
/// a cumulative register (m³ by default) at irregular times, often with title lines before the header and
/// credits after the data.
///
/// ```
/// Wasser;19.09.24;            ← preamble (skipped, counted)
/// ;;                          ← blank-ish line (skipped, counted)
/// Datum;Zeit;Zählerstand      ← header: date, optional time, reading (Dutch, English, German, French names)
/// 29.10.22;11:39;381,000      ← local time of the pilot (or the source's `timezone`)
/// ...
/// Created with EnergyControl v1.4.2(#923);;   ← footer: text after the last reading (ignored, counted)
/// ```
///
/// Policies:
/// - What the register measures comes from the source: `quantity` (default `water`) and `unit` (default the
///   unit in the header name, like `Stand (m³)`, else the quantity's canonical unit), converted with
///   `MeasurementUnit.factor(to:)`.
/// - Consumption between two consecutive readings is their difference, spread over the local days between them in
///   proportion to time (`FileAggregator.addSpread`): a reading on 31 Jan 18:00 and one on 1 Feb 06:00 put half of
///   the difference on each day (and month). Long gaps are spread too, as estimated and not covered
///   (`RegisterGap`): the total between the readings is what they say, its place in time is not.
/// - Equal consecutive readings are zero consumption, not missing data.
/// - A reading lower than the previous one (reset, rollover, meter swap) is rejected with both values, no
///   consumption is counted between the two, and differencing restarts from the lower reading: never negative
///   consumption.
/// - A reading whose time is not later than the previous reading's (duplicate, out of order) is rejected.
/// - A date without a time (no time column, or an empty time) is a reading at 00:00 local time.
/// - The date layout is detected from the first reading (day first when both orders fit, `01.02.24`); a source's
///   `date_format` (`MM/dd/yyyy`) replaces the detection.
/// - Text rows (the date field does not start with a digit) after the last reading are footer lines, ignored and
///   counted; between readings they are rejected. Rows whose date starts with a digit are always readings: an
///   unreadable one is rejected, never mistaken for a footer.
/// - Each file is differenced on its own: the consumption between the last reading of one file and the first of
///   the next is not counted (export the full history in one file).
struct MeterReadingsFormat: RowFormat {
    static let dateFormatSupport = DateFormatSupport.layouts

    let columnNames: [String]
    let dateColumn: Int
    let timeColumn: Int?
    let valueColumn: Int
    var valueColumnIndex: Int? { valueColumn }
    let quantity: Quantity
    let unit: MeasurementUnit
    /// Multiplier from the file's unit to the quantity's canonical unit.
    let factor: Double
    let decimalMark: UInt8
    let site: String

    private var layout: DateTimeLayout?
    /// Whether `layout` is the source's `date_format`.
    let layoutForced: Bool
    private var series: Int32 = -1
    private var resolver: LocalInstantResolver
    private var register = CumulativeRegister()
    /// The reading that starts the current difference chain and whose row is not counted yet.
    private var chainStartUncounted = false
    private var previousLine = 0
    private var previousValue = 0.0
    /// Text rows seen since the last reading: rejects if another reading follows, footer lines otherwise.
    private var pendingText: [(line: Int, raw: String)] = []
    private static let pendingLimit = 200

    static let ignoredBlank = IgnoreCode.emptyRow
    static let ignoredFooter = IgnoreCode.footer
    static let ignoredChainStart = IgnoreCode.chainStart
    static let ignoredRepeatedHeader = IgnoreCode.repeatedHeader

    // MARK: Header

    /// Header names by role, normalised (lower case, single spaces), without a unit suffix like ` (m³)`.
    static let dateNames: Set<String> = ["datum", "date", "dag", "tag", "jour", "day",
                                         // a single date-and-time column
                                         "datum/tijd", "datum tijd", "datum en tijd", "tijdstempel",
                                         "date/time", "date time", "date and time", "datetime", "timestamp",
                                         "datum/zeit", "datum/uhrzeit", "datum uhrzeit", "datum und uhrzeit",
                                         "zeitpunkt", "zeitstempel",
                                         "date/heure", "date et heure", "date heure", "horodatage"]
    static let timeNames: Set<String> = ["tijd", "tijdstip", "uur", "time", "zeit", "uhrzeit", "heure"]
    static let readingNames: Set<String> = ["meterstand", "stand", "tellerstand", "index", "meter index",
                                            "reading", "meter reading", "value",
                                            "zählerstand", "zaehlerstand", "zählerwert", "wert",
                                            "relevé", "releve", "index compteur", "relevé compteur", "valeur",
                                            "waarde"]
    static let commentNames: Set<String> = ["opmerking", "opmerkingen", "notitie", "comment", "comments", "note",
                                            "notes", "notiz", "kommentar", "bemerkung", "remarque", "commentaire"]

    static let expectedHeader = "a date column (Datum/Date/Tag/Jour), an optional time column "
        + "(Tijd/Time/Zeit/Heure) and a reading column (Meterstand/Stand/Reading/Index/Zählerstand/Relevé/Value), "
        + "e.g. Datum;Zeit;Zählerstand"

    struct HeaderRoles {
        var date: Int?
        var time: Int?
        var reading: Int?
        var headerUnit: MeasurementUnit?
        /// Every non-blank name has a known role.
        var allKnown = true
    }

    /// `Zählerstand (m³)` → (`zählerstand`, m³).
    static func splitUnit(_ name: String) -> (name: String, unit: MeasurementUnit?) {
        let text = normalisedHeader(name)
        for (open, close) in [("(", ")"), ("[", "]")] where text.hasSuffix(close) {
            if let openIndex = text.lastIndex(of: Character(open)) {
                let inner = String(text[text.index(after: openIndex)..<text.index(before: text.endIndex)])
                let base = normalisedHeader(String(text[..<openIndex]))
                return (base, MeasurementUnit(spelling: inner))
            }
        }
        return (text, nil)
    }

    static func roles(_ names: [String]) -> HeaderRoles {
        var roles = HeaderRoles()
        for (index, raw) in names.enumerated() {
            let (name, unit) = splitUnit(raw)
            if name.isEmpty { continue }
            if roles.date == nil, dateNames.contains(name) {
                roles.date = index
            } else if roles.time == nil, timeNames.contains(name) {
                roles.time = index
            } else if roles.reading == nil, readingNames.contains(name) {
                roles.reading = index
                roles.headerUnit = unit
            } else if !commentNames.contains(name) {
                roles.allKnown = false
            }
        }
        return roles
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<MeterReadingsFormat> {
        let names = header.strings
        let found = roles(names)
        guard let date = found.date, let reading = found.reading else {
            if let first = names.first, startsWithDigit(first), DateTimeLayout.detect([first]) != nil {
                let delimiter = String(UnicodeScalar(context.dialect.delimiter))
                return .mismatch(HeaderMismatch(message: "a reading row came before any header; expected "
                    + "\(expectedHeader), found: \(names.joined(separator: delimiter))"))
            }
            return .preamble  // a title line (`Wasser;19.09.24;`), a blank-ish `;;` line, ...
        }
        guard let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "the source has no `site:`; meter readings do not name their "
                + "site"))
        }
        let quantity = context.source.quantity ?? .water
        guard quantity.isAdditive else {
            return .mismatch(HeaderMismatch(message: "quantity \(quantity.rawValue) is not a cumulative register; "
                + "meter-readings reads registers of water, gas, electricity or counts"))
        }
        if let yamlUnit = context.source.unit, let headerUnit = found.headerUnit, yamlUnit != headerUnit {
            return .mismatch(HeaderMismatch(message: "the source says `unit: \(yamlUnit.rawValue)` but the column "
                + "\"\(names[reading])\" says \(headerUnit.rawValue); fix one of them"))
        }
        let unit = context.source.unit ?? found.headerUnit ?? quantity.canonicalUnit
        guard let factor = unit.factor(to: quantity) else {
            return .mismatch(HeaderMismatch(message: "unit \(unit.rawValue) does not fit quantity \(quantity.rawValue) "
                + "(expected \(quantity.canonicalUnit.rawValue) or a unit of the same kind); set `quantity:` and "
                + "`unit:` of the source"))
        }
        return .format(MeterReadingsFormat(
            columnNames: names, dateColumn: date, timeColumn: found.time, valueColumn: reading, quantity: quantity,
            unit: unit, factor: factor, decimalMark: context.dialect.decimalMark, site: site,
            layout: context.forcedLayout, layoutForced: context.forcedLayout != nil,
            resolver: LocalInstantResolver(table: context.table)))
    }

    var mapping: [ColumnRole] {
        columnMapping(columnNames, [
            ([dateColumn, timeColumn], "reading time, local time (\(layoutNote(layout, forced: layoutForced)))"),
            ([valueColumn], "\(quantity.rawValue) (cumulative register in \(unit.rawValue), differenced, spread over "
                + "the days by time)"),
        ])
    }

    // MARK: Detection

    /// A header with a date and a reading column (every name known), after any preamble, followed by readings
    /// that parse and never decrease in the first rows (interval values go up and down; a register does not).
    static func detect(_ records: [[String]]) -> Bool {
        for (index, names) in records.enumerated() {
            let found = roles(names)
            guard let date = found.date, let reading = found.reading, found.allKnown else { continue }
            var layout: DateTimeLayout?
            var previous = -Double.infinity
            var readings = 0
            for row in records[(index + 1)...] {
                if row.allSatisfy({ $0.trimmingSpaces.isEmpty }) { continue }
                guard row.count > max(date, reading), startsWithDigit(row[date]) else { break }  // footer
                if layout == nil { layout = DateTimeLayout.detect([row[date]])?.layout }
                guard let layout,
                      Array(row[date].utf8).withUnsafeBytes({ layout.parse($0) }) != nil,
                      let value = Array(row[reading].utf8).withUnsafeBytes({ bytes in
                          RegisterNumber.parse(bytes, decimalMark: UInt8(ascii: ","))
                              ?? RegisterNumber.parse(bytes, decimalMark: UInt8(ascii: "."))
                      }),
                      value >= previous else { return false }
                previous = value
                readings += 1
            }
            return readings > 0
        }
        return false
    }

    static func startsWithDigit(_ text: String) -> Bool {
        text.utf8.first { $0 != 0x20 }.map { $0 &- 0x30 < 10 } ?? false
    }

    // MARK: Rows

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(Self.ignoredBlank)
            return
        }
        let dateBytes = record[dateColumn]
        guard RegisterNumber.startsWithDigit(dateBytes) else {
            // Text: a footer if no reading follows, else a stray line between readings.
            if Self.isRepeatedHeader(record, columnNames) {
                aggregator.ignore(Self.ignoredRepeatedHeader)
            } else if pendingText.count < Self.pendingLimit {
                pendingText.append((record.line, record.rawText()))
            } else {
                reject(record, column: dateColumn, .unexpectedText, "text where a reading was expected", &aggregator)
            }
            return
        }
        flushPendingText(into: &aggregator)
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }

        // When (local wall clock).
        if layout == nil {
            layout = DateTimeLayout.detect([record.string(dateColumn)])?.layout
        }
        guard let layout, var local = layout.parse(dateBytes) else {
            reject(record, column: dateColumn, .notADate, "\"\(record.string(dateColumn))\" is not a date"
                + (layout.map { layoutForced ? " in the layout \($0) of date_format in the YAML"
                    : " in the file's layout \($0) (from its first reading)" } ?? ""), &aggregator)
            return
        }
        if let timeColumn, !FieldParsing.isBlank(record[timeColumn]) {
            guard let seconds = TimeParsing.timeOfDay(record[timeColumn]) else {
                reject(record, column: timeColumn, .notATime, "\"\(record.string(timeColumn))\" is not a time (HH:mm or HH:mm:ss)",
                       &aggregator, local: local)
                return
            }
            local = local - local % 86_400 + Int64(seconds)
        }

        // How much.
        let valueBytes = record[valueColumn]
        guard !FieldParsing.isBlank(valueBytes) else {
            reject(record, column: valueColumn, .emptyField, "the reading is empty", &aggregator, local: local)
            return
        }
        guard let value = RegisterNumber.parse(valueBytes, decimalMark: decimalMark) else {
            reject(record, column: valueColumn, .notANumber, "\"\(record.string(valueColumn))\" is not a number"
                + (decimalMark == UInt8(ascii: ",") ? " (this file writes decimal commas: 381,5)" : ""),
                   &aggregator, local: local)
            return
        }
        guard value >= 0 else {
            reject(record, column: valueColumn, .negativeValue, "a register reading cannot be negative", &aggregator, local: local)
            return
        }

        if series < 0 {
            series = aggregator.intern(SeriesKey(site: site, quantity: quantity, meter: "meter-readings"))
        }
        let instant: Int64
        switch resolver.resolve(localSeconds: local, series: series) {
        case .instant(let resolved):
            instant = resolved
        case .gap:
            reject(record, column: timeColumn ?? dateColumn, .timeInClockChangeGap, "local time \(record.string(dateColumn))"
                + (timeColumn.map { " " + record.string($0) } ?? "") + " does not exist (clocks moved forward)",
                   &aggregator, local: local)
            return
        }

        switch register.next(series: series, instant: instant, value: value) {
        case .first:
            chainStartUncounted = true
        case .interval(let from, let to, let delta):
            aggregator.addRegisterDifference(series: series, fromUTC: from, toUTC: to, value: delta * factor)
            countChainStart(&aggregator)
        case .decreased(_, let previous, let current):
            reject(record, column: valueColumn, .registerDecreased, RegisterNumber.decreaseReason(
                current: current, previous: previous, previousLine: previousLine, unit: unit,
                decimalMark: decimalMark), &aggregator, local: local)
            countChainStart(&aggregator)
        case .notLater:
            reject(record, column: timeColumn ?? dateColumn, .timeOutOfOrder, "the time is not later than that of the previous reading "
                + "(line \(previousLine)): a duplicate or out-of-order reading", &aggregator, local: local)
            return
        }
        previousLine = record.line
        previousValue = value
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        countChainStart(&aggregator)
        for _ in pendingText { aggregator.ignore(Self.ignoredFooter) }
        pendingText.removeAll()
    }

    private mutating func countChainStart(_ aggregator: inout FileAggregator) {
        if chainStartUncounted {
            aggregator.ignore(Self.ignoredChainStart)
            chainStartUncounted = false
        }
    }

    private mutating func flushPendingText(into aggregator: inout FileAggregator) {
        for text in pendingText {
            aggregator.reject(line: text.line, column: columnName(dateColumn), code: .unexpectedText,
                              reason: "text between readings, not a reading", raw: text.raw, site: site)
        }
        pendingText.removeAll()
    }

    static func isRepeatedHeader(_ record: CSVRecord, _ names: [String]) -> Bool {
        record.fieldCount == names.count && (0..<names.count).allSatisfy { record.string($0) == names[$0] }
    }

    private func reject(_ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String, _ aggregator: inout FileAggregator,
                        local: Int64? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code, reason: reason, raw: record.rawText(),
                          site: site, day: local.map(RegisterNumber.localDay))
    }
}

/// Number parsing and messages shared by the register formats (meter readings, HomeWizard water).
enum RegisterNumber {
    /// A decimal number with the file's decimal mark; thousands groups of the other mark are accepted only in
    /// full groups of three (`1.234,5`, `1.234.567`) when the decimal mark is also present or there are two groups,
    /// so `381.000` in a decimal-comma file is rejected as ambiguous rather than read as 381000 or 381.
    static func parse(_ bytes: UnsafeRawBufferPointer, decimalMark: UInt8) -> Double? {
        if let value = FieldParsing.decimal(bytes, decimalMark: decimalMark) { return value }
        let thousands = decimalMark == UInt8(ascii: ",") ? UInt8(ascii: ".") : UInt8(ascii: ",")
        let field = TimeParsing.trimmed(bytes)
        guard field.contains(thousands) else { return nil }
        // Validate the grouping: d{1,3}(Tddd)+ then optionally the decimal part.
        let integerEnd = field.firstIndex(of: decimalMark) ?? field.count
        var start = 0
        if start < integerEnd, field[start] == UInt8(ascii: "-") || field[start] == UInt8(ascii: "+") { start += 1 }
        let groups = UnsafeRawBufferPointer(rebasing: field[start..<integerEnd]).split(separator: thousands,
                                                                                       omittingEmptySubsequences: false)
        guard groups.count >= 2, (1...3).contains(groups[0].count),
              groups.dropFirst().allSatisfy({ $0.count == 3 }),
              groups.allSatisfy({ $0.allSatisfy { $0 &- 0x30 < 10 } }) else { return nil }
        let hasDecimal = integerEnd < field.count
        guard hasDecimal || groups.count >= 3 else { return nil }  // `381.000` alone is ambiguous
        var copy: [UInt8] = []
        copy.reserveCapacity(field.count)
        for byte in field where byte != thousands { copy.append(byte) }
        return copy.withUnsafeBytes { FieldParsing.decimal($0, decimalMark: decimalMark) }
    }

    /// The local day number of local wall-clock seconds.
    static func localDay(_ local: Int64) -> Int {
        Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    @inline(__always)
    static func startsWithDigit(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte != 0x20 { return byte &- 0x30 < 10 }
        return false
    }

    /// `522.94`, `390`, with the file's decimal mark.
    static func text(_ value: Double, decimalMark: UInt8) -> String {
        var text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        if decimalMark == UInt8(ascii: ",") { text = String(text.map { $0 == "." ? "," : $0 }) }
        return text
    }

    /// The reject reason of a register that went down.
    static func decreaseReason(current: Double, previous: Double, previousLine: Int, unit: MeasurementUnit,
                               decimalMark: UInt8) -> String {
        "the reading \(text(current, decimalMark: decimalMark)) \(unit.rawValue) is lower than the previous reading "
            + "\(text(previous, decimalMark: decimalMark)) \(unit.rawValue) (line \(previousLine)): a meter reset, "
            + "rollover or replacement; no consumption is counted between these two readings and the differences "
            + "restart from this reading"
    }
}
