public import CSVReading
import Foundation

/// What `parkimpact sniff FILE` finds out about a file, without a pipeline definition.
public struct SniffReport: Sendable {
    public let path: String
    public let size: Int
    public let dialect: CSVDialect
    public let format: SourceFormatName?
    /// Formats tried, each with why it did or did not match.
    public let tried: [(format: SourceFormatName, verdict: String)]
    /// The first record (the header of most exports), as text.
    public let header: [String]
    /// The line of the header the detected format found (after any preamble), else of the first record.
    public let headerLine: Int
    /// Which header column the detected format reads as what (empty when no format was recognised or the file
    /// could not be read with it).
    public let mapping: [ColumnRole]
    public let firstRecords: [[String]]
    public let readings: [TracedReading]
    public let rejects: [Reject]
    public let warnings: [String]
    /// A YAML source entry that reads the file.
    public let yamlHint: String?
}

public enum Sniff {
    /// Records read from the file's first 64 KiB for a proposed `generic` mapping: enough readings for the register
    /// rule (`RegisterEvidence.minimumReadings`) to speak about each value column.
    static let proposalRecords = 2_000

    /// Reads the start of `path` and works out dialect and format. Throws only when the file cannot be read.
    public static func sniff(path: String, rows: Int = 12) throws(CSVFileError) -> SniffReport {
        let prefix = try CSVFileSource.prefix(path: path)
        guard !prefix.isEmpty else { throw CSVFileError(code: .empty, path: path) }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? prefix.count
        let dialect = prefix.withUnsafeBytes { CSVDialect.detect(prefix: $0) }
        if dialect.encoding == .binary { throw CSVFileError(code: .binary, path: path) }
        var records: [(line: Int, fields: [String])] = []
        var source = CSVMemorySource(prefix)
        do {
            _ = try CSVStreamReader(dialect: dialect).read(from: &source, onRecord: { record in
                records.append((record.line, record.strings))
                return records.count > max(rows, proposalRecords) ? .stop : .proceed
            }, onMalformed: { _ in })
        } catch {
            throw error.at(path)
        }
        // The last record of a prefix shorter than the file may be cut off mid-line.
        if prefix.count < size, records.count > rows + 1 { records.removeLast() }
        let allTexts = records.map(\.fields), allLines = records.map(\.line)
        records = Array(records.prefix(rows + 1))
        var warnings: [String] = []
        if dialect.encoding == .windows1252 {
            warnings.append("the text is Windows-1252, not UTF-8; it was converted (check accented names in the rows below)")
        }
        let header = records.first?.fields ?? []
        let texts = records.map(\.fields)
        var tried: [(SourceFormatName, String)] = []
        var format: SourceFormatName?
        for candidate in FormatRegistry.order {
            let matches = FormatRegistry.readers[candidate]?.detect(texts) == true
            tried.append((candidate, matches ? (format == nil ? "matches" : "matches too") : "no"))
            if matches, format == nil { format = candidate }
        }
        if format == nil {
            warnings.append("format not recognised; this version reads "
                + SourceFormatName.implemented.map(\.rawValue).joined(separator: ", ")
                + "; a file it cannot recognise is never half-read: map it with `format: generic` (below)")
        }
        let matching = tried.filter { $0.1 != "no" }.map(\.0.rawValue)
        if matching.count > 1 {
            warnings.append("several formats match (\(matching.joined(separator: ", "))); \(matching[0]) is used "
                + "unless the YAML says otherwise")
        }

        // Parse the first rows for real with the detected format.
        var readings: [TracedReading] = []
        var rejects: [Reject] = []
        var yamlHint: String?
        var mapping: [ColumnRole] = []
        var headerLine = records.first?.line ?? 0
        if let format {
            let site = "my-site"
            let yaml = """
                pilot: sniff
                name: sniff
                periods: { baseline: { from: 2000-01-01, to: 2000-12-31 }, reporting: { from: 2001-01-01, to: 2001-12-31 } }
                sites: [ { id: \(site) } ]
                sources: [ { path: "*", format: \(format.rawValue), site: \(site) } ]
                """
            if let definition = try? DefinitionLoader.parse(yaml: yaml, file: "sniff.yaml", catalogue: .builtIn) {
                let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "sniff",
                                     source: definition.sources[0])
                let result = ReadFile.read(file, definition: definition, traceLimit: rows)
                readings = result.trace
                mapping = result.mapping
                if result.headerLine > 0 { headerLine = result.headerLine }
                rejects = Array(result.rejects.prefix(rows))
                if let problem = result.summary.problem { warnings.append(problem) }
                if result.summary.rejectedRows > 0 {
                    warnings.append("\(result.summary.rejectedRows) row(s) would be rejected (first ones below)")
                }
            }
            yamlHint = """
                sources:
                  - path: "\((path as NSString).lastPathComponent)"
                    format: \(format.rawValue)
                \(format == .parkimpactLong ? "" : "    site: <site id>\n")
                """
        }
        if format == nil {
            let proposal = GenericProposal(records: allTexts, lines: allLines, dialect: dialect,
                                           fileName: (path as NSString).lastPathComponent)
            yamlHint = proposal?.yaml
            warnings.append(contentsOf: proposal?.warnings ?? [])
        }
        return SniffReport(
            path: path, size: size, dialect: dialect, format: format, tried: tried, header: header,
            headerLine: headerLine, mapping: mapping, firstRecords: records.dropFirst().map(\.fields),
            readings: readings, rejects: rejects, warnings: warnings, yamlHint: yamlHint)
    }
}

/// A `generic` source mapping proposed from a file's header and first rows, for `sniff` to print.
struct GenericProposal {
    let yaml: String
    let warnings: [String]

    /// `lines`: the file line of each record (for the evidence of a running total); the record's position + 1 when
    /// not given.
    init?(records: [[String]], lines: [Int]? = nil, dialect: CSVDialect, fileName: String) {
        // The header: the first record with as many fields as most records.
        var counts: [Int: Int] = [:]
        for record in records { counts[record.count, default: 0] += 1 }
        guard let width = counts.max(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key, width >= 2,
              let headerIndex = records.firstIndex(where: { $0.count == width }) else { return nil }
        let header = records[headerIndex]
        let rowIndices = records.indices.filter { $0 > headerIndex && records[$0].count == width }
        let rows = rowIndices.map { records[$0] }
        let rowLines = rowIndices.map { lines?[$0] ?? $0 + 1 }
        guard !rows.isEmpty else { return nil }
        let numbers = NumberStyle(dialect)
        var warnings: [String] = []
        var timeColumn: Int?
        var layout: (layout: DateTimeLayout, ambiguous: Bool)?
        for column in 0..<width {
            let values = rows.map { $0[column] }
            if values.allSatisfy({ Array($0.utf8).withUnsafeBytes { TimeParsing.isoInstant($0) != nil } }) {
                timeColumn = column
                break
            }
            if let detected = DateTimeLayout.detect(values) {
                timeColumn = column
                layout = detected
                break
            }
        }
        guard let timeColumn else { return nil }
        let valueColumns = (0..<width).filter { column in
            column != timeColumn && rows.allSatisfy { row in
                row[column].isEmpty || Array(row[column].utf8).withUnsafeBytes { numbers.parse($0) != nil }
            } && rows.contains { !$0[column].isEmpty }
        }
        guard !valueColumns.isEmpty else { return nil }
        var lines = ["sources:", "  - path: \"\(fileName)\"", "    format: generic", "    site: <site id>",
                     "    columns: { timestamp: \"\(header[timeColumn])\" }"]
        if let layout {
            lines.append("    date_format: \"\(layout.layout)\(rows[0][timeColumn].count > 10 ? " HH:mm" : "")\"")
            if layout.ambiguous {
                warnings.append("the dates fit both day-first and month-first; day-first is proposed: check "
                    + "date_format")
            }
        } else {
            lines.append("    date_format: iso")
        }
        lines.append("    values:")
        for column in valueColumns {
            let name = header[column]
            let (quantity, unit) = Self.guess(name)
            // The register rule on the column's readings in the sample, as reading applies it (`RegisterEvidence`).
            var evidence = RegisterEvidence()
            for (position, row) in rows.enumerated() {
                guard let value = Array(row[column].utf8).withUnsafeBytes({ numbers.parse($0) }) else { continue }
                let instant = Array(row[timeColumn].utf8).withUnsafeBytes { bytes in
                    layout.map { $0.layout.parse(bytes) } ?? TimeParsing.isoInstant(bytes)
                } ?? Int64(position)
                evidence.observe(instant: instant, value: value, line: rowLines[position])
            }
            let kind = evidence.isRegister ? ", kind: cumulative" : ""
            lines.append("      - { column: \"\(name)\", quantity: \(quantity), unit: \(unit)\(kind) }"
                + (quantity.hasPrefix("<") ? "   # set quantity and unit" : "   # check"))
            if evidence.isRegister {
                warnings.append("column \"\(name)\" is a running total (a meter register), so `kind: cumulative` is "
                    + "proposed (the differences between readings are the use): in the first \(evidence.readings) "
                    + "readings " + evidence.describe(unit: unit.hasPrefix("<") ? "" : unit))
            }
        }
        yaml = lines.joined(separator: "\n")
        self.warnings = warnings
    }

    /// A quantity and unit suggested by a column name (`Verbruik (kWh)` → electricity_offtake, kWh).
    static func guess(_ name: String) -> (String, String) {
        let text = name.lowercased()
        if text.contains("°c") || text.contains("temp") { return ("temperature", "degC") }
        if text.contains("m³") || text.contains("m3") || text.contains("water") { return ("water", "m3") }
        for (token, unit) in [("mwh", "MWh"), ("kwh", "kWh"), ("wh", "Wh")] where text.contains(token) {
            let quantity = text.contains("gas") ? "gas"
                : text.contains("pv") || text.contains("solar") || text.contains("product") ? "pv_production"
                : text.contains("inject") || text.contains("feed") || text.contains("export") ? "electricity_injection"
                : "electricity_offtake"
            return (quantity, unit)
        }
        return ("<quantity>", "<unit>")
    }
}
