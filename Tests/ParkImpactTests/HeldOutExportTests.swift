import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The held-out check of issue #17 on real exports the code was not written against
/// (`Tests/ParkImpactTests/Fixtures/heldout/`, see its PROVENANCE.md): `sniff` names the format or proposes a
/// `generic` mapping with the right quantities and kinds, and that proposal pasted unedited (only `<site id>` and
/// `kwh_per_m3` filled in) gives the totals and local-day values computed independently from the raw bytes by
/// `scripts/heldout_totals.py` (written by `scripts/heldout_totals.py --json` to `Fixtures/heldout/expected.json`).
@Suite struct HeldOutExportTests {
    static func path(_ folder: String, _ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/ParkImpactTests/Fixtures/\(folder)/\(name)").path
    }

    /// Sniff, paste, read: the report and the file's result.
    static func pasted(_ path: String, kwhPerM3: String? = nil) throws -> (SniffReport, FileResult) {
        let report = try Sniff.sniff(path: path)
        var yaml = try #require(report.yamlHint)
        if let kwhPerM3 { yaml = yaml.replacingOccurrences(of: "<from the bill>", with: kwhPerM3) }
        switch Sniff.trial(yaml, path: path) {
        case .success(let (result, _)): return (report, result)
        case .failure(let problem): throw problem
        }
    }

    /// Sums per local day (`2024-03-31`) per quantity.
    static func localDays(_ result: FileResult) -> [String: [String: Double]] {
        var sums: [String: [String: Double]] = [:]
        for series in result.series {
            for (day, cell) in series.days {
                sums[series.key.quantity.rawValue, default: [:]][CivilDate(dayNumber: day).description, default: 0] += cell.sum
            }
        }
        return sums
    }

    static let expected: [String: [String: [String: Double]]] = {
        let url = URL(fileURLWithPath: path("heldout", "expected.json"))
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Double]]]
        else { return [:] }
        return json
    }()

    @Test("sniff names the format or a generic mapping, and the pasted proposal gives the independent local days",
          arguments: [
              ("energiemanager_online_elec_2025_head400.csv", "generic"),
              ("energiemanager_online_gas_2013_head400.csv", "generic"),
              ("enphase_custom_report_9999999_production_only_head1489.csv", "enphase"),
              ("enphase_site_energy_production_report_daily_thousands.csv", "generic"),
              ("united_power_daily_first_block.csv", "generic"),
              ("edccr_solar_15min_trailing_delimiter.csv", "generic"),
              ("enphase_custom_report_9999998_head1465.csv", "enphase"),
              ("grafana_pv_11_meter_kwh_first_hourly.csv", "generic"),
              ("influxdb_chronograf_kwh_first_value_hourly.csv", "generic"),
              ("isolarcloud_monthly_report_daily.csv", "sungrow"),
              ("myenergi_zappi_report_hourly_utc.csv", "generic"),
              ("shelly_em3_phaseB_utc_repeated_rows_excerpt.csv", "generic"),
              ("sma_sunny_tripower_8_daily_registers.csv", "sma"),
          ])
    func heldOut(name: String, format: String) throws {
        // kwh_per_m3: 10, as scripts/heldout_totals.py's KWH_PER_M3.
        let (report, result) = try Self.pasted(Self.path("heldout", name), kwhPerM3: "10")
        #expect((report.format?.rawValue ?? "generic") == format)
        let truth = try #require(Self.expected[name])
        let ours = Self.localDays(result)
        #expect(Set(ours.keys) == Set(truth.keys), "\(name): quantities \(ours.keys.sorted()) vs \(truth.keys.sorted())")
        for (quantity, days) in truth {
            let read = ours[quantity] ?? [:]
            let differing = Set(days.keys).union(read.keys).filter { abs((days[$0] ?? 0) - (read[$0] ?? 0)) > 1e-6 }
            #expect(differing.isEmpty, "\(name) \(quantity): days differ \(differing.sorted().prefix(3))")
            #expect(abs(days.values.reduce(0, +) - read.values.reduce(0, +)) < 1e-6)
        }
    }

    @Test("a long file whose meter numbers say electricity (E…) or gas (G…): where: per kind, gas in m3 with kwh_per_m3, registers 3–4 injection (Liander)")
    func lianderMeterNumberKinds() throws {
        let (report, result) = try Self.pasted(
            Self.path("generic", "liander_csv_bijlage_electricity_and_gas_registers.csv"), kwhPerM3: "9.769")
        let yaml = try #require(report.yamlHint)
        #expect(yaml.contains("""
              - { column: "reading1", quantity: gas, unit: m3, kind: cumulative, meter: "reading1 G0039001721304017", \
            where: { "meternummer": "G0039001721304017" } }   # check: meter number "G0039001721304017" starts with G → \
            gas; no unit in the header: m3 assumed
            """), "\(yaml)")
        #expect(yaml.contains("kwh_per_m3: <from the bill>"))
        #expect(result.rejects.isEmpty)
        // python3 over the raw file: E rows reading1 + reading2 last − first = 1318.9 + 1474.6 = 2793.5 kWh;
        // reading3 + reading4 = 52.741 + 124.134 = 176.875 kWh; G rows reading1 = 377.9 m³ × 9.769 = 3691.7051 kWh.
        #expect(abs(totals(result, .electricityOfftake).sum - 2793.5) < 1e-6)
        #expect(abs(totals(result, .electricityInjection).sum - 176.875) < 1e-6)
        #expect(abs(totals(result, .gas).sum - 3691.7051) < 1e-6)
    }

    @Test("injection written as negative numbers: scale: -1 with a check (Energie Manager Online daily)")
    func negativeInjection() throws {
        let (report, result) = try Self.pasted(Self.path("generic", "energiemanager_online_2016_daily.csv"))
        let yaml = try #require(report.yamlHint)
        #expect(yaml.contains("""
            { column: "Teruglevering laag tarief", quantity: electricity_injection, unit: kWh, scale: -1, meter: \
            "Teruglevering laag tarief" }   # check: "teruglevering" in the name → electricity_injection; no unit in the \
            header: kWh assumed; every sampled value is 0 or below (102 below 0): negative numbers for \
            electricity_injection → scale: -1
            """), "\(yaml)")
        // python3 over the raw file, the 366 day rows (the year-total row last is refused as conflicting with the
        // first day): offtake Σ (laag + hoog) = 2961.471 kWh, injection Σ −(laag + hoog) = 1252.569 kWh.
        #expect(abs(totals(result, .electricityOfftake).sum - 2961.471) < 1e-6)
        #expect(abs(totals(result, .electricityInjection).sum - 1252.569) < 1e-6)
        #expect(result.rejects.allSatisfy { $0.line == 368 })
    }
}
