import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Daily mean temperatures in the shapes weather services export.
@Suite struct TemperatureFormatTests {
    func read(_ csv: String) throws -> FileResult {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("t.csv", csv)
        return try readFile(scratch.root + "/t.csv", format: .temperature, traceLimit: 50)
    }

    @Test("RMI open data (aws_1day): one series per station, one reading per local day")
    func rmiDaily() throws {
        let result = try read("""
            FID,code,timestamp,precip_quantity,temp_avg,temp_max,temp_min
            aws_1day.1,6447,2023-10-28T00:00:00,0.0,11.4,14.2,8.1
            aws_1day.2,6447,2023-10-29T00:00:00,2.1,9.8,12.0,7.7
            aws_1day.3,6447,2023-10-30T00:00:00,0.5,,13.0,8.0

            """)
        #expect(result.rejects.isEmpty)
        #expect(result.series.map(\.key.meter) == ["6447"])
        // Local days start at local midnight: 28 Oct 22:00Z (summer time), 29 Oct 22:00Z is the start of 30 Oct.
        #expect(result.trace.map(\.startUTC) == ["2023-10-27T22:00Z", "2023-10-28T22:00Z", "2023-10-29T23:00Z"].map(utc))
        // The clock-change day lasts 25 hours.
        #expect(result.trace.map(\.intervalSeconds) == [86_400, 90_000, 86_400])
        let all = totals(result, .temperature)
        #expect(all.present == 2 && all.missing == 1)
        #expect(abs(all.sum - 21.2) < 1e-12)
    }

    @Test("KNMI daily data: comment lines skipped, TG in tenths of a degree")
    func knmiTenths() throws {
        let result = try read("""
            # BRON: KONINKLIJK NEDERLANDS METEOROLOGISCH INSTITUUT (KNMI)
            # TG        : Etmaalgemiddelde temperatuur (in 0.1 graden Celsius)
            STN,YYYYMMDD,TG,TN,TX
            260,20240105,  43,  12,  71
            260,20240106, -12, -40,  10

            """)
        #expect(result.rejects.isEmpty)
        #expect(result.trace.map(\.value) == [4.3, -1.2])
        #expect(result.series.first?.key.meter == "260")
    }

    @Test("a value that is no temperature is rejected with its column")
    func badValue() throws {
        let result = try read("date,tavg\n2024-01-01,3.5\n2024-01-02,warm\n")
        #expect(result.rejects.map(\.reason) == ["\"warm\" is not a daily mean temperature in °C"])
        #expect(result.rejects.first?.line == 3)
        #expect(result.rejects.first?.column == "tavg")
    }
}
