import Foundation
import Synchronization
import ParkImpactModel
public import ParkImpactDefinition
import ParkImpactReading
public import ParkImpactState

/// The holder's side of reads shared with other workers (`ReadClaims`): the new files of a read are offered, this
/// worker claims them in order as it comes to them (a few at a time), helpers claim from the end, and the results
/// they hand over go through the same settlement and commit as this worker's own reads (`Ingest.run`).
///
/// Files read in chunks here, and files opened through a link, are not offered: a helper reads whole files by the
/// name the holder lists. When the database fails, every file not handed over yet is read here (the commits then say
/// what could not be recorded).
final class SharedReads: ReadSharing {
    private let claims: any ReadClaims
    private let set: Int64
    private let files: [InputFile]
    /// By index in the read: the file's stat when planned, for the files offered.
    private let offered: [Int: FileDigest.Stat]
    /// An offered file's number in the offer (`ReadOffer.seq`), by index in the read; and the index of each number.
    private let seqOf: [Int: Int]
    private let indexOf: [Int]
    let order: [Int]
    /// The holder claims this many files at a time (one round trip per claim).
    private let claimBatch: Int
    private struct State {
        var mine: Set<Int> = []
        var failed = false
    }
    private let state = Mutex(State())

    private init(claims: any ReadClaims, set: Int64, files: [InputFile], offered: [Int: FileDigest.Stat],
                 indexOf: [Int], order: [Int], claimBatch: Int) {
        self.claims = claims
        self.set = set
        self.files = files
        self.offered = offered
        self.indexOf = indexOf
        var seqOf: [Int: Int] = [:]
        for (seq, index) in indexOf.enumerated() { seqOf[index] = seq }
        self.seqOf = seqOf
        self.order = order
        self.claimBatch = claimBatch
    }

    /// Offers the files of `files` that a helper can read (stat of each from `stats`); nil when none can, or when the
    /// offer cannot be written (everything is read here then).
    ///
    /// The offer lists the files largest first: this worker reads from the start of the list (after the files it
    /// keeps: those it reads in chunks, and those opened through a link), helpers from its end, so the largest files
    /// are read here and the last files left to share out are small ones.
    static func offer(_ claims: any ReadClaims, files: [InputFile], stats: [FileDigest.Stat], readerKeys: [String],
                      definitions: [String: PipelineDefinition], known: [String: Set<String>], inputRoot: String,
                      threads: Int?, chunking: Aggregate.ChunkSizing = .init()) -> SharedReads? {
        var offerable: [Int] = []
        var kept: [Int] = []
        for (index, file) in files.enumerated() {
            guard file.openPath == nil, !Aggregate.mayReadInChunks(file, threads: threads, chunking: chunking),
                  definitions[file.pilot] != nil,
                  file.path.hasPrefix(Ingest.pilotFolder(file.pilot, inputRoot: inputRoot) + "/") else {
                kept.append(index)
                continue
            }
            offerable.append(index)
        }
        offerable.sort { (stats[$0].size, $1) > (stats[$1].size, $0) }
        var offers: [ReadOffer] = []
        var offered: [Int: FileDigest.Stat] = [:]
        for (seq, index) in offerable.enumerated() {
            let file = files[index]
            let folder = Ingest.pilotFolder(file.pilot, inputRoot: inputRoot)
            offered[index] = stats[index]
            offers.append(ReadOffer(
                seq: seq, pilot: file.pilot, path: file.relativePath, openPath: file.path,
                sourceIndex: file.source.index,
                matchKey: ReadOffer.matchKey(pilot: file.pilot, sourceIndex: file.source.index,
                                             readerKey: readerKeys[index], pilotFolder: folder),
                size: stats[index].size, modifiedNanoseconds: stats[index].modifiedNanoseconds,
                pvSites: (known[file.pilot] ?? []).sorted()))
        }
        guard !offers.isEmpty,
              let set = try? claims.offerReads(offers, pilots: Array(Set(files.map(\.pilot))).sorted()) else { return nil }
        FaultInjection.reach("offered")
        // Claims of about 8 MiB (2 files per core at least, 64 at most): few round trips for small files, and at most
        // one such claim of work left to this worker when it meets the helpers' claims.
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let average = max(1, offers.reduce(Int64(0)) { $0 + $1.size } / Int64(offers.count))
        let batch = min(64, max(2 * workers, Int((8 << 20) / average)))
        return SharedReads(claims: claims, set: set, files: files, offered: offered, indexOf: offerable,
                           order: kept + offerable, claimBatch: batch)
    }

    func mayRead(_ index: Int) -> Bool {
        guard let seq = seqOf[index] else { return true }
        return state.withLock { state in
            if state.failed || state.mine.contains(seq) { return true }
            guard let claimed = try? claims.claimOwn(set: set, from: seq, limit: claimBatch) else {
                state.failed = true
                return true
            }
            state.mine.formUnion(claimed)
            return claimed.first == seq
        }
    }

    func collect(_ indices: [Int], deliver: (Int, FileResult) -> Void) -> [Int] {
        var waiting = Set(indices.compactMap { seqOf[$0] })
        var back: [Int] = []
        var pause = 0.005
        var lastLook = ContinuousClock.now
        while !waiting.isEmpty {
            // Results of at most 32 MiB at a time (the decoded contributions are held until committed).
            guard let handed = try? claims.handed(set: set, seqs: waiting.sorted(), bytes: 32 << 20) else {
                return back + waiting.sorted().map { indexOf[$0] }
            }
            for read in handed where waiting.contains(read.seq) {
                waiting.remove(read.seq)
                deliver(indexOf[read.seq], result(read))
            }
            guard handed.isEmpty, !waiting.isEmpty else {
                pause = 0.005
                continue
            }
            // Nothing new: files whose worker went away are taken back (looked at twice a second at most).
            if ContinuousClock.now - lastLook >= .milliseconds(500) {
                lastLook = ContinuousClock.now
                guard let taken = try? claims.takeBack(set: set, seqs: waiting.sorted()) else {
                    return back + waiting.sorted().map { indexOf[$0] }
                }
                for seq in taken where waiting.contains(seq) {
                    waiting.remove(seq)
                    back.append(indexOf[seq])
                }
                if !taken.isEmpty { continue }
            }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.1)
        }
        return back
    }

    /// The offer's results are taken.
    func end() {
        try? claims.endOffer(set: set)
    }

    /// The handed-over read as this worker's own: the file as listed here, and, when the helper opened the same file
    /// (size, modification time, inode and status-change time: the device number is per host), the stat planned.
    private func result(_ read: HandedRead) -> FileResult {
        var observed = read.observed
        let index = indexOf[read.seq]
        if let seen = observed, let planned = offered[index], SharedReads.sameFile(seen, planned) {
            observed = planned
        }
        let change: ReadChange? = read.change.map { kind, message in
            switch kind {
            case "vanished": .vanished(message)
            case "refused": .refused(message)
            default: .changed(message)
            }
        }
        return FileResult(file: files[index], series: read.contribution.series, rejects: read.contribution.rejects,
                          summary: read.contribution.summary, pvSites: read.pvSites,
                          gridSitesWithoutReadings: read.gridSitesWithoutReadings, sha256: read.sha256,
                          observed: observed, readChange: change)
    }

    /// Two stats of one file seen from two hosts: equal but for the device number.
    static func sameFile(_ a: FileDigest.Stat, _ b: FileDigest.Stat) -> Bool {
        func inode(_ identity: String) -> Substring { identity.drop { $0 != ":" } }
        return a.size == b.size && a.modifiedNanoseconds == b.modifiedNanoseconds
            && !a.identity.isEmpty && inode(a.identity) == inode(b.identity)
    }
}

extension Ingest {
    /// The folder a pilot's files are listed under (`Discover.files`).
    static func pilotFolder(_ pilot: String, inputRoot: String) -> String {
        (inputRoot as NSString).appendingPathComponent(pilot)
    }

    /// A helper's work: reads files other workers offered (`ReadClaims`) for the pilots of `definitions`, a few at a
    /// time, and hands each result over, until none is left that this worker can read the same way as their holder
    /// (same build, source definitions, time zone, sites and input folder). Returns the number of files handed over.
    public static func help(definitions: [PipelineDefinition], inputRoot: String, claims: any ReadClaims,
                            threads: Int?) -> Int {
        var sources: [String: (definition: PipelineDefinition, source: PipelineDefinition.Source)] = [:]
        for definition in definitions {
            let folder = pilotFolder(definition.pilot, inputRoot: inputRoot)
            for source in definition.sources {
                sources[ReadOffer.matchKey(pilot: definition.pilot, sourceIndex: source.index,
                                           readerKey: readerKey(source, of: definition), pilotFolder: folder)]
                    = (definition, source)
            }
        }
        let keys = sources.keys.sorted()
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var handed = 0
        while true {
            guard let claimed = try? claims.claimReads(matching: keys, limit: 4 * workers, bytes: 32 << 20),
                  !claimed.isEmpty else { return handed }
            var files: [InputFile] = []
            var definitionsByPilot: [String: PipelineDefinition] = [:]
            for claim in claimed {
                let (definition, source) = sources[claim.offer.matchKey]!
                files.append(InputFile(path: claim.offer.openPath, relativePath: claim.offer.path,
                                       pilot: definition.pilot, source: source))
                var withPV = definition
                withPV.pvSitesFromData.formUnion(claim.offer.pvSites)
                definitionsByPilot[definition.pilot] = withPV
            }
            let count = Atomic<Int>(0)
            // The claims' leases renewed every third of a lease while the batch is read.
            let reading = Atomic<Bool>(true)
            let renewed = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                let step = max(0.05, PostgresStateStore.readLeaseSeconds / 3)
                var waited = 0.0
                while reading.load(ordering: .acquiring) {
                    Thread.sleep(forTimeInterval: 0.05)
                    waited += 0.05
                    if waited >= step {
                        waited = 0
                        try? claims.renewLeases()
                    }
                }
                renewed.signal()
            }
            defer {
                reading.store(false, ordering: .releasing)
                renewed.wait()
            }
            // Read whole (never in chunks), fingerprinted while read, as the holder reads the files it offers.
            _ = Aggregate.readAll(files, definitions: definitionsByPilot, threads: threads, chunkBytes: Int.max / 2,
                                  fingerprinting: Set(files.map(\.path))) { index, result in
                // Not opened here (permissions, a mount that differs): the holder reads it, it may well open it.
                guard result.observed != nil else {
                    try? claims.decline(set: claimed[index].set, seq: claimed[index].offer.seq)
                    return
                }
                let change: (String, String)? = result.readChange.map { change in
                    switch change {
                    case .vanished(let text): ("vanished", text)
                    case .changed(let text): ("changed", text)
                    case .refused(let text): ("refused", text)
                    }
                }
                let read = HandedRead(
                    set: claimed[index].set, seq: claimed[index].offer.seq,
                    contribution: .init(series: result.series, rejects: result.rejects, summary: result.summary),
                    pvSites: result.pvSites, gridSitesWithoutReadings: result.gridSitesWithoutReadings,
                    sha256: result.sha256, observed: result.observed, change: change)
                if (try? claims.handOver(read)) == true {
                    count.add(1, ordering: .relaxed)
                    FaultInjection.reach("handed")
                }
            }
            handed += count.load(ordering: .relaxed)
        }
    }
}
