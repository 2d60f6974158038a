#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Parsing numbers and codes straight from field bytes: no `String` per field on the hot path.
public enum FieldParsing {
    /// 10^`exponent` for 0...22, the powers of ten that are exact in a `Double` (a switch: constants, no lazily
    /// initialised global to check on every number).
    @inlinable @inline(__always)
    static func exactPowerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// Parses a decimal number like `-12,345` or `0.5` or `1e3` with the given decimal mark.
    ///
    /// Fast path: up to 19 significant digits and 22 fraction digits are exact integer arithmetic followed by one
    /// correctly rounded division; anything else goes through `strtod`, so results equal `strtod`'s.
    /// Leading and trailing spaces are allowed; anything else (`12,5x`, `1.234,5` with thousands) returns nil.
    @inlinable
    public static func decimal(_ bytes: UnsafeRawBufferPointer, decimalMark: UInt8) -> Double? {
        decimal(bytes, decimalMark: decimalMark, groupingSeparator: nil)
    }

    /// Parses a decimal number that may have thousands groups: `1.234.567,89` (grouping `.`, mark `,`), `1,234.5`,
    /// `1 234,5`, `12'345.6`.
    ///
    /// Groups are exactly 3 digits after a first group of 1 to 3 digits without leading zero, only before the decimal
    /// mark, all with the same separator, and no exponent: `1.23,4`, `12.34.567`, `1234.567,8`, `0.123,4`,
    /// `1.234e5` give nil. The separator `0x20` also accepts the no-break spaces U+00A0 and U+202F, `'` also `’`
    /// (U+2019) as Excel and macOS write them. A separator equal to the decimal mark, or nil, means no grouping.
    /// The result is bit-identical to parsing the number without its separators. A number without a separator takes
    /// exactly the fast path of ``decimal(_:decimalMark:)``: the separator is looked at only where that path fails.
    @inlinable
    public static func decimal(
        _ bytes: UnsafeRawBufferPointer, decimalMark: UInt8, groupingSeparator: UInt8?
    ) -> Double? {
        var index = 0
        var end = bytes.count
        while index < end, bytes[index] == 0x20 { index += 1 }
        while end > index, bytes[end - 1] == 0x20 { end -= 1 }
        guard index < end else { return nil }
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        else if bytes[index] == UInt8(ascii: "+") { index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawMark = false
        var sawDigit = false
        while index < end {
            let byte = bytes[index]
            if byte &- 0x30 < 10 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(byte &- 0x30)
                    if mantissa != 0 { digits += 1 }
                    if sawMark { fractionDigits += 1 }
                } else if !sawMark {
                    return slowDecimal(bytes, start: start, end: end, decimalMark: decimalMark)
                } else {
                    return slowDecimal(bytes, start: start, end: end, decimalMark: decimalMark)
                }
            } else if byte == decimalMark, !sawMark {
                sawMark = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard sawDigit else { return nil }
                return slowDecimal(bytes, start: start, end: end, decimalMark: decimalMark)
            } else {
                if let groupingSeparator, groupingSeparator != decimalMark {
                    return groupedDecimal(bytes, start: start, end: end, decimalMark: decimalMark,
                                          groupingSeparator: groupingSeparator)
                }
                return nil
            }
            index += 1
        }
        guard sawDigit else { return nil }
        guard fractionDigits <= 22, mantissa < (1 << 53) else {
            return slowDecimal(bytes, start: start, end: end, decimalMark: decimalMark)
        }
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= exactPowerOfTen(fractionDigits) }
        return negative ? -value : value
    }

    /// Checks the thousands groups of `bytes[start..<end]` and parses a copy without them.
    @usableFromInline
    static func groupedDecimal(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, decimalMark: UInt8, groupingSeparator: UInt8
    ) -> Double? {
        withUnsafeTemporaryAllocation(byteCount: end - start, alignment: 1) { copy -> Double? in
            var count = 0
            var index = start
            if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                copy[count] = bytes[index]
                count += 1
                index += 1
            }
            guard index < end, bytes[index] &- 0x31 < 9 else { return nil }  // 1…9: no leading zero
            var groups = 0
            var digits = 0
            while index < end {
                let byte = bytes[index]
                if byte &- 0x30 < 10 {
                    digits += 1
                    guard digits <= 3 else { return nil }
                    copy[count] = byte
                    count += 1
                    index += 1
                    continue
                }
                if byte == decimalMark { break }
                let length: Int
                if byte == groupingSeparator {
                    length = 1
                } else if let (kind, kindLength) = groupingSeparatorKind(bytes, at: index, end: end),
                          kind == groupingSeparator, kindLength > 1 {
                    length = kindLength
                } else {
                    return nil
                }
                guard groups == 0 || digits == 3 else { return nil }
                groups += 1
                digits = 0
                index += length
            }
            guard groups > 0, digits == 3 else { return nil }
            if index < end {
                copy[count] = decimalMark
                count += 1
                index += 1
                while index < end {
                    guard bytes[index] &- 0x30 < 10 else { return nil }
                    copy[count] = bytes[index]
                    count += 1
                    index += 1
                }
            }
            return decimal(UnsafeRawBufferPointer(rebasing: copy[0..<count]), decimalMark: decimalMark)
        }
    }

    /// The thousands separator at `index`, as the byte that stands for it, and its length in bytes: `.`, `,`, `'`,
    /// a space, U+00A0 and U+202F (as `0x20`), U+2019 `’` (as `'`); nil for anything else.
    @usableFromInline
    static func groupingSeparatorKind(_ bytes: UnsafeRawBufferPointer, at index: Int, end: Int)
        -> (kind: UInt8, length: Int)? {
        switch bytes[index] {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "'"), 0x20:
            return (bytes[index], 1)
        case 0xC2 where index + 1 < end && bytes[index + 1] == 0xA0:
            return (0x20, 2)
        case 0xE2 where index + 2 < end && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xAF:
            return (0x20, 3)
        case 0xE2 where index + 2 < end && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x99:
            return (UInt8(ascii: "'"), 3)
        default:
            return nil
        }
    }

    /// `strtod` on a copy with the decimal mark replaced by `.` (C locale), for the rare long numbers.
    @usableFromInline
    static func slowDecimal(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int, decimalMark: UInt8) -> Double? {
        var copy = [CChar](repeating: 0, count: end - start + 1)
        for offset in start..<end {
            let byte = bytes[offset]
            if byte == decimalMark {
                copy[offset - start] = CChar(UInt8(ascii: "."))
            } else if byte == UInt8(ascii: ".") && decimalMark != UInt8(ascii: ".") {
                return nil
            } else {
                copy[offset - start] = CChar(bitPattern: byte)
            }
        }
        return copy.withUnsafeMutableBufferPointer { buffer -> Double? in
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer, endPointer - buffer.baseAddress! == end - start, value.isFinite else { return nil }
            return value
        }
    }

    /// A fixed-width unsigned integer at `offset` (e.g. the `2024` in `31-12-2024`); nil if any byte is not a digit.
    @inlinable @inline(__always)
    public static func digits(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> Int? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        var value = 0
        for index in offset..<(offset + count) {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// True when the field equals `text` ignoring ASCII case and surrounding spaces.
    @inlinable
    public static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        guard end - start == text.utf8CodeUnitCount else { return false }
        let expected = text.utf8Start
        for index in 0..<(end - start) {
            if lowercased(bytes[start + index]) != lowercased(expected[index]) { return false }
        }
        return true
    }

    @inlinable @inline(__always)
    public static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// True when the field is empty or only spaces.
    @inlinable
    public static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}
