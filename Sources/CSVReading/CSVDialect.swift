#if canImport(Glibc)
import Glibc
#endif

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
    /// The thousands separator numbers show (`.` in `1.234,5`), for
    /// `FieldParsing.decimal(_:decimalMark:groupingSeparator:)`; nil unless the sample shows it unambiguously.
    /// `0x20` stands for any space (also no-break and narrow no-break), `'` also for `’`.
    public var groupingSeparator: UInt8?

    public init(
        delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\""), decimalMark: UInt8 = UInt8(ascii: "."),
        encoding: CSVTextEncoding = .utf8, byteOrderMarkLength: Int = 0, hasSeparatorLine: Bool = false,
        lineTerminator: UInt8 = 0x0A, usesCRLF: Bool = false, groupingSeparator: UInt8? = nil
    ) {
        self.delimiter = delimiter
        self.quote = quote
        self.decimalMark = decimalMark
        self.encoding = encoding
        self.byteOrderMarkLength = byteOrderMarkLength
        self.hasSeparatorLine = hasSeparatorLine
        self.lineTerminator = lineTerminator
        self.usesCRLF = usesCRLF
        self.groupingSeparator = groupingSeparator
    }

    public var description: String {
        var parts = ["delimiter \(CSVDialect.name(of: delimiter))"]
        parts.append(decimalMark == UInt8(ascii: ",") ? "decimal comma" : "decimal point")
        if let groupingSeparator { parts.append("thousands \(CSVDialect.name(of: groupingSeparator))") }
        parts.append(encoding.rawValue + (byteOrderMarkLength > 0 ? " with BOM" : ""))
        parts.append(usesCRLF ? "CRLF" : (lineTerminator == 0x0D ? "CR" : "LF"))
        if hasSeparatorLine { parts.append("sep= line") }
        return parts.joined(separator: ", ")
    }

    public static func name(of byte: UInt8) -> String {
        switch byte {
        case 0x09: return "tab"
        case 0x20: return "space"
        case UInt8(ascii: "'"): return "apostrophe"
        case UInt8(ascii: ";"): return "';'"
        case UInt8(ascii: ","): return "','"
        case UInt8(ascii: "|"): return "'|'"
        default: return "'\(Character(Unicode.Scalar(byte)))'"
        }
    }

    /// Delimiters the detector tries, in order of preference on a tie.
    public static let candidateDelimiters: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), 0x09, UInt8(ascii: "|")]

    /// Detects the dialect from a file's first bytes (64 KiB is plenty).
    ///
    /// The encoding comes from the raw bytes (BOM, NUL pattern, UTF-8 validity); everything else (line terminator,
    /// `sep=` line, delimiter, decimal mark, grouping separator) from the prefix converted to UTF-8, so a UTF-16 or
    /// Windows-1252 file gets the same answers as its UTF-8 original. `encoding` overrides the detected encoding
    /// (the BOM of that encoding is still found and stripped).
    /// `encoding` and `delimiter` force those (a pipeline's overrides); the rest is then detected with them.
    public static func detect(prefix: UnsafeRawBufferPointer, encoding: CSVTextEncoding? = nil,
                              delimiter: UInt8? = nil) -> CSVDialect {
        var dialect = CSVDialect()
        let bytes = Array(prefix)
        let byteOrderMark = byteOrderMark(bytes)
        if let encoding {
            dialect.encoding = encoding
            // The BOM of that encoding; a UTF-8 BOM before Windows-1252 text is dropped too (never `ï»¿` as text).
            if let byteOrderMark, byteOrderMark.encoding == encoding
                || (encoding == .windows1252 && byteOrderMark.encoding == .utf8) {
                dialect.byteOrderMarkLength = byteOrderMark.length
            }
        } else if let byteOrderMark {
            dialect.encoding = byteOrderMark.encoding
            dialect.byteOrderMarkLength = byteOrderMark.length
            // NUL bytes after a UTF-8 BOM are not UTF-16 text. Invalid UTF-8 after one stays UTF-8: the BOM says
            // so, and reading the valid characters as Windows-1252 would garble every one of them.
            if byteOrderMark.encoding == .utf8, nulPatternEncoding(bytes[3...]) != nil { dialect.encoding = .binary }
        } else if let encoding = nulPatternEncoding(bytes[...]) {
            dialect.encoding = encoding
        } else if looksBinary(bytes[...]) {
            dialect.encoding = .binary
        } else if !isValidUTF8(bytes[...]) {
            dialect.encoding = .windows1252
        }
        switch dialect.encoding {
        case .binary:
            return dialect
        case .utf8:
            detectLayout(bytes[dialect.byteOrderMarkLength...], truncated: bytes.count >= 65_536, delimiter: delimiter,
                         into: &dialect)
        case .utf16LittleEndian, .utf16BigEndian, .windows1252:
            let text = dialect.encoding.utf8Text(of: bytes, byteOrderMarkLength: dialect.byteOrderMarkLength)
            detectLayout(text[...], truncated: bytes.count >= 65_536, delimiter: delimiter, into: &dialect)
        }
        return dialect
    }

    /// The byte-order mark at the start of `bytes`, if any.
    static func byteOrderMark(_ bytes: [UInt8]) -> (encoding: CSVTextEncoding, length: Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, 2) }
        return nil
    }

    /// Line terminator, `sep=` line, delimiter, decimal mark and grouping separator from UTF-8 text without BOM.
    /// `truncated`: the text is the start of a longer file, so its last line may be partial.
    static func detectLayout(_ body: ArraySlice<UInt8>, truncated: Bool, delimiter: UInt8? = nil,
                             into dialect: inout CSVDialect) {
        body.withUnsafeBufferPointer { detectLayout($0, truncated: truncated, delimiter: delimiter, into: &dialect) }
    }

    /// `detectLayout` on the bytes of `body`; lines are ranges of its offsets.
    static func detectLayout(_ body: UnsafeBufferPointer<UInt8>, truncated: Bool, delimiter: UInt8?,
                             into dialect: inout CSVDialect) {
        // Line terminator.
        if let lf = body.firstIndex(of: 0x0A) {
            dialect.lineTerminator = 0x0A
            dialect.usesCRLF = lf > 0 && body[lf - 1] == 0x0D
        } else if body.contains(0x0D) {
            dialect.lineTerminator = 0x0D
        }
        // The lines between terminators (empty ones too, and the one after a last terminator), each without a CR
        // at its end.
        var lines: [Range<Int>] = []
        var lineStart = 0
        func line(to end: Int) {
            lines.append(lineStart..<(end > lineStart && body[end - 1] == 0x0D ? end - 1 : end))
        }
        if let base = body.baseAddress {
            let terminator = Int32(dialect.lineTerminator)
            while lineStart < body.count, let found = memchr(base + lineStart, terminator, body.count - lineStart) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                line(to: index)
                lineStart = index + 1
            }
        }
        line(to: body.count)
        if truncated, lines.count > 1 { lines.removeLast() }  // the last line of a cut prefix may be partial

        // Excel's `sep=;` hint: the first line is `sep=X`, quotes left out.
        if let first = lines.first {
            var text: [UInt8] = []
            for byte in body[first] where byte != UInt8(ascii: "\"") {
                text.append(byte)
                if text.count > 5 { break }
            }
            if text.count == 5, text.starts(with: Array("sep=".utf8)) {
                dialect.delimiter = text[4]
                dialect.hasSeparatorLine = true
                lines.removeFirst()
            }
        }
        let nonBlank = lines.filter { !body[$0].allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        let sample = Array(nonBlank.prefix(30))
        if let delimiter {
            dialect.delimiter = delimiter
        } else if !dialect.hasSeparatorLine {
            dialect.delimiter = bestDelimiter(sample, in: body, quote: dialect.quote)
        }
        if numbersTellNothing(body, delimiter: dialect.delimiter, quote: dialect.quote) {
            dialect.decimalMark = UInt8(ascii: ".")
            dialect.groupingSeparator = nil
            return
        }
        // All lines of the prefix, not only the first 30: a Fluvius export can open with a night of empty volumes
        // (`Geen verbruik`), and 30 lines without a single number decided "decimal point".
        let numbers = NumberEvidence(nonBlank, in: body, delimiter: dialect.delimiter, quote: dialect.quote)
        dialect.decimalMark = numbers.decimalMark(delimiter: dialect.delimiter)
        dialect.groupingSeparator = numbers.groupingSeparator(decimalMark: dialect.decimalMark)
    }

    /// Whether `NumberEvidence` would find a decimal point and no thousands separator whatever the numbers are, so
    /// that they need no look. So it is with `,` as the delimiter (the decimal mark is then `.`, `decimalMark`) in a
    /// text without the quote, a space, `'` and the lead bytes 0xC2 and 0xE2 (of a no-break space, a narrow no-break
    /// space and `’`): no field holds a `,`, so the only thousands groups are `.` groups, and a separator equal to the
    /// decimal mark is none (`groupingSeparator`).
    static func numbersTellNothing(_ body: UnsafeBufferPointer<UInt8>, delimiter: UInt8, quote: UInt8) -> Bool {
        guard delimiter == UInt8(ascii: ",") else { return false }
        guard let base = body.baseAddress else { return true }
        for byte in [quote, 0x20, UInt8(ascii: "'"), 0xC2, 0xE2] where memchr(base, Int32(byte), body.count) != nil {
            return false
        }
        return true
    }

    /// UTF-16 without BOM shows NUL in every other byte of ASCII text; other NULs mean binary data. A few NULs in
    /// the other half are characters like U+0100 `Ā` or the low surrogate of `😀` (U+DE00), not binary data.
    static func nulPatternEncoding(_ body: ArraySlice<UInt8>) -> CSVTextEncoding? {
        let head = body.prefix(512)
        guard head.contains(0) else { return nil }
        var evenNul = 0, oddNul = 0
        for (offset, byte) in head.enumerated() where byte == 0 {
            if offset % 2 == 0 { evenNul += 1 } else { oddNul += 1 }
        }
        let pairs = head.count / 2
        if oddNul * 10 >= pairs * 8, evenNul * 10 <= oddNul { return .utf16LittleEndian }
        if evenNul * 10 >= pairs * 8, oddNul * 10 <= evenNul { return .utf16BigEndian }
        return .binary
    }

    /// Not UTF-16 (checked before), yet more than 5 % C0 control characters (NUL included; tab, CR, LF and form feed
    /// not) in a prefix of at least 256 bytes: no text export looks like that, random or compressed bytes have ~11 %.
    /// A stray NUL or Ctrl-Z in a text file stays a rejected row, not an unreadable file.
    static func looksBinary(_ body: ArraySlice<UInt8>) -> Bool {
        guard body.count >= 256 else { return false }
        let controls = body.withUnsafeBufferPointer { bytes in
            var controls = 0
            func count(_ byte: UInt8) {
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D, byte != 0x0C { controls += 1 }
            }
            var index = 0
            if let base = bytes.baseAddress {
                // 8 bytes at a time: a word with no byte below 0x20 (most of a text's words) has no control to count.
                let raw = UnsafeRawPointer(base)
                let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                while index + 8 <= bytes.count {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    if (word &- ones &* 0x20) & ~word & highs != 0 {  // some byte below 0x20
                        for offset in 0..<8 { count(bytes[index + offset]) }
                    }
                    index += 8
                }
            }
            for byte in bytes[index...] { count(byte) }
            return controls
        }
        return controls * 20 > body.count
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
        // ASCII is valid UTF-8.
        if isASCII(body) { return true }
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

    /// Whether every byte is below 0x80.
    static func isASCII(_ body: ArraySlice<UInt8>) -> Bool {
        body.withUnsafeBufferPointer { bytes in
            var any: UInt8 = 0
            for byte in bytes { any |= byte }
            return any < 0x80
        }
    }

    /// Picks the candidate whose count per line (outside quotes) is most consistent and non-zero; `lines` are ranges
    /// of `body`.
    static func bestDelimiter(_ lines: [Range<Int>], in body: UnsafeBufferPointer<UInt8>, quote: UInt8) -> UInt8 {
        var best: (delimiter: UInt8, lines: Int, fields: Int) = (UInt8(ascii: ","), -1, 0)
        // Each line is walked once, counting every candidate (a candidate equal to the quote never counts).
        var slot = [Int](repeating: -1, count: 256)
        for (position, candidate) in candidateDelimiters.enumerated() where candidate != quote && slot[Int(candidate)] < 0 {
            slot[Int(candidate)] = position
        }
        // Per candidate, its non-zero count of every line.
        var countsByCandidate = [[Int]](repeating: [], count: candidateDelimiters.count)
        var lineCounts = [Int](repeating: 0, count: candidateDelimiters.count)
        slot.withUnsafeBufferPointer { slot in
            for line in lines {
                for position in lineCounts.indices { lineCounts[position] = 0 }
                var inQuotes = false
                for byte in body[line] {
                    if byte == quote { inQuotes.toggle() } else if !inQuotes, slot[Int(byte)] >= 0 {
                        lineCounts[slot[Int(byte)]] += 1
                    }
                }
                for (position, candidate) in candidateDelimiters.enumerated() {
                    let count = slot[Int(candidate)] >= 0 ? lineCounts[slot[Int(candidate)]] : 0
                    if count > 0 { countsByCandidate[position].append(count) }
                }
            }
        }
        for (position, candidate) in candidateDelimiters.enumerated() {
            // The mode: the count of the most lines, the larger count on a tie.
            let counts = countsByCandidate[position].sorted()
            guard !counts.isEmpty else { continue }
            var mode = (lines: 0, count: 0)
            var runStart = 0
            for index in 1...counts.count where index == counts.count || counts[index] != counts[runStart] {
                if (index - runStart, counts[runStart]) > mode { mode = (index - runStart, counts[runStart]) }
                runStart = index
            }
            if mode.lines > best.lines || (mode.lines == best.lines && mode.count > best.fields) {
                best = (candidate, mode.lines, mode.count)
            }
        }
        if best.lines < 0, spaceSeparated(lines, in: body, quote: quote) { return 0x20 }
        return best.delimiter
    }

    /// No candidate delimiter occurs at all, yet every line has spaces outside quotes and at least 4 in 5 lines have
    /// the same number of them (`"Date" "Value"`, `2024-01-01 12.5`): fields separated by single spaces. A header
    /// with spaces over a one-column file does not qualify (its data lines have none).
    static func spaceSeparated(_ lines: [Range<Int>], in body: UnsafeBufferPointer<UInt8>, quote: UInt8) -> Bool {
        guard !lines.isEmpty else { return false }
        var counts: [Int: Int] = [:]
        for line in lines {
            var inQuotes = false
            var count = 0
            for byte in body[line] {
                if byte == quote { inQuotes.toggle() } else if byte == 0x20, !inQuotes { count += 1 }
            }
            guard count > 0 else { return false }
            counts[count, default: 0] += 1
        }
        guard let mode = counts.values.max() else { return false }
        return mode * 5 >= lines.count * 4
    }

    /// `12,5` → `,`; `12.5` → `.`; anything else → nil (`12.345,6` with thousands groups: see `groupedShape`).
    static func decimalSeparatorShape<Bytes: Collection<UInt8>>(_ field: Bytes) -> UInt8? {
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

/// What the numbers in a sample say about the decimal mark and the thousands separator.
struct NumberEvidence {
    /// Unquoted fields shaped like `0,5` or `12.25` (one mark, digits on both sides).
    var comma = 0
    var point = 0
    /// Fields whose thousands groups cannot be a decimal number (`1.234,5`, `1.234.567`, `1 234`, `12'345.6`), by
    /// separator; and the decimal marks that follow such groups.
    var groupingSeparators: Set<UInt8> = []
    var marksAfterGroups: [UInt8: Int] = [:]
    /// `.` or `,` used as a decimal mark where it cannot be a thousands separator (`0,5`, `1.25`, `1234.567`).
    var decimalUses: Set<UInt8> = []

    /// `lines` are ranges of `body`.
    init(_ lines: [Range<Int>], in body: UnsafeBufferPointer<UInt8>, delimiter: UInt8, quote: UInt8) {
        // `.` and `,` are the only shapes: kept as two flags while counting, a set at the end.
        var commaUse = false, pointUse = false
        for range in lines { do {
            let line = UnsafeBufferPointer(rebasing: body[range])
            CSVDialect.forEachField(line, delimiter: delimiter, quote: quote) { field, quoted in
                let shape = CSVDialect.decimalSeparatorShape(field)
                if !quoted {
                    switch shape {
                    case UInt8(ascii: ","): comma += 1
                    case UInt8(ascii: "."): point += 1
                    default: break
                    }
                }
                let grouped = CSVDialect.groupedShape(UnsafeRawBufferPointer(field))
                if let grouped {
                    let space = grouped.separator == 0x20 || grouped.separator == UInt8(ascii: "'")
                    if grouped.mark != nil || grouped.groups >= 2 || space {
                        groupingSeparators.insert(grouped.separator)
                        if let mark = grouped.mark { marksAfterGroups[mark, default: 0] += 1 }
                    }
                } else if let shape {
                    if shape == UInt8(ascii: ",") { commaUse = true } else { pointUse = true }
                }
            }
        } }
        if commaUse { decimalUses.insert(UInt8(ascii: ",")) }
        if pointUse { decimalUses.insert(UInt8(ascii: ".")) }
    }

    /// Decimal comma when numbers like `0,173` outnumber `0.173` (only possible when `,` is not the delimiter).
    /// Without evidence either way, a `;` file has a decimal comma: `;` is the list separator of the locales that
    /// write decimal commas (Excel in nl-BE, fr-BE, de), which is why those exports use it.
    func decimalMark(delimiter: UInt8) -> UInt8 {
        guard delimiter != UInt8(ascii: ",") else { return UInt8(ascii: ".") }
        let comma = comma + marksAfterGroups[UInt8(ascii: ","), default: 0]
        let point = point + marksAfterGroups[UInt8(ascii: "."), default: 0]
        if comma == point, delimiter == UInt8(ascii: ";") { return UInt8(ascii: ",") }
        return comma > point ? UInt8(ascii: ",") : UInt8(ascii: ".")
    }

    /// The one thousands separator the sample shows, when nothing contradicts it: not two different ones, not the
    /// decimal mark, never used as a decimal mark elsewhere, and groups followed by this decimal mark only. `1.234`
    /// alone (one group, no mark) is no evidence: it may be 1.234. (A `,` file can show `,` groups in quoted fields.)
    func groupingSeparator(decimalMark: UInt8) -> UInt8? {
        guard groupingSeparators.count == 1, let separator = groupingSeparators.first, separator != decimalMark,
              !decimalUses.contains(separator),
              marksAfterGroups.keys.allSatisfy({ $0 == decimalMark }) else { return nil }
        return separator
    }
}

extension CSVDialect {
    /// Calls `body` with each field of `line` (split at delimiters outside quotes), trimmed of spaces and of its
    /// surrounding quotes, and whether it was quoted.
    static func forEachField(
        _ line: UnsafeBufferPointer<UInt8>, delimiter: UInt8, quote: UInt8, _ body: (UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        var start = 0
        var inQuotes = false
        var index = 0
        while index <= line.count {
            if index < line.count {
                let byte = line[index]
                if byte == quote { inQuotes.toggle() }
                if byte != delimiter || inQuotes {
                    index += 1
                    continue
                }
            }
            var lower = start, upper = index
            while lower < upper, line[lower] == 0x20 { lower += 1 }
            while upper > lower, line[upper - 1] == 0x20 { upper -= 1 }
            let quoted = upper - lower >= 2 && line[lower] == quote && line[upper - 1] == quote
            if quoted {
                lower += 1
                upper -= 1
            }
            if lower < upper { body(UnsafeBufferPointer(rebasing: line[lower..<upper]), quoted) }
            index += 1
            start = index
        }
    }

    /// A number with thousands groups: `[+-]d{1,3}(Gd{3})+(Md+)?` with one separator G (`.`, `,`, a space, `'`),
    /// a decimal mark M (`.` or `,`, not G) and no leading zero; nil for anything else (`0,5`, `29.10.2022`, `1234`).
    static func groupedShape(_ field: UnsafeRawBufferPointer) -> (separator: UInt8, mark: UInt8?, groups: Int)? {
        var index = 0
        let end = field.count
        if index < end, field[index] == UInt8(ascii: "-") || field[index] == UInt8(ascii: "+") { index += 1 }
        guard index < end, field[index] &- 0x31 < 9 else { return nil }
        var separator: UInt8?
        var groups = 0
        var digits = 0
        while index < end {
            let byte = field[index]
            if byte &- 0x30 < 10 {
                digits += 1
                guard digits <= 3 else { return nil }
                index += 1
                continue
            }
            guard let (kind, length) = FieldParsing.groupingSeparatorKind(field, at: index, end: end) else {
                return nil
            }
            if let separator, kind != separator {
                guard kind == UInt8(ascii: ".") || kind == UInt8(ascii: ","), digits == 3 else { return nil }
                index += length
                guard index < end else { return nil }
                while index < end {
                    guard field[index] &- 0x30 < 10 else { return nil }
                    index += 1
                }
                return (separator, kind, groups)
            }
            guard groups == 0 || digits == 3 else { return nil }
            separator = kind
            groups += 1
            digits = 0
            index += length
        }
        guard let separator, digits == 3 else { return nil }
        return (separator, nil, groups)
    }
}
