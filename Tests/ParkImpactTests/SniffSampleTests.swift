import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `parkimpact sniff` names the right format for every real export in Tests/Fixtures/samples.
@Suite
struct SniffSampleTests {
    static let expected: [String: SourceFormatName] = [
        "energycontrol_water_meter_readings_full.csv": .meterReadings,
        "enphase_custom_report_hourly_head20.csv": .enphase,
        "fluvius_en_electricity_15min_DST_fallback_2023-10-29_excerpt.csv": .fluvius,
        "fluvius_en_electricity_15min_head40.csv": .fluvius,
        "fluvius_en_gas_hourly_DST_fallback_2023-10-29_excerpt.csv": .fluvius,
        "fluvius_en_gas_hourly_head40.csv": .fluvius,
        "fluvius_nl_elektriciteit_DST_fallback_2021-10-31_excerpt.csv": .fluvius,
        "fluvius_nl_elektriciteit_kwartiertotalen_head40.csv": .fluvius,
        "fluvius_nl_elektriciteit_values_statuses_excerpt.csv": .fluvius,
        "fluvius_nl_gas_uurtotalen_full.csv": .fluvius,
        "homewizard_water_15min_head30.csv": .homewizardWater,
        "sma_webui_5min_head14.csv": .sma,
        "sma_webui_daily_head20.csv": .sma,
        "sungrow_isolarcloud_monthly_report_full.csv": .sungrow,
        "telraam_s2_rawdata_hourly_excerpt_DERIVED_from_xlsx.csv": .telraam,
    ]

    @Test("every sample has an expectation here")
    func everySampleCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: samplesFolder).filter { $0.hasSuffix(".csv") }
        #expect(Set(names) == Set(Self.expected.keys))
    }

    @Test("sniff names the format, and only one format matches", arguments: expected.keys.sorted())
    func namesTheFormat(_ name: String) throws {
        let report = try Sniff.sniff(path: samplePath(name))
        #expect(report.format == Self.expected[name])
        #expect(report.tried.filter { $0.verdict != "no" }.count == 1, "\(report.tried)")
        #expect(report.warnings.filter { $0.contains("several formats") }.isEmpty)
    }
}
