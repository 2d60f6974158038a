import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `targets:` in the pipeline YAML: KPI key → target value for the reporting period, validated like every other key.
@Suite struct TargetDefinitionTests {
    static func yaml(_ targets: String) -> String {
        """
        pilot: demo
        name: Demo
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: acme } ]
        sources: [ { path: "acme/*.csv", format: fluvius, site: acme } ]
        targets:
        \(targets)
        """
    }

    @Test("valid targets load, in the KPI's unit")
    func validTargets() throws {
        let definition = try DefinitionLoader.parse(yaml: Self.yaml("""
              co2.change_vs_baseline_pct: -20
              waste.recycling_rate: 0.6
              mobility.share.bike: 0.25
              water.m3: 1500
            """), file: "pipelines/demo.yaml", catalogue: .builtIn)
        #expect(definition.targets == ["co2.change_vs_baseline_pct": -20, "waste.recycling_rate": 0.6,
                                       "mobility.share.bike": 0.25, "water.m3": 1500])
        #expect(KPITargets.higherIsBetter("waste.recycling_rate"))
        #expect(!KPITargets.higherIsBetter("co2.change_vs_baseline_pct"))
        #expect(!KPITargets.higherIsBetter("mobility.share.car") && KPITargets.higherIsBetter("mobility.share.bike"))
    }

    @Test("no targets: an empty map")
    func noTargets() throws {
        let yaml = Self.yaml("").replacingOccurrences(of: "targets:\n", with: "")
        #expect(try DefinitionLoader.parse(yaml: yaml, file: "pipelines/demo.yaml", catalogue: .builtIn).targets.isEmpty)
    }

    @Test("an unknown key, a non-number and a ratio written as percent: file:line, key path, valid values")
    func invalidTargets() {
        do {
            _ = try DefinitionLoader.parse(yaml: Self.yaml("""
                  co2.scope3_t: 10
                  energy.gas_kwh: lots
                  waste.recycling_rate: 60
                  mobility.share.rocket: 0.1
                """), file: "pipelines/demo.yaml", catalogue: .builtIn)
            Issue.record("expected errors")
        } catch {
            let messages = error.errors.map(\.description)
            #expect(messages.count == 4)
            #expect(messages.first?.hasPrefix("pipelines/demo.yaml:9: targets.co2.scope3_t: unknown KPI key; known: "
                + "energy.electricity.offtake_kwh, ") == true)
            #expect(messages.first?.hasSuffix("mobility.share.<mode>, mobility.shift_pp.<mode> (mode: car|carpool|"
                + "motorbike|bus|tram|train|bike|ebike|walk|other)") == true)
            #expect(messages.contains("pipelines/demo.yaml:10: targets.energy.gas_kwh: \"lots\" is not a number "
                + "(the KPI's unit, as in kpis.json)"))
            #expect(messages.contains("pipelines/demo.yaml:11: targets.waste.recycling_rate: 60 is not a ratio 0…1; "
                + "write 0.6 for 60 %"))
            #expect(messages.contains { $0.hasPrefix("pipelines/demo.yaml:12: targets.mobility.share.rocket: unknown KPI key") })
        }
    }

    @Test("an empty targets map is an error with an example")
    func emptyTargets() {
        do {
            _ = try DefinitionLoader.parse(yaml: Self.yaml("  {}"), file: "pipelines/demo.yaml", catalogue: .builtIn)
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.map(\.description).first?.hasPrefix("pipelines/demo.yaml:9: targets: empty; give") == true)
        }
    }
}
