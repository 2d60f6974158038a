#if canImport(Glibc)
import Glibc
#endif

/// The machine-readable outputs (kpis.json, kpis.csv, daily.csv) are built as UTF-8 bytes, not by `String`
/// concatenation: one growing buffer per part, no `String` per field or row. Every writer here produces exactly
/// the bytes of the `String` function it stands in for (named in its doc comment), which stays the reference.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `text`.
    @inline(__always)
    mutating func write(_ text: String) { append(contentsOf: text.utf8) }

    /// Appends the decimal digits of `value` (as `"\(value)"`).
    mutating func write(decimal value: Int) {
        if value < 0 {
            guard value != .min else { return write("\(value)") }
            append(0x2D)
            return write(decimal: -value)
        }
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            append(0x30 + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends `CivilDate(dayNumber:).description` (`2024-03-05`).
    mutating func write(day: Int) {
        let date = CivilDate(dayNumber: day)
        guard date.year >= 1000, date.year <= 9999 else { return write(date.description) }
        write(decimal: date.year)
        append(0x2D)
        if date.month < 10 { append(0x30) }
        write(decimal: date.month)
        append(0x2D)
        if date.day < 10 { append(0x30) }
        write(decimal: date.day)
    }
}

extension MachineNumber {
    /// Appends `format(value, decimals:)`; with `decimalComma`, its `.` written as `,` (`CSVLocale.nl.number`).
    ///
    /// `String(format: "%.*f")` (what `format` used) prints through the C library's `snprintf`; calling
    /// `vsnprintf` directly gives the same digits without a `String` and Foundation's format parser. A result that
    /// is not plain `-0123456789.` (a C locale with another decimal mark) falls back to `format`.
    static func write(_ value: Double, decimals: Int, decimalComma: Bool = false, to out: inout [UInt8]) {
        guard value.isFinite else { return out.write("null") }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
            let length = withVaList([Int32(decimals), value]) { arguments in
                Int(vsnprintf(buffer.baseAddress!, 512, "%.*f", arguments))
            }
            guard length > 0, length < 512 else { return out.write(slowFormat(value, decimals, decimalComma)) }
            var end = length, point = -1
            for index in 0..<length {
                switch UInt8(bitPattern: buffer[index]) {
                case 0x2E: point = index
                case 0x30...0x39, 0x2D: break
                default: return out.write(slowFormat(value, decimals, decimalComma))
                }
            }
            if point >= 0 {
                while end > point + 1, buffer[end - 1] == 0x30 { end -= 1 }
                if end == point + 1 { end = point }
            }
            if end == 2, buffer[0] == 0x2D, buffer[1] == 0x30 { return out.append(0x30) }  // "-0" → "0"
            for index in 0..<end {
                let byte = UInt8(bitPattern: buffer[index])
                out.append(byte == 0x2E && decimalComma ? 0x2C : byte)
            }
        }
    }

    private static func slowFormat(_ value: Double, _ decimals: Int, _ decimalComma: Bool) -> String {
        let text = format(value, decimals: decimals)
        return decimalComma ? CSVLocale.nl.number(text) : text
    }
}

extension KPIJSONWriter {
    /// Appends `json(text)`: the same escapes, decided byte by byte (all of them are ASCII, so a multi-byte
    /// character is copied as it is, as `json` copies its scalar).
    static func write(json text: String, to out: inout [UInt8]) {
        out.append(0x22)
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x3C }) {
            out.append(contentsOf: utf8)
        } else {
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            for byte in utf8 {
                switch byte {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(0x6E)
                case 0x0D: out.append(0x5C); out.append(0x72)
                case 0x09: out.append(0x5C); out.append(0x74)
                case 0x3C: out.write("\\u003c")
                case ..<0x20:
                    out.write("\\u00")
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0xF)])
                default: out.append(byte)
                }
            }
        }
        out.append(0x22)
    }
}

extension CSVOutput {
    /// Appends `cell(text, locale:)`.
    static func write(cell text: String, locale: CSVLocale, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { write(cell: $0, locale: locale, to: &out) }
    }

    /// Appends `cell(String(decoding: bytes, as: UTF8.self), locale:)`.
    ///
    /// `cell` compares `Character`s; bytes give the same answer when every byte that matters (`,`, `"`, `;`, line
    /// feed, a leading or trailing space) stands between ASCII bytes, since then it is a `Character` of its own (a
    /// grapheme cluster joins an ASCII character only with non-ASCII marks, or CR with LF). Such cells, and cells
    /// that need nothing, are written from the bytes; the rest (a CR, a cell that could run as a formula, a special
    /// byte next to a non-ASCII one) go through `cell` itself.
    static func write(cell bytes: UnsafeBufferPointer<UInt8>, locale: CSVLocale, to out: inout [UInt8]) {
        guard let first = bytes.first else { return }
        let count = bytes.count, last = bytes[count - 1]
        func viaCell() { out.write(cell(String(decoding: bytes, as: UTF8.self), locale: locale)) }
        let formulaStart = first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09
            || first == 0x0D
        var plain = !formulaStart && first != 0x20 && last != 0x20  // `cell`'s fast path
        var needsQuotes = false
        for index in 0..<count {
            switch bytes[index] {
            case 0x2C, 0x22, 0x0A, 0x3B:
                plain = false
                if bytes[index] != (locale == .en ? 0x00 : 0x2C) { needsQuotes = true }  // `,` quotes in `en` only
                if index > 0, bytes[index - 1] >= 0x80 { return viaCell() }
                if index + 1 < count, bytes[index + 1] >= 0x80 { return viaCell() }
            case 0x0D:
                return viaCell()
            default:
                break
            }
        }
        if plain { return out.append(contentsOf: bytes) }
        if formulaStart || (first == 0x20 && count > 1 && bytes[1] >= 0x80)
            || (last == 0x20 && count > 1 && bytes[count - 2] >= 0x80) {
            return viaCell()
        }
        guard needsQuotes || first == 0x20 || last == 0x20 else { return out.append(contentsOf: bytes) }
        out.append(0x22)
        for byte in bytes {
            out.append(byte)
            if byte == 0x22 { out.append(0x22) }
        }
        out.append(0x22)
    }
}
