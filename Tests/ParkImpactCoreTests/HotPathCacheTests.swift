import CSVReading
import Foundation
import Testing
@testable import ParkImpactCore

/// The per-day shortcuts of the hot path give what the full computations give.
@Suite struct HotPathCacheTests {
    @Test("a local time resolves through the day cache as through the table", arguments: [
        "Europe/Brussels", "Australia/Lord_Howe", "Pacific/Apia", "UTC",
    ])
    func dayCacheMatchesTheTable(zone: String) throws {
        let table = try #require(LocalTimeTable.cached(zone))
        var cache = LocalDayCache()
        // 1960 to 2040 in steps of 83 minutes 19 seconds (every time of day comes round), then every two minutes of
        // the day either side of each change of offset in 2010...2030, in a fresh cache, in both directions.
        var local = Int64(CivilDate(iso: "1960-01-01")!.dayNumber) * 86_400
        let end = Int64(CivilDate(iso: "2040-01-01")!.dayNumber) * 86_400
        var mismatches = 0
        while local < end {
            if cache.resolve(localSeconds: local, table: table) != table.resolve(localSeconds: local) { mismatches += 1 }
            local += 4_999
        }
        #expect(mismatches == 0)
        for year in 2010...2030 {
            let from = Int64(CivilDate(iso: "\(year)-01-01")!.dayNumber) * 86_400
            var cursor = from
            while cursor < from + 366 * 86_400 {
                let segment = table.offsetSegment(containingUTC: cursor)
                guard segment.end < from + 366 * 86_400 else { break }
                var forward = LocalDayCache(), backward = LocalDayCache()
                let around = segment.end + segment.offset
                for step in Int64(-720)...Int64(720) {
                    let time = around + step * 120
                    if forward.resolve(localSeconds: time, table: table) != table.resolve(localSeconds: time) {
                        mismatches += 1
                    }
                    let mirrored = around - step * 120
                    if backward.resolve(localSeconds: mirrored, table: table) != table.resolve(localSeconds: mirrored) {
                        mismatches += 1
                    }
                }
                cursor = segment.end
            }
        }
        #expect(mismatches == 0)
    }

    @Test("a date's day number comes from the cache as from the parser")
    func dayCacheMatchesTheParser() {
        var cache = DayCache()
        let texts = ["20-03-2024", "20-03-2024", "21-03-2024", "2024-03-21", "31-02-2024", "20-03-2024", " 1-03-2024",
                     "20/03/2024", "", "20-03-202", "20-03-20245", "29-02-2023", "29-02-2024", "29-02-2024"]
        for text in texts {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { field in
                #expect(cache.day(field) == TimeParsing.day(field), "\(text)")
            }
        }
    }

    @Test("an ISO instant parses the same with the day cache")
    func isoInstantWithTheDayCache() {
        var cache = DayCache()
        let texts = ["2024-03-31T01:45:00+01:00", "2024-03-31T03:00:00+02:00", "2024-03-31 01:45Z", "2024-02-30T00:00Z",
                     "2024-03-31T01:45:00", "timestamp", "2024-10-27T02:15:00.5+02:00", "2024-10-27T02:15:00+0100"]
        for text in texts {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { field in
                #expect(TimeParsing.isoInstant(field, days: &cache) == TimeParsing.isoInstant(field), "\(text)")
            }
        }
    }
}

@Suite struct ByteComparisonTests {
    @Test("short byte strings compare equal exactly when memcmp says so, at every length and position of a difference")
    func bytesEqualAgreesWithMemcmp() {
        let base = (0..<40).map { UInt8(0x41 + $0 % 26) }
        for length in 0...40 {
            for differing in -1..<length {  // -1: no difference
                var other = base
                if differing >= 0 { other[differing] ^= 0x20 }
                base.withUnsafeBytes { a in
                    other.withUnsafeBytes { b in
                        let expected = length == 0 || memcmp(a.baseAddress!, b.baseAddress!, length) == 0
                        #expect(Bytes.equal(a.baseAddress!, b.baseAddress, length) == expected,
                                "length \(length), difference at \(differing)")
                    }
                }
            }
        }
    }

    @Test("the long format's last-series memo never carries a rejected row's key over to the next row")
    func longFormatSeriesMemoAroundRejectedRows() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("input/long.csv", """
            timestamp,site,series,quantity,value,unit,quality
            2023-03-01T00:00:00+01:00,s1,m1,electricity_offtake,1,kWh,measured
            2023-03-01T00:15:00+01:00,nobody,m1,electricity_offtake,2,kWh,measured
            2023-03-01T00:30:00+01:00,nobody,m1,electricity_offtake,4,kWh,measured
            2023-03-01T00:45:00+01:00,s1,m1,electricity_offtake,8,kWh,measured
            2023-03-01T01:00:00+01:00,s1,m1,gas,16,kWh,measured
            2023-03-01T01:15:00+01:00,s1,m1,electricity_offtake,32,kWh,measured
            2023-03-01T01:30:00+01:00,s1,m1x,electricity_offtake,64,kWh,measured
            2023-03-01T01:45:00+01:00,s1,m1,electricity_offtakes,128,kWh,measured

            """)
        let result = try readFile(scratch.root + "/input/long.csv", format: .parkimpactLong)

        #expect(result.rejects.map(\.line) == [3, 4, 9])
        #expect(totals(result, .electricityOfftake).sum == 1 + 8 + 32 + 64)
        #expect(totals(result, .gas).sum == 16)
        #expect(result.series.map(\.key.meter).sorted() == ["m1", "m1", "m1x"])
    }
}
