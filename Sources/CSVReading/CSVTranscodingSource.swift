/// Converts the text of `base` from UTF-16 (either byte order) or Windows-1252 to UTF-8 as it is read.
///
/// Streaming with constant memory: one fixed input buffer, and at most 6 decoded bytes waiting for room in the
/// caller's buffer. The output does not depend on how `base` splits its reads: a UTF-16 code unit or a surrogate pair
/// cut between two reads is put together again. What cannot be decoded (a lone surrogate, an odd last byte) becomes
/// U+FFFD and is counted in ``replacedCharacters``. Windows-1252 maps all 256 bytes (the WHATWG table, as Windows
/// does: 0x80 is `€`, 0x91/0x92 are `‘’`, the five unassigned bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are the C1 controls).
///
/// ``CSVStreamReader`` wraps a source in one of these by itself when its dialect's encoding is not UTF-8: pass it the
/// raw file. Use this type directly only to get UTF-8 text out of such a file for something else.
public final class CSVTranscodingSource<Base: CSVByteSource>: CSVByteSource {
    /// The wrapped source (handed back so a caller can go on with it).
    public private(set) var base: Base
    /// The encoding of `base`'s bytes: `.utf8` passes them through, `.binary` throws ``CSVFileError/Code/binary``.
    public let encoding: CSVTextEncoding
    /// Characters that could not be decoded and became U+FFFD.
    public private(set) var replacedCharacters = 0
    /// Bytes read from `base` so far (the file's bytes, not the UTF-8 bytes handed out).
    public private(set) var bytesRead = 0

    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var skipping: Int
    private var endOfInput = false
    /// Decoded UTF-8 bytes that did not fit the caller's buffer, first byte lowest.
    private var pending: UInt64 = 0
    private var pendingCount = 0
    /// The first byte of a UTF-16 code unit whose second byte has not been read yet.
    private var oddByte: UInt8?
    /// A high surrogate waiting for its low surrogate.
    private var highSurrogate: UInt16?

    /// - Parameters:
    ///   - byteOrderMarkLength: bytes at the start of `base` to drop unread (the BOM `CSVDialect.detect` found).
    ///   - bufferSize: bytes asked of `base` per read.
    public init(_ base: Base, encoding: CSVTextEncoding, byteOrderMarkLength: Int = 0, bufferSize: Int = 65_536) {
        self.base = base
        self.encoding = encoding
        skipping = max(byteOrderMarkLength, 0)
        input = .allocate(byteCount: max(bufferSize, 1), alignment: 1)
    }

    deinit { input.deallocate() }

    /// Fills `buffer` with UTF-8; returns 0 only at the end of the input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVFileError) -> Int {
        if encoding == .binary { throw CSVFileError(code: .binary, path: nil) }
        guard buffer.count > 0 else { return 0 }
        var written = 0
        while true {
            flushPending(into: buffer, written: &written)
            if written == buffer.count { break }
            if inputStart == inputEnd {
                if endOfInput || written > 0 { break }
                let got = try base.read(into: input)
                bytesRead += got
                if got == 0 {
                    endOfInput = true
                    finish()
                    continue
                }
                let skipped = min(skipping, got)
                skipping -= skipped
                inputStart = skipped
                inputEnd = got
                continue
            }
            switch encoding {
            case .utf8, .binary:
                let count = min(buffer.count - written, inputEnd - inputStart)
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: input[inputStart..<(inputStart + count)]))
                written += count
                inputStart += count
            case .windows1252:
                decodeWindows1252(into: buffer, written: &written)
            case .utf16LittleEndian:
                decodeUTF16(littleEndian: true, into: buffer, written: &written)
            case .utf16BigEndian:
                decodeUTF16(littleEndian: false, into: buffer, written: &written)
            }
        }
        return written
    }

    /// Decodes while there is input and room, and nothing is pending.
    private func decodeWindows1252(into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        // Locals and raw pointers in the loop: no property access per byte.
        let source = UnsafeRawPointer(input.baseAddress!)
        let target = buffer.baseAddress!
        var index = inputStart
        var count = written
        defer {
            inputStart = index
            written = count
        }
        while index < inputEnd, count < buffer.count {
            let byte = source.load(fromByteOffset: index, as: UInt8.self)
            index += 1
            if byte < 0x80 {
                target.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
                count += 1
                continue
            }
            let entry = windows1252ToUTF8[Int(byte)]
            emit(UInt64(entry & 0xFF_FFFF), count: Int(entry >> 24), into: buffer, written: &count)
            if pendingCount > 0 { return }
        }
    }

    private func decodeUTF16(littleEndian: Bool, into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        while inputStart < inputEnd, written < buffer.count, pendingCount == 0 {
            if oddByte == nil, highSurrogate == nil {
                decodeUTF16Run(littleEndian: littleEndian, into: buffer, written: &written)
                guard inputStart < inputEnd, written < buffer.count else { return }
            }
            // One byte at a time where the run stops: half a code unit, a surrogate, or too little room.
            let byte = input[inputStart]
            inputStart += 1
            guard let first = oddByte else {
                oddByte = byte
                continue
            }
            oddByte = nil
            decode(littleEndian ? UInt16(first) | UInt16(byte) << 8 : UInt16(first) << 8 | UInt16(byte),
                   into: buffer, written: &written)
        }
    }

    /// Whole code units outside the surrogate range, while they fit.
    @inline(__always)
    private func decodeUTF16Run(littleEndian: Bool, into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        let source = UnsafeRawPointer(input.baseAddress!)
        let target = buffer.baseAddress!
        let end = inputEnd
        let capacity = buffer.count
        var index = inputStart
        var count = written
        while end - index >= 2, count < capacity {
            let first = UInt16(source.load(fromByteOffset: index, as: UInt8.self))
            let second = UInt16(source.load(fromByteOffset: index + 1, as: UInt8.self))
            let unit = littleEndian ? first | second << 8 : first << 8 | second
            if unit < 0x80 {
                target.storeBytes(of: UInt8(unit), toByteOffset: count, as: UInt8.self)
                count += 1
            } else if unit < 0x800, capacity - count >= 2 {
                target.storeBytes(of: UInt8(0xC0 | unit >> 6), toByteOffset: count, as: UInt8.self)
                target.storeBytes(of: UInt8(0x80 | unit & 0x3F), toByteOffset: count + 1, as: UInt8.self)
                count += 2
            } else if unit >= 0x800, unit & 0xF800 != 0xD800, capacity - count >= 3 {
                target.storeBytes(of: UInt8(0xE0 | unit >> 12), toByteOffset: count, as: UInt8.self)
                target.storeBytes(of: UInt8(0x80 | unit >> 6 & 0x3F), toByteOffset: count + 1, as: UInt8.self)
                target.storeBytes(of: UInt8(0x80 | unit & 0x3F), toByteOffset: count + 2, as: UInt8.self)
                count += 3
            } else {
                break
            }
            index += 2
        }
        inputStart = index
        written = count
    }

    private func decode(_ unit: UInt16, into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        if let high = highSurrogate {
            highSurrogate = nil
            if unit & 0xFC00 == 0xDC00 {
                let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                emit(scalar, into: buffer, written: &written)
                return
            }
            replace(into: buffer, written: &written)
        }
        switch unit & 0xFC00 {
        case 0xD800: highSurrogate = unit
        case 0xDC00: replace(into: buffer, written: &written)
        default: emit(UInt32(unit), into: buffer, written: &written)
        }
    }

    /// The end of the input: half a code unit or a high surrogate without its partner cannot be decoded.
    private func finish() {
        let scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        var none = 0
        if highSurrogate != nil {
            highSurrogate = nil
            replace(into: scratch, written: &none)
        }
        if oddByte != nil {
            oddByte = nil
            replace(into: scratch, written: &none)
        }
    }

    private func replace(into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        replacedCharacters += 1
        emit(0xFFFD, into: buffer, written: &written)
    }

    private func emit(_ scalar: UInt32, into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        let (bytes, count) = utf8(scalar)
        emit(bytes, count: count, into: buffer, written: &written)
    }

    /// Writes `count` UTF-8 bytes (first byte lowest) to `buffer`, or queues them when they do not all fit.
    @inline(__always)
    private func emit(_ bytes: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        if pendingCount == 0, buffer.count - written >= count {
            var rest = bytes
            for _ in 0..<count {
                buffer[written] = UInt8(truncatingIfNeeded: rest)
                rest >>= 8
                written += 1
            }
        } else {
            pending |= bytes << (8 * UInt64(pendingCount))
            pendingCount += count
        }
    }

    private func flushPending(into buffer: UnsafeMutableRawBufferPointer, written: inout Int) {
        while pendingCount > 0, written < buffer.count {
            buffer[written] = UInt8(truncatingIfNeeded: pending)
            pending >>= 8
            pendingCount -= 1
            written += 1
        }
    }
}

/// A scalar's UTF-8 bytes, first byte lowest, and their count.
@inline(__always)
private func utf8(_ scalar: UInt32) -> (UInt64, Int) {
    let value = UInt64(scalar)
    switch scalar {
    case 0..<0x80:
        return (value, 1)
    case 0x80..<0x800:
        return (0xC0 | value >> 6 | (0x80 | value & 0x3F) << 8, 2)
    case 0x800..<0x10000:
        return (0xE0 | value >> 12 | (0x80 | value >> 6 & 0x3F) << 8 | (0x80 | value & 0x3F) << 16, 3)
    default:
        return (0xF0 | value >> 18 | (0x80 | value >> 12 & 0x3F) << 8 | (0x80 | value >> 6 & 0x3F) << 16
            | (0x80 | value & 0x3F) << 24, 4)
    }
}

/// Windows-1252 0x80–0x9F (WHATWG `index-windows-1252`); 0xA0–0xFF are Latin-1, the same code points.
let windows1252HighControls: [UInt32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D,
    0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x009D, 0x017E, 0x0178,
]

/// Each byte's UTF-8 bytes (low 24 bits, first byte lowest) and their count (high 8 bits).
private let windows1252ToUTF8: [UInt32] = (0..<256).map { byte in
    let scalar = byte >= 0x80 && byte < 0xA0 ? windows1252HighControls[byte - 0x80] : UInt32(byte)
    let (bytes, count) = utf8(scalar)
    return UInt32(bytes) | UInt32(count) << 24
}

extension CSVTextEncoding {
    /// `bytes` (from the first byte after `byteOrderMarkLength`) as UTF-8, for detection on a file's prefix.
    func utf8Text(of bytes: [UInt8], byteOrderMarkLength: Int) -> [UInt8] {
        let source = CSVTranscodingSource(CSVMemorySource(bytes), encoding: self,
                                          byteOrderMarkLength: byteOrderMarkLength)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3 / 2)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
        defer { buffer.deallocate() }
        while let got = try? source.read(into: buffer), got > 0 {
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
        return text
    }
}
