import Dispatch
import Synchronization

/// Runs the read stage over many files on all cores and merges the partial aggregates deterministically.
public enum Aggregate {
    /// Reads `files` concurrently (`DispatchQueue.concurrentPerform`, one file per iteration, each into its own
    /// partial aggregate). Results come back in the order of `files`, whatever order the workers finished in.
    public static func readAll(
        _ files: [InputFile], definitions: [String: PipelineDefinition], threads: Int? = nil
    ) -> [FileResult] {
        let slots = ResultSlots(count: files.count)
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        if workers == 1 || files.count < 2 {
            for (index, file) in files.enumerated() {
                slots.store(ReadFile.read(file, definition: definitions[file.pilot]!), at: index)
            }
        } else {
            // Files are handed out from a shared counter so that `workers` bounds the parallelism.
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: min(workers, files.count)) { _ in
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < files.count else { return }
                    let file = files[index]
                    slots.store(ReadFile.read(file, definition: definitions[file.pilot]!), at: index)
                }
            }
        }
        return slots.results()
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

/// Result slots written by concurrent workers, one slot per file.
/// `@unchecked Sendable`: every access goes through `lock`.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [FileResult?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: FileResult, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func results() -> [FileResult] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
