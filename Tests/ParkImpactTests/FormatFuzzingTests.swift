import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The fuzz targets' checks (`FormatFuzzing`) on every fixture under every format, and on mutated bytes: what
/// `make fuzz` runs for minutes, run here on a few hundred inputs so a broken invariant fails the suite.
@Suite struct FormatFuzzingTests {
    static func fixtures() throws -> [[UInt8]] {
        let root = packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures").path
        let paths = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".csv") }.sorted()
        return try paths.prefix(40).map { Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + $0)).prefix(8192)) }
    }

    @Test("every fixture read as every format: no trap, finite sums, the codec round trip holds")
    func everyFormat() throws {
        let path = NSTemporaryDirectory() + "parkimpact-fuzzing-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        for bytes in try Self.fixtures() {
            for pick in FormatFuzzing.formats.indices {
                FormatFuzzing.check(bytes, pick: UInt8(pick), path: path)
            }
        }
    }

    @Test("inputs the fuzzers found (Fixtures/fuzz): a date in the year 6024 read, stored and decoded again")
    func foundByFuzzing() throws {
        let path = NSTemporaryDirectory() + "parkimpact-fuzzing-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/fuzz").path
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name.hasSuffix(".bin") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            FormatFuzzing.check(Array(bytes.dropFirst()), pick: bytes[0], path: path)
        }
    }

    @Test("mutated fixtures (bytes flipped, digits stretched to 1e308) and the decoder on mutated blobs")
    func mutations() throws {
        let path = NSTemporaryDirectory() + "parkimpact-fuzzing-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var generator = SplitMix(seed: 17)  // fixed: the same inputs on every run
        for bytes in try Self.fixtures().prefix(12) where !bytes.isEmpty {
            for round in 0..<8 {
                var mutated = bytes
                for _ in 0..<4 { mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
                if let digit = mutated.firstIndex(where: { $0 >= 0x30 && $0 <= 0x39 }) {
                    mutated.insert(contentsOf: Array("e308".utf8), at: digit + 1)
                }
                FormatFuzzing.check(mutated, pick: UInt8(round * 7 % 256), path: path)
                FormatFuzzing.decode(mutated)
            }
        }
    }
}

/// SplitMix64: a small seeded generator, so the mutated inputs are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
