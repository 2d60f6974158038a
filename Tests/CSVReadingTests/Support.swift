import CSVReading
import Foundation
import Testing

// Helpers shared by the CSVReading tests: read bytes the way the import does and keep what a user of the reader
// sees (records with their lines, rejects, counts) as plain values that compare with `==`.

/// One record as the record handler saw it.
struct Row: Equatable, CustomStringConvertible {
    var line: Int
    var fieldCount: Int
    var fields: [String]
    var raw: String

    var description: String { "line \(line): \(fields)" }
}

/// Everything one read produced.
struct Outcome: Equatable {
    var rows: [Row]
    var malformed: [CSVMalformedRecord]
    var statistics: CSVReadStatistics

    var fields: [[String]] { rows.map(\.fields) }
    var lines: [Int] { rows.map(\.line) }
    var malformedLines: [Int] { malformed.map(\.line) }
}

/// A named input for parameterised tests (the name is what the test report shows).
struct Input: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]

    init(_ name: String, _ text: String) {
        self.name = name
        bytes = Array(text.utf8)
    }

    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var testDescription: String { name }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Plain lines that push what follows past the 512 bytes the detector inspects for NUL bytes (a NUL there means
/// binary data, and the file is refused whole).
let paddingPastTheDetector = (1...60).map { "\($0),padding\n" }.joined()

/// `text` as UTF-16 code units, without a byte-order mark ("Unicode text" in Excel's save dialog).
func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
    var result: [UInt8] = []
    for unit in text.utf16 {
        let pair = [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
        result += bigEndian ? pair.reversed() : pair
    }
    return result
}

/// The dialect the import would detect from the first 64 KiB of `input`.
func detect(_ input: [UInt8]) -> CSVDialect {
    Array(input.prefix(65_536)).withUnsafeBytes { CSVDialect.detect(prefix: $0) }
}

func detect(_ text: String) -> CSVDialect { detect(bytes(text)) }

/// Reads `input` (dialect detected unless given) through a memory source handing out at most `maxRead` bytes a read.
func read(
    _ input: [UInt8], dialect: CSVDialect? = nil, limits: CSVReadLimits = CSVReadLimits(), maxRead: Int = .max
) throws(CSVFileError) -> Outcome {
    var source = CSVMemorySource(input, maxRead: maxRead)
    return try read(from: &source, dialect: dialect ?? detect(input), limits: limits)
}

func read(
    _ text: String, dialect: CSVDialect? = nil, limits: CSVReadLimits = CSVReadLimits(), maxRead: Int = .max
) throws(CSVFileError) -> Outcome {
    try read(bytes(text), dialect: dialect, limits: limits, maxRead: maxRead)
}

func read(from source: inout some CSVByteSource, dialect: CSVDialect, limits: CSVReadLimits = CSVReadLimits())
    throws(CSVFileError) -> Outcome {
    var rows: [Row] = []
    var malformed: [CSVMalformedRecord] = []
    let statistics = try CSVStreamReader(dialect: dialect, limits: limits).read(
        from: &source,
        onRecord: { record in
            rows.append(Row(line: record.line, fieldCount: record.fieldCount, fields: record.strings,
                            raw: record.rawText()))
            return .proceed
        },
        onMalformed: { malformed.append($0) })
    return Outcome(rows: rows, malformed: malformed, statistics: statistics)
}

/// Physical lines of a text as an editor shows them: split at LF, CRLF or CR; a final terminator ends the last line.
func physicalLines(_ input: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var index = 0
    while index < input.count {
        let byte = input[index]
        if byte == 0x0A || byte == 0x0D {
            lines.append(input[start..<index])
            if byte == 0x0D, index + 1 < input.count, input[index + 1] == 0x0A { index += 1 }
            start = index + 1
        }
        index += 1
    }
    if start < input.count { lines.append(input[start...]) }
    return lines
}
