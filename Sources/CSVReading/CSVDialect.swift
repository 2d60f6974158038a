/// Text encodings ParkImpact recognises in a file's first bytes.
public enum CSVTextEncoding: String, Sendable, Equatable {
    case utf8 = "UTF-8"
    case utf16LittleEndian = "UTF-16LE"
    case utf16BigEndian = "UTF-16BE"
    case windows1252 = "Windows-1252"
    case binary = "binary"
}

/// How a CSV file is written: what libcsv needs (delimiter, quote) and what the reader strips first (BOM, `sep=`).
public struct CSVDialect: Sendable, Equatable, CustomStringConvertible {
    public var delimiter: UInt8
    public var quote: UInt8
    /// `,` or `.`: for the number parser, not for libcsv.
    public var decimalMark: UInt8
    public var encoding: CSVTextEncoding
    /// Bytes of byte-order mark at the start of the file (stripped before libcsv sees them).
    public var byteOrderMarkLength: Int
    /// The first line is Excel's `sep=X` hint (skipped, counted as preamble).
    public var hasSeparatorLine: Bool
    /// `\n` (LF and CRLF files) or `\r` (old Mac files).
    public var lineTerminator: UInt8
    public var usesCRLF: Bool

    public init(
        delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\""), decimalMark: UInt8 = UInt8(ascii: "."),
        encoding: CSVTextEncoding = .utf8, byteOrderMarkLength: Int = 0, hasSeparatorLine: Bool = false,
        lineTerminator: UInt8 = 0x0A, usesCRLF: Bool = false
    ) {
        self.delimiter = delimiter
        self.quote = quote
        self.decimalMark = decimalMark
        self.encoding = encoding
        self.byteOrderMarkLength = byteOrderMarkLength
        self.hasSeparatorLine = hasSeparatorLine
        self.lineTerminator = lineTerminator
        self.usesCRLF = usesCRLF
    }

    public var description: String {
        var parts = ["delimiter \(CSVDialect.name(of: delimiter))"]
        parts.append(decimalMark == UInt8(ascii: ",") ? "decimal comma" : "decimal point")
        parts.append(encoding.rawValue + (byteOrderMarkLength > 0 ? " with BOM" : ""))
        parts.append(usesCRLF ? "CRLF" : (lineTerminator == 0x0D ? "CR" : "LF"))
        if hasSeparatorLine { parts.append("sep= line") }
        return parts.joined(separator: ", ")
    }

    static func name(of byte: UInt8) -> String {
        switch byte {
        case 0x09: return "tab"
        case UInt8(ascii: ";"): return "';'"
        case UInt8(ascii: ","): return "','"
        case UInt8(ascii: "|"): return "'|'"
        default: return "'\(Character(Unicode.Scalar(byte)))'"
        }
    }

    /// Delimiters the detector tries, in order of preference on a tie.
    public static let candidateDelimiters: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), 0x09, UInt8(ascii: "|")]

    /// Detects the dialect from a file's first bytes (64 KiB is plenty).
    public static func detect(prefix: UnsafeRawBufferPointer) -> CSVDialect {
        var dialect = CSVDialect()
        let bytes = Array(prefix)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            dialect.byteOrderMarkLength = 3
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            dialect.encoding = .utf16LittleEndian
            dialect.byteOrderMarkLength = 2
            return dialect
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            dialect.encoding = .utf16BigEndian
            dialect.byteOrderMarkLength = 2
            return dialect
        }
        let body = bytes[dialect.byteOrderMarkLength...]
        if let encoding = nulPatternEncoding(body) {
            dialect.encoding = encoding
            return dialect
        }
        if !isValidUTF8(body) { dialect.encoding = .windows1252 }

        // Line terminator.
        if let lf = body.firstIndex(of: 0x0A) {
            dialect.lineTerminator = 0x0A
            dialect.usesCRLF = lf > body.startIndex && body[lf - 1] == 0x0D
        } else if body.contains(0x0D) {
            dialect.lineTerminator = 0x0D
        }
        var lines = body.split(separator: dialect.lineTerminator, omittingEmptySubsequences: false)
            .map { $0.last == 0x0D ? $0.dropLast() : $0[...] }
        if body.count == prefix.count - dialect.byteOrderMarkLength, lines.count > 1,
           prefix.count >= 65_536 { lines.removeLast() }  // the last line of a cut prefix may be partial

        // Excel's `sep=;` hint.
        if let first = lines.first {
            let text = Array(first.filter { $0 != UInt8(ascii: "\"") })
            if text.count == 5, text.starts(with: Array("sep=".utf8)) {
                dialect.delimiter = text[4]
                dialect.hasSeparatorLine = true
                lines.removeFirst()
            }
        }
        let nonBlank = lines.filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        let sample = Array(nonBlank.prefix(30))
        if !dialect.hasSeparatorLine {
            dialect.delimiter = bestDelimiter(sample, quote: dialect.quote)
        }
        // All lines of the prefix, not only the first 30: a Fluvius export can open with a night of empty volumes
        // (`Geen verbruik`), and 30 lines without a single number decided "decimal point".
        dialect.decimalMark = decimalMark(nonBlank, delimiter: dialect.delimiter)
        return dialect
    }

    /// UTF-16 without BOM shows NUL in every other byte of ASCII text; other NULs mean binary data.
    static func nulPatternEncoding(_ body: ArraySlice<UInt8>) -> CSVTextEncoding? {
        let head = body.prefix(512)
        guard head.contains(0) else { return nil }
        var evenNul = 0, oddNul = 0
        for (offset, byte) in head.enumerated() where byte == 0 {
            if offset % 2 == 0 { evenNul += 1 } else { oddNul += 1 }
        }
        let pairs = head.count / 2
        if oddNul * 10 >= pairs * 8, evenNul == 0 { return .utf16LittleEndian }
        if evenNul * 10 >= pairs * 8, oddNul == 0 { return .utf16BigEndian }
        return .binary
    }

    static func isValidUTF8(_ body: ArraySlice<UInt8>) -> Bool {
        // A multi-byte sequence cut at the end of the prefix is not an error: leave an incomplete last sequence out.
        // (Tolerating "one error anywhere" instead let a short Windows-1252 file with one `ä` pass as UTF-8.)
        var end = body.endIndex
        var lead = end
        while lead > body.startIndex, end - lead < 3, body[lead - 1] & 0xC0 == 0x80 { lead -= 1 }
        if lead > body.startIndex {
            let byte = body[lead - 1]
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if length > end - (lead - 1) { end = lead - 1 }
        }
        var iterator = body[body.startIndex..<end].makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Picks the candidate whose count per line (outside quotes) is most consistent and non-zero.
    static func bestDelimiter(_ lines: [ArraySlice<UInt8>], quote: UInt8) -> UInt8 {
        var best: (delimiter: UInt8, lines: Int, fields: Int) = (UInt8(ascii: ","), -1, 0)
        for candidate in candidateDelimiters {
            var counts: [Int: Int] = [:]
            for line in lines {
                var inQuotes = false
                var count = 0
                for byte in line {
                    if byte == quote { inQuotes.toggle() } else if byte == candidate, !inQuotes { count += 1 }
                }
                if count > 0 { counts[count, default: 0] += 1 }
            }
            guard let mode = counts.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { continue }
            if mode.value > best.lines || (mode.value == best.lines && mode.key > best.fields) {
                best = (candidate, mode.value, mode.key)
            }
        }
        return best.delimiter
    }

    /// Decimal comma when numbers like `0,173` outnumber `0.173` (only possible when `,` is not the delimiter).
    /// Without evidence either way, a `;` file has a decimal comma: `;` is the list separator of the locales that
    /// write decimal commas (Excel in nl-BE, fr-BE, de), which is why those exports use it.
    static func decimalMark(_ lines: [ArraySlice<UInt8>], delimiter: UInt8) -> UInt8 {
        guard delimiter != UInt8(ascii: ",") else { return UInt8(ascii: ".") }
        var comma = 0, point = 0
        for line in lines {
            for field in line.split(separator: delimiter, omittingEmptySubsequences: true) {
                switch decimalSeparatorShape(field) {
                case UInt8(ascii: ","): comma += 1
                case UInt8(ascii: "."): point += 1
                default: break
                }
            }
        }
        if comma == point, delimiter == UInt8(ascii: ";") { return UInt8(ascii: ",") }
        return comma > point ? UInt8(ascii: ",") : UInt8(ascii: ".")
    }

    /// `12,5` → `,`; `12.5` → `.`; anything else → nil. (`12.345,6` style with thousands groups is not counted.)
    static func decimalSeparatorShape(_ field: ArraySlice<UInt8>) -> UInt8? {
        var digitsBefore = 0, digitsAfter = 0
        var separator: UInt8?
        for (position, byte) in field.enumerated() {
            if byte >= 0x30, byte <= 0x39 {
                if separator == nil { digitsBefore += 1 } else { digitsAfter += 1 }
            } else if (byte == UInt8(ascii: ",") || byte == UInt8(ascii: ".")), separator == nil {
                separator = byte
            } else if position == 0, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                continue
            } else {
                return nil
            }
        }
        return digitsBefore > 0 && digitsAfter > 0 ? separator : nil
    }
}
