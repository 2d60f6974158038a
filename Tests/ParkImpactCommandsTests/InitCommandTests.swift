import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactPipeline
@testable import ParkImpactCommands

/// `parkimpact init PILOT`: the commented template, the input folder, no overwriting.
@Suite struct InitCommandTests {
    @Test("init writes pipelines/<pilot>.yaml and input/<pilot>/, and refuses to overwrite the definition (73)")
    func initWritesTheTemplateOnce() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let arguments = ["init", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"), "zuid-park"]
        #expect(runCommand(arguments) == 0)
        #expect(scratch.read("pipelines/zuid-park.yaml") == InitCommand.template(pilot: "zuid-park"))
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: scratch.path("input/zuid-park"), isDirectory: &isFolder))
        #expect(isFolder.boolValue)
        try scratch.write("pipelines/zuid-park.yaml", "pilot: zuid-park\n")
        #expect(runCommand(arguments) == 73)
        #expect(scratch.read("pipelines/zuid-park.yaml") == "pilot: zuid-park\n")
        #expect(runCommand(["init", "--pipelines", scratch.path("pipelines"), "Zuid Park"]) == 64)
    }

    @Test("every key of the template has a comment, and the example sources are commented out")
    func templateIsCommented() {
        let lines = InitCommand.template(pilot: "p").split(separator: "\n")
        for line in lines where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            let key = line.split(separator: ":").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if ["baseline", "reporting"].contains(key) || !line.contains("{") && !line.hasSuffix(":") {
                #expect(line.contains(" # "), "\(line)")
            }
        }
        #expect(lines.filter { $0.hasPrefix("  - path:") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("  # - path:") }.count == 5)
    }

    @Test("the untouched template is refused with an error per placeholder")
    func untouchedTemplateIsRefused() throws {
        let yaml = InitCommand.template(pilot: "p")
        let errors: DefinitionErrors
        do {
            _ = try DefinitionLoader.parse(yaml: yaml, file: "pipelines/p.yaml", catalogue: .builtIn)
            Issue.record("the untouched template loaded")
            return
        } catch {
            errors = error
        }
        #expect(errors.description == """
            pipelines/p.yaml:9: periods.baseline.from: "YYYY-MM-DD" is not a date; write YYYY-MM-DD
            pipelines/p.yaml:9: periods.baseline.to: "YYYY-MM-DD" is not a date; write YYYY-MM-DD
            pipelines/p.yaml:10: periods.reporting.from: "YYYY-MM-DD" is not a date; write YYYY-MM-DD
            pipelines/p.yaml:10: periods.reporting.to: "YYYY-MM-DD" is not a date; write YYYY-MM-DD
            pipelines/p.yaml:12: sites[0].id: "<site-id>" is not a valid id: use letters, digits, -, _ and .
            """)
    }

    @Test("the template with its placeholders filled in as its comments say loads")
    func filledTemplateLoads() throws {
        var yaml = InitCommand.template(pilot: "p")
            .replacingOccurrences(of: "<park name>", with: "Park Zuid")
            .replacingOccurrences(of: "<site-id>", with: "acme")
            .replacingOccurrences(of: "<company name>", with: "ACME Metaal NV")
        for (period, from, to) in [("baseline:  ", "2023-01-01", "2023-12-31"), ("reporting: ", "2024-01-01", "2024-12-31")] {
            yaml = yaml.replacingOccurrences(of: period + "{ from: YYYY-MM-DD, to: YYYY-MM-DD }",
                                             with: period + "{ from: \(from), to: \(to) }")
        }
        let definition = try DefinitionLoader.parse(yaml: yaml, file: "pipelines/p.yaml", catalogue: .builtIn)
        #expect(definition.pilot == "p")
        #expect(definition.name == "Park Zuid")
        #expect(definition.language == .nl)
        #expect(definition.sites.map(\.id) == ["acme"])
        #expect(definition.sources.map(\.path) == ["acme/*.csv"])
        #expect(definition.sources.map(\.format) == [.fluvius])
    }
}
