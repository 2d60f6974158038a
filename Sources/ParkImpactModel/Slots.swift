import Foundation

/// Results written by concurrent workers, one slot each.
/// `@unchecked Sendable`: every access goes through `lock`.
package final class Slots<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value?]

    package init(count: Int) { slots = Array(repeating: nil, count: count) }

    package func store(_ value: Value, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// Every slot's value (nil where none was stored).
    package func stored() -> [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }

    package func results() -> [Value] { stored().map { $0! } }

    /// Removes and returns the value at `index` (so it can be freed once consumed).
    func take(at index: Int) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        let value = slots[index]
        slots[index] = nil
        return value
    }
}
