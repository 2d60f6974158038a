public import CSVReading
public import ParkImpactModel
public import ParkImpactDefinition

/// What reading one file produced: its partial aggregate, its rejects, or why it could not be read at all.
public struct FileResult: Sendable {
    public let file: InputFile
    /// The first readings one by one, when asked for (`traceLimit`).
    public var trace: [TracedReading] = []
    /// Which header column the format read as what (`RowFormat.mapping`); empty when no header was found.
    public var mapping: [ColumnRole] = []
    /// The line of the header the format recognised (after any preamble); 0 when none was found.
    public var headerLine = 0
    public let series: [SeriesData]
    public let rejects: [Reject]
    public let summary: FileSummary
    public let statistics: CSVReadStatistics
    /// Sites with PV production in this file.
    public var pvSites: Set<String> = []
    /// Sites whose grid offtake or injection this file has but whose interval readings were not kept (the site was
    /// not known to have PV when the file was read): if it has, the file is read again (`PVDiscovery`).
    public var gridSitesWithoutReadings: Set<String> = []
    /// SHA-256 of the file's bytes, computed while reading it (`ReadContext.fingerprint`); nil when not asked for or
    /// when the file could not be read to its end.
    public var sha256: String?
    /// The file as it was opened for this read (size, modification time, `dev:ino:ctime`): what the ledger records
    /// when the result is committed. nil when it could not be opened.
    public var observed: FileDigest.Stat?
    /// Set when the file did not stay one unchanged file for the whole read: the result must not be committed.
    public var readChange: ReadChange?

    init(file: InputFile, trace: [TracedReading] = [], mapping: [ColumnRole] = [], headerLine: Int = 0,
         series: [SeriesData], rejects: [Reject], summary: FileSummary, statistics: CSVReadStatistics) {
        self.file = file
        self.trace = trace
        self.mapping = mapping
        self.headerLine = headerLine
        self.series = series
        self.rejects = rejects
        self.summary = summary
        self.statistics = statistics
    }

    /// A result another worker read and handed over (`ReadSharing`): what the state keeps of a read, with how the file
    /// was opened and fingerprinted there.
    public init(file: InputFile, series: [SeriesData], rejects: [Reject], summary: FileSummary, pvSites: Set<String>,
                gridSitesWithoutReadings: Set<String>, sha256: String?, observed: FileDigest.Stat?,
                readChange: ReadChange?) {
        self.init(file: file, series: series, rejects: rejects, summary: summary, statistics: CSVReadStatistics())
        self.pvSites = pvSites
        self.gridSitesWithoutReadings = gridSitesWithoutReadings
        self.sha256 = sha256
        self.observed = observed
        self.readChange = readChange
    }
}

/// What happened to a file while it was read, when it did not stay the one unchanged file that was opened.
public enum ReadChange: Sendable, Equatable {
    /// It is gone (deleted, or moved away) before or during its read.
    case vanished(String)
    /// Its bytes changed during the read, or its name now holds another file.
    case changed(String)
    /// Its name (or a folder on its path) is a symbolic link now, or not a regular file (a FIFO, a folder): not
    /// opened, and not read again in the run.
    case refused(String)

    public var message: String {
        switch self {
        case .vanished(let text), .changed(let text), .refused(let text): text
        }
    }
}

/// Reads one file with the reader of its source's format: streaming, constant memory.
public enum ReadFile {
    /// `fingerprint`: compute the SHA-256 of the file while reading it (`FileResult.sha256`).
    public static func read(
        _ file: InputFile, definition: PipelineDefinition, limits: CSVReadLimits = .init(), traceLimit: Int = 0,
        fingerprint: Bool = false
    ) -> FileResult {
        switch prepare(file, definition: definition, fingerprint: fingerprint) {
        case .failed(let result): return result
        case .ready(let context, let reader):
            var result = reader.read(file, context, limits, traceLimit)
            seal(&result, file, context)
            return result
        }
    }

    /// Records how the file was opened (`FileResult.observed`) and whether it stayed that one unchanged file for the
    /// whole read (`FileResult.readChange`): `fstat` of the open file after the read against `fstat` right after
    /// opening (device, inode, size, modification and status-change times), the file still has a name, and its
    /// name still names that file.
    static func seal(_ result: inout FileResult, _ file: InputFile, _ context: ReadContext) {
        let opened = context.opened
        result.observed = FileDigest.Stat(opened.status)
        guard result.readChange == nil else { return }
        // Deleting, renaming or replacing a file changes its status-change time too: those are named first.
        let now = opened.currentStatus()
        let named = CSVOpenedFile.pathStatus(file.openPath ?? file.path)
        if let named, named.device != opened.status.device || named.inode != opened.status.inode {
            result.readChange = .changed("\(file.path): replaced by another file while it was read")
        } else if named == nil || now?.links == 0 {
            result.readChange = .vanished("\(file.path): deleted or moved away while it was read")
        } else if now?.sameContent(as: opened.status) != true {
            result.readChange = .changed("\(file.path): changed while it was read (its size or times differ before "
                + "and after the read)")
        }
        if result.readChange != nil { result.sha256 = nil }
    }

    enum Prepared {
        case ready(ReadContext, FormatRegistry.Reader)
        case failed(FileResult)
    }

    /// The file's read context (time zone, dialect detected from its first bytes) and its format's reader.
    static func prepare(_ file: InputFile, definition: PipelineDefinition, fingerprint: Bool = false) -> Prepared {
        let zone = file.source.timezone ?? definition.timezone
        guard let table = LocalTimeTable.cached(zone) else {
            return .failed(failed(file, "unknown time zone \(zone)", code: .unknownTimeZone))
        }
        let prefix: [UInt8]
        let opened: CSVOpenedFile
        do {
            opened = try CSVOpenedFile(path: file.path, openPath: file.openPath, root: file.openRoot)
            FaultInjection.reach("opened")
            prefix = try opened.prefix()
        } catch {
            var result = failed(file, error.description, code: DiagnosticCode(problemCode: error.code.stableCode))
            switch error.code {
            case .notFound: result.readChange = .vanished("\(file.path): gone before it could be read")
            case .notAFile: result.readChange = .refused("\(file.path): \(error.detail ?? "no longer a regular file")")
            default: break
            }
            return .failed(result)
        }
        guard !prefix.isEmpty else {
            return .failed(failed(file, CSVFileError(code: .empty, path: file.path).description,
                                  code: .emptyFile))
        }
        let dialect = file.source.dialect.applied(to: prefix)
        let context = ReadContext(file: file.relativePath, source: file.source, siteIDs: definition.sites.map(\.id),
                                  table: table, dialect: dialect, readingPolicy: definition.readingPolicy,
                                  fingerprint: fingerprint,
                                  dayTable: zone == definition.timezone ? nil : LocalTimeTable.cached(definition.timezone),
                                  opened: opened)
        guard let reader = FormatRegistry.readers[file.source.format] else {
            return .failed(failed(file, "format \(file.source.format.rawValue) is not supported by this version yet",
                                  code: .formatNotSupported))
        }
        return .ready(context, reader)
    }

    /// What one pass of a format's reader over (part of) a file produced.
    struct Pass<Format: RowFormat> {
        var aggregator: FileAggregator
        var format: Format?
        /// `format != nil` (set with it), tested per record without copying the format: where the pass is not
        /// specialised for the format (the sequential read after refused chunks), `format != nil` copied it, its
        /// arrays retained and released on every row.
        var hasFormat = false
        var headerProblem: String?
        var sawHeader = false
        var preambleRecords = 0
        /// The first record before the header that the format refused as a header (formats that skip them).
        var firstMismatch: String?
        var headerLine = 0
        var statistics = CSVReadStatistics()
        var ioError: String?
        var ioCode: String?
        /// The delimiter the pass read with.
        var delimiter: UInt8 = 0
        /// The file's SHA-256 when the pass read it whole with `ReadContext.fingerprint`.
        var sha256: String?
        /// A priming pass (`prime`): the format as made from the header, the data records read after it, and
        /// whether what a chunk needs from the file's first rows was learnt (`RowFormat.primed` and the trailing
        /// empty fields of the first row): then `format` is that fresh format with what was learnt adopted.
        var fresh: Format?
        var primingRecords = 0
        var primed = false
        /// A read up to a boundary (a chunk) stopped because the file's chunks were abandoned.
        var abandoned = false
    }

    /// The data records a priming pass reads at most before it gives up (the file is then read sequentially).
    static let primingLimit = 10_000

    /// Reads a file from its start: the header, then (unless `headerOnly`) records up to the first record boundary
    /// at or after `boundary` bytes (nil: to the end). `prime`: the header, then the first data records until what
    /// a chunk of the file must know from them is known (`Pass.primed`), within `boundary` (the first chunk's end) and
    /// `primingLimit` records.
    static func pass<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits, traceLimit: Int,
        boundary: Int? = nil, headerOnly: Bool = false, prime: Bool = false, lookup: consuming PendingRepeats? = nil
    ) -> Pass<Format> {
        // The handlers reach the reader state through pointers, not captured variables: no run-time exclusivity
        // checks per record, which cost 2× on this path.
        let state = UnsafeMutablePointer<Pass<Format>>.allocate(capacity: 1)
        state.initialize(to: Pass(aggregator: FileAggregator(
            file: file.relativePath, table: context.daysTable, traceLimit: traceLimit,
            readingPolicy: context.readingPolicy)))
        defer { state.deallocate() }  // after `move()` below
        let lookingUp = lookup != nil
        if let pending = lookup.take() { state.pointee.aggregator.lookUp(pending) }  // moved, not copied
        state.pointee.delimiter = context.dialect.delimiter
        do {
            // Only a pass over the whole file can fingerprint it.
            let hashing = context.fingerprint && boundary == nil && !headerOnly && !lookingUp
            /// A record before the header: skipped and counted, up to the format's limit; then the file is refused
            /// with the first record that looked like a header but was not (`mismatch`), if any.
            func preamble(_ record: CSVRecord, mismatch: HeaderMismatch?) -> CSVReadControl {
                if let mismatch, state.pointee.firstMismatch == nil {
                    state.pointee.firstMismatch = "line \(record.line): \(mismatch.message)"
                }
                state.pointee.preambleRecords += 1
                if state.pointee.preambleRecords > Format.preambleLimit {
                    state.pointee.headerProblem = "no header found in the first \(Format.preambleLimit) records"
                        + (state.pointee.firstMismatch.map { " (\($0))" } ?? "")
                    return .stop
                }
                state.pointee.aggregator.ignore(.preamble)
                return .proceed
            }
            // A chunk (a read up to a boundary) stops once its file's chunks are abandoned.
            let abandon = boundary != nil ? context.chunksAbandoned : nil
            // A boundary in a file that is not UTF-8: its bytes up to there, read as a file of their own
            // (`ReadFile.readsInChunks`); where it stopped is set below.
            let limited = boundary != nil && context.dialect.encoding != .utf8
            var source = CountingSource(base: CSVOpenedFileSource(context.opened, limit: limited ? boundary : nil),
                                        hashing: hashing)
            state.pointee.statistics = try CSVStreamReader(
                dialect: context.dialect, limits: limits, stopAtRecordBoundary: limited ? nil : boundary
            ).read(
                from: &source,
                onRecord: { record in
                    if state.pointee.hasFormat {
                        state.pointee.aggregator.line = record.line
                        state.pointee.format!.read(record, into: &state.pointee.aggregator)
                        if state.pointee.aggregator.needsRaw {
                            let format = state.pointee.format!
                            state.pointee.aggregator.fillRaw(record.rawText()) { format.valueColumnName($0) }
                        }
                        if let abandon, record.line & AbandonFlag.checkMask == 0, abandon.isSet {
                            state.pointee.abandoned = true
                            return .stop
                        }
                        if prime {
                            if state.pointee.aggregator.trailingEmptyFields != nil, state.pointee.format!.primed {
                                state.pointee.primed = true
                                return .stop
                            }
                            state.pointee.primingRecords += 1
                            if state.pointee.primingRecords >= primingLimit { return .stop }
                        }
                        return .proceed
                    }
                    state.pointee.sawHeader = true
                    switch Format.make(header: record, context: context) {
                    case .format(let made):
                        state.pointee.format = made
                        state.pointee.hasFormat = true
                        state.pointee.headerLine = record.line
                        if prime {
                            state.pointee.fresh = made
                            return .proceed
                        }
                        return headerOnly ? .stop : .proceed
                    case .preamble:
                        return preamble(record, mismatch: nil)
                    case .mismatch(let mismatch):
                        if Format.mismatchesBeforeHeaderArePreamble { return preamble(record, mismatch: mismatch) }
                        state.pointee.headerProblem = "line \(record.line): \(mismatch.message)"
                        return .stop
                    }
                },
                onMalformed: { malformed in
                    let column = malformed.column.map { state.pointee.format?.columnName($0 - 1) ?? "#\($0)" } ?? ""
                    state.pointee.aggregator.reject(line: malformed.line, column: column,
                                                    code: RejectCode(malformed.kind), reason: malformed.reason,
                                                    raw: malformed.raw, site: file.source.site)
                })
            if limited, let boundary, !state.pointee.statistics.stoppedEarly, state.pointee.statistics.bytes == boundary {
                state.pointee.statistics.stoppedAtBoundary = boundary
            }
            state.pointee.sha256 = try source.finishDigest()
        } catch {
            state.pointee.ioError = error.at(file.path).description
            state.pointee.ioCode = error.code.stableCode
        }
        if prime, state.pointee.primed, var clean = state.pointee.fresh {
            clean.adoptPriming(from: state.pointee.format!)
            state.pointee.format = clean
        }
        return state.move()
    }

    static func read<Format: RowFormat>(
        _ type: Format.Type, _ file: InputFile, _ context: ReadContext, _ limits: CSVReadLimits, _ traceLimit: Int
    ) -> FileResult {
        var pass = pass(type, file, context, limits, traceLimit: traceLimit)
        var read: FileResult
        if let problem = problem(of: pass, file) {
            read = failed(file, problem.message, code: problem.code)
        } else {
            pass.format!.finish(into: &pass.aggregator)
            if !pass.aggregator.pendingRepeats.isEmpty {
                // Repeats of readings that were not their series' last: a second pass finds the earlier values.
                var lookup = Self.pass(type, file, context, limits, traceLimit: 0,
                                       lookup: pass.aggregator.takePendingRepeats())
                lookup.format?.finish(into: &lookup.aggregator)
                pass.aggregator.resolveRepeats(lookup.aggregator.pendingRepeats)
            }
            read = result(file, context, format: pass.format!, aggregator: pass.aggregator, headerLine: pass.headerLine,
                          statistics: pass.statistics)
        }
        read.sha256 = pass.sha256
        return read
    }

    /// Why a pass gives no data at all (I/O error, no header), with its code, or nil.
    static func problem<Format>(of pass: Pass<Format>, _ file: InputFile) -> (message: String, code: DiagnosticCode)? {
        if let ioError = pass.ioError {
            return (ioError, DiagnosticCode(problemCode: pass.ioCode ?? CSVFileError.Code.io.stableCode))
        }
        if let headerProblem = pass.headerProblem {
            return ("\(headerProblem); check `format: \(file.source.format.rawValue)` of "
                + "sources[\(file.source.index)] or run `parkimpact sniff \(file.path)`", .headerNotRecognised)
        }
        if !pass.sawHeader, let first = pass.aggregator.rejects.first {
            // Lines there were, but not one could be parsed as a record with this dialect.
            return ("no record could be read: all \(pass.aggregator.rejects.count) non-blank line(s) are malformed with "
                + "delimiter \(CSVDialect.name(of: pass.delimiter)) (line \(first.line): \(first.reason)); if the "
                + "fields are separated otherwise (spaces, tabs, ';'), set `delimiter:` on sources[\(file.source.index)] "
                + "(\"space\", tab, \";\", \",\", \"|\") or run `parkimpact sniff \(file.path)`", .headerNotRecognised)
        }
        if !pass.sawHeader {
            return ("no header and no data (only blank lines); export it again", .noData)
        }
        guard pass.format != nil else {
            if let mismatch = pass.firstMismatch {
                return ("no header found (\(mismatch)); check `format: \(file.source.format.rawValue)` of "
                    + "sources[\(file.source.index)] or run `parkimpact sniff \(file.path)`", .headerNotRecognised)
            }
            return ("no header found (only \(pass.preambleRecords) preamble record(s)); check `format: "
                + "\(file.source.format.rawValue)` of sources[\(file.source.index)] or run `parkimpact sniff \(file.path)`",
                    .headerNotRecognised)
        }
        return nil
    }

    static func result<Format: RowFormat>(
        _ file: InputFile, _ context: ReadContext, format: Format, aggregator: consuming FileAggregator, headerLine: Int,
        statistics: CSVReadStatistics
    ) -> FileResult {
        if let refusal = registerRefusal(file, format: format, aggregator: aggregator) {
            return failed(file, refusal, code: registerRefusalCode)
        }
        let allRejected = FileVerdict.allRejected(path: file.path, accepted: aggregator.acceptedRows,
                                                  rejects: aggregator.rejects)
        let summary = FileSummary(
            path: file.relativePath, format: file.source.format.rawValue, dialect: context.dialect.description,
            acceptedRows: aggregator.acceptedRows, rejectedRows: aggregator.rejectedRows,
            ignoredRows: aggregator.ignoredRows, problem: allRejected,
            problemCode: allRejected == nil ? nil : DiagnosticCode.allRowsRejected.rawValue)
        var aggregator = aggregator
        let series = aggregator.takeSeriesData()
        var result = FileResult(file: file, trace: aggregator.trace, mapping: format.mapping, headerLine: headerLine,
                                series: series, rejects: aggregator.rejects, summary: summary, statistics: statistics)
        for data in series {
            switch data.key.quantity {
            case .pvProduction:
                result.pvSites.insert(data.key.site)
            case .electricityOfftake, .electricityInjection:
                if !context.readingPolicy.keeps(data.key) { result.gridSitesWithoutReadings.insert(data.key.site) }
            default:
                break
            }
        }
        return result
    }

    static let registerRefusalWords = "behaves like a running total"
    static let registerRefusalCode = DiagnosticCode.registerAsInterval

    /// The refusal of a file with a series read as interval values that behaves like a running total
    /// (`RegisterEvidence`), naming each such series, the evidence and the fix; nil when there is none. The whole
    /// file is refused: its other columns alone would give numbers that look complete (offtake without its
    /// register's twin, a site without its main meter), and a definition that misreads one column is fixed in
    /// the YAML before the file counts.
    static func registerRefusal<Format: RowFormat>(_ file: InputFile, format: Format, aggregator: FileAggregator)
        -> String? {
        let suspects = aggregator.registerSuspects()
        guard !suspects.isEmpty else { return nil }
        // Series with the same fix (one column of a file with a thousand meters) are described up to
        // `registerRefusalDetail` times; the others are counted and the first of them named.
        var groups: [(fix: String, parts: [String], more: [String])] = []
        for suspect in suspects {
            let advice = format.registerAdvice(for: suspect.key, sourceIndex: file.source.index)
            let index = groups.firstIndex { $0.fix == advice.fix } ?? {
                groups.append((advice.fix, [], []))
                return groups.count - 1
            }()
            if groups[index].parts.count < registerRefusalDetail {
                let evidence = suspect.evidence.describe(unit: suspect.key.quantity.canonicalUnit.rawValue)
                groups[index].parts.append("\(advice.what) is read as use per interval but \(registerRefusalWords) (a "
                    + "meter register): \(evidence); read as interval values, every reading would count the whole "
                    + "register again. Fix: \(advice.fix)")
            } else {
                groups[index].more.append("\(suspect.key)")
            }
        }
        let parts = groups.flatMap { group -> [String] in
            guard !group.more.isEmpty else { return group.parts }
            let named = group.more.prefix(registerRefusalNames).joined(separator: ", ")
            let others = group.more.count - registerRefusalNames
            return group.parts + ["\(group.more.count) more series behave alike and need the same fix: \(named)"
                + (others > 0 ? " and \(others) other\(others == 1 ? "" : "s")" : "")]
        }
        return "\(file.path): " + parts.joined(separator: ". ") + ". The file is not read until then"
    }

    /// Series with one fix described in full in the refusal; further ones are named, up to `registerRefusalNames`.
    static let registerRefusalDetail = 3
    static let registerRefusalNames = 10

    /// An unreadable file: one clear message with its stable code, no partial data.
    static func failed(_ file: InputFile, _ message: String, code: DiagnosticCode) -> FileResult {
        let text = message.hasPrefix(file.path) ? message : "\(file.path): \(message)"
        return FileResult(
            file: file, series: [], rejects: [],
            summary: FileSummary(path: file.relativePath, format: file.source.format.rawValue, dialect: "",
                                 acceptedRows: 0, rejectedRows: 0, ignoredRows: [:], problem: text,
                                 problemCode: code.rawValue),
            statistics: CSVReadStatistics())
    }
}

extension PipelineDefinition.DialectOverrides {
    /// The file's dialect: detected from its first bytes with the forced encoding and delimiter, then the forced
    /// decimal mark and thousands separator.
    public func applied(to prefix: [UInt8]) -> CSVDialect {
        var dialect = prefix.withUnsafeBytes { CSVDialect.detect(prefix: $0, encoding: encoding, delimiter: delimiter) }
        if let decimalMark {
            dialect.decimalMark = decimalMark
            if dialect.groupingSeparator == decimalMark { dialect.groupingSeparator = nil }
        }
        if let groupingSeparator { dialect.groupingSeparator = groupingSeparator }
        return dialect
    }
}
