import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Collectors' waste reports. Expected masses are summed by hand in the comments.
@Suite struct WasteFormatTests {
    static let report = """
        \u{FEFF}Datum;Euralcode;Omschrijving;Gewicht;Eenheid;Verwerkingscode;Inzamelaar
        05-01-2024;20 03 01;Restafval;1.250,5;kg;R1;Afvalbedrijf NV
        12-01-2024;20.01.01;Papier en karton;0,8;t;R3;Afvalbedrijf NV
        19-01-2024;150102;PMD;310;kg;r 4;Afvalbedrijf NV
        26-01-2024;16 06 01*;Loodaccu's;42;kg;R04;Speciaal Afval BV
        02-02-2024;20 03 01;Restafval;980;kg;D1;Afvalbedrijf NV
        09-02-2024;20 03 0;Restafval;10;kg;R1;Afvalbedrijf NV
        09-02-2024;20 03 01;Restafval;10;kg;X9;Afvalbedrijf NV

        """

    @Test("EURAL codes in any notation, kg and t, hazardous marks and treatment codes")
    func collectorReport() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("waste.csv", Self.report)
        let result = try readFile(scratch.root + "/waste.csv", format: .waste)
        // `1.250,5` with a thousands separator: the dialect shows `.` groups before a decimal comma → 1,250.5 kg.
        let byCategory = Dictionary(uniqueKeysWithValues: result.series.map {
            ($0.key.meter, $0.days.values.reduce(0) { $0 + $1.sum })
        })
        #expect(byCategory == ["20 03 01 R1": 1250.5, "20 01 01 R3": 800, "15 01 02 R4": 310, "16 06 01* R4": 42,
                               "20 03 01 D1": 980])
        #expect(result.rejects.map(\.reason) == [
            "\"20 03 0\" is not a EURAL code (six digits, e.g. 20 03 01 or 16 06 01*)",
            "\"X9\" is not a treatment code (R1–R13 or D1–D15)",
        ])
        #expect(result.rejects.map(\.line) == [7, 8])
        #expect(result.rejects.map(\.column) == ["Euralcode", "Verwerkingscode"])
    }

    @Test("categories know recycling, energy recovery, disposal, residual and hazardous")
    func categories() throws {
        let residual = try #require(WasteCategory(eural: "20 03 01", treatment: "R1"))
        #expect(residual.isResidual && residual.isEnergyRecovery && !residual.isRecycling)
        let battery = try #require(WasteCategory(eural: "160601*", treatment: "R4"))
        #expect(battery.hazardous && battery.isRecycling && battery.description == "16 06 01* R4")
        #expect(WasteCategory(meter: battery.description) == battery)
        #expect(WasteCategory(eural: "19 12 12", treatment: "D 1")?.isDisposal == true)
        #expect(WasteCategory(eural: "20 03 01", treatment: "R14") == nil)
    }

    @Test("without any mass unit the file is refused, not guessed")
    func unitRequired() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("waste.csv", "Date,EURAL,Weight,Treatment\n2024-01-05,200301,12,R1\n")
        let result = try readFile(scratch.root + "/waste.csv", format: .waste)
        #expect(result.summary.problem?.contains("the mass unit is unknown: add a unit column, write it in the header "
            + "(\"Gewicht (kg)\") or set `unit: kg` (or t) on the source in the YAML") == true)
    }
}
