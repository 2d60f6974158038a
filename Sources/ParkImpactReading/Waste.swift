import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `waste`: collectors' reports, one row per collection: date, (site), EURAL code in any notation, description,
/// mass in kg or t, treatment code R1–R13 / D1–D15, collector. Read by header name (Dutch, English, French).
///
/// The mass unit comes from a unit column, else the mass header (`Gewicht (kg)`, `Mass (t)`), else the source's
/// `unit:` in the YAML; without any of these the file is refused rather than guessed.
///
/// The date layout is detected from the first row (day first when both orders fit); a source's `date_format`
/// replaces the detection.
struct WasteFormat: RowFormat {

    static let aliases: [String: [String]] = [
        "date": ["date", "datum", "ophaaldatum", "collection date", "date de collecte", "datum ophaling"],
        "site": ["site", "vestiging", "locatie", "bedrijf", "company", "klant", "customer"],
        "eural": ["eural", "euralcode", "eural-code", "eural code", "ewc", "ewc code", "low", "afvalcode", "waste code",
                  "code déchet", "lvc"],
        "mass": ["mass", "massa", "gewicht", "weight", "hoeveelheid", "quantity", "tonnage", "poids", "netto gewicht"],
        "unit": ["unit", "eenheid", "unité"],
        "treatment": ["treatment", "verwerking", "verwerkingscode", "treatment code", "r/d code", "r/d-code",
                      "verwerkingswijze", "traitement"],
    ]

    let columnNames: [String]
    let date: Int, site: Int?, eural: Int, mass: Int, unit: Int?, treatment: Int?
    var valueColumnIndex: Int? { mass }
    let fixedUnit: MeasurementUnit?
    let defaultSite: String?
    let siteIDs: [String]
    let numbers: NumberStyle
    var layout: DateTimeLayout?
    /// Whether `layout` is the source's `date_format`.
    let layoutForced: Bool
    private var categories = ByteKeyCache<WasteCategory?>()

    /// Header name without a unit suffix: `Gewicht (kg)` → (`gewicht`, kg).
    static func split(_ name: String) -> (name: String, unit: MeasurementUnit?) {
        let normalised = normalisedHeader(name)
        guard let open = normalised.lastIndex(of: "("), normalised.hasSuffix(")") else { return (normalised, nil) }
        let unitText = String(normalised[normalised.index(after: open)..<normalised.index(before: normalised.endIndex)])
        return (normalisedHeader(String(normalised[..<open])), MeasurementUnit(spelling: unitText))
    }

    static func index(_ role: String, in names: [String]) -> Int? {
        names.firstIndex { aliases[role]!.contains(split($0).name) }
    }

    static func detect(_ records: [[String]]) -> Bool {
        guard let header = records.first else { return false }
        return index("eural", in: header) != nil && index("mass", in: header) != nil && index("date", in: header) != nil
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<WasteFormat> {
        let names = header.strings
        let missing = ["date", "eural", "mass"].filter { index($0, in: names) == nil }
        if missing.count == 3 { return .preamble }
        guard missing.isEmpty else {
            return .mismatch(HeaderMismatch(message: "no \(missing.joined(separator: ", ")) column; expected e.g. "
                + "Datum;Euralcode;Omschrijving;Gewicht (kg);Verwerkingscode;Inzamelaar, found: \(names.joined(separator: ";"))"))
        }
        let massColumn = index("mass", in: names)!
        let unitColumn = index("unit", in: names)
        let headerUnit = split(names[massColumn]).unit
        let fixed = headerUnit ?? context.source.unit
        if unitColumn == nil, fixed?.factor(to: .wasteMass) == nil {
            return .mismatch(HeaderMismatch(message: "the mass unit is unknown: add a unit column, write it in the "
                + "header (\"Gewicht (kg)\") or set `unit: kg` (or t) on the source in the YAML"))
        }
        let siteColumn = index("site", in: names)
        if siteColumn == nil, context.source.site == nil {
            return .mismatch(HeaderMismatch(message: "no site column: set `site:` on the source in the YAML"))
        }
        return .format(WasteFormat(
            columnNames: names, date: index("date", in: names)!, site: siteColumn, eural: index("eural", in: names)!,
            mass: massColumn, unit: unitColumn, treatment: index("treatment", in: names), fixedUnit: fixed,
            defaultSite: context.source.site, siteIDs: context.siteIDs, numbers: NumberStyle(context.dialect),
            layout: context.forcedLayout, layoutForced: context.forcedLayout != nil))
    }

    var mapping: [ColumnRole] {
        let massUnit = unit != nil ? "in the unit column's unit" + (fixedUnit.map { ", else \($0.rawValue)" } ?? "")
            : fixedUnit?.rawValue ?? "unit unknown"
        return columnMapping(columnNames, [
            ([date], "collection day, local (\(layoutNote(layout, forced: layoutForced)))"),
            ([site], "site" + (defaultSite.map { " (empty: \($0))" } ?? "")),
            ([eural], "EURAL code: one series per code and treatment"),
            ([mass], "waste_mass (\(massUnit))"),
            ([unit], "mass unit (kg or t)"),
            ([treatment], "treatment code (R1–R13, D1–D15)"),
        ])
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        guard checkFieldCount(record, into: &aggregator, site: defaultSite) else { return }
        if (0..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            aggregator.ignore(.emptyRow)
            return
        }
        if layout == nil {
            layout = DateTimeLayout.detect([record.string(date)])?.layout
        }
        guard let local = layout?.parse(record[date]) else {
            reject(record, date, .notADate, "\"\(record.string(date))\" is not a date"
                + (layoutForced ? " in the layout \(layout!) of date_format in the YAML" : ""), &aggregator)
            return
        }
        let day = Int(local / 86_400)
        var siteID = defaultSite ?? ""
        if let site, !FieldParsing.isBlank(record[site]) {
            siteID = record.string(site).trimmingSpaces
            guard siteIDs.contains(siteID) else {
                reject(record, site, .unknownSite,
                    "unknown site \"\(siteID)\"; known: \(siteIDs.joined(separator: ", "))", &aggregator,
                       day: day)
                return
            }
        }
        // The category (EURAL + treatment) from the bytes of both fields.
        let key = Array(record[eural]) + [0] + (treatment.map { Array(record[$0]) } ?? [])
        let category: WasteCategory
        if let cached = key.withUnsafeBytes({ categories.lookup($0) }) {
            guard let cached else {
                rejectCategory(record, &aggregator, day: day)
                return
            }
            category = cached
        } else {
            let parsed = WasteCategory(eural: record.string(eural), treatment: treatment.map(record.string) ?? "")
            key.withUnsafeBytes { categories.insert($0, parsed) }
            guard let parsed else {
                rejectCategory(record, &aggregator, day: day)
                return
            }
            category = parsed
        }
        var factor = fixedUnit?.factor(to: .wasteMass)
        if let unit, !FieldParsing.isBlank(record[unit]) {
            guard let parsed = MeasurementUnit(spelling: record.string(unit))?.factor(to: .wasteMass) else {
                reject(record, unit, .unknownUnit,
                    "unknown mass unit \"\(record.string(unit))\"; known: kg, t", &aggregator, day: day)
                return
            }
            factor = parsed
        }
        guard let factor else {
            reject(record, unit ?? mass, .unknownUnit, "no mass unit on this row", &aggregator, day: day)
            return
        }
        guard let value = numbers.parse(record[mass]), value >= 0 else {
            reject(record, mass, .notANumber, "\"\(record.string(mass))\" is not a mass ≥ 0", &aggregator, day: day)
            return
        }
        let series = aggregator.intern(SeriesKey(site: siteID, quantity: .wasteMass, meter: category.description))
        aggregator.add(series: series, startUTC: aggregator.table.startOfDay(day), intervalSeconds: 0,
                       value: value * factor, quality: .measured)
    }

    private func rejectCategory(_ record: CSVRecord, _ aggregator: inout FileAggregator, day: Int) {
        if WasteCategory(eural: record.string(eural), treatment: "") == nil {
            reject(record, eural, .unknownCode,
                "\"\(record.string(eural))\" is not a EURAL code (six digits, e.g. 20 03 01 or "
                + "16 06 01*)", &aggregator, day: day)
        } else {
            reject(record, treatment ?? eural, .unknownCode,
                "\"\(treatment.map(record.string) ?? "")\" is not a treatment code "
                + "(R1–R13 or D1–D15)", &aggregator, day: day)
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
