import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `RowFormat.mapping`: which header column a format reads as what (what `parkimpact sniff` prints under `columns:`).
@Suite struct ColumnMappingTests {

    private func lines(_ mapping: [ColumnRole]) -> [String] { mapping.map(\.description) }

    @Test("Fluvius NL quarter-hour sample: date + time pairs, EAN, register, volume, unit, status; the rest ignored")
    func fluvius() throws {
        let result = try readFile(samplePath("fluvius_nl_elektriciteit_kwartiertotalen_head40.csv"))
        #expect(result.headerLine == 1)
        #expect(lines(result.mapping) == [
            "Van datum + Van tijdstip → interval start, local time",
            "Tot datum + Tot tijdstip → interval end, local time",
            "EAN → meter: one series per EAN",
            "Meter → ignored",
            "Metertype → ignored",
            "Register → quantity: electricity_offtake or electricity_injection (day and night registers merged)",
            "Volume → value, kWh (rows whose Eenheid is m³, kVArh or kW are ignored)",
            "Eenheid → unit: selects the kWh rows",
            "Validatiestatus → quality: measured, estimated (also Onvolledig: an incomplete period), or missing (no consumption)",
        ])
    }

    @Test("EnergyControl meter readings: the header after the preamble, date + time, the register")
    func meterReadings() throws {
        let result = try readFile(samplePath("energycontrol_water_meter_readings_full.csv"), format: .meterReadings)
        #expect(result.headerLine == 3)
        #expect(lines(result.mapping) == [
            "Datum + Zeit → reading time, local time (dd.MM.yy, detected)",
            "Zählerstand → water (cumulative register in m3, differenced, spread over the days by time)",
        ])
        // sniff shows the same mapping and the header's real line, not the preamble's.
        let report = try Sniff.sniff(path: samplePath("energycontrol_water_meter_readings_full.csv"))
        #expect(report.mapping == result.mapping)
        #expect(report.headerLine == 3)
    }

    @Test("Eco-Visio: a site's total is read, its directions not; the day/month order says how it was settled")
    func ecoCounter() throws {
        let path = packageRoot.appendingPathComponent(
            "Tests/ParkImpactTests/Fixtures/counters/ecocounter_ecovisio_hourly_be.csv").path
        let result = try readFile(path, format: .ecocounter)
        #expect(result.headerLine == 2)
        // 01/10/2024 22:00 → 23:00 → 02/10/2024 00:00: hourly only day first.
        #expect(lines(result.mapping) == [
            "Datum → interval start, local time (dd/MM/yyyy, detected; both orders fit, the sequence of the rows "
                + "decided)",
            "Kanaalbrug → traffic_bike for Kanaalbrug (count)",
            "Kanaalbrug IN + Kanaalbrug OUT → ignored (directions of Kanaalbrug, counted in its total)",
            "Stationsplein → traffic_bike for Stationsplein (count)",
            "Stationsplein IN + Stationsplein OUT → ignored (directions of Stationsplein, counted in its total)",
        ])
    }

    @Test("generic: the YAML's columns with their quantities and kinds; a column the YAML does not name is ignored")
    func generic() throws {
        let result = try readGeneric("Datum;Uur;Stand;Opmerking;Verbruik\n31-01-2024;18:00;100;;1,5\n", source: """
                columns: { date: Datum, time: Uur }
                values:
                  - { column: Verbruik, quantity: electricity_offtake, unit: kWh }
                  - { column: Stand, quantity: water, unit: m3, kind: cumulative }
            """)
        #expect(lines(result.mapping) == [
            "Datum + Uur → interval start, local time (dd-MM-yyyy, detected)",
            "Stand → water (m3, cumulative register, differenced)",
            "Opmerking → ignored",
            "Verbruik → electricity_offtake (kWh, interval values)",
        ])
    }

    @Test("columnMapping: header order of each entry's first column, blank and out-of-range columns left out")
    func builder() {
        let names = ["Value", "Date", "", "Note", "Time"]
        #expect(lines(columnMapping(names, [([1, 4], "when"), ([0], "what"), ([nil], "nothing"), ([9], "beyond"),
                                            ([1], "claimed twice")])) == [
            "Value → what",
            "Date + Time → when",
            "Note → ignored",
        ])
    }

    @Test("a file that could not be read has no mapping")
    func unreadable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("x.csv", "a;b\n1;2\n")
        let result = try readFile(scratch.root + "/x.csv")
        #expect(result.summary.problem != nil)
        #expect(result.mapping.isEmpty && result.headerLine == 0)
    }
}
