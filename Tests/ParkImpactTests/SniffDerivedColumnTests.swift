import CSVReading
import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A supplier's readings with its registers and, beside them, the use per day and net totals it derived (Van Ons,
/// real export, `Fixtures/registers/`). Independent totals from the raw file, rows sorted by date: offtake = (dal +
/// normaal) on 25-01-2024 − on 16-11-2023 = 1,409 kWh; injection (invoeding dal + normaal) = 94 kWh.
@Suite struct SniffDerivedColumnTests {
    static let real = packageRoot.appendingPathComponent(
        "Tests/ParkImpactTests/Fixtures/registers/vanons_meterstanden_stroom_2023.csv").path

    static func read(_ path: String) throws -> (SniffReport, FileResult) {
        let report = try Sniff.sniff(path: path)
        let yaml = try #require(report.yamlHint)
        switch Sniff.trial(yaml, path: path) {
        case .success(let (result, _)): return (report, result)
        case .failure(let problem): throw problem
        }
    }

    @Test("sniff names meter-readings for it (derived columns beside the registers are known), and the entry reads 1,409 / 94 kWh")
    func meterReadings() throws {
        let (report, result) = try Self.read(Self.real)
        #expect(report.format == .meterReadings)
        #expect(totals(result, .electricityOfftake).sum == 1_409)
        #expect(totals(result, .electricityInjection).sum == 94)
    }

    @Test("a generic proposal (date column renamed so no format takes it) maps the registers only: never the daily use too")
    func genericNeverCountsTwice() throws {
        let text = try String(contentsOfFile: Self.real, encoding: .utf8)
        let path = NSTemporaryDirectory() + "vanons-\(UUID().uuidString).csv"
        try ("Moment" + text.dropFirst("datum".count)).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (report, result) = try Self.read(path)
        #expect(report.format == nil)
        let yaml = try #require(report.yamlHint)
        #expect(yaml.contains("# not mapped: \"afname minus invoeding stand totaal\", \"afname verbruik dal\", \"afname "
            + "verbruik normaal\", \"invoeding productie dal\", \"invoeding productie normaal\", \"afname minus invoeding "
            + "verbruik totaal\" (use per period or totals beside the registers, which give the use: mapping both would "
            + "count it twice)"), "\(yaml)")
        #expect(totals(result, .electricityOfftake).sum == 1_409)
        #expect(totals(result, .electricityInjection).sum == 94)
        #expect(totals(result, .pvProduction).sum == 0)
    }
}
