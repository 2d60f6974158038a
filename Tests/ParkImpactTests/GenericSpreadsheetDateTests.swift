import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `generic` on a CSV opened and saved in a spreadsheet (Belgian settings): dates `1/03/2023`, times `0:00:00`.
/// Inline rows written here (not a real export); expected values by hand in the comments.
@Suite struct GenericSpreadsheetDateTests {
    func read(_ csv: String, source: String) throws -> FileResult { try readGeneric(csv, source: source, traceLimit: 10) }

    @Test("unpadded day and month, one-digit hours: detected day first, or from date_format")
    func unpadded() throws {
        let csv = "Datum;Tijd;Verbruik\n1/03/2023;0:00:00;1,5\n1/03/2023;0:15:00;2\n01/03/2023;23:45;0,5\n2/3/2023;9:15;1\n"
        for dateFormat in ["", "date_format: \"dd/MM/yyyy\""] {
            let result = try read(csv, source: """
                    columns: { date: Datum, time: Tijd }
                    \(dateFormat)
                    values: [ { column: Verbruik, quantity: electricity_offtake, unit: kWh } ]
                """)
            #expect(result.rejects.isEmpty, "\(dateFormat)")
            // 1 March 2023 (UTC+1): 00:00 local = 28 Feb 23:00Z; 1.5 + 2 + 0.5 = 4 kWh on 1 March, 1 kWh on 2 March.
            #expect(result.trace.first?.startUTC == utc("2023-02-28T23:00Z"))
            let days = try #require(result.series.first?.days)
            #expect(days[CivilDate(iso: "2023-03-01")!.dayNumber]?.sum == 4)
            #expect(days[CivilDate(iso: "2023-03-02")!.dayNumber]?.sum == 1)
        }
    }

    @Test("an unpadded date whose first number is above 12 is month first only when the second cannot be a month")
    func monthFirst() throws {
        let result = try read("Date,kWh\n3/13/2023 0:00,1\n3/13/2023 1:00,2\n", source: """
                columns: { timestamp: Date }
                values: [ { column: kWh, quantity: electricity_offtake, unit: kWh } ]
            """)
        #expect(result.rejects.isEmpty)
        // 13 March 2023 00:00 local (UTC+1) = 12 March 23:00Z.
        #expect(result.trace.first?.startUTC == utc("2023-03-12T23:00Z"))
        #expect(totals(result, .electricityOfftake).sum == 3)
    }
}
