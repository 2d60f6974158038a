public import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// The PV matching stage: after the merge, before the KPIs. Self-consumed PV needs production and grid exchange of
/// the same interval (`docs/method.md`, "PV": compute per interval, then aggregate); day cells have lost that,
/// so it works on the interval readings the read stage kept for PV sites (`IntervalReadingPolicy`).
///
/// Per site with PV production readings:
/// - **Buckets.** B = the coarsest interval among the site's PV production, grid injection and grid offtake series
///   (each series' interval is its shortest reading): 15 min for SMA 5-minute production with Fluvius quarter-hours,
///   a local day (23, 24 or 25 hours) when any of them is daily (a Sungrow daily report). Buckets shorter than a day
///   are aligned on UTC multiples of B (local quarter-hours and hours in whole-hour zones); a reading that does not
///   fit inside one bucket (a longer gap-filling interval, a monthly total) makes every bucket it touches unmatched,
///   since where its energy fell is not measured. Offtake series coarser than a day (monthly bills) stay out of the
///   matching; then self-sufficiency cannot be matched (`electricity_offtake_matched` is not emitted).
/// - **Sides.** Production sums all the site's PV series, injection all its injection series, offtake all its
///   offtake series. A side is *known* in a bucket when every series of that side that covers the bucket (the
///   bucket overlaps the span from the series' first to its last reading, or the series has a reading in it) has
///   present readings that fill the bucket exactly (no missing reading, no hole, no double count), and at least one
///   series does. A series outside its span (a second inverter commissioned later) does not count.
/// - **Matched** bucket: production, injection and (when the site has per-interval offtake) offtake are all known.
///   Offtake is required too so that both ratios and the consumption use the same intervals; Fluvius writes
///   offtake and injection of a quarter on the same meter, so this costs next to nothing.
///   self-consumed = min(max(production − injection, 0), production) (injection above production, from estimated
///   or misaligned values, is clamped; a negative net production (inverter standby) stays negative so that
///   self-consumed ≤ production in every bucket and the ratio never exceeds 1).
/// - **Span.** Buckets count from the first PV production reading of the site (commissioning) on: before it the site
///   had no PV, which is not missing data (the same assumption as for a site without a PV source). After the PV data
///   end while grid data go on, the buckets are unmatched.
///
/// Emitted per PV site (meter `pv-matching`, interval B, day cells by the local day of the bucket start; present =
/// matched buckets, missing = unmatched ones, estimated = matched buckets with an estimated input):
/// `electricity_self_consumed`, `pv_production_matched` (production of the matched buckets) and, when offtake is
/// matched, `electricity_offtake_matched`: the offtake of the matched buckets and of every bucket before the PV start
/// with known offtake (there the consumption is the offtake: self-sufficiency 0, as for a site without PV), so that
/// the self-sufficiency of a year in which the PV was commissioned counts the whole year's consumption.
/// Inputs are the files of the site's PV and grid series.
///
/// **Totals longer than a day** (a Sungrow monthly or yearly report, a monthly injection total): a bucket is at most a
/// local day, so such a reading never fits in one and every bucket it spans stays unmatched — there is no honest way
/// to split a month's production over its quarter-hours or days. The derived series then carry a note naming the
/// series and how many readings are longer than a day (`SeriesData.notes`), which the KPIs give as the reason of a
/// null value (or, when other intervals matched, with the flag `pv_totals_not_matched`).
public enum PVMatching {
    public static let meter = "pv-matching"

    /// The derived series of every PV site, sorted by key. `series` is the merged series of one pilot.
    public static func derive(_ series: [SeriesData], table: LocalTimeTable) -> [SeriesData] {
        var bySite: [String: [SeriesData]] = [:]
        var order: [String] = []
        for data in series where [.pvProduction, .electricityInjection, .electricityOfftake].contains(data.key.quantity) {
            if bySite[data.key.site] == nil { order.append(data.key.site) }
            bySite[data.key.site, default: []].append(data)
        }
        var result: [SeriesData] = []
        for site in order.sorted() {
            let mine = bySite[site]!
            let production = mine.filter { $0.key.quantity == .pvProduction && !$0.readings.isEmpty }
            guard !production.isEmpty else { continue }
            let injection = mine.filter { $0.key.quantity == .electricityInjection && !$0.readings.isEmpty }
            var offtake = mine.filter { $0.key.quantity == .electricityOfftake && !$0.readings.isEmpty }
            if offtake.contains(where: { shortestReading($0) > 90_000 }) { offtake = [] }
            result.append(contentsOf: SiteMatcher(
                site: site, production: production, injection: injection, offtake: offtake, table: table).derive())
        }
        return result.sorted { $0.key < $1.key }
    }

    /// Readings longer than this (the longest local day, 25 hours) are totals that cannot be matched.
    static let longestDay: Int64 = 90_000

    /// Notes for the derived series: the production and injection series with readings longer than a day.
    static func coarseNotes(site: String, production: [SeriesData], injection: [SeriesData]) -> [String] {
        (production + injection).compactMap { data -> String? in
            let long = data.readings.filter { Int64($0.seconds) > longestDay }
            guard !long.isEmpty else { return nil }
            let longest = long.map { Int64($0.seconds) }.max()!
            let what = data.key.quantity == .pvProduction ? "PV production" : "grid injection"
            let days = (Double(longest) / 86_400).rounded()
            return "the \(what) of site \(site) (\(data.key.meter)) has \(long.count) of \(data.readings.count) "
                + "readings longer than a day (totals of up to \(Int(days)) days, e.g. a monthly report): how their "
                + "energy falls on days and quarter-hours is not measured, so they cannot be matched per interval with "
                + "the grid exchange (self-consumption needs production and injection of the same interval, at most a "
                + "local day); upload the export per day or per quarter-hour"
        }
    }

    /// A series' interval as its readings show it: the shortest positive reading length (0 when none).
    static func shortestReading(_ data: SeriesData) -> Int64 {
        var shortest = Int64.max
        for reading in data.readings where reading.seconds > 0 && Int64(reading.seconds) < shortest {
            shortest = Int64(reading.seconds)
        }
        return shortest == Int64.max ? 0 : shortest
    }
}

/// One site's matching.
struct SiteMatcher {
    let site: String
    let production: [SeriesData]
    let injection: [SeriesData]
    let offtake: [SeriesData]
    let table: LocalTimeTable
    /// Bucket length in seconds; 0 = local days.
    let bucketSeconds: Int64

    init(site: String, production: [SeriesData], injection: [SeriesData], offtake: [SeriesData], table: LocalTimeTable) {
        self.site = site
        self.production = production
        self.injection = injection
        self.offtake = offtake
        self.table = table
        let coarsest = (production + injection + offtake).map(PVMatching.shortestReading).max() ?? 0
        bucketSeconds = coarsest == 0 || coarsest >= 82_800 ? 0 : coarsest
    }

    /// What one series put into one bucket.
    struct Cell {
        var sum = 0.0
        var seconds: Int64 = 0
        var missing = false
        /// A reading that does not fit in one bucket touched it.
        var broken = false
        var estimated = false
    }

    /// One series' buckets in ascending order with what its readings put into each, and the span of its readings.
    struct Series {
        var buckets: [Int64] = []
        var cells: [Cell] = []
        var span: (start: Int64, end: Int64) = (Int64.max, Int64.min)
        /// Where the last lookup ended (`known` asks for ascending buckets).
        var cursor = 0

        /// The cell of `bucket`, for buckets asked in ascending order.
        mutating func cell(_ bucket: Int64) -> Cell? {
            while cursor < buckets.count, buckets[cursor] < bucket { cursor += 1 }
            return cursor < buckets.count && buckets[cursor] == bucket ? cells[cursor] : nil
        }
    }

    /// The series of one side (production, injection or offtake).
    struct Side {
        var series: [Series] = []
        var isEmpty: Bool { series.isEmpty }
    }

    // MARK: Buckets

    func bucket(of instant: Int64) -> Int64 {
        if bucketSeconds == 0 { return Int64(table.localDay(ofUTC: instant)) }
        return instant >= 0 ? instant / bucketSeconds : (instant - bucketSeconds + 1) / bucketSeconds
    }

    func bounds(of bucket: Int64) -> (start: Int64, end: Int64) {
        if bucketSeconds == 0 { return (table.startOfDay(Int(bucket)), table.startOfDay(Int(bucket) + 1)) }
        return (bucket * bucketSeconds, (bucket + 1) * bucketSeconds)
    }

    /// Sorts each series' readings into buckets from `firstBucket` on. A bucket's readings are added in reading order
    /// (the sort is by bucket, then by reading position): the same sums, to the bit, whatever the order of the files.
    func side(_ series: [SeriesData], from firstBucket: Int64) -> Side {
        var side = Side()
        for data in series {
            var one = Series()
            // (bucket, reading position): a reading that does not fit in one bucket gives each bucket it touches, with
            // its position made negative - 1 (it breaks them).
            var entries: [(bucket: Int64, position: Int)] = []
            entries.reserveCapacity(data.readings.count)
            for (position, reading) in data.readings.enumerated() {
                let start = reading.startUTC, length = Int64(reading.seconds)
                one.span = (min(one.span.start, start), max(one.span.end, start + max(length, 1)))
                let first = bucket(of: start)
                let last = length > 0 ? bucket(of: start + length - 1) : first
                guard last >= firstBucket else { continue }
                if length <= 0 || first != last {
                    // Where in its span the energy fell is not measured: every bucket it touches is unmatched.
                    for touched in max(first, firstBucket)...last { entries.append((touched, -1 - position)) }
                    continue
                }
                entries.append((first, position))
            }
            func order(_ position: Int) -> Int { position >= 0 ? position : -1 - position }
            entries.sort { $0.bucket != $1.bucket ? $0.bucket < $1.bucket : order($0.position) < order($1.position) }
            for (bucket, position) in entries {
                if one.buckets.last != bucket {
                    one.buckets.append(bucket)
                    one.cells.append(Cell())
                }
                let last = one.cells.count - 1
                guard position >= 0 else {
                    one.cells[last].broken = true
                    continue
                }
                let reading = data.readings[position]
                switch reading.quality {
                case .missing:
                    one.cells[last].missing = true
                case .measured, .estimated:
                    one.cells[last].sum += reading.value
                    one.cells[last].seconds += Int64(reading.seconds)
                    if reading.quality == .estimated { one.cells[last].estimated = true }
                }
            }
            side.series.append(one)
        }
        return side
    }

    /// The side's total in a bucket when it is known (see `PVMatching`), else nil. Buckets are asked in ascending
    /// order per side.
    func known(_ side: inout Side, _ bucket: Int64, start: Int64, end: Int64) -> (sum: Double, estimated: Bool)? {
        var counted = 0
        var sum = 0.0
        var estimated = false
        for index in side.series.indices {
            let cell = side.series[index].cell(bucket)
            let span = side.series[index].span
            if cell == nil, !(span.start < end && span.end > start) { continue }
            counted += 1
            guard let cell, !cell.missing, !cell.broken, cell.seconds == end - start else { return nil }
            sum += cell.sum
            estimated = estimated || cell.estimated
        }
        return counted > 0 ? (sum, estimated) : nil
    }

    // MARK: Matching

    func derive() -> [SeriesData] {
        var firstStart = Int64.max
        for data in production { for reading in data.readings { firstStart = min(firstStart, reading.startUTC) } }
        let firstBucket = bucket(of: firstStart)
        var producing = side(production, from: firstBucket)
        var injecting = side(injection, from: firstBucket)
        // Offtake before the PV start too: the consumption of those intervals is the offtake (no PV yet), which the
        // self-sufficiency of a period that begins before commissioning must count.
        var drawing = side(offtake, from: Int64.min)
        var buckets: [Int64] = []
        for side in [producing, injecting, drawing] {
            for one in side.series { buckets.append(contentsOf: one.buckets) }
        }
        buckets.sort()
        var selfConsumed: [Int: DayCell] = [:]
        var producedMatched: [Int: DayCell] = [:]
        var drawnMatched: [Int: DayCell] = [:]
        let withOfftake = !drawing.isEmpty
        var previous: Int64?
        var segment = LocalTimeTable.Segment(start: 0, end: 0, offset: 0)
        for bucket in buckets where bucket != previous {
            previous = bucket
            let (start, end) = bounds(of: bucket)
            let day: Int
            if bucketSeconds == 0 {
                day = Int(bucket)
            } else {
                // The local day of the bucket start, through the offset segment (no search while it stays the same).
                if start < segment.start || start >= segment.end { segment = table.offsetSegment(containingUTC: start) }
                let local = start + segment.offset
                day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
            }
            if bucket < firstBucket {
                guard withOfftake else { continue }
                if let drawn = known(&drawing, bucket, start: start, end: end) {
                    drawnMatched[day, default: DayCell()].add(value: drawn.sum, quality: drawn.estimated ? .estimated : .measured)
                } else {
                    drawnMatched[day, default: DayCell()].add(value: 0, quality: .missing)
                }
                continue
            }
            if let produced = known(&producing, bucket, start: start, end: end),
               let injected = known(&injecting, bucket, start: start, end: end) {
                let drawn: (sum: Double, estimated: Bool)? = withOfftake
                    ? known(&drawing, bucket, start: start, end: end) : (0, false)
                if let drawn {
                    let quality: Quality = produced.estimated || injected.estimated || drawn.estimated
                        ? .estimated : .measured
                    let used = min(max(produced.sum - injected.sum, 0), produced.sum)
                    selfConsumed[day, default: DayCell()].add(value: used, quality: quality)
                    producedMatched[day, default: DayCell()].add(value: produced.sum, quality: quality)
                    if withOfftake { drawnMatched[day, default: DayCell()].add(value: drawn.sum, quality: quality) }
                    continue
                }
            }
            selfConsumed[day, default: DayCell()].add(value: 0, quality: .missing)
            producedMatched[day, default: DayCell()].add(value: 0, quality: .missing)
            if withOfftake { drawnMatched[day, default: DayCell()].add(value: 0, quality: .missing) }
        }
        let interval = Int32(bucketSeconds == 0 ? 86_400 : bucketSeconds)
        let inputs = (production + injection + offtake).flatMap(\.inputs)
        let notes = PVMatching.coarseNotes(site: site, production: production, injection: injection)
        func series(_ quantity: Quantity, _ days: [Int: DayCell]) -> SeriesData {
            SeriesData(key: SeriesKey(site: site, quantity: quantity, meter: PVMatching.meter),
                       intervalSeconds: interval, days: DayCells(days, extras: .init(for: quantity)), inputs: inputs,
                       notes: notes)
        }
        var result = [series(.electricitySelfConsumed, selfConsumed), series(.pvProductionMatched, producedMatched)]
        if withOfftake { result.append(series(.electricityOfftakeMatched, drawnMatched)) }
        return result
    }
}
