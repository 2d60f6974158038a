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
    public let header: [String]
    public let headerLine: Int
    public let firstRecords: [[String]]
    public let readings: [TracedReading]
    public let rejects: [Reject]
    public let warnings: [String]
    /// A YAML source entry that reads the file.
    public let yamlHint: String?
}

public enum Sniff {
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
                return records.count > rows ? .stop : .proceed
            }, onMalformed: { _ in })
        } catch {
            throw error.at(path)
        }
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
                + "; a file it cannot recognise is never half-read")
        }

        // Parse the first rows for real with the detected format.
        var readings: [TracedReading] = []
        var rejects: [Reject] = []
        var yamlHint: String?
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
        return SniffReport(
            path: path, size: size, dialect: dialect, format: format, tried: tried, header: header,
            headerLine: records.first?.line ?? 0, firstRecords: records.dropFirst().map(\.fields), readings: readings,
            rejects: rejects, warnings: warnings, yamlHint: yamlHint)
    }
}
