import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// Small helpers shared by the PV portal formats (`sma`, `sungrow`, `enphase`).
enum PVExports {
    /// `Energy Produced (Wh)` → (`energy produced`, `Wh`); `PV(kWh)` → (`pv`, `kWh`); `Time` → (`time`, nil).
    static func nameAndUnit(_ header: String) -> (name: String, unit: String?) {
        let text = header.trimmingSpaces
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return (normalisedHeader(text), nil) }
        let unit = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingSpaces
        return (normalisedHeader(String(text[..<open])), unit)
    }

    /// `Purchased Energy(kWh)` → `Purchased Energy` (a series name as the export writes it).
    static func displayName(_ header: String) -> String {
        let text = header.trimmingSpaces
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return text }
        return String(text[..<open]).trimmingSpaces
    }

    /// An energy unit (`Wh`, `kWh`, `MWh`, with or without brackets) → its factor to kWh; nil for anything else.
    static func energyFactor(_ unitText: String) -> Double? {
        var text = unitText.trimmingSpaces
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard let unit = MeasurementUnit(spelling: text) else { return nil }
        return unit.factor(to: .pvProduction)
    }

    /// A number as a coordinator wrote it: `162041`, not `162041.0`.
    static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A number with the file's decimal mark, or with the other mark when that is not the delimiter (an SMA export
    /// re-saved by Excel with `;` keeps `49.99` while the dialect guess for `;` files is decimal comma). In a
    /// comma-delimited file a quoted `"1,234"` is never read as 1.234.
    @inline(__always)
    static func number(_ bytes: UnsafeRawBufferPointer, decimalMark: UInt8, delimiter: UInt8) -> Double? {
        if let value = FieldParsing.decimal(bytes, decimalMark: decimalMark) { return value }
        let other = decimalMark == UInt8(ascii: ",") ? UInt8(ascii: ".") : UInt8(ascii: ",")
        guard other != delimiter else { return nil }
        return FieldParsing.decimal(bytes, decimalMark: other)
    }

    /// The local day of local seconds (for a reject's `day`).
    static func localDay(_ local: Int64) -> Int {
        Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// Why a source's `quantity:` filter leaves nothing to read.
    static func quantityFilterMessage(_ format: String, _ quantity: Quantity, available: [Quantity]) -> String {
        "`quantity: \(quantity.rawValue)` selects nothing in this \(format) export; it has "
            + (available.isEmpty ? "no energy column ParkImpact reads"
                : Array(Set(available)).sorted().map(\.rawValue).joined(separator: ", "))
    }

    /// An energy column of a PV portal report.
    struct Column {
        let index: Int
        let quantity: Quantity
        /// Multiplier from the column's unit to kWh.
        let factor: Double
    }

    /// The energy columns of a report header (`Energy Produced (Wh)`, `PV(kWh)`, ...) that `known` maps to a
    /// quantity, honouring the source's `quantity:` filter and refusing a `unit:` that contradicts the header.
    /// Also returns the header columns not read (for the ignored-rows reason).
    static func energyColumns(
        _ names: [String], _ parsed: [(name: String, unit: String?)], skipping time: Int, known: [String: Quantity],
        source: PipelineDefinition.Source, format: String
    ) -> Result<([Column], [String]), HeaderMismatch> {
        var columns: [Column] = []
        var ignored: [String] = []
        var available: [Quantity] = []
        for (index, column) in parsed.enumerated() where index != time {
            guard let quantity = known[column.name] else {
                ignored.append(names[index].trimmingSpaces)
                continue
            }
            guard let unit = column.unit, let factor = energyFactor(unit) else {
                ignored.append(names[index].trimmingSpaces)
                continue
            }
            available.append(quantity)
            if let only = source.quantity, only != quantity {
                ignored.append(names[index].trimmingSpaces)
                continue
            }
            if let unitOverride = source.unit, unitOverride.factor(to: quantity) != factor {
                return .failure(HeaderMismatch(message: "the column \"\(names[index])\" is in \(unit), but the source "
                    + "says `unit: \(unitOverride.rawValue)`; leave `unit:` out (the report states its units)"))
            }
            columns.append(Column(index: index, quantity: quantity, factor: factor))
        }
        if let only = source.quantity, !available.contains(only) {
            return .failure(HeaderMismatch(message: quantityFilterMessage(format, only, available: available)))
        }
        return .success((columns, ignored))
    }

    /// What a PV portal report header gives: the time column, the site and the energy columns to read.
    struct ReportHeader {
        let names: [String]
        let time: Int
        let site: String
        let columns: [Column]
        let ignored: [String]
    }

    /// The header sequence shared by the portal reports (Sungrow, Enphase): a title line is preamble; the header needs
    /// the time column (`isTime`) and at least one known energy column; the source must name the site.
    /// `report` names the export in messages ("a Sungrow iSolarCloud report").
    static func reportHeader(
        _ header: CSVRecord, context: ReadContext, known: [String: Quantity],
        isTime: ((name: String, unit: String?)) -> Bool, format: String, report: String, expectedHeader: String
    ) -> HeaderOutcome<ReportHeader> {
        let names = header.strings
        let parsed = names.map(nameAndUnit)
        guard let time = parsed.firstIndex(where: isTime), parsed.contains(where: { known[$0.name] != nil }) else {
            if names.filter({ !$0.trimmingSpaces.isEmpty }).count <= 1 { return .preamble }  // a title line
            return .mismatch(HeaderMismatch(message: "the header is not \(report) header; expected "
                + "\(expectedHeader), found: \(names.joined(separator: ","))"))
        }
        guard let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "the source has no `site:`; \(report) does not name its site"))
        }
        switch energyColumns(names, parsed, skipping: time, known: known, source: context.source, format: format) {
        case .failure(let mismatch):
            return .mismatch(mismatch)
        case .success(let (columns, ignored)):
            guard !columns.isEmpty else {
                return .mismatch(HeaderMismatch(message: "no energy column in this \(format) report; expected "
                    + "\(expectedHeader), found: \(names.joined(separator: ","))"))
            }
            return .format(ReportHeader(names: names, time: time, site: site, columns: columns, ignored: ignored))
        }
    }
}
