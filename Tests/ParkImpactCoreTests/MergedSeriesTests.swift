import Testing
@testable import ParkImpactCore

/// What the stages after the merge read: series in day order (`IndexedSeries`).
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
        let (orderedDays, cells) = IndexedSeries.inDayOrder(byDay)
        let expected = byDay.sorted { $0.key < $1.key }
        #expect(orderedDays == expected.map(\.key))
        #expect(cells == expected.map(\.value))
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
}
