public import CSVReading

/// What reading one file produced: its partial aggregate, its rejects, or why it could not be read at all.
public struct FileResult: Sendable {
    public let file: InputFile
    /// The first readings one by one, when asked for (`traceLimit`).
    public var trace: [TracedReading] = []
    /// Which header column the format read as what (`RowFormat.mapping`); empty when no header was found.
    public var mapping: [ColumnRole] = []
    /// The line of the header the format recognised (after any preamble); 0 when none was found.
    public var headerLine = 0
    public let series: [SeriesData]
    public let rejects: [Reject]
    public let summary: FileSummary
    public let statistics: CSVReadStatistics
}

/// Reads one file with the reader of its source's format: streaming, constant memory.
public enum ReadFile {
    public static func read(
        _ file: InputFile, definition: PipelineDefinition, limits: CSVReadLimits = .init(), traceLimit: Int = 0
    ) -> FileResult {
        let zone = file.source.timezone ?? definition.timezone
        guard let table = LocalTimeTable.cached(zone) else {
            return failed(file, "unknown time zone \(zone)")
        }
        let prefix: [UInt8]
        do {
            prefix = try CSVFileSource.prefix(path: file.path)
        } catch {
            return failed(file, error.description)
        }
        guard !prefix.isEmpty else {
            return failed(file, CSVFileError(code: .empty, path: file.path).description)
        }
        let dialect = file.source.dialect.applied(to: prefix)
        let context = ReadContext(file: file.relativePath, source: file.source, siteIDs: definition.sites.map(\.id),
                                  table: table, dialect: dialect, readingPolicy: definition.intervalReadingPolicy)
        guard let reader = FormatRegistry.readers[file.source.format] else {
            return failed(file, "format \(file.source.format.rawValue) is not supported by this version yet")
        }
        return reader.read(file, context, limits, traceLimit)
    }

    static func read<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits, _ traceLimit: Int
    ) -> FileResult {
        var aggregator = FileAggregator(file: file.relativePath, table: context.table, traceLimit: traceLimit,
                                        readingPolicy: context.readingPolicy)
        var format: Format?
        var headerProblem: String?
        var sawHeader = false
        var preambleRecords = 0
        var headerLine = 0
        let statistics: CSVReadStatistics
        do {
            var source = try CSVFileSource(path: file.path)
            statistics = try CSVStreamReader(dialect: context.dialect, limits: limits).read(
                from: &source,
                onRecord: { record in
                    if format != nil {
                        format!.read(record, into: &aggregator)
                        return .proceed
                    }
                    sawHeader = true
                    switch Format.make(header: record, context: context) {
                    case .format(let made):
                        format = made
                        headerLine = record.line
                        return .proceed
                    case .preamble:
                        preambleRecords += 1
                        if preambleRecords > 50 {
                            headerProblem = "no header found in the first 50 records"
                            return .stop
                        }
                        aggregator.ignore("preamble lines before the header")
                        return .proceed
                    case .mismatch(let mismatch):
                        headerProblem = "line \(record.line): \(mismatch.message)"
                        return .stop
                    }
                },
                onMalformed: { malformed in
                    aggregator.reject(
                        line: malformed.line, column: malformed.column.map { format?.columnName($0 - 1) ?? "#\($0)" }
                            ?? "", reason: malformed.reason, raw: malformed.raw, site: file.source.site)
                })
        } catch {
            return failed(file, error.at(file.path).description)
        }
        if let headerProblem {
            return failed(file, "\(headerProblem); check `format: \(file.source.format.rawValue)` of "
                + "sources[\(file.source.index)] or run `parkimpact sniff \(file.path)`")
        }
        if !sawHeader {
            return failed(file, "no header and no data (only blank lines); export it again")
        }
        guard format != nil else {
            return failed(file, "no header found (only \(preambleRecords) preamble record(s)); check `format: "
                + "\(file.source.format.rawValue)` of sources[\(file.source.index)] or run `parkimpact sniff \(file.path)`")
        }
        format!.finish(into: &aggregator)
        let summary = FileSummary(
            path: file.relativePath, format: file.source.format.rawValue, dialect: context.dialect.description,
            acceptedRows: aggregator.acceptedRows, rejectedRows: aggregator.rejects.count,
            ignoredRows: aggregator.ignoredRows, problem: nil)
        return FileResult(file: file, trace: aggregator.trace, mapping: format!.mapping, headerLine: headerLine,
                          series: aggregator.seriesData(), rejects: aggregator.rejects, summary: summary,
                          statistics: statistics)
    }

    /// An unreadable file: one clear message, no partial data.
    static func failed(_ file: InputFile, _ message: String) -> FileResult {
        let text = message.hasPrefix(file.path) ? message : "\(file.path): \(message)"
        return FileResult(
            file: file, series: [], rejects: [],
            summary: FileSummary(path: file.relativePath, format: file.source.format.rawValue, dialect: "",
                                 acceptedRows: 0, rejectedRows: 0, ignoredRows: [:], problem: text),
            statistics: CSVReadStatistics())
    }
}

extension PipelineDefinition.DialectOverrides {
    /// The file's dialect: detected from its first bytes with the forced encoding and delimiter, then the forced
    /// decimal mark and thousands separator.
    public func applied(to prefix: [UInt8]) -> CSVDialect {
        var dialect = prefix.withUnsafeBytes { CSVDialect.detect(prefix: $0, encoding: encoding, delimiter: delimiter) }
        if let decimalMark {
            dialect.decimalMark = decimalMark
            if dialect.groupingSeparator == decimalMark { dialect.groupingSeparator = nil }
        }
        if let groupingSeparator { dialect.groupingSeparator = groupingSeparator }
        return dialect
    }
}
