/// One parsed record, handed to the record handler of ``CSVStreamReader``.
///
/// A view: its field bytes live in the reader's buffers and are valid only during the handler call. Copy what you
/// keep (``string(_:)``). Fields are raw bytes as libcsv delivered them (quotes removed, `""` unescaped, unquoted
/// fields trimmed of surrounding spaces); no `String` is created unless asked for.
public struct CSVRecord {
    /// Physical line (1-based) where the record starts; records can span lines inside quoted fields.
    public let line: Int
    /// Number of fields libcsv found (libcsv never checks field counts: compare with the header yourself).
    public let fieldCount: Int
    @usableFromInline let storage: UnsafeRawPointer
    /// `offsets[i]..<offsets[i + 1]` are the bytes of field `i` in `storage`.
    @usableFromInline let offsets: UnsafePointer<Int>
    /// The record's raw text (without the line terminator), for reject messages.
    public let raw: UnsafeRawBufferPointer

    /// The bytes of field `index` (0-based); an empty buffer when the record has fewer fields.
    @inlinable @inline(__always)
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0, index < fieldCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = offsets[index]
        return UnsafeRawBufferPointer(start: storage + start, count: offsets[index &+ 1] &- start)
    }

    /// Field `index` decoded as UTF-8 (invalid bytes replaced), or "" when absent.
    public func string(_ index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }

    /// All fields as strings (for headers and diagnostics, not for the hot path).
    public var strings: [String] { (0..<fieldCount).map(string) }

    /// The raw text of the record, cut to `limit` bytes.
    public func rawText(limit: Int = 4096) -> String {
        CSVRecord.text(raw, limit: limit)
    }

    /// Appends the raw bytes of the record, cut to `limit` bytes like ``rawText(limit:)``: decoded as UTF-8 they are
    /// its text.
    public func appendRawText(to buffer: inout [UInt8], limit: Int = 4096) {
        if raw.count <= limit {
            buffer.append(contentsOf: raw)
        } else {
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<limit]))
            buffer.append(contentsOf: "…".utf8)
        }
    }

    static func text(_ bytes: UnsafeRawBufferPointer, limit: Int) -> String {
        if bytes.count <= limit { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<limit]), as: UTF8.self) + "…"
    }
}

/// A record libcsv could not parse, or a line the reader refused (too long, NUL bytes, too many fields).
public struct CSVMalformedRecord: Sendable, Equatable {
    /// The kind of problem; its raw value is the stable code of `rejects.csv`.
    public enum Kind: String, Sendable {
        case lineTooLong = "line_too_long"
        case nulBytes = "nul_bytes"
        case malformedQuoting = "malformed_quoting"
        case unterminatedQuote = "unterminated_quote"
        case tooManyFields = "too_many_fields"
    }

    /// Physical line (1-based) where the record starts.
    public let line: Int
    /// 1-based field position of the problem, when known.
    public let column: Int?
    /// What is wrong, in words a coordinator understands.
    public let reason: String
    /// The raw text (cut to 4 KiB).
    public let raw: String
    public let kind: Kind

    public init(line: Int, column: Int?, kind: Kind, reason: String, raw: String) {
        self.line = line
        self.column = column
        self.kind = kind
        self.reason = reason
        self.raw = raw
    }
}

/// What a record handler tells the reader.
public enum CSVReadControl: Sendable {
    case proceed
    case stop
}

/// Counts that let a caller prove no line disappeared: every physical line is a record line, a malformed line,
/// a blank line or a preamble line.
public struct CSVReadStatistics: Sendable, Equatable {
    public var bytes: Int = 0
    public var physicalLines: Int = 0
    public var records: Int = 0
    public var malformedRecords: Int = 0
    public var blankLines: Int = 0
    public var preambleLines: Int = 0
    public var stoppedEarly: Bool = false
    /// Characters of UTF-16 text that could not be decoded (a lone surrogate, an odd last byte) and became U+FFFD.
    public var replacedCharacters: Int = 0
    /// Where the reader stopped when it was asked to stop at a record boundary (``CSVStreamReader/stopAtRecordBoundary``):
    /// the source offset just after the last line read (then `bytes` is the same); nil when it read to the end.
    public var stoppedAtBoundary: Int?

    public init() {}
}
