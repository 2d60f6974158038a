import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import ParkImpactModel
import ParkImpactDefinition
public import ParkImpactKPIs

/// Writes outputs atomically: a temporary file in the same folder, then `rename(2)`, so a reader (or a crash)
/// never sees half a report. A pilot's outputs are first all written to their temporary names (`stage`), then
/// renamed into place together (`commit`); when one cannot be written, none is renamed and the temporary files are
/// removed (`discard`), so the outputs in place always belong to one generation.
public enum OutputFiles {
    /// Writes `text` to `.<name>.parkimpact-tmp` beside `path`, then renames it into place (`rename(2)` is atomic):
    /// a reader sees the old file or the new one, never half of one. The temporary name is fixed, so a run killed
    /// mid-write leaves at most that file, which the next write of the same output reuses and renames away.
    public static func write(_ text: String, to path: String) throws(OutputFailure) {
        var text = text
        let staged = try stage(to: path, sha256: "") { descriptor in text.withUTF8 { writeAll($0, to: descriptor) } }
        if let failure = commit([staged]).failure { throw failure }
    }

    /// Writes a rendered file's parts one after the other, the same way.
    public static func write(_ file: RenderedFile, to path: String) throws(OutputFailure) {
        let staged = try stage(file, to: path)
        if let failure = commit([staged]).failure { throw failure }
    }

    /// Writes a rendered file's parts to the temporary name of `path`; `commit` renames it into place.
    public static func stage(_ file: RenderedFile, to path: String) throws(OutputFailure) -> StagedOutput {
        try stage(to: path, sha256: file.sha256) { descriptor in
            for part in file.parts {
                let failure = part.withUnsafeBufferPointer { writeAll($0, to: descriptor) }
                if failure != 0 { return failure }
            }
            return 0
        }
    }

    /// One output written part by part as the parts are rendered, in any order: a part is written (and hashed) once
    /// every part before it is, then freed; `stage` closes the temporary file (`finish` also renames it into place).
    /// `@unchecked Sendable`: every access to the mutable state goes through `lock`.
    public final class Sink: @unchecked Sendable {
        private let path: String
        private let temporary: String
        private var descriptor: Int32
        private let condition = NSCondition()
        private var hasher = SHA256()
        private var waiting: [Int: [UInt8]] = [:]
        private var next = 0
        /// A worker is writing the parts from `next` on (outside the lock); the others hand in their parts and go.
        private var writing = false
        private var failure: Int32 = 0
        /// The most parts held at once for an earlier one (tests; read with `mostHeld`).
        private var mostHeldSoFar = 0

        public init(path: String) throws(OutputFailure) {
            self.path = path
            try OutputFiles.makeFolder((path as NSString).deletingLastPathComponent)
            temporary = OutputFiles.temporary(for: path)
            descriptor = try OutputFiles.openTemporary(temporary, for: path)
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        /// Parts held for an earlier one, at most: a worker that runs ahead of another (preempted mid-part) waits
        /// instead of piling up rendered parts. Never a deadlock: the earliest part not yet delivered is always the
        /// next one of its file, and its worker never waits.
        static let heldLimit = 2

        /// The most parts held at once for an earlier one so far (tests).
        var mostHeld: Int {
            condition.lock()
            defer { condition.unlock() }
            return mostHeldSoFar
        }

        /// A write to the temporary file failed: the remaining parts need not be rendered (deliver empty ones).
        public var failed: Bool {
            condition.lock()
            defer { condition.unlock() }
            return failure != 0
        }

        /// Part `part` (0, 1, 2, … in file order) is rendered.
        ///
        /// The parts are written and hashed in order by one worker at a time (`writing`) without holding the lock,
        /// so that the others can hand in parts meanwhile: the worker whose part is the next one writes it and any
        /// parts after it that are waiting, checking for more under the lock before it stops writing. So when no
        /// worker writes, the next part is not waiting, and the next part's worker never waits.
        public func deliver(_ bytes: [UInt8], part: Int) {
            condition.lock()
            defer { condition.unlock() }
            while part != next, waiting.count >= Self.heldLimit { condition.wait() }
            waiting[part] = bytes
            mostHeldSoFar = max(mostHeldSoFar, waiting.count - (waiting[next] == nil ? 0 : 1))
            guard !writing else { return }
            writing = true
            while let ready = waiting.removeValue(forKey: next) {
                let failed = failure != 0
                condition.unlock()
                let code = failed ? 0 : ready.withUnsafeBufferPointer { OutputFiles.writeAll($0, to: descriptor) }
                hasher.update(data: ready)
                condition.lock()
                if failure == 0 { failure = code }
                next += 1
                condition.broadcast()
            }
            writing = false
        }

        /// Every part delivered: closes the temporary file, not yet renamed into place (`OutputFiles.commit`). When a
        /// write failed, the temporary file is removed and the failure thrown.
        public func stage() throws(OutputFailure) -> StagedOutput {
            condition.lock()
            defer { condition.unlock() }
            precondition(waiting.isEmpty, "a part was not delivered")
            let closed = descriptor >= 0 ? OutputFiles.closeChecked(descriptor) : 0
            descriptor = -1
            let code = failure != 0 ? failure : closed
            if code != 0 {
                unlink(temporary)
                throw OutputFailure(call: "write", path: path, code: code)
            }
            return StagedOutput(path: path, temporary: temporary, sha256: FileDigest.hex(hasher.finalize()))
        }

        /// Every part delivered: renames the file into place; its SHA-256 (lowercase hex).
        public func finish() throws(OutputFailure) -> String {
            let staged = try stage()
            if let failure = OutputFiles.commit([staged]).failure { throw failure }
            return staged.sha256
        }

        /// Closes and removes the temporary file (another output of the same generation failed).
        public func discard() {
            condition.lock()
            defer { condition.unlock() }
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            unlink(temporary)
        }
    }

    /// The suffix of temporary output names: `.<name>.parkimpact-tmp`.
    static let temporarySuffix = ".parkimpact-tmp"

    static func temporary(for path: String) -> String {
        ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            "." + (path as NSString).lastPathComponent + temporarySuffix)
    }

    /// Opens (creates, truncates) the temporary file of `path`.
    static func openTemporary(_ temporary: String, for path: String) throws(OutputFailure) -> Int32 {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputFailure(call: "open", path: path, code: errno) }
        return descriptor
    }

    /// `close(2)`; its `errno` (a file system may report a full disk only there), or 0.
    static func closeChecked(_ descriptor: Int32) -> Int32 {
        close(descriptor) == 0 || errno == EINTR ? 0 : errno
    }

    /// Creates `folder` and the folders above it that are missing (`mkdir -p`). A file in the way is named as such
    /// (`OutputFailure.Kind.notAFolder`), never as an error number.
    public static func makeFolder(_ folder: String) throws(OutputFailure) {
        guard !folder.isEmpty else { return }
        var info = stat()
        if stat(folder, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { return }
            throw OutputFailure(call: "mkdir", path: folder, code: ENOTDIR)
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if parent != folder { try makeFolder(parent) }
        if mkdir(folder, 0o755) != 0 {
            let code = errno
            if code == EEXIST, stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
            throw OutputFailure(call: "mkdir", path: folder, code: code == EEXIST ? ENOTDIR : code)
        }
    }

    /// Opens the temporary file, lets `content` write to it (returning an `errno`, 0 when all went well), and closes
    /// it; on a failure the temporary file is removed and the failure thrown. `sha256`: of the content.
    private static func stage(to path: String, sha256: String,
                              content: (Int32) -> Int32) throws(OutputFailure) -> StagedOutput {
        try makeFolder((path as NSString).deletingLastPathComponent)
        let temporary = temporary(for: path)
        let descriptor = try openTemporary(temporary, for: path)
        let written = content(descriptor)
        let closed = closeChecked(descriptor)
        let code = written != 0 ? written : closed
        guard code == 0 else {
            unlink(temporary)
            throw OutputFailure(call: "write", path: path, code: code)
        }
        return StagedOutput(path: path, temporary: temporary, sha256: sha256)
    }

    /// Renames staged files into place, in order, calling `renamed` after each. A file in place that is a folder
    /// is found before anything is renamed: then none is, and every temporary file is removed. A rename that fails
    /// midway (which a folder writable a moment ago hardly does) leaves the files renamed before it in place and
    /// removes the other temporary files. Returns what was renamed, and the failure.
    @discardableResult
    public static func commit(_ staged: [StagedOutput], renamed: (StagedOutput) -> Void = { _ in })
        -> (renamed: [StagedOutput], failure: OutputFailure?) {
        for file in staged {
            var info = stat()
            if lstat(file.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                discard(staged)
                return ([], OutputFailure(call: "rename", path: file.path, code: EISDIR))
            }
        }
        var done: [StagedOutput] = []
        for (index, file) in staged.enumerated() {
            let injected = FaultInjection.failure("rename")
            guard injected == nil, rename(file.temporary, file.path) == 0 else {
                let failure = OutputFailure(call: "rename", path: file.path, code: injected ?? errno)
                discard(Array(staged[index...]))
                return (done, failure)
            }
            done.append(file)
            renamed(file)
        }
        return (done, nil)
    }

    /// Removes the temporary files of staged outputs (never renamed into place).
    public static func discard(_ staged: [StagedOutput]) {
        for file in staged { unlink(file.temporary) }
    }

    /// Removes temporary output files that a killed run left in `folder` (`.<name>.parkimpact-tmp`, not in
    /// subfolders). Only while the run holds the lock: then no other run writes them.
    public static func removeLeftovers(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(temporarySuffix) {
            unlink((folder as NSString).appendingPathComponent(name))
        }
    }

    /// The corresponding C function is `write`, repeated until every byte is written; the `errno` of a failure, or 0.
    static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) -> Int32 {
        if let injected = FaultInjection.failure("write") { return injected }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}

/// An output written to its temporary name (`.<name>.parkimpact-tmp` beside `path`), not yet renamed into place.
public struct StagedOutput: Sendable {
    /// Where it goes.
    public let path: String
    public let temporary: String
    public let sha256: String
}

/// An output (a report, `last-run.json`, the lock file) that cannot be created or written, told as what is wrong,
/// where, and how to fix it, never as an error number or a Foundation error's text.
public struct OutputFailure: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// ENOSPC.
        case diskFull
        /// EDQUOT.
        case quotaExceeded
        /// A regular file (or other non-folder) stands where a folder is needed: `path` names it.
        case notAFolder
        /// A folder stands where an output file goes: `path` names it.
        case isAFolder
        /// EACCES, EPERM: `path`'s folder is not writable.
        case permissionDenied
        /// EROFS.
        case readOnly
        case other
    }

    /// The system call: `mkdir`, `open`, `write`, `rename`.
    public let call: String
    /// The file or folder concerned: the output, or the file in the way of a folder.
    public let path: String
    public let code: Int32
    public let kind: Kind

    public init(call: String, path: String, code: Int32) {
        self.call = call
        self.code = code
        switch code {
        case ENOSPC: kind = .diskFull
        case EDQUOT: kind = .quotaExceeded
        case ENOTDIR, ELOOP: kind = .notAFolder
        case EISDIR: kind = .isAFolder
        case EACCES, EPERM: kind = .permissionDenied
        case EROFS: kind = .readOnly
        default: kind = .other
        }
        // The file in the way: the nearest ancestor (or `path` itself) that exists and is not a folder.
        self.path = kind == .notAFolder ? Self.blocking(path) ?? path : path
    }

    /// `path`, or the nearest folder above it that exists and is not a folder.
    private static func blocking(_ path: String) -> String? {
        var current = path
        while !current.isEmpty, current != "/" {
            var info = stat()
            if stat(current, &info) == 0 { return info.st_mode & S_IFMT == S_IFDIR ? nil : current }
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current { break }
            current = parent
        }
        return nil
    }

    /// The folder the fix concerns: for a write, the output's folder; for a folder that cannot be made, the
    /// folder above it.
    public var folder: String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// What is wrong, and where.
    public var problem: String { problem(outputFolder: nil) }

    /// What is wrong, and where; a full disk, a used-up quota or a read-only file system named by `outputFolder`
    /// (the folder the user gave) when there is one, as the same for every output in it.
    public func problem(outputFolder: String?) -> String {
        let disk = outputFolder ?? folder
        switch kind {
        case .diskFull: return "the disk that holds \(disk) is full (no space left on device)"
        case .quotaExceeded: return "the disk quota of the user running parkimpact is used up on the disk that holds "
            + "\(disk)"
        case .notAFolder: return "\(path) is a file, not a folder"
        case .isAFolder: return "\(path) is a folder, where parkimpact writes a file"
        case .permissionDenied: return "\(folder) is not writable (permission denied)"
        case .readOnly: return "\(disk) is on a read-only file system"
        case .other: return "\(path): \(call) failed (\(String(cString: strerror(code))))"
        }
    }

    /// How to fix it.
    public var fix: String {
        switch kind {
        case .diskFull: return "free space on that disk, then run again"
        case .quotaExceeded: return "free space or have the quota raised, then run again"
        case .notAFolder: return "move or remove the file \(path) so that parkimpact can create a folder there (or pass "
            + "--output with another folder), then run again"
        case .isAFolder: return "move or remove the folder \(path), then run again"
        case .permissionDenied: return "give the user running parkimpact write permission on \(folder) (or pass "
            + "--output with a writable folder), then run again"
        case .readOnly: return "mount it writable (or pass --output with another folder), then run again"
        case .other: return "check that \(folder) exists, is writable and has space, then run again"
        }
    }

    public var description: String { problem + "; " + fix }
}

/// One output file as rendered: its path relative to the output folder and its bytes, in parts (rendered
/// concurrently) that are written one after the other, never joined in memory.
public struct RenderedFile: Sendable {
    public let path: String
    public let parts: [[UInt8]]

    public init(path: String, parts: [[UInt8]]) {
        self.path = path
        self.parts = parts
    }

    public init(path: String, text: String) {
        self.init(path: path, parts: [Array(text.utf8)])
    }

    /// The whole content as text.
    public var text: String { String(decoding: parts.joined(), as: UTF8.self) }

    /// SHA-256 of the content as lowercase hex (`FileDigest.sha256` of the joined bytes).
    public var sha256: String {
        var hasher = SHA256()
        for part in parts { hasher.update(data: part) }
        return FileDigest.hex(hasher.finalize())
    }
}

/// `kpis.json`: the contract's shape, one KPI object per line, keys in a fixed order.
public enum KPIJSONWriter {
    public static func render(_ report: PilotReport) -> String {
        String(decoding: part(report, 0..<report.kpis.count), as: UTF8.self)
    }

    /// The bytes of kpis.json for the KPIs in `range`, with the head when the range starts at the first KPI and
    /// the tail when it ends at the last: the parts of consecutive ranges, one after the other, are the file.
    package static func part(_ report: PilotReport, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 640 + 1024)
        if range.lowerBound == 0 {
            out.write("{\n")
            out.write("  \"pilot\": \(json(report.definition.pilot)),\n")
            out.write("  \"name\": \(json(report.definition.name)),\n")
            out.write("  \"periods\": {\(report.periods.filter { $0.kind == .baseline || $0.kind == .reporting }.map { "\(json($0.key)): {\"from\": \(json($0.first.description)), \"to\": \(json($0.last.description))}" }.joined(separator: ", "))},\n")
            out.write("  \"parkimpact\": {\"version\": \(json(ParkImpactVersion.string)), ")
            out.write("\"factor_catalogue_sha256\": \(json(FactorCatalogue.builtInDigest))},\n")
            out.write("  \"kpis\": [\n")
        }
        var inputLists = ListBytesCache()
        for index in range {
            if index > 0 { out.write(",\n") }
            out.write("    ")
            write(object: report.kpis[index], to: &out, inputLists: &inputLists)
        }
        if range.upperBound == report.kpis.count { out.write("\n  ]\n}\n") }
        return out
    }

    static func object(_ kpi: KPI) -> String {
        var out: [UInt8] = []
        var inputLists = ListBytesCache()
        write(object: kpi, to: &out, inputLists: &inputLists)
        return String(decoding: out, as: UTF8.self)
    }

    /// One KPI's object: `{"key": …, "period": …, …, "provenance": {…}}`. The list of inputs is taken from
    /// `inputLists` when an earlier KPI of the part had the same list.
    static func write(object kpi: KPI, to out: inout [UInt8], inputLists: inout ListBytesCache) {
        func number(_ value: Double?, _ decimals: Int) {
            if let value { MachineNumber.write(value, decimals: decimals, to: &out) } else { out.write("null") }
        }
        func list(_ texts: [String]) {
            inputLists.write(texts, to: &out) { out in
                out.append(0x5B)
                for (index, text) in texts.enumerated() {
                    if index > 0 { out.write(", ") }
                    write(json: text, to: &out)
                }
                out.append(0x5D)
            }
        }
        out.write("{\"key\": ")
        write(json: kpi.key, to: &out)
        out.write(", \"period\": ")
        write(json: kpi.period, to: &out)
        out.write(", \"site\": ")
        if let site = kpi.site { write(json: site, to: &out) } else { out.write("null") }
        out.write(", \"value\": ")
        number(kpi.value, MachineNumber.decimals(forUnit: kpi.unit))
        out.write(", \"unit\": ")
        write(json: kpi.unit.rawValue, to: &out)
        out.write(", \"coverage\": ")
        number(kpi.coverage, 6)
        out.write(", \"estimated_share\": ")
        number(kpi.estimatedShare, 6)
        out.write(", \"flags\": ")
        out.append(0x5B)
        for (index, flag) in kpi.flags.enumerated() {
            if index > 0 { out.write(", ") }
            write(json: flag.rawValue, to: &out)
        }
        out.append(0x5D)
        let provenance = kpi.provenance
        out.write(", \"provenance\": {\"inputs\": ")
        list(provenance.inputs)
        out.write(", \"factor\": ")
        if let factor = provenance.factor { write(factor: factor, to: &out) } else { out.write("null") }
        if provenance.factors.count > 1 {
            out.write(", \"factors\": [")
            for (index, factor) in provenance.factors.enumerated() {
                if index > 0 { out.write(", ") }
                write(factor: factor, to: &out)
            }
            out.append(0x5D)
        }
        out.write(", \"formula\": ")
        write(json: provenance.formula, to: &out)
        if let reason = provenance.reason {
            out.write(", \"reason\": ")
            write(json: reason, to: &out)
        }
        out.write(", \"reason_code\": ")
        if let code = provenance.reasonCode { write(json: code.rawValue, to: &out) } else { out.write("null") }
        out.write("}}")
    }

    static func factor(_ factor: FactorReference) -> String {
        var out: [UInt8] = []
        write(factor: factor, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `{"id": …, "value": …, "unit": …, "year": …, "source": …}`; a catalogue factor adds `"region"`, `"basis"`,
    /// `"publisher"`, `"release"` and `"status"` (`confirmed` | `unconfirmed`) before `"source"`; `"note"` when there
    /// is one.
    static func write(factor: FactorReference, to out: inout [UInt8]) {
        out.write("{\"id\": ")
        write(json: factor.id, to: &out)
        out.write(", \"value\": ")
        MachineNumber.write(factor.value, decimals: 8, to: &out)
        out.write(", \"unit\": ")
        write(json: factor.unit, to: &out)
        out.write(", \"year\": ")
        out.write(decimal: factor.year)
        for (key, text) in [("region", factor.region), ("basis", factor.basis), ("publisher", factor.publisher),
                            ("release", factor.release), ("status", factor.status?.rawValue)] {
            guard let text else { continue }
            out.write(", \"\(key)\": ")
            write(json: text, to: &out)
        }
        out.write(", \"source\": ")
        write(json: factor.source, to: &out)
        if let note = factor.note {
            out.write(", \"note\": ")
            write(json: note, to: &out)
        }
        out.append(0x7D)
    }

    /// A JSON string literal.
    public static func json(_ text: String) -> String {
        // Most texts need no escape: one pass over the bytes instead of one append per scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x3C }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"  // safe to embed anywhere
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// How `kpis.csv` and `rejects.csv` write separators and numbers: `en` (`,` and `1234.5`, the default) or `nl`
/// (`;` and `1234,5`, what Excel expects under a Dutch or Belgian regional setting). Both start with a UTF-8 BOM.
public enum CSVLocale: String, Sendable, CaseIterable {
    case en, nl

    public var separator: String { self == .nl ? ";" : "," }

    /// A machine number (`MachineNumber.format`) in this locale: the decimal point becomes a comma in `nl`.
    public func number(_ machine: String) -> String {
        self == .nl ? machine.replacingOccurrences(of: ".", with: ",") : machine
    }
}

/// CSV outputs that open in Excel: UTF-8 BOM, RFC 4180 quoting, and text cells that could run as a formula
/// (`=`, `+`, `-`, `@`, tab, CR at the start, and not a number) prefixed with `'`.
public enum CSVOutput {
    public static func cell(_ text: String, locale: CSVLocale = .en) -> String {
        // Most cells need neither a quote nor a `'`: one pass over the bytes decides.
        let utf8 = text.utf8
        guard let first = utf8.first else { return text }
        if first != 0x3D, first != 0x2B, first != 0x2D, first != 0x40, first != 0x09, first != 0x0D, first != 0x20,
           utf8.last != 0x20, !utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D || $0 == 0x3B }) {
            return text
        }
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil,
           Double(value.replacingOccurrences(of: ",", with: ".")) == nil || locale == .en {
            value = "'" + value
        }
        let needsQuotes: Bool
        switch locale {
        case .en: needsQuotes = value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }
        case .nl: needsQuotes = value.contains { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        }
        if needsQuotes || value.hasPrefix(" ") || value.hasSuffix(" ") {
            // A long cell (a KPI's thousands of input files) without a quote is taken as it is, not searched again.
            guard value.utf8.contains(0x22) else { return "\"" + value + "\"" }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    public static func document(header: [String], rows: [[String]], locale: CSVLocale = .en) -> String {
        let separator = locale.separator
        var out = "\u{FEFF}" + header.map { cell($0, locale: locale) }.joined(separator: separator) + "\r\n"
        for row in rows { out += row.map { cell($0, locale: locale) }.joined(separator: separator) + "\r\n" }
        return out
    }

    static let kpiHeader = ["key", "period", "site", "value", "unit", "coverage", "estimated_share", "flags", "formula",
                            "factor_id", "factor_value", "factor_unit", "factor_year", "factor_source", "reason",
                            "reason_code", "inputs", "parkimpact_version", "factor_catalogue_sha256", "factor_status"]

    public static func kpis(_ report: PilotReport, locale: CSVLocale = .en) -> String {
        String(decoding: kpisPart(report, locale: locale, 0..<report.kpis.count), as: UTF8.self)
    }

    /// The bytes of kpis.csv for the KPIs in `range` (`document` of their rows), with the BOM and the header when
    /// the range starts at the first KPI: the parts of consecutive ranges, one after the other, are the file.
    package static func kpisPart(_ report: PilotReport, locale: CSVLocale, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 440 + 256)
        let separator = locale == .nl ? UInt8(ascii: ";") : UInt8(ascii: ",")
        if range.lowerBound == 0 { writeHeader(kpiHeader, locale: locale, to: &out) }
        var scratch: [UInt8] = []
        var inputLists = ListBytesCache()
        // One cell built in `scratch` (numbers, lists joined with spaces), then written as `cell` writes it.
        func flush() {
            scratch.withUnsafeBufferPointer { write(cell: $0, locale: locale, to: &out) }
            scratch.removeAll(keepingCapacity: true)
        }
        func text(_ value: String) {
            write(cell: value, locale: locale, to: &out)
            out.append(separator)
        }
        func number(_ value: Double?, _ decimals: Int) {
            if let value {
                MachineNumber.write(value, decimals: decimals, decimalComma: locale == .nl, to: &scratch)
                flush()
            }
            out.append(separator)
        }
        func joined(_ count: Int, _ element: (Int) -> Void) {
            for index in 0..<count {
                if index > 0 { scratch.append(0x20) }
                element(index)
            }
            flush()
            out.append(separator)
        }
        for kpi in report.kpis[range] {
            let provenance = kpi.provenance, factors = provenance.factors, factor = provenance.factor
            text(kpi.key)
            text(kpi.period)
            text(kpi.site ?? "")
            number(kpi.value, MachineNumber.decimals(forUnit: kpi.unit))
            text(kpi.unit.rawValue)
            number(kpi.coverage, 6)
            number(kpi.estimatedShare, 6)
            joined(kpi.flags.count) { scratch.write(kpi.flags[$0].rawValue) }
            text(provenance.formula)
            joined(factors.count) { scratch.write(factors[$0].id) }
            joined(factors.count) {
                MachineNumber.write(factors[$0].value, decimals: 8, decimalComma: locale == .nl, to: &scratch)
            }
            text(factor?.unit ?? "")
            joined(factors.count) { scratch.write(decimal: factors[$0].year) }
            text(factor?.source ?? "")
            text(provenance.reason ?? "")
            text(provenance.reasonCode?.rawValue ?? "")
            // The inputs' cell, joined with spaces: the same cell for the KPIs that share the list.
            inputLists.write(provenance.inputs, to: &out) { out in
                for (index, input) in provenance.inputs.enumerated() {
                    if index > 0 { scratch.append(0x20) }
                    scratch.write(input)
                }
                scratch.withUnsafeBufferPointer { write(cell: $0, locale: locale, to: &out) }
                scratch.removeAll(keepingCapacity: true)
            }
            out.append(separator)
            text(ParkImpactVersion.string)
            text(FactorCatalogue.builtInDigest)
            // Per cited factor, as factor_id: `confirmed`, `unconfirmed`, or `definition` (a price or a kwh_per_m3
            // from the pipeline definition).
            joined(factors.count) { scratch.write(factors[$0].status?.rawValue ?? "definition") }
            out[out.count - 1] = 0x0D  // the last separator becomes the line end
            out.append(0x0A)
        }
        return out
    }

    /// The BOM and the header row of `document`.
    static func writeHeader(_ header: [String], locale: CSVLocale, to out: inout [UInt8]) {
        out.write("\u{FEFF}")
        for (index, name) in header.enumerated() {
            if index > 0 { out.write(locale.separator) }
            write(cell: name, locale: locale, to: &out)
        }
        out.write("\r\n")
    }

    /// The bytes of rejects.csv (`rejects`): a row per reject kept in full, then per file and code with rows beyond
    /// those (`Reject.omittedRows`, tallied per site and day) one row without line, column and raw text:
    /// `file,,,code,… and 2759900 more rows rejected with this code (detail kept for the first 100),`.
    package static func rejectsBytes(_ rejects: [Reject], locale: CSVLocale) -> [UInt8] {
        var out: [UInt8] = []
        writeHeader(["file", "line", "column", "code", "reason", "raw"], locale: locale, to: &out)
        // Per file and code: the detailed rows and the tallied ones (only when some rows were tallied).
        var omitted: [OmittedKey: (detailed: Int, omitted: Int)] = [:]
        if rejects.contains(where: { !$0.isDetailed }) {
            for reject in rejects {
                omitted[OmittedKey(file: reject.file, code: reject.code), default: (0, 0)].detailed
                    += reject.isDetailed ? 1 : 0
                omitted[OmittedKey(file: reject.file, code: reject.code), default: (0, 0)].omitted += reject.omittedRows
            }
        }
        var written: Set<OmittedKey> = []
        for reject in rejects {
            let cells: [String]
            if reject.isDetailed {
                cells = [reject.file, "\(reject.line)", reject.column, reject.code.rawValue, reject.reason, reject.raw]
            } else {
                let key = OmittedKey(file: reject.file, code: reject.code)
                guard written.insert(key).inserted, let counts = omitted[key] else { continue }
                cells = [reject.file, "", "", reject.code.rawValue,
                         omittedReason(rows: counts.omitted, detailed: counts.detailed), ""]
            }
            for (index, value) in cells.enumerated() {
                if index > 0 { out.write(locale.separator) }
                write(cell: value, locale: locale, to: &out)
            }
            out.write("\r\n")
        }
        return out
    }

    /// The reason of the rejects.csv row that counts a file's rejects of one code beyond those listed in full.
    static func omittedReason(rows: Int, detailed: Int) -> String {
        "… and \(rows) more row\(rows == 1 ? "" : "s") rejected with this code (detail kept for the first \(detailed))"
    }

    private struct OmittedKey: Hashable {
        let file: String
        let code: RejectCode
    }

    public static func rejects(_ rejects: [Reject], locale: CSVLocale = .en) -> String {
        String(decoding: rejectsBytes(rejects, locale: locale), as: UTF8.self)
    }
}
