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

    init(_ series: [IndexedSeries]) {
        var files = Set<String>()
        for entry in series {
            for input in entry.inputs { files.insert(input.file) }
        }
        self.init(files: files)
    }

    /// The order of `files`.
    init(files: Set<String>) {
        var position: [String: Int] = [:]
        position.reserveCapacity(files.count)
        for (index, file) in files.sorted().enumerated() { position[file] = index }
        self.position = position
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
        return keyed.map(\.file)
    }
}
