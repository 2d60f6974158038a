import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `homewizard-energy`: the HomeWizard Energy app's CSV export of its P1 meter (the grid meter's registers) and of
/// its kWh meters, one row per quarter hour (or day) in local wall-clock time:
///
/// ```
/// time,Import T1 kWh,Import T2 kWh,Export T1 kWh,Export T2 kWh     ← P1 meter
/// 2022-09-01 00:00,8350.274,4650.277,3095.077,7450.128
/// time,Import kWh,Export kWh                                       ← 1-phase kWh meter
/// time,Import kWh,Export kWh,L1 max W,L2 max W,L3 max W            ← 3-phase kWh meter (power columns ignored)
/// time,Total gas used                                              ← P1 meter's gas meter, m³
/// ```
///
/// **Every value column is a meter register (a running total), not the use per quarter hour**: `Import T1 kWh` is
/// 8350.274 at 00:00 and 8350.385 at 00:15 (0.111 kWh used). Summed as interval values a month of one P1 export
/// gives 39 million kWh instead of 1,356.
///
/// Policies:
/// - Each register is its own series (meter `homewizard-energy/<column>`), differenced between consecutive
///   readings in time order (`RegisterDifferencer`, any row order) and spread over the local days by time, with
///   long gaps spread as estimated and not covered (`RegisterGap`). `Import …` registers (T1 normal, T2 low tariff,
///   or the kWh meter's one) are electricity offtake, `Export …` electricity injection: the quantities' totals are
///   the sums of their registers' differences.
/// - A sum column beside its tariff registers (`Import kWh` with `Import T1 kWh` and `Import T2 kWh`) is not read
///   (it would count the same energy twice); it is listed as ignored in the mapping.
/// - `Total gas used` (also `Gas m³`, `Gas m3`) is the gas meter in m³: read only with the source's `kwh_per_m3`
///   (the gas's gross calorific value), which turns each difference into kWh; without it the file is refused with
///   that fix, never read without its gas or with m³ taken for kWh.
/// - An empty value (the export's rows before the meter was connected) is a row without a reading (ignored,
///   counted); a register that goes down is rejected with both values; same time twice: `duplicate_interval` or
///   `conflicting_interval`.
/// - Local time goes through `LocalInstantResolver` (the autumn repeated hour: summer time first); the date layout
///   is detected from the first row (`yyyy-MM-dd HH:mm`), a source's `date_format` replaces it.
struct HomeWizardEnergyFormat: RowFormat {

    let columnNames: [String]
    let timeColumn: Int
    private(set) var registers: [MeterReadingsFormat.Register]
    let decimalMark: UInt8
    let site: String

    private var layout: DateTimeLayout?
    let layoutForced: Bool
    private var resolver: LocalInstantResolver
    private var differencer = RegisterDifferencer(wording: .readings(decimalMark: UInt8(ascii: ".")),
                                                  countsChainStart: true)

    static let ignoredBlank = IgnoreCode.emptyRow
    static let ignoredNoValue = IgnoreCode.noRegisterValue

    /// What a header name (normalised, lower case) is: a register with its quantity and unit, a known column not
    /// read, or unknown (nil).
    enum Role: Equatable {
        case register(Quantity, MeasurementUnit, tariff: Bool)
        case ignored
    }

    static func role(_ name: String) -> Role? {
        switch name {
        case "import t1 kwh", "import t2 kwh": return .register(.electricityOfftake, .kilowattHour, tariff: true)
        case "export t1 kwh", "export t2 kwh": return .register(.electricityInjection, .kilowattHour, tariff: true)
        case "import kwh": return .register(.electricityOfftake, .kilowattHour, tariff: false)
        case "export kwh": return .register(.electricityInjection, .kilowattHour, tariff: false)
        case "total gas used", "gas m³", "gas m3", "total gas used m³", "total gas used m3":
            return .register(.gas, .cubicMetre, tariff: false)
        default:
            // `L1 max W`, `Max W`, `Power W`: power extremes, not energy.
            if name.hasSuffix(" w") { return .ignored }
            return nil
        }
    }

    /// `time` then at least one register, every column known.
    static func detect(_ records: [[String]]) -> Bool {
        guard let first = records.first, first.count >= 2 else { return false }
        let names = first.map(normalisedHeader)
        guard names[0] == "time" else { return false }
        var registers = 0
        for name in names.dropFirst() where !name.isEmpty {
            switch role(name) {
            case .register?: registers += 1
            case .ignored?: break
            case nil: return false
            }
        }
        return registers > 0
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<HomeWizardEnergyFormat> {
        let names = header.strings
        let normalised = names.map(normalisedHeader)
        guard detect([names]) else {
            return .mismatch(HeaderMismatch(message: "the header is not a HomeWizard energy export header; expected "
                + "time and registers like Import T1 kWh,Import T2 kWh,Export T1 kWh,Export T2 kWh or Import kWh,"
                + "Export kWh or Total gas used, found: \(names.joined(separator: ","))"))
        }
        guard let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "the source has no `site:`; a HomeWizard export does not name "
                + "its site"))
        }
        if let unit = context.source.unit {
            return .mismatch(HeaderMismatch(message: "the source says `unit: \(unit.rawValue)`, but a HomeWizard "
                + "energy export names its units in the header (kWh, gas in m³); leave `unit:` out"))
        }
        if let quantity = context.source.quantity {
            return .mismatch(HeaderMismatch(message: "the source says `quantity: \(quantity.rawValue)`, but a "
                + "HomeWizard energy export names what each column measures (Import: electricity_offtake, Export: "
                + "electricity_injection, gas); leave `quantity:` out"))
        }
        var roles: [(column: Int, role: Role)] = []
        for (index, name) in normalised.enumerated() where index > 0 && !name.isEmpty {
            if let role = role(name) { roles.append((index, role)) }
        }
        // A sum beside its tariff registers is the same energy again.
        let tariffQuantities = Set(roles.compactMap { entry -> Quantity? in
            if case .register(let quantity, _, true) = entry.role { return quantity }
            return nil
        })
        var registers: [MeterReadingsFormat.Register] = []
        for (column, role) in roles {
            guard case .register(let quantity, let unit, let tariff) = role,
                  tariff || !tariffQuantities.contains(quantity) else { continue }  // listed as ignored
            guard let factor = RegisterUnits.factor(unit, to: quantity, kwhPerM3: context.source.kwhPerM3) else {
                return .mismatch(HeaderMismatch(message: "the column \"\(names[column])\" is the gas meter in m³; "
                    + "add `kwh_per_m3:` to the source (the gas's gross calorific value in kWh per m³, on the gas "
                    + "bill or the grid operator's site, e.g. `kwh_per_m3: 11.2`) to read it as kWh"))
            }
            registers.append(MeterReadingsFormat.Register(
                column: column, quantity: quantity, unit: unit, factor: factor,
                meter: "homewizard-energy/" + names[column].trimmingSpaces))
        }
        return .format(HomeWizardEnergyFormat(
            columnNames: names, timeColumn: 0, registers: registers,
            decimalMark: context.dialect.decimalMark, site: site, layout: context.forcedLayout,
            layoutForced: context.forcedLayout != nil, resolver: LocalInstantResolver(table: context.table),
            differencer: RegisterDifferencer(wording: .readings(decimalMark: context.dialect.decimalMark),
                                             countsChainStart: true)))
    }

    var mapping: [ColumnRole] {
        var roles: [(columns: [Int?], role: String)] = [
            ([timeColumn], "reading time, local time (\(layoutNote(layout, forced: layoutForced)))"),
        ]
        for register in registers {
            let conversion = register.unit == .cubicMetre
                ? "m³ × \(MachineNumber.format(register.factor, decimals: 3)) kWh/m³ (kwh_per_m3)" : register.unit.rawValue
            roles.append(([register.column], "\(register.quantity.rawValue) (cumulative register in \(conversion), "
                + "differenced, spread over the days by time)"))
        }
        return columnMapping(columnNames, roles)
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(Self.ignoredBlank)
            return
        }
        guard checkFieldCount(record, into: &aggregator, site: site) else { return }
        if FieldParsing.equalsIgnoringCase(record[timeColumn], "time") {
            aggregator.ignore(.repeatedHeader)
            return
        }

        // When.
        if layout == nil {
            layout = DateTimeLayout.detect([record.string(timeColumn)])?.layout
        }
        guard let layout, let local = layout.parse(record[timeColumn]) else {
            reject(record, column: timeColumn, .notADate, "\"\(record.string(timeColumn))\" is not a date and time"
                + (layout.map { layoutForced ? " in the layout \($0) HH:mm of date_format in the YAML"
                    : " in the file's layout \($0) HH:mm" } ?? " (yyyy-MM-dd HH:mm)"), &aggregator)
            return
        }

        // How much, per register.
        var instant: Int64?
        var read = false
        for position in registers.indices {
            let column = registers[position].column
            let bytes = record[column]
            if FieldParsing.isBlank(bytes) { continue }
            guard let value = RegisterNumber.parse(bytes, decimalMark: decimalMark) else {
                reject(record, column: column, .notANumber,
                       "\"\(record.string(column))\" is not a number", &aggregator, local: local)
                read = true
                continue
            }
            guard value >= 0 else {
                reject(record, column: column, .negativeValue, "a register reading cannot be negative",
                       &aggregator, local: local)
                read = true
                continue
            }
            read = true
            if registers[position].series < 0 { describe(position, into: &aggregator) }
            let series = registers[position].series
            if instant == nil {
                switch resolver.resolve(localSeconds: local, series: series) {
                case .instant(let resolved):
                    instant = resolved
                case .gap:
                    reject(record, column: timeColumn, .timeInClockChangeGap, "local time \(record.string(timeColumn)) "
                        + "does not exist (clocks moved forward)", &aggregator, local: local)
                    return
                }
            }
            differencer.read(series: series, instant: instant!, value: value, line: record.line,
                             day: { RegisterNumber.localDay(local) }, raw: RowText(record), into: &aggregator)
        }
        if !read { aggregator.ignore(Self.ignoredNoValue) }
    }

    /// The register's series, interned and described to the differencer (once per register and file).
    private mutating func describe(_ position: Int, into aggregator: inout FileAggregator) {
        let register = registers[position]
        let series = aggregator.intern(SeriesKey(site: site, quantity: register.quantity, meter: register.meter))
        registers[position].series = series
        differencer.describe(series: series, column: .init(value: columnName(register.column),
                                                           time: columnName(timeColumn), unit: register.unit,
                                                           factor: register.factor), site: site)
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        differencer.finish(into: &aggregator)
    }

    private func reject(_ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String,
                        _ aggregator: inout FileAggregator, local: Int64? = nil) {
        aggregator.reject(line: record.line, column: columnName(column), code: code, reason: reason,
                          raw: record.rawText(), site: site, day: local.map(RegisterNumber.localDay))
    }
}
