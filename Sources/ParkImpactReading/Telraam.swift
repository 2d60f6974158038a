import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `telraam`: Telraam traffic counts, in either of the two shapes coordinators download.
///
/// **API CSV** (the `reports/traffic` rows saved as CSV, e.g. by pandas): `instance_id, segment_id, date, interval,
/// uptime, heavy, car, bike, pedestrian, heavy_lft, heavy_rgt, …, direction, timezone, car_speed_hist_0to70plus,
/// car_speed_hist_0to120plus, v85` (plus `night*`, `mode_*`, `speed_hist_*` for advanced columns). `date` is the
/// interval start in **UTC** (`2024-05-01 10:00:00+00:00`, `2024-05-01T10:00:00.000Z`; a `date` without offset is
/// read as UTC too, since the API only writes UTC). `interval`: `hourly` → 1 h, `quarterly`/`per-quarter` → 15 min,
/// absent or empty → inferred from consecutive rows. Meter = `instance_id` unless it is empty or `-1` (a segment
/// report), then `segment_id`.
///
/// **Web "raw data" download** (xlsx saved as CSV): `Installation ID, Street, City, Date and Time (Local),
/// Pedestrian Total, Bike Total, Car Total, Large vehicle Total, Night Total, Speed V85 km/h, Speed Car … (%),
/// Pedestrian (A > B), …, Heavy (B > A), Night (A > B), …, Mode … , Uptime`, times in **local** wall-clock time
/// (the source's or pilot's `timezone`; the autumn repeated hour: first occurrence per installation is summer
/// time; a spring-gap time is rejected), hourly (`:15/:30/:45` rows are quarter-hours, date-only rows whole local
/// days). Uptime is a label like `Good uptime - 1` / `Poor uptime - 0.57` (or a plain number).
/// Meter = `Installation ID`.
///
/// **`date_format`**: the web download's date layout is detected from its first row (`yyyy-MM-dd HH:mm`); a source's
/// `date_format` replaces the detection (an xlsx saved as CSV in a locale that writes `MM/dd/yyyy HH:mm`). The API
/// writes UTC instants, fixed by the API: an API CSV read by a source with `date_format` is refused with a message
/// (give API CSVs a source of their own), never read with a layout meant for the web download.
///
/// **What is read**: per mode the total (`pedestrian`/`Pedestrian Total`, `bike`, `car`, `heavy`/`Large vehicle
/// Total`), or, when a file has no total column for a mode, the sum of its two direction columns (`_lft` + `_rgt`,
/// `(A > B)` + `(B > A)`). Counts → `traffic_pedestrian`, `traffic_bike`, `traffic_car`, `traffic_heavy` (unit
/// count), one series per meter and mode. **Not read**: speeds (`v85`, histograms), `mode_*` sub-classes, street,
/// city, `direction`, `timezone`, and `Night` counts (vehicles the S2 counts in the dark without telling their mode:
/// they belong to none of the four quantities; they are read only to locate a missing cell, see below).
///
/// **Uptime policy** (Telraam counts are already corrected for uptime; on V1 sensors an uptime below 0.5
/// is suspect, `docs/method.md`):
/// - every count cell of the row empty → the four modes are **missing** for that hour (whatever the uptime says);
/// - uptime 0 → **missing** (nothing was observed; a 0 count would claim an empty street);
/// - 0 < uptime < 0.5 → **estimated** (the extrapolated count is kept, and shows in `quality.estimated_share`);
/// - uptime ≥ 0.5 → **measured**;
/// - an empty, unreadable, negative or above-1 uptime on a row with counts → the row is rejected (its quality
///   cannot be judged). A single empty mode cell makes only that mode missing. A malformed or negative count
///   rejects the whole row (one reject naming the first bad column): an hour is one observation.
///
/// **Rows one cell short (web download)**: converting the xlsx drops empty cells on some rows (in the Montreal
/// sample the night rows, where `Speed V85 km/h` is empty because no car passed, have 50 fields against 51). Such
/// a row is accepted only when the missing cell can be located among the columns this reader ignores, between the
/// totals and the direction columns: its last field must be the uptime label, and every mode's total (read in
/// place) must equal its `(A > B)` + `(B > A)` read one position to the left. Otherwise it is rejected ("one cell
/// is missing and the row does not show which"): guessing would shift counts into the wrong mode.
struct TelraamFormat: RowFormat {

    enum Variant { case api, web }

    /// Where a mode's count is: its total, or its two directions.
    struct ModeColumns {
        var total: Int?
        var forward: Int?
        var backward: Int?
        var isPresent: Bool { total != nil || (forward != nil && backward != nil) }
    }

    /// Pedestrian, bike, car, heavy (the four quantities), then night (read only to locate a missing cell).
    static let quantities: [Quantity] = [.trafficPedestrian, .trafficBike, .trafficCar, .trafficHeavy]
    static let modeNames = ["pedestrian", "bike", "car", "heavy", "night"]

    let columnNames: [String]
    let variant: Variant
    let site: String
    let time: Int
    let uptime: Int
    /// API `instance_id` / web `Installation ID`.
    let instance: Int?
    /// API `segment_id`.
    let segment: Int?
    let interval: Int?
    /// Indexed like `modeNames`.
    let modes: [ModeColumns]
    let decimalMark: UInt8
    /// For rows one cell short: columns up to `gapLow` are in place, columns from `gapHigh` on are one to the left.
    let gapLow: Int
    let gapHigh: Int
    let canLocateGap: Bool
    private let timeHeader: [UInt8]

    private var instanceMeters = ByteKeyCache<Int32>()
    private var segmentMeters = ByteKeyCache<Int32>()
    private var meterNames: [String] = []
    /// Series id per meter and mode (-1: not interned yet).
    private var meterSeries: [[Int32]] = []
    private var uptimeLabels = ByteKeyCache<Double?>()
    private var intervalNames = ByteKeyCache<Int32?>()
    private var layout: DateTimeLayout?
    /// Whether `layout` is the source's `date_format` (web download only).
    let layoutForced: Bool
    private var resolver: LocalInstantResolver

    // MARK: Header

    static let apiNames: [String: [String]] = [
        "pedestrian": ["pedestrian", "pedestrian_lft", "pedestrian_rgt"],
        "bike": ["bike", "bike_lft", "bike_rgt"],
        "car": ["car", "car_lft", "car_rgt"],
        "heavy": ["heavy", "heavy_lft", "heavy_rgt"],
        "night": ["night", "night_lft", "night_rgt"],
    ]
    static let webNames: [String: [String]] = [
        "pedestrian": ["pedestrian total", "pedestrian (a > b)", "pedestrian (b > a)"],
        "bike": ["bike total", "bike (a > b)", "bike (b > a)"],
        "car": ["car total", "car (a > b)", "car (b > a)"],
        "heavy": ["large vehicle total", "heavy (a > b)", "heavy (b > a)"],
        "night": ["night total", "night (a > b)", "night (b > a)"],
    ]
    static let webTotalAliases: [String: [String]] = ["heavy": ["heavy total", "large vehicles total"]]

    static let expectedHeader = "API: instance_id,segment_id,date,interval,uptime,heavy,car,bike,pedestrian,… ; "
        + "web download: Installation ID,Street,City,Date and Time (Local),Pedestrian Total,Bike Total,Car Total,"
        + "Large vehicle Total,…,Uptime"

    /// The columns of a header, or why it is not a Telraam header.
    struct Layout {
        let variant: Variant
        let time: Int, uptime: Int, instance: Int?, segment: Int?, interval: Int?
        let modes: [ModeColumns]
    }

    static func layout(_ names: [String]) -> Result<Layout, HeaderMismatch> {
        let normalised = names.map(normalisedHeader)
        func index(_ name: String) -> Int? { normalised.firstIndex(of: name) }
        let variant: Variant
        let time: Int
        if let web = index("date and time (local)") {
            variant = .web
            time = web
        } else if let api = index("date"), index("uptime") != nil {
            variant = .api
            time = api
        } else {
            return .failure(HeaderMismatch(message: "the header is not a Telraam export header; expected "
                + "\(expectedHeader), found: \(names.joined(separator: ","))"))
        }
        let table = variant == .api ? apiNames : webNames
        let modes = modeNames.map { mode -> ModeColumns in
            let spelled = table[mode]!
            let total = index(spelled[0]) ?? webTotalAliases[mode]?.lazy.compactMap(index).first
            return ModeColumns(total: variant == .api ? index(spelled[0]) : total, forward: index(spelled[1]),
                               backward: index(spelled[2]))
        }
        let instance = variant == .api ? index("instance_id") : index("installation id")
        let segment = variant == .api ? index("segment_id") : index("segment id")
        var missing: [String] = []
        if index("uptime") == nil { missing.append(variant == .api ? "uptime" : "Uptime") }
        if instance == nil, segment == nil {
            missing.append(variant == .api ? "instance_id or segment_id" : "Installation ID")
        }
        if !modes.prefix(4).contains(where: \.isPresent) {
            missing.append(variant == .api ? "pedestrian, bike, car or heavy counts"
                : "Pedestrian Total, Bike Total, Car Total or Large vehicle Total")
        }
        guard missing.isEmpty else {
            return .failure(HeaderMismatch(message: "the Telraam header lacks \(missing.joined(separator: ", ")); "
                + "expected \(expectedHeader), found: \(names.joined(separator: ","))"))
        }
        return .success(Layout(variant: variant, time: time, uptime: index("uptime")!, instance: instance,
                               segment: segment, interval: variant == .api ? index("interval") : nil, modes: modes))
    }

    static func detect(_ records: [[String]]) -> Bool {
        guard let header = records.first, case .success = layout(header) else { return false }
        return true
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<TelraamFormat> {
        let names = header.strings
        switch layout(names) {
        case .failure(let mismatch):
            return .mismatch(mismatch)
        case .success(let layout):
            guard let site = context.source.site else {
                return .mismatch(HeaderMismatch(message: "a telraam source needs `site:` in the pipeline definition"))
            }
            if layout.variant == .api, let forced = context.source.dateFormat {
                return .mismatch(HeaderMismatch(message: "this is a Telraam API CSV, whose dates are UTC instants fixed "
                    + "by the API, but the source says `date_format: \(forced)` (meant for web downloads in local "
                    + "time); give API CSVs a source of their own without date_format"))
            }
            // Rows one cell short: the gap must lie after every column read in place (time, id, totals) and
            // before every column read shifted (directions, uptime).
            let inPlace = [layout.time, layout.instance ?? -1, layout.segment ?? -1]
                + layout.modes.compactMap(\.total)
            let shifted = [layout.uptime] + layout.modes.flatMap { [$0.forward, $0.backward].compactMap { $0 } }
            let gapLow = inPlace.max()!
            let gapHigh = shifted.min()!
            let checkable = layout.modes.contains { $0.total != nil && $0.forward != nil && $0.backward != nil }
            return .format(TelraamFormat(
                columnNames: names, variant: layout.variant, site: site, time: layout.time, uptime: layout.uptime,
                instance: layout.instance, segment: layout.segment, interval: layout.interval, modes: layout.modes,
                decimalMark: context.dialect.decimalMark, gapLow: gapLow, gapHigh: gapHigh,
                canLocateGap: layout.variant == .web && gapHigh - gapLow >= 2 && checkable
                    && layout.uptime == names.count - 1,
                timeHeader: Array(names[layout.time].utf8), layout: context.forcedLayout,
                layoutForced: context.forcedLayout != nil, resolver: LocalInstantResolver(table: context.table)))
        }
    }

    var mapping: [ColumnRole] {
        var roles: [(columns: [Int?], role: String)]
        switch variant {
        case .api:
            roles = [([time], "interval start, UTC instant"),
                     ([interval], "interval length (hourly, quarterly; empty: inferred)"),
                     ([instance], "meter (installation)"),
                     ([segment], instance == nil ? "meter (segment)" : "meter when instance_id is empty or -1")]
        case .web:
            roles = [([time], "interval start, local time (\(layoutNote(layout, forced: layoutForced)))"),
                     ([instance], "meter (installation)")]
        }
        roles.append(([uptime], "uptime: quality of the counts (0: missing, below 0.5: estimated)"))
        for (mode, quantity) in Self.quantities.enumerated() {
            let columns = modes[mode]
            if let total = columns.total {
                roles.append(([total], "\(quantity.rawValue) (count)"))
                roles.append(([columns.forward, columns.backward],
                              "\(quantity.rawValue) when \(columnNames[total].trimmingSpaces) is empty (sum of both "
                                  + "directions)"))
            } else if columns.forward != nil, columns.backward != nil {
                roles.append(([columns.forward, columns.backward], "\(quantity.rawValue) (count, sum of both directions)"))
            }
        }
        return columnMapping(columnNames, roles)
    }

    // MARK: Rows

    /// What a count cell (or pair of direction cells) holds.
    enum Count: Equatable {
        case blank
        case value(Double)
        /// The header column of the bad cell.
        case bad(Int)
    }

    /// The four modes' counts of a row, without an array per row.
    struct FourCounts {
        private var pedestrian = Count.blank, bike = Count.blank, car = Count.blank, heavy = Count.blank

        subscript(mode: Int) -> Count {
            get {
                switch mode {
                case 0: return pedestrian
                case 1: return bike
                case 2: return car
                default: return heavy
                }
            }
            set {
                switch mode {
                case 0: pedestrian = newValue
                case 1: bike = newValue
                case 2: car = newValue
                default: heavy = newValue
                }
            }
        }

        var anyPresent: Bool { pedestrian != .blank || bike != .blank || car != .blank || heavy != .blank }
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        // Field count, and the one-cell-short rows of the web download.
        let shifted: Bool
        if variant == .web, record.fieldCount == columnNames.count - 1 {
            guard canLocateGap, gapIsLocated(record) else {
                reject(record, column: columnNames.count - 1, .tooFewFields, "\(record.fieldCount) fields against "
                    + "\(columnNames.count) in the header: one cell is missing and the row does not show which (each "
                    + "mode's total should equal its (A > B) + (B > A) one position to the left, and the last field "
                    + "should be the uptime); export the file again", &aggregator)
                return
            }
            shifted = true
        } else {
            guard checkFieldCount(record, into: &aggregator, site: site) else { return }
            shifted = false
        }
        // Header column → field of this row: one to the left from `gapHigh` on in a one-cell-short row.
        let shiftFrom = shifted ? gapHigh : Int.max
        @inline(__always) func at(_ column: Int) -> Int { column >= shiftFrom ? column - 1 : column }

        let timeBytes = record[time]
        if Self.equalsIgnoringCase(timeBytes, timeHeader) {
            aggregator.ignore(.repeatedHeader)
            return
        }

        // Which installation.
        guard let meter = meterIndex(record, &aggregator) else { return }

        // When.
        let startUTC: Int64
        var intervalSeconds: Int32 = 0
        var day: Int?
        switch variant {
        case .api:
            guard let instant = TimeParsing.isoInstant(timeBytes) ?? Self.utcWithoutOffset(timeBytes) else {
                reject(record, column: time, .notADate, "\"\(record.string(time))\" is not a UTC time like "
                    + "2024-05-01 10:00:00+00:00 or 2024-05-01T10:00:00.000Z", &aggregator)
                return
            }
            startUTC = instant
            day = aggregator.table.localDay(ofUTC: instant)
            if let interval {
                let bytes = record[interval]
                let seconds: Int32?
                if let cached = intervalNames.lookup(bytes) {
                    seconds = cached
                } else {
                    seconds = Self.intervalSeconds(record.string(interval))
                    intervalNames.insert(bytes, seconds)
                }
                guard let seconds else {
                    reject(record, column: interval, .intervalNotRecognised,
                        "unknown interval \"\(record.string(interval))\"; known: hourly, "
                        + "quarterly (per-quarter)", &aggregator, day: day)
                    return
                }
                intervalSeconds = seconds
            }
        case .web:
            if layout == nil { layout = DateTimeLayout.detect([record.string(time)])?.layout }
            guard let layout, let local = layout.parse(timeBytes) else {
                reject(record, column: time, .notADate, "\"\(record.string(time))\" is not a local date and time "
                    + ((layoutForced ? layout.map { "in the layout \($0) HH:mm of date_format in the YAML" } : nil)
                        ?? "like 2025-01-01 12:00"), &aggregator)
                return
            }
            let localDay = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
            day = localDay
            let hasTime = TimeParsing.trimmed(timeBytes).count > (layout.yearDigits == 4 ? 10 : 8)
            if !hasTime {
                intervalSeconds = Int32(aggregator.table.secondsIn(day: localDay))
            } else {
                switch (local % 3600 + 3600) % 3600 {
                case 0: intervalSeconds = 3600
                case 900, 1800, 2700: intervalSeconds = 900
                default:
                    reject(record, column: time, .intervalNotRecognised,
                        "\"\(record.string(time))\" is not on the hour or a quarter-hour "
                        + "(Telraam raw data are hourly)", &aggregator, day: localDay)
                    return
                }
            }
            switch resolver.resolve(localSeconds: local, series: meter) {
            case .instant(let instant):
                startUTC = instant
            case .gap:
                reject(record, column: time, .timeInClockChangeGap,
                    "local time \(record.string(time)) does not exist in "
                    + "\(aggregator.table.identifier) (clocks moved forward)", &aggregator, day: localDay)
                return
            }
        }

        // How many, and how sure.
        var counts = FourCounts()
        for mode in 0..<4 {
            let count = Self.count(record, modes[mode], shiftFrom: shiftFrom, decimalMark: decimalMark)
            if case .bad(let column) = count {
                reject(record, column: column, .notANumber,
                    "\"\(record.string(at(column)))\" is not a count (a number ≥ 0)",
                       &aggregator, day: day)
                return
            }
            counts[mode] = count
        }
        var quality = Quality.missing
        if counts.anyPresent {
            let uptimeBytes = record[at(uptime)]
            guard !FieldParsing.isBlank(uptimeBytes) else {
                reject(record, column: uptime, .emptyField,
                    "the uptime is empty: the quality of the counts cannot be judged",
                       &aggregator, day: day)
                return
            }
            guard let value = uptimeValue(uptimeBytes), value >= 0, value <= 1.000_001 else {
                reject(record, column: uptime, .valueOutOfRange,
                    "\"\(record.string(at(uptime)))\" is not an uptime between 0 and 1 "
                    + "(like 0.87 or Good uptime - 0.87)", &aggregator, day: day)
                return
            }
            quality = value == 0 ? .missing : (value < 0.5 ? .estimated : .measured)
        }

        for mode in 0..<4 where modes[mode].isPresent {
            aggregator.valueColumn = modes[mode].total ?? modes[mode].forward ?? -1
            let series = seriesID(meter: meter, mode: mode, &aggregator)
            if quality != .missing, case .value(let value) = counts[mode] {
                aggregator.add(series: series, startUTC: startUTC, intervalSeconds: intervalSeconds, value: value,
                               quality: quality)
            } else {
                aggregator.add(series: series, startUTC: startUTC, intervalSeconds: intervalSeconds, value: 0,
                               quality: .missing)
            }
        }
    }

    /// A one-cell-short web row whose gap lies between the totals and the direction columns: its last field is the
    /// uptime label, and every total equals its two directions read one position to the left.
    private func gapIsLocated(_ record: CSVRecord) -> Bool {
        guard let last = Self.uptimeLabel(record[record.fieldCount - 1], decimalMark: decimalMark), last.labelled
        else { return false }
        var checked = 0
        for mode in modes {
            guard let total = mode.total, let forward = mode.forward, let backward = mode.backward else { continue }
            guard let t = number(record[total]), let a = number(record[forward - 1]),
                  let b = number(record[backward - 1]), abs(t - (a + b)) <= 1e-9 * max(1, abs(t)) else { return false }
            checked += 1
        }
        return checked > 0
    }

    private func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let point = UInt8(ascii: ".")
        return FieldParsing.decimal(bytes, decimalMark: decimalMark)
            ?? (decimalMark == point ? nil : FieldParsing.decimal(bytes, decimalMark: point))
    }

    /// A mode's count: its total, else the sum of its two directions; blank when the cells are empty.
    /// Header columns from `shiftFrom` on are one field to the left (a one-cell-short row).
    static func count(_ record: CSVRecord, _ mode: ModeColumns, shiftFrom: Int, decimalMark: UInt8) -> Count {
        func parse(_ column: Int) -> Count {
            let bytes = record[column >= shiftFrom ? column - 1 : column]
            if FieldParsing.isBlank(bytes) { return .blank }
            let point = UInt8(ascii: ".")
            guard let value = FieldParsing.decimal(bytes, decimalMark: decimalMark)
                ?? (decimalMark == point ? nil : FieldParsing.decimal(bytes, decimalMark: point)),
                value >= 0, value.isFinite else { return .bad(column) }
            return .value(value)
        }
        if let total = mode.total {
            let count = parse(total)
            if count != .blank || mode.forward == nil || mode.backward == nil { return count }
        }
        guard let forward = mode.forward, let backward = mode.backward else { return .blank }
        switch (parse(forward), parse(backward)) {
        case (.bad(let column), _), (_, .bad(let column)): return .bad(column)
        case (.value(let a), .value(let b)): return .value(a + b)
        default: return .blank
        }
    }

    private mutating func uptimeValue(_ bytes: UnsafeRawBufferPointer) -> Double? {
        if variant == .api {  // distinct floats per row: parsing beats a cache
            return Self.uptimeLabel(bytes, decimalMark: decimalMark)?.value
        }
        if let cached = uptimeLabels.lookup(bytes) { return cached }
        let value = Self.uptimeLabel(bytes, decimalMark: decimalMark)?.value
        uptimeLabels.insert(bytes, value)
        return value
    }

    /// `Good uptime - 0.65` → (0.65, labelled), `0.65` → (0.65, not labelled); nil when neither.
    static func uptimeLabel(_ bytes: UnsafeRawBufferPointer, decimalMark: UInt8) -> (value: Double, labelled: Bool)? {
        let field = TimeParsing.trimmed(bytes)
        guard !field.isEmpty else { return nil }
        func decimal(_ part: UnsafeRawBufferPointer) -> Double? {
            FieldParsing.decimal(part, decimalMark: decimalMark)
                ?? (decimalMark == UInt8(ascii: ".") ? nil : FieldParsing.decimal(part, decimalMark: UInt8(ascii: ".")))
        }
        if let value = decimal(field) { return (value, false) }  // `0.65`, `5.6e-05`
        if let dash = field.lastIndex(of: UInt8(ascii: "-")), dash > 0,
           field[..<dash].contains(where: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) {
            guard let value = decimal(UnsafeRawBufferPointer(rebasing: field[(dash + 1)...])) else { return nil }
            return (value, true)
        }
        return nil
    }

    /// `hourly` → 3600, `quarterly` → 900, empty → 0 (inferred); nil when unknown.
    static func intervalSeconds(_ text: String) -> Int32? {
        switch normalisedHeader(text) {
        case "hourly", "hour", "per-hour", "1h", "60min": return 3600
        case "quarterly", "quarter", "per-quarter", "quarter-hourly", "15min", "15m": return 900
        case "": return 0
        default: return nil
        }
    }

    /// `2024-05-01 10:00:00` without an offset: the API writes UTC only, so a re-saved date stays UTC.
    static func utcWithoutOffset(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        DateTimeLayout(order: .yearMonthDay, separator: UInt8(ascii: "-"), yearDigits: 4).parse(bytes)
    }

    /// The meter index of the row's installation (interning its name on first sight); nil after a reject.
    private mutating func meterIndex(_ record: CSVRecord, _ aggregator: inout FileAggregator) -> Int32? {
        if let instance, Self.isIdentifier(record[instance]) {
            let bytes = record[instance]
            if let cached = instanceMeters.lookup(bytes) { return cached }
            let index = newMeter(Self.cleanIdentifier(record.string(instance)))
            instanceMeters.insert(bytes, index)
            return index
        }
        if let segment, Self.isIdentifier(record[segment]) {
            let bytes = record[segment]
            if let cached = segmentMeters.lookup(bytes) { return cached }
            let index = newMeter(Self.cleanIdentifier(record.string(segment)))
            segmentMeters.insert(bytes, index)
            return index
        }
        let column = instance ?? segment!
        reject(record, column: column, .emptyMeterID,
            variant == .api ? "neither instance_id nor segment_id names the counter"
            : "the Installation ID is empty", &aggregator)
        return nil
    }

    private mutating func newMeter(_ name: String) -> Int32 {
        if let existing = meterNames.firstIndex(of: name) { return Int32(existing) }
        meterNames.append(name)
        meterSeries.append([-1, -1, -1, -1])
        return Int32(meterNames.count - 1)
    }

    private mutating func seriesID(meter: Int32, mode: Int, _ aggregator: inout FileAggregator) -> Int32 {
        let cached = meterSeries[Int(meter)][mode]
        if cached >= 0 { return cached }
        let id = aggregator.intern(SeriesKey(site: site, quantity: Self.quantities[mode],
                                             meter: meterNames[Int(meter)]))
        meterSeries[Int(meter)][mode] = id
        return id
    }

    /// Not empty and not `-1` (the API's "not this level").
    static func isIdentifier(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let field = TimeParsing.trimmed(bytes)
        if field.isEmpty { return false }
        return !(field.count == 2 && field[0] == UInt8(ascii: "-") && field[1] == UInt8(ascii: "1"))
    }

    /// `9000001844.0` (a float column written by pandas) → `9000001844`.
    static func cleanIdentifier(_ text: String) -> String {
        var value = text.trimmingSpaces
        if value.hasSuffix(".0"), value.dropLast(2).allSatisfy(\.isNumber) { value.removeLast(2) }
        return value
    }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: [UInt8]) -> Bool {
        let field = TimeParsing.trimmed(bytes)
        guard field.count == text.count else { return false }
        for index in 0..<text.count
        where FieldParsing.lowercased(field[index]) != FieldParsing.lowercased(text[index]) {
            return false
        }
        return true
    }

    private func reject(
        _ record: CSVRecord, column: Int, _ code: RejectCode, _ reason: String,
            _ aggregator: inout FileAggregator, day: Int? = nil
    ) {
        aggregator.reject(line: record.line, column: columnName(column), code: code,
            reason: reason, raw: record.rawText(),
                          site: site, day: day)
    }
}
