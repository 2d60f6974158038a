import Dispatch
import Foundation
import Synchronization

/// The one work loop of the product: `(0..<count)` on all cores (`DispatchQueue.concurrentPerform`), for the read
/// stage (files and chunks), fingerprints, KPI scopes and document parts. Workers take the next index from a shared
/// counter, so jobs listed first (put the longest there) start first; `map` returns the results in index order
/// whatever order the workers finished in, so the outputs are the same bytes for any number of threads.
package enum ConcurrentMap {
    /// `(0..<count).map(body)` on `threads` cores (default: all).
    package static func map<T: Sendable>(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> T) -> [T] {
        if workers(count, threads: threads) <= 1 { return (0..<count).map(body) }
        let results = Slots<T>(count: count)
        forEach(count, threads: threads) { index in results.store(body(index), at: index) }
        return results.results()
    }

    /// `(0..<count).forEach(body)` on `threads` cores (default: all), indices taken in order; on the calling thread
    /// alone when one worker is enough.
    package static func forEach(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> Void) {
        let workers = workers(count, threads: threads)
        if workers <= 1 { return (0..<count).forEach(body) }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                body(index)
            }
        }
    }

    /// The number of workers for `count` jobs: `threads` (default: the active cores), at least 1, at most `count`.
    private static func workers(_ count: Int, threads: Int?) -> Int {
        min(count, max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
    }
}
