internal import CLibCSV

/// Owns one libcsv `struct csv_parser`.
///
/// The C struct lives in its own allocation and is never copied after `csv_init` (libcsv keeps pointers into it).
/// `deinit` calls `csv_free`. After an error libcsv does not reset itself (see `docs/libcsv.md`), so callers replace the
/// whole parser with a fresh one instead of reusing it.
final class CSVParser {
    let handle: UnsafeMutablePointer<csv_parser>

    /// Creates a strict parser: `CSV_STRICT | CSV_STRICT_FINI` (the default mode silently swallows malformed input).
    ///
    /// The corresponding C function is `csv_init`.
    init(delimiter: UInt8, quote: UInt8) {
        handle = .allocate(capacity: 1)
        let status = csv_init(handle, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        precondition(status == 0, "csv_init failed: out of memory")
        csv_set_delim(handle, delimiter)
        csv_set_quote(handle, quote)
        // Grow the field buffer in large steps: fewer reallocations on long fields.
        csv_set_blk_size(handle, 4096)
    }

    deinit {
        csv_free(handle)
        handle.deallocate()
    }

    /// True while a record has begun but not ended (libcsv's `pstate` is `ROW_NOT_BEGUN` = 0 between records).
    var isInsideRecord: Bool { handle.pointee.pstate != 0 }

    /// True while the parser is inside a quoted field.
    var isInsideQuotes: Bool { handle.pointee.quoted != 0 }

    /// Bytes in the field currently being collected.
    var pendingFieldBytes: Int { handle.pointee.entry_pos }

    /// Feeds bytes; returns how many were consumed (fewer than given means a parse error).
    ///
    /// The corresponding C function is `csv_parse`.
    func parse(_ bytes: UnsafeRawBufferPointer, context: UnsafeMutableRawPointer) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return csv_parse(handle, base, bytes.count, fieldCallback, recordCallback, context)
    }

    /// Ends the input; returns false when the last field is an unterminated quoted field.
    ///
    /// The corresponding C function is `csv_fini`.
    func finish(context: UnsafeMutableRawPointer) -> Bool {
        csv_fini(handle, fieldCallback, recordCallback, context) == 0
    }

    /// The corresponding C function is `csv_error` + `csv_strerror`.
    var errorDescription: String {
        String(cString: csv_strerror(csv_error(handle)))
    }
}

// Contract of the two callbacks: libcsv calls them synchronously from inside `csv_parse`/`csv_fini` with the
// `data` pointer we passed, which is always an `UnsafeMutablePointer<RecordAssembler>` that outlives the call.
// Swift errors cannot cross them: they only record into the assembler, and the caller inspects it afterwards.
//
// `@convention(c)` closures rather than functions: the C entry point is the body itself, not a thunk around it.
private let fieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    field, length, data in
    let assembler = data.unsafelyUnwrapped.assumingMemoryBound(to: RecordAssembler.self)
    assembler.pointee.appendField(field, count: field == nil ? 0 : length)
}

private let recordCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, data in
    let assembler = data.unsafelyUnwrapped.assumingMemoryBound(to: RecordAssembler.self)
    assembler.pointee.endRecord()
}
