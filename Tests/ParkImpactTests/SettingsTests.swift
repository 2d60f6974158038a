import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `settings:` (engine thresholds) and `mobility:` (annualisation of the commuting survey) in the pipeline YAML.
@Suite struct SettingsTests {
    static func yaml(_ extra: String) -> String {
        """
        pilot: demo
        name: Demo
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: acme } ]
        sources:
          - { path: "acme/*.csv", format: fluvius, site: acme }
        \(extra)
        """
    }

    static func errors(_ extra: String) -> [String] {
        do {
            _ = try DefinitionLoader.parse(yaml: yaml(extra), file: "pipelines/demo.yaml", catalogue: .builtIn)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test("without settings: the documented defaults; without mobility: no annualisation")
    func defaults() throws {
        let definition = try DefinitionLoader.parse(yaml: Self.yaml(""), file: "pipelines/demo.yaml", catalogue: .builtIn)
        #expect(definition.settings.coverageThreshold == 0.9)
        #expect(definition.settings.baselineMaxMissingShare == 0.10)
        #expect(definition.settings.baselineMaxCVRMSE == 0.25)
        #expect(definition.settings.baselineMaxAbsNMBE == 0.10)
        #expect(definition.settings.baselineHDDMaxPValue == 0.1)
        #expect(definition.commuting == nil)
        #expect(KPI.coverageThreshold == 0.9)
    }

    @Test("every setting is read")
    func allSettings() throws {
        let definition = try DefinitionLoader.parse(yaml: Self.yaml("""
            settings:
              coverage_threshold: 0.8
              baseline_max_missing_share: 0
              baseline_max_cvrmse: 0.3
              baseline_max_abs_nmbe: 0.05
              baseline_hdd_max_p_value: 0.05
            mobility: { commuting_days_per_year: 210.5, trips_per_day: 2 }
            """), file: "pipelines/demo.yaml", catalogue: .builtIn)
        #expect(definition.settings.coverageThreshold == 0.8)
        #expect(definition.settings.baselineMaxMissingShare == 0)
        #expect(definition.settings.baselineMaxCVRMSE == 0.3)
        #expect(definition.settings.baselineMaxAbsNMBE == 0.05)
        #expect(definition.settings.baselineHDDMaxPValue == 0.05)
        #expect(definition.commuting == PipelineDefinition.Commuting(daysPerYear: 210.5, tripsPerDay: 2))
    }

    @Test("invalid values name the file, line, key path and what is valid")
    func invalidValues() {
        #expect(Self.errors("""
            settings:
              coverage_threshold: 0
              baseline_max_missing_share: 1
              baseline_max_cvrmse: lots
              baseline_max_abs_nmbe: -0.1
              baseline_hdd_max_p_value: 1.5
              coverage: 0.9
            mobility: { commuting_days_per_year: 400, trips_per_day: 0, days: 3 }
            """) == [
            "pipelines/demo.yaml:15: settings.coverage: unknown key; known: coverage_threshold, "
                + "baseline_max_missing_share, baseline_max_cvrmse, baseline_max_abs_nmbe, baseline_hdd_max_p_value",
            "pipelines/demo.yaml:10: settings.coverage_threshold: \"0\" is not valid: give a ratio > 0 and ≤ 1, "
                + "e.g. 0.9 (omit the key for the default)",
            "pipelines/demo.yaml:11: settings.baseline_max_missing_share: \"1\" is not valid: give a ratio ≥ 0 and "
                + "< 1, e.g. 0.10 (omit the key for the default)",
            "pipelines/demo.yaml:12: settings.baseline_max_cvrmse: \"lots\" is not valid: give a ratio > 0 and ≤ 1, "
                + "e.g. 0.25 (omit the key for the default)",
            "pipelines/demo.yaml:13: settings.baseline_max_abs_nmbe: \"-0.1\" is not valid: give a ratio > 0 and "
                + "≤ 1, e.g. 0.10 (omit the key for the default)",
            "pipelines/demo.yaml:14: settings.baseline_hdd_max_p_value: \"1.5\" is not valid: give a ratio > 0 and "
                + "≤ 1, e.g. 0.1 (omit the key for the default)",
            "pipelines/demo.yaml:16: mobility.days: unknown key; known: commuting_days_per_year, trips_per_day",
            "pipelines/demo.yaml:16: mobility.commuting_days_per_year: \"400\" is not valid: give a number of days "
                + "> 0 and ≤ 366, e.g. 220",
            "pipelines/demo.yaml:16: mobility.trips_per_day: \"0\" is not valid: give one-way commuting trips per "
                + "commuting day, a number > 0 and ≤ 10, e.g. 2 (there and back)",
        ])
    }

    @Test("mobility needs both keys")
    func mobilityNeedsBothKeys() {
        #expect(Self.errors("mobility: { commuting_days_per_year: 220 }") == [
            "pipelines/demo.yaml:9: mobility.trips_per_day: missing; give one-way commuting trips per commuting day, "
                + "a number > 0 and ≤ 10, e.g. 2 (there and back)",
        ])
        #expect(Self.errors("settings: 0.9") == ["pipelines/demo.yaml:9: settings: expected a mapping (key: value lines)"])
    }
}
