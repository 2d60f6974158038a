import CSVReading

/// What a format reader knows while reading one file.
struct ReadContext {
    let file: String
    let source: PipelineDefinition.Source
    let siteIDs: [String]
    let table: LocalTimeTable
    let dialect: CSVDialect
}

/// A format reader: recognises its header, then turns records into readings in the aggregator.
protocol RowFormat {
    /// Columns of the header as written, for naming the column of a reject.
    var columnNames: [String] { get }
    /// Reads the header record; nil with a message when the header is not this format's.
    static func make(header: CSVRecord, context: ReadContext) -> Result<Self, HeaderMismatch>
    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator)
}

/// Why a header was not recognised: what was expected and found, shown to the coordinator.
struct HeaderMismatch: Error {
    let message: String
}

extension RowFormat {
    /// The header name of a 0-based column, or `#n`.
    func columnName(_ index: Int) -> String {
        index < columnNames.count ? columnNames[index] : "#\(index + 1)"
    }

    /// Checks the field count against the header; extra trailing empty fields are tolerated.
    func checkFieldCount(_ record: CSVRecord, into aggregator: inout FileAggregator, site: String?) -> Bool {
        let expected = columnNames.count
        if record.fieldCount == expected { return true }
        if record.fieldCount > expected,
           (expected..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) { return true }
        aggregator.reject(
            line: record.line, column: columnName(min(record.fieldCount, expected - 1)),
            reason: "expected \(expected) fields as in the header, found \(record.fieldCount)",
            raw: record.rawText(), site: site)
        return false
    }
}

/// Normalises a header name for matching: lower case, trimmed, inner spaces collapsed.
func normalisedHeader(_ text: String) -> String {
    text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
}
