import CSVReading
import ParkImpactModel
import ParkImpactDefinition

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
/// - Readings in any row order (`RegisterOrder`): a file written newest first (supplier readings) is held and
///   sorted by time before it is differenced. Two readings at the same time: the same value is `duplicate_interval`
///   (counted once), another value `conflicting_interval` (the first counts); a reading that goes back inside the
///   span already differenced is rejected (`time_out_of_order`), one before or after it is placed in time order.
/// - A supplier's readings with several registers (`OpnameDatum;StandNormaal;StandDal;TerugleveringNormaal;
///   TerugleveringDal`, see `registerQuantity`) are electricity (kWh unless the header or `unit:` says otherwise):
///   each register is its own series (meter `meter-readings/<column>`) and differenced on its own; normal and low
///   tariff registers are offtake, return registers injection.
/// - Gas read in m³ (`quantity: gas, unit: m3`) is converted with the source's `kwh_per_m3` (`RegisterUnits`);
///   without it the file is refused with that fix.
/// - A date without a time (no time column, or an empty time) is a reading at 00:00 local time.
/// - The date layout is detected from the first reading (day first when both orders fit, `01.02.24`); a source's
///   `date_format` (`MM/dd/yyyy`) replaces the detection.
/// - Text rows (the date field does not start with a digit) after the last reading are footer lines, ignored and
///   counted; between readings they are rejected. Rows whose date starts with a digit are always readings: an
///   unreadable one is rejected, never mistaken for a footer.
/// - Each file is differenced on its own: the consumption between the last reading of one file and the first of
///   the next is not counted (export the full history in one file).
struct MeterReadingsFormat: RowFormat {

    let columnNames: [String]
    let dateColumn: Int
    let timeColumn: Int?
    /// The register columns: one (`Zählerstand`), or a supplier's several (normal and low tariff, offtake and
    /// injection), each differenced on its own.
    private(set) var registers: [Register]
    /// The register values of the row being read (kept: no allocation per row).
    private var rowValues: [(register: Int, value: Double)] = []
    var valueColumnIndex: Int? { registers.count == 1 ? registers[0].column : nil }
    let decimalMark: UInt8
    let site: String

    /// One register column: what it measures, in which unit, and its series (interned on first use).
    struct Register {
        let column: Int
        let quantity: Quantity
        let unit: MeasurementUnit
        /// Multiplier from the file's unit to the quantity's canonical unit.
        let factor: Double
        /// The series' meter name: `meter-readings`, or `meter-readings/<column>` for one of several registers.
        let meter: String
        var series: Int32 = -1
    }

    private var layout: DateTimeLayout?
    /// Whether `layout` is the source's `date_format`.
    let layoutForced: Bool
    private var resolver: LocalInstantResolver
    private var differencer: RegisterDifferencer
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
                                         "opnamedatum", "opname datum", "datum opname", "ablesedatum",
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
        /// Registers of a supplier's readings with several (`StandNormaal`, `TerugleveringDal`): column, what it
        /// measures, the unit in its name.
        var directed: [(column: Int, quantity: Quantity, unit: MeasurementUnit?)] = []
        /// Every non-blank name has a known role.
        var allKnown = true
        /// Columns a supplier derives from its registers (use per period, net totals: `afname verbruik dal`,
        /// `afname minus invoeding stand totaal`): known, not read (the registers give the use).
        var derived: [Int] = []
    }

    /// What a register column of a supplier's readings with several registers measures, from its name (lower case,
    /// without its unit): electricity injection when it names return delivery (`teruglevering`, `invoeding`,
    /// `injectie`, `Einspeisung`, `export`) with a register or tariff word; electricity offtake when it names a
    /// register (`stand`, `index`, `Zählerstand`, `reading`, `relevé`) or offtake (`afname`, `levering`, `Bezug`,
    /// `import`) with a tariff (`normaal`, `dal`, `hoog`, `laag`, `piek`, `dag`, `nacht`, `T1`, `T2`, `HT`, `NT`,
    /// `tarief`, `normal`, `high`, `low`, `peak`, `HP`, `HC`). Return: also `return`, `feed-in`. Names of derived or
    /// per-period columns (`verbruik`, `productie`, `minus`, `totaal`, `netto`) are none: `Stand normaal` yes, `afname verbruik
    /// dal` and `afname minus invoeding stand totaal` no.
    static func registerQuantity(_ name: String) -> Quantity? {
        let compact = String(name.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "." })
        func has(_ words: [String]) -> Bool { words.contains { compact.contains($0) } }
        if isDerived(name) { return nil }
        let tariff = has(["normaal", "dal", "hoog", "laag", "piek", "dag", "nacht", "tarief", "tarif", "t1", "t2",
                          "normal", "high", "low", "peak", "night", "pleine", "creuse"])
            || ["ht", "nt", "hp", "hc"].contains { compact.hasSuffix($0) }
        let register = has(["stand", "index", "zähler", "zaehler", "teller", "reading", "relevé", "releve"])
        if has(["teruglever", "invoeding", "injectie", "injection", "einspeis", "export", "return", "feedin"]) {
            return register || tariff ? .electricityInjection : nil
        }
        if tariff, register || has(["afname", "levering", "bezug", "import"]) { return .electricityOfftake }
        return nil
    }

    /// A column of use per period or a net total beside the registers (`afname verbruik dal`, `saldo`).
    static func isDerived(_ name: String) -> Bool {
        let compact = String(name.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "." })
        return ["verbruik", "productie", "production", "minus", "totaal", "total", "netto", "saldo", "consumption",
                "usage", "verbrauch"].contains { compact.contains($0) }
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
            } else if let quantity = registerQuantity(name) {
                roles.directed.append((index, quantity, unit))
            } else if isDerived(name) {
                roles.derived.append(index)
            } else if !commentNames.contains(name) {
                roles.allKnown = false
            }
        }
        return roles
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<MeterReadingsFormat> {
        let names = header.strings
        let found = roles(names)
        guard let date = found.date, found.reading != nil || !found.directed.isEmpty else {
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
        var registers: [Register] = []
        if let reading = found.reading, found.directed.isEmpty {
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
            guard let factor = RegisterUnits.factor(unit, to: quantity, kwhPerM3: context.source.kwhPerM3) else {
                return .mismatch(HeaderMismatch(message: unitMismatch(unit, quantity)))
            }
            registers = [Register(column: reading, quantity: quantity, unit: unit, factor: factor,
                                  meter: "meter-readings")]
        } else {
            // A supplier's readings with several registers: electricity, each register its own series.
            if let quantity = context.source.quantity, quantity != .electricityOfftake,
               quantity != .electricityInjection {
                return .mismatch(HeaderMismatch(message: "the columns "
                    + found.directed.map { "\"\(names[$0.column])\"" }.joined(separator: ", ")
                    + " are electricity registers (normal and low tariff, offtake and injection), but the source says "
                    + "`quantity: \(quantity.rawValue)`; leave `quantity:` out"))
            }
            for register in found.directed {
                if let yamlUnit = context.source.unit, let headerUnit = register.unit, yamlUnit != headerUnit {
                    return .mismatch(HeaderMismatch(message: "the source says `unit: \(yamlUnit.rawValue)` but the "
                        + "column \"\(names[register.column])\" says \(headerUnit.rawValue); fix one of them"))
                }
                let unit = context.source.unit ?? register.unit ?? register.quantity.canonicalUnit
                guard let factor = RegisterUnits.factor(unit, to: register.quantity, kwhPerM3: nil) else {
                    return .mismatch(HeaderMismatch(message: unitMismatch(unit, register.quantity)))
                }
                registers.append(Register(column: register.column, quantity: register.quantity, unit: unit,
                                          factor: factor,
                                          meter: "meter-readings/" + names[register.column].trimmingSpaces))
            }
        }
        return .format(MeterReadingsFormat(
            columnNames: names, dateColumn: date, timeColumn: found.time, registers: registers,
            decimalMark: context.dialect.decimalMark, site: site, layout: context.forcedLayout,
            layoutForced: context.forcedLayout != nil, resolver: LocalInstantResolver(table: context.table),
            differencer: RegisterDifferencer(wording: .readings(decimalMark: context.dialect.decimalMark),
                                             countsChainStart: true)))
    }

    static func unitMismatch(_ unit: MeasurementUnit, _ quantity: Quantity) -> String {
        if quantity == .gas, unit == .cubicMetre {
            return "gas in m³ needs the gross calorific value to become kWh: add `kwh_per_m3:` to the source (the "
                + "value on the gas bill or the grid operator's site, e.g. `kwh_per_m3: 11.2`)"
        }
        return "unit \(unit.rawValue) does not fit quantity \(quantity.rawValue) "
            + "(expected \(quantity.canonicalUnit.rawValue) or a unit of the same kind); set `quantity:` and "
            + "`unit:` of the source"
    }

    var mapping: [ColumnRole] {
        var roles: [(columns: [Int?], role: String)] = [
            ([dateColumn, timeColumn], "reading time, local time (\(layoutNote(layout, forced: layoutForced)))"),
        ]
        for register in registers {
            let conversion = register.quantity == .gas && register.unit == .cubicMetre
                ? "in m³, × \(MachineNumber.format(register.factor, decimals: 3)) kWh/m³ (kwh_per_m3)" : "in \(register.unit.rawValue)"
            roles.append(([register.column], "\(register.quantity.rawValue) (cumulative register \(conversion), "
                + "differenced, spread over the days by time)"))
        }
        return columnMapping(columnNames, roles)
    }

    // MARK: Detection

    /// A header with a date and a reading column, or several registers of a supplier's readings (every name
    /// known), after any preamble, followed by readings that parse and, per register, never decrease in time order
    /// in the first rows (oldest or newest first; interval values go up and down, a register does not).
    static func detect(_ records: [[String]]) -> Bool {
        for (index, names) in records.enumerated() {
            let found = roles(names)
            // Derived columns only beside registers of several directions (a supplier's readings).
            guard let date = found.date, found.allKnown, found.derived.isEmpty || !found.directed.isEmpty else { continue }
            let columns = found.directed.isEmpty ? found.reading.map { [$0] } ?? [] : found.directed.map(\.column)
            guard !columns.isEmpty else { continue }
            var layout: DateTimeLayout?
            var previous: [(instant: Int64, value: Double)?] = Array(repeating: nil, count: columns.count)
            var readings = 0
            for row in records[(index + 1)...] {
                if row.allSatisfy({ $0.trimmingSpaces.isEmpty }) { continue }
                guard row.count > max(date, columns.max()!), startsWithDigit(row[date]) else { break }  // footer
                if layout == nil { layout = DateTimeLayout.detect([row[date]])?.layout }
                guard let layout,
                      let instant = Array(row[date].utf8).withUnsafeBytes({ layout.parse($0) }) else { return false }
                for (position, column) in columns.enumerated() {
                    guard let value = Array(row[column].utf8).withUnsafeBytes({ bytes in
                        RegisterNumber.parse(bytes, decimalMark: UInt8(ascii: ","))
                            ?? RegisterNumber.parse(bytes, decimalMark: UInt8(ascii: "."))
                    }) else { return false }
                    if let last = previous[position] {
                        // A register: the later reading is not lower, whichever comes first in the file.
                        if instant > last.instant, value < last.value { return false }
                        if instant < last.instant, value > last.value { return false }
                    }
                    previous[position] = (instant, value)
                }
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

        // How much, per register.
        let timeName = columnName(timeColumn ?? dateColumn)
        var values = rowValues
        values.removeAll(keepingCapacity: true)
        defer { rowValues = values }
        for (position, register) in registers.enumerated() {
            let valueBytes = record[register.column]
            guard !FieldParsing.isBlank(valueBytes) else {
                reject(record, column: register.column, .emptyField, "the reading is empty", &aggregator, local: local)
                continue
            }
            guard let value = RegisterNumber.parse(valueBytes, decimalMark: decimalMark) else {
                reject(record, column: register.column, .notANumber,
                       "\"\(record.string(register.column))\" is not a number"
                    + (decimalMark == UInt8(ascii: ",") ? " (this file writes decimal commas: 381,5)" : ""),
                       &aggregator, local: local)
                continue
            }
            guard value >= 0 else {
                reject(record, column: register.column, .negativeValue, "a register reading cannot be negative",
                       &aggregator, local: local)
                continue
            }
            if registers[position].series < 0 {
                registers[position].series = aggregator.intern(SeriesKey(site: site, quantity: register.quantity,
                                                                         meter: register.meter))
            }
            values.append((position, value))
        }
        guard let firstValue = values.first else { return }
        let instant: Int64
        switch resolver.resolve(localSeconds: local, series: registers[firstValue.register].series) {
        case .instant(let resolved):
            instant = resolved
        case .gap:
            reject(record, column: timeColumn ?? dateColumn, .timeInClockChangeGap, "local time \(record.string(dateColumn))"
                + (timeColumn.map { " " + record.string($0) } ?? "") + " does not exist (clocks moved forward)",
                   &aggregator, local: local)
            return
        }
        for (position, value) in values {
            let register = registers[position]
            let valueName = columnName(register.column)
            differencer.read(series: register.series, column: {
                .init(value: valueName, time: timeName, unit: register.unit, factor: register.factor)
            }, site: site, instant: instant, value: value, line: record.line, day: { RegisterNumber.localDay(local) },
                raw: RowText(record), into: &aggregator)
        }
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        differencer.finish(into: &aggregator)
        for _ in pendingText { aggregator.ignore(Self.ignoredFooter) }
        pendingText.removeAll()
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
