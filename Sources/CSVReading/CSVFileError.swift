#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A file that cannot be read at all (as opposed to a bad row, which is a reject).
///
/// Its description says which file, what is wrong and how to fix it.
public struct CSVFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case notFound = "not found"
        case permissionDenied = "permission denied"
        case notAFile = "not a file"
        case io = "I/O error"
        case binary = "binary data"
        case empty = "empty file"

        /// The stable snake_case code of diagnostics and `last-run.json`.
        public var stableCode: String {
            switch self {
            case .notFound: "file_not_found"
            case .permissionDenied: "permission_denied"
            case .notAFile: "not_a_file"
            case .io: "io_error"
            case .binary: "binary_data"
            case .empty: "empty_file"
            }
        }
    }

    public var code: Code
    public var path: String?
    public var detail: String?

    public init(code: Code, path: String?, detail: String? = nil) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    static func fromErrno(_ number: Int32, path: String) -> CSVFileError {
        switch number {
        case ENOENT: return CSVFileError(code: .notFound, path: path)
        case EACCES, EPERM: return CSVFileError(code: .permissionDenied, path: path)
        case EISDIR: return CSVFileError(code: .notAFile, path: path)
        default: return CSVFileError(code: .io, path: path, detail: String(cString: strerror(number)))
        }
    }

    /// The same error, naming `path`.
    public func at(_ path: String) -> CSVFileError {
        var copy = self
        copy.path = path
        return copy
    }

    /// What to do about it.
    public var fix: String {
        switch code {
        case .notFound: return "check the path (was the file moved or renamed while the run started?)"
        case .permissionDenied: return "make the file readable for the user that runs parkimpact (chmod o+r)"
        case .notAFile: return "point the source at files, not folders"
        case .io: return "check the disk and try again"
        case .binary: return "this is not a CSV text export (an .xlsx or a zip?): export or save it as CSV"
        case .empty: return "export it again; an empty file carries no data"
        }
    }

    public var description: String {
        let what = detail.map { "\(code.rawValue) (\($0))" } ?? code.rawValue
        return "\(path ?? "input"): cannot read: \(what); \(fix)"
    }
}
