import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

@Suite struct DefinitionTests {
    @Test("a misspelt format names the file, line, key path and the valid formats")
    func unknownFormat() {
        let yaml = """
            pilot: demo
            name: Demo
            periods:
              baseline: { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites: [ { id: acme } ]
            sources:
              - path: "acme/*.csv"
                format: fluvus
                site: acme
            """
        #expect(throws: DefinitionErrors.self) {
            try DefinitionLoader.parse(yaml: yaml, file: "pipelines/demo.yaml", catalogue: .builtIn)
        }
        do {
            _ = try DefinitionLoader.parse(yaml: yaml, file: "pipelines/demo.yaml", catalogue: .builtIn)
        } catch {
            #expect(error.description == "pipelines/demo.yaml:9: sources[0].format: unknown format \"fluvus\"; known: "
                + "fluvius, parkimpact-long, sma, sungrow, enphase, homewizard-water, homewizard-energy, meter-readings, "
                + "telraam, ecocounter, commute-survey, trips, waste, temperature, generic")
        }
    }

    @Test("every problem is reported at once, with its key path")
    func severalProblems() {
        let yaml = """
            pilot: demo
            name: Demo
            language: fr
            periods:
              baseline: { from: 2023-01-01, to: 2022-12-31 }
            sites:
              - { id: acme, electricity_contract: blue, fte: -3 }
            sources:
              - { path: "../etc/*.csv", format: fluvius, site: nobody }
            factors:
              electricity.location: lots
            """
        do {
            _ = try DefinitionLoader.parse(yaml: yaml, file: "pipelines/demo.yaml", catalogue: .builtIn)
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.description) == [
                "pipelines/demo.yaml:3: language: unknown value \"fr\"; valid: nl, en",
                "pipelines/demo.yaml:5: periods.baseline: from 2023-01-01 is after to 2022-12-31",
                "pipelines/demo.yaml:5: periods.reporting: missing; give it as { from: YYYY-MM-DD, to: YYYY-MM-DD }",
                "pipelines/demo.yaml:7: sites[0].fte: \"-3\" is not a positive number",
                "pipelines/demo.yaml:7: sites[0].electricity_contract: unknown value \"blue\"; valid: grey, green",
                "pipelines/demo.yaml:9: sources[0].path: \"../etc/*.csv\" leaves input/demo/; give a path relative "
                    + "to that folder without ..",
                "pipelines/demo.yaml:9: sources[0].site: unknown site \"nobody\"; known: acme",
                "pipelines/demo.yaml:11: factors.electricity.location: \"lots\" is not a number ≥ 0 (kg CO2e per unit)",
            ])
        }
    }

    @Test("the pilot id must match the file name")
    func pilotMatchesFileName() {
        do {
            _ = try DefinitionLoader.parse(yaml: "pilot: other\nname: x\nperiods: {}\nsites: []\nsources: []\n",
                                           file: "pipelines/demo.yaml", catalogue: .builtIn)
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.first?.description
                == "pipelines/demo.yaml:1: pilot: \"other\" does not match the file name \"demo\"; name the file other.yaml")
        }
    }

    @Test("a factor override replaces the catalogue value and names the pipeline as its source")
    func factorOverride() throws {
        let definition = try definition(extra: "factors:\n  electricity.location: 0.15\n")
        let picked = try #require(FactorCatalogue.builtIn.pick("electricity.location", year: 2024,
                                                               overrides: definition.factorOverrides,
                                                               overrideFile: definition.file))
        #expect(picked.factor.value == 0.15)
        #expect(picked.factor.source.hasPrefix("override in pipelines/test.yaml"))
    }
}

@Suite struct SourceUnitTests {
    @Test("a source unit that does not fit its quantity is a definition error")
    func unitMustFitQuantity() {
        do {
            _ = try DefinitionLoader.parse(yaml: """
                pilot: w
                name: W
                periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
                sites: [ { id: s } ]
                sources:
                  - { path: "*.csv", format: meter-readings, site: s, quantity: water, unit: kWh }
                """, file: "pipelines/w.yaml", catalogue: .builtIn)
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.map(\.description) == [
                "pipelines/w.yaml:6: sources[0].unit: kWh does not fit quantity water (expected m3 or a unit of the same kind)",
            ])
        }
    }
}
