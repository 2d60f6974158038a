#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Limits that keep memory bounded whatever a file contains.
public struct CSVReadLimits: Sendable, Equatable {
    /// Bytes read per `read(2)` call.
    public var chunkSize: Int
    /// A physical line longer than this is rejected (and skipped), never buffered whole.
    public var maxLineBytes: Int
    /// A record with more fields than this is rejected.
    public var maxFields: Int
    /// A quoted field still open after this many lines is treated as an unterminated quote.
    public var maxRecordLines: Int

    public init(chunkSize: Int = 1 << 20, maxLineBytes: Int = 8 << 20, maxFields: Int = 4096, maxRecordLines: Int = 200) {
        self.chunkSize = chunkSize
        self.maxLineBytes = maxLineBytes
        self.maxFields = maxFields
        self.maxRecordLines = maxRecordLines
    }
}

/// Where the reader gets bytes from.
public protocol CSVByteSource {
    /// Fills `buffer` from the start; returns the number of bytes read, 0 at end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVFileError) -> Int
}

/// Bytes already in memory (tests, the fuzz target, `sniff`).
public struct CSVMemorySource: CSVByteSource {
    let bytes: [UInt8]
    var position = 0
    /// At most this many bytes per read: lets tests prove the result does not depend on chunk boundaries.
    let maxRead: Int

    public init(_ bytes: [UInt8], maxRead: Int = .max) {
        self.bytes = bytes
        self.maxRead = maxRead
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVFileError) -> Int {
        let count = min(buffer.count, bytes.count - position, maxRead)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#else
private let systemRead = Darwin.read
#endif

/// A file read with `read(2)` in fixed-size chunks: memory does not grow with the file.
public final class CSVFileSource: CSVByteSource {
    public let path: String
    private let descriptor: Int32

    /// Opens `path` for reading from byte `offset` on. The corresponding C functions are `open` and `lseek`.
    public init(path: String, offset: Int = 0) throws(CSVFileError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CSVFileError.fromErrno(errno, path: path) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CSVFileError(code: .notAFile, path: path)
        }
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            let code = errno
            close(fd)
            throw CSVFileError.fromErrno(code, path: path)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The file's size in bytes, nil when it cannot be asked. The corresponding C function is `stat`.
    public static func size(path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// The corresponding C function is `read`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVFileError) -> Int {
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw CSVFileError.fromErrno(errno, path: path)
        }
    }

    /// Reads up to `count` bytes from the start of the file (for dialect and format detection).
    public static func prefix(path: String, count: Int = 65_536) throws(CSVFileError) -> [UInt8] {
        let source = try CSVFileSource(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < count {
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if got == 0 { break }
            filled += got
        }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
    }
}

/// Streams CSV records out of a byte source through libcsv in strict mode.
///
/// What the reader guarantees (see `docs/libcsv.md` for why each is needed):
/// - input is fed one physical line at a time, so every record knows its starting line;
/// - the BOM is stripped and an Excel `sep=` line skipped before libcsv sees them;
/// - blank lines, a lone Ctrl-Z, lines with NUL bytes, over-long lines, records with too many fields and malformed
///   quoting are counted or reported through the malformed-record handler, and reading goes on with a fresh parser;
/// - an unterminated quote is reported at its start line, and the lines it swallowed are read again;
/// - every physical line ends up counted in ``CSVReadStatistics``.
public struct CSVStreamReader {
    public let dialect: CSVDialect
    public let limits: CSVReadLimits
    /// Reading a part of a file (a chunk read in parallel with others): stop at the first record boundary at or
    /// after this many bytes of the source, and report where in ``CSVReadStatistics/stoppedAtBoundary``. A record that
    /// runs past this point (a quoted field with a newline) is read to its end first.
    public var stopAtRecordBoundary: Int?
    /// Runs of plain lines (no quote, CR, Ctrl-Z, NUL or `=`) go to libcsv in one call, each record then finding its
    /// line; false feeds every line alone. The same records, rejects and counts either way (the tests compare both).
    public var feedsPlainRunsTogether = true

    public init(dialect: CSVDialect, limits: CSVReadLimits = CSVReadLimits(), stopAtRecordBoundary: Int? = nil) {
        self.dialect = dialect
        self.limits = limits
        self.stopAtRecordBoundary = stopAtRecordBoundary
    }

    /// Reads the whole source, calling `onRecord` for every record and `onMalformed` for every rejected one.
    /// Throws only when the source itself cannot be read (I/O error, binary data).
    ///
    /// `source` delivers the file's bytes as they are, in `dialect.encoding`: UTF-16 and Windows-1252 text is
    /// converted to UTF-8 on the way (``CSVTranscodingSource``), so records always hold UTF-8. Then
    /// ``CSVReadStatistics/bytes`` still counts the file's bytes, and ``CSVReadStatistics/replacedCharacters`` what
    /// could not be decoded.
    @discardableResult
    public func read(
        from source: inout some CSVByteSource,
        onRecord: (CSVRecord) -> CSVReadControl,
        onMalformed: (CSVMalformedRecord) -> Void
    ) throws(CSVFileError) -> CSVReadStatistics {
        switch dialect.encoding {
        case .utf8:
            return try read(utf8: &source, dialect: dialect, onRecord: onRecord, onMalformed: onMalformed)
        case .binary:
            throw CSVFileError(code: .binary, path: nil)
        case .utf16LittleEndian, .utf16BigEndian, .windows1252:
            var transcoding = CSVTranscodingSource(
                source, encoding: dialect.encoding, byteOrderMarkLength: dialect.byteOrderMarkLength,
                bufferSize: max(limits.chunkSize, 1))
            defer { source = transcoding.base }
            var utf8 = dialect
            utf8.encoding = .utf8
            utf8.byteOrderMarkLength = 0  // dropped by the transcoding source
            var statistics = try read(utf8: &transcoding, dialect: utf8, onRecord: onRecord, onMalformed: onMalformed)
            statistics.bytes = transcoding.bytesRead
            statistics.replacedCharacters = transcoding.replacedCharacters
            return statistics
        }
    }

    private func read(
        utf8 source: inout some CSVByteSource, dialect: CSVDialect,
        onRecord: (CSVRecord) -> CSVReadControl, onMalformed: (CSVMalformedRecord) -> Void
    ) throws(CSVFileError) -> CSVReadStatistics {
        let outcome: Result<CSVReadStatistics, CSVFileError> = withoutActuallyEscaping(onRecord) { onRecord in
            withoutActuallyEscaping(onMalformed) { onMalformed in
                let assembler = UnsafeMutablePointer<RecordAssembler>.allocate(capacity: 1)
                assembler.initialize(to: RecordAssembler(
                    maxFields: limits.maxFields, handler: onRecord, malformedHandler: onMalformed))
                defer {
                    assembler.pointee.deallocate()
                    assembler.deinitialize(count: 1)
                    assembler.deallocate()
                }
                var oneRead = ReadSession(dialect: dialect, limits: limits, assembler: assembler)
                oneRead.stopAtRecordBoundary = stopAtRecordBoundary
                oneRead.feedsPlainRunsTogether = feedsPlainRunsTogether
                do throws(CSVFileError) {
                    try oneRead.run(source: &source)
                } catch {
                    return .failure(error)
                }
                return .success(assembler.pointee.statistics)
            }
        }
        return try outcome.get()
    }
}

/// The state of one read. Not reused: a new read gets a new `ReadSession` and new parsers.
private struct ReadSession {
    let dialect: CSVDialect
    let limits: CSVReadLimits
    let assembler: UnsafeMutablePointer<RecordAssembler>
    var parser: CSVParser
    var lineNumber = 0
    /// Lines of a record that spans lines (inside a quoted field), kept to report it and to re-read them when the
    /// quote turns out never to close.
    var openRecordLines: [(number: Int, bytes: [UInt8])] = []
    var openRecordRaw: [UInt8] = []
    /// 1-based position of the field that is open across lines.
    var openRecordColumn = 0
    /// A line's bytes with the `=` of Excel's `="…"` blanked (see `copyWithoutFormulaEquals`), reused line to line.
    var formulaScratch: [UInt8] = []
    /// See ``CSVStreamReader/stopAtRecordBoundary``.
    var stopAtRecordBoundary: Int?
    /// Source offset of `buffer[0]` in `run`.
    var bufferOrigin = 0
    /// See ``CSVStreamReader/feedsPlainRunsTogether``.
    var feedsPlainRunsTogether = true
    /// True when the bytes `run` is taking lines from are known to hold no NUL byte, resp. no `=`: one `memchr` per
    /// buffer instead of one per line. False (look at each line) for lines fed again from `openRecordLines`.
    var bufferHasNoNUL = false
    var bufferHasNoEquals = false
    /// Offsets in the buffer of the next quote, CR and Ctrl-Z (`plainSpanEnd`); -1: not searched since the last fill.
    var nextSpecial = (quote: -1, carriageReturn: -1, controlZ: -1)

    init(dialect: CSVDialect, limits: CSVReadLimits, assembler: UnsafeMutablePointer<RecordAssembler>) {
        self.dialect = dialect
        self.limits = limits
        self.assembler = assembler
        parser = CSVParser(delimiter: dialect.delimiter, quote: dialect.quote)
    }

    var context: UnsafeMutableRawPointer { UnsafeMutableRawPointer(assembler) }
    var stopped: Bool { assembler.pointee.stopRequested }

    mutating func run(source: inout some CSVByteSource) throws(CSVFileError) {
        let terminator = dialect.lineTerminator
        var capacity = max(limits.chunkSize, 4096)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        var skippingLongLine = false
        var longLineStart = 0
        // Bytes of the line being skipped so far, and its last byte (a CR there may be half of a CRLF).
        var longLineBytes = 0
        var longLineLastByte: UInt8 = 0
        var atFileStart = true
        var endOfInput = false

        while !endOfInput, !stopped {
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            assembler.pointee.statistics.bytes += got
            if got == 0 { endOfInput = true }
            filled += got
            var start = 0
            if atFileStart, filled >= dialect.byteOrderMarkLength || endOfInput {
                start = min(dialect.byteOrderMarkLength, filled)
                atFileStart = false
            } else if atFileStart {
                continue
            }
            let base = UnsafeRawPointer(buffer.baseAddress!)
            bufferHasNoNUL = filled == start || memchr(base + start, 0, filled - start) == nil
            bufferHasNoEquals = filled == start || memchr(base + start, Int32(UInt8(ascii: "=")), filled - start) == nil
            nextSpecial = (-1, -1, -1)
            // Every complete line in the buffer: plain runs of lines in one libcsv call, the others one by one.
            var spansAllowed = canFeedSpans
            while start < filled, !stopped {
                if spansAllowed, !skippingLongLine, lineNumber >= 1, !parser.isInsideRecord, bufferHasNoNUL,
                   bufferHasNoEquals {
                    let spanEnd = plainSpanEnd(base, from: start, filled: filled, capacity: capacity)
                    if spanEnd > start {
                        let next = feedSpan(base, from: start, to: spanEnd)
                        if next < spanEnd { spansAllowed = false }  // libcsv stopped early: the rest line by line
                        start = next
                        if let boundary = stopAtRecordBoundary, bufferOrigin + start >= boundary, !parser.isInsideRecord {
                            assembler.pointee.statistics.stoppedAtBoundary = bufferOrigin + start
                            assembler.pointee.statistics.bytes = bufferOrigin + start
                            return
                        }
                        continue
                    }
                }
                let remaining = filled - start
                guard let hit = memchr(base + start, Int32(terminator), remaining) else { break }
                let end = UnsafeRawPointer(hit) - base
                let lineBytes = UnsafeRawBufferPointer(start: base + start, count: end - start + 1)
                let lastByte = end > start ? base.load(fromByteOffset: end - 1, as: UInt8.self) : 0
                if skippingLongLine {
                    skippingLongLine = false
                    rejectLongLine(line: longLineStart, length: contentLength(
                        longLineBytes + end - start, end > start ? lastByte : longLineLastByte))
                } else if contentLength(end - start, lastByte) > limits.maxLineBytes {
                    // The whole line arrived in one buffer: still too long, the same verdict as when it arrives in
                    // pieces and is skipped below (results must not depend on read sizes).
                    lineNumber += 1
                    rejectLongLine(line: lineNumber, length: contentLength(end - start, lastByte))
                } else {
                    processLine(lineBytes, hasTerminator: true)
                }
                start = end + 1
                if let boundary = stopAtRecordBoundary, bufferOrigin + start >= boundary, !parser.isInsideRecord,
                   !skippingLongLine {
                    assembler.pointee.statistics.stoppedAtBoundary = bufferOrigin + start
                    assembler.pointee.statistics.bytes = bufferOrigin + start
                    return
                }
            }
            if stopped { break }
            // Keep the partial last line for the next read.
            let leftover = filled - start
            let leftoverLastByte = leftover > 0 ? base.load(fromByteOffset: filled - 1, as: UInt8.self) : 0
            if endOfInput {
                if skippingLongLine {
                    rejectLongLine(line: longLineStart,
                                   length: contentLength(longLineBytes + leftover,
                                                         leftover > 0 ? leftoverLastByte : longLineLastByte))
                } else if contentLength(leftover, leftoverLastByte) > limits.maxLineBytes {
                    lineNumber += 1
                    rejectLongLine(line: lineNumber, length: contentLength(leftover, leftoverLastByte))
                } else if leftover > 0 {
                    processLine(UnsafeRawBufferPointer(start: base + start, count: leftover), hasTerminator: false)
                }
                break
            }
            if skippingLongLine {
                longLineBytes += leftover
                if leftover > 0 { longLineLastByte = leftoverLastByte }
                bufferOrigin += filled
                filled = 0
                continue
            }
            if contentLength(leftover, leftoverLastByte) > limits.maxLineBytes {
                // Longer than the limit whatever follows: stop buffering it, count its bytes until its end.
                lineNumber += 1
                longLineStart = lineNumber
                longLineBytes = leftover
                longLineLastByte = leftoverLastByte
                skippingLongLine = true
                bufferOrigin += filled
                filled = 0
                continue
            }
            if start > 0, leftover > 0 {
                memmove(buffer.baseAddress!, buffer.baseAddress! + start, leftover)
            }
            bufferOrigin += start
            filled = leftover
            if filled == capacity {
                // Room for a partial line of up to `maxLineBytes` + 1 bytes (its last byte may be the CR of a CRLF)
                // and one more read: a full buffer would read 0 bytes, which means end of input.
                capacity = max(min(capacity * 2, limits.maxLineBytes + 1 + limits.chunkSize), filled + 1)
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
                buffer.deallocate()
                buffer = grown
            }
        }
        if !stopped { finishInput() }
        if stopped { assembler.pointee.statistics.stoppedEarly = true }
    }

    /// Whether runs of plain lines may go to libcsv in one call (`feedSpan`): LF line ends and a delimiter that is
    /// neither a space nor a tab (so a line of spaces and tabs is blank to libcsv as to `feed`).
    private var canFeedSpans: Bool {
        feedsPlainRunsTogether && dialect.lineTerminator == 0x0A && dialect.delimiter != 0x20 && dialect.delimiter != 0x09
    }

    /// The offset of the next `byte` at or after `start` in the buffer (`filled` when there is none), reusing
    /// `cached` while it is still ahead: each kind of byte is searched for once per stretch, not once per line.
    private func next(_ byte: UInt8, cached: Int, _ base: UnsafeRawPointer, _ start: Int, _ filled: Int) -> Int {
        if cached >= start { return cached }
        return memchr(base + start, Int32(byte), filled - start).map { UnsafeRawPointer($0) - base } ?? filled
    }

    /// The end (just after a newline) of the run of complete lines from `start` that can be fed at once: lines
    /// before the next quote, CR or Ctrl-Z (each needs its line looked at on its own; NUL and `=` are screened per
    /// buffer), up to the first line end at or after `stopAtRecordBoundary`; `start` when there is no such line.
    /// `capacity`: a complete line in the buffer is shorter than that, so none can exceed `maxLineBytes`.
    private mutating func plainSpanEnd(_ base: UnsafeRawPointer, from start: Int, filled: Int, capacity: Int) -> Int {
        guard limits.maxLineBytes >= capacity else { return start }
        nextSpecial.quote = next(dialect.quote, cached: nextSpecial.quote, base, start, filled)
        nextSpecial.carriageReturn = next(0x0D, cached: nextSpecial.carriageReturn, base, start, filled)
        nextSpecial.controlZ = next(0x1A, cached: nextSpecial.controlZ, base, start, filled)
        var limit = min(filled, nextSpecial.quote, nextSpecial.carriageReturn, nextSpecial.controlZ)
        if let boundary = stopAtRecordBoundary {
            let lastByte = boundary - bufferOrigin - 1  // the line ending at or after this byte stops the read
            guard lastByte > start else { return start }
            if lastByte < limit, let hit = memchr(base + lastByte, 0x0A, limit - lastByte) {
                limit = UnsafeRawPointer(hit) - base + 1
            }
        }
        var end = limit  // just after the last newline before `limit` (a line is short: a few steps back)
        while end > start, base.load(fromByteOffset: end - 1, as: UInt8.self) != 0x0A { end -= 1 }
        return end
    }

    /// Feeds a run of complete plain lines (`plainSpanEnd`) to libcsv in one call; each record finds its line and raw
    /// text itself (`RecordAssembler.takeSpanLine`), blank lines are counted as `feed` counts them. Returns where
    /// reading goes on: the span's end, or the line after the last record when libcsv stopped early (not expected
    /// without quotes; those lines are then fed one by one, with a fresh parser).
    private mutating func feedSpan(_ base: UnsafeRawPointer, from start: Int, to spanEnd: Int) -> Int {
        let end = base + spanEnd
        assembler.pointee.spanCursor = base + start
        assembler.pointee.spanEnd = end
        assembler.pointee.spanLine = lineNumber
        let count = spanEnd - start
        let consumed = parser.parse(UnsafeRawBufferPointer(start: base + start, count: count), context: context)
        var cursor = assembler.pointee.spanCursor.unsafelyUnwrapped
        if consumed == count, !stopped {
            // Lines after the last record: blank, or libcsv would have ended a record on them.
            while cursor < end {
                let newline = UnsafeRawPointer(memchr(cursor, 0x0A, end - cursor)!)
                assembler.pointee.spanLine += 1
                assembler.pointee.statistics.physicalLines += 1
                assembler.pointee.statistics.blankLines += 1
                cursor = newline + 1
            }
        }
        lineNumber = assembler.pointee.spanLine
        assembler.pointee.spanCursor = nil
        assembler.pointee.spanEnd = nil
        assembler.pointee.raw = UnsafeRawBufferPointer(start: nil, count: 0)
        if consumed < count, !stopped { restartParser() }
        return cursor - base
    }

    /// The length of a line's text: `count` bytes before the line terminator, less the CR of a CRLF.
    private func contentLength(_ count: Int, _ lastByte: UInt8) -> Int {
        count > 0 && dialect.lineTerminator == 0x0A && lastByte == 0x0D ? count - 1 : count
    }

    /// Rejects a line longer than `limits.maxLineBytes` (never handed to libcsv). A quoted field open before it is
    /// given up first as unterminated, so the lines it held are read again rather than silently dropped.
    private mutating func rejectLongLine(line: Int, length: Int) {
        while !openRecordLines.isEmpty, !stopped { abandonOpenRecord() }
        assembler.pointee.statistics.physicalLines += 1
        let limit = limits.maxLineBytes
        let limitText = limit >= 1 << 20 && limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
        reject(line: line, column: nil, kind: .lineTooLong,
               reason: "line too long: \(length) bytes (limit \(limitText)); is this a CSV export?",
               raw: "(not kept: too long)")
        restartParser()
    }

    /// One physical line, with its terminator when it has one.
    private mutating func processLine(_ lineWithTerminator: UnsafeRawBufferPointer, hasTerminator: Bool) {
        lineNumber += 1
        assembler.pointee.statistics.physicalLines += 1
        var text = lineWithTerminator
        if hasTerminator { text = UnsafeRawBufferPointer(rebasing: text.dropLast()) }
        if dialect.lineTerminator == 0x0A, text.last == 0x0D { text = UnsafeRawBufferPointer(rebasing: text.dropLast()) }
        feed(number: lineNumber, text: text, feedBytes: lineWithTerminator)
    }

    /// Feeds one line to libcsv (also used to re-read the lines an unterminated quote swallowed).
    private mutating func feed(number: Int, text: UnsafeRawBufferPointer, feedBytes: UnsafeRawBufferPointer) {
        let continuing = parser.isInsideRecord
        if !continuing {
            if number == 1, dialect.hasSeparatorLine {
                assembler.pointee.statistics.preambleLines += 1
                return
            }
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) || (text.count == 1 && text[0] == 0x1A) {
                assembler.pointee.statistics.blankLines += 1
                return
            }
        }
        if !bufferHasNoNUL, text.count > 0, memchr(text.baseAddress!, 0, text.count) != nil {
            if continuing {
                rejectOpenRecord(kind: .nulBytes, reason: "a quoted field runs into a line with NUL bytes")
            }
            reject(line: number, column: nil, kind: .nulBytes,
                   reason: "line contains NUL bytes (binary data or UTF-16 text)", raw: CSVRecord.text(text, limit: 4096))
            restartParser()
            return
        }
        if continuing {
            openRecordLines.append((number, Array(text)))
            openRecordRaw.append(0x0A)
            openRecordRaw.append(contentsOf: text)
        }
        let consumed = !bufferHasNoEquals && copyWithoutFormulaEquals(feedBytes, insideQuotes: continuing)
            ? formulaScratch.withUnsafeBytes { parse($0, line: number, text: text, continuing: continuing) }
            : parse(feedBytes, line: number, text: text, continuing: continuing)
        assembler.pointee.raw = UnsafeRawBufferPointer(start: nil, count: 0)
        if consumed < feedBytes.count {
            if continuing, assembler.pointee.fieldCount + 1 == openRecordColumn {
                // The field that was open across lines did not close properly (`a,"abc` + `d,"e"`: the quote
                // closes at `d,"` and `e` follows). Its opening quote is the fault, a stray or unterminated quote,
                // as when the file ends inside it: report it at its start line and read the lines it held again,
                // this one included (they are usually good rows, not part of the reject).
                abandonOpenRecord()
                return
            }
            let column = assembler.pointee.fieldCount + 1
            let raw = continuing ? openRecordRaw.withUnsafeBytes { CSVRecord.text($0, limit: 4096) }
                                 : CSVRecord.text(text, limit: 4096)
            let position = consumed + 1
            reject(line: continuing ? openRecordLines[0].number : number, column: column, kind: .malformedQuoting,
                   reason: "malformed quoting near character \(position) of line \(number): a quote inside an unquoted "
                       + "field or text after a closing quote", raw: raw)
            restartParser()
            return
        }
        if parser.isInsideRecord {
            if !continuing {
                openRecordLines = [(number, Array(text))]
                openRecordRaw = Array(text)
                openRecordColumn = assembler.pointee.fieldCount + 1
            }
            // `>=`: a field still open after `maxRecordLines` lines is unterminated (`>` let it span one line more).
            if openRecordLines.count >= limits.maxRecordLines || openRecordRaw.count > limits.maxLineBytes {
                abandonOpenRecord()
            }
        } else if continuing {
            openRecordLines.removeAll(keepingCapacity: true)
            openRecordRaw.removeAll(keepingCapacity: true)
        }
    }

    /// Feeds `bytes` to libcsv with the record's start line and raw text set for the record callback.
    private func parse(
        _ bytes: UnsafeRawBufferPointer, line: Int, text: UnsafeRawBufferPointer, continuing: Bool
    ) -> Int {
        if continuing {
            return openRecordRaw.withUnsafeBytes { raw in
                assembler.pointee.raw = raw
                return parser.parse(bytes, context: context)
            }
        }
        assembler.pointee.line = line
        assembler.pointee.raw = text
        return parser.parse(bytes, context: context)
    }

    /// Excel's text formula `="…"` at the start of a field (Fluvius writes its EAN column so: `;="5414…";`) is a
    /// quote inside an unquoted field to libcsv's strict mode, which rejects every such row. libcsv skips spaces
    /// before a quoted field, so in a copy (`formulaScratch`) the `=` becomes a space: the field arrives as the text
    /// Excel shows (`5414…`), byte positions in messages stay right and the record's raw text keeps its `=`.
    /// Returns false, copying nothing, when the line has no `="` at all (found with `memchr`: most lines have no `=`).
    private mutating func copyWithoutFormulaEquals(_ bytes: UnsafeRawBufferPointer, insideQuotes: Bool) -> Bool {
        var copied = false
        ExcelFormulas.forEachFormulaEquals(in: bytes, insideQuotes: insideQuotes, delimiter: dialect.delimiter,
                                           quote: dialect.quote) { position in
            if !copied {
                formulaScratch.removeAll(keepingCapacity: true)
                formulaScratch.append(contentsOf: bytes)
                copied = true
            }
            formulaScratch[position] = 0x20
        }
        return copied
    }

    /// The end of input: `csv_fini` ends a last record without newline, and fails only when a quoted field is
    /// still open; then the record is rejected and the lines it swallowed are read again (which may open another).
    private mutating func finishInput() {
        while !stopped {
            let finished = openRecordRaw.withUnsafeBytes { raw in
                if !raw.isEmpty { assembler.pointee.raw = raw }
                return parser.finish(context: context)
            }
            assembler.pointee.raw = UnsafeRawBufferPointer(start: nil, count: 0)
            if finished { return }
            guard !openRecordLines.isEmpty else {
                reject(line: lineNumber, column: assembler.pointee.fieldCount + 1,
                       kind: .unterminatedQuote, reason: "unterminated quoted field at end of file", raw: "")
                restartParser()
                return
            }
            abandonOpenRecord()
        }
    }

    /// Rejects the open multi-line record as an unterminated quote and re-reads the lines after its first line.
    private mutating func abandonOpenRecord() {
        let lines = openRecordLines
        rejectOpenRecord(kind: .unterminatedQuote,
                         reason: "unterminated quoted field: the quote opened here never closes")
        restartParser()
        let screened = (bufferHasNoNUL, bufferHasNoEquals)
        (bufferHasNoNUL, bufferHasNoEquals) = (false, false)
        defer { (bufferHasNoNUL, bufferHasNoEquals) = screened }
        for (number, bytes) in lines.dropFirst() where !stopped {
            var withTerminator = bytes
            withTerminator.append(0x0A)
            bytes.withUnsafeBytes { text in
                withTerminator.withUnsafeBytes { feedBytes in
                    feed(number: number, text: text, feedBytes: feedBytes)
                }
            }
        }
    }

    private mutating func rejectOpenRecord(kind: CSVMalformedRecord.Kind, reason: String) {
        guard let first = openRecordLines.first else { return }
        let raw = first.bytes.withUnsafeBytes { CSVRecord.text($0, limit: 4096) }
        reject(line: first.number, column: assembler.pointee.fieldCount + 1, kind: kind, reason: reason, raw: raw)
        openRecordLines.removeAll()
        openRecordRaw.removeAll()
    }

    private mutating func reject(line: Int, column: Int?, kind: CSVMalformedRecord.Kind, reason: String, raw: String) {
        assembler.pointee.statistics.malformedRecords += 1
        assembler.pointee.malformedHandler(CSVMalformedRecord(line: line, column: column, kind: kind, reason: reason,
                                                                raw: raw))
    }

    /// A fresh parser: libcsv is not reset after an error (`docs/libcsv.md`).
    private mutating func restartParser() {
        parser = CSVParser(delimiter: dialect.delimiter, quote: dialect.quote)
        assembler.pointee.reset()
        openRecordLines.removeAll()
        openRecordRaw.removeAll()
    }
}

/// Finding Excel's text formulas `="…"` in a line (see `ReadSession.copyWithoutFormulaEquals`).
enum ExcelFormulas {
    /// Calls `body` with the position of each `=` that starts a formula: outside quotes, followed by a quote, and
    /// separated only by spaces or tabs from the previous delimiter or, when the line starts outside quotes, from the
    /// line start (libcsv skips spaces before a field). A quote that is also the delimiter never opens a quoted field
    /// (the delimiter wins); `""` inside quotes closes and reopens.
    ///
    /// Skips from one quote or `=` to the next with `memchr` instead of looking at every byte; the common line without
    /// any `=` costs one `memchr`.
    @inline(__always)
    static func forEachFormulaEquals(
        in bytes: UnsafeRawBufferPointer, insideQuotes: Bool, delimiter: UInt8, quote: UInt8, _ body: (Int) -> Void
    ) {
        let equals = UInt8(ascii: "=")
        let count = bytes.count
        guard count > 1, let base = bytes.baseAddress, memchr(base, Int32(equals), count - 1) != nil,
              delimiter != equals, quote != equals else { return }
        var position = 0
        var inQuotes = insideQuotes
        var atFieldStart = !insideQuotes  // at `position`
        while position < count {
            if inQuotes {
                guard let hit = memchr(base + position, Int32(quote), count - position) else { return }
                position = UnsafeRawPointer(hit) - base + 1
                inQuotes = false
                atFieldStart = false
                continue
            }
            let nextQuote = quote == delimiter ? count
                : memchr(base + position, Int32(quote), count - position).map { UnsafeRawPointer($0) - base } ?? count
            guard let hit = memchr(base + position, Int32(equals), nextQuote - position) else {
                position = nextQuote + 1
                inQuotes = true
                atFieldStart = false
                continue
            }
            let at = UnsafeRawPointer(hit) - base
            var before = at
            var formulaStart = atFieldStart
            while before > position {
                let byte = base.load(fromByteOffset: before - 1, as: UInt8.self)
                if byte == delimiter {
                    formulaStart = true
                    break
                }
                if byte != 0x20, byte != 0x09 {
                    formulaStart = false
                    break
                }
                before -= 1
            }
            if formulaStart, at + 1 < count, base.load(fromByteOffset: at + 1, as: UInt8.self) == quote { body(at) }
            position = at + 1
            atFieldStart = false
        }
    }
}
