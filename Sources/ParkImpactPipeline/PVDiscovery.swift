import CSVReading
import ParkImpactModel
public import ParkImpactDefinition
public import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// PV sites found in the data, and the files read again because of them.
///
/// PV matching needs the grid offtake and injection of a PV site interval by interval (`PVMatching`), but keeping
/// every grid series' readings would make memory grow with the whole park. So a file is read keeping the grid
/// readings of the sites known to have PV only (`IntervalReadingPolicy`): the definition's PV sources, and the PV
/// sites the data showed so far (a `parkimpact-long` file names sites and quantities per row). When a file turns out
/// to hold PV production of a site whose grid series another file (or the same one) was read without, that file is
/// read again with the site added. This happens once per new PV site; a park without PV never reads anything twice.
public enum PVDiscovery {
    /// Per pilot, the PV sites of `results`.
    public static func sites(in results: [FileResult]) -> [String: Set<String>] {
        var sites: [String: Set<String>] = [:]
        for result in results where !result.pvSites.isEmpty {
            sites[result.file.pilot, default: []].formUnion(result.pvSites)
        }
        return sites
    }

    /// The definitions with `sites` added to what their read stage keeps.
    public static func adding(_ sites: [String: Set<String>], to definitions: [String: PipelineDefinition])
        -> [String: PipelineDefinition] {
        var extended = definitions
        for (pilot, found) in sites where extended[pilot] != nil {
            extended[pilot]!.pvSitesFromData.formUnion(found)
        }
        return extended
    }

    /// Whether a file read without the grid readings of `withoutReadings` must be read again, given the pilot's PV
    /// sites `pv`.
    public static func mustReread(_ withoutReadings: Set<String>, pv: Set<String>?) -> Bool {
        guard let pv, !withoutReadings.isEmpty else { return false }
        return !withoutReadings.isDisjoint(with: pv)
    }

    /// "site a" or "sites a, b" (sorted).
    public static func describe(_ sites: Set<String>) -> String {
        (sites.count == 1 ? "site " : "sites ") + sites.sorted().joined(separator: ", ")
    }

    /// Reads `files` (`Aggregate.readAll`), then again those that lack grid readings of a PV site the first pass
    /// found. `known`: PV sites known before reading, per pilot. `completed` is called for every read, so for a file
    /// read twice once more with the final result. Returns the final results (in the order of `files`) and the PV
    /// sites per pilot (`known` and the found ones). `sharing`: other workers may read files of the first pass
    /// (`ReadSharing`, with `known` as the PV sites they read with); the files read again are read here.
    public static func readAll(
        _ files: [InputFile], definitions: [String: PipelineDefinition], known: [String: Set<String>] = [:],
        threads: Int? = nil, chunking: Aggregate.ChunkSizing = .init(), fingerprinting: Set<String> = [],
        sharing: (any ReadSharing)? = nil, completed: (@Sendable (Int, FileResult) -> Void)? = nil
    ) -> (results: [FileResult], pvSites: [String: Set<String>]) {
        let progress = RunProgress.shared
        var results = Aggregate.readAll(files, definitions: adding(known, to: definitions), threads: threads,
                                        chunkBytes: chunking.chunkBytes, pieces: chunking.pieces, fingerprinting: fingerprinting,
                                        sharing: sharing) {
            index, result in
            completed?(index, result)
            progress.fileDone()
        }
        var pv = known
        for (pilot, found) in sites(in: results) { pv[pilot, default: []].formUnion(found) }
        let again = results.indices.filter { mustReread(results[$0].gridSitesWithoutReadings, pv: pv[files[$0].pilot]) }
        if !again.isEmpty {
            progress.extend(bytes: again.reduce(0) { $0 + (CSVFileSource.size(path: files[$1].path) ?? 0) },
                            files: again.count)
            let reread = Aggregate.readAll(again.map { files[$0] }, definitions: adding(pv, to: definitions),
                                           threads: threads, chunkBytes: chunking.chunkBytes, pieces: chunking.pieces,
                                           fingerprinting: fingerprinting) { position, result in
                completed?(again[position], result)
                progress.fileDone()
            }
            for (position, index) in again.enumerated() { results[index] = reread[position] }
        }
        return (results, pv)
    }
}
