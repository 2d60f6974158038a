import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Definitions whose size is out of proportion are refused quickly, with what the limit is.
@Suite("definition size limits")
struct DefinitionLimitTests {
    static let tail = """
        pilot: p
        name: p
        periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
        """

    /// Nested aliases used as mapping keys: depth 9 would expand to 10^10 nodes (Yams' composer hashed them for
    /// hours; depth 7 took 76 s before the size check).
    static func laughs(depth: Int) -> String {
        var lines = ["a0: &a0 [x, y, z, w, v, u, t, s, r, q]"]
        for level in 1...depth {
            let items = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) { ? [\(items)] : 1 }")
        }
        return lines.joined(separator: "\n") + "\n" + tail + "\nsites: [ { id: s } ]\nsources: [ { path: \"*.csv\", "
            + "format: parkimpact-long } ]\n"
    }

    @Test("a billion-laughs definition is refused in well under a second, before the composer sees it")
    func nestedAliases() {
        let clock = ContinuousClock()
        var message = ""
        let elapsed = clock.measure {
            do {
                _ = try DefinitionLoader.parse(yaml: Self.laughs(depth: 9), file: "pipelines/p.yaml", catalogue: .builtIn)
            } catch let error as DefinitionErrors {
                message = error.errors.map(\.description).joined(separator: "\n")
            } catch {}
        }
        #expect(elapsed < .seconds(1))
        #expect(message == "pipelines/p.yaml: more than 100000 YAML nodes once its aliases (*name) are expanded: "
            + "nested aliases multiply (a \"billion laughs\" document); write the repeated parts out, or use aliases "
            + "only for single values")
    }

    @Test("the size is measured with aliases expanded: a few plain aliases are fine, counted once per use")
    func plainAliasesCount() {
        #expect(YAMLSize.expandedNodes("a: &x [1, 2, 3]\nb: *x\nc: *x\n", limit: 100) == 1 + 3 + 3 * 4)  // the mapping, 3 keys, 3 × (a sequence of 3)
        #expect(YAMLSize.expandedNodes("a: &x [1, 2, 3]\nb: *x\nc: *x\n", limit: 15) == nil)
        #expect(throws: Never.self) {
            _ = try DefinitionLoader.parse(yaml: Self.tail + "\nsites: [ { id: &s s } ]\nsources: [ { path: \"*.csv\", "
                + "format: fluvius, site: *s } ]\n", file: "pipelines/p.yaml", catalogue: .builtIn)
        }
    }

    @Test("more sites than a pilot may have: refused naming the count and the limit")
    func tooManySites() {
        let sites = (0..<2_001).map { "  - { id: s\($0) }" }.joined(separator: "\n")
        var messages: [String] = []
        do {
            _ = try DefinitionLoader.parse(yaml: Self.tail + "\nsites:\n\(sites)\nsources: [ { path: \"*.csv\", format: "
                + "parkimpact-long } ]\n", file: "pipelines/p.yaml", catalogue: .builtIn)
        } catch {
            messages = error.errors.map(\.description)
        }
        #expect(messages == ["pipelines/p.yaml:5: sites: 2001 sites; a pilot has at most 2000 (its report shows every "
            + "site): split the park into several pilots"])
    }
}
