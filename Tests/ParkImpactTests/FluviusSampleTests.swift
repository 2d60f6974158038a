import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The real Fluvius exports in Tests/Fixtures/samples. Expected counts and totals were computed independently with
/// Python's csv module and Decimal over the same files (not with ParkImpact's code).
@Suite
struct FluviusSampleTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let file: String
        let offtake: QuantityTotals?
        let injection: QuantityTotals?
        let gas: QuantityTotals?
        let ignoredM3Rows: Int
        var testDescription: String { file }
    }

    static let expectations: [Expected] = [
        Expected(file: "fluvius_en_electricity_15min_DST_fallback_2023-10-29_excerpt.csv",
                 offtake: .init(present: 16, estimated: 0, missing: 0, sum: 4.402),
                 injection: .init(present: 16, estimated: 0, missing: 0, sum: 0), gas: nil, ignoredM3Rows: 0),
        Expected(file: "fluvius_en_electricity_15min_head40.csv",
                 offtake: .init(present: 19, estimated: 0, missing: 1, sum: 2.860),
                 injection: .init(present: 18, estimated: 0, missing: 1, sum: 0), gas: nil, ignoredM3Rows: 0),
        Expected(file: "fluvius_en_gas_hourly_DST_fallback_2023-10-29_excerpt.csv", offtake: nil, injection: nil,
                 gas: .init(present: 6, estimated: 0, missing: 0, sum: 0), ignoredM3Rows: 6),
        Expected(file: "fluvius_en_gas_hourly_head40.csv", offtake: nil, injection: nil,
                 gas: .init(present: 20, estimated: 0, missing: 0, sum: 18.970), ignoredM3Rows: 19),  // cut after an m³ row: 0 m³
        Expected(file: "fluvius_nl_elektriciteit_DST_fallback_2021-10-31_excerpt.csv",
                 offtake: .init(present: 0, estimated: 0, missing: 16, sum: 0),
                 injection: .init(present: 0, estimated: 0, missing: 16, sum: 0), gas: nil, ignoredM3Rows: 0),
        Expected(file: "fluvius_nl_elektriciteit_kwartiertotalen_head40.csv",
                 offtake: .init(present: 0, estimated: 0, missing: 20, sum: 0),
                 injection: .init(present: 0, estimated: 0, missing: 19, sum: 0), gas: nil, ignoredM3Rows: 0),
        Expected(file: "fluvius_nl_elektriciteit_values_statuses_excerpt.csv",
                 offtake: .init(present: 8, estimated: 4, missing: 3, sum: 0.329),
                 injection: .init(present: 2, estimated: 0, missing: 6, sum: 0), gas: nil, ignoredM3Rows: 0),
        Expected(file: "fluvius_nl_gas_uurtotalen_full.csv", offtake: nil, injection: nil,
                 gas: .init(present: 57, estimated: 10, missing: 1, sum: 182.085), ignoredM3Rows: 58),
    ]

    @Test("every Fluvius sample is read with the right counts and totals, and no rejects", arguments: expectations)
    func sampleCountsAndTotals(_ expected: Expected) throws {
        let result = try readFile(samplePath(expected.file))
        #expect(result.summary.problem == nil)
        #expect(result.rejects.isEmpty, "rejects: \(result.rejects.map(\.reason))")
        for (quantity, want) in [(Quantity.electricityOfftake, expected.offtake),
                                 (.electricityInjection, expected.injection), (.gas, expected.gas)] {
            var got = totals(result, quantity)
            got.sum = (got.sum * 1000).rounded() / 1000
            #expect(got == (want ?? QuantityTotals()), "\(quantity)")
        }
        #expect(result.summary.ignoredRows["gas_m3_twin", default: 0] == expected.ignoredM3Rows)
    }

    @Test("the autumn repeated hour of the EN electricity export becomes 16 distinct consecutive UTC quarters")
    func autumnElectricityInstants() throws {
        let result = try readFile(samplePath("fluvius_en_electricity_15min_DST_fallback_2023-10-29_excerpt.csv"),
                                  traceLimit: 100)
        let offtake = result.trace.filter { $0.series.quantity == .electricityOfftake }.map(\.startUTC)
        // In file order: 01:00–01:45 summer time, then 02:00 summer, 02:00 winter, ..., 02:45→02:00 summer,
        // 02:45→03:00 winter, then 03:00–03:45 winter time.
        let expected = ["2023-10-28T23:00Z", "2023-10-28T23:15Z", "2023-10-28T23:30Z", "2023-10-28T23:45Z",
                        "2023-10-29T00:00Z", "2023-10-29T01:00Z", "2023-10-29T00:15Z", "2023-10-29T01:15Z",
                        "2023-10-29T00:30Z", "2023-10-29T01:30Z", "2023-10-29T00:45Z", "2023-10-29T01:45Z",
                        "2023-10-29T02:00Z", "2023-10-29T02:15Z", "2023-10-29T02:30Z", "2023-10-29T02:45Z"].map(utc)
        #expect(offtake == expected)
        #expect(Set(offtake).count == 16)
        #expect(result.trace.allSatisfy { $0.intervalSeconds == 900 })
    }

    @Test("the gas hour written 02:00 → 02:00 is the summer-time hour, the next 02:00 → 03:00 the winter-time one")
    func autumnGasInstants() throws {
        let result = try readFile(samplePath("fluvius_en_gas_hourly_DST_fallback_2023-10-29_excerpt.csv"),
                                  traceLimit: 100)
        let gas = result.trace.map(\.startUTC)
        #expect(gas == ["2023-10-28T22:00Z", "2023-10-28T23:00Z", "2023-10-29T00:00Z", "2023-10-29T01:00Z",
                        "2023-10-29T02:00Z", "2023-10-29T03:00Z"].map(utc))
        #expect(result.trace.allSatisfy { $0.intervalSeconds == 3600 })
    }

    @Test("the NL 2021 clock-change excerpt resolves the repeated hour the same way")
    func autumnDutchInstants() throws {
        let result = try readFile(samplePath("fluvius_nl_elektriciteit_DST_fallback_2021-10-31_excerpt.csv"),
                                  traceLimit: 100)
        let offtake = result.trace.filter { $0.series.quantity == .electricityOfftake }.map(\.startUTC).sorted()
        let first = utc("2021-10-30T23:00Z")
        #expect(offtake == (0..<16).map { first + Int64($0) * 900 })
    }

    @Test("values, statuses and EANs are read as written: decimal comma, Geschat = estimated, =\"…\" EAN stripped")
    func valuesAndStatuses() throws {
        let result = try readFile(samplePath("fluvius_nl_elektriciteit_values_statuses_excerpt.csv"), traceLimit: 100)
        let estimated = result.trace.filter { $0.quality == .estimated }
        #expect(estimated.count == 4)
        #expect(result.trace.first { $0.quality == .measured }?.value == 0.067)
        #expect(Set(result.series.map(\.key.meter)) == ["123456879123456789"])
        #expect(result.series.allSatisfy { $0.key.site == "s1" })
    }
}

/// Day totals (`dagtotalen`): the same header with 00:00:00 times, or the reordered layout without times.
@Suite struct FluviusDayTotalTests {
    @Test("the reordered day-total layout without time columns gives one interval per local day")
    func reorderedLayout() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("days.csv", """
            \u{FEFF}EAN-code;Meter;Metertype;Van (datum);Tot (datum);Register;Volume;Eenheid;Validatiestatus
            ="541448820000000001";1SAG;Digitale Meter;25-03-2023;26-03-2023;Afname Dag;10,500;kWh;Gevalideerd
            ="541448820000000001";1SAG;Digitale Meter;26-03-2023;27-03-2023;Afname Dag;9,250;kWh;Gevalideerd
            ="541448820000000001";1SAG;Digitale Meter;27-03-2023;28-03-2023;Afname Dag;;kWh;Geen verbruik
            """)
        let result = try readFile(scratch.root + "/days.csv", traceLimit: 10)
        #expect(result.rejects.isEmpty)
        #expect(result.trace.map(\.startUTC) == ["2023-03-24T23:00Z", "2023-03-25T23:00Z", "2023-03-26T22:00Z"].map(utc))
        // The spring day lasts 23 hours.
        #expect(result.trace.map(\.intervalSeconds) == [86_400, 82_800, 86_400])
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 2, estimated: 0, missing: 1, sum: 19.75))
    }

    @Test("day totals with 00:00:00 times and an inclusive end date are one day each")
    func sameHeaderInclusiveEnd() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("days.csv", """
            Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus
            29-10-2023;00:00:00;29-10-2023;00:00:00;="1";M;Digitale Meter;Afname Nacht;12,000;kWh;Gevalideerd
            30-10-2023;00:00:00;30-10-2023;00:00:00;="1";M;Digitale Meter;Afname Nacht;11,000;kWh;Gevalideerd
            """)
        let result = try readFile(scratch.root + "/days.csv", traceLimit: 10)
        #expect(result.rejects.isEmpty)
        #expect(result.trace.map(\.intervalSeconds) == [90_000, 86_400])
    }
}

/// Business (AMR) meters: active energy, reactive energy kept out, and the monthly peak power register.
@Suite struct FluviusBusinessMeterTests {
    @Test("Afname Actief is offtake, kVArh rows are ignored, Piekvermogen is a peak series (maximum, never summed)")
    func amrMeter() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("amr.csv", """
            \u{FEFF}Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus;Omschrijving
            01-01-2024;00:00:00;01-01-2024;00:15:00;=541448820000000099;AMR1;AMR;Afname Actief;12,500;kWh;Gevalideerd;
            01-01-2024;00:00:00;01-01-2024;00:15:00;=541448820000000099;AMR1;AMR;Afname Inductief;3,100;kVArh;Gevalideerd;
            01-01-2024;00:00:00;01-01-2024;00:15:00;=541448820000000099;AMR1;AMR;Afname Capacitief;0,200;kVArh;Gevalideerd;
            01-01-2024;00:15:00;01-01-2024;00:30:00;=541448820000000099;AMR1;AMR;Afname Actief;13,000;kWh;Geschat;
            01-01-2024;00:00:00;01-02-2024;00:00:00;=541448820000000099;AMR1;AMR;Piekvermogen;84,6;kW;Gevalideerd;
            01-02-2024;00:00:00;01-03-2024;00:00:00;=541448820000000099;AMR1;AMR;Piekvermogen;91,2;kW;Gevalideerd;

            """)
        let result = try readFile(scratch.root + "/amr.csv")
        #expect(result.rejects.isEmpty)
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 2, estimated: 1, missing: 0, sum: 25.5))
        #expect(result.summary.ignoredRows == ["reactive_energy": 2])
        let peak = try #require(result.series.first { $0.key.quantity == .electricityPeak })
        #expect(peak.key.meter == "541448820000000099")
        #expect(peak.days.values.map(\.maximum).sorted() == [84.6, 91.2])
        // The series interval is the shorter billing month (February 2024: 29 days). A peak register is not energy:
        // it has no coverage and is never summed.
        #expect(peak.intervalSeconds == 29 * 86_400)
        #expect(!Quantity.electricityPeak.isAdditive && !Quantity.electricityPeak.hasCoverage)
    }
}
