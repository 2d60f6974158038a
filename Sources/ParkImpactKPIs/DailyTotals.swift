public import ParkImpactModel
import ParkImpactDefinition

/// One local day of a pilot, for the report's load heatmap and coverage calendar: the grid offtake of all sites and
/// the day's present, estimated and expected intervals over the metered series (as `quality.coverage` counts them).
public struct DailyTotal: Sendable, Equatable {
    /// Local day number (`CivilDate.dayNumber`).
    public let day: Int
    /// Sum of the grid offtake intervals present that day (kWh); nil when no offtake interval is present.
    public var offtakeKWh: Double?
    public var present: Int
    public var estimated: Int
    /// Expected intervals: day length ÷ interval per metered series (a PV series from its first day on).
    public var expected: Double
    /// Series whose day is spread over a gap between two register readings (estimated, not in `present`).
    public var filled: Int

    public init(day: Int, offtakeKWh: Double?, present: Int, estimated: Int, expected: Double, filled: Int = 0) {
        self.day = day
        self.offtakeKWh = offtakeKWh
        self.present = present
        self.estimated = estimated
        self.expected = expected
        self.filled = filled
    }

    /// present ÷ expected (0…1), nil when nothing was expected.
    public var coverage: Double? { expected > 0 ? min(1, Double(present) / expected) : nil }
}

public enum DailyTotals {
    /// Every day from the first to the last day of the baseline and reporting periods, in day order.
    public static func compute(_ series: [SeriesData], periods: [ReportPeriod], table: LocalTimeTable) -> [DailyTotal] {
        compute(series.map(IndexedSeries.init), periods: periods, table: table)
    }

    /// `compute` over series already in day order.
    package static func compute(_ series: [IndexedSeries], periods: [ReportPeriod], table: LocalTimeTable) -> [DailyTotal] {
        let spans = periods.filter { $0.kind == .baseline || $0.kind == .reporting }
        guard let first = spans.map(\.firstDay).min(), let last = spans.map(\.lastDay).max(), first <= last else {
            return []
        }
        var result = (first...last).map { DailyTotal(day: $0, offtakeKWh: nil, present: 0, estimated: 0, expected: 0) }
        let metered = series.filter { $0.key.quantity.hasCoverage }.sorted { $0.key < $1.key }
        // Each local day's length, looked up once rather than per series.
        let daySeconds = (first...last).map { Double(table.startOfDay($0 + 1) - table.startOfDay($0)) }
        // The expected intervals of every day, added series by series in key order (the same additions in the same
        // order as day by day), in a plain array: a series of a few days in a period of years costs a tight loop over
        // the period, and its cells are visited alone.
        var expected = [Double](repeating: 0, count: result.count)
        for entry in metered {
            let fromDay = entry.key.quantity == .pvProduction ? max(first, entry.days.first ?? first) : first
            guard fromDay <= last else { continue }
            let isOfftake = entry.key.quantity == .electricityOfftake
            let interval = entry.interval
            expected.withUnsafeMutableBufferPointer { sums in
                if interval >= 82_800 || interval <= 0 {
                    let each = interval >= 82_800 ? 86_400 / Double(max(86_400, interval)) : 1
                    for index in (fromDay - first)..<sums.count { sums[index] += each }
                } else {
                    let length = Double(interval)
                    daySeconds.withUnsafeBufferPointer { seconds in
                        for index in (fromDay - first)..<sums.count { sums[index] += seconds[index] / length }
                    }
                }
            }
            let days = entry.days, cells = entry.cells
            var next = entry.firstIndex(atOrAfter: fromDay)  // the series' next day with a cell
            while next < days.count, days[next] <= last {
                let index = days[next] - first
                let cell = cells[next]
                next += 1
                // A day spread over a register gap has a value but is not covered (as `quality.coverage` counts).
                let filled = interval >= 82_800 && cell.present == 1 && cell.estimated == 1 && cell.missing == 1
                result[index].present += filled ? 0 : interval > 0 ? Int(cell.present) : (cell.present > 0 ? 1 : 0)
                if filled { result[index].filled += 1 }
                result[index].estimated += Int(cell.estimated)
                if isOfftake, cell.present > 0 { result[index].offtakeKWh = (result[index].offtakeKWh ?? 0) + cell.sum }
            }
        }
        for index in result.indices { result[index].expected = expected[index] }
        return result
    }
}
