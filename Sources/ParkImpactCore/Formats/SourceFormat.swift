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
///
/// To add a format: a type conforming to `RowFormat` in `Formats/<Name>.swift`, and one line in
/// `FormatRegistry.readers`.
protocol RowFormat {
    /// Columns of the header as written, for naming the column of a reject.
    var columnNames: [String] { get }
    /// Called with the first records until it returns `.format` (the header was found) or `.mismatch`;
    /// `.preamble` skips a record before the header (title lines, `Version CSV3|...`), counted, at most 50.
    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<Self>
    /// Every record after the header. Footer lines, unit rows and the like are the format's to skip (`ignore`).
    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator)
    /// End of file: emit what is still held back (the last reading of a cumulative register, ...).
    mutating func finish(into aggregator: inout FileAggregator)
    /// Whether the first records of a file (as text) look like this format: for `sniff`.
    static func detect(_ records: [[String]]) -> Bool
}

extension RowFormat {
    mutating func finish(into aggregator: inout FileAggregator) {}
}

/// What `RowFormat.make` says about a record seen before the data.
enum HeaderOutcome<Format> {
    case format(Format)
    case preamble
    case mismatch(HeaderMismatch)
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

/// How numbers are written in a file: decimal mark and, when the dialect shows one, a thousands separator.
struct NumberStyle {
    let decimalMark: UInt8
    let groupingSeparator: UInt8?

    init(decimalMark: UInt8, groupingSeparator: UInt8?) {
        self.decimalMark = decimalMark
        self.groupingSeparator = groupingSeparator == decimalMark ? nil : groupingSeparator
    }

    init(_ dialect: CSVDialect) {
        self.init(decimalMark: dialect.decimalMark, groupingSeparator: dialect.groupingSeparator)
    }

    @inline(__always)
    func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        FieldParsing.decimal(bytes, decimalMark: decimalMark, groupingSeparator: groupingSeparator)
    }

    /// The decimal mark as text, for messages.
    var markText: String { String(UnicodeScalar(decimalMark)) }
}
