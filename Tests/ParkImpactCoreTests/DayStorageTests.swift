import Testing
import TestSupport
@testable import ParkImpactCore

/// How a file aggregator holds a series' days (`SeriesDays`: dense, or sorted when the days are far apart) and how
/// `DayCells` packs them: whatever the order and spacing of the readings, the cells are those a dictionary of
/// `DayCell`s fed the same readings holds, and a gap never costs a cell per day.
@Suite struct DayStorageTests {
    static let table = LocalTimeTable.cached("Europe/Brussels")!

    /// Readings of one series on `days` (one to three per day, at varied hours), in the given order of days.
    static func readings(days: [Int], seed: UInt64) -> [(start: Int64, value: Double, quality: Quality)] {
        var random = SplitMix64(state: seed)
        var result: [(start: Int64, value: Double, quality: Quality)] = []
        for day in days {
            let midnight = table.startOfDay(day)
            for _ in 0...(random.next() % 3) {
                let quarter = Int64(random.next() % 92)
                let quality: Quality = [.measured, .measured, .estimated, .missing][Int(random.next() % 4)]
                result.append((midnight + quarter * 900, Double(random.next() % 10_000) / 7, quality))
            }
        }
        return result
    }

    /// The cells a dictionary holds after the same readings, in the same order.
    static func reference(_ readings: [(start: Int64, value: Double, quality: Quality)], quantity: Quantity) -> DayCells {
        var byDay: [Int: DayCell] = [:]
        for reading in readings {
            let day = table.localDay(ofUTC: reading.start)
            byDay[day, default: DayCell()].add(value: reading.value, quality: reading.quality)
            byDay[day]!.note(start: reading.start)
            // Water: the night minimum of quarter-hours starting 01:00–05:00 local (value per hour).
            let local = reading.start + table.offsetSegment(containingUTC: reading.start).offset
            let second = local - Int64(day) * 86_400
            if quantity == .water, reading.quality != .missing, second >= 3_600, second < 5 * 3_600 {
                byDay[day]!.nightMinimumRate = min(byDay[day]!.nightMinimumRate, reading.value * 3_600 / 900)
            }
        }
        return DayCells(byDay, extras: .init(for: quantity))
    }

    static func aggregated(_ readings: [(start: Int64, value: Double, quality: Quality)], quantity: Quantity) -> DayCells {
        var aggregator = FileAggregator(file: "f.csv", table: table)
        let series = aggregator.intern(SeriesKey(site: "s", quantity: quantity, meter: "m"))
        for reading in readings {
            aggregator.add(series: series, startUTC: reading.start, intervalSeconds: 900, value: reading.value,
                           quality: reading.quality)
        }
        let data = aggregator.takeSeriesData()
        #expect(data.count == 1)
        return data[0].days
    }

    static let spacings: [(name: String, days: [Int])] = [
        ("a year, day after day", Array(19_723..<20_089)),
        ("with gaps of a week to a season", [19_723, 19_724, 19_730, 19_800, 19_801, 19_802, 19_890, 19_891, 19_999]),
        ("a reading every 90 days for 20 years", Array(stride(from: 12_000, to: 19_300, by: 90))),
        ("a stray date decades away", Array(19_723..<19_783) + [3_000]),
    ]

    @Test("in order, newest first or shuffled, dense or far apart: the cells a dictionary holds", arguments: 0..<4)
    func anyOrderAnySpacing(spacing: Int) {
        let days = Self.spacings[spacing].days
        var random = SplitMix64(state: UInt64(spacing) + 1)
        var shuffled = days
        for index in shuffled.indices.reversed() { shuffled.swapAt(index, Int(random.next() % UInt64(index + 1))) }
        for (order, ordered) in [("in order", days), ("newest first", days.reversed()), ("shuffled", shuffled)] {
            for quantity in [Quantity.electricityOfftake, .electricityPeak, .water] {
                let readings = Self.readings(days: ordered, seed: 9)
                let got = Self.aggregated(readings, quantity: quantity)
                let expected = Self.reference(readings, quantity: quantity)
                #expect(got == expected, "\(Self.spacings[spacing].name), \(order), \(quantity)")
                #expect(got.keys == days.sorted(), "\(Self.spacings[spacing].name), \(order)")
            }
        }
    }

    /// Held cells stay within twice the touched days and a little: a reading a season apart, or a stray date,
    /// does not make a cell of every day in between.
    @Test("far-apart days are held sorted, not as a cell per day in between", arguments: 0..<4)
    func gapsCostNoCells(spacing: Int) {
        let days = Self.spacings[spacing].days
        for ordered in [days, days.reversed()] {
            var storage = SeriesDays(extras: [])
            for day in ordered {
                let position = storage.position(of: day, create: true)!
                storage.cells[position].add(value: 1, quality: .measured, startOffset: 3_600, line: 1)
            }
            #expect(storage.cells.count <= 2 * days.count + 64 + min(days.count, 366),
                    "\(Self.spacings[spacing].name): \(storage.cells.count) cells for \(days.count) days")
            for day in days { #expect(storage.find(day) != nil) }
            #expect(storage.find(days.min()! - 1) == nil && storage.find(days.max()! + 1) == nil)
            let taken = storage.take()
            #expect(taken?.count == days.count)
        }
    }

    @Test("a peak series keeps its daily maximum, water its night minimum; other quantities keep neither")
    func extrasByQuantity() {
        let night = Self.table.startOfDay(19_800) + 2 * 3_600
        let readings: [(start: Int64, value: Double, quality: Quality)] = [(night, 0.5, .measured), (night + 900, 0.25, .measured)]
        var aggregator = FileAggregator(file: "f.csv", table: Self.table)
        for quantity in [Quantity.electricityPeak, .water, .gas] {
            let series = aggregator.intern(SeriesKey(site: "s", quantity: quantity, meter: "m"))
            for reading in readings {
                aggregator.add(series: series, startUTC: reading.start, intervalSeconds: 900, value: reading.value,
                               quality: reading.quality)
            }
        }
        let cells = Dictionary(uniqueKeysWithValues: aggregator.takeSeriesData().map { ($0.key.quantity, $0.days[19_800]!) })
        #expect(cells[.electricityPeak]?.maximum == 0.5 && cells[.electricityPeak]?.nightMinimumRate == .infinity)
        #expect(cells[.water]?.nightMinimumRate == 1.0 && cells[.water]?.maximum == -.infinity)  // 0.25 per 15 min
        #expect(cells[.gas]?.maximum == -.infinity && cells[.gas]?.nightMinimumRate == .infinity)
        #expect(cells.values.allSatisfy { $0.sum == 0.75 && $0.present == 2 })
        #expect(MemoryLayout<PackedDayCell>.stride == 32)
    }
}
