import Foundation
import Synchronization
public import ParkImpactModel
public import ParkImpactDefinition
public import ParkImpactReading
public import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// Incremental ingestion against the state store: decide per input file whether it is new, changed, unchanged,
/// renamed, a duplicate, still being written or gone; read what is new (concurrently) and commit each file's
/// contribution with its ledger row in one transaction; then hand every pilot's contributions (read now or stored
/// earlier) to the merge.
public enum Ingest {
    public struct Settings: Sendable {
        /// Files modified less than this many seconds ago may still be written: skipped, picked up by a later run.
        public var settleSeconds: Int
        /// Now, in nanoseconds since 1970 (tests pin it).
        public var now: Int64
        /// False for `parkimpact report`: look at nothing in the input folder, use the state as it is.
        public var ingest: Bool
        /// Files dated in the future with their size and time when the run first saw them, before it waited
        /// `settleSeconds` (`Settling`): one that is still the same is settled and read.
        public var stableFuture: [String: FileDigest.Stat] = [:]

        public init(settleSeconds: Int = 60, now: Int64? = nil, ingest: Bool = true) {
            self.settleSeconds = settleSeconds
            self.ingest = ingest
            var time = timespec()
            clock_gettime(CLOCK_REALTIME, &time)
            self.now = now ?? (Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
        }
    }

    /// What one pilot's ingestion did and what the merge gets.
    public struct PilotIngest: Sendable {
        public let definition: PipelineDefinition
        /// Every contribution in the state (read now or earlier, present or deleted input), sorted by path.
        public var inputs: [Aggregate.MergeInput] = []
        public var rejects: [Reject] = []
        public var files: [FileSummary] = []
        /// Fingerprint of everything the reports depend on: the build, the definition file and the ledger.
        public var generation = ""
        public var ingested = 0
        public var unchanged = 0
        public var skipped = 0
        public var duplicates = 0
        public var unreadable = 0
        public var deletedKept = 0
        /// Files modified less than `--settle-seconds` ago (not read yet), and the seconds until the last of them settles.
        public var settling = 0
        public var settleWaitSeconds = 0
        /// `input/<pilot>/` does not exist: nothing was looked at, the state and the outputs are left as they are.
        public var inputMissing = false
        /// `report` for a pilot no run has ingested anything of: nothing to report, no output written.
        public var nothingToReport = false
        /// The state knows no file of the pilot (after this run's ingestion).
        public var ledgerEmpty = false
        public var removed = 0
        public var rowsAccepted = 0
        public var rowsRejected = 0

        /// Something changed in the state this run (a file read, replaced, removed, marked deleted or returned).
        public var changed = false
        /// PV sites of the files in the ledger (`PVDiscovery`).
        var pvSites: Set<String> = []
        /// Every pilot of the run: a damaged ledger row that names none of them may be this pilot's (`checkedLedger`).
        var allPilots: Set<String> = []
        /// The ledger as `fingerprint` read it once the ingestion wrote it: nothing writes the ledger between then
        /// and `load`, which takes it rather than reading it again.
        fileprivate var ledgerAfterIngest: [LedgerEntry]?
        /// The ledger as `settle` read it, when it changed nothing: `fingerprint` takes it rather than reading it again.
        fileprivate var ledgerAfterSettle: [LedgerEntry]?

        /// The pilot without that ledger: a copy kept while the reports are built does not hold it.
        public var withoutLedger: PilotIngest {
            var copy = self
            copy.ledgerAfterIngest = nil
            return copy
        }
        /// Unchanged files read without some site's grid readings: read again if that site turns out to have PV.
        fileprivate var dormant: [Planned] = []

        init(definition: PipelineDefinition) {
            self.definition = definition
        }
    }

    fileprivate enum Decision {
        /// `renamedFrom`: a ledger row removed in the same transaction (a renamed file's old path, or a deleted
        /// file this copy is counted instead of).
        case read(renamedFrom: String?, replacing: LedgerEntry?)
        /// `conflict`: what the copy shares with `of`, when another source takes it (`LedgerEntry.conflict`).
        case duplicate(of: String, conflict: String?)
    }

    /// What the run does with one file. Its fields but `pending` are held in one shared object: the ingestion
    /// filters, looks up and passes plans around by the ten thousand, and a copy retains that object alone rather
    /// than each of the file's texts, sets and its previous ledger row.
    fileprivate struct Planned {
        private final class Fields: Sendable {
            let file: InputFile
            let stat: FileDigest.Stat
            let sha256: String
            let readerKey: String
            let decision: Decision

            init(file: InputFile, stat: FileDigest.Stat, sha256: String, readerKey: String, decision: Decision) {
                self.file = file
                self.stat = stat
                self.sha256 = sha256
                self.readerKey = readerKey
                self.decision = decision
            }
        }

        private let fields: Fields
        var file: InputFile { fields.file }
        var stat: FileDigest.Stat { fields.stat }
        var sha256: String { fields.sha256 }
        var readerKey: String { fields.readerKey }
        var decision: Decision { fields.decision }
        /// A copy of a file another source takes, read in this run: counted as `pending` until `settle` decides.
        var pending = false

        init(file: InputFile, stat: FileDigest.Stat, sha256: String, readerKey: String, decision: Decision,
             pending: Bool = false) {
            fields = Fields(file: file, stat: stat, sha256: sha256, readerKey: readerKey, decision: decision)
            self.pending = pending
        }
    }

    /// Files read are committed in batches of this many files, or fewer holding this much input: one transaction
    /// per batch, while the other files are still read (a kill loses at most the batch not committed yet, which the
    /// next run reads again).
    static let commitBatchFiles = 128
    static let commitBatchBytes: Int64 = 32 << 20

    /// The key under which a file's contribution stays valid: the build that read it, the source definition and
    /// what of the pilot the reader uses (zone, sites, which series keep interval readings).
    public static func readerKey(_ source: PipelineDefinition.Source, of definition: PipelineDefinition) -> String {
        // The glob and the position in the list do not change how a file is read.
        let fields = Mirror(reflecting: source).children.filter { $0.label != "path" && $0.label != "index" }
            .map { "\($0.label ?? "")=\(String(describing: $0.value))" }.joined(separator: ";")
        let text = [FileDigest.executable, "codec \(ContributionCodec.version)", fields,
                    definition.timezone, definition.sites.map(\.id).joined(separator: ","),
                    String(describing: definition.intervalReadingPolicy)].joined(separator: "\n")
        return FileDigest.sha256(Array(text.utf8))
    }

    public static func run(
        definitions: [PipelineDefinition], context: RunContext, store: any StateBackend, runID: Int64,
        diagnostics: inout Diagnostics
    ) -> Outcome {
        let folders = context.folders, threads = context.threads, settings = context.settings
        var pilots: [PilotIngest] = []
        var planned: [Planned] = []
        var definitionsByPilot: [String: PipelineDefinition] = [:]
        var phases = Phases()
        RunProgress.shared.begin(.fingerprinting, totalFiles: 0)
        phases.time("scan") {
            for definition in definitions {
                definitionsByPilot[definition.pilot] = definition
                var pilot = PilotIngest(definition: definition)
                pilot.allPilots = Set(definitions.map(\.pilot))
                if settings.ingest {
                    plan(definition, context: context, store: store, runID: runID, pilot: &pilot, planned: &planned,
                         diagnostics: &diagnostics)
                }
                pilots.append(pilot)
            }
        }
        FaultInjection.reach("planned")

        // Read what is new, committing each file as soon as it is read (files of the same size: once they all are).
        let failures = Mutex<[(path: String, cause: String)]>([])
        var reads = planned.filter { if case .read = $0.decision { return true } else { return false } }
        var readNow: [String: FileResult] = [:]
        // How every read of the run cuts files (`ChunkSizing.plan`: files that would leave a worker idle in pieces).
        let chunking = Aggregate.ChunkSizing.plan(reads.map { ($0.file.path, Int($0.stat.size)) }, threads: threads)
        // Files read in chunks are not fingerprinted while read: their SHA-256s are computed beside the reading.
        let digests = DeferredDigests(reads.filter {
            $0.sha256.isEmpty && Aggregate.mayReadInChunks($0.file, threads: threads, chunking: chunking)
        }.map(\.file.path), concurrent: threads != 1)
        // Files that did not stay the file planned while read (changed, replaced, gone): not committed, by path.
        let notAsPlanned = Mutex<[String: ReadChange]>([:])
        var sourceOf: [String: Int] = [:]
        for plan in reads where plan.sha256.isEmpty { sourceOf[plan.file.path] = plan.file.source.index }
        let sameSize = SameSizeGroups(reads.filter(\.sha256.isEmpty).map { ($0.file.path, $0.file.pilot, $0.stat.size) },
                                      sources: sourceOf) {
            try? digests.wait($0)
        }
        func read(_ files: [Planned], definitions: [String: PipelineDefinition], known: [String: Set<String>],
                  digests: DeferredDigests, sameSize: SameSizeGroups, sharing: SharedReads? = nil) -> [String: Set<String>] {
            var byPath: [String: Planned] = [:]
            for plan in files { byPath[plan.file.path] = plan }
            let plans = byPath
            // Files settled are committed in batches (`commitBatchFiles` files or `commitBatchBytes` of input, and
            // what is left once all are read), in the order they were settled: a copy never before its original.
            let pending = Mutex<(commits: [(path: String, commit: StateStore.FileCommit, counted: Bool)], bytes: Int64)>(
                ([], 0))
            let flushing = Mutex(())
            @Sendable func flush() {
                flushing.withLock { _ in
                    let batch = pending.withLock { pending in
                        defer { pending = ([], 0) }
                        return pending.commits
                    }
                    guard !batch.isEmpty else { return }
                    do {
                        try store.commit(batch.map(\.commit))
                        for file in batch where file.counted { FaultInjection.reach("committed") }
                    } catch {
                        failures.withLock { failures in
                            for file in batch { failures.append((file.path, StateStore.describe(error))) }
                        }
                    }
                }
            }
            let done = PVDiscovery.readAll(files.map(\.file), definitions: definitions, known: known, threads: threads,
                                           chunking: chunking, fingerprinting: Set(files.filter(\.sha256.isEmpty).map(\.file.path)),
                                           sharing: sharing) {
                index, result in
                if let change = Self.readChange(files[index], result, digests: digests) {
                    notAsPlanned.withLock { $0[files[index].file.path] = change }
                }
                var batch: [(path: String, commit: StateStore.FileCommit, counted: Bool)] = []
                var bytes: Int64 = 0
                for settled in sameSize.arrived(files[index].file.path, result) {
                    let plan = plans[settled.path]!
                    let skipped = notAsPlanned.withLock { changes in
                        changes[settled.path] != nil || settled.duplicateOf.map { original in
                            changes.keys.contains { plans[$0]?.file.relativePath == original } } == true
                    }
                    if skipped { continue }
                    do {
                        if let original = settled.duplicateOf {
                            batch.append((plan.file.path, duplicateCommit(plan, sha: settled.sha256 ?? "", of: original,
                                                                          conflict: nil, runID: runID), false))
                        } else if let commit = try fileCommit(plan, result: settled.result, runID: runID,
                                                              digests: digests,
                                                              pending: plan.pending || settled.crossSource) {
                            batch.append((plan.file.path, commit, true))
                            bytes += plan.stat.size
                        }
                    } catch {
                        failures.withLock { $0.append((plan.file.path, StateStore.describe(error))) }
                    }
                }
                guard !batch.isEmpty else { return }
                let full = pending.withLock { pending in
                    pending.commits += batch
                    pending.bytes += bytes
                    return pending.commits.count >= Self.commitBatchFiles || pending.bytes >= Self.commitBatchBytes
                }
                if full { flush() }
            }
            flush()
            sharing?.end()
            for (plan, result) in zip(files, done.results) { readNow[plan.file.relativePath] = result }
            return done.pvSites
        }
        var known: [String: Set<String>] = [:]
        for pilot in pilots where !pilot.pvSites.isEmpty { known[pilot.definition.pilot] = pilot.pvSites }
        let clock = ContinuousClock()
        let readStart = clock.now
        RunProgress.shared.begin(.reading, totalBytes: reads.reduce(0) { $0 + Int($1.stat.size) }, totalFiles: reads.count)
        defer { RunProgress.shared.end() }
        var knownPV = known
        if !reads.isEmpty {
            // Other workers may read some of the new files for this one (a shared PostgreSQL state).
            let sharing = context.shareReads ? (store as? any ReadClaims).flatMap { claims in
                SharedReads.offer(claims, files: reads.map(\.file), stats: reads.map(\.stat),
                                  readerKeys: reads.map(\.readerKey), definitions: definitionsByPilot, known: known,
                                  inputRoot: folders.input, threads: threads, chunking: chunking)
            } : nil
            let pv = read(reads, definitions: definitionsByPilot, known: known, digests: digests, sameSize: sameSize,
                          sharing: sharing)
            knownPV = pv
            // Unchanged files read earlier without the grid readings of a site the new files show PV for.
            var again: [Planned] = []
            for index in pilots.indices {
                let name = pilots[index].definition.pilot
                for plan in pilots[index].dormant {
                    guard case .read(_, let previous?) = plan.decision,
                          PVDiscovery.mustReread(previous.gridSitesWithoutReadings, pv: pv[name]) else { continue }
                    again.append(plan)
                    pilots[index].unchanged -= 1
                    diagnostics.add(.info, "\(plan.file.path): read again for PV matching: it has grid data of "
                        + PVDiscovery.describe(previous.gridSitesWithoutReadings.intersection(pv[name] ?? []))
                        + ", which the new files show PV production for", pilot: name, code: .rereadForPV)
                }
            }
            if !again.isEmpty {
                RunProgress.shared.extend(bytes: again.reduce(0) { $0 + Int($1.stat.size) }, files: again.count)
                _ = read(again, definitions: definitionsByPilot, known: pv, digests: digests, sameSize: sameSize)
                reads += again
            }
        }
        // Files that changed or vanished during their read: looked at again once they stayed the same for a short
        // quiet time, and read again (at most `rereadLimit` times) when they are there.
        let quiet = rereadQuietSeconds(settings.settleSeconds)
        var keptChanging: [String: Int] = [:]  // path → how many times it was read
        var confirmedGone = Set<String>()
        var readAgain = Set<String>()
        var retry = reads.filter { plan in
            guard !plan.pending, let change = notAsPlanned.withLock({ $0[plan.file.path] }) else { return false }
            if case .refused = change { return false }
            return true
        }
        var attempts = 0
        while !retry.isEmpty {
            guard attempts < rereadLimit else {
                for plan in retry { keptChanging[plan.file.path] = attempts + 1 }
                break
            }
            attempts += 1
            let looks = awaitQuiet(retry.map { $0.file.openPath ?? $0.file.path }, quiet: quiet)
            var again: [Planned] = []
            var claimed: [String: String] = [:]  // SHA-256 → path, among the files read again now
            for plan in retry {
                switch looks[plan.file.openPath ?? plan.file.path] {
                case .stable(.gone):
                    confirmedGone.insert(plan.file.path)
                case .stable(.file):
                    // Fingerprinted again (with the stat of the bytes hashed): the read then checks it read those.
                    guard let print = try? FileDigest.fingerprint(path: plan.file.path, countingProgress: false) else {
                        keptChanging[plan.file.path] = attempts
                        continue
                    }
                    // Its new bytes are another file's (of the state, or read again now): the next run settles
                    // that, as for any copy.
                    let twin = (try? store.ledger(pilot: plan.file.pilot))?.contains {
                        $0.sha256 == print.sha256 && $0.path != plan.file.relativePath
                    } ?? true
                    guard !twin, claimed[print.sha256] == nil else { continue }
                    claimed[print.sha256] = plan.file.path
                    again.append(Planned(file: plan.file, stat: print.stat, sha256: print.sha256,
                                         readerKey: plan.readerKey, decision: plan.decision))
                case .restless, nil:
                    keptChanging[plan.file.path] = attempts
                case .stable(.other):
                    break  // no longer a regular file (a link, a folder): not read; the next run looks again
                }
            }
            guard !again.isEmpty else { break }
            readAgain.formUnion(again.map(\.file.path))
            notAsPlanned.withLock { changes in for plan in again { changes[plan.file.path] = nil } }
            RunProgress.shared.extend(bytes: again.reduce(0) { $0 + Int($1.stat.size) }, files: again.count)
            // Fingerprinted above: nothing deferred, no same-size group to wait for.
            _ = read(again, definitions: definitionsByPilot, known: knownPV,
                     digests: DeferredDigests([], concurrent: false), sameSize: SameSizeGroups([]))
            for plan in again {
                if let index = reads.firstIndex(where: { $0.file.path == plan.file.path }) { reads[index] = plan }
            }
            retry = again.filter { plan in
                guard let change = notAsPlanned.withLock({ $0[plan.file.path] }) else { return false }
                if case .refused = change { return false }
                return true
            }
        }
        // One error per file; when many files failed for one cause (a full disk, a lost database connection), one
        // error for all of them, naming the first few.
        var byCause: [(cause: String, paths: [String])] = []
        for failure in failures.withLock({ $0 }) {
            if let index = byCause.firstIndex(where: { $0.cause == failure.cause }) {
                byCause[index].paths.append(failure.path)
            } else {
                byCause.append((failure.cause, [failure.path]))
            }
        }
        for group in byCause {
            let paths = group.paths
            let what = paths.count <= 3 ? paths.joined(separator: ", ")
                : "\(paths.count) files (\(paths.prefix(3).joined(separator: ", ")), …)"
            diagnostics.add(.error, "\(what): not recorded in the state (\(group.cause)); "
                + (paths.count == 1 ? "it is" : "they are") + " read again by the next run", status: .ioError,
                code: .stateUnavailable)
        }
        // Not committed: the ledger keeps what it held (an earlier version's contribution counts on); the next run
        // looks at the file again.
        let changes = notAsPlanned.withLock { $0 }
        for plan in reads where changes[plan.file.path] != nil {
            let change = changes[plan.file.path]!
            readNow[plan.file.relativePath] = nil
            var previous: LedgerEntry?
            if case .read(_, let replacing) = plan.decision { previous = replacing }
            guard let index = pilots.firstIndex(where: { $0.definition.pilot == plan.file.pilot }) else { continue }
            if confirmedGone.contains(plan.file.path) {
                goneDuringRead(plan.file, previous: previous, quiet: quiet, pilot: &pilots[index], store: store,
                               runID: runID, diagnostics: &diagnostics)
                continue
            }
            pilots[index].skipped += 1
            if let reads = keptChanging[plan.file.path] {
                diagnostics.add(.warning, "\(plan.file.path): kept changing while the run read it (\(reads) "
                    + "read\(reads == 1 ? "" : "s"), and it did not stay unchanged for \(quiet) s before a read again); "
                    + Self.changedAdvice(previous) + "; a program that rewrites it often can write to a temporary "
                    + "name (ending in .part) and rename it when done", pilot: plan.file.pilot,
                                code: .fileChangedDuringRead)
                continue
            }
            let code: DiagnosticCode = if case .vanished = change { .fileVanished } else { .fileChangedDuringRead }
            diagnostics.add(.info, change.message + "; " + Self.changedAdvice(previous), pilot: plan.file.pilot,
                            code: code)
        }
        reads.removeAll { changes[$0.file.path] != nil }
        for plan in reads where readAgain.contains(plan.file.path) {
            let counted = readNow[plan.file.relativePath]?.summary.problem == nil
            diagnostics.add(.info, "\(plan.file.path): changed during its read; read again once it stayed unchanged "
                + "for \(quiet) s, and \(counted ? "counted" : "recorded") as it is now", pilot: plan.file.pilot,
                            code: .fileChangedDuringRead)
        }
        for plan in planned {
            if case .duplicate(let original, let conflict) = plan.decision {
                do {
                    try commitDuplicate(plan, sha: plan.sha256, of: original, conflict: conflict, store: store,
                                        runID: runID)
                } catch {
                    diagnostics.add(.error, "\(plan.file.path): not recorded in the state (\(StateStore.describe(error)))",
                                    pilot: plan.file.pilot, status: .ioError, code: .stateUnavailable)
                }
            }
        }
        // Same-size files found to hold the same bytes once read (committed as duplicates in `read`).
        let duplicates = sameSize.duplicates
        for plan in reads {
            guard let original = duplicates[plan.file.path] else { continue }
            readNow[plan.file.relativePath] = nil
            guard let index = pilots.firstIndex(where: { $0.definition.pilot == plan.file.pilot }) else { continue }
            pilots[index].duplicates += 1
            pilots[index].changed = true
            diagnostics.add(.warning, "\(plan.file.path): same content as \(original): not counted twice",
                            pilot: plan.file.pilot, code: .sameContent)
        }
        reads.removeAll { duplicates[$0.file.path] != nil }
        // Copies taken by different sources, read in this run: one counts, or none (`settle`).
        for index in pilots.indices where settings.ingest && !pilots[index].inputMissing {
            let demoted = settle(&pilots[index], store: store, runID: runID, readNow: readNow,
                                 input: folders.input, diagnostics: &diagnostics)
            guard !demoted.isEmpty else { continue }
            for path in demoted { readNow[path] = nil }
            reads.removeAll { demoted.contains($0.file.relativePath) }
        }

        for index in pilots.indices {
            let pilot = pilots[index].definition.pilot
            for plan in reads where plan.file.pilot == pilot {
                pilots[index].changed = true
                let result = readNow[plan.file.relativePath]!
                for warning in FileVerdict.warnings(result.summary, path: plan.file.path, rejects: result.rejects) {
                    diagnostics.add(.warning, warning.message, pilot: pilot, code: warning.code)
                }
                if result.summary.problem != nil {
                    pilots[index].unreadable += 1
                    pilots[index].rowsRejected += result.rejects.rowCount
                } else {
                    pilots[index].ingested += 1
                    pilots[index].rowsAccepted += result.summary.acceptedRows
                    pilots[index].rowsRejected += result.rejects.rowCount
                }
            }
            fingerprint(&pilots[index], store: store, readNow: readNow, input: folders.input,
                        reporting: !settings.ingest, diagnostics: &diagnostics)
        }
        phases.add("read", seconds: Phases.seconds(clock.now - readStart))
        return Outcome(pilots: pilots, readNow: readNow, phases: phases)
    }

    /// The pilots after ingestion, and the files read in this run (their results, so they are not decoded again).
    public struct Outcome: Sendable {
        public var pilots: [PilotIngest]
        public let readNow: [String: FileResult]
        /// `scan` (stat, SHA-256 of what changed) and `read` (parse, aggregate, commit).
        public var phases = Phases()
    }

    // MARK: Planning

    /// Plans one pilot's files against its ledger, in the steps of `PilotPlanning`: each file present is found
    /// unchanged, to read, or a copy not counted; copies whose counted file went away are read; files gone from the
    /// folder leave the ledger or are kept.
    private static func plan(
        _ definition: PipelineDefinition, context: RunContext, store: any StateBackend, runID: Int64,
        pilot: inout PilotIngest, planned: inout [Planned], diagnostics: inout Diagnostics
    ) {
        guard let found = discover(definition, input: context.folders.input, pilot: &pilot, diagnostics: &diagnostics),
              let ledger = repairedLedger(&pilot, store: store, runID: runID, input: context.folders.input,
                                          diagnostics: &diagnostics) else { return }
        var planning = PilotPlanning(definition: definition, context: context, store: store, runID: runID,
                                     found: found, ledger: ledger, pilot: pilot)
        planning.fingerprintChangedFiles()
        for file in found.files { planning.decide(file, planned: &planned, diagnostics: &diagnostics) }
        planning.markPendingCopies(&planned)
        planning.promoteOrphanedCopies(planned: &planned, diagnostics: &diagnostics)
        planning.leaveGoneFiles(diagnostics: &diagnostics)
        planning.reportSettling(diagnostics: &diagnostics)
        pilot = planning.pilot
    }

    /// The pilot's files per source glob, with the warnings about them (nil when `input/<pilot>/` is missing): files
    /// with a temporary name are skipped.
    private static func discover(_ definition: PipelineDefinition, input: String, pilot: inout PilotIngest,
                                 diagnostics: inout Diagnostics) -> Discover.Result? {
        let name = definition.pilot
        let found = Discover.files(for: definition, inputRoot: input)
        Discover.report(found, of: definition, inputRoot: input, into: &diagnostics)
        if found.folderMissing {
            pilot.inputMissing = true
            return nil
        }
        for temporary in found.temporary {
            pilot.skipped += 1
            diagnostics.add(.info, "\(temporary): skipped: a temporary name (still being written or an editor's "
                + "lock file); rename it when it is complete", pilot: name, code: .temporaryName)
        }
        return found
    }

    /// One pilot's planning against its ledger: what the steps of `plan` share (the files found, the ledger, what
    /// the files looked at so far decided).
    fileprivate struct PilotPlanning {
        let definition: PipelineDefinition
        let name: String
        let folders: RunFolders
        let threads: Int?
        let settings: Settings
        let store: any StateBackend
        let runID: Int64
        let found: Discover.Result
        let ledger: [LedgerEntry]
        var pilot: PilotIngest
        let byPath: [String: LedgerEntry]
        /// PV sites of the files the ledger counts.
        let knownPV: Set<String>
        let onDisk: Set<String>
        var present = Set<String>()
        var renamedAway = Set<String>()
        var plannedBySHA: [String: (path: String, source: Int)] = [:]
        /// Contents read in this run under more than one source: their copies are settled once read (`settle`).
        var pendingSHAs = Set<String>()
        /// Copies not counted (`duplicate`) found unchanged, and the paths read again with the SHA-256 they have now
        /// (empty: not known before reading, and different from the ledger's).
        var unchangedCopies: [(file: InputFile, stat: FileDigest.Stat, key: String, entry: LedgerEntry)] = []
        var rereadSHA: [String: String] = [:]
        var settling: [(path: String, age: Int64)] = []
        /// Ledger paths of deleted files a promoted copy replaces (`promoteOrphanedCopies`).
        var promotedAway = Set<String>()
        /// Changed files fingerprinted while they are read, and the fingerprints of the others
        /// (`fingerprintChangedFiles`).
        var deferred = Set<String>()
        var fingerprints: [String: (sha256: String, stat: FileDigest.Stat)] = [:]
        /// Each file's stat as `fingerprintChangedFiles` took it (on all cores), before any file was fingerprinted:
        /// what `decide` plans with (a file that changes after it is caught by its fingerprint's or its read's
        /// stat, which must equal it).
        var stats: [String: FileDigest.Stat] = [:]
        var readerKeys: [Int: String] = [:]  // per source: the same for all its files

        init(definition: PipelineDefinition, context: RunContext, store: any StateBackend, runID: Int64,
             found: Discover.Result, ledger: [LedgerEntry], pilot: PilotIngest) {
            self.definition = definition
            name = definition.pilot
            folders = context.folders
            threads = context.threads
            settings = context.settings
            self.store = store
            self.runID = runID
            self.found = found
            self.ledger = ledger
            self.pilot = pilot
            var byPath: [String: LedgerEntry] = [:]
            for entry in ledger { byPath[entry.path] = entry }
            self.byPath = byPath
            for entry in ledger where entry.status == .ingested { self.pilot.pvSites.formUnion(entry.pvSites) }
            knownPV = self.pilot.pvSites
            onDisk = Set(found.files.map(\.relativePath))
        }

        /// A ledger update that is not a file's contribution: a failure is reported (exit 75), the run goes on.
        func update(_ diagnostics: inout Diagnostics, _ body: () throws -> Void) {
            do { try body() } catch {
                diagnostics.add(.error, "\(store.path): \(StateStore.describe(error))", pilot: name,
                                status: .ioError, code: .stateUnavailable)
            }
        }

        /// Read earlier without the grid readings of a site known to have PV now (a run that stopped in between).
        func lacksPVReadings(_ entry: LedgerEntry) -> Bool {
            entry.status == .ingested && PVDiscovery.mustReread(entry.gridSitesWithoutReadings, pv: knownPV)
        }

        mutating func unchanged(_ previous: LedgerEntry, file: InputFile, stat: FileDigest.Stat, key: String) {
            pilot.unchanged += 1
            if previous.status == .duplicate {
                pilot.duplicates += 1
                unchangedCopies.append((file, stat, key, previous))
            }
            if previous.status == .ingested, !previous.gridSitesWithoutReadings.isEmpty {
                pilot.dormant.append(Planned(file: file, stat: stat, sha256: previous.sha256, readerKey: key,
                                             decision: .read(renamedFrom: nil, replacing: previous)))
            }
        }

        /// Whether a file may be read: old enough, or dated in the future and unchanged over the run's wait.
        func settled(_ file: InputFile, _ stat: FileDigest.Stat) -> Bool {
            let age = settings.now - stat.modifiedNanoseconds
            return settings.settleSeconds <= 0 || age >= Int64(settings.settleSeconds) * 1_000_000_000
                || (age < 0 && settings.stableFuture[file.path] == stat)
        }

        /// Fingerprints the files whose size or time changed (or that are new) up front, on all cores, except those
        /// fingerprinted while they are read.
        mutating func fingerprintChangedFiles() {
            let files = found.files
            let looked = ConcurrentMap.map(files.count, threads: threads) { FileDigest.stat(files[$0].path) }
            for (file, stat) in zip(files, looked) { stats[file.path] = stat }
            let changedFiles = found.files.filter { file in
                guard let stat = stats[file.path], settled(file, stat) else { return false }
                guard let previous = byPath[file.relativePath] else { return true }
                return !Ingest.looksUnchanged(previous, stat)
            }
            // A changed file whose size no file of the ledger has (its own earlier version included) can be neither a
            // rename nor a touched copy of a file seen before: it is read at once and fingerprinted while it is read
            // (`ReadContext.fingerprint`; a file read in chunks beside it, `DeferredDigests`). Such files of equal size
            // may still be copies of each other: that is settled once they are read (`SameSizeGroups`). The others are
            // fingerprinted here, on all cores, and a copy of a known file is not read at all.
            let ledgerSizes = Set(ledger.map(\.size))
            deferred = Set(changedFiles.filter { !ledgerSizes.contains(stats[$0.path]?.size ?? -1) }
                .map(\.path))
            fingerprints = FileDigest.fingerprints(paths: changedFiles.map(\.path).filter { !deferred.contains($0) },
                                                   threads: threads)
        }

        /// Decides what becomes of one file present: still settling, unchanged, read (new, changed, renamed, read
        /// again), or a copy not counted.
        mutating func decide(_ file: InputFile, planned: inout [Planned], diagnostics: inout Diagnostics) {
            present.insert(file.relativePath)
            guard let stat = stats[file.path] ?? FileDigest.stat(file.path) else {
                diagnostics.add(.warning, "\(file.path): vanished while the run looked at it; the next run reads it",
                                pilot: name, code: .fileVanished)
                return
            }
            let age = settings.now - stat.modifiedNanoseconds
            if !settled(file, stat) {
                settling.append((file.path, max(0, age / 1_000_000_000)))
                return
            }
            if age < 0, settings.settleSeconds > 0 {
                diagnostics.add(.warning, "\(file.path): modified \(Ingest.duration(-age)) in the future (the clock of "
                    + "the machine or share that wrote it is ahead of this one's); read because it stayed unchanged for "
                    + "\(settings.settleSeconds) s; set the clocks right (NTP)", pilot: name, code: .futureModificationTime)
            }
            let key = readerKeys[file.source.index] ?? Ingest.readerKey(file.source, of: definition)
            readerKeys[file.source.index] = key
            let previous = byPath[file.relativePath]
            if let previous, previous.missingSinceRun != nil {
                update(&diagnostics) { try store.setMissing(pilot: name, path: previous.path, run: nil,
                                                            event: (runID, "back in the input folder")) }
                pilot.changed = true
            }
            if let previous, Ingest.looksUnchanged(previous, stat), previous.readerKey == key,
               !lacksPVReadings(previous) {
                unchanged(previous, file: file, stat: stat, key: key)
                return
            }
            if deferred.contains(file.path), previous?.size != stat.size {
                if previous != nil {
                    diagnostics.add(.info, "\(file.path): changed since it was ingested: its old contribution is "
                        + "replaced", pilot: name, code: .fileChanged)
                }
                planned.append(Planned(file: file, stat: stat, sha256: "", readerKey: key,
                                       decision: .read(renamedFrom: nil, replacing: previous)))
                if previous != nil { rereadSHA[file.relativePath] = "" }
                return
            }
            let sha: String
            do {
                let print = try fingerprints[file.path] ?? FileDigest.fingerprint(path: file.path)
                // The digest is of the file as stat'ed here, not of an earlier or later version.
                guard print.stat == stat else { throw FileDigest.ChangedWhileHashed(path: file.path) }
                sha = print.sha256
            } catch let changed as FileDigest.ChangedWhileHashed {
                diagnostics.add(.info, "\(changed); " + Ingest.changedAdvice(previous), pilot: name,
                                code: .fileChangedDuringRead)
                pilot.skipped += 1
                return
            } catch {
                diagnostics.add(.error, "\(error); check the file's permissions", pilot: name, status: .dataError,
                                code: (error as? FileDigest.POSIXFailure)?.diagnosticCode ?? .ioError)
                return
            }
            if let previous, previous.sha256 == sha, previous.readerKey == key, !lacksPVReadings(previous) {
                update(&diagnostics) { try store.touch(pilot: name, path: previous.path,
                                                       modifiedNanoseconds: stat.modifiedNanoseconds,
                                                       identity: stat.identity) }
                unchanged(previous, file: file, stat: stat, key: key)
                return
            }
            if previous != nil { rereadSHA[file.relativePath] = sha }
            // The same bytes elsewhere: counted once when the same source takes both (a plain duplicate); copies
            // taken by different sources are all read and settled afterwards (`settle`).
            if let original = plannedBySHA[sha] {
                if original.source == file.source.index {
                    planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                           decision: .duplicate(of: original.path, conflict: nil)))
                    pilot.duplicates += 1
                    pilot.changed = true
                    diagnostics.add(.warning, "\(file.path): same content as \(original.path): not counted twice",
                                    pilot: name, code: .sameContent)
                    return
                }
                pendingSHAs.insert(sha)
            }
            let twin = ledger.first { $0.sha256 == sha && $0.path != file.relativePath && $0.status != .duplicate
                && !renamedAway.contains($0.path) }
            let twinPresent = twin.map { onDisk.contains($0.path) || FileManager.default.fileExists(
                atPath: (folders.input as NSString).appendingPathComponent($0.path)) } ?? false
            if let twin, twinPresent, !pendingSHAs.contains(sha) {
                if Ingest.sameSource(twin, file) {
                    planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                           decision: .duplicate(of: twin.path, conflict: nil)))
                    pilot.duplicates += 1
                    pilot.changed = true
                    diagnostics.add(.warning, "\(file.path): same content as \(twin.path): not counted twice",
                                    pilot: name, code: .sameContent)
                    return
                }
                if twin.conflict != LedgerEntry.pending {
                    // Another source's file the state counts keeps counting; this copy is an error (`fingerprint`).
                    planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                           decision: .duplicate(of: twin.path,
                                                                conflict: Ingest.shared(twin, store: store))))
                    pilot.duplicates += 1
                    pilot.changed = true
                    return
                }
                pendingSHAs.insert(sha)  // counted by a run that stopped before settling it: settled again
            }
            // A copy of files none of which counts (a conflict nothing decides): it joins them, not counted. (A file
            // the state counts with these bytes, read again, is the one they are copies of.)
            let countedBefore = previous?.status == .ingested && previous?.sha256 == sha
            if twin == nil, !countedBefore, !pendingSHAs.contains(sha), let member = ledger.first(where: {
                $0.sha256 == sha && $0.status == .duplicate && $0.conflict != nil && $0.path != file.relativePath
                    && onDisk.contains($0.path) }) {
                planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key, decision: .duplicate(
                    of: member.path, conflict: Ingest.sameSource(member, file) ? nil : member.conflict)))
                pilot.duplicates += 1
                pilot.changed = true
                if Ingest.sameSource(member, file) {
                    diagnostics.add(.warning, "\(file.path): same content as \(member.path): not counted twice",
                                    pilot: name, code: .sameContent)
                }
                return
            }
            var renamedFrom: String?
            if twinPresent {
                // A pending copy under another source: read beside it, `settle` decides.
            } else if let twin {
                renamedFrom = twin.path
                renamedAway.insert(twin.path)
                if Ingest.sameSource(twin, file)
                    || Ingest.metersBelong(twin, to: file.source.site, ledger: ledger, store: store) {
                    diagnostics.add(.info, "\(file.path): renamed from \(twin.path) (same content): read under its "
                        + "new name, counted once", pilot: name, code: .renamed)
                } else {
                    // Moved to where another source takes it, whose site has not seen its meters: its numbers now
                    // count under that site.
                    diagnostics.add(.warning, "\(file.path): renamed from \(twin.path) (same content), which "
                        + "\(Ingest.describe(source: twin.sourceIndex, format: twin.format, of: definition)) took; now "
                        + "\(Ingest.describe(file.source, of: definition)) "
                        + "takes it, so its data count there, counted once; if that is wrong, move it back",
                        pilot: name, code: .movedAcrossSources)
                }
            } else if let previous, previous.sha256 == sha, previous.readerKey == key {
                diagnostics.add(.info, "\(file.path): read again for PV matching: it has grid data of "
                    + PVDiscovery.describe(previous.gridSitesWithoutReadings.intersection(knownPV))
                    + ", which other files show PV production for", pilot: name, code: .rereadForPV)
            } else if let previous, previous.sha256 == sha {
                diagnostics.add(.info, "\(file.path): read again: its source in \(definition.file) or the ParkImpact "
                    + "build changed since it was ingested", pilot: name, code: .rereadDefinitionChanged)
            } else if previous != nil {
                diagnostics.add(.info, "\(file.path): changed since it was ingested: its old contribution is replaced",
                                pilot: name, code: .fileChanged)
            }
            if plannedBySHA[sha] == nil { plannedBySHA[sha] = (file.relativePath, file.source.index) }
            planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                   decision: .read(renamedFrom: renamedFrom, replacing: previous)))
        }

        /// Marks the copies read in this run under different sources as pending: they are settled once read. One the
        /// state counted already with these bytes (read again: a new build, an edited source) is not pending: it keeps
        /// counting.
        func markPendingCopies(_ planned: inout [Planned]) {
            for index in planned.indices where pendingSHAs.contains(planned[index].sha256) {
                guard case .read(_, let replacing) = planned[index].decision else { continue }
                let counted = replacing.map { $0.status == .ingested && $0.sha256 == planned[index].sha256
                    && $0.conflict == nil } ?? false
                if !counted { planned[index].pending = true }
            }
        }

        /// Neither found by the sources nor in the input folder.
        func gone(_ entry: LedgerEntry) -> Bool {
            !onDisk.contains(entry.path) && !FileManager.default.fileExists(
                atPath: (folders.input as NSString).appendingPathComponent(entry.path))
        }

        /// Present under its path, and with the bytes the ledger has.
        func stays(_ entry: LedgerEntry) -> Bool {
            guard onDisk.contains(entry.path), !renamedAway.contains(entry.path) else { return false }
            if let now = rereadSHA[entry.path] { return now == entry.sha256 }
            return true
        }

        /// Decides which copies not counted are read and counted now: a copy whose group lost the file that counted
        /// (deleted, changed, no longer selected), or of a conflict group that lost a member, is settled again. The
        /// first copy by path of each source is read (and, when the counted file was deleted, replaces its ledger row
        /// in the same transaction).
        mutating func promoteOrphanedCopies(planned: inout [Planned], diagnostics: inout Diagnostics) {
            let bySHA = Dictionary(grouping: ledger, by: \.sha256)
            var promotedKeys = Set<String>()
            for copy in unchangedCopies.sorted(by: { $0.entry.path < $1.entry.path }) {
                let group = bySHA[copy.entry.sha256] ?? []
                let anchored = group.contains { $0.status != .duplicate && $0.path != copy.entry.path && stays($0) }
                if anchored { continue }
                // A file with these bytes is read in this run (a rename, a new copy): `settle` settles the group.
                if plannedBySHA[copy.entry.sha256] != nil { continue }
                // A conflict nothing decides, with all its members as they were: it stands.
                if copy.entry.conflict != nil, group.allSatisfy(stays) { continue }
                guard promotedKeys.insert("\(copy.entry.sha256) \(copy.file.source.index)").inserted else { continue }
                let replaced = group.first { $0.status == .ingested && gone($0) && !promotedAway.contains($0.path)
                    && !renamedAway.contains($0.path) }
                if let replaced { promotedAway.insert(replaced.path) }
                planned.append(Planned(file: copy.file, stat: copy.stat, sha256: copy.entry.sha256, readerKey: copy.key,
                                       decision: .read(renamedFrom: replaced?.path, replacing: copy.entry),
                                       pending: group.contains { !Ingest.sameSource($0, copy.file) && stays($0) }))
                pilot.unchanged -= 1
                pilot.duplicates -= 1
                pilot.changed = true
                let why = replaced.map { "\($0.path), which it copies, was deleted" }
                    ?? "the file it copies (\(copy.entry.duplicateOf ?? "?")) was changed, deleted or is no longer "
                    + "selected"
                if let counted = replaced ?? group.first(where: { $0.status != .duplicate }),
                   !Ingest.sameSource(counted, copy.file),
                   !Ingest.metersBelong(counted, to: copy.file.source.site, ledger: ledger, store: store) {
                    // Its numbers now count under another source's site than before, and not one its meters belong
                    // to.
                    diagnostics.add(.warning, "\(copy.file.path): read and counted now: \(why); "
                        + "\(Ingest.describe(source: counted.sourceIndex, format: counted.format, of: definition)) "
                        + "took that file, \(Ingest.describe(copy.file.source, of: definition)) "
                        + "takes this copy, so its data count there; if that is wrong, move it where "
                        + "sources[\(counted.sourceIndex)] takes it", pilot: name, code: .movedAcrossSources)
                } else {
                    diagnostics.add(.info, "\(copy.file.path): read and counted now: \(why)", pilot: name,
                                    code: .copyPromoted)
                }
            }
        }

        /// Decides what becomes of the ledger's files no longer present: one still in the folder that no source
        /// selects leaves the ledger, a deleted one that was not counted too; a deleted one that was counted is kept
        /// (marked missing).
        mutating func leaveGoneFiles(diagnostics: inout Diagnostics) {
            for entry in ledger where !present.contains(entry.path) && !renamedAway.contains(entry.path)
                && !promotedAway.contains(entry.path) {
                let full = (folders.input as NSString).appendingPathComponent(entry.path)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                    do {
                        try store.remove(pilot: name, path: entry.path, run: runID, event: "unselected",
                                         detail: "no source of \(definition.file) selects it any more")
                        pilot.removed += 1
                        pilot.changed = true
                        diagnostics.add(.warning, "\(full): no source of \(definition.file) selects it any more: its "
                            + "contribution is removed from the reports", pilot: name, code: .unselectedFile)
                    } catch {
                        diagnostics.add(.error, "\(store.path): \(StateStore.describe(error))", pilot: name,
                                        status: .ioError, code: .stateUnavailable)
                    }
                    continue
                }
                // A deleted file that was not counted (a copy, an unreadable file) leaves the ledger: nothing to keep.
                if entry.status != .ingested {
                    update(&diagnostics) { try store.remove(pilot: name, path: entry.path, run: runID, event: "deleted",
                                                            detail: "deleted from input; it was not counted") }
                    pilot.changed = true
                    diagnostics.add(.info, "\(full): deleted from the input folder; it was not counted "
                        + (entry.status == .duplicate ? "(a copy of \(entry.duplicateOf ?? "another file"))"
                            : "(it could not be read)") + ", so the reports do not change", pilot: name,
                        code: .deletedNotCounted)
                    continue
                }
                pilot.deletedKept += 1
                if entry.missingSinceRun == nil {
                    update(&diagnostics) { try store.setMissing(pilot: name, path: entry.path, run: runID,
                                                                event: (runID, "deleted from input")) }
                    pilot.changed = true
                    diagnostics.add(.warning, "\(full): deleted from the input folder, and no copy of it is left; its "
                        + "contribution (\(entry.rowsAccepted) rows) is kept in the reports so that no data is lost; "
                        + "put the file back if it was deleted by mistake", pilot: name, code: .deletedKept)
                }
            }
        }

        /// One message for the files skipped as modified less than `--settle-seconds` ago, and the seconds until the
        /// last of them settles.
        mutating func reportSettling(diagnostics: inout Diagnostics) {
            guard let first = settling.first else { return }
            pilot.settling = settling.count
            let youngest = settling.map(\.age).min() ?? 0
            pilot.settleWaitSeconds = max(1, settings.settleSeconds - Int(youngest))
            let which = settling.count == 1 ? "\(first.path): skipped: modified \(first.age) s ago"
                : "\(settling.count) files skipped (e.g. \(first.path), modified \(first.age) s ago)"
            diagnostics.add(.info, which + ": modified less than \(settings.settleSeconds) s ago, they may still be "
                + "written; the next run reads them (--settle-seconds 0 reads them now)", pilot: name,
                            code: .settling)
        }
    }

    // MARK: Reading again

    /// How many times a file that changed during its read is read again in the same run.
    static let rereadLimit = 2
    /// The longest quiet time asked of a file that changed during its read before it is read again.
    static let rereadQuietCap = 10
    /// A file waited for is looked at this often (milliseconds).
    static let rereadPollMilliseconds = 100
    /// The wait for one quiet time ends after this many quiet times: the file kept changing.
    static let rereadWaitFactor = 3

    /// The seconds a file that changed during its read must stay unchanged before it is read again: the run's
    /// `--settle-seconds`, at least 1 and at most `rereadQuietCap`.
    static func rereadQuietSeconds(_ settleSeconds: Int) -> Int { max(1, min(settleSeconds, rereadQuietCap)) }

    /// What a path names, without following a last symbolic link (`lstat`).
    enum Look: Equatable {
        case gone
        case file(FileDigest.Stat)
        /// Not a regular file (a symbolic link, a folder, a FIFO), or it cannot be looked at.
        case other
    }

    static func look(_ path: String) -> Look {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .gone : .other }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .other }
        return .file(FileDigest.Stat(
            size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            identity: "\(info.st_dev):\(info.st_ino):"
                + "\(Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))"))
    }

    enum Quiet: Equatable {
        /// It looked the same (this) for the whole quiet time.
        case stable(Look)
        /// It did not, within `rereadWaitFactor` quiet times.
        case restless
    }

    /// Waits until each path has looked the same (`look`: size, times, inode, or gone) for `quiet` seconds, at most
    /// `rereadWaitFactor` × `quiet` seconds in all.
    static func awaitQuiet(_ paths: [String], quiet: Int) -> [String: Quiet] {
        let clock = ContinuousClock()
        let start = clock.now
        let still = Duration.seconds(quiet)
        let limit = Duration.seconds(quiet * rereadWaitFactor)
        var last: [String: (look: Look, since: ContinuousClock.Instant)] = [:]
        for path in paths { last[path] = (look(path), start) }
        var outcome: [String: Quiet] = [:]
        while outcome.count < last.count {
            usleep(useconds_t(rereadPollMilliseconds * 1000))
            let now = clock.now
            for (path, seen) in last where outcome[path] == nil {
                let looked = look(path)
                var since = seen.since
                if looked != seen.look {
                    since = now
                    last[path] = (looked, now)
                }
                if now - since >= still {
                    outcome[path] = .stable(looked)
                } else if now - start >= limit {
                    outcome[path] = .restless
                }
            }
        }
        return outcome
    }

    /// A file that vanished during its read and stayed gone for the quiet time: handled as a file deleted from the
    /// input folder (`plan`): a counted file's contribution is kept and recorded as deleted; a file that was not
    /// counted leaves the ledger; a new file leaves nothing.
    private static func goneDuringRead(
        _ file: InputFile, previous: LedgerEntry?, quiet: Int, pilot: inout PilotIngest, store: any StateBackend,
        runID: Int64, diagnostics: inout Diagnostics
    ) {
        let name = file.pilot
        let what = "\(file.path): deleted or moved away while it was read, and still gone \(quiet) s later"
        do {
            guard let previous else {
                pilot.skipped += 1
                diagnostics.add(.info, what + "; it was not counted, so the reports do not change", pilot: name,
                                code: .fileVanished)
                return
            }
            if previous.status == .ingested {
                try store.setMissing(pilot: name, path: previous.path, run: runID,
                                     event: (runID, "deleted from input during its read"))
                pilot.deletedKept += 1
                diagnostics.add(.warning, what + ": its contribution (\(previous.rowsAccepted) rows) is kept in the "
                    + "reports so that no data is lost; put the file back if it was deleted by mistake", pilot: name,
                                code: .deletedKept)
            } else {
                try store.remove(pilot: name, path: previous.path, run: runID, event: "deleted",
                                 detail: "deleted from input during its read; it was not counted")
                diagnostics.add(.info, what + "; it was not counted, so the reports do not change", pilot: name,
                                code: .deletedNotCounted)
            }
            pilot.changed = true
        } catch {
            diagnostics.add(.error, "\(store.path): \(StateStore.describe(error))", pilot: name, status: .ioError,
                            code: .stateUnavailable)
        }
    }

    // MARK: Committing

    /// How a file that changed while it was looked at is handled, for its message.
    static func changedAdvice(_ previous: LedgerEntry?) -> String {
        (previous == nil ? "not counted yet" : "its earlier version still counts")
            + "; the next run looks at it again"
    }

    /// Why `result` must not be committed for `plan`: the file did not stay the one planned (same device, inode,
    /// size and times) for the whole read, or its fingerprint is not of that file; nil when it did.
    fileprivate static func readChange(_ plan: Planned, _ result: FileResult, digests: DeferredDigests) -> ReadChange? {
        if let change = result.readChange { return change }
        if let observed = result.observed, observed != plan.stat {
            return .changed("\(plan.file.path): changed between the run's look at it and its read")
        }
        if result.observed != nil, plan.sha256.isEmpty, result.sha256 == nil,
           (try? digests.wait(plan.file.path, expecting: plan.stat)) == nil {
            return .changed("\(plan.file.path): changed while it was fingerprinted")
        }
        return nil
    }

    /// A file with the same bytes as `original` (a path relative to the input folder): in the ledger, not counted.
    private static func commitDuplicate(_ plan: Planned, sha: String, of original: String, conflict: String?,
                                        store: any StateBackend, runID: Int64) throws {
        try store.commit([duplicateCommit(plan, sha: sha, of: original, conflict: conflict, runID: runID)])
    }

    private static func duplicateCommit(_ plan: Planned, sha: String, of original: String, conflict: String?,
                                        runID: Int64) -> StateStore.FileCommit {
        var entry = LedgerEntry(
            pilot: plan.file.pilot, path: plan.file.relativePath, size: plan.stat.size,
            modifiedNanoseconds: plan.stat.modifiedNanoseconds, sha256: sha, readerKey: plan.readerKey,
            sourceIndex: plan.file.source.index, format: plan.file.source.format.rawValue, status: .duplicate,
            duplicateOf: original, runID: runID)
        entry.identity = plan.stat.identity
        entry.conflict = conflict
        return StateStore.FileCommit(entry, contribution: nil, events: [
            (conflict == nil ? "duplicate" : "copy_conflict", "same content as \(original)")])
    }

    /// What `StateStore.commit` writes for a file read (nil: the plan was not to read it).
    private static func fileCommit(_ plan: Planned, result: FileResult, runID: Int64, digests: DeferredDigests,
                                   pending: Bool) throws -> StateStore.FileCommit? {
        guard case .read(let renamedFrom, let replacing) = plan.decision else { return nil }
        let sha = plan.sha256.isEmpty ? try result.sha256 ?? digests.wait(plan.file.path, expecting: plan.stat)
            : plan.sha256
        var entry = LedgerEntry(
            pilot: plan.file.pilot, path: plan.file.relativePath, size: plan.stat.size,
            modifiedNanoseconds: plan.stat.modifiedNanoseconds, sha256: sha, readerKey: plan.readerKey,
            sourceIndex: plan.file.source.index, format: plan.file.source.format.rawValue, status: .ingested,
            rowsAccepted: result.summary.acceptedRows, rowsRejected: result.rejects.rowCount, runID: runID)
        entry.identity = plan.stat.identity
        entry.pvSites = result.pvSites
        entry.gridSitesWithoutReadings = result.gridSitesWithoutReadings
        if pending { entry.conflict = LedgerEntry.pending }
        var events: [(String, String)] = []
        if let renamedFrom, replacing?.status == .duplicate {
            events.append(("promoted", "counted instead of \(renamedFrom), deleted"))
        } else if let renamedFrom {
            events.append(("renamed", "from \(renamedFrom)"))
        }
        if let replacing {
            events.append(("replaced", "contribution of sha256 \(replacing.sha256.prefix(12)) replaced"))
        }
        var contribution: ContributionCodec.Contribution?
        if let problem = result.summary.problem {
            entry.status = .unreadable
            entry.problem = problem
            entry.problemCode = result.summary.problemCode
            events.append(("unreadable", problem))
            // A file whose rows were all rejected keeps its rejects (rejects.csv lists them on every run).
            if !result.rejects.isEmpty {
                contribution = .init(series: [], rejects: result.rejects, summary: result.summary)
            }
        } else {
            contribution = .init(series: result.series, rejects: result.rejects, summary: result.summary)
            events.append(("ingested", "\(result.summary.acceptedRows) rows accepted, \(result.rejects.rowCount) rejected"))
        }
        return StateStore.FileCommit(entry, contribution: contribution, alsoRemoving: renamedFrom, events: events)
    }

    // MARK: Copies across sources

    /// The same source takes both (so the same site and format): copies of each other are plain duplicates.
    static func sameSource(_ entry: LedgerEntry, _ file: InputFile) -> Bool {
        entry.sourceIndex == file.source.index && entry.format == file.source.format.rawValue
    }

    static func sameSource(_ a: LedgerEntry, _ b: LedgerEntry) -> Bool {
        a.sourceIndex == b.sourceIndex && a.format == b.format
    }

    /// Quantities whose series' meter field is a meter's id (an EAN, an inverter serial, a water meter), which
    /// belongs to one site; not waste codes, survey modes, counting points or weather stations.
    static func isMetered(_ quantity: Quantity) -> Bool {
        switch quantity {
        case .electricityOfftake, .electricityInjection, .pvProduction, .electricityConsumption, .electricityPeak, .gas,
             .water:
            return true
        default:
            return false
        }
    }

    /// What copies share besides their bytes, for the error: the meter ids of a file's series.
    static func shared(_ keys: [SeriesKey]) -> String {
        let meters = Array(Set(keys.filter { isMetered($0.quantity) }.map(\.meter)).subtracting([""])).sorted()
        guard !meters.isEmpty else { return "no meter ids" }
        let shown = meters.prefix(5).joined(separator: ", ")
        return "meter id(s) \(shown)" + (meters.count > 5 ? " and \(meters.count - 5) more" : "")
    }

    /// The meter ids of `entry`'s stored contribution appear in another counted file of `site` (nil: the rows name
    /// the site, so no folder decides it).
    private static func metersBelong(_ entry: LedgerEntry, to site: String?, ledger: [LedgerEntry],
                                     store: any StateBackend) -> Bool {
        guard let site else { return true }
        func meters(_ entry: LedgerEntry, site: String?) -> Set<String> {
            guard entry.status == .ingested, let stored = try? store.contribution(fileID: entry.id) else { return [] }
            return Set(stored.series.filter { isMetered($0.key.quantity) && !$0.key.meter.isEmpty
                && (site == nil || $0.key.site == site) }.map(\.key.meter))
        }
        let own = meters(entry, site: nil)
        guard !own.isEmpty else { return false }
        return ledger.contains { other in
            other.sha256 != entry.sha256 && !meters(other, site: site).isDisjoint(with: own)
        }
    }

    /// `shared` of a counted file, from its stored contribution.
    private static func shared(_ entry: LedgerEntry, store: any StateBackend) -> String {
        shared((try? store.contribution(fileID: entry.id))?.series.map(\.key) ?? [])
    }

    /// Settles each group of copies (files with the same SHA-256) of a pilot that more than one source takes,
    /// once they are read:
    /// - a file the state counted before this run keeps counting;
    /// - otherwise (a fresh state, or none counted yet) the copy whose meter ids appear in other files of its
    ///   site counts, when exactly one does (the first by path of each source is a candidate);
    /// - otherwise none counts.
    /// Copies under the source of the one that counts are plain duplicates; copies under another source (and all
    /// of them when none counts) are not counted and reported as errors on every run while they stand
    /// (`fingerprint`). Each group changes in one transaction. Returns the paths read in this run that do not count.
    static func settle(_ pilot: inout PilotIngest, store: any StateBackend, runID: Int64, readNow: [String: FileResult],
                       input: String, diagnostics: inout Diagnostics) -> Set<String> {
        let name = pilot.definition.pilot
        guard let ledger = ledger(of: pilot, store: store, diagnostics: &diagnostics) else { return [] }
        // Something to settle: two present files with the same bytes, or one marked pending. Told from the
        // SHA-256s alone before the rows are grouped.
        var seen = Set<String>(minimumCapacity: ledger.count)
        let anyGroup = ledger.contains { entry in
            entry.missingSinceRun == nil && !entry.sha256.isEmpty
                && (entry.conflict == LedgerEntry.pending || !seen.insert(entry.sha256).inserted)
        }
        guard anyGroup else {
            pilot.ledgerAfterSettle = ledger  // nothing to settle: the ledger stays as read
            return []
        }
        let groups = Dictionary(grouping: ledger.filter { $0.missingSinceRun == nil && !$0.sha256.isEmpty },
                                by: \.sha256)
        var keysByPath: [String: [SeriesKey]] = [:]
        func keys(_ entry: LedgerEntry) -> [SeriesKey] {
            if let known = keysByPath[entry.path] { return known }
            var found: [SeriesKey] = []
            if let result = readNow[entry.path] {
                found = result.series.map(\.key)
            } else if entry.status == .ingested, let stored = try? store.contribution(fileID: entry.id) {
                found = stored.series.map(\.key)
            }
            keysByPath[entry.path] = found
            return found
        }
        /// The file's meter ids appear in another counted file of the same site.
        func matchesItsSite(_ entry: LedgerEntry, group: Set<String>) -> Bool {
            let own = keys(entry)
            let pairs = Set(own.filter { !$0.meter.isEmpty && isMetered($0.quantity) }
                .map { "\($0.site)\u{0}\($0.meter)" })
            guard !pairs.isEmpty else { return false }
            return ledger.contains { other in
                other.status == .ingested && !group.contains(other.path) && other.sha256 != entry.sha256
                    && keys(other).contains { pairs.contains("\($0.site)\u{0}\($0.meter)") }
            }
        }
        var demoted = Set<String>()
        for sha in groups.keys.sorted() {
            let members = groups[sha]!.sorted { $0.path < $1.path }
            if members.count < 2 {
                // No copy (any more): a pending mark is cleared.
                let pending = members.filter { $0.conflict == LedgerEntry.pending }
                if !pending.isEmpty {
                    do {
                        try store.settle(pilot: name, run: runID, demote: [],
                                         update: pending.map { ($0.path, $0.duplicateOf, nil) }, events: [])
                    } catch {
                        diagnostics.add(.error, "\(store.path): \(StateStore.describe(error))", pilot: name,
                                        status: .ioError, code: .stateUnavailable)
                    }
                }
                continue
            }
            let counted = members.filter { $0.status != .duplicate }
            if counted.isEmpty { continue }  // a conflict nothing decides, as it was
            let memberPaths = Set(members.map(\.path))
            var winner: LedgerEntry?
            if counted.count == 1 {
                winner = counted[0]
            } else {
                let before = counted.filter { $0.conflict != LedgerEntry.pending }
                if before.count == 1 {
                    winner = before[0]
                } else {
                    var candidates: [LedgerEntry] = []
                    for entry in before.isEmpty ? counted : before where !candidates.contains(where: {
                        sameSource($0, entry) }) { candidates.append(entry) }
                    if candidates.count == 1 {
                        winner = candidates[0]
                    } else {
                        let matching = candidates.filter { matchesItsSite($0, group: memberPaths) }
                        if matching.count == 1 { winner = matching[0] }
                    }
                }
            }
            // One file per source stands for its source's copies: the counted one, else the first by path.
            var representatives: [LedgerEntry] = []
            for entry in counted + members where !representatives.contains(where: { sameSource($0, entry) }) {
                representatives.append(entry)
            }
            representatives.sort { $0.path < $1.path }
            var known: String?
            func what() -> String {
                if let known { return known }
                known = shared(keys(winner ?? counted[0]))
                return known!
            }
            /// What a copy under another source shares with the group: as recorded, or worked out now.
            func conflictText(_ member: LedgerEntry) -> String {
                if let recorded = member.conflict, recorded != LedgerEntry.pending { return recorded }
                return what()
            }
            var demote: [LedgerEntry] = []
            var update: [(path: String, duplicateOf: String?, conflict: String?)] = []
            var events: [(path: String, event: String, detail: String)] = []
            for member in members {
                var target: String?
                var conflict: String?
                if let winner {
                    if member.path == winner.path {
                        if member.conflict != nil { update.append((member.path, nil, nil)) }
                        continue
                    }
                    target = winner.path
                    conflict = sameSource(member, winner) ? nil : conflictText(member)
                } else if let position = representatives.firstIndex(where: { $0.path == member.path }) {
                    target = representatives[(position + 1) % representatives.count].path
                    conflict = conflictText(member)
                } else {
                    target = representatives.first { sameSource($0, member) }?.path
                }
                if member.status != .duplicate {
                    var entry = member
                    entry.duplicateOf = target
                    entry.conflict = conflict
                    demote.append(entry)
                    events.append((member.path, conflict == nil ? "duplicate" : "copy_conflict",
                                   "same content as \(target ?? "?")" + (conflict == nil ? "" : "; not counted")))
                    if readNow[member.path] != nil { demoted.insert(member.path) }
                    pilot.duplicates += 1
                    if conflict == nil {
                        diagnostics.add(.warning, "\((input as NSString).appendingPathComponent(member.path)): same "
                            + "content as \(target ?? "?"): not counted twice", pilot: name, code: .sameContent)
                    }
                } else if member.duplicateOf != target || member.conflict != conflict {
                    update.append((member.path, target, conflict))
                }
            }
            guard !demote.isEmpty || !update.isEmpty else { continue }
            do {
                try store.settle(pilot: name, run: runID, demote: demote, update: update, events: events)
                FaultInjection.reach("settled")
                pilot.changed = true
            } catch {
                diagnostics.add(.error, "\(store.path): \(StateStore.describe(error)); the copies are settled again "
                    + "by the next run", pilot: name, status: .ioError, code: .stateUnavailable)
            }
        }
        return demoted
    }

    // MARK: Assembling

    /// The pilot's intact ledger rows, or nil with an error (exit 74: the state cannot be read). Damaged rows
    /// (their checksum does not match) are left out: `run` dropped them before (`repairedLedger`); for `report`
    /// (`reportDamage`) each is an error naming the file, whose data the report lacks.
    private static func ledger(of pilot: PilotIngest, store: any StateBackend, diagnostics: inout Diagnostics,
                               reportDamage: Bool = false) -> [LedgerEntry]? {
        let name = pilot.definition.pilot
        do {
            let read = try store.checkedLedger(pilot: name, pilots: pilot.allPilots.union([name]))
            if reportDamage {
                for row in read.damaged {
                    diagnostics.add(.error, "\(row): its ledger row in \(store.path) is damaged (its checksum does not "
                        + "match): this report lacks the file's data; `parkimpact run` drops the row and reads the file "
                        + "again from the input folder", pilot: name, status: .dataError, code: .ledgerRowDamaged)
                }
            }
            return read.entries
        } catch {
            diagnostics.add(.error, "\(store.path): cannot read the ledger (\(StateStore.describe(error)))", pilot: name,
                            status: .ioError, code: .stateUnavailable)
            return nil
        }
    }

    /// The pilot's ledger for `run`: damaged rows (their checksum does not match) are dropped with their
    /// contributions, so that their files are unknown and read again from the input folder in this run. A warning
    /// names each file; an error when the file is not in the input folder (its data are gone from the reports).
    private static func repairedLedger(_ pilot: inout PilotIngest, store: any StateBackend, runID: Int64, input: String,
                                       diagnostics: inout Diagnostics) -> [LedgerEntry]? {
        let name = pilot.definition.pilot
        let read: LedgerSeal.Read
        do {
            read = try store.checkedLedger(pilot: name, pilots: pilot.allPilots.union([name]))
        } catch {
            diagnostics.add(.error, "\(store.path): cannot read the ledger (\(StateStore.describe(error)))", pilot: name,
                            status: .ioError, code: .stateUnavailable)
            return nil
        }
        guard !read.damaged.isEmpty else { return read.entries }
        do {
            try store.dropDamaged(read.damaged, pilot: name, run: runID)
        } catch {
            diagnostics.add(.error, "\(store.path): ledger rows of " + read.damaged.map(\.description).joined(separator: ", ")
                + " are damaged (their checksums do not match) and cannot be dropped (\(StateStore.describe(error))): "
                + "move the state aside, the next run rebuilds it from the input folder", pilot: name,
                status: .ioError, code: .stateUnavailable)
            return nil
        }
        pilot.changed = true
        for row in read.damaged {
            let present = row.path.map {
                FileManager.default.fileExists(atPath: (input as NSString).appendingPathComponent($0))
            } ?? false
            if present {
                diagnostics.add(.warning, "\(row): its ledger row in \(store.path) was damaged (its checksum does not "
                    + "match): the row and its stored contribution were dropped and the file is read again from the "
                    + "input folder", pilot: name, code: .ledgerRepaired)
            } else {
                diagnostics.add(.error, "\(row): its ledger row in \(store.path) was damaged (its checksum does not "
                    + "match) and was dropped with its stored contribution; no such file is in the input folder, so "
                    + "its data are no longer in the reports: if the file was deleted since it was read, put it back "
                    + "and the next run reads it", pilot: name, status: .dataError, code: .ledgerRowDamaged)
            }
        }
        return read.entries
    }

    /// Lists the unreadable files (their problem is reported on every run until the file is fixed) and computes
    /// the pilot's generation from the ledger.
    private static func fingerprint(
        _ pilot: inout PilotIngest, store: any StateBackend, readNow: [String: FileResult], input: String, reporting: Bool,
        diagnostics: inout Diagnostics
    ) {
        let name = pilot.definition.pilot
        let settled = pilot.ledgerAfterSettle
        pilot.ledgerAfterSettle = nil
        guard let ledger = settled ?? ledger(of: pilot, store: store, diagnostics: &diagnostics,
                                             reportDamage: reporting) else { return }
        pilot.ledgerAfterIngest = ledger
        pilot.ledgerEmpty = ledger.isEmpty
        if reporting, ledger.isEmpty {
            pilot.nothingToReport = true
            diagnostics.add(.error, "\(name): nothing to report yet: no run has read an input of this pilot into "
                + "\(store.path); run `parkimpact run` first", pilot: name, status: .usage, code: .nothingToReport)
        }
        // The lines hashed, joined with newlines: the build, the definition file and its SHA-256, then per ledger
        // row its path, SHA-256, status, reader key, problem and conflict, joined with tabs.
        var fingerprint: [UInt8] = []
        fingerprint.reserveCapacity(256 + ledger.count * 192)
        fingerprint += FileDigest.executable.utf8
        fingerprint.append(0x0A)
        fingerprint += pilot.definition.file.utf8
        fingerprint.append(0x0A)
        fingerprint += ((try? FileDigest.sha256(path: pilot.definition.file)) ?? "unreadable definition").utf8
        lazy var byPath: [String: LedgerEntry] = {
            var byPath: [String: LedgerEntry] = [:]
            for entry in ledger { byPath[entry.path] = entry }
            return byPath
        }()
        var reported = Set<String>()
        for entry in ledger {
            for (index, field) in [entry.path, entry.sha256, entry.status.rawValue, entry.readerKey,
                                   entry.problem ?? "", entry.conflict ?? ""].enumerated() {
                fingerprint.append(index == 0 ? 0x0A : 0x09)
                fingerprint += field.utf8
            }
            if entry.status == .unreadable, let problem = entry.problem {
                if readNow[entry.path] == nil { pilot.unreadable += 1 }
                diagnostics.add(.error, problem, pilot: name, status: .dataError,
                                code: DiagnosticCode(problemCode: entry.problemCode))
            }
            if entry.status == .duplicate, let shared = entry.conflict, shared != LedgerEntry.pending,
               reported.insert(entry.sha256).inserted || byPath[entry.duplicateOf ?? ""]?.status != .duplicate {
                diagnostics.add(.error, copyConflictMessage(entry, shared: shared, ledger: ledger, byPath: byPath,
                                                            definition: pilot.definition, input: input),
                                pilot: name, status: .dataError, code: .copyAcrossSites)
            }
        }
        pilot.generation = FileDigest.sha256(fingerprint)
    }

    /// `sources[1] (site b, fluvius)`: a source as messages name it.
    static func describe(source index: Int, format: String, of definition: PipelineDefinition) -> String {
        let site = definition.sources.first { $0.index == index }?.site
        return "sources[\(index)] (" + (site.map { "site \($0), " } ?? "") + "\(format))"
    }

    static func describe(_ source: PipelineDefinition.Source, of definition: PipelineDefinition) -> String {
        describe(source: source.index, format: source.format.rawValue, of: definition)
    }

    /// The error for a copy another source takes: which files, what they share, which counts and how to fix it.
    private static func copyConflictMessage(
        _ entry: LedgerEntry, shared: String, ledger: [LedgerEntry], byPath: [String: LedgerEntry],
        definition: PipelineDefinition, input: String
    ) -> String {
        func full(_ path: String) -> String { (input as NSString).appendingPathComponent(path) }
        func source(_ entry: LedgerEntry) -> String {
            describe(source: entry.sourceIndex, format: entry.format, of: definition)
        }
        let fix = "delete the stray copy, or fix the sources' globs in \(definition.file) so that only the right "
            + "source takes it"
        if let counted = byPath[entry.duplicateOf ?? ""], counted.status != .duplicate {
            return "\(full(entry.path)) is a copy of \(full(counted.path)) (same bytes, SHA-256; \(shared)), taken by "
                + "\(source(entry)) while \(counted.path) is taken by \(source(counted)): only \(counted.path) is "
                + "counted, this copy is not; \(fix)"
        }
        let copies = ledger.filter { $0.sha256 == entry.sha256 && $0.conflict != nil && $0.status == .duplicate }
        return copies.map { full($0.path) }.joined(separator: " and ") + " are copies of each other (same bytes, "
            + "SHA-256; \(shared)), taken by " + copies.map(source).joined(separator: " and ") + ": neither is "
            + "counted, as no other file of either site has these meter ids to tell which site the data belong to; "
            + fix
    }

    /// Gathers every contribution of the pilot's ledger for the merge: the files read in this run from memory, the
    /// others decoded from the state.
    ///
    /// A stored contribution that cannot be used (its checksum does not match, it does not decode) is read again
    /// from `input` when the file there still has the bytes the ledger recorded, and stored anew: the run goes on
    /// with the right numbers.
    public static func load(
        _ pilot: inout PilotIngest, store: any StateBackend, runID: Int64, readNow: [String: FileResult], input: String,
        diagnostics: inout Diagnostics
    ) {
        let name = pilot.definition.pilot
        let ingested = pilot.ledgerAfterIngest
        pilot.ledgerAfterIngest = nil
        guard let ledger = ingested ?? ledger(of: pilot, store: store, diagnostics: &diagnostics) else { return }
        var files: [(path: String, summary: FileSummary)] = ledger.filter { $0.status == .unreadable }.map {
            ($0.path, FileSummary(path: $0.path, format: $0.format, dialect: "", acceptedRows: 0, rejectedRows: 0,
                                  ignoredRows: [:], problem: $0.problem, problemCode: $0.problemCode))
        }
        // The rejects of files whose rows were all rejected (unreadable, with a contribution of rejects only).
        for entry in ledger where entry.status == .unreadable && entry.rowsRejected > 0 {
            if let result = readNow[entry.path] {
                pilot.rejects.append(contentsOf: result.rejects)
            } else if let contribution = try? store.contribution(fileID: entry.id) {
                pilot.rejects.append(contentsOf: contribution.rejects)
            }
        }
        for entry in ledger where entry.status == .ingested {
            let contribution: ContributionCodec.Contribution
            if let result = readNow[entry.path], result.summary.problem == nil {
                contribution = .init(series: result.series, rejects: result.rejects, summary: result.summary)
            } else {
                do {
                    contribution = try store.contribution(fileID: entry.id)
                } catch {
                    if let repaired = reread(entry, definition: pilot.definition, input: input, store: store,
                                             runID: runID, damage: "\(error)") {
                        diagnostics.add(.warning, "\(entry.path): its stored contribution could not be used (\(error)); "
                            + "the file, unchanged in the input folder, was read again and stored anew",
                            pilot: name, code: .contributionRepaired)
                        contribution = repaired
                        pilot.inputs.append(Aggregate.MergeInput(file: entry.path, modified: entry.modifiedNanoseconds,
                                                                 series: contribution.series))
                        pilot.rejects.append(contentsOf: contribution.rejects)
                        files.append((entry.path, contribution.summary))
                        continue
                    }
                    // Never published as if the file had no data: an error, and the next run reads the file again.
                    let gone = entry.missingSinceRun != nil
                    let forgotten = (try? store.forgetReader(pilot: name, path: entry.path, run: runID,
                                                              detail: "\(error)")) != nil
                    diagnostics.add(.error, "\(entry.path): its stored contribution cannot be used (\(error)): this "
                        + "run's reports lack it; " + (gone
                            ? "the file is no longer in the input folder: put it back and the next run reads it again"
                            : forgotten ? "the next run reads the file again from the input folder"
                            : "the state cannot be written either: check the disk and the state's permissions"),
                        pilot: name, status: .dataError, code: .contributionUnusable)
                    continue
                }
            }
            pilot.inputs.append(Aggregate.MergeInput(file: entry.path, modified: entry.modifiedNanoseconds,
                                                     series: contribution.series))
            pilot.rejects.append(contentsOf: contribution.rejects)
            files.append((entry.path, contribution.summary))
        }
        pilot.files = files.sorted { $0.path < $1.path }.map(\.summary)
        for warning in metersInTwoSites(pilot.inputs) {
            diagnostics.add(.warning, warning, pilot: name, code: .meterInTwoSites)
        }
    }

    /// The contribution of `entry` read again from the input folder, stored in place of the unusable one; nil when
    /// the file is gone, its source changed, it cannot be read or its bytes are not the ones the ledger recorded.
    static func reread(_ entry: LedgerEntry, definition: PipelineDefinition, input: String, store: any StateBackend,
                       runID: Int64, damage: String) -> ContributionCodec.Contribution? {
        guard entry.missingSinceRun == nil,
              let source = definition.sources.first(where: { $0.index == entry.sourceIndex }),
              source.format.rawValue == entry.format else { return nil }
        let file = InputFile(path: (input as NSString).appendingPathComponent(entry.path), relativePath: entry.path,
                             pilot: definition.pilot, source: source)
        let result = ReadFile.read(file, definition: definition, fingerprint: true)
        guard result.summary.problem == nil, result.sha256 == entry.sha256 else { return nil }
        let contribution = ContributionCodec.Contribution(series: result.series, rejects: result.rejects,
                                                          summary: result.summary)
        var repaired = entry
        repaired.runID = runID
        do {
            try store.commit(repaired, contribution: contribution,
                             events: [(event: "repaired", detail: "stored contribution unusable (\(damage)); read again")])
        } catch {
            return nil
        }
        return contribution
    }

    /// The quick check of a file against its ledger row: same size, modification time and identity (device, inode,
    /// ctime). A row without an identity (stored before it was kept) does not pass: the file is fingerprinted once
    /// more and its identity recorded.
    static func looksUnchanged(_ previous: LedgerEntry, _ stat: FileDigest.Stat) -> Bool {
        previous.size == stat.size && previous.modifiedNanoseconds == stat.modifiedNanoseconds
            && previous.identity == stat.identity
    }

    /// `3 h 12 min`, `45 s`: how far a file's time is ahead.
    static func duration(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 86_400 * 2 { return "\(seconds / 3600) h \(seconds % 3600 / 60) min" }
        return "\(seconds / 86_400) days"
    }

    /// A meter id that counted files give to more than one site: one warning per meter, naming the sites and a file
    /// of each.
    static func metersInTwoSites(_ inputs: [Aggregate.MergeInput]) -> [String] {
        var sites: [String: [(site: String, file: String)]] = [:]
        for input in inputs {
            for series in input.series where !series.key.meter.isEmpty && isMetered(series.key.quantity) {
                let meter = series.key.meter
                if sites[meter]?.contains(where: { $0.site == series.key.site }) == true { continue }
                sites[meter, default: []].append((series.key.site, input.file))
            }
        }
        return sites.keys.sorted().compactMap { meter in
            guard let seen = sites[meter], seen.count > 1 else { return nil }
            return "meter id \(meter) is counted under " + seen.map { "site \($0.site) (\($0.file))" }
                .joined(separator: " and ") + ": one meter belongs to one site; check the sources' site and globs "
                + "for a file saved in the wrong folder"
        }
    }
}

/// New files of equal size read in this run (`Ingest.plan`: no file of the ledger has their size) may hold the same
/// bytes, which is known only once they are read (their SHA-256 is computed while reading). A file without such a
/// twin is handed back as soon as it is read; those of a group are held until the whole group is read, then handed
/// back together, in path order: the first of each content as read, the others as its duplicates (counted once, as
/// when the fingerprints are known before reading). A group member read again (PV matching) is handed back again
/// unless it was a duplicate.
final class SameSizeGroups: Sendable {
    struct Settled {
        let path: String
        let result: FileResult
        let sha256: String?
        /// The relative path of the file with the same bytes that is counted instead; nil: this one is counted.
        let duplicateOf: String?
        /// Another source took a file with the same bytes: counted for now, settled once read (`Ingest.settle`).
        var crossSource = false
    }

    private struct State {
        var arrived: [String: FileResult] = [:]
        /// By group number: how many of its members have not arrived yet (a group is settled when none is left, so
        /// each arrival costs the same however large its group).
        var missing: [Int]
        /// Path → the relative path of its original, for the duplicates of groups already settled.
        var duplicates: [String: String] = [:]
        var settled: Set<String> = []
        /// Groups of one source, settled member by member: the members arrived but not settled yet, with their
        /// SHA-256 (nil: cannot be fingerprinted); by group number, the first member not settled yet, and the
        /// original of each content settled so far.
        var waiting: [String: (result: FileResult, sha256: String?)] = [:]
        var next: [Int]
        var originals: [[String: String]]
    }

    /// The paths of each group of two or more, in path order, by group number; and path → its group's number.
    private let groups: [[String]]
    private let groupOf: [String: Int]
    /// By group number: all its members are taken by one source. Such a group is settled member by member in group
    /// order, each as soon as it and every member before it have arrived (a copy can only be of a member before it,
    /// and no copy is taken by another source), so its commits follow the reading instead of waiting for the last
    /// member. A group of several sources is settled once all its members have arrived (`crossSource` needs them all).
    private let oneSource: [Bool]
    private let state: Mutex<State>

    /// The SHA-256 of a file that was not fingerprinted while read (read in chunks, or refused before reading).
    private let fingerprint: @Sendable (String) -> String?

    /// Source index by path: copies under different sources are not duplicates of each other (`Ingest.settle`).
    private let sources: [String: Int]

    /// `files`: path, pilot and size of each file fingerprinted while read, in the order duplicates are decided.
    init(_ files: [(path: String, pilot: String, size: Int64)], sources: [String: Int] = [:],
         fingerprint: @escaping @Sendable (String) -> String? = { try? FileDigest.sha256(path: $0, countingProgress: false) }) {
        self.sources = sources
        var members: [String: [String]] = [:]
        for file in files { members["\(file.pilot)\u{0}\(file.size)", default: []].append(file.path) }
        var groups: [[String]] = []
        var groupOf: [String: Int] = [:]
        for group in members.values where group.count > 1 {
            for path in group { groupOf[path] = groups.count }
            groups.append(group)
        }
        self.groups = groups
        self.groupOf = groupOf
        oneSource = groups.map { group in Set(group.map { sources[$0] ?? 0 }).count == 1 }
        state = Mutex(State(missing: groups.map { Set($0).count }, next: groups.map { _ in 0 },
                            originals: groups.map { _ in [:] }))
        self.fingerprint = fingerprint
    }

    /// The files to commit now that `path` is read.
    func arrived(_ path: String, _ result: FileResult) -> [Settled] {
        guard let number = groupOf[path] else {
            return [Settled(path: path, result: result, sha256: result.sha256, duplicateOf: nil)]
        }
        if oneSource[number] { return arrivedInOrder(path, result, group: number) }
        let group = groups[number]
        // The last of its group to arrive takes the group's results (once: the members are marked settled).
        let complete: [FileResult]? = state.withLock { state in
            if state.settled.contains(path) { return nil }
            if state.arrived.updateValue(result, forKey: path) == nil { state.missing[number] -= 1 }
            guard state.missing[number] == 0 else { return [] }
            state.settled.formUnion(group)
            let results = group.map { state.arrived[$0]! }
            for member in group { state.arrived[member] = nil }
            return results
        }
        guard let complete else {
            // Read again (PV matching) after its group was settled: handed back unless it is a duplicate.
            let duplicate = state.withLock { $0.duplicates[path] != nil }
            return duplicate ? [] : [Settled(path: path, result: result, sha256: result.sha256, duplicateOf: nil)]
        }
        guard !complete.isEmpty else { return [] }
        // Decided outside the lock: a file without a fingerprint from its read is hashed here.
        var originals: [String: String] = [:]
        var settled: [Settled] = []
        for (member, read) in zip(group, complete) {
            // A file that cannot be fingerprinted at all is never taken for a copy.
            guard let sha = read.sha256 ?? fingerprint(member) else {
                settled.append(Settled(path: member, result: read, sha256: nil, duplicateOf: nil))
                continue
            }
            let key = "\(sha) \(sources[member] ?? 0)"
            if let original = originals[key] {
                settled.append(Settled(path: member, result: read, sha256: sha, duplicateOf: original))
            } else {
                originals[key] = read.file.relativePath
                settled.append(Settled(path: member, result: read, sha256: sha, duplicateOf: nil))
            }
        }
        var sourcesBySHA: [String: Set<Int>] = [:]
        for item in settled { if let sha = item.sha256 { sourcesBySHA[sha, default: []].insert(sources[item.path] ?? 0) } }
        for index in settled.indices {
            if let sha = settled[index].sha256, sourcesBySHA[sha]!.count > 1 { settled[index].crossSource = true }
        }
        state.withLock { state in
            for item in settled { if let original = item.duplicateOf { state.duplicates[item.path] = original } }
        }
        return settled
    }

    /// `arrived` for a group of one source: settles the members from the first not settled yet up to the first that
    /// has not arrived, deciding each copy against the contents settled before it (as the whole group at once would).
    private func arrivedInOrder(_ path: String, _ result: FileResult, group number: Int) -> [Settled] {
        // Fingerprinted before the lock (a file without a fingerprint from its read is hashed here), unless it was
        // settled already (read again for PV matching).
        let sha = state.withLock { $0.settled.contains(path) } ? result.sha256 : result.sha256 ?? fingerprint(path)
        let group = groups[number]
        let settled: [Settled]? = state.withLock { state in
            if state.settled.contains(path) { return nil }
            state.waiting[path] = (result, sha)
            var settled: [Settled] = []
            var index = state.next[number]
            while index < group.count {
                let member = group[index]
                if let (read, sha) = state.waiting.removeValue(forKey: member) {
                    state.settled.insert(member)
                    // A file that cannot be fingerprinted at all is never taken for a copy.
                    if let sha, let original = state.originals[number][sha] {
                        settled.append(Settled(path: member, result: read, sha256: sha, duplicateOf: original))
                        state.duplicates[member] = original
                    } else {
                        if let sha { state.originals[number][sha] = read.file.relativePath }
                        settled.append(Settled(path: member, result: read, sha256: sha, duplicateOf: nil))
                    }
                } else if !state.settled.contains(member) {
                    break  // not arrived yet (a path listed twice was settled at its first place)
                }
                index += 1
            }
            state.next[number] = index
            return settled
        }
        guard let settled else {
            // Read again (PV matching) after it was settled: handed back unless it is a duplicate.
            let duplicate = state.withLock { $0.duplicates[path] != nil }
            return duplicate ? [] : [Settled(path: path, result: result, sha256: result.sha256, duplicateOf: nil)]
        }
        return settled
    }

    /// Path → the relative path of the file counted instead, for every duplicate found so far.
    var duplicates: [String: String] { state.withLock { $0.duplicates } }
}

/// SHA-256s computed on a thread of their own while the files are read: those of new files read in chunks, which are
/// not fingerprinted by their read (`ReadContext.fingerprint` needs the bytes in order); a commit waits for its file's
/// digest. With `concurrent` false (`--threads 1`: one core's worth of work) there is no such thread: each digest is
/// computed when its commit asks for it (and for any other path asked for).
final class DeferredDigests: Sendable {
    private let done: [String: DispatchSemaphore]
    private final class Digests: Sendable {
        let values = Mutex<[String: Result<(sha256: String, stat: FileDigest.Stat), any Error>]>([:])
    }
    private let digests = Digests()

    init(_ paths: [String], concurrent: Bool = true) {
        var done: [String: DispatchSemaphore] = [:]
        if concurrent { for path in paths { done[path] = DispatchSemaphore(value: 0) } }
        self.done = done
        guard concurrent, !paths.isEmpty else { return }
        let order = paths.sorted { (FileDigest.stat($0)?.size ?? 0, $1) > (FileDigest.stat($1)?.size ?? 0, $0) }
        let digests = digests
        let signals = done
        DispatchQueue.global(qos: .userInitiated).async {
            for path in order {
                let digest = Result { try FileDigest.fingerprint(path: path, countingProgress: false) }
                digests.values.withLock { $0[path] = digest }
                signals[path]!.signal()
            }
        }
    }

    /// The file's SHA-256, once computed (at once when it is).
    func wait(_ path: String) throws -> String {
        try fingerprint(path).sha256
    }

    /// The file's SHA-256, when it was computed over the file with stat `expecting` (else `ChangedWhileHashed`).
    func wait(_ path: String, expecting: FileDigest.Stat) throws -> String {
        let print = try fingerprint(path)
        guard print.stat == expecting else { throw FileDigest.ChangedWhileHashed(path: path) }
        return print.sha256
    }

    private func fingerprint(_ path: String) throws -> (sha256: String, stat: FileDigest.Stat) {
        guard let semaphore = done[path] else { return try FileDigest.fingerprint(path: path, countingProgress: false) }
        semaphore.wait()
        semaphore.signal()  // for another wait on the same file
        return try digests.values.withLock { $0[path]! }.get()
    }
}
