import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Extra empty fields at the end of a row: a trailing delimiter when the file's first row has them too, a shifted
/// row otherwise.
@Suite struct ShiftedRowTests {
    let source = """
            columns: { timestamp: "Tijd" }
            values:
              - { column: "Verbruik", quantity: electricity_offtake, unit: kWh, kind: interval }
              - { column: "Piek", quantity: electricity_peak, unit: kW, kind: interval }
        """

    @Test("a row with a delimiter too many in the middle (its last field empty) is rejected, not read shifted")
    func shiftedRow() throws {
        let result = try GenericFormatTests().read("""
            Tijd;Verbruik;Piek
            2024-02-01 00:00;1,5;6
            2024-02-01 00:15;;2,5;
            2024-02-01 00:30;0,75;3

            """, source: source)
        #expect(result.rejects.map(\.line) == [3])
        #expect(result.rejects.first?.code == .headerMismatch)
        #expect(result.rejects.first?.reason == "expected 3 fields as in the header, found 4: a delimiter too many "
            + "shifts this row's columns (the last ones are empty, which the file's first row does not have)")
        #expect(totals(result, .electricityOfftake).sum == 2.25)  // 1.5 + 0.75; the shifted row is not read
    }

    @Test("every row ending in a delimiter (the first one too): a trailing delimiter, every row read")
    func trailingDelimiter() throws {
        let result = try GenericFormatTests().read("""
            Tijd;Verbruik;Piek
            2024-02-01 00:00;1,5;6;
            2024-02-01 00:15;2,5;4;
            2024-02-01 00:30;0,75;3;

            """, source: source)
        #expect(result.rejects.isEmpty)
        #expect(totals(result, .electricityOfftake).sum == 4.75)
    }
}
