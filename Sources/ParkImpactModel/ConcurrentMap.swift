import Dispatch
import Foundation
import Synchronization

/// `(0..<count).map(body)` on all cores (`DispatchQueue.concurrentPerform`), for the report stage: KPI scopes and
/// document parts. Workers take the next index from a shared counter, so jobs listed first (put the longest there)
/// start first; the results come back in index order whatever order the workers finished in, so the outputs are
/// the same bytes for any number of threads.
package enum ConcurrentMap {
    package static func map<T: Sendable>(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> T) -> [T] {
        let workers = min(count, max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        if workers <= 1 { return (0..<count).map(body) }
        let results = Slots<T>(count: count)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                results.store(body(index), at: index)
            }
        }
        return results.results()
    }

    /// `(0..<count).forEach(body)` on all cores, indices taken in order.
    package static func forEach(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> Void) {
        let workers = min(count, max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
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
}
