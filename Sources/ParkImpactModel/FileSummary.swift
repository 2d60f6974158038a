/// What a source file gave: for the report's data section and the run summary.
public struct FileSummary: Sendable, Equatable {
    /// Path relative to the input folder, e.g. `demo-park/acme/x.csv`.
    public let path: String
    public let format: String
    public let dialect: String
    public let acceptedRows: Int
    public let rejectedRows: Int
    /// Rows deliberately not used, by reason (m³ twins, reactive energy, ...).
    public let ignoredRows: [String: Int]
    /// Set when the file could not be read at all.
    public let problem: String?
    /// The stable code of `problem` (`register_as_interval`, `all_rows_rejected`, `binary_data`, …).
    public var problemCode: String? = nil

    package init(path: String, format: String, dialect: String, acceptedRows: Int, rejectedRows: Int, ignoredRows: [String: Int], problem: String?, problemCode: String? = nil) {
        self.path = path
        self.format = format
        self.dialect = dialect
        self.acceptedRows = acceptedRows
        self.rejectedRows = rejectedRows
        self.ignoredRows = ignoredRows
        self.problem = problem
        self.problemCode = problemCode
    }
}
