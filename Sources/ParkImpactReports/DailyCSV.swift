import Foundation
public import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// `output/<pilot>/daily.csv` (opt-in, `run --daily-csv`): every measured series' local-day cells, so the
/// aggregation can be checked against another tool (`make bench` compares it with DuckDB).
///
/// `series,date,sum,count,missing`: the series as `site/quantity/meter`, the local date, the sum of the present
/// values in the quantity's canonical unit (shortest text that reads back as the same `Double`), the number of
/// present (measured or estimated) intervals and of missing ones. Sorted by series, then date.
public enum DailyCSV {
    public static func render(_ series: [SeriesData]) -> String {
        let sorted = series.sorted { $0.key < $1.key }.map(IndexedSeries.init)
        return String(decoding: part(sorted, 0..<sorted.count), as: UTF8.self)
    }

    /// The bytes of daily.csv for `sorted[range]` (the series sorted by key), with the header when the range starts
    /// at the first series: the parts of consecutive ranges, one after the other, are the file.
    package static func part(_ sorted: [IndexedSeries], _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + sorted[range].reduce(0) { $0 + $1.days.count * 72 })
        if range.lowerBound == 0 { out.write("series,date,sum,count,missing\n") }
        for data in sorted[range] {
            var name: [UInt8] = []
            CSVOutput.write(cell: data.key.description, locale: .en, to: &name)
            for (day, cell) in zip(data.days, data.cells) {
                out.append(contentsOf: name)
                out.append(0x2C)
                out.write(day: day)
                out.append(0x2C)
                out.write(cell.sum.description)
                out.append(0x2C)
                out.write(decimal: Int(cell.present))
                out.append(0x2C)
                out.write(decimal: Int(cell.missing))
                out.append(0x0A)
            }
        }
        return out
    }
}
