import Testing
import TestSupport
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

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
            var quarters: Set<Int64> = []
            for _ in 0...(random.next() % 3) {
                let quarter = Int64(random.next() % 92)
                let quality: Quality = [.measured, .measured, .estimated, .missing][Int(random.next() % 4)]
                let value = Double(random.next() % 10_000) / 7
                // One reading per interval: a second one would be refused (`duplicate_interval`).
                guard quarters.insert(quarter).inserted else { continue }
                result.append((midnight + quarter * 900, value, quality))
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

    /// A day cell with the given counts and interval starts (offsets from the day number's midnight in UTC).
    static func cell(day: Int, sum: Double, present: Int32, estimated: Int32 = 0, missing: Int32 = 0,
                     first: Int64 = -3_600, last: Int64 = 81_900, maximum: Double = -.infinity) -> DayCell {
        DayCell(sum: sum, present: present, estimated: estimated, missing: missing, maximum: maximum,
                firstStart: Int64(day) * 86_400 + first, lastStart: Int64(day) * 86_400 + last)
    }

    /// Counts beyond 16 bits present or 8 bits estimated / missing (one-second data, a whole day of estimated
    /// minutes) make the counts column wide: every cell, before and after, reads back as written.
    @Test("counts too large for 4 bytes widen the column; every cell reads back as written")
    func wideCounts() {
        let written: [(Int, DayCell)] = [
            (19_800, Self.cell(day: 19_800, sum: 1.5, present: 96, estimated: 3, missing: 1)),
            (19_801, Self.cell(day: 19_801, sum: 2.5, present: 86_400, estimated: 0, missing: 0, first: -7_200,
                               last: 79_199)),
            (19_802, Self.cell(day: 19_802, sum: 3.5, present: 1_440, estimated: 1_440, missing: 300)),
            (19_810, Self.cell(day: 19_810, sum: -0.25, present: 95, estimated: 255, missing: 255)),
        ]
        var cells = DayCells(extras: [])
        for (day, cell) in written { cells.append(day: day, cell) }
        #expect(cells.keys == written.map(\.0))
        #expect(cells.values == written.map(\.1))
        #expect(cells[19_801]?.present == 86_400 && cells[19_802]?.estimated == 1_440 && cells[19_802]?.missing == 300)
        // The same values, one series wide (a large cell came and went), the other never: equal.
        var narrow = DayCells(extras: [])
        narrow.append(day: 19_800, written[0].1)
        var widened = narrow
        widened[19_800] = written[1].1
        widened[19_800] = written[0].1
        #expect(widened == narrow)
        widened[19_800] = Self.cell(day: 19_800, sum: 1.5, present: 96, estimated: 3, missing: 2)
        #expect(widened != narrow)
    }

    /// Random replacements, insertions and removals anywhere (the merge and tests write `cells[day] = cell`) leave
    /// the days and cells a dictionary holds, with runs of days and of offsets split and joined as needed.
    @Test("replacing, inserting and removing any day gives the cells a dictionary holds", arguments: 0..<3)
    func editsAnywhere(seed: UInt64) {
        var random = SplitMix64(state: seed + 40)
        var model: [Int: DayCell] = [:]
        var cells = DayCells(extras: .init(for: .electricityPeak))
        for step in 0..<400 {
            let day = 19_700 + Int(random.next() % 60)
            if random.next() % 5 == 0 {
                model[day] = nil
                cells[day] = nil
            } else {
                let partial = random.next() % 4 == 0
                let cell = Self.cell(day: day, sum: Double(random.next() % 1_000) / 8, present: Int32(random.next() % 97),
                                     estimated: Int32(random.next() % 3), missing: Int32(random.next() % 2),
                                     first: partial ? 3_600 : -3_600, last: partial ? 40_000 : 81_900,
                                     maximum: Double(random.next() % 50))
                model[day] = cell
                cells[day] = cell
            }
            if step % 50 == 49 || step == 399 {
                #expect(cells == DayCells(model, extras: .init(for: .electricityPeak)), "after step \(step)")
                #expect(cells.keys == model.keys.sorted())
                #expect(cells.values == model.keys.sorted().map { model[$0]! })
                for probe in 19_695..<19_765 { #expect(cells[probe] == model[probe], "day \(probe)") }
            }
        }
    }

    /// A quarter-hour meter's year, clock changes, partial days and a gap included, costs the sum and 4 bytes of
    /// counts a day (the interval starts change a few times a year, the days run on); water keeps its night minimum.
    @Test("a meter's year costs 12 bytes a day, 20 with the night minimum of water")
    func bytesPerDay() {
        let table = Self.table
        var cells = DayCells(extras: [])
        var water = DayCells(extras: .init(for: .water))
        let days = Array(19_723..<19_900) + Array(19_910..<20_089)  // 2024, without ten days of June
        for (index, day) in days.enumerated() {
            let midnight = table.startOfDay(day), next = table.startOfDay(day + 1)
            let partial = index == 0 || index == days.count - 1
            var cell = DayCell()
            cell.sum = Double(index) / 4
            cell.present = Int32((next - midnight) / 900) - (index % 7 == 0 ? 1 : 0)
            cell.missing = index % 7 == 0 ? 1 : 0
            cell.estimated = index % 5 == 0 ? 2 : 0
            cell.note(start: partial ? midnight + 8 * 3_600 : midnight)
            cell.note(start: next - 900)
            cell.nightMinimumRate = Double(index % 9)
            cells.append(day: day, cell)
            water.append(day: day, cell)
        }
        #expect(cells.count == 356)
        #expect(cells.heldBytes <= 12 * 356 + 160, "\(cells.heldBytes) bytes")
        #expect(water.heldBytes <= 20 * 356 + 160, "\(water.heldBytes) bytes")
        #expect(cells[19_905] == nil && cells[19_910]?.sum == Double(177) / 4)
        #expect(cells.values.map(\.present) == days.enumerated().map { index, day in
            Int32((table.startOfDay(day + 1) - table.startOfDay(day)) / 900) - (index % 7 == 0 ? 1 : 0)
        })
    }
}
