package import CSVReading
import ParkImpactModel
import Synchronization
import ParkImpactDefinition

/// What a format reader knows while reading one file.
package struct ReadContext: Sendable {
    let file: String
    let source: PipelineDefinition.Source
    let siteIDs: [String]
    /// The source's zone (`timezone:`, else the pilot's): local times in the file are read in it.
    let table: LocalTimeTable
    let dialect: CSVDialect
    /// Which series keep their readings one by one (PV matching).
    var readingPolicy: IntervalReadingPolicy = .none
    /// Compute the SHA-256 of the file's bytes while reading it from the start (`FileResult.sha256`): the ledger's
    /// fingerprint without a second read of the file.
    var fingerprint = false
    /// The pilot's zone, when the source has another: local days (cells, months, years) are the pilot's, whatever
    /// zone the file's times are written in (a UTC export's day ends at midnight in Brussels). nil: `table`.
    var dayTable: LocalTimeTable? = nil
    /// A chunk read keeps the sum log of the cells begun on its first `sumLogLines` lines
    /// (`FileAggregator.keepSumLog`); nil: about an eighth of the chunk; 0: none (every shared day is read again).
    var sumLogLines: Int? = nil
    /// The file, opened once (`ReadFile.prepare`): every pass and chunk reads this descriptor, never the path again.
    let opened: CSVOpenedFile
    /// Set once the file's chunks are of no use (it will be read sequentially): chunk reads in progress stop.
    var chunksAbandoned: AbandonFlag? = nil

    /// The zone of the aggregate's local days.
    var daysTable: LocalTimeTable { dayTable ?? table }

    /// The source's `date_format` when it is a date layout: the format parses its dates with it instead of
    /// detecting the layout from the rows.
    var forcedLayout: DateTimeLayout? {
        if case .layout(let layout)? = source.dateFormat { return layout }
        return nil
    }
}

/// A format reader: recognises its header, then turns records into readings in the aggregator.
///
/// To add a format: a type conforming to `RowFormat` in `<Name>.swift` of this target (checklist in README.md), and one line in
/// `FormatRegistry.readers`.
protocol RowFormat: SendableMetatype {
    /// Columns of the header as written, for naming the column of a reject.
    var columnNames: [String] { get }
    /// The header column of the format's one value per row (rejects made by the aggregator name it), nil when a row
    /// has several values (the format sets `FileAggregator.valueColumn` before each `add`). Default nil.
    var valueColumnIndex: Int? { get }
    /// The header column of a row's time (its date, when date and time are two columns): a reading whose time is
    /// out of range (`date_out_of_range`) names it. Default nil.
    var timeColumnIndex: Int? { get }
    /// Called with the first records until it returns `.format` (the header was found) or `.mismatch`;
    /// `.preamble` skips a record before the header (title lines, `Version CSV3|...`), counted, at most
    /// `preambleLimit`.
    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<Self>
    /// Every record after the header. Footer lines, unit rows and the like are the format's to skip (`ignore`).
    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator)
    /// End of file: emit what is still held back (the last reading of a cumulative register, ...).
    mutating func finish(into aggregator: inout FileAggregator)
    /// Whether the first records of a file (as text) look like this format: for `sniff`.
    static func detect(_ records: [[String]]) -> Bool
    /// How many records before the header `ReadFile` skips as preamble before it gives up (default 50).
    static var preambleLimit: Int { get }
    /// Whether a `.mismatch` before the header is skipped like a preamble record (free-text legends that look like
    /// a header): the first mismatch is reported when no header is found within `preambleLimit`. Default false.
    static var mismatchesBeforeHeaderArePreamble: Bool { get }
    /// Which header column is read as what, in header order (`Volume → value, kWh`), every other named column
    /// `ignored`: built from the column indices the format holds. Asked once, after `finish`, so that layouts
    /// detected from the rows are known (`sniff` shows it).
    var mapping: [ColumnRole] { get }
    /// Rows are independent given the header: a large file may be split at record boundaries and its chunks read
    /// in parallel (`ReadFile.readChunked`). Per-series state that crosses rows is checked when the chunks are
    /// merged (`orderDependentKeys`, `FileAggregator.usedInferredInterval`): the file is read sequentially when a
    /// chunk boundary would change a result. Default false (and `finish` is never called per chunk).
    static var readsInChunks: Bool { get }
    /// `readsInChunks` for a file of `source` (a source whose mapping needs state across all rows is read whole).
    /// Default `readsInChunks`.
    static func readsInChunks(_ source: PipelineDefinition.Source) -> Bool
    /// Whether a file with this header may be read in chunks (`readsInChunks`): false when its header already says
    /// that a chunk boundary would split what row order decides (a Fluvius gas export: whether an m³ row is the twin
    /// of a kWh row depends on the row before it), so that the file is not read in chunks only to be read again
    /// sequentially. Default true.
    var chunkable: Bool { get }
    /// Whether what the format learns from a file's first data rows (a date layout detected from the first row) is
    /// known: a chunk after the first begins with the format as a read from the file's start would have it there
    /// (`adoptPriming`). Default true.
    var primed: Bool { get }
    /// Takes over what `primed` (a format that read the file's first data rows) learnt from them, nothing else: its
    /// series belong to another aggregate. Default: nothing.
    mutating func adoptPriming(from primed: Self)
    /// The merged aggregate of a file read in chunks, before its result is made: what a limit on named details
    /// applies to the whole file. Default: nothing.
    static func finishMerged(_ aggregator: inout FileAggregator)
    /// Per-series decisions this reader took by row order (the autumn repeated hour: first occurrence = summer
    /// time), named with the series keys. Two chunks of a file sharing one means a boundary split what row order
    /// decides, so the file is read sequentially instead.
    func orderDependentKeys(_ seriesKeys: [SeriesKey]) -> Set<String>
    /// Where a series read as interval values comes from and how to read it right, for the `register_as_interval`
    /// refusal (`RegisterEvidence`): `(what, fix)`.
    func registerAdvice(for key: SeriesKey, sourceIndex: Int) -> (what: String, fix: String)
}

extension RowFormat {
    mutating func finish(into aggregator: inout FileAggregator) {}
    static var readsInChunks: Bool { false }
    static func readsInChunks(_ source: PipelineDefinition.Source) -> Bool { readsInChunks }
    var chunkable: Bool { true }
    var primed: Bool { true }
    mutating func adoptPriming(from primed: Self) {}
    static func finishMerged(_ aggregator: inout FileAggregator) {}
    static var preambleLimit: Int { 50 }
    static var mismatchesBeforeHeaderArePreamble: Bool { false }
    func orderDependentKeys(_ seriesKeys: [SeriesKey]) -> Set<String> { [] }
    func registerAdvice(for key: SeriesKey, sourceIndex: Int) -> (what: String, fix: String) {
        ("series \(key)", "its values must be the use per interval: export the use per interval, or read the register "
            + "with `format: generic` and `kind: cumulative`")
    }
}

/// One line of a format's column mapping: a header column (or several read together, `Datum + Tijd`) and its role.
public struct ColumnRole: Sendable, Equatable, CustomStringConvertible {
    public let column: String
    public let role: String

    public init(column: String, role: String) {
        self.column = column
        self.role = role
    }

    /// `Volume → value, kWh`.
    public var description: String { "\(column) → \(role)" }
}

/// A format's mapping from its header: `roles` name 0-based columns (several columns read together, like a date and
/// a time column, in one entry joined with ` + `); every other column with a name is `ignored`. In header order of
/// each entry's first column; columns out of range and blank header cells are left out.
func columnMapping(_ names: [String], _ roles: [(columns: [Int?], role: String)]) -> [ColumnRole] {
    var entries: [(first: Int, role: ColumnRole)] = []
    var claimed = Set<Int>()
    for (columns, role) in roles {
        let present = columns.compactMap { $0 }.filter { $0 >= 0 && $0 < names.count && !claimed.contains($0) }
        guard let first = present.first else { continue }
        claimed.formUnion(present)
        entries.append((first, ColumnRole(column: present.map { names[$0].trimmingSpaces }.joined(separator: " + "),
                                          role: role)))
    }
    for (index, name) in names.enumerated() where !claimed.contains(index) && !name.trimmingSpaces.isEmpty {
        entries.append((index, ColumnRole(column: name.trimmingSpaces, role: "ignored")))
    }
    return entries.enumerated().sorted { ($0.element.first, $0.offset) < ($1.element.first, $1.offset) }
        .map(\.element.role)
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

    var valueColumnIndex: Int? { nil }
    var timeColumnIndex: Int? { nil }

    /// The name of the value column `index` (a `FileAggregator.valueColumn`; -1: `valueColumnIndex`;
    /// `FileAggregator.timeColumn`: `timeColumnIndex`), "" when none.
    func valueColumnName(_ index: Int) -> String {
        if index >= 0 { return columnName(index) }
        if index == FileAggregator.timeColumn { return timeColumnIndex.map(columnName) ?? "" }
        return valueColumnIndex.map(columnName) ?? ""
    }

    /// Checks the field count against the header. Extra empty fields at the end are a trailing delimiter when the
    /// file's first data row has as many (an exporter or a spreadsheet that ends every row with `;`); a row with
    /// more than that has a delimiter too many somewhere, its columns shifted: rejected, never read shifted.
    func checkFieldCount(_ record: CSVRecord, into aggregator: inout FileAggregator, site: String?) -> Bool {
        let expected = columnNames.count
        if record.fieldCount == expected {
            if aggregator.trailingEmptyFields == nil { aggregator.trailingEmptyFields = 0 }
            return true
        }
        if record.fieldCount > expected,
           (expected..<record.fieldCount).allSatisfy({ FieldParsing.isBlank(record[$0]) }) {
            let extra = record.fieldCount - expected
            if aggregator.trailingEmptyFields == nil { aggregator.trailingEmptyFields = extra }
            if extra <= aggregator.trailingEmptyFields! { return true }
            aggregator.reject(
                line: record.line, column: columnName(expected - 1), code: .headerMismatch,
                reason: "expected \(expected) fields as in the header, found \(record.fieldCount): a delimiter too many "
                    + "shifts this row's columns (the last ones are empty, which the file's first row does not have)",
                raw: record.rawText(), site: site)
            return false
        }
        aggregator.reject(
            line: record.line, column: columnName(min(record.fieldCount, expected - 1)), code: .headerMismatch,
            reason: "expected \(expected) fields as in the header, found \(record.fieldCount)",
            raw: record.rawText(), site: site)
        return false
    }
}

/// How numbers are written in a file: decimal mark and, when the dialect shows one, a thousands separator.
package struct NumberStyle {
    let decimalMark: UInt8
    let groupingSeparator: UInt8?

    init(decimalMark: UInt8, groupingSeparator: UInt8?) {
        self.decimalMark = decimalMark
        self.groupingSeparator = groupingSeparator == decimalMark ? nil : groupingSeparator
    }

    package init(_ dialect: CSVDialect) {
        self.init(decimalMark: dialect.decimalMark, groupingSeparator: dialect.groupingSeparator)
    }

    @inline(__always)
    package func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        FieldParsing.decimal(bytes, decimalMark: decimalMark, groupingSeparator: groupingSeparator)
    }

    /// The decimal mark as text, for messages.
    var markText: String { String(UnicodeScalar(decimalMark)) }
}

/// A flag set once, read by reads in progress on other threads (`ReadContext.chunksAbandoned`).
package final class AbandonFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    package init() {}

    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }

    /// How often (in records) a chunk read looks at the flag: a mask of the line number.
    static let checkMask = 1_023
}
