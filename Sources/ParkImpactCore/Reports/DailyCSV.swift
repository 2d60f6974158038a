import Foundation

/// `output/<pilot>/daily.csv` (opt-in, `run --daily-csv`): every measured series' local-day cells, so the
/// aggregation can be checked against another tool (`make bench` compares it with DuckDB).
///
/// `series,date,sum,count,missing`: the series as `site/quantity/meter`, the local date, the sum of the present
/// values in the quantity's canonical unit (shortest text that reads back as the same `Double`), the number of
/// present (measured or estimated) intervals and of missing ones. Sorted by series, then date.
public enum DailyCSV {
    public static func render(_ series: [SeriesData]) -> String {
        var out = "series,date,sum,count,missing\n"
        out.reserveCapacity(64 + series.reduce(0) { $0 + $1.days.count * 72 })
        for data in series.sorted(by: { $0.key < $1.key }) {
            let name = CSVOutput.cell(data.key.description)
            for (day, cell) in data.days.sorted(by: { $0.key < $1.key }) {
                out += name
                out += ","
                out += CivilDate(dayNumber: day).description
                out += ",\(cell.sum),\(cell.present),\(cell.missing)\n"
            }
        }
        return out
    }
}
