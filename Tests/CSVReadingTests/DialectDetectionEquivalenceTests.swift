@testable import CSVReading
import Foundation
import Testing
import TestSupport

/// `CSVDialect.detect` against the detector it replaced (`LegacyDialectDetection`, which worked on array slices line
/// by line): the same dialect for every fixture file, and for many variants of them with bytes changed, cut, or
/// inserted (quotes, delimiters, CR, NUL, control and non-ASCII bytes, spaces, decimal marks).
@Suite("Dialect detection equals the reference detector")
struct DialectDetectionEquivalenceTests {
    static func fixtures() -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        var files: [[UInt8]] = []
        for folder in ["Fixtures", "ParkImpactTests/Fixtures"] {
            let url = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in walker where ["csv", "txt"].contains(file.pathExtension.lowercased()) {
                if let data = try? Data(contentsOf: file) { files.append(Array(data.prefix(65_536))) }
            }
        }
        return files
    }

    static func same(_ bytes: [UInt8], encoding: CSVTextEncoding? = nil, delimiter: UInt8? = nil) -> Bool {
        bytes.withUnsafeBytes { prefix in
            CSVDialect.detect(prefix: prefix, encoding: encoding, delimiter: delimiter)
                == LegacyDialectDetection.detect(prefix: prefix, encoding: encoding, delimiter: delimiter)
        }
    }

    @Test func fixturesGetTheSameDialect() {
        let files = Self.fixtures()
        #expect(files.count > 20)
        for file in files {
            #expect(Self.same(file), "\(String(decoding: file.prefix(80), as: UTF8.self))")
            #expect(Self.same(file, delimiter: UInt8(ascii: ";")))
            #expect(Self.same(file, encoding: .windows1252))
        }
    }

    @Test func variantsGetTheSameDialect() {
        var random = SplitMix64(state: 21)
        let inserts: [[UInt8]] = [[0x22], [0x2C], [0x3B], [0x09], [0x7C], [0x0D], [0x0A], [0x0D, 0x0A], [0x00], [0x01],
                                  [0x1A], [0x0C], [0x20], [0x2E], [0x27], Array("é".utf8), Array("\u{00A0}".utf8),
                                  Array("\u{202F}".utf8), Array("’".utf8), [0xE9], [0xFF, 0xFE], Array("sep=;\n".utf8),
                                  Array("1.234,5".utf8), Array("1 234".utf8), Array("0,5".utf8), Array("12.25".utf8)]
        var checked = 0
        for file in Self.fixtures() where !file.isEmpty {
            for _ in 0..<40 {
                var bytes = file
                for _ in 0..<(1 + Int(random.next() % 6)) {
                    let at = Int(random.next() % UInt64(bytes.count + 1))
                    switch random.next() % 4 {
                    case 0: bytes.insert(contentsOf: inserts[Int(random.next() % UInt64(inserts.count))], at: at)
                    case 1: if at < bytes.count { bytes[at] = UInt8(truncatingIfNeeded: random.next()) }
                    case 2: bytes = Array(bytes.prefix(at))
                    default: if at < bytes.count { bytes.remove(at: at) }
                    }
                }
                #expect(Self.same(bytes), "\(bytes.prefix(120))")
                checked += 1
            }
        }
        #expect(checked > 800)
    }

    @Test func longAndEmptyPrefixesGetTheSameDialect() {
        let row = Array("2024-01-01T00:00:00+01:00;site-1;1.234,5;\"a;b\"\r\n".utf8)
        var long: [UInt8] = []
        while long.count < 70_000 { long += row }
        for bytes in [[], Array(long.prefix(65_536)), Array(long.prefix(65_535)), [UInt8](repeating: 0x20, count: 300),
                      [UInt8](repeating: 0x01, count: 300), [UInt8](repeating: 0x0A, count: 300)] {
            #expect(Self.same(bytes))
        }
    }

    /// `,` files, where the numbers are looked at only when a byte could show a thousands separator.
    @Test func commaFilesGetTheSameDialect() {
        for text in ["a,b\n\"1,234.5\",2\n", "a,b\n1 234,5\n", "a,b\n12'345.6,1\n", "a,b\n1\u{A0}234,1\n",
                     "a,b\n1\u{202F}234,1\n", "a,b\n12’345.6,1\n", "a,b\n1.234.567,2\n", "a,b\n1.234,2\n0,5,1\n",
                     "a,b\n", "a,b", ",\n,\n", "x,y\r\n1.5,2\r\n", "sep=,\n1 234,5\n", "a,b\n'1.234.567',2\n"] {
            #expect(Self.same(Array(text.utf8)), "\(text.debugDescription)")
        }
    }
}

/// The dialect detector as it was written on array slices, line by line: the reference `CSVDialect.detect` must
/// agree with.
enum LegacyDialectDetection {
    static func detect(prefix: UnsafeRawBufferPointer, encoding: CSVTextEncoding? = nil,
                              delimiter: UInt8? = nil) -> CSVDialect {
        var dialect = CSVDialect()
        let bytes = Array(prefix)
        let byteOrderMark = CSVDialect.byteOrderMark(bytes)
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
            if byteOrderMark.encoding == .utf8, CSVDialect.nulPatternEncoding(bytes[3...]) != nil { dialect.encoding = .binary }
        } else if let encoding = CSVDialect.nulPatternEncoding(bytes[...]) {
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

    static func detectLayout(_ body: ArraySlice<UInt8>, truncated: Bool, delimiter: UInt8? = nil,
                             into dialect: inout CSVDialect) {
        // Line terminator.
        if let lf = body.firstIndex(of: 0x0A) {
            dialect.lineTerminator = 0x0A
            dialect.usesCRLF = lf > body.startIndex && body[lf - 1] == 0x0D
        } else if body.contains(0x0D) {
            dialect.lineTerminator = 0x0D
        }
        // The lines between terminators (empty ones too, and the one after a last terminator), each without a CR
        // at its end.
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = body.startIndex
        func line(to end: Int) {
            let line = body[lineStart..<end]
            lines.append(line.last == 0x0D ? line.dropLast() : line)
        }
        for index in body.indices where body[index] == dialect.lineTerminator {
            line(to: index)
            lineStart = index + 1
        }
        line(to: body.endIndex)
        if truncated, lines.count > 1 { lines.removeLast() }  // the last line of a cut prefix may be partial

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
        if let delimiter {
            dialect.delimiter = delimiter
        } else if !dialect.hasSeparatorLine {
            dialect.delimiter = bestDelimiter(sample, quote: dialect.quote)
        }
        // All lines of the prefix, not only the first 30: a Fluvius export can open with a night of empty volumes
        // (`Geen verbruik`), and 30 lines without a single number decided "decimal point".
        let numbers = LegacyNumberEvidence(nonBlank, delimiter: dialect.delimiter, quote: dialect.quote)
        dialect.decimalMark = numbers.decimalMark(delimiter: dialect.delimiter)
        dialect.groupingSeparator = numbers.groupingSeparator(decimalMark: dialect.decimalMark)
    }

    static func looksBinary(_ body: ArraySlice<UInt8>) -> Bool {
        guard body.count >= 256 else { return false }
        var controls = 0
        for byte in body where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C {
            controls += 1
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
        if body.allSatisfy({ $0 < 0x80 }) { return true }
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

    static func bestDelimiter(_ lines: [ArraySlice<UInt8>], quote: UInt8) -> UInt8 {
        var best: (delimiter: UInt8, lines: Int, fields: Int) = (UInt8(ascii: ","), -1, 0)
        // Each line is walked once, counting every candidate (a candidate equal to the quote never counts).
        var slot = [Int](repeating: -1, count: 256)
        for (position, candidate) in CSVDialect.candidateDelimiters.enumerated() where candidate != quote && slot[Int(candidate)] < 0 {
            slot[Int(candidate)] = position
        }
        var countsByCandidate = [[Int: Int]](repeating: [:], count: CSVDialect.candidateDelimiters.count)
        var lineCounts = [Int](repeating: 0, count: CSVDialect.candidateDelimiters.count)
        for line in lines {
            for position in lineCounts.indices { lineCounts[position] = 0 }
            var inQuotes = false
            for byte in line {
                if byte == quote { inQuotes.toggle() } else if !inQuotes, slot[Int(byte)] >= 0 {
                    lineCounts[slot[Int(byte)]] += 1
                }
            }
            for (position, candidate) in CSVDialect.candidateDelimiters.enumerated() {
                let count = slot[Int(candidate)] >= 0 ? lineCounts[slot[Int(candidate)]] : 0
                if count > 0 { countsByCandidate[position][count, default: 0] += 1 }
            }
        }
        for (position, candidate) in CSVDialect.candidateDelimiters.enumerated() {
            let counts = countsByCandidate[position]
            guard let mode = counts.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { continue }
            if mode.value > best.lines || (mode.value == best.lines && mode.key > best.fields) {
                best = (candidate, mode.value, mode.key)
            }
        }
        if best.lines < 0, spaceSeparated(lines, quote: quote) { return 0x20 }
        return best.delimiter
    }

    static func spaceSeparated(_ lines: [ArraySlice<UInt8>], quote: UInt8) -> Bool {
        guard !lines.isEmpty else { return false }
        var counts: [Int: Int] = [:]
        for line in lines {
            var inQuotes = false
            var count = 0
            for byte in line {
                if byte == quote { inQuotes.toggle() } else if byte == 0x20, !inQuotes { count += 1 }
            }
            guard count > 0 else { return false }
            counts[count, default: 0] += 1
        }
        guard let mode = counts.values.max() else { return false }
        return mode * 5 >= lines.count * 4
    }

}

struct LegacyNumberEvidence {
    /// Unquoted fields shaped like `0,5` or `12.25` (one mark, digits on both sides).
    var comma = 0
    var point = 0
    /// Fields whose thousands groups cannot be a decimal number (`1.234,5`, `1.234.567`, `1 234`, `12'345.6`), by
    /// separator; and the decimal marks that follow such groups.
    var groupingSeparators: Set<UInt8> = []
    var marksAfterGroups: [UInt8: Int] = [:]
    /// `.` or `,` used as a decimal mark where it cannot be a thousands separator (`0,5`, `1.25`, `1234.567`).
    var decimalUses: Set<UInt8> = []

    init(_ lines: [ArraySlice<UInt8>], delimiter: UInt8, quote: UInt8) {
        // `.` and `,` are the only shapes: kept as two flags while counting, a set at the end.
        var commaUse = false, pointUse = false
        for line in lines { line.withUnsafeBufferPointer { line in
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

