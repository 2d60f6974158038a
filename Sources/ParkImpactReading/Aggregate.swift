import CSVReading
import Foundation
import Synchronization
public import ParkImpactModel
public import ParkImpactDefinition

/// Files of one read that other workers may read instead of this one (a PostgreSQL state shared by several workers):
/// each file is read by exactly one worker, and its result reaches this one (`Aggregate.readAll`).
public protocol ReadSharing: Sendable {
    /// The order in which this worker comes to the files read whole (a permutation of their indices).
    var order: [Int] { get }
    /// Called just before file `index` of the list is read whole: true when this worker reads it, false when another
    /// worker has taken it.
    func mayRead(_ index: Int) -> Bool
    /// Waits for the results of the files `indices` other workers took, hands each to `deliver` as it arrives, and
    /// returns those taken back because their worker went away (to be read here). Returns when every one of them is
    /// either delivered or taken back.
    func collect(_ indices: [Int], deliver: (Int, FileResult) -> Void) -> [Int]
}

/// Runs the read stage over many files on all cores and merges the partial aggregates deterministically.
public enum Aggregate {
    /// Reads `files` concurrently (`ConcurrentMap`), each into its own partial aggregate; large
    /// files of formats that allow it are cut into chunks read in parallel too (`ReadFile.readChunk`), so one big
    /// export uses every core. Results come back in the order of `files`, whatever order the workers finished in.
    ///
    /// `completed` is called on a worker thread as soon as a file is read: for a chunked file, by the worker that
    /// finished its last chunk, which also merges the chunks (so their partial aggregates are freed early). The state
    /// store commits there, so a crash loses at most the files still being read.
    ///
    /// `fingerprinting`: the paths of files whose SHA-256 is computed while they are read (`FileResult.sha256`),
    /// when they are read whole (files read in chunks are not fingerprinted).
    ///
    /// `sharing`: other workers may read some of the files (`ReadSharing`): each file read whole is read here only
    /// when `sharing.mayRead` says so; the others' results are collected once this worker's reads are done (and the
    /// files whose worker went away are read here then). `completed` sees every file either way.
    public static func readAll(
        _ files: [InputFile], definitions: [String: PipelineDefinition], threads: Int? = nil,
        chunkBytes: Int = ReadFile.defaultChunkBytes, pieces: [String: Int] = [:], fingerprinting: Set<String> = [],
        sharing: (any ReadSharing)? = nil, completed: (@Sendable (Int, FileResult) -> Void)? = nil
    ) -> [FileResult] {
        let chunking = ChunkSizing(chunkBytes: chunkBytes, pieces: pieces)
        guard let sharing else {
            return readHere(files, definitions: definitions, threads: threads, chunking: chunking,
                            fingerprinting: fingerprinting, completed: completed)
        }
        let results = Slots<FileResult>(count: files.count)
        let elsewhere = Mutex<[Int]>([])
        _ = readHere(files, definitions: definitions, threads: threads, chunking: chunking,
                     fingerprinting: fingerprinting, order: sharing.order, mayRead: { index in
                         if sharing.mayRead(index) { return true }
                         elsewhere.withLock { $0.append(index) }
                         return false
                     }) { index, result in
            completed?(index, result)
            results.store(result, at: index)
        }
        var waiting = elsewhere.withLock { $0 }.sorted()
        while !waiting.isEmpty {
            let back = sharing.collect(waiting) { index, result in
                completed?(index, result)
                results.store(result, at: index)
            }
            // Files whose worker went away: read here, without sharing them again.
            _ = readHere(back.map { files[$0] }, definitions: definitions, threads: threads, chunking: chunking,
                         fingerprinting: fingerprinting) { position, result in
                completed?(back[position], result)
                results.store(result, at: back[position])
            }
            let stored = results.stored()
            waiting = waiting.filter { stored[$0] == nil }
        }
        return results.results()
    }

    /// `readAll` of the files this worker reads: all of them, or those `mayRead` allows (files read in chunks are
    /// always read here), the files read whole in `order` (default: the list's). With `mayRead`, the result holds the
    /// files read here only.
    private static func readHere(
        _ files: [InputFile], definitions: [String: PipelineDefinition], threads: Int?, chunking: ChunkSizing,
        fingerprinting: Set<String>, order: [Int]? = nil, mayRead: (@Sendable (Int) -> Bool)? = nil,
        completed: (@Sendable (Int, FileResult) -> Void)?
    ) -> [FileResult] {
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        if workers == 1 {
            return (order ?? Array(files.indices)).compactMap { index in
                let file = files[index]
                if let mayRead, !mayRead(index) { return nil }
                let result = ReadFile.read(file, definition: definitions[file.pilot]!, fingerprint: fingerprinting.contains(file.path))
                completed?(index, result)
                return result
            }
        }
        // The work: chunks of large files and whole files (ordered below).
        enum Job { case whole(Int), chunk(file: Int, index: Int, count: Int, size: Int) }
        var chunkTasks: [Job] = [], wholeTasks: [(job: Job, size: Int)] = []
        var prepared: [Int: (context: ReadContext, reader: FormatRegistry.Reader, firstTask: Int, count: Int)] = [:]
        for index in order ?? Array(files.indices) {
            let file = files[index]
            // Size and format first: only a file that is cut into chunks needs its dialect detected here, on one
            // thread (the others are prepared by the worker that reads them).
            let statSize = CSVFileSource.size(path: file.path)
            if let size = statSize,
               ReadFile.chunkCount(size: size, chunkBytes: chunking.chunkBytes(path: file.path, size: size)) > 1,
               FormatRegistry.readers[file.source.format]?.readsInChunks(file.source) == true,
               case .ready(let context, let reader) = ReadFile.prepare(file, definition: definitions[file.pilot]!),
               ReadFile.readsInChunks(context.dialect.encoding),
               // The size of the file as opened: all chunks read that descriptor.
               case let size = Int(context.opened.status.size),
               case let count = reader.chunkPlan(file, context, size, chunking.chunkBytes(path: file.path, size: size),
                                                 workers), count > 1 {
                var context = context
                context.chunksAbandoned = AbandonFlag()
                prepared[index] = (context, reader, chunkTasks.count, count)
                chunkTasks += (0..<count).map { Job.chunk(file: index, index: $0, count: count, size: size) }
                continue
            }
            wholeTasks.append((.whole(index), statSize ?? 0))
        }
        // The longest jobs first: whole files larger than a chunk (one just under two chunks, one that must be read
        // whole), largest first, then the chunks, then the other files in their order. A 67 MB file listed after the
        // chunks of three others kept one core busy alone for its whole read at the end.
        let (large, rest) = wholeFileOrder(wholeTasks.map(\.size), chunkBytes: chunking.chunkBytes)
        let tasks = large.map { wholeTasks[$0].job } + chunkTasks + rest.map { wholeTasks[$0].job }
        let readers = prepared
        let results = Slots<FileResult>(count: files.count)
        var assemblies: [Int: InOrder] = [:]
        for (index, plan) in prepared {
            let assembly = plan.reader.assembly(files[index], plan.context, CSVReadLimits())
            assemblies[index] = InOrder(assembly, count: plan.count, abandon: plan.context.chunksAbandoned)
        }
        let inOrder = assemblies
        // Tasks in list order, on at most `workers` threads (`ConcurrentMap`).
        ConcurrentMap.forEach(tasks.count, threads: workers) { taskIndex in
            switch tasks[taskIndex] {
            case .whole(let index):
                if let mayRead, !mayRead(index) { return }
                let file = files[index]
                let result = ReadFile.read(file, definition: definitions[file.pilot]!, fingerprint: fingerprinting.contains(file.path))
                completed?(index, result)
                results.store(result, at: index)
            case .chunk(let index, let chunk, let count, let size):
                let plan = readers[index]!
                // A file already bound for a sequential read: its other chunks are not read.
                let outcome = inOrder[index]!.abandoned ? ChunkOutcome.skipped(files[index], plan.context)
                    : plan.reader.chunk(files[index], plan.context, CSVReadLimits(), chunk, count, size)
                if let result = inOrder[index]!.deliver(outcome, index: chunk) {
                    completed?(index, result)
                    results.store(result, at: index)
                }
            }
        }
        return mayRead == nil ? results.results() : results.stored().compactMap { $0 }
    }

    /// The whole files of `readAll` (by their sizes, in list order) split into those read before the chunks, larger
    /// than a chunk and largest first (equal sizes in list order), and those read after them, in list order.
    static func wholeFileOrder(_ sizes: [Int], chunkBytes: Int) -> (first: [Int], last: [Int]) {
        let first = sizes.indices.filter { sizes[$0] > chunkBytes }
            .sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        return (first, sizes.indices.filter { sizes[$0] <= chunkBytes })
    }

    /// Files smaller than twice this are never cut into pieces (`ChunkSizing.plan`).
    public static let smallestPieceBytes = 8 << 20

    /// How a run cuts its files for its workers: files of at least two chunks (`ReadFile.chunkCount`) into chunks of
    /// `chunkBytes`, and the files in `pieces`, which would be read whole, into that many pieces.
    public struct ChunkSizing: Sendable, Equatable {
        public var chunkBytes: Int
        /// Files (by path) cut into this many pieces of equal size (the chunk plan may still read them whole).
        public var pieces: [String: Int]

        public init(chunkBytes: Int = ReadFile.defaultChunkBytes, pieces: [String: Int] = [:]) {
            self.chunkBytes = chunkBytes
            self.pieces = pieces
        }

        /// The chunk size of the file at `path` of `size` bytes.
        public func chunkBytes(path: String, size: Int) -> Int {
            guard let count = pieces[path], count > 1 else { return chunkBytes }
            return (size + count - 1) / count
        }

        /// The sizing of a run that reads `files` on `threads` workers. The jobs are the chunks of the files cut
        /// anyway and the other files whole, the longest first; while they would keep a worker busy more than a
        /// tenth longer than a worker's share of all bytes, the largest file still whole (if at least two
        /// `smallestPieceBytes`) is cut into one piece per worker. One file of 57 MB, or three of 38 MB on two
        /// workers, then keep both busy to the end instead of leaving a whole file to one core; a file of 100 MB
        /// with many small ones stays whole, as the small ones fill the other worker.
        public static func plan(_ files: [(path: String, size: Int)], threads: Int?,
                                chunkBytes: Int = ReadFile.defaultChunkBytes) -> ChunkSizing {
            var sizing = ChunkSizing(chunkBytes: chunkBytes)
            let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
            guard workers > 1 else { return sizing }
            var jobs: [Int] = []
            var whole: [(path: String, size: Int)] = []
            for file in files {
                let count = ReadFile.chunkCount(size: file.size, chunkBytes: chunkBytes)
                if count > 1 {
                    jobs += Array(repeating: file.size / count, count: count)
                } else {
                    whole.append(file)
                }
            }
            whole.sort { ($0.size, $1.path) > ($1.size, $0.path) }
            let share = Double(files.reduce(0) { $0 + max(0, $1.size) }) / Double(workers)
            var cut = 0
            while cut < whole.count, whole[cut].size >= 2 * smallestPieceBytes {
                let pieces = (0..<cut).flatMap { Array(repeating: whole[$0].size / workers, count: workers) }
                if Double(longestFirstEnd(jobs + pieces + whole[cut...].map(\.size), workers: workers)) <= 1.1 * share {
                    break
                }
                sizing.pieces[whole[cut].path] = workers
                cut += 1
            }
            return sizing
        }

        /// When the last of `workers` ends, each taking the longest job left as it becomes free.
        static func longestFirstEnd(_ jobs: [Int], workers: Int) -> Int {
            var loads = Array(repeating: 0, count: workers)
            for job in jobs.sorted(by: >) {
                let free = loads.indices.min { loads[$0] < loads[$1] }!
                loads[free] += job
            }
            return loads.max() ?? 0
        }
    }

    /// Whether `readAll` with `threads` may read the file in chunks (it does when its dialect allows it too).
    package static func mayReadInChunks(_ file: InputFile, threads: Int?, chunking: ChunkSizing = .init()) -> Bool {
        guard max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount) > 1,
              FormatRegistry.readers[file.source.format]?.readsInChunks(file.source) == true,
              let size = CSVFileSource.size(path: file.path) else { return false }
        return ReadFile.chunkCount(size: size, chunkBytes: chunking.chunkBytes(path: file.path, size: size)) > 1
    }

    /// One file's series as the merge sees them.
    public struct MergeInput: Sendable {
        /// Path relative to the input folder.
        public let file: String
        /// Modification time of the file (nanoseconds since 1970): the newer export wins a conflict.
        public let modified: Int64
        public let series: [SeriesData]

        public init(file: String, modified: Int64, series: [SeriesData]) {
            self.file = file
            self.modified = modified
            self.series = series
        }
    }

    /// What the merge noticed where files overlap on the same series and local day.
    public struct Overlap: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable { case identical, conflict }
        public let kind: Kind
        public let series: SeriesKey
        public let first: String
        public let second: String
        public let days: Int
        public let firstDay: Int
        public let lastDay: Int
        /// The first conflicting day: the values and intervals of both files, and the file kept.
        public let example: String?

        public var description: String {
            let range = days == 1 ? "\(CivilDate(dayNumber: firstDay))"
                : "\(CivilDate(dayNumber: firstDay)) … \(CivilDate(dayNumber: lastDay))"
            switch kind {
            case .identical:
                return "\(first) and \(second) both hold \(series) on \(days) day(s) (\(range)) with identical values: "
                    + "counted once"
            case .conflict:
                return "\(first) and \(second) disagree on \(series) on \(days) day(s) (\(range)); \(example ?? "")"
                    + "; policy: per day the file with more present intervals wins, then the newer file, then the "
                    + "later name (Aggregate.merge)"
            }
        }
    }

    /// Merges per-file series in the order given (sorted by path, so floating-point sums are identical run to run).
    ///
    /// Where two files hold the same series on the same local day (a monthly export re-dropped inside a yearly one,
    /// a corrected re-export), per day:
    /// - **identical** cells (same sum, counts, maximum, night minimum) are counted once;
    /// - **complementary** cells (the intervals of one lie all before those of the other: an export that ends at
    ///   midnight UTC and the next that starts there, two collections at different times) are added;
    /// - otherwise they **conflict**: the cell with more present intervals is kept, then the newer file's (mtime),
    ///   then the later file name's; the other is dropped and the conflict reported with both sources.
    /// Interval readings (PV matching) follow their day: a file's readings are kept only for the days its cell was
    /// kept. `table` gives the local day of a reading and the intervals in a day.
    ///
    /// `inputs` are consumed: each series' parts are let go once merged, so that a part's readings (kept for PV
    /// matching, the bulk of a PV pilot's memory) are not held beside their merged copy when the caller keeps no
    /// other reference to them.
    public static func merge(_ inputs: consuming [MergeInput], table: LocalTimeTable)
        -> (series: [SeriesData], overlaps: [Overlap]) {
        var order: [SeriesKey] = []
        var bySeries: [SeriesKey: [(input: Int, data: SeriesData)]] = [:]
        for (index, input) in inputs.enumerated() {
            for data in input.series {
                if bySeries[data.key] == nil { order.append(data.key) }
                bySeries[data.key, default: []].append((index, data))
            }
        }
        let files = inputs.map(\.file), modified = inputs.map(\.modified)
        _ = consume inputs
        var tallies: [Pair: PairTally] = [:]
        var pairOrder: [Pair] = []
        var merged: [SeriesData] = []
        merged.reserveCapacity(order.count)
        // Bytes of readings let go since the heap's free pages were last handed back (`FreeMemory`): the parts' blocks
        // lie scattered between blocks in use, so without that the merged copies would grow the heap beside them.
        var released = 0
        for key in order {
            if released >= 32 << 20 {
                FreeMemory.returnToSystem()
                released = 0
            }
            let parts = bySeries.removeValue(forKey: key)!
            released += parts.reduce(0) { $0 + $1.data.readings.count } * IntervalReadings.bytesPerReading
            if parts.count == 1 {
                merged.append(parts[0].data)
                continue
            }
            var interval: Int32 = 0
            for part in parts where part.data.intervalSeconds > 0 {
                if interval == 0 || part.data.intervalSeconds < interval { interval = part.data.intervalSeconds }
            }
            var cells: [Int: DayCell] = [:]
            var owners: [Int: [Int]] = [:]
            for part in parts {
                for (day, cell) in part.data.days {
                    guard let existing = cells[day] else {
                        cells[day] = cell
                        owners[day] = [part.input]
                        continue
                    }
                    let holder = owners[day]!.last!
                    if existing == cell {
                        tally(&tallies, &pairOrder, Pair(series: key, first: holder, second: part.input, conflict: false),
                              day: day, example: nil)
                        continue
                    }
                    if existing.isDisjoint(from: cell) {
                        cells[day]!.merge(cell)
                        owners[day]!.append(part.input)
                        continue
                    }
                    let newer = modified[part.input] != modified[holder]
                        ? modified[part.input] > modified[holder]
                        : files[part.input] > files[holder]
                    let challengerWins = cell.present != existing.present ? cell.present > existing.present : newer
                    let unit = key.quantity.canonicalUnit.rawValue
                    let example = "e.g. \(CivilDate(dayNumber: day)): \(MachineNumber.format(existing.sum, decimals: 3)) "
                        + "\(unit) in \(existing.present) interval(s) vs \(MachineNumber.format(cell.sum, decimals: 3)) "
                        + "\(unit) in \(cell.present); kept \(challengerWins ? files[part.input] : files[holder])"
                    tally(&tallies, &pairOrder, Pair(series: key, first: holder, second: part.input, conflict: true),
                          day: day, example: example)
                    if challengerWins {
                        cells[day] = cell
                        owners[day] = [part.input]
                    }
                }
            }
            var readings = IntervalReadings()
            var inputsOfSeries: [InputSpan] = []
            let owning = Set(owners.values.joined())
            readings.reserveCapacity(parts.reduce(0) { owning.contains($1.input) ? $0 + $1.data.readings.count : $0 })
            // Readings come in runs of one day: the offset segment and the last day's owner check are kept.
            var segment = LocalTimeTable.Segment(start: 0, end: 0, offset: 0)
            for part in parts where owning.contains(part.input) {
                inputsOfSeries.append(contentsOf: part.data.inputs)
                var lastDay = Int.min, keeps = false
                for reading in part.data.readings {
                    let start = reading.startUTC
                    if start < segment.start || start >= segment.end { segment = table.offsetSegment(containingUTC: start) }
                    let local = start + segment.offset
                    let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
                    if day != lastDay {
                        lastDay = day
                        keeps = owners[day]?.contains(part.input) ?? true
                    }
                    if keeps { readings.append(reading) }
                }
            }
            merged.append(SeriesData(key: key, intervalSeconds: interval, days: DayCells(cells, extras: .init(for: key.quantity)),
                                     inputs: inputsOfSeries,
                                     readings: readings))
        }
        let overlaps = pairOrder.map { pair -> Overlap in
            let tally = tallies[pair]!
            return Overlap(kind: pair.conflict ? .conflict : .identical, series: pair.series,
                           first: files[pair.first], second: files[pair.second], days: tally.days,
                           firstDay: tally.firstDay, lastDay: tally.lastDay, example: tally.example)
        }
        return (merged.sorted { $0.key < $1.key }, overlaps)
    }

    private struct Pair: Hashable {
        let series: SeriesKey
        let first: Int
        let second: Int
        let conflict: Bool
    }

    private struct PairTally {
        var days = 0
        var firstDay = Int.max
        var lastDay = Int.min
        var example: String?
    }

    private static func tally(_ tallies: inout [Pair: PairTally], _ order: inout [Pair], _ pair: Pair, day: Int,
                              example: String?) {
        if tallies[pair] == nil { order.append(pair) }
        var tally = tallies[pair, default: PairTally()]
        tally.days += 1
        tally.firstDay = min(tally.firstDay, day)
        tally.lastDay = max(tally.lastDay, day)
        if tally.example == nil { tally.example = example }
        tallies[pair] = tally
    }
}

/// Hands a file's chunks to its `ChunkAssembling` in order as they arrive from any worker: a chunk that comes early
/// waits; the worker that delivers the next one in order merges it and every waiting one after it (outside the lock,
/// one worker at a time), so the other workers go on reading.
private final class InOrder: Sendable {
    private struct State {
        var waiting: [Int: ChunkOutcome] = [:]
        var next = 0
        var merging = false
        /// A chunk was unusable or could not be merged: the file is read sequentially at the end.
        var abandoned = false
    }

    private let assembly: any ChunkAssembling
    private let count: Int
    private let state = Mutex(State())
    /// Set with `abandoned`: stops the chunk reads in progress.
    private let abandon: AbandonFlag?

    init(_ assembly: any ChunkAssembling, count: Int, abandon: AbandonFlag?) {
        self.assembly = assembly
        self.count = count
        self.abandon = abandon
    }

    /// Whether the file will be read sequentially whatever the chunks not yet read hold (they need not be read).
    var abandoned: Bool { state.withLock { $0.abandoned } }

    /// Chunk `index` is read; returns the file's result when this call merged its last chunk.
    func deliver(_ chunk: ChunkOutcome, index: Int) -> FileResult? {
        var taken: ChunkOutcome? = state.withLock { state in
            state.waiting[index] = chunk
            if !chunk.usable {
                state.abandoned = true
                abandon?.set()
            }
            guard !state.merging, let next = state.waiting.removeValue(forKey: state.next) else { return nil }
            state.merging = true
            return next
        }
        while let chunk = taken {
            assembly.add(chunk)
            let failed = assembly.failed
            taken = state.withLock { state in
                if failed {
                    state.abandoned = true
                    abandon?.set()
                }
                state.next += 1
                if let next = state.waiting.removeValue(forKey: state.next) { return next }
                state.merging = false
                return nil
            }
        }
        let done = state.withLock { state -> Bool in
            guard state.next == count, !state.merging else { return false }
            state.merging = true  // finished once
            return true
        }
        return done ? assembly.finish() : nil
    }
}
