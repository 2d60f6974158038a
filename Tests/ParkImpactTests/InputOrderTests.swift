import Testing
import TestSupport
@testable import ParkImpactKPIs

/// `InputOrder.sorted` and `KPIEngine.unionOfInputs` give exactly what sorting the sets of texts gives.
@Suite struct InputOrderTests {
    static let names = ["b.csv", "a.csv", "A.csv", "a/b.csv", "a-b.csv", "é.csv", "e\u{301}x.csv", "\u{E9}x.csv", "z",
                        "10.csv", "9.csv", "m-00001/m-00001_2024-04-01.csv", "", " ", "Ω", "Ω"]

    @Test func sortedIsSetSorted() {
        let order = InputOrder(files: Set(Self.names))
        var random = SplitMix64(state: 7)
        for _ in 0..<500 {
            var set = Set<String>()
            for name in Self.names where random.next() % 2 == 0 { set.insert(name) }
            // Now and then a file the order does not know (a rejects file): sorted by comparing texts.
            if random.next() % 5 == 0 { set.insert("unknown-\(random.next() % 3).csv") }
            let sorted = order.sorted(set)
            let expected = set.sorted()
            #expect(sorted == expected)
            // The elements themselves (equal texts with other bytes stay as the set has them).
            #expect(sorted.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
        }
    }

    @Test func aSharedListIsItsOwnUnion() {
        let list = Self.names.sorted()
        let copy = list.map { String($0) }
        #expect(KPIEngine.sameStorage(list, list))
        #expect(!KPIEngine.sameStorage(list, copy))
        #expect(!KPIEngine.sameStorage(list, Array(list.dropLast())))
    }
}
