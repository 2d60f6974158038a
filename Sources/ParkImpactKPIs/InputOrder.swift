import Synchronization
import ParkImpactModel

/// The input files a pilot's series name, each with its position in `String` order: a KPI's set of input files is
/// put in order by sorting those positions (integers) instead of comparing the texts, which a list of thousands of
/// files makes the larger part of computing the KPIs.
///
/// `sorted(_:)` gives exactly `Set.sorted()`: the elements of the set themselves, in `String` order. Positions are
/// looked up by `String` equality, and the elements of a set are pairwise unequal, so no two share a position; a set
/// with a file the series do not name (a rejects file, a survey) is sorted by comparing texts.
struct InputOrder: Sendable {
    private let position: [String: Int]
    /// The lists handed out, by their positions, when no two files of the series are equal texts with other bytes
    /// (then a list's positions tell its bytes): equal lists are one array, which `KPISharing` finds by its storage
    /// instead of hashing its texts. nil otherwise.
    private let lists: SharedLists?

    /// Lists shorter than this are not looked up.
    static let sharedCount = 16

    init(_ series: [IndexedSeries]) {
        var files = Set<String>()
        var spellings = Set<SameBytes<String>>()
        for entry in series {
            for input in entry.inputs {
                files.insert(input.file)
                spellings.insert(SameBytes(input.file))
            }
        }
        self.init(files: files, oneSpellingEach: spellings.count == files.count)
    }

    /// The order of `files`; `oneSpellingEach`: no two of the files the sets hold are equal texts with other bytes.
    init(files: Set<String>, oneSpellingEach: Bool = false) {
        var position: [String: Int] = [:]
        position.reserveCapacity(files.count)
        for (index, file) in files.sorted().enumerated() { position[file] = index }
        self.position = position
        lists = oneSpellingEach ? SharedLists() : nil
    }

    /// `files.sorted()`.
    func sorted(_ files: Set<String>) -> [String] {
        guard files.count > 1 else { return Array(files) }
        var keyed: [(position: Int, file: String)] = []
        keyed.reserveCapacity(files.count)
        for file in files {
            guard let position = position[file] else { return files.sorted() }
            keyed.append((position, file))
        }
        keyed.sort { $0.position < $1.position }
        guard let lists, keyed.count >= Self.sharedCount else { return keyed.map(\.file) }
        return lists.shared(keyed.map(\.position)) { keyed.map(\.file) }
    }

    /// One array per list of positions, from every worker computing KPIs.
    final class SharedLists: Sendable {
        private let table = Mutex<[[Int]: [String]]>([:])

        /// The array of `positions`: the one handed out before, else `make()`'s.
        func shared(_ positions: [Int], _ make: () -> [String]) -> [String] {
            if let found = table.withLock({ $0[positions] }) { return found }
            let list = make()
            return table.withLock { table in
                if let found = table[positions] { return found }
                table[positions] = list
                return list
            }
        }
    }
}
