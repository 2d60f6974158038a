// libFuzzer entry point for the CSV reading layer (`make fuzz`). Built only with PARKIMPACT_FUZZ=1, in release mode
// (a debug executable renames `main`, which libFuzzer must supply), and
// `-sanitize=fuzzer,address` (libFuzzer supplies `main`), so a normal `swift build` never sees it.
import CSVReading

/// One input: the first byte picks the read size and the limits, the rest is the file. Checks that reading never
/// crashes, that it is independent of how the bytes arrive (one read vs small reads), and that line numbers rise.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let all = UnsafeRawBufferPointer(start: start, count: count)
    let control = all[0]
    let input = Array(all[1...])
    let maxRead = 1 + Int(control & 0x0F)
    let limits = CSVReadLimits(chunkSize: 64, maxLineBytes: 256 + Int(control >> 4) * 64, maxFields: 64,
                               maxRecordLines: 8)
    let dialect = input.withUnsafeBytes { CSVDialect.detect(prefix: UnsafeRawBufferPointer(rebasing: $0.prefix(4096))) }
    func read(maxRead: Int) -> [String] {
        var source = CSVMemorySource(input, maxRead: maxRead)
        var seen: [String] = []
        var lastLine = 0
        do {
            try CSVStreamReader(dialect: dialect, limits: limits).read(
                from: &source,
                onRecord: { record in
                    precondition(record.line >= lastLine, "record lines must not go back")
                    lastLine = record.line
                    seen.append("\(record.line):\(record.strings)")
                    for index in 0..<record.fieldCount {
                        _ = FieldParsing.decimal(record[index], decimalMark: dialect.decimalMark)
                    }
                    return .proceed
                },
                onMalformed: { malformed in seen.append("!\(malformed.line):\(malformed.reason)") })
        } catch {
            seen.append("error \(error.code)")
        }
        return seen
    }
    let whole = read(maxRead: Int.max)
    let pieces = read(maxRead: maxRead)
    precondition(whole == pieces, "reading in pieces of \(maxRead) bytes differs from one read")
    return 0
}

/// SwiftPM links an executable with `main` aliased to `csv_fuzz_main`; hand control to libFuzzer's driver from there.
/// The corresponding C function is `LLVMFuzzerRunDriver` (libFuzzer, LLVM ≥ 12).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt) -> CInt

@_cdecl("csv_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { start, size in fuzzOneInput(start, size) }
}
