import CSVReading
import Dispatch
import Synchronization

/// Runs the read stage over many files on all cores and merges the partial aggregates deterministically.
public enum Aggregate {
    /// Reads `files` concurrently (`DispatchQueue.concurrentPerform`), each into its own partial aggregate; large
    /// files of formats that allow it are cut into chunks read in parallel too (`ReadFile.readChunked`), so one big
    /// export uses every core. Results come back in the order of `files`, whatever order the workers finished in.
    public static func readAll(
        _ files: [InputFile], definitions: [String: PipelineDefinition], threads: Int? = nil,
        chunkBytes: Int = ReadFile.defaultChunkBytes
    ) -> [FileResult] {
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        if workers == 1 {
            return files.map { ReadFile.read($0, definition: definitions[$0.pilot]!) }
        }
        // The work: chunks of large files first (the longest jobs), then whole files.
        enum Job { case whole(Int), chunk(file: Int, index: Int, count: Int, size: Int) }
        var chunkTasks: [Job] = [], wholeTasks: [Job] = []
        var prepared: [Int: (ReadContext, FormatRegistry.Reader)] = [:]
        for (index, file) in files.enumerated() {
            if case .ready(let context, let reader) = ReadFile.prepare(file, definition: definitions[file.pilot]!),
               reader.readsInChunks, context.dialect.encoding == .utf8,
               let size = CSVFileSource.size(path: file.path) {
                let count = ReadFile.chunkCount(size: size, chunkBytes: chunkBytes)
                if count > 1 {
                    prepared[index] = (context, reader)
                    chunkTasks += (0..<count).map { Job.chunk(file: index, index: $0, count: count, size: size) }
                    continue
                }
            }
            wholeTasks.append(.whole(index))
        }
        let tasks = chunkTasks + wholeTasks
        let readers = prepared
        let wholeResults = Slots<FileResult>(count: files.count)
        let chunkResults = Slots<ChunkOutcome>(count: tasks.count)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(workers, tasks.count)) { _ in
            while true {
                let taskIndex = next.add(1, ordering: .relaxed).oldValue
                guard taskIndex < tasks.count else { return }
                switch tasks[taskIndex] {
                case .whole(let index):
                    let file = files[index]
                    wholeResults.store(ReadFile.read(file, definition: definitions[file.pilot]!), at: index)
                case .chunk(let index, let chunk, let count, let size):
                    let (context, reader) = readers[index]!
                    chunkResults.store(reader.chunk(files[index], context, CSVReadLimits(), chunk, count, size),
                                       at: taskIndex)
                }
            }
        }
        var results = wholeResults.stored()
        let outcomes = chunkResults.stored()
        for (index, (context, reader)) in prepared {
            let chunks = tasks.indices.compactMap { taskIndex -> ChunkOutcome? in
                guard case .chunk(let file, _, _, _) = tasks[taskIndex], file == index else { return nil }
                return outcomes[taskIndex]
            }
            results[index] = reader.assemble(files[index], context, CSVReadLimits(), chunks)
        }
        return results.map { $0! }
    }

    /// Merges per-file series in file order (so floating-point sums are identical run to run).
    public static func merge(_ results: [FileResult]) -> (series: [SeriesData], overlaps: [String]) {
        var merged: [SeriesKey: SeriesData] = [:]
        var overlaps: [String] = []
        for result in results {
            for data in result.series {
                guard var existing = merged[data.key] else {
                    merged[data.key] = data
                    continue
                }
                var shared = 0
                for (day, cell) in data.days {
                    if existing.days[day] != nil { shared += 1 }
                    existing.days[day, default: DayCell()].merge(cell)
                }
                if shared > 0 {
                    overlaps.append("\(data.key) has data on the same \(shared) day(s) in "
                        + "\(existing.inputs.map(\.file).joined(separator: ", ")) and "
                        + "\(data.inputs.map(\.file).joined(separator: ", ")); "
                        + "both were added: remove the duplicate export if they overlap")
                }
                if data.intervalSeconds > 0,
                   existing.intervalSeconds == 0 || data.intervalSeconds < existing.intervalSeconds {
                    existing.intervalSeconds = data.intervalSeconds
                }
                existing.inputs.append(contentsOf: data.inputs)
                existing.readings.append(contentsOf: data.readings)  // file order, like the day sums
                merged[data.key] = existing
            }
        }
        return (merged.values.sorted { $0.key < $1.key }, overlaps)
    }
}

import Foundation
