import Foundation
import Synchronization

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
        public var removed = 0
        public var rowsAccepted = 0
        public var rowsRejected = 0

        /// Something changed in the state this run (a file read, replaced, removed, marked deleted or returned).
        public var changed = false
        /// PV sites of the files in the ledger (`PVDiscovery`).
        var pvSites: Set<String> = []
        /// Unchanged files read without some site's grid readings: read again if that site turns out to have PV.
        fileprivate var dormant: [Planned] = []
    }

    fileprivate enum Decision {
        case read(renamedFrom: String?, replacing: LedgerEntry?)
        case duplicate(of: String)
    }

    fileprivate struct Planned {
        let file: InputFile
        let stat: FileDigest.Stat
        let sha256: String
        let readerKey: String
        let decision: Decision
    }

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
        definitions: [PipelineDefinition], folders: RunFolders, store: StateStore, runID: Int64, threads: Int?,
        settings: Settings, diagnostics: inout Diagnostics
    ) -> Outcome {
        var pilots: [PilotIngest] = []
        var planned: [Planned] = []
        var definitionsByPilot: [String: PipelineDefinition] = [:]
        var phases = Phases()
        RunProgress.shared.begin(.fingerprinting, totalFiles: 0)
        phases.time("scan") {
            for definition in definitions {
                definitionsByPilot[definition.pilot] = definition
                var pilot = PilotIngest(definition: definition)
                if settings.ingest {
                    plan(definition, folders: folders, store: store, runID: runID, settings: settings, threads: threads,
                         pilot: &pilot, planned: &planned, diagnostics: &diagnostics)
                }
                pilots.append(pilot)
            }
        }

        // Read what is new, committing each file as soon as it is read (files of the same size: once they all are).
        let failures = Mutex<[String]>([])
        var reads = planned.filter { if case .read = $0.decision { return true } else { return false } }
        var readNow: [String: FileResult] = [:]
        // Files read in chunks are not fingerprinted while read: their SHA-256s are computed beside the reading.
        let digests = DeferredDigests(reads.filter { $0.sha256.isEmpty && Aggregate.mayReadInChunks($0.file, threads: threads) }
                                        .map(\.file.path), concurrent: threads != 1)
        let sameSize = SameSizeGroups(reads.filter(\.sha256.isEmpty).map { ($0.file.path, $0.file.pilot, $0.stat.size) }) {
            try? digests.wait($0)
        }
        func read(_ files: [Planned], definitions: [String: PipelineDefinition], known: [String: Set<String>])
            -> [String: Set<String>] {
            var byPath: [String: Planned] = [:]
            for plan in files { byPath[plan.file.path] = plan }
            let plans = byPath
            let done = PVDiscovery.readAll(files.map(\.file), definitions: definitions, known: known, threads: threads,
                                           fingerprinting: Set(files.filter(\.sha256.isEmpty).map(\.file.path))) {
                index, result in
                for settled in sameSize.arrived(files[index].file.path, result) {
                    let plan = plans[settled.path]!
                    do {
                        if let original = settled.duplicateOf {
                            try commitDuplicate(plan, sha: settled.sha256 ?? "", of: original, store: store, runID: runID)
                        } else {
                            try commit(plan, result: settled.result, store: store, runID: runID, digests: digests)
                        }
                    } catch {
                        failures.withLock { $0.append("\(plan.file.path): not recorded in the state "
                            + "(\(StateStore.describe(error))); it is read again by the next run") }
                    }
                }
            }
            for (plan, result) in zip(files, done.results) { readNow[plan.file.relativePath] = result }
            return done.pvSites
        }
        var known: [String: Set<String>] = [:]
        for pilot in pilots where !pilot.pvSites.isEmpty { known[pilot.definition.pilot] = pilot.pvSites }
        let clock = ContinuousClock()
        let readStart = clock.now
        RunProgress.shared.begin(.reading, totalBytes: reads.reduce(0) { $0 + Int($1.stat.size) }, totalFiles: reads.count)
        defer { RunProgress.shared.end() }
        if !reads.isEmpty {
            let pv = read(reads, definitions: definitionsByPilot, known: known)
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
                        + ", which the new files show PV production for", pilot: name)
                }
            }
            if !again.isEmpty {
                RunProgress.shared.extend(bytes: again.reduce(0) { $0 + Int($1.stat.size) }, files: again.count)
                _ = read(again, definitions: definitionsByPilot, known: pv)
                reads += again
            }
        }
        for failure in failures.withLock({ $0 }) {
            diagnostics.add(.error, failure, status: .temporaryFailure)
        }
        for plan in planned {
            if case .duplicate(let original) = plan.decision {
                do {
                    try commitDuplicate(plan, sha: plan.sha256, of: original, store: store, runID: runID)
                } catch {
                    diagnostics.add(.error, "\(plan.file.path): not recorded in the state (\(StateStore.describe(error)))",
                                    pilot: plan.file.pilot, status: .temporaryFailure)
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
                            pilot: plan.file.pilot)
        }
        reads.removeAll { duplicates[$0.file.path] != nil }

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
                    pilots[index].rowsRejected += result.rejects.count
                } else {
                    pilots[index].ingested += 1
                    pilots[index].rowsAccepted += result.summary.acceptedRows
                    pilots[index].rowsRejected += result.rejects.count
                }
            }
            fingerprint(&pilots[index], store: store, readNow: readNow, diagnostics: &diagnostics)
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

    private static func plan(
        _ definition: PipelineDefinition, folders: RunFolders, store: StateStore, runID: Int64, settings: Settings,
        threads: Int?, pilot: inout PilotIngest, planned: inout [Planned], diagnostics: inout Diagnostics
    ) {
        let name = definition.pilot
        let found = Discover.files(for: definition, inputRoot: folders.input)
        for warning in found.warnings { diagnostics.add(.warning, warning, pilot: name) }
        for temporary in found.temporary {
            pilot.skipped += 1
            diagnostics.add(.info, "\(temporary): skipped: a temporary name (still being written or an editor's "
                + "lock file); rename it when it is complete", pilot: name)
        }
        guard let ledger = ledger(of: name, store: store, diagnostics: &diagnostics) else { return }
        /// A ledger update that is not a file's contribution: a failure is reported (exit 75), the run goes on.
        func update(_ body: () throws -> Void) {
            do { try body() } catch {
                diagnostics.add(.error, "\(store.path): \(StateStore.describe(error))", pilot: name,
                                status: .temporaryFailure)
            }
        }
        var byPath: [String: LedgerEntry] = [:]
        for entry in ledger { byPath[entry.path] = entry }
        for entry in ledger where entry.status == .ingested { pilot.pvSites.formUnion(entry.pvSites) }
        let knownPV = pilot.pvSites
        /// Read earlier without the grid readings of a site known to have PV now (a run that stopped in between).
        func lacksPVReadings(_ entry: LedgerEntry) -> Bool {
            entry.status == .ingested && PVDiscovery.mustReread(entry.gridSitesWithoutReadings, pv: knownPV)
        }
        var present = Set<String>()
        var renamedAway = Set<String>()
        var plannedBySHA: [String: String] = [:]
        let onDisk = Set(found.files.map(\.relativePath))
        var settling: [(path: String, age: Int64)] = []
        func unchanged(_ previous: LedgerEntry, file: InputFile, stat: FileDigest.Stat, key: String) {
            pilot.unchanged += 1
            if previous.status == .duplicate { pilot.duplicates += 1 }
            if previous.status == .ingested, !previous.gridSitesWithoutReadings.isEmpty {
                pilot.dormant.append(Planned(file: file, stat: stat, sha256: previous.sha256, readerKey: key,
                                             decision: .read(renamedFrom: nil, replacing: previous)))
            }
        }
        defer {
            if let first = settling.first {
                let which = settling.count == 1 ? "\(first.path): skipped: modified \(first.age) s ago"
                    : "\(settling.count) files skipped (e.g. \(first.path), modified \(first.age) s ago)"
                diagnostics.add(.info, which + ": modified less than \(settings.settleSeconds) s ago, they may still be "
                    + "written; the next run reads them (--settle-seconds 0 reads them now)", pilot: name)
            }
        }

        // The files whose size or time changed (or that are new) are fingerprinted up front, on all cores.
        let changedFiles = found.files.filter { file in
            guard let stat = FileDigest.stat(file.path),
                  settings.settleSeconds <= 0
                    || settings.now - stat.modifiedNanoseconds >= Int64(settings.settleSeconds) * 1_000_000_000
            else { return false }
            guard let previous = byPath[file.relativePath] else { return true }
            return previous.size != stat.size || previous.modifiedNanoseconds != stat.modifiedNanoseconds
        }
        // A changed file whose size no file of the ledger has (its own earlier version included) can be neither a
        // rename nor a touched copy of a file seen before: it is read at once and fingerprinted while it is read
        // (`ReadContext.fingerprint`; a file read in chunks beside it, `DeferredDigests`). Such files of equal size may
        // still be copies of each other: that is settled once they are read (`SameSizeGroups`). The others are
        // fingerprinted here, on all cores, and a copy of a known file is not read at all.
        let ledgerSizes = Set(ledger.map(\.size))
        let deferred = Set(changedFiles.filter { !ledgerSizes.contains(FileDigest.stat($0.path)?.size ?? -1) }.map(\.path))
        let fingerprints = FileDigest.sha256(paths: changedFiles.map(\.path).filter { !deferred.contains($0) },
                                             threads: threads)
        var readerKeys: [Int: String] = [:]  // per source: the same for all its files
        for file in found.files {
            present.insert(file.relativePath)
            guard let stat = FileDigest.stat(file.path) else {
                diagnostics.add(.warning, "\(file.path): vanished while the run looked at it; the next run reads it",
                                pilot: name)
                continue
            }
            let age = settings.now - stat.modifiedNanoseconds
            if settings.settleSeconds > 0, age < Int64(settings.settleSeconds) * 1_000_000_000 {
                pilot.skipped += 1
                settling.append((file.path, max(0, age / 1_000_000_000)))
                continue
            }
            let key = readerKeys[file.source.index] ?? readerKey(file.source, of: definition)
            readerKeys[file.source.index] = key
            let previous = byPath[file.relativePath]
            if let previous, previous.missingSinceRun != nil {
                update { try store.setMissing(pilot: name, path: previous.path, run: nil,
                                              event: (runID, "back in the input folder")) }
                pilot.changed = true
            }
            if let previous, previous.size == stat.size, previous.modifiedNanoseconds == stat.modifiedNanoseconds,
               previous.readerKey == key, !lacksPVReadings(previous) {
                unchanged(previous, file: file, stat: stat, key: key)
                continue
            }
            if deferred.contains(file.path), previous?.size != stat.size {
                if previous != nil {
                    diagnostics.add(.info, "\(file.path): changed since it was ingested: its old contribution is "
                        + "replaced", pilot: name)
                }
                planned.append(Planned(file: file, stat: stat, sha256: "", readerKey: key,
                                       decision: .read(renamedFrom: nil, replacing: previous)))
                continue
            }
            let sha: String
            do {
                sha = try fingerprints[file.path] ?? FileDigest.sha256(path: file.path)
            } catch {
                diagnostics.add(.error, "\(error); check the file's permissions", pilot: name, status: .dataError)
                continue
            }
            if let previous, previous.sha256 == sha, previous.readerKey == key, !lacksPVReadings(previous) {
                update { try store.touch(pilot: name, path: previous.path, modifiedNanoseconds: stat.modifiedNanoseconds) }
                unchanged(previous, file: file, stat: stat, key: key)
                continue
            }
            // The same bytes elsewhere: counted once.
            if let original = plannedBySHA[sha] {
                planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                       decision: .duplicate(of: original)))
                pilot.duplicates += 1
                pilot.changed = true
                diagnostics.add(.warning, "\(file.path): same content as \(original): not counted twice", pilot: name)
                continue
            }
            let twin = ledger.first { $0.sha256 == sha && $0.path != file.relativePath && $0.status != .duplicate
                && !renamedAway.contains($0.path) }
            if let twin, onDisk.contains(twin.path) || FileManager.default.fileExists(
                atPath: (folders.input as NSString).appendingPathComponent(twin.path)) {
                planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                       decision: .duplicate(of: twin.path)))
                pilot.duplicates += 1
                pilot.changed = true
                diagnostics.add(.warning, "\(file.path): same content as \(twin.path): not counted twice", pilot: name)
                continue
            }
            var renamedFrom: String?
            if let twin {
                renamedFrom = twin.path
                renamedAway.insert(twin.path)
                diagnostics.add(.info, "\(file.path): renamed from \(twin.path) (same content): read under its new "
                    + "name, counted once", pilot: name)
            } else if let previous, previous.sha256 == sha, previous.readerKey == key {
                diagnostics.add(.info, "\(file.path): read again for PV matching: it has grid data of "
                    + PVDiscovery.describe(previous.gridSitesWithoutReadings.intersection(knownPV))
                    + ", which other files show PV production for", pilot: name)
            } else if let previous, previous.sha256 == sha {
                diagnostics.add(.info, "\(file.path): read again: its source in \(definition.file) or the ParkImpact "
                    + "build changed since it was ingested", pilot: name)
            } else if previous != nil {
                diagnostics.add(.info, "\(file.path): changed since it was ingested: its old contribution is replaced",
                                pilot: name)
            }
            plannedBySHA[sha] = file.relativePath
            planned.append(Planned(file: file, stat: stat, sha256: sha, readerKey: key,
                                   decision: .read(renamedFrom: renamedFrom, replacing: previous)))
        }

        for entry in ledger where !present.contains(entry.path) && !renamedAway.contains(entry.path) {
            let full = (folders.input as NSString).appendingPathComponent(entry.path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                do {
                    try store.remove(pilot: name, path: entry.path, run: runID, event: "unselected",
                                     detail: "no source of \(definition.file) selects it any more")
                    pilot.removed += 1
                    pilot.changed = true
                    diagnostics.add(.warning, "\(full): no source of \(definition.file) selects it any more: its "
                        + "contribution is removed from the reports", pilot: name)
                } catch {
                    diagnostics.add(.error, "\(store.path): \(StateStore.describe(error))", pilot: name,
                                    status: .temporaryFailure)
                }
                continue
            }
            if entry.status == .ingested { pilot.deletedKept += 1 }
            if entry.missingSinceRun == nil {
                update { try store.setMissing(pilot: name, path: entry.path, run: runID, event: (runID, "deleted from input")) }
                pilot.changed = true
                if entry.status == .ingested {
                    diagnostics.add(.warning, "\(full): deleted from the input folder; its contribution "
                        + "(\(entry.rowsAccepted) rows) is kept in the reports; to drop it, move "
                        + "\(store.path) away so that the next run rebuilds the state from the present inputs",
                        pilot: name)
                }
            }
        }
    }

    // MARK: Committing

    /// A file with the same bytes as `original` (a path relative to the input folder): in the ledger, not counted.
    private static func commitDuplicate(_ plan: Planned, sha: String, of original: String, store: StateStore,
                                        runID: Int64) throws {
        let entry = LedgerEntry(
            pilot: plan.file.pilot, path: plan.file.relativePath, size: plan.stat.size,
            modifiedNanoseconds: plan.stat.modifiedNanoseconds, sha256: sha, readerKey: plan.readerKey,
            sourceIndex: plan.file.source.index, format: plan.file.source.format.rawValue, status: .duplicate,
            duplicateOf: original, runID: runID)
        try store.commit(entry, contribution: nil, events: [("duplicate", "same content as \(original)")])
    }

    private static func commit(_ plan: Planned, result: FileResult, store: StateStore, runID: Int64,
                               digests: DeferredDigests) throws {
        guard case .read(let renamedFrom, let replacing) = plan.decision else { return }
        let sha = plan.sha256.isEmpty ? try result.sha256 ?? digests.wait(plan.file.path) : plan.sha256
        var entry = LedgerEntry(
            pilot: plan.file.pilot, path: plan.file.relativePath, size: plan.stat.size,
            modifiedNanoseconds: plan.stat.modifiedNanoseconds, sha256: sha, readerKey: plan.readerKey,
            sourceIndex: plan.file.source.index, format: plan.file.source.format.rawValue, status: .ingested,
            rowsAccepted: result.summary.acceptedRows, rowsRejected: result.rejects.count, runID: runID)
        entry.pvSites = result.pvSites
        entry.gridSitesWithoutReadings = result.gridSitesWithoutReadings
        var events: [(String, String)] = []
        if let renamedFrom { events.append(("renamed", "from \(renamedFrom)")) }
        if let replacing {
            events.append(("replaced", "contribution of sha256 \(replacing.sha256.prefix(12)) replaced"))
        }
        var contribution: ContributionCodec.Contribution?
        if let problem = result.summary.problem {
            entry.status = .unreadable
            entry.problem = problem
            events.append(("unreadable", problem))
            // A file whose rows were all rejected keeps its rejects (rejects.csv lists them on every run).
            if !result.rejects.isEmpty {
                contribution = .init(series: [], rejects: result.rejects, summary: result.summary)
            }
        } else {
            contribution = .init(series: result.series, rejects: result.rejects, summary: result.summary)
            events.append(("ingested", "\(result.summary.acceptedRows) rows accepted, \(result.rejects.count) rejected"))
        }
        try store.commit(entry, contribution: contribution, alsoRemoving: renamedFrom, events: events)
        FaultInjection.reach("committed")
    }

    // MARK: Assembling

    /// The pilot's ledger, or nil with an error (exit 75: the state may be busy or damaged).
    private static func ledger(of pilot: String, store: StateStore, diagnostics: inout Diagnostics) -> [LedgerEntry]? {
        do {
            return try store.ledger(pilot: pilot)
        } catch {
            diagnostics.add(.error, "\(store.path): cannot read the ledger (\(StateStore.describe(error)))", pilot: pilot,
                            status: .temporaryFailure)
            return nil
        }
    }

    /// Lists the unreadable files (their problem is reported on every run until the file is fixed) and computes
    /// the pilot's generation from the ledger.
    private static func fingerprint(
        _ pilot: inout PilotIngest, store: StateStore, readNow: [String: FileResult], diagnostics: inout Diagnostics
    ) {
        let name = pilot.definition.pilot
        guard let ledger = ledger(of: name, store: store, diagnostics: &diagnostics) else { return }
        var fingerprint = [FileDigest.executable, pilot.definition.file]
        fingerprint.append((try? FileDigest.sha256(path: pilot.definition.file)) ?? "unreadable definition")
        for entry in ledger {
            fingerprint.append([entry.path, entry.sha256, entry.status.rawValue, entry.readerKey,
                                entry.problem ?? ""].joined(separator: "\t"))
            if entry.status == .unreadable, let problem = entry.problem {
                if readNow[entry.path] == nil { pilot.unreadable += 1 }
                diagnostics.add(.error, problem, pilot: name, status: .dataError,
                                code: FileVerdict.code(ofProblem: problem))
            }
        }
        pilot.generation = FileDigest.sha256(Array(fingerprint.joined(separator: "\n").utf8))
    }

    /// Gathers every contribution of the pilot's ledger for the merge: the files read in this run from memory, the
    /// others decoded from the state.
    public static func load(
        _ pilot: inout PilotIngest, store: StateStore, readNow: [String: FileResult], diagnostics: inout Diagnostics
    ) {
        let name = pilot.definition.pilot
        guard let ledger = ledger(of: name, store: store, diagnostics: &diagnostics) else { return }
        var files: [(path: String, summary: FileSummary)] = ledger.filter { $0.status == .unreadable }.map {
            ($0.path, FileSummary(path: $0.path, format: $0.format, dialect: "", acceptedRows: 0, rejectedRows: 0,
                                  ignoredRows: [:], problem: $0.problem))
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
                    diagnostics.add(.error, "\(entry.path): its stored contribution cannot be used (\(error)); "
                        + "move \(store.path) away so that the next run rebuilds the state from the inputs",
                        pilot: name, status: .dataError)
                    continue
                }
            }
            pilot.inputs.append(Aggregate.MergeInput(file: entry.path, modified: entry.modifiedNanoseconds,
                                                     series: contribution.series))
            pilot.rejects.append(contentsOf: contribution.rejects)
            files.append((entry.path, contribution.summary))
        }
        pilot.files = files.sorted { $0.path < $1.path }.map(\.summary)
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
    }

    private struct State {
        var arrived: [String: FileResult] = [:]
        /// Path → the relative path of its original, for the duplicates of groups already settled.
        var duplicates: [String: String] = [:]
        var settled: Set<String> = []
    }

    /// Path → the paths of its group (itself included), in path order; only groups of two or more.
    private let groups: [String: [String]]
    private let state = Mutex(State())

    /// The SHA-256 of a file that was not fingerprinted while read (read in chunks, or refused before reading).
    private let fingerprint: @Sendable (String) -> String?

    /// `files`: path, pilot and size of each file fingerprinted while read, in the order duplicates are decided.
    init(_ files: [(path: String, pilot: String, size: Int64)],
         fingerprint: @escaping @Sendable (String) -> String? = { try? FileDigest.sha256(path: $0, countingProgress: false) }) {
        var members: [String: [String]] = [:]
        for file in files { members["\(file.pilot)\u{0}\(file.size)", default: []].append(file.path) }
        var groups: [String: [String]] = [:]
        for group in members.values where group.count > 1 { for path in group { groups[path] = group } }
        self.groups = groups
        self.fingerprint = fingerprint
    }

    /// The files to commit now that `path` is read.
    func arrived(_ path: String, _ result: FileResult) -> [Settled] {
        guard let group = groups[path] else {
            return [Settled(path: path, result: result, sha256: result.sha256, duplicateOf: nil)]
        }
        // The last of its group to arrive takes the group's results (once: the members are marked settled).
        let complete: [FileResult]? = state.withLock { state in
            if state.settled.contains(path) { return nil }
            state.arrived[path] = result
            guard group.allSatisfy({ state.arrived[$0] != nil }) else { return [] }
            state.settled.formUnion(group)
            return group.map { state.arrived.removeValue(forKey: $0)! }
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
            if let original = originals[sha] {
                settled.append(Settled(path: member, result: read, sha256: sha, duplicateOf: original))
            } else {
                originals[sha] = read.file.relativePath
                settled.append(Settled(path: member, result: read, sha256: sha, duplicateOf: nil))
            }
        }
        state.withLock { state in
            for item in settled { if let original = item.duplicateOf { state.duplicates[item.path] = original } }
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
    private final class Digests: Sendable { let values = Mutex<[String: Result<String, any Error>]>([:]) }
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
                let digest = Result { try FileDigest.sha256(path: path, countingProgress: false) }
                digests.values.withLock { $0[path] = digest }
                signals[path]!.signal()
            }
        }
    }

    /// The file's SHA-256, once computed (at once when it is).
    func wait(_ path: String) throws -> String {
        guard let semaphore = done[path] else { return try FileDigest.sha256(path: path, countingProgress: false) }
        semaphore.wait()
        semaphore.signal()  // for another wait on the same file
        return try digests.values.withLock { $0[path]! }.get()
    }
}
