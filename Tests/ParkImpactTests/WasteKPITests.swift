import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Waste KPIs on a small pilot worked out by hand. Every expected value is computed in the comments from the rows of
/// the collector's report below, never by ParkImpact's code.
///
/// Sites `x` and `y` have collections, `z` has none. Periods: baseline 2023, reporting 2024.
///
/// | date       | site | EURAL     | kg  | treatment | counts as |
/// |------------|------|-----------|-----|-----------|-----------|
/// | 2023-05-15 | x    | 20 03 01  | 500 | R1        | residual, energy recovery |
/// | 2024-02-06 | x    | 20 03 01  | 400 | R1        | residual, energy recovery |
/// | 2024-02-13 | x    | 20 01 01  | 250 | R3        | recycling |
/// | 2024-02-15 | y    | 15 01 01  |  80 | R3        | recycling |
/// | 2024-02-20 | x    | 17 04 05  | 150 | R4        | recycling |
/// | 2024-02-27 | x    | 16 06 01* |  50 | R4        | recycling, hazardous |
/// | 2024-02-27 | x    | 20 03 01  | 100 | D1        | residual, disposal |
/// | 2024-02-29 | x    | 17 09 04  |  50 | (none)    | unknown treatment |
/// | 2024-02-29 | x    | 13 02 05* |  20 | (none)    | unknown treatment, hazardous |
/// | 2024-07-10 | x    | 19 12 12  | 300 | D1        | residual, disposal |
/// | 2024-07-10 | x    | 20 01 01  | 200 | R3        | recycling |
/// | 2024-09-02 | y    | 15 01 01  |   0 | R3        | a collection weighing 0 kg |
///
/// A second source (`parkimpact-long`) adds 0.1 t = 100 kg for `y` on 2024-10-15 in a series named
/// `container-restafval`: no EURAL code or treatment to read.
///
/// February 2024, site x: total 400 + 250 + 150 + 50 + 100 + 50 + 20 = 1,020 kg; recycling 250 + 150 + 50 = 450;
/// R1 400; D 100; unknown treatment 50 + 20 = 70 (450 + 400 + 100 + 70 = 1,020 ✓); residual 400 + 100 = 500;
/// hazardous 50 + 20 = 70.
/// February 2024, pilot: x + y's 80 kg (R3) = 1,100 kg; recycling 530; R1 400; D 100; residual 500; hazardous 70.
/// 2024, site x: February + 300 (D1, residual) + 200 (R3) = 1,520 kg; recycling 650; R1 400; D 400; residual 800;
/// hazardous 70.
/// 2024, pilot: 1,520 + 80 + 0 + 100 = 1,700 kg; recycling 650 + 80 = 730; R1 400; D 400; residual 800; hazardous 70.
/// 2023, site x: 500 kg, all R1 and residual.
@Suite struct WasteKPITests {
    static let yaml = """
        pilot: waste
        name: "Waste pilot"
        language: en
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: x, name: "X NV" }
          - { id: y, name: "Y BV" }
          - { id: z, name: "Z CV" }
        sources:
          - { path: "afval.csv", format: waste, site: x }   # the Vestiging column names the site of each row
          - { path: "containers.csv", format: parkimpact-long }
        """

    static let collections = """
        Datum;Vestiging;Euralcode;Omschrijving;Gewicht (kg);Verwerkingscode;Inzamelaar
        15-05-2023;x;20 03 01;Restafval;500;R1;Afvalbedrijf NV
        06-02-2024;x;20 03 01;Restafval;400;R1;Afvalbedrijf NV
        13-02-2024;x;20 01 01;Papier en karton;250;R3;Afvalbedrijf NV
        15-02-2024;y;15 01 01;Verpakking papier;80;R3;Afvalbedrijf NV
        20-02-2024;x;17 04 05;IJzer en staal;150;R4;Metaal BV
        27-02-2024;x;16 06 01*;Loodaccu's;50;R4;Speciaal Afval BV
        27-02-2024;x;20 03 01;Restafval;100;D1;Afvalbedrijf NV
        29-02-2024;x;17 09 04;Gemengd bouwafval;50;;Bouw NV
        29-02-2024;x;13 02 05*;Afgewerkte olie;20;;Speciaal Afval BV
        10-07-2024;x;19 12 12;Sorteerresidu;300;D1;Afvalbedrijf NV
        10-07-2024;x;20 01 01;Papier en karton;200;R3;Afvalbedrijf NV
        02-09-2024;y;15 01 01;Verpakking papier;0;R3;Afvalbedrijf NV

        """

    static let containers = """
        timestamp,site,series,quantity,value,unit,quality
        2024-10-15T00:00:00+02:00,y,container-restafval,waste_mass,0.1,t,measured

        """

    let report: PilotReport

    init() throws {
        report = try runPilot("waste", yaml: Self.yaml, files: ["afval.csv": Self.collections, "containers.csv": Self.containers])
    }

    func kpi(_ key: String, _ period: String, _ site: String? = nil) throws -> KPI {
        try #require(report.kpi(key, period: period, site: site), "\(key) \(period) \(site ?? "pilot")")
    }

    func value(_ key: String, _ period: String, _ site: String? = nil) -> Double? {
        report.kpi(key, period: period, site: site)?.value
    }


    static let shares = ["waste.recycling_rate", "waste.energy_recovery_share", "waste.disposal_share",
                         "waste.residual_share", "waste.hazardous_share"]

    @Test func theFixtureIsReadWithoutRejects() {
        #expect(report.rejects.isEmpty)
        #expect(report.files.allSatisfy { $0.problem == nil })
    }

    @Test func aMonthWithMixedTreatments() throws {
        #expect(close(value("waste.total_kg", "2024-02", "x"), 1020))
        #expect(close(value("waste.recycling_rate", "2024-02", "x"), 450.0 / 1020))  // 0.441176…
        #expect(close(value("waste.energy_recovery_share", "2024-02", "x"), 400.0 / 1020))  // 0.392157…
        #expect(close(value("waste.disposal_share", "2024-02", "x"), 100.0 / 1020))  // 0.098039…
        #expect(close(value("waste.residual_share", "2024-02", "x"), 500.0 / 1020))  // 0.490196…
        #expect(close(value("waste.hazardous_share", "2024-02", "x"), 70.0 / 1020))  // 0.068627…
        // The pilot adds y's 80 kg of R3.
        #expect(close(value("waste.total_kg", "2024-02"), 1100))
        #expect(close(value("waste.recycling_rate", "2024-02"), 530.0 / 1100))
        #expect(close(value("waste.energy_recovery_share", "2024-02"), 400.0 / 1100))
        #expect(close(value("waste.disposal_share", "2024-02"), 100.0 / 1100))
        #expect(close(value("waste.residual_share", "2024-02"), 500.0 / 1100))
        #expect(close(value("waste.hazardous_share", "2024-02"), 70.0 / 1100))
    }

    @Test func unknownTreatmentCountsInTheTotalOnlyAndIsFlagged() throws {
        // 70 kg without a treatment code in February at x: the treatment shares add up to (1020 − 70) ÷ 1020.
        let treatments = try ["waste.recycling_rate", "waste.energy_recovery_share", "waste.disposal_share"]
            .map { try kpi($0, "2024-02", "x") }
        #expect(close(treatments.reduce(0) { $0 + ($1.value ?? 0) }, 950.0 / 1020))
        #expect(treatments.allSatisfy { $0.flags == [.unknownTreatment] })
        #expect(treatments.allSatisfy { $0.provenance.formula.contains("unknown treatment code counts in the total") })
        // Residual and hazardous shares do not depend on the treatment: no flag.
        #expect(try kpi("waste.residual_share", "2024-02", "x").flags.isEmpty)
        #expect(try kpi("waste.hazardous_share", "2024-02", "x").flags.isEmpty)
        // 2023 has no unknown treatment: no flags.
        #expect(try Self.shares.allSatisfy { try kpi($0, "baseline", "x").flags.isEmpty })
    }

    @Test func aYearAndTheReportingPeriod() throws {
        #expect(close(value("waste.total_kg", "2024", "x"), 1520))
        #expect(close(value("waste.recycling_rate", "2024", "x"), 650.0 / 1520))
        #expect(close(value("waste.energy_recovery_share", "2024", "x"), 400.0 / 1520))
        #expect(close(value("waste.disposal_share", "2024", "x"), 400.0 / 1520))
        #expect(close(value("waste.residual_share", "2024", "x"), 800.0 / 1520))
        #expect(close(value("waste.hazardous_share", "2024", "x"), 70.0 / 1520))
        for period in ["2024", "reporting"] {
            #expect(close(value("waste.total_kg", period), 1700))
            #expect(close(value("waste.recycling_rate", period), 730.0 / 1700))
            #expect(close(value("waste.energy_recovery_share", period), 400.0 / 1700))
            #expect(close(value("waste.disposal_share", period), 400.0 / 1700))
            #expect(close(value("waste.residual_share", period), 800.0 / 1700))
            #expect(close(value("waste.hazardous_share", period), 70.0 / 1700))
        }
        // Baseline: 500 kg, all to R1, all residual; a recycling rate of 0 is a value, not a null.
        #expect(close(value("waste.total_kg", "baseline", "x"), 500))
        #expect(value("waste.recycling_rate", "baseline", "x") == 0)
        #expect(value("waste.energy_recovery_share", "baseline", "x") == 1)
        #expect(value("waste.disposal_share", "baseline", "x") == 0)
        #expect(value("waste.residual_share", "baseline", "x") == 1)
        #expect(value("waste.hazardous_share", "baseline", "x") == 0)
    }

    @Test func aSeriesWithoutACategoryIsMassOfUnknownCodeAndTreatment() throws {
        // October 2024 at y: 100 kg in `container-restafval`, nothing else.
        #expect(close(value("waste.total_kg", "2024-10", "y"), 100))
        for key in Self.shares {
            #expect(value(key, "2024-10", "y") == 0, "\(key)")
        }
        #expect(try kpi("waste.recycling_rate", "2024-10", "y").flags == [.unknownTreatment])
        #expect(try kpi("waste.residual_share", "2024-10", "y").flags == [.unknownEural])
        #expect(try kpi("waste.hazardous_share", "reporting").flags == [.unknownEural])
        #expect(try kpi("waste.disposal_share", "reporting").flags == [.unknownTreatment])
    }

    @Test func nullsWithTheirReasons() throws {
        for key in ["waste.total_kg"] + Self.shares {
            let z = try kpi(key, "reporting", "z")
            #expect(z.value == nil)
            #expect(z.provenance.reason == "no source delivers waste collections for site z")
            // March 2024: no collection anywhere.
            let march = try kpi(key, "2024-03")
            #expect(march.value == nil)
            #expect(march.provenance.reason == "no waste collections in this period")
            // y's first collection is in 2024.
            #expect(try kpi(key, "baseline", "y").provenance.reason == "no waste collections in this period")
        }
        // September 2024 at y: one collection of 0 kg. The total is a real 0; the shares cannot be computed.
        #expect(value("waste.total_kg", "2024-09", "y") == 0)
        for key in Self.shares {
            let september = try kpi(key, "2024-09", "y")
            #expect(september.value == nil)
            #expect(september.provenance.reason == "the waste collections in this period weigh 0 kg")
        }
    }

    @Test func unitsCoverageAndProvenance() throws {
        let total = try kpi("waste.total_kg", "2024-02", "x")
        #expect(total.unit == .kg)
        #expect(total.coverage == nil)
        #expect(total.provenance.inputs == ["waste/afval.csv"])
        #expect(try Self.shares.allSatisfy { try kpi($0, "2024-02").unit == .ratio && kpi($0, "2024-02").coverage == nil })
        #expect(try kpi("waste.total_kg", "2024-10", "y").provenance.inputs == ["waste/containers.csv"])
        #expect(try kpi("waste.recycling_rate", "2024-02").provenance.formula
            .hasPrefix("mass collected for recycling (treatment R2–R11) ÷ waste.total_kg"))
    }

    @Test func aPilotWithoutWaterHasNoWaterRows() {
        #expect(!report.kpis.contains { $0.key.hasPrefix("water.") })
        #expect(report.kpis.contains { $0.key == "waste.total_kg" && $0.period == "2023-01" && $0.site == "z" })
    }
}
