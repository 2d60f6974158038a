import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Whole clock-change days, from the demo pilot's complete 2023 exports (generated to the shape of the real
/// excerpts in Tests/Fixtures/samples): every interval lands on a distinct UTC instant, none is lost or doubled.
@Suite struct ClockChangeDayTests {
    static let acme2023 = packageRoot.path
        + "/input/demo-park/acme/Verbruikshistoriek_elektriciteit_541448820000000011_20230101_20231231_kwartiertotalen.csv"
    static let acmeGas2023 = packageRoot.path
        + "/input/demo-park/acme/Verbruikshistoriek_gas_541448860000000012_20230101_20231231_uurtotalen.csv"

    func intervals(on date: String, in result: FileResult, _ quantity: Quantity) throws -> Int {
        let day = try #require(CivilDate(iso: date)).dayNumber
        let cell = try #require(result.series.first { $0.key.quantity == quantity }?.days[day])
        return Int(cell.present + cell.missing)
    }

    @Test("the autumn day has 100 quarters and the spring day 92; gas 25 and 23 hours")
    func quartersPerDay() throws {
        let electricity = try readFile(Self.acme2023)
        #expect(electricity.rejects.isEmpty)
        #expect(try intervals(on: "2023-10-29", in: electricity, .electricityOfftake) == 100)
        #expect(try intervals(on: "2023-03-26", in: electricity, .electricityOfftake) == 92)
        #expect(try intervals(on: "2023-06-01", in: electricity, .electricityOfftake) == 96)
        let gas = try readFile(Self.acmeGas2023)
        #expect(gas.rejects.isEmpty)
        #expect(try intervals(on: "2023-10-29", in: gas, .gas) == 25)
        #expect(try intervals(on: "2023-03-26", in: gas, .gas) == 23)
    }

    @Test("a year of quarter-hours covers every UTC quarter of the year exactly once")
    func everyInstantOnce() throws {
        let result = try readFile(Self.acme2023, traceLimit: 200_000)
        let offtake = result.trace.filter { $0.series.quantity == .electricityOfftake }.map(\.startUTC)
        let first = utc("2022-12-31T23:00Z"), last = utc("2023-12-31T22:45Z")
        #expect(offtake.count == 35_040)
        #expect(Set(offtake).count == 35_040)
        #expect(offtake.min() == first && offtake.max() == last)
    }

    @Test("the interval that crosses the spring gap lasts its real 15 minutes (gas: one hour), not the wall clock's")
    func springIntervalLength() throws {
        let result = try readFile(Self.acme2023, traceLimit: 200_000)
        // 26 March 2023: 01:45 → 03:00 local is 00:45Z → 01:00Z.
        let crossing = result.trace.filter { $0.startUTC == utc("2023-03-26T00:45Z") }
        #expect(crossing.count == 2 && crossing.allSatisfy { $0.intervalSeconds == 900 })  // offtake and injection
        let gas = try readFile(Self.acmeGas2023, traceLimit: 20_000)
        let hour = gas.trace.filter { $0.series.quantity == .gas && $0.startUTC == utc("2023-03-26T00:00Z") }
        #expect(hour.count == 1 && hour.first?.intervalSeconds == 3600)
        // Every quarter of the year is 900 s long, clock changes included.
        #expect(result.trace.allSatisfy { $0.intervalSeconds == 900 })
    }

    @Test("a local time in the spring gap is rejected with a clear reason")
    func springGapIsRejected() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("gap.csv", """
            Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus
            26-03-2023;02:15:00;26-03-2023;02:30:00;="1";M;Digitale Meter;Afname Nacht;0,100;kWh;Gevalideerd

            """)
        let result = try readFile(scratch.root + "/gap.csv")
        #expect(result.rejects.map(\.reason) == ["local time 26-03-2023 02:15:00 does not exist (clocks moved forward)"])
        #expect(result.rejects.first?.column == "Van tijdstip")
    }
}
