import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes outputs atomically: a temporary file in the same folder, then `rename(2)`, so a reader (or a crash)
/// never sees half a report.
public enum OutputFiles {
    /// Writes `text` to `.<name>.parkimpact-tmp` beside `path`, then renames it into place (`rename(2)` is atomic):
    /// a reader sees the old file or the new one, never half of one. The temporary name is fixed, so a run killed
    /// mid-write leaves at most that file, which the next write of the same output reuses and renames away.
    public static func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = (directory as NSString).appendingPathComponent(
            "." + (path as NSString).lastPathComponent + ".parkimpact-tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileDigest.POSIXFailure(call: "open", path: temporary, code: errno) }
        var failure: Int32 = 0
        var utf8 = text
        utf8.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        close(descriptor)
        if failure != 0 {
            unlink(temporary)
            throw FileDigest.POSIXFailure(call: "write", path: temporary, code: failure)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileDigest.POSIXFailure(call: "rename", path: path, code: code)
        }
    }
}

/// Numbers in machine-readable outputs: rounded to the unit's resolution, no exponent, no locale.
public enum MachineNumber {
    /// Decimals kept per unit: meter resolution for kWh, grams for tonnes.
    public static func decimals(forUnit unit: String) -> Int {
        switch unit {
        case "kWh", "m3": return 3
        case "t CO2e": return 6
        case "%": return 4
        case "ratio": return 6
        case "rows": return 0
        default: return 6
        }
    }

    public static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}

/// `kpis.json`: the contract's shape, one KPI object per line, keys in a fixed order.
public enum KPIJSONWriter {
    public static func render(_ report: PilotReport) -> String {
        var out = "{\n"
        out += "  \"pilot\": \(json(report.definition.pilot)),\n"
        out += "  \"name\": \(json(report.definition.name)),\n"
        out += "  \"periods\": {\(report.periods.filter { $0.kind == .baseline || $0.kind == .reporting }.map { "\(json($0.key)): {\"from\": \(json($0.first.description)), \"to\": \(json($0.last.description))}" }.joined(separator: ", "))},\n"
        out += "  \"kpis\": [\n"
        out += report.kpis.map { "    " + object($0) }.joined(separator: ",\n")
        out += "\n  ]\n}\n"
        return out
    }

    static func object(_ kpi: KPI) -> String {
        let decimals = MachineNumber.decimals(forUnit: kpi.unit)
        var fields: [String] = [
            "\"key\": \(json(kpi.key))",
            "\"period\": \(json(kpi.period))",
            "\"site\": \(kpi.site.map(json) ?? "null")",
            "\"value\": \(kpi.value.map { MachineNumber.format($0, decimals: decimals) } ?? "null")",
            "\"unit\": \(json(kpi.unit))",
            "\"coverage\": \(kpi.coverage.map { MachineNumber.format($0, decimals: 6) } ?? "null")",
            "\"estimated_share\": \(kpi.estimatedShare.map { MachineNumber.format($0, decimals: 6) } ?? "null")",
            "\"flags\": [\(kpi.flags.map(json).joined(separator: ", "))]",
        ]
        let provenance = kpi.provenance
        var inner: [String] = ["\"inputs\": [\(provenance.inputs.map(json).joined(separator: ", "))]"]
        inner.append("\"factor\": \(provenance.factor.map(factor) ?? "null")")
        if provenance.factors.count > 1 {
            inner.append("\"factors\": [\(provenance.factors.map(factor).joined(separator: ", "))]")
        }
        inner.append("\"formula\": \(json(provenance.formula))")
        if let reason = provenance.reason { inner.append("\"reason\": \(json(reason))") }
        fields.append("\"provenance\": {\(inner.joined(separator: ", "))}")
        return "{\(fields.joined(separator: ", "))}"
    }

    static func factor(_ factor: FactorReference) -> String {
        var fields = [
            "\"id\": \(json(factor.id))", "\"value\": \(MachineNumber.format(factor.value, decimals: 8))",
            "\"unit\": \(json(factor.unit))", "\"year\": \(factor.year)", "\"source\": \(json(factor.source))",
        ]
        if let note = factor.note { fields.append("\"note\": \(json(note))") }
        return "{\(fields.joined(separator: ", "))}"
    }

    /// A JSON string literal.
    public static func json(_ text: String) -> String {
        // Most texts need no escape: one pass over the bytes instead of one append per scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x3C }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"  // safe to embed anywhere
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// How `kpis.csv` and `rejects.csv` write separators and numbers: `en` (`,` and `1234.5`, the default) or `nl`
/// (`;` and `1234,5`, what Excel expects under a Dutch or Belgian regional setting). Both start with a UTF-8 BOM.
public enum CSVLocale: String, Sendable, CaseIterable {
    case en, nl

    public var separator: String { self == .nl ? ";" : "," }

    /// A machine number (`MachineNumber.format`) in this locale: the decimal point becomes a comma in `nl`.
    public func number(_ machine: String) -> String {
        self == .nl ? machine.replacingOccurrences(of: ".", with: ",") : machine
    }
}

/// CSV outputs that open in Excel: UTF-8 BOM, RFC 4180 quoting, and text cells that could run as a formula
/// (`=`, `+`, `-`, `@`, tab, CR at the start, and not a number) prefixed with `'`.
public enum CSVOutput {
    public static func cell(_ text: String, locale: CSVLocale = .en) -> String {
        // Most cells need neither a quote nor a `'`: one pass over the bytes decides.
        let utf8 = text.utf8
        guard let first = utf8.first else { return text }
        if first != 0x3D, first != 0x2B, first != 0x2D, first != 0x40, first != 0x09, first != 0x0D, first != 0x20,
           utf8.last != 0x20, !utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D || $0 == 0x3B }) {
            return text
        }
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil,
           Double(value.replacingOccurrences(of: ",", with: ".")) == nil || locale == .en {
            value = "'" + value
        }
        let needsQuotes: Bool
        switch locale {
        case .en: needsQuotes = value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }
        case .nl: needsQuotes = value.contains { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        }
        if needsQuotes || value.hasPrefix(" ") || value.hasSuffix(" ") {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    public static func document(header: [String], rows: [[String]], locale: CSVLocale = .en) -> String {
        let separator = locale.separator
        var out = "\u{FEFF}" + header.map { cell($0, locale: locale) }.joined(separator: separator) + "\r\n"
        for row in rows { out += row.map { cell($0, locale: locale) }.joined(separator: separator) + "\r\n" }
        return out
    }

    public static func kpis(_ report: PilotReport, locale: CSVLocale = .en) -> String {
        let header = ["key", "period", "site", "value", "unit", "coverage", "estimated_share", "flags", "formula", "factor_id",
                      "factor_value", "factor_unit", "factor_year", "factor_source", "reason", "inputs"]
        func number(_ value: Double, _ decimals: Int) -> String {
            locale.number(MachineNumber.format(value, decimals: decimals))
        }
        let rows = report.kpis.map { kpi -> [String] in
            let factor = kpi.provenance.factor
            return [
                kpi.key, kpi.period, kpi.site ?? "",
                kpi.value.map { number($0, MachineNumber.decimals(forUnit: kpi.unit)) } ?? "",
                kpi.unit, kpi.coverage.map { number($0, 6) } ?? "",
                kpi.estimatedShare.map { number($0, 6) } ?? "",
                kpi.flags.joined(separator: " "), kpi.provenance.formula,
                kpi.provenance.factors.map(\.id).joined(separator: " "),
                kpi.provenance.factors.map { number($0.value, 8) }.joined(separator: " "),
                factor?.unit ?? "", kpi.provenance.factors.map { "\($0.year)" }.joined(separator: " "),
                factor?.source ?? "", kpi.provenance.reason ?? "", kpi.provenance.inputs.joined(separator: " "),
            ]
        }
        return document(header: header, rows: rows, locale: locale)
    }

    public static func rejects(_ rejects: [Reject], locale: CSVLocale = .en) -> String {
        document(header: ["file", "line", "column", "reason", "raw"],
                 rows: rejects.map { [$0.file, "\($0.line)", $0.column, $0.reason, $0.raw] }, locale: locale)
    }
}
