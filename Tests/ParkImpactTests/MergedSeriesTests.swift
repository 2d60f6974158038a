import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// What the stages after the merge read: series in day order (`IndexedSeries`) and KPIs that share their repeated
/// texts and lists (`KPISharing`).
@Suite struct MergedSeriesTests {
    static func cell(_ sum: Double, present: Int32 = 1) -> DayCell {
        var cell = DayCell()
        cell.sum = sum
        cell.present = present
        return cell
    }

    @Test(arguments: [[], [7], Array(19_000...19_090), [3, 1, 2, 10, 8, -4], [5, 6, 7, 9]])
    func cellsComeInDayOrder(days: [Int]) {
        var byDay: [Int: DayCell] = [:]
        for day in days { byDay[day] = Self.cell(Double(day) * 0.5, present: Int32(truncatingIfNeeded: day)) }
        let series = IndexedSeries(SeriesData(key: SeriesKey(site: "a", quantity: .water, meter: "m"),
                                              intervalSeconds: 900, days: DayCells(byDay), inputs: []))
        let expected = byDay.sorted { $0.key < $1.key }
        #expect(Array(series.days) == expected.map(\.key))
        #expect(Array(series.cells) == expected.map { DaySummary($0.value) })
    }

    /// Setting cells out of order, replacing and removing them keeps `DayCells` in day order, as a dictionary would
    /// hold them.
    @Test func dayCellsBehaveLikeADictionaryInDayOrder() {
        var cells = DayCells()
        var reference: [Int: DayCell] = [:]
        var state: UInt64 = 7
        for step in 0..<400 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let day = Int(state >> 58) - 20  // -20...43: replacements and removals come round often
            let cell: DayCell? = step % 5 == 4 ? nil : Self.cell(Double(step))
            cells[day] = cell
            reference[day] = cell
        }
        #expect(cells == DayCells(reference))
        #expect(cells.keys == reference.keys.sorted())
        #expect(cells.map(\.key) == reference.keys.sorted())
        #expect(cells.values == reference.keys.sorted().map { reference[$0]! })
        for day in -25...50 { #expect(cells[day] == reference[day]) }
        var appended = DayCells()
        for (day, cell) in cells { appended.append(day: day, cell) }
        #expect(appended == cells)
    }

    /// daily.csv is rendered in parts of about the same number of series-days, whatever the days per series.
    @Test(arguments: [[], [5], [1, 1, 1], [10_000, 1, 1, 9_000], Array(repeating: 55, count: 500), [0, 0, 3]])
    func weightedSlicesCoverEveryIndexOnceInOrder(weights: [Int]) {
        let ranges = PipelineRun.slices(weights, weight: 100)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == weights.count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        for range in ranges.dropLast() {
            #expect(weights[range].reduce(0, +) >= 100)
            #expect(weights[range].dropLast().reduce(0, +) < 100)
        }
        #expect(ranges.dropLast().allSatisfy { !$0.isEmpty })
    }

    @Test func rangeTotalsAddTheDaysInTheRange() {
        let key = SeriesKey(site: "a", quantity: .electricityOfftake, meter: "m")
        let series = IndexedSeries(SeriesData(
            key: key, intervalSeconds: 900, days: [10: Self.cell(1), 12: Self.cell(2), 13: Self.cell(4, present: 0)],
            inputs: []))
        #expect(series.totals(from: 11, to: 13).sum == 6)
        #expect(series.totals(from: 11, to: 13).daysPresent == 1)
        #expect(series.totals(from: 14, to: 20).sum == 0)
        #expect(series.cells(from: 9, to: 12).map(\.sum) == [1, 2])
        #expect(series.lastPresentDay == 12)
    }

    /// Days without a gap are found by position, the others by search: the same cells either way.
    @Test(arguments: [Array(100...130), [100, 101, 103, 104, 110, 111, 112, 130]])
    func rangesFindTheSameCellsWithOrWithoutGaps(days: [Int]) {
        var byDay: [Int: DayCell] = [:]
        for day in days { byDay[day] = Self.cell(Double(day)) }
        let series = IndexedSeries(SeriesData(
            key: SeriesKey(site: "a", quantity: .gas, meter: "m"), intervalSeconds: 3_600, days: DayCells(byDay), inputs: []))
        for from in 95...135 {
            for to in from - 1...136 {
                let expected = days.filter { $0 >= from && $0 <= to }.map(Double.init)
                #expect(series.cells(from: from, to: to).map(\.sum) == expected)
                #expect(series.totals(from: from, to: to).sum == expected.reduce(0, +))
            }
            #expect(series.firstIndex(atOrAfter: from) == (days.firstIndex { $0 >= from } ?? days.count))
        }
    }

    static func kpi(site: String, reason: String?) -> KPI {
        KPI(key: "energy.gas_kwh", period: "2024", site: site, value: reason == nil ? 1 : nil, unit: .kWh,
            coverage: 0.5, flags: [.lowCoverage],
            provenance: Provenance(inputs: ["pilot/" + site + "/a-long-file-name.csv"],
                                   formula: "sum of natural gas over the intervals of the " + "period",
                                   reason: reason.map { .noSource(.naturalGas, site: $0) }))
    }

    /// The address of a text's bytes: equal for two texts that share their storage.
    static func storage(_ text: String) -> UInt? {
        text.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
    }

    @Test func sharedKPIsAreEqualAndShareTheirTexts() {
        let kpis = [Self.kpi(site: "a", reason: nil), Self.kpi(site: "b", reason: "x"), Self.kpi(site: "a", reason: "x")]
        let sharing = KPISharing()
        let first = sharing.share(Array(kpis[0..<2]))
        let second = sharing.share([kpis[2]])
        #expect(first + second == kpis)
        #expect(Self.storage(first[0].provenance.formula) == Self.storage(second[0].provenance.formula))
        #expect(Self.storage(first[0].provenance.inputs[0]) == Self.storage(second[0].provenance.inputs[0]))
        #expect(Self.storage(kpis[0].provenance.formula) != Self.storage(kpis[2].provenance.formula))
    }

    @Test func sharedTextsAreMatchedByTheirBytes() {
        // Equal as `String`s (canonically equivalent), not the same bytes: never replaced by one another.
        #expect("caf\u{E9}" == "cafe\u{301}")
        #expect(SameBytes("caf\u{E9}") != SameBytes("cafe\u{301}"))
        #expect(SameBytes("Σ kWh × factor") == SameBytes("Σ kWh × " + "factor"))
        #expect(SameBytes(["ab", "c"]) != SameBytes(["a", "bc"]))
        #expect(SameBytes(["a", "b"]) == SameBytes(["a", "b"]))
        let sharing = KPISharing()
        let composed = Self.kpi(site: "caf\u{E9}", reason: "x")
        let decomposed = Self.kpi(site: "cafe\u{301}", reason: "x")
        let shared = sharing.share([composed, decomposed])
        #expect(Array(shared[1].provenance.inputs[0].utf8) == Array(decomposed.provenance.inputs[0].utf8))
        #expect(Array(shared[1].provenance.inputs[0].utf8) != Array(composed.provenance.inputs[0].utf8))
    }
}
