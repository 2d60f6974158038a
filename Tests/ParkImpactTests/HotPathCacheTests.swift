import CSVReading
import Foundation
import Testing
import TestSupport
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The per-day shortcuts of the hot path give what the full computations give.
@Suite struct HotPathCacheTests {
    @Test("a local time resolves through the day cache as through the table", arguments: [
        "Europe/Brussels", "Australia/Lord_Howe", "Pacific/Apia", "UTC", "America/Santiago", "America/Havana",
        "Asia/Beirut", "America/Sao_Paulo",
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

    @Test("a long export gives the same series whatever its row order: by meter, by time, rotating, shuffled")
    func longFormatSeriesInAnyRowOrder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let header = "timestamp,site,series,quantity,value,unit,quality\n"
        let meters = ["m1", "m2", "m10", "m1x", "m2", "longer-meter-name-0001"].enumerated().map { index, name in
            (site: "s1", name: name, quantity: index == 3 || index == 4 ? "gas" : "electricity_offtake")
        }
        // Values are multiples of 0.5: their sums are exact in any order.
        func row(_ meter: Int, _ slot: Int) -> String {
            let stamp = String(format: "2023-03-%02dT%02d:%02d:00+01:00", 1 + slot / 96, slot % 96 / 4, slot % 4 * 15)
            let m = meters[meter]
            return "\(stamp),\(m.site),\(m.name),\(m.quantity),\(Double((meter + 1) * (slot % 7 + 1)) / 2),kWh,measured\n"
        }
        let slots = 0..<192
        var random = SplitMix64(state: 42)
        let byMeter = meters.indices.flatMap { meter in slots.map { row(meter, $0) } }
        let byTime = slots.flatMap { slot in meters.indices.map { row($0, slot) } }
        let rotating = slots.flatMap { slot in meters.indices.map { row(($0 + slot) % meters.count, slot) } }
        let reversedEveryOther = slots.flatMap { slot in
            (slot % 2 == 0 ? Array(meters.indices) : meters.indices.reversed()).map { row($0, slot) }
        }
        var shuffled = byTime
        for index in shuffled.indices.reversed() {
            shuffled.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        // Rejected rows (an unknown site) between the rows of a time-ordered export.
        let withRejects = slots.flatMap { slot in
            meters.indices.map { row($0, slot) } + ["2023-03-01T00:00:00+01:00,nobody,m1,electricity_offtake,1,kWh,measured\n"]
        }
        func summary(_ rows: [String], _ name: String) throws -> [String] {
            try scratch.write("input/\(name).csv", header + rows.joined())
            let result = try readFile(scratch.root + "/input/\(name).csv", format: .parkimpactLong)
            return result.series.map { series in
                "\(series.key) " + series.days.map { "\($0.key):\($0.value.sum)/\($0.value.present)" }.joined(separator: " ")
            }
        }
        let expected = try summary(byMeter, "by-meter")
        #expect(expected.count == 6)
        for (name, rows) in [("by-time", byTime), ("rotating", rotating), ("reversed", reversedEveryOther),
                             ("shuffled", shuffled), ("rejects", withRejects)] {
            #expect(try summary(rows, name) == expected, "\(name)")
        }
        let rejected = try readFile(scratch.root + "/input/rejects.csv", format: .parkimpactLong)
        #expect(rejected.rejects.rowCount == 192)
    }

    @Test("interned byte keys: found by hash, matched field by field, never across a shifted field boundary")
    func byteInterner() {
        var interner = ByteInterner<Int>()
        var random = SplitMix64(state: 7)
        var keys: [[UInt8]] = []
        var parts: [([UInt8], [UInt8], [UInt8])] = []
        for index in 0..<3_000 {
            let fields = (0..<3).map { _ in (0..<Int(random.next() % 30)).map { _ in UInt8(0x61 + random.next() % 3) } }
            let joined = fields[0] + [0] + fields[1] + [0] + fields[2]
            if keys.contains(joined) { continue }
            let entry = joined.withUnsafeBytes { interner.insert($0, hash: ByteInterner<Int>.hash($0), index) }
            #expect(entry == keys.count)
            keys.append(joined)
            parts.append((fields[0], fields[1], fields[2]))
        }
        for (entry, key) in keys.enumerated() {
            #expect(key.withUnsafeBytes { interner.find($0, hash: ByteInterner<Int>.hash($0)) } == entry)
            let (a, b, c) = parts[entry]
            #expect(a.withUnsafeBytes { a in b.withUnsafeBytes { b in c.withUnsafeBytes { c in
                interner.matches(entry: entry, a, b, c) } } })
            // The same bytes split elsewhere ("ab|c" against "a|bc") are another key.
            if !a.isEmpty {
                let shifted = (Array(a.dropLast()), [a.last!] + b, c)
                #expect(!shifted.0.withUnsafeBytes { x in shifted.1.withUnsafeBytes { y in shifted.2.withUnsafeBytes { z in
                    interner.matches(entry: entry, x, y, z) } } })
            }
            // Another entry's fields do not match.
            let other = (entry + 1) % keys.count
            let (d, e, f) = parts[other]
            #expect(!d.withUnsafeBytes { d in e.withUnsafeBytes { e in f.withUnsafeBytes { f in
                interner.matches(entry: entry, d, e, f) } } })
        }
        #expect(Array("zzz".utf8).withUnsafeBytes { interner.find($0, hash: ByteInterner<Int>.hash($0)) } == nil)
    }

    @Test("the byte-key memo finds each key it holds by scan or hash, told apart by predicate; full, it starts over")
    func byteKeyMemoMatchesADictionary() {
        // Keys of the shapes the readers memoise (EANs, meter names, short codes, the empty field), each kept twice
        // with values told apart by the predicate (an EAN's offtake and injection), looked up in a rotating order
        // as a time-ordered export does.
        var memo = ByteKeyCache<(id: Int, even: Bool)>()
        var model: [String: [Bool: Int]] = [:]
        let keys = (0..<600).map { index in
            index == 0 ? "" : index % 3 == 0 ? "\"5414\(String(format: "%014d", index))\"" : "M-\(index)" }
        var misses = 0, wrong = 0
        for round in 0..<3 {
            for (index, key) in keys.enumerated() {
                for even in [true, false] {
                    let found = Array(key.utf8).withUnsafeBytes { memo.lookup($0, where: { $0.even == even }) }
                    if let expected = model[key]?[even] {
                        if found?.id != expected { wrong += 1 }
                    } else {
                        if found != nil { wrong += 1 }
                        misses += 1
                        Array(key.utf8).withUnsafeBytes { memo.insert($0, (index * 2 + (even ? 0 : 1), even)) }
                        model[key, default: [:]][even] = index * 2 + (even ? 0 : 1)
                    }
                }
            }
            #expect(round > 0 || misses == 1200)
        }
        #expect(misses == 1200)  // inserted once, found in every later round
        #expect(wrong == 0)
        #expect(Array("M-600".utf8).withUnsafeBytes { memo.lookup($0) } == nil)
        #expect(Array("M-59".utf8).withUnsafeBytes { memo.lookup($0, where: { !$0.even }) }?.id == 119)

        // Past its capacity the memo forgets everything it held and goes on with the new key.
        var full = ByteKeyCache<Int>()
        for index in 0..<ByteKeyCache<Int>.capacity {
            Array("k\(index)".utf8).withUnsafeBytes { full.insert($0, index) }
        }
        #expect(Array("k7".utf8).withUnsafeBytes { full.lookup($0) } == 7)
        Array("new".utf8).withUnsafeBytes { full.insert($0, -1) }
        #expect(Array("k7".utf8).withUnsafeBytes { full.lookup($0) } == nil)
        #expect(Array("new".utf8).withUnsafeBytes { full.lookup($0) } == -1)
        for index in 0..<20 { Array("n\(index)".utf8).withUnsafeBytes { full.insert($0, index) } }
        #expect((0..<20).allSatisfy { (index: Int) in
            Array("n\(index)".utf8).withUnsafeBytes { full.lookup($0) } == index
        })
    }
}
