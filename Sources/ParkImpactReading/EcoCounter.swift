import CSVReading
import ParkImpactModel
import ParkImpactDefinition

/// `ecocounter`: Eco-Counter (Eco-Visio) exports, **wide**: a time column, then per counting site its total and its
/// directions, e.g. `Date,Kanaalbrug,Kanaalbrug IN,Kanaalbrug OUT,…` (Eco-Visio), `Date,Fremont Bridge Total,Fremont
/// Bridge East Sidewalk,Fremont Bridge West Sidewalk` (a city's published Eco-Counter feed) or
/// `Flow Name,Park Cyclist IN,Park Cyclist OUT` (flows only, no total column).
///
/// **Header**: the first column is named `Date`, `Time`, `Flow Name`, `Datum`, `Tijd`, `Heure`, `Zeit`, … (optionally
/// `Date` + a separate `Time`/`Heure`/`Tijd` column). Lines before it (a title, the `Site Name` row that Eco-Visio
/// puts above its `Flow Name` row) are skipped as preamble. The value columns are grouped into counting sites:
/// - a column ending in `Total`/`Totaal`/`Gesamt` is a site's total; the site is the name without that word, and
///   every other column starting with that name is one of its directions (`… East Sidewalk`);
/// - a column whose name starts other columns (`Kanaalbrug` before `Kanaalbrug IN`) is a site's total, those
///   columns its directions;
/// - columns ending in `IN`/`OUT` (`UIT`, `inbound`, `outbound`, `entrée`, `sortie`) without a total column form a
///   site of their own (the name without the direction word);
/// - columns without a total whose names differ by a compass word (`Fremont Bridge East Sidewalk`, `Fremont Bridge
///   West Sidewalk`; north/south/east/west, NB/SB/EB/WB, noord/zuid/oost/west, nord/sud/est/ouest) form a site named
///   by the words before it (`Fremont Bridge`), counted as the sum of its directions;
/// - when the header has one site with a total, columns named by direction words only (`NB`, `SB`, `Ped South`,
///   `Bike North`) are its directions;
/// - any other column is a site counted without directions.
///
/// **Values**: one series per site (meter = site name), quantity from the source's `quantity:` in the YAML, else
/// `traffic_pedestrian` when the site's column names say pedestrians (`Pedestrian`, `Piéton`, `Voetganger`,
/// `Fußgänger`), else `traffic_bike`; unit count. The value is the **total column**; direction columns are not added
/// again (they are ignored). A site without a total column gets the sum of its directions (missing if one is
/// empty). An empty cell is a missing interval; a cell that is not a count (a number ≥ 0) is rejected on its own
/// (line, column, reason): in a wide export every cell is a reading of its own site, so the other sites of the row
/// are kept. The export's own `Total` row at the end is ignored.
///
/// **Time**: local wall-clock time of the source's or pilot's `timezone` (autumn repeated hour: first occurrence is
/// summer time; a spring-gap time is rejected). The date layout follows the account's locale and is detected from
/// the first rows (`DateTimeLayout.detect`, 12-hour `AM`/`PM` times included); when the first rows fit both
/// day-first and month-first (`01/02/2024`), the reading whose consecutive rows are the more regular wins (month-first
/// hourly rows would jump a month at midnight); a tie is read day-first (European accounts). The interval is the
/// smallest step between consecutive rows of the first rows, either way: 15 min, hourly, or daily (whole local days:
/// 23 or 25 h on clock-change days); weekly or monthly rows are rejected. Rows may run newest first (public counter
/// feeds): then the autumn repeated hour's first row is its winter-time pass. 12-hour times (`01/01/2019 12:00:00
/// AM`) are read exactly: 12:00 AM is midnight, 12:00 PM noon. To decide, the reader keeps the first rows back (a
/// copy of 48 rows, up to 2,000 while the dates stay ambiguous) and reads them once the layout is known; every other
/// row is read straight from its bytes. Times with a UTC offset are not read (Eco-Visio exports are local time).
/// A source's `date_format` (`MM/dd/yyyy HH:mm`) replaces the detection and the day/month decision: only the
/// interval is then worked out from the kept rows (48, never more).
struct EcoCounterFormat: RowFormat {

    struct Site: Equatable {
        let meter: String
        let quantity: Quantity
        let total: Int?
        let parts: [Int]
    }

    let columnNames: [String]
    let site: String
    let timeColumn: Int
    let clockColumn: Int?
    let sites: [Site]
    let decimalMark: UInt8
    private let timeHeader: [UInt8]
    /// The source's `date_format`: used instead of detecting the layout.
    let forcedLayout: DateTimeLayout?

    /// Series id per counting site (-1 until first used).
    private var series: [Int32]
    /// Rows read before the date layout and the interval are known (copied).
    private var pending: [BufferedRow] = []
    private var decided = false
    private var layout: DateTimeLayout?
    /// How the day/month order was settled when the first rows fitted both (for the mapping).
    private var orderRemark: String?
    /// Wall-clock seconds between consecutive rows (0: unknown).
    private var step: Int64 = 0
    private var resolver: LocalInstantResolver
    /// The rows run newest first: the autumn repeated hour then comes winter time first.
    private var newestFirst = false
    /// Repeated-hour local times already read in a newest-first file.
    private var repeatedSeen = Set<Int64>()

    /// Rows kept back to detect the date layout: decided at 48 rows when unambiguous, at the latest at 2,000.
    static let decideAfter = 48
    static let bufferLimit = 2_000

    // MARK: Header

    static let timeAliases: Set<String> = [
        "date", "time", "datetime", "date/time", "date time", "date and time", "timestamp", "flow name", "period",
        "heure", "date et heure", "date/heure", "horodatage", "période", "periode", "jour",
        "datum", "tijd", "tijdstip", "datum/tijd", "datum en tijd", "dag",
        "zeit", "datum/zeit", "datum und uhrzeit", "uhrzeit", "zeitraum",
    ]
    static let clockAliases: Set<String> = ["time", "heure", "tijd", "uur", "zeit", "uhrzeit", "hour"]
    static let totalWords: Set<String> = ["total", "totaal", "gesamt", "totale"]
    /// Compass directions of a counter's lanes or sidewalks (English, Dutch, French, German, and the US bound
    /// abbreviations).
    static let compassWords: Set<String> = [
        "north", "south", "east", "west", "northbound", "southbound", "eastbound", "westbound", "nb", "sb", "eb", "wb",
        "noord", "zuid", "oost", "nord", "sud", "est", "ouest", "süd", "ost",
    ]
    /// Words naming what is counted in a direction column (`Ped South`, `Bike North`).
    static let modeWords: Set<String> = ["ped", "peds", "pedestrian", "pedestrians", "bike", "bikes", "bicycle",
                                         "bicycles", "cyclist", "cyclists", "fiets", "fietsers", "voetgangers"]
    static let directionWords: Set<String> = ["in", "out", "uit", "inbound", "outbound", "entrée", "sortie",
                                              "entrant", "sortant"]
    static let pedestrianWords = ["pedestrian", "piéton", "pieton", "voetganger", "fußgänger", "fussgänger",
                                  "fussganger", "peatón"]
    static let footerWords: [StaticString] = ["total", "totaal", "totaux", "somme", "summe", "gesamt", "sum"]

    static let expectedHeader = "Date,<site>,<site> IN,<site> OUT,… (first column Date, Time, Flow Name, Datum, "
        + "Tijd, Heure, Zeit, …; then per counting site its total and direction columns)"

    static func detect(_ records: [[String]]) -> Bool {
        for (offset, record) in records.enumerated() {
            guard let first = record.first else { continue }
            let name = normalisedHeader(first)
            if timeAliases.contains(name) {
                guard case .success(let header) = plan(record, configured: nil),
                      header.sites.contains(where: { !$0.parts.isEmpty }) else { return false }
                guard offset + 1 < records.count else { return true }
                return records[offset + 1].first.map(looksLikeDate) ?? false
            }
            if looksLikeDate(first) { return false }
        }
        return false
    }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<EcoCounterFormat> {
        let names = header.strings
        guard let first = names.first else { return .preamble }
        if looksLikeDate(first) {
            return .mismatch(HeaderMismatch(message: "the data start without an Eco-Counter header; expected "
                + "\(expectedHeader)"))
        }
        let name = normalisedHeader(first)
        guard timeAliases.contains(name) else { return .preamble }  // title lines, `Site Name` row, export dates
        guard let site = context.source.site else {
            return .mismatch(HeaderMismatch(message: "an ecocounter source needs `site:` in the pipeline definition"))
        }
        if let quantity = context.source.quantity,
           ![.trafficBike, .trafficPedestrian, .trafficCar, .trafficHeavy].contains(quantity) {
            return .mismatch(HeaderMismatch(message: "quantity \(quantity.rawValue) is not a traffic count; use "
                + "traffic_bike, traffic_pedestrian, traffic_car or traffic_heavy"))
        }
        switch plan(names, configured: context.source.quantity) {
        case .failure(let mismatch):
            return .mismatch(mismatch)
        case .success(let header):
            return .format(EcoCounterFormat(
                columnNames: names, site: site, timeColumn: 0, clockColumn: header.clock, sites: header.sites,
                decimalMark: context.dialect.decimalMark, timeHeader: Array(names[0].utf8),
                forcedLayout: context.forcedLayout, series: Array(repeating: -1, count: header.sites.count),
                resolver: LocalInstantResolver(table: context.table)))
        }
    }

    var mapping: [ColumnRole] {
        var time = layoutNote(layout, forced: forcedLayout != nil)
        if let orderRemark { time += "; " + orderRemark }
        if newestFirst { time += "; rows newest first" }
        var roles: [(columns: [Int?], role: String)] = [([timeColumn, clockColumn], "interval start, local time (\(time))")]
        for site in sites {
            if let total = site.total {
                roles.append(([total], "\(site.quantity.rawValue) for \(site.meter) (count)"))
                roles.append((site.parts, "ignored (directions of \(site.meter), counted in its total)"))
            } else {
                roles.append((site.parts, "\(site.quantity.rawValue) for \(site.meter) (count, sum of the directions)"))
            }
        }
        return columnMapping(columnNames, roles)
    }

    struct Header {
        let clock: Int?
        let sites: [Site]
    }

    /// Groups the value columns of a header into counting sites.
    static func plan(_ names: [String], configured: Quantity?) -> Result<Header, HeaderMismatch> {
        let normalised = names.map(normalisedHeader)
        let clock = names.count > 1 && clockAliases.contains(normalised[1]) && !clockAliases.contains(normalised[0])
            ? 1 : nil
        let first = (clock ?? 0) + 1
        struct Column { let index: Int; let name: String; let key: String }
        let columns = (first..<max(first, names.count)).compactMap { index -> Column? in
            let name = names[index].trimmingSpaces
            return name.isEmpty ? nil : Column(index: index, name: name, key: normalised[index])
        }
        guard !columns.isEmpty else {
            return .failure(HeaderMismatch(message: "the header names no counting site; expected \(expectedHeader), "
                + "found: \(names.joined(separator: ","))"))
        }
        var seen = Set<String>()
        for column in columns where !seen.insert(column.key).inserted {
            return .failure(HeaderMismatch(message: "column \"\(column.name)\" appears twice in the header, so its "
                + "counts cannot be told apart; export with flow names (\(expectedHeader))"))
        }
        func lastWord(_ key: String) -> (base: String, word: String)? {
            guard let space = key.lastIndex(of: " ") else { return nil }
            return (String(key[..<space]), String(key[key.index(after: space)...]))
        }
        func originalBase(_ name: String) -> String {
            guard let space = name.lastIndex(of: " ") else { return name }
            return String(name[..<space]).trimmingSpaces
        }

        struct Group { var meter: String; var key: String; var total: Int?; var parts: [Int]; var first: Int }
        var groups: [Group] = []
        var used = Set<Int>()
        // Totals named `<site> Total`.
        for column in columns {
            if let split = lastWord(column.key), totalWords.contains(split.word) {
                groups.append(Group(meter: originalBase(column.name), key: split.base, total: column.index, parts: [],
                                    first: column.index))
                used.insert(column.index)
            }
        }
        // Totals named `<site>`, followed by `<site> …` columns.
        for column in columns where !used.contains(column.index) {
            let isDirection = lastWord(column.key).map { directionWords.contains($0.word) } ?? false
            let startsOthers = columns.contains { $0.index != column.index && $0.key.hasPrefix(column.key + " ") }
            if !isDirection, startsOthers {
                groups.append(Group(meter: column.name, key: column.key, total: column.index, parts: [],
                                    first: column.index))
                used.insert(column.index)
            }
        }
        // Directions of those sites; then sites made of directions only; then single columns.
        for column in columns where !used.contains(column.index) {
            let owners = groups.indices.filter { column.key.hasPrefix(groups[$0].key + " ") }
            if let owner = owners.max(by: { groups[$0].key.count < groups[$1].key.count }) {
                groups[owner].parts.append(column.index)
                used.insert(column.index)
            }
        }
        // One site with a total and columns named by direction only (`…Total,NB,SB`, `…Total,Ped South,Bike North`):
        // those are its directions.
        if groups.count == 1, groups[0].total != nil {
            for column in columns where !used.contains(column.index) {
                let words = column.key.split(separator: " ").map(String.init)
                if !words.isEmpty, words.allSatisfy({ directionWords.contains($0) || compassWords.contains($0)
                    || modeWords.contains($0) }) {
                    groups[0].parts.append(column.index)
                    used.insert(column.index)
                }
            }
        }
        // Sites without a total column whose directions are compass points (`Fremont Bridge East Sidewalk`,
        // `Fremont Bridge West Sidewalk`): the words before the compass word name the site.
        var compassBases: [String: [(index: Int, meter: String)]] = [:]
        var compassOrder: [String] = []
        for column in columns where !used.contains(column.index) {
            let words = column.key.split(separator: " ").map(String.init)
            guard let last = words.last, !directionWords.contains(last),  // `… IN` / `… OUT`: below
                  let position = words.indices.dropFirst().first(where: { compassWords.contains(words[$0]) }) else {
                continue
            }
            let base = words[..<position].joined(separator: " ")
            let originalWords = column.name.split(separator: " ")
            let meter = originalWords.count == words.count
                ? originalWords[..<position].joined(separator: " ") : base
            if compassBases[base] == nil { compassOrder.append(base) }
            compassBases[base, default: []].append((column.index, meter))
        }
        for base in compassOrder {
            guard let members = compassBases[base], members.count >= 2,
                  !groups.contains(where: { $0.key == base }) else { continue }
            groups.append(Group(meter: members[0].meter, key: base, total: nil, parts: members.map(\.index),
                                first: members[0].index))
            members.forEach { used.insert($0.index) }
        }
        for column in columns where !used.contains(column.index) {
            if let split = lastWord(column.key), directionWords.contains(split.word) {
                if let owner = groups.firstIndex(where: { $0.total == nil && $0.key == split.base }) {
                    groups[owner].parts.append(column.index)
                } else {
                    groups.append(Group(meter: originalBase(column.name), key: split.base, total: nil,
                                        parts: [column.index], first: column.index))
                }
            } else {
                groups.append(Group(meter: column.name, key: column.key, total: column.index, parts: [],
                                    first: column.index))
            }
            used.insert(column.index)
        }
        groups.sort { $0.first < $1.first }
        let sites = groups.map { group -> Site in
            let words = ([group.total].compactMap { $0 } + group.parts).map { normalised[$0] } + [group.key]
            let quantity = configured ?? (words.contains { key in pedestrianWords.contains(where: key.contains) }
                ? .trafficPedestrian : .trafficBike)
            return Site(meter: group.meter, quantity: quantity, total: group.total, parts: group.parts)
        }
        var keys = Set<String>()
        for site in sites where !keys.insert("\(site.quantity.rawValue)/\(site.meter.lowercased())").inserted {
            return .failure(HeaderMismatch(message: "two column groups are both named \"\(site.meter)\"; their counts "
                + "cannot be told apart; found: \(names.joined(separator: ","))"))
        }
        return .success(Header(clock: clock, sites: sites))
    }

    /// Whether a cell is a date (optionally with a time, `AM`/`PM` included) in some layout.
    static func looksLikeDate(_ text: String) -> Bool {
        let body = stripMeridiem(text.trimmingSpaces)
        guard body.first?.isNumber == true else { return false }
        return DateTimeLayout.detect([body]) != nil
    }

    static func stripMeridiem(_ text: String) -> String {
        let lower = text.lowercased()
        guard lower.hasSuffix("am") || lower.hasSuffix("pm") else { return text }
        return String(text.dropLast(2)).trimmingSpaces
    }

    // MARK: Rows

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {
        if decided {
            process(record, &aggregator)
            return
        }
        pending.append(BufferedRow(record))
        if pending.count >= Self.bufferLimit
            || (pending.count >= Self.decideAfter && pending.count % Self.decideAfter == 0
                && (forcedLayout != nil || layoutIsUnambiguous())) {
            decide(&aggregator)
        }
    }

    mutating func finish(into aggregator: inout FileAggregator) {
        if !decided { decide(&aggregator) }
    }

    /// The date texts of the kept rows (dates only; `AM`/`PM` stripped).
    private func dateSamples() -> [String] {
        pending.compactMap { row -> String? in
            let text = Self.stripMeridiem(row.string(timeColumn).trimmingSpaces)
            return text.first?.isNumber == true ? text : nil
        }
    }

    private func layoutIsUnambiguous() -> Bool {
        guard let detected = DateTimeLayout.detect(dateSamples()) else { return false }
        return !detected.ambiguous
    }

    /// Works out the date layout and the step from the kept rows, then reads them.
    private mutating func decide(_ aggregator: inout FileAggregator) {
        if let forcedLayout {
            layout = forcedLayout
        } else if let detected = DateTimeLayout.detect(dateSamples()) {
            layout = detected.layout
            if detected.ambiguous, detected.layout.order == .dayMonthYear {
                let monthFirst = DateTimeLayout(order: .monthDayYear, separator: detected.layout.separator,
                                                yearDigits: detected.layout.yearDigits)
                let (dayFirstSteps, monthFirstSteps) = (irregularity(detected.layout), irregularity(monthFirst))
                if monthFirstSteps < dayFirstSteps { layout = monthFirst }
                orderRemark = monthFirstSteps == dayFirstSteps
                    ? "day first assumed, both orders fit: set date_format"
                    : "both orders fit, the sequence of the rows decided"
            }
        } else {
            // Some kept row is no date in any layout (a stray line): the layout that reads the most rows.
            var best: (layout: DateTimeLayout, count: Int)?
            for separator in [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")] {
                for (order, digits) in [(DateTimeLayout.DateOrder.yearMonthDay, 4), (.dayMonthYear, 4),
                                        (.monthDayYear, 4), (.dayMonthYear, 2), (.monthDayYear, 2)] {
                    let candidate = DateTimeLayout(order: order, separator: separator, yearDigits: digits)
                    let count = localTimes(candidate).count
                    if count > (best?.count ?? 0) { best = (candidate, count) }
                }
            }
            layout = best?.layout
        }
        if let layout {
            let times = localTimes(layout)
            var smallest = Int64.max
            // Newest rows first (public counter feeds) step backwards: the interval is the smallest step either way.
            var backwards = 0
            for (previous, next) in zip(times, times.dropFirst()) where next != previous {
                smallest = min(smallest, abs(next - previous))
                backwards += next < previous ? 1 : -1
            }
            newestFirst = backwards > 0
            if smallest != Int64.max {
                step = smallest
            } else if clockColumn == nil, pending.allSatisfy({ row in
                row.withField(timeColumn) { TimeParsing.trimmed($0).count <= (layout.yearDigits == 4 ? 10 : 8) }
            }) {
                step = 86_400  // dates without a time: daily rows
            }
        }
        decided = true
        let rows = pending
        pending = []
        let line = aggregator.line
        for row in rows {
            aggregator.line = row.line
            process(row, &aggregator)
            if aggregator.needsRaw { aggregator.fillRaw(row.rawLine) { valueColumnName($0) } }
        }
        aggregator.line = line
    }

    /// Local times of the kept rows read with `layout`, in file order (unreadable rows left out).
    private func localTimes(_ layout: DateTimeLayout) -> [Int64] {
        pending.compactMap { row in localSeconds(row, layout) }
    }

    /// Sum of the absolute steps between consecutive rows: small for the right reading of the dates.
    private func irregularity(_ layout: DateTimeLayout) -> Int64 {
        let times = localTimes(layout)
        return zip(times, times.dropFirst()).reduce(0) { $0 + abs($1.1 - $1.0) }
    }

    /// Wall-clock seconds since 1970 of a row's time cell(s); nil when not a date and time in `layout`.
    private func localSeconds<Row: CounterRow>(_ row: Row, _ layout: DateTimeLayout) -> Int64? {
        row.withField(timeColumn) { dateBytes -> Int64? in
            if let clockColumn {
                guard TimeParsing.trimmed(dateBytes).count == (layout.yearDigits == 4 ? 10 : 8),
                      let date = layout.parse(dateBytes) else { return nil }
                guard let time = row.withField(clockColumn, { Self.clockSeconds($0) }) else { return nil }
                return date + time
            }
            let (body, meridiem) = Self.splitMeridiem(dateBytes)
            guard var seconds = layout.parse(body) else { return nil }
            if let pm = meridiem {
                let hour = (seconds % 86_400) / 3600
                guard hour >= 1, hour <= 12 else { return nil }
                if pm, hour < 12 { seconds += 43_200 } else if !pm, hour == 12 { seconds -= 43_200 }
            }
            return seconds
        }
    }

    /// `HH:mm[:ss]`, optionally `h:mm AM`, → seconds after midnight.
    static func clockSeconds(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let (body, meridiem) = splitMeridiem(bytes)
        let field = TimeParsing.trimmed(body)
        let seconds: Int?
        if field.count == 4 || field.count == 7, field[1] == UInt8(ascii: ":") {  // `9:00` → `09:00`
            seconds = ([UInt8(ascii: "0")] + Array(field)).withUnsafeBytes { TimeParsing.timeOfDay($0) }
        } else {
            seconds = TimeParsing.timeOfDay(field)
        }
        guard var value = seconds.map(Int64.init), value < 86_400 else { return nil }
        if let pm = meridiem {
            let hour = value / 3600
            guard hour >= 1, hour <= 12 else { return nil }
            if pm, hour < 12 { value += 43_200 } else if !pm, hour == 12 { value -= 43_200 }
        }
        return value
    }

    /// `11/03/2019 01:00:00 PM` → (`11/03/2019 01:00:00`, pm: true); no suffix → (field, nil).
    static func splitMeridiem(_ bytes: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, Bool?) {
        let field = TimeParsing.trimmed(bytes)
        let count = field.count
        guard count >= 3, FieldParsing.lowercased(field[count - 1]) == UInt8(ascii: "m") else { return (field, nil) }
        let letter = FieldParsing.lowercased(field[count - 2])
        guard letter == UInt8(ascii: "a") || letter == UInt8(ascii: "p") else { return (field, nil) }
        let body = TimeParsing.trimmed(UnsafeRawBufferPointer(rebasing: field[..<(count - 2)]))
        return (body, letter == UInt8(ascii: "p"))
    }

    /// One row: its time, then one reading (or one reject) per counting site.
    private mutating func process<Row: CounterRow>(_ row: Row, _ aggregator: inout FileAggregator) {
        guard countFieldsMatch(row, &aggregator) else { return }
        let isFooter = row.withField(timeColumn) { bytes in
            Self.footerWords.contains { FieldParsing.equalsIgnoringCase(bytes, $0) }
        }
        if isFooter {
            aggregator.ignore(.totalRow)
            return
        }
        if row.withField(timeColumn, { TelraamFormat.equalsIgnoringCase($0, timeHeader) }) {
            aggregator.ignore(.repeatedHeader)
            return
        }
        guard let layout, let local = localSeconds(row, layout) else {
            if (0..<row.fieldCount).allSatisfy({ index in row.withField(index) { FieldParsing.isBlank($0) } }) {
                aggregator.ignore(.emptyRow)
                return
            }
            let shown = clockColumn.map { "\(row.string(timeColumn)) \(row.string($0))" } ?? row.string(timeColumn)
            reject(row, column: timeColumn, .notADate, "\"\(shown)\" is not a date and time "
                + (layout.map { forcedLayout == nil ? "like the \($0) dates of the first rows"
                    : "in the layout \($0) of date_format in the YAML" } ?? "(no row of the file has one)"),
                &aggregator)
            return
        }
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let interval: Int32
        switch step {
        case 0: interval = 0
        case 1..<86_400: interval = Int32(step)
        case 86_400: interval = Int32(aggregator.table.secondsIn(day: day))
        default:
            reject(row, column: timeColumn, .intervalNotRecognised,
                "rows are \(step / 86_400) days apart: weekly or monthly exports are not "
                + "read; export per day, hour or 15 minutes", &aggregator, day: day)
            return
        }
        var resolution = resolver.resolution(localSeconds: local)
        if newestFirst, case .ambiguous(let summer, let winter) = resolution {
            // Newest first: the first row of the repeated hour is its second pass (winter time).
            resolution = .unique(repeatedSeen.insert(local).inserted ? winter : summer)
        }
        let startUTC: Int64
        switch resolver.resolve(resolution, localSeconds: local, series: 0) {
        case .instant(let instant):
            startUTC = instant
        case .gap:
            reject(row, column: clockColumn ?? timeColumn, .timeInClockChangeGap,
                "local time \(row.string(timeColumn)) does not exist in "
                + "\(aggregator.table.identifier) (clocks moved forward)", &aggregator, day: day)
            return
        }

        for index in sites.indices {
            let site = sites[index]
            var value = 0.0
            var blank = false
            var bad: Int?
            // The total column; the directions only for a site without one.
            let columns = site.total.map { $0..<($0 + 1) } ?? 0..<site.parts.count
            aggregator.valueColumn = site.total ?? site.parts.first ?? -1
            for position in columns {
                let column = site.total ?? site.parts[position]
                switch count(row, column) {
                case .some(.some(let number)): value += number
                case .some(.none): blank = true
                case .none: bad = column
                }
                if bad != nil { break }
            }
            if let bad {
                reject(row, column: bad, .notANumber,
                    "\"\(row.string(bad))\" is not a count (a number ≥ 0)", &aggregator,
                       day: day)
                continue
            }
            if series[index] < 0 {
                series[index] = aggregator.intern(SeriesKey(site: self.site, quantity: site.quantity,
                                                            meter: site.meter))
            }
            aggregator.add(series: series[index], startUTC: startUTC, intervalSeconds: interval,
                           value: blank ? 0 : value, quality: blank ? .missing : .measured)
        }
    }

    /// nil: not a count; `.some(nil)`: empty; `.some(value)`.
    private func count<Row: CounterRow>(_ row: Row, _ column: Int) -> Double?? {
        row.withField(column) { bytes -> Double?? in
            if FieldParsing.isBlank(bytes) { return .some(nil) }
            guard let value = FieldParsing.decimal(bytes, decimalMark: decimalMark), value >= 0, value.isFinite
            else { return nil }
            return .some(value)
        }
    }

    private func countFieldsMatch<Row: CounterRow>(_ row: Row, _ aggregator: inout FileAggregator) -> Bool {
        let expected = columnNames.count
        if row.fieldCount == expected { return true }
        if row.fieldCount > expected,
           (expected..<row.fieldCount).allSatisfy({ index in row.withField(index) { FieldParsing.isBlank($0) } }) {
            return true
        }
        reject(row, column: min(row.fieldCount, expected - 1), .headerMismatch,
            "expected \(expected) fields as in the header, found "
            + "\(row.fieldCount)", &aggregator)
        return false
    }

    private func reject<Row: CounterRow>(
        _ row: Row, column: Int, _ code: RejectCode, _ reason: String,
            _ aggregator: inout FileAggregator, day: Int? = nil
    ) {
        aggregator.reject(line: row.line, column: columnName(column), code: code,
            reason: reason, raw: row.rawLine, site: site,
                          day: day)
    }
}

/// A record as the Eco-Counter reader needs it: live (`CSVRecord`) or kept back while the date layout is detected.
fileprivate protocol CounterRow {
    var line: Int { get }
    var fieldCount: Int { get }
    var rawLine: String { get }
    func withField<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R
    func string(_ index: Int) -> String
}

extension CSVRecord: CounterRow {
    fileprivate var rawLine: String { rawText() }

    @inline(__always)
    fileprivate func withField<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R { body(self[index]) }
}

/// A copy of a record (its bytes are valid only during the record handler).
fileprivate struct BufferedRow: CounterRow {
    let line: Int
    let rawLine: String
    private let bytes: [UInt8]
    private let ends: [Int]

    init(_ record: CSVRecord) {
        line = record.line
        rawLine = record.rawText()
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for index in 0..<record.fieldCount {
            bytes.append(contentsOf: record[index])
            ends.append(bytes.count)
        }
        self.bytes = bytes
        self.ends = ends
    }

    var fieldCount: Int { ends.count }

    func withField<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard index >= 0, index < ends.count else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    func string(_ index: Int) -> String { withField(index) { String(decoding: $0, as: UTF8.self) } }
}
