import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

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
    /// `format` prints through the C library (`String(format: "%.*f")`), which rounds the exact binary value to
    /// `decimals` places, a tie to even. That is done here without it: `value × 10^decimals` is split into the
    /// rounded product and its exact error (a fused multiply-add), which together tell on which side of the
    /// half-way point the exact product lies, so the integer nearest to it (a tie to even) is exact. Products of
    /// 2^52 and more (where a `Double` has no fraction left) go through `format` itself.
    static func write(_ value: Double, decimals: Int, decimalComma: Bool = false, to out: inout [UInt8]) {
        guard value.isFinite else { return out.write("null") }
        guard decimals >= 0, decimals < powersOfTen.count, let scaled = scaledAndRounded(value.magnitude, decimals)
        else {
            let text = format(value, decimals: decimals)
            return out.write(decimalComma ? CSVLocale.nl.number(text) : text)
        }
        guard scaled > 0 else { return out.append(0x30) }  // "0", "-0" and "-0.000" are all written "0"
        if value < 0 { out.append(0x2D) }
        let divisor = UInt64(powersOfTen[decimals])
        out.write(decimal: Int(scaled / divisor))
        var fraction = scaled % divisor
        guard fraction > 0 else { return }
        // The fraction's digits, leading zeros kept and trailing zeros dropped.
        var width = decimals
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        out.append(decimalComma ? 0x2C : 0x2E)
        // `width` digits, filled from the last: the zeros left are the leading ones.
        out.append(contentsOf: repeatElement(0x30, count: width))
        var index = out.count - 1
        while fraction > 0 {
            out[index] = 0x30 + UInt8(fraction % 10)
            fraction /= 10
            index -= 1
        }
    }

    /// 10^0 … 10^15, each exact as a `Double`.
    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
                                                1e14, 1e15]

    /// `magnitude × 10^decimals` rounded to the nearest integer (a tie to even), exactly; nil when the product is
    /// 2^52 or more.
    private static func scaledAndRounded(_ magnitude: Double, _ decimals: Int) -> UInt64? {
        let scale = powersOfTen[decimals]
        let product = magnitude * scale
        guard product < 0x1p52 else { return nil }
        // The exact product is `product + error`: the error of a product is a `Double`, and the fused multiply-add
        // gives it without rounding.
        let error = (-product).addingProduct(magnitude, scale)
        let whole = product.rounded(.down)
        // `fraction - 0.5` is exact where it matters (fraction ≥ 0.25, Sterbenz), and a sum of two `Double`s has
        // the sign of the exact sum: above (> 0), below (< 0) or at (0) the half-way point.
        let side = ((product - whole) - 0.5) + error
        var result = UInt64(whole)
        if side > 0 || (side == 0 && result & 1 == 1) { result += 1 }
        return result
    }
}

extension KPIJSONWriter {
    /// Appends `json(text)`.
    static func write(json text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { write(json: $0, to: &out) }
    }

    /// Appends `json(String(decoding: bytes, as: UTF8.self))`: the same escapes, decided byte by byte (all of them
    /// are ASCII, so a multi-byte character is copied as it is, as `json` copies its scalar). The runs between
    /// escapes are copied whole.
    static func write(json bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var copied = 0  // bytes before this one are in `out`
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
            copied = index + 1
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x3C: out.write("\\u003c")
            default:
                let hex: StaticString = "0123456789abcdef"
                out.write("\\u00")
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xF)])
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
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
        if first == 0x3D || first == 0x40 {
            // `=…` and `@…` are never numbers (with `,` read as `.` neither): `cell` writes the cell of `'` + text,
            // which starts with no formula character.
            var prefixed: [UInt8] = [0x27]
            prefixed.append(contentsOf: bytes)
            return prefixed.withUnsafeBufferPointer { write(cell: $0, locale: locale, to: &out) }
        }
        let count = bytes.count, last = bytes[count - 1]
        func viaCell() { out.write(cell(String(decoding: bytes, as: UTF8.self), locale: locale)) }
        let formulaStart = first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09
            || first == 0x0D
        var plain = !formulaStart && first != 0x20 && last != 0x20  // `cell`'s fast path
        // Most cells have none of `,` `"` LF `;` CR: one quick pass tells, before the one that looks closer.
        let special: UInt64 = 1 << 0x2C | 1 << 0x22 | 1 << 0x0A | 1 << 0x3B | 1 << 0x0D
        if plain, !bytes.contains(where: { $0 < 64 && special >> $0 & 1 == 1 }) {
            return out.append(contentsOf: bytes)
        }
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

/// The bytes a writer produced for a list of texts (a KPI's input files), by the list's storage: the KPIs of one
/// scope and period share one list of up to thousands of files (`KPISharing`), rendered once per part of a file and
/// copied after. The cache holds the lists it has seen, so no other array has their storage while it lives: a list
/// with the same storage is the same list, and gets the same bytes. Lists of fewer than `minimumCount` texts are
/// rendered each time.
struct ListBytesCache {
    private var entries: [Int: (list: [String], bytes: [UInt8])] = [:]
    static let minimumCount = 16

    /// Appends `render`'s bytes for `list` to `out`: rendered into an empty buffer the first time, copied after.
    mutating func write(_ list: [String], to out: inout [UInt8], render: (inout [UInt8]) -> Void) {
        guard list.count >= Self.minimumCount else { return render(&out) }
        let key = list.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        if let entry = entries[key], entry.list.count == list.count {
            return out.append(contentsOf: entry.bytes)
        }
        var bytes: [UInt8] = []
        render(&bytes)
        out.append(contentsOf: bytes)
        entries[key] = (list, bytes)
    }
}
