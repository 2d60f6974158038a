import Foundation
import ParkImpactModel
public import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// Every format's reader on arbitrary bytes, for the libFuzzer targets (`make fuzz`): the checks a run relies on,
/// as preconditions that stop the fuzzer with the input that broke them.
///
/// - reading never traps, whatever the bytes (a format, the aggregator, the time tables);
/// - every day sum, maximum and reading the reader hands on is finite (a `1e308` or an overflowed register is
///   rejected before arithmetic, `FileAggregator.largestReading`);
/// - the file's contribution survives the state's codec: encoded and decoded, it is the same.
public enum FormatFuzzing {
    /// The formats a fuzz input can pick (its first byte), `generic` with a fixed two-column mapping.
    public static let formats: [SourceFormatName] = SourceFormatName.implemented

    private static let definitions: [SourceFormatName: PipelineDefinition] = {
        var result: [SourceFormatName: PipelineDefinition] = [:]
        for format in formats {
            let extra = format != .generic ? ""
                : ", columns: { timestamp: \"t\" }, values: [ { column: \"v\", quantity: electricity_offtake, "
                    + "unit: kWh }, { column: \"r\", quantity: water, unit: m3, kind: cumulative } ]"
            let site = format == .parkimpactLong ? "" : ", site: s"  // its rows name their site
            let yaml = """
                pilot: f
                name: F
                periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
                sites: [ { id: s } ]
                sources: [ { path: "*", format: \(format.rawValue)\(site)\(extra) } ]
                """
            result[format] = try? DefinitionLoader.parse(yaml: yaml, file: "pipelines/f.yaml", catalogue: .builtIn)
        }
        return result
    }()

    /// Reads `bytes` (written to `path`) as format `formats[pick % formats.count]` and checks the invariants.
    public static func check(_ bytes: [UInt8], pick: UInt8, path: String) {
        let format = formats[Int(pick) % formats.count]
        guard let definition = definitions[format],
              FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        let file = InputFile(path: path, relativePath: "f/input.csv", pilot: "f", source: definition.sources[0])
        let result = ReadFile.read(file, definition: definition, traceLimit: 4, fingerprint: true)
        for series in result.series {
            for (day, cell) in series.days {
                precondition(cell.sum.isFinite, "\(format.rawValue): day \(day) of \(series.key) sums to \(cell.sum)")
            }
            for reading in series.readings {
                precondition(reading.value.isFinite, "\(format.rawValue): a reading of \(series.key) is \(reading.value)")
            }
        }
        let contribution = ContributionCodec.Contribution(series: result.series, rejects: result.rejects,
                                                          summary: result.summary)
        let encoded = ContributionCodec.encode(contribution)
        precondition(encoded.count == ContributionCodec.encodedSize(contribution), "encodedSize differs from encode")
        guard let decoded = try? ContributionCodec.decode(encoded) else {
            preconditionFailure("\(format.rawValue): a contribution just encoded does not decode")
        }
        precondition(ContributionCodec.encode(decoded) == encoded, "\(format.rawValue): codec round trip differs")
    }

    /// The state decoder on arbitrary bytes: it throws or returns, never traps.
    public static func decode(_ bytes: [UInt8]) {
        _ = try? ContributionCodec.decode(bytes)
    }
}
