import Foundation
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `Tests/Fixtures/samples`: real exports with their PROVENANCE.md.
let samplesFolder = packageRoot.appendingPathComponent("Tests/Fixtures/samples").path

func samplePath(_ name: String) -> String { samplesFolder + "/" + name }

/// A one-site definition reading everything as `format`, with more keys of the source in `source` (flow style:
/// `columns: { timestamp: Tijd }, values: [ … ]`).
func definition(format: SourceFormatName = .fluvius, site: String = "s1", timezone: String = "Europe/Brussels",
                source: String = "", extra: String = "") throws -> PipelineDefinition {
    try DefinitionLoader.parse(yaml: """
        pilot: test
        name: Test
        timezone: \(timezone)
        periods:
          baseline: { from: 2021-01-01, to: 2022-12-31 }
          reporting: { from: 2023-01-01, to: 2023-12-31 }
        sites:
          - { id: \(site), name: Site one }
        sources:
          - { path: "*.csv", format: \(format.rawValue), site: \(site)\(source.isEmpty ? "" : ", " + source) }
        \(extra)
        """, file: "pipelines/test.yaml", catalogue: .builtIn)
}

/// Reads one file as the run would.
func readFile(_ path: String, format: SourceFormatName = .fluvius, traceLimit: Int = 0) throws -> FileResult {
    let definition = try definition(format: format)
    let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: traceLimit)
}

/// Totals of one quantity over all its series in a file result.
struct QuantityTotals: Equatable {
    var present = 0
    var estimated = 0
    var missing = 0
    var sum = 0.0
}

func totals(_ result: FileResult, _ quantity: Quantity) -> QuantityTotals {
    var totals = QuantityTotals()
    for series in result.series where series.key.quantity == quantity {
        for cell in series.days.values {
            totals.present += Int(cell.present)
            totals.estimated += Int(cell.estimated)
            totals.missing += Int(cell.missing)
            totals.sum += cell.sum
        }
    }
    return totals
}

/// `2023-10-28T23:00Z` → seconds since 1970.
func utc(_ text: String) -> Int64 {
    let parts = text.dropLast().split(separator: "T")
    let date = CivilDate(iso: String(parts[0]))!
    let time = parts[1].split(separator: ":").map { Int64($0)! }
    return Int64(date.dayNumber) * 86_400 + time[0] * 3600 + time[1] * 60
}

/// A scratch folder with pipelines/, input/ and output/.
struct Scratch {
    let root: String
    var folders: RunFolders { RunFolders(pipelines: root + "/pipelines", input: root + "/input", output: root + "/output") }

    init() throws {
        root = NSTemporaryDirectory() + "parkimpact-test-" + UUID().uuidString
        for folder in ["pipelines", "input", "output"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
    }

    func write(_ relative: String, _ text: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// Runs one pilot end to end in a scratch folder: its definition, and its input files by path under input/<pilot>/.
func runPilot(_ pilot: String, yaml: String, files: [String: String]) throws -> PilotReport {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("pipelines/\(pilot).yaml", yaml)
    for (path, text) in files { try scratch.write("input/\(pilot)/\(path)", text) }
    let definition = try DefinitionLoader.load(file: scratch.root + "/pipelines/\(pilot).yaml", catalogue: .builtIn)
    var diagnostics = Diagnostics()
    return PipelineRun.execute(definitions: [definition],
                               context: .init(folders: scratch.folders, catalogue: .builtIn, threads: 2),
                               diagnostics: &diagnostics)[0].report!
}

/// Equal within a relative tolerance (floating-point sums added in another order); false for nil.
func close(_ actual: Double?, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= tolerance * max(1, abs(expected))
}

/// `csv` read by a `generic` source (site `s`; `source` adds the mapping's YAML lines: columns, values, ...), as a
/// run reads the file, in a scratch pilot `g`.
func readGeneric(_ csv: String, source: String, traceLimit: Int = 100) throws -> FileResult {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("input/g/data.csv", csv)
    let definition = try DefinitionLoader.parse(yaml: """
        pilot: g
        name: G
        periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
        sites: [ { id: s } ]
        sources:
          - path: "*.csv"
            format: generic
            site: s
        \(source)
        """, file: "pipelines/g.yaml", catalogue: .builtIn)
    let file = InputFile(path: scratch.root + "/input/g/data.csv", relativePath: "g/data.csv", pilot: "g",
                         source: definition.sources[0])
    return ReadFile.read(file, definition: definition, traceLimit: traceLimit)
}
