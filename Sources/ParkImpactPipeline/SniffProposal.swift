import CSVReading
import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// A `generic` source mapping proposed from a file's header and sampled rows, for `sniff` to print. Every guess is
/// marked `# check: <what and why>`; what the user must fill in is `<...>` with `# set: ...`.
struct GenericProposal {
    /// The YAML source entry, or nil with `reason` saying why none can be made.
    let yaml: String?
    let reason: String?
    let warnings: [String]

    /// A value mapping of the proposal.
    struct Value {
        var column: String
        var quantity: String
        var unit: String
        var cumulative: Bool
        var meter: String
        var whereColumn: String?
        var whereText: String?
        var scale: String?
        var checks: [String]
        /// Why it is proposed as a register (for the warning).
        var registerEvidence: String?
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `records`: the sampled records (the header among them, after any preamble); `lines`: each record's file line
    /// (0 when not known).
    init(records: [[String]], lines: [Int], dialect: CSVDialect, fileName: String) {
        var warnings: [String] = []
        func none(_ reason: String) -> GenericProposal {
            GenericProposal(yaml: nil, reason: reason, warnings: warnings)
        }
        guard let found = SniffHeader.find(records) else {
            self = none("no header followed by rows of the same width was found (fewer than two columns, or no rows)")
            return
        }
        let header = found.header
        let width = header.count
        // A summary row (`Total,"9,350,723"` under daily rows) is no reading: left out of the guesses; the run refuses
        // it as not a date (the warning says so), so it never adds to the days.
        let summaryIndices = records.indices.filter { index in
            index > found.index && records[index].count == width
                && SniffWords.tokens(records[index][0]).first.map(SniffWords.summary.contains) == true
        }
        if let first = summaryIndices.first {
            warnings.append("line \(lines[first]) (\(Self.quote(records[first][0]))) is a summary row, not a reading: "
                + "the run refuses it (not a date), so it never adds to the days"
                + (summaryIndices.count > 1 ? " (\(summaryIndices.count) such rows)" : ""))
        }
        // The header once more (a header of two identical lines, two exports pasted one after the other) is no row:
        // the run ignores it as `repeated_header`.
        let headerKeys = header.map { GenericFormat.headerKey($0) }
        let rowIndices = records.indices.filter {
            $0 > found.index && records[$0].count == width && !summaryIndices.contains($0)
                && records[$0].map({ GenericFormat.headerKey($0) }) != headerKeys
        }
        let rows = rowIndices.map { records[$0] }
        let rowLines = rowIndices.map { lines[$0] }
        let preamble = records[..<found.index].map { $0.joined(separator: " ") }
        let numbers = NumberStyle(dialect)
        func isNumber(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { numbers.parse($0) != nil }
        }
        func number(_ text: String) -> Double? { Array(text.utf8).withUnsafeBytes { numbers.parse($0) } }

        // The time: ISO instants with an offset, a date(-time) layout settled on every sampled row, or a date column
        // and a time column.
        var timeColumn: Int?, clockColumn: Int?
        var layout: DateTimeLayout?
        var ambiguous = false
        var compact = false
        for column in 0..<width {
            let values = rows.map { Self.periodStart($0[column].trimmingSpaces) }.filter { !$0.isEmpty }
            guard !values.isEmpty else { continue }
            if values.allSatisfy({ Self.compactDay($0) != nil }) {
                timeColumn = column
                compact = true
                break
            }
            if values.allSatisfy({ Array($0.utf8).withUnsafeBytes { TimeParsing.isoInstant($0) != nil } }) {
                timeColumn = column
                break
            }
            if let detected = DateTimeLayout.detect(values) {
                timeColumn = column
                layout = detected.layout
                ambiguous = detected.ambiguous
                break
            }
        }
        guard let timeColumn else {
            self = none("no column holds dates or date-times on every sampled row (this version reads layouts like "
                + GenericDateFormat.examples.joined(separator: ", ") + ")")
            return
        }
        let timeValues = rows.map { Self.periodStart($0[timeColumn].trimmingSpaces) }
        let hasClock = timeValues.contains { $0.count > 10 }
        if layout != nil, !hasClock {
            clockColumn = (0..<width).first { column in
                column != timeColumn && rows.allSatisfy { row in
                    Array(row[column].utf8).withUnsafeBytes { TimeParsing.timeOfDay($0) != nil }
                }
            }
        }
        func instant(_ row: [String]) -> Int64? {
            let text = Self.periodStart(row[timeColumn].trimmingSpaces)
            if compact { return Self.compactDay(text).map { Int64($0) * 86_400 } }
            guard let layout else { return Array(text.utf8).withUnsafeBytes { TimeParsing.isoInstant($0) } }
            guard var local = Array(text.utf8).withUnsafeBytes({ layout.parse($0) }) else { return nil }
            if let clockColumn, let seconds = Array(row[clockColumn].utf8).withUnsafeBytes({ TimeParsing.timeOfDay($0) }) {
                local += Int64(seconds)
            }
            return local
        }
        // A "header" whose time cell is a date like the rows' is a row of readings: the real header line is damaged
        // (a delimiter too many or too few, a stray quote, so it is not as wide as the rows) or missing. Proposing
        // its cells as column names would drop that reading without a word: no proposal, naming the line to fix.
        let headerTime = Self.periodStart(header[timeColumn].trimmingSpaces)
        if !headerTime.isEmpty, instant(header) != nil {
            let headerLike = records[..<found.index].lastIndex { record in
                record.count >= 2 && !record.contains { field in
                    let text = Self.periodStart(field.trimmingSpaces)
                    return !text.isEmpty && instant(Array(repeating: text, count: width)) != nil
                }
            }
            var reason = "the record taken as the header (line \(lines[found.index])) is a row of readings (column "
                + "\(timeColumn + 1) holds \(Self.quote(headerTime)))"
            if let headerLike {
                let text = records[headerLike].joined(separator: String(UnicodeScalar(dialect.delimiter)))
                reason += "; line \(lines[headerLike]) (\(Self.quote(String(text.prefix(60))))\(text.count > 60 ? "…" : "")) "
                    + "looks like the header but has \(records[headerLike].count) fields where the rows have \(width): "
                    + "correct it (a delimiter too many or too few, or a stray quote) so that it names each column once"
            } else if lines[found.index] > 1 {
                reason += "; the line(s) before it cannot be read as a header (a stray quote): correct the header line "
                    + "so that it names each column once"
            } else {
                reason += "; the file has no header line: add one that names each column"
            }
            self = none(reason)
            return
        }
        let instants = rows.map(instant)

        // Columns: identifiers (meter/EAN/station), numbers (values), a text with few distinct values (a selector).
        let tokens = header.map { SniffWords.tokens($0) }
        var identifierColumns: [Int] = []
        var valueColumns: [Int] = []
        var textColumns: [Int] = []
        // Columns that hold no value: Unix seconds beside the date (`moment` 1735686000 next to 2025-01-01 00:00:00),
        // a per-row factor that is one number throughout (`factor` 0.001: proposed as the values' scale), codes.
        var unixTimeColumns: [String] = []
        var codeColumns: [String] = []
        var factor: (name: String, value: String)?
        for column in 0..<width where column != timeColumn && column != clockColumn {
            let values = rows.map { $0[column].trimmingSpaces }
            let filled = values.filter { !$0.isEmpty }
            let seconds = rows.indices.map { index -> Bool in
                guard let value = Int64(rows[index][column].trimmingSpaces), let at = instants[index] else { return false }
                return value >= 946_684_800 && abs(value - at) <= 14 * 3_600
            }
            if !rows.isEmpty, seconds.allSatisfy({ $0 }) {
                unixTimeColumns.append(Self.quote(header[column]))
                continue
            }
            if SniffWords.matches(tokens[column], SniffWords.factor) != nil, filled.count == values.count,
               let first = filled.first, Set(filled).count == 1, let number = number(first), number != 0, number != 1 {
                factor = (header[column], Self.plainNumber(number))
                continue
            }
            if SniffWords.matches(tokens[column], SniffWords.factor + SniffWords.code) != nil,
               filled.allSatisfy(isNumber) {
                codeColumns.append(Self.quote(header[column]))
                continue
            }
            if SniffWords.matches(tokens[column], SniffWords.identifier) != nil
                || (!filled.isEmpty && filled.allSatisfy { $0.count >= 10 && $0.allSatisfy(\.isNumber) }) {
                identifierColumns.append(column)
            } else if !filled.isEmpty, filled.allSatisfy(isNumber) {
                valueColumns.append(column)
            } else if !filled.isEmpty, filled.count == values.count {
                textColumns.append(column)
            }
        }
        let distinct = { (column: Int) -> [String] in
            var seen: [String] = []
            for row in rows where !seen.contains(row[column].trimmingSpaces) {
                seen.append(row[column].trimmingSpaces)
                if seen.count > 12 { break }
            }
            return seen
        }
        // A selector: a text column with 2 to 12 distinct texts (`Type`: Elektriciteit, Teruglevering); the one
        // whose texts name quantities first.
        // A unit column (`Eenheid`: kWh, m³): each row's unit, not a selector.
        let unitColumn = textColumns.first { column in
            distinct(column).allSatisfy { MeasurementUnit(spelling: $0) != nil }
        }
        textColumns.removeAll { $0 == unitColumn }
        let selectors = textColumns.filter { (2...12).contains(distinct($0).count) }
        let meterColumn = identifierColumns.first { distinct($0).count > 1 }
        // Texts that name quantities select rows; other texts (`Dag`, `Nacht`) only when several rows share a time
        // (and meter): then the text tells their series apart. A status column of one row per time selects nothing.
        var seen = Set<String>()
        let sharedTimes = rows.indices.contains { index in
            !seen.insert("\(instants[index] ?? Int64.min)|\(meterColumn.map { rows[index][$0] } ?? "")").inserted
        }
        // Meter numbers that name their kind (Liander `meternummer`: `E0045…` electricity, `G0039…` gas) select the
        // rows of each kind when a file holds both.
        let codedSelector = (identifierColumns + textColumns).first { column in
            let texts = distinct(column)
            return (2...12).contains(texts.count) && texts.allSatisfy { Self.meterNumberKind($0) != nil }
                && Set(texts.compactMap { Self.meterNumberKind($0)?.quantity }).count > 1
        }
        let selector = codedSelector ?? selectors.first { column in
            distinct(column).contains { Self.quantityWord(SniffWords.tokens($0)) != nil }
        } ?? (selectors.count == 1 && sharedTimes ? selectors[0] : nil)
        // Four numbered registers without a direction in their names (`reading1` … `reading4`) of an electricity meter:
        // 1–2 offtake, 3–4 injection (tariffs 1 and 2 of OBIS 1.8.x and 2.8.x, as Dutch meters and their exports
        // number them).
        var numbered: [Int: Int] = [:]
        do {
            var stems: [String: [Int: Int]] = [:]
            for column in valueColumns where Self.quantityWord(tokens[column]) == nil {
                let name = header[column].trimmingSpaces
                guard let last = name.last, let digit = last.wholeNumberValue, (1...4).contains(digit) else { continue }
                stems[String(name.dropLast()), default: [:]][digit] = column
            }
            for (_, positions) in stems where positions.count == 4 {
                for (digit, column) in positions { numbered[column] = digit }
            }
        }

        // Context for quantities a column name does not give: preamble, file name, other columns' names.
        let contextTokens = SniffWords.tokens(preamble.joined(separator: " ") + " " + fileName)

        var values: [Value] = []
        var notMapped: [String] = []
        var unnamed: [String] = []
        var extremes: [String] = []
        for column in valueColumns {
            let name = header[column]
            let nameTokens = tokens[column]
            let legend = preamble.first { line in
                nameTokens.count == 1 && SniffWords.tokens(line, camelCase: false).first == nameTokens.first
            }
            if SniffWords.matches(nameTokens + SniffWords.tokens(legend ?? "", camelCase: false),
                                  SniffWords.extreme) != nil {
                extremes.append(Self.quote(name))
                continue
            }
            if SniffWords.isPower(SniffWords.tokens(name, camelCase: false)),
               SniffWords.unit(SniffWords.tokens(name, camelCase: false)) == nil {
                notMapped.append("\(Self.quote(name)) (power, not energy)")
                continue
            }
            let texts: [String?] = selector.map { column in distinct(column).map { Optional($0) } } ?? [nil]
            for text in texts {
                var checks: [String] = []
                let textTokens = text.map { SniffWords.tokens($0) } ?? []
                // Quantity: from the selector's text, else the column name, else the preamble or the file name.
                var guess = text == nil ? nil : Self.quantityWord(textTokens)
                if let guess { checks.append("\"\(text!)\" → \(guess.quantity)") }
                let coded = text.flatMap { selector == codedSelector ? Self.meterNumberKind($0) : nil }
                if guess == nil, let coded, coded.quantity == "gas" {
                    guess = (coded.quantity, coded.word)
                    checks.append("meter number \"\(text!)\" starts with G → gas")
                }
                if guess == nil, let byName = Self.quantityWord(nameTokens) {
                    guess = byName
                    checks.append("\"\(byName.word)\" in the name → \(byName.quantity)")
                }
                var unit = SniffWords.unit(SniffWords.tokens(name, camelCase: false))
                if unit == nil, let unitColumn {
                    // The unit the selected rows give (one unit for all of them).
                    var units = Set<MeasurementUnit>()
                    for row in rows {
                        if let selector, let text, row[selector].trimmingSpaces != text { continue }
                        if let rowUnit = MeasurementUnit(spelling: row[unitColumn]) { units.insert(rowUnit) }
                    }
                    if units.count == 1 {
                        unit = units.first
                        checks.append("\(unit!.rawValue) from column \(Self.quote(header[unitColumn]))")
                    }
                }
                let contextWord = contextTokens.first { SniffWords.fileContext.contains($0) }
                // A file named for solar production (`sample_solar_data.csv`, `PV 11 meter-data….csv`) whose column
                // names give no quantity: production.
                if guess == nil, unit == nil || unit?.factor(to: .electricityOfftake) != nil, contextWord == nil,
                   let word = contextTokens.first(where: { ["pv", "solar", "zon", "zonnepanelen", "solaire"].contains($0) }) {
                    guess = ("pv_production", word)
                    checks.append("\"\(word)\" in the file name → pv_production")
                }
                if guess == nil, unit == .cubicMetre || unit == .litre, let word = contextWord {
                    guess = Self.quantityWord([word])
                    checks.append("\"\(word)\" before the header → \(guess?.quantity ?? "")")
                }
                if guess == nil, unit == .degreeCelsius { guess = ("temperature", "°C") }
                if guess == nil, let coded, coded.quantity == "electricity_offtake" {
                    guess = (coded.quantity, coded.word)
                    checks.append("meter number \"\(text!)\" starts with E → electricity")
                }
                if guess == nil, let unit, unit.factor(to: .electricityOfftake) != nil {
                    guess = ("electricity_offtake", unit.rawValue)
                    checks.append("energy in \(unit.rawValue), no direction in the name → offtake")
                }
                if guess == nil, unit == nil, let word = contextWord,
                   let registerWord = SniffWords.matches(nameTokens, SniffWords.register + SniffWords.plainValue) {
                    guess = Self.quantityWord([word])
                    checks.append("\"\(word)\" before the header and \"\(registerWord)\" in the name → "
                        + "\(guess?.quantity ?? "")")
                }
                var scale: String?
                // KNMI-style legends: `TG = ... (in 0.1 graden Celsius)`, or `0.1 °C` in the name.
                for source in [name, legend ?? ""] where scale == nil {
                    let lower = source.lowercased()
                    if lower.contains("0.1 graden") || lower.contains("0.1 degree") || lower.contains("0,1 °c")
                        || lower.contains("0.1 °c") || lower.contains("0.1°c") {
                        scale = "0.1"
                        guess = guess ?? ("temperature", "°C")
                        if guess?.quantity == "temperature" { unit = .degreeCelsius }
                        checks.append("\(source == name ? "the name" : "the legend") says 0.1 °C → scale: 0.1")
                    }
                }
                // `Energy Delivered` is what a grid delivers to a customer, or what an inverter delivers: the file's
                // name or title settles it (Enphase `site_energy_production_report.csv`).
                if guess?.quantity == "electricity_offtake", guess?.word.hasPrefix("deliver") == true,
                   let word = SniffWords.matches(contextTokens, SniffWords.production) {
                    guess = ("pv_production", word)
                    checks.removeAll { $0.hasSuffix("in the name → electricity_offtake") }
                    checks.append("\"delivered\" in the name and \"\(word)\" in the file name or title: delivered by the "
                        + "installation → pv_production")
                }
                if guess?.quantity == "electricity_offtake", Self.quantityWord(nameTokens) == nil,
                   let position = numbered[column] {
                    if position >= 3 { guess = ("electricity_injection", name) }
                    checks.append("\"\(name)\" is number \(position) of 4 numbered registers: 1–2 offtake, 3–4 injection "
                        + "(OBIS 1.8.1, 1.8.2, 2.8.1, 2.8.2)")
                }
                // No quantity: a placeholder to fill in (used only when no column has a guessed quantity).
                let placeholder = guess == nil
                if placeholder, !unnamed.contains(Self.quote(name)) { unnamed.append(Self.quote(name)) }
                let quantity = guess?.quantity ?? "<quantity>"
                if placeholder {
                    checks = ["set: quantity (electricity_offtake, electricity_injection, pv_production, gas, water, "
                        + "temperature, …)" + (unit == nil ? " and unit (kWh, Wh, m3, l, degC, …)" : "")]
                } else if unit == nil {
                    switch quantity {
                    case "gas", "water": unit = .cubicMetre
                    case "temperature": unit = .degreeCelsius
                    default: unit = .kilowattHour
                    }
                    checks.append("no unit in the header: \(unit!.rawValue) assumed")
                }
                // Running total: the register rule on this series' sampled readings (any row order), or a register
                // name with readings that never go down.
                var evidence = RegisterEvidence()
                for (position, row) in rows.enumerated() {
                    if let selector, let text, row[selector].trimmingSpaces != text { continue }
                    guard let value = number(row[column]), let at = instants[position] else { continue }
                    evidence.observe(instant: at, value: value, line: rowLines[position])
                }
                let down = evidence.nonDecreasing < evidence.steps
                let registerWord = SniffWords.matches(nameTokens, SniffWords.register)
                    ?? ((SniffWords.matches(nameTokens, ["import", "export"]) != nil && unit?.factor(to: .electricityOfftake) != nil
                            && selector == nil) ? "import/export with a unit" : nil)
                let cumulative = quantity != "temperature"
                    && (evidence.isRegister || (registerWord != nil && !down && evidence.steps > 0))
                if cumulative {
                    checks.append(evidence.isRegister
                        ? "a running total: rises or stays equal in \(evidence.nonDecreasing) of \(evidence.steps) steps"
                        : "\"\(registerWord!)\" names a register and its \(evidence.readings) readings never go down")
                } else if registerWord != nil, evidence.steps > 0 {
                    checks.append("\"\(registerWord!)\" could name a register, but the readings go down: interval values")
                }
                // Interval values all ≤ 0 (injection written as negative numbers): read with scale -1.
                if !cumulative, quantity != "temperature", !placeholder {
                    var negative = 0, positive = 0
                    for row in rows {
                        if let selector, let text, row[selector].trimmingSpaces != text { continue }
                        guard let value = number(row[column]) else { continue }
                        if value < 0 { negative += 1 } else if value > 0 { positive += 1 }
                    }
                    if negative > 0, positive == 0 {
                        scale = scale.map { "-" + $0 } ?? "-1"
                        checks.append("every sampled value is 0 or below (\(negative) below 0): negative numbers for "
                            + "\(quantity) → scale: \(scale!)")
                    }
                }
                if let factor {
                    let product = (Double(scale ?? "1") ?? 1) * (Double(factor.value) ?? 1)
                    scale = Self.plainNumber(product)
                    checks.append("column \(Self.quote(factor.name)) is \(factor.value) on every sampled row → scale: "
                        + scale!)
                }
                let meterName = text.map { selectorText in
                    valueColumns.count > 1 ? "\(Self.plainName(name)) \(selectorText)" : selectorText
                } ?? Self.plainName(name)
                values.append(Value(column: name, quantity: quantity, unit: unit?.rawValue ?? "<unit>",
                                    cumulative: cumulative,
                                    meter: meterName, whereColumn: selector.map { header[$0] }, whereText: text,
                                    scale: scale, checks: checks,
                                    registerEvidence: !cumulative ? nil : evidence.isRegister
                                        ? "in its \(evidence.readings) sampled readings "
                                            + evidence.describe(unit: unit?.rawValue ?? "")
                                                .replacingOccurrences(of: ", line 0)", with: ")")
                                        : "its name says \"\(registerWord!)\" and its \(evidence.readings) sampled "
                                            + "readings never go down"))
            }
        }
        if !unixTimeColumns.isEmpty {
            notMapped.append(unixTimeColumns.joined(separator: ", ") + " (Unix seconds of the same times)")
        }
        if let factor {
            notMapped.append("\(Self.quote(factor.name)) (\(factor.value) on every sampled row: the values' scale)")
        }
        if !codeColumns.isEmpty {
            notMapped.append(codeColumns.joined(separator: ", ") + " (a code or factor, not a value)")
        }
        if !extremes.isEmpty {
            notMapped.append(extremes.joined(separator: ", ") + " (a minimum or maximum, not a total or mean)")
        }
        // Registers and use per period of the same quantity side by side (a supplier's readings with its daily use,
        // a net total of the other registers): the registers alone give the use; mapping the others too would count
        // it twice.
        let registerQuantities = Set(values.filter { $0.cumulative && !$0.quantity.hasPrefix("<") }.map(\.quantity))
        var derived: [String] = []
        let all = values
        values.removeAll { value in
            guard registerQuantities.contains(value.quantity) else { return false }
            let name = value.column.lowercased()
            let aggregate = ["minus", "netto", "saldo", "totaal", "total", "som", "sum", "gesamt"].contains {
                name.contains($0)
            }
            let others = all.filter { $0.cumulative && $0.quantity == value.quantity && $0.column != value.column }
            if !value.cumulative || (aggregate && !others.isEmpty) {
                let entry = Self.quote(value.column) + (value.whereText.map { " (\($0))" } ?? "")
                if !derived.contains(entry) { derived.append(entry) }
                return true
            }
            return false
        }
        if !derived.isEmpty {
            notMapped.append(derived.joined(separator: ", ") + " (use per period or totals beside the registers, which "
                + "give the use: mapping both would count it twice)")
        }
        if values.contains(where: { !$0.quantity.hasPrefix("<") }) {
            values.removeAll { $0.quantity.hasPrefix("<") }
            if !unnamed.isEmpty { notMapped.append(unnamed.joined(separator: ", ") + " (no quantity in the name)") }
        }
        guard !values.isEmpty else {
            self = none(valueColumns.isEmpty
                ? "no column holds numbers on every sampled row"
                : "no column's numbers can be mapped: " + notMapped.joined(separator: ", "))
            return
        }

        // The YAML.
        var yaml = ["sources:", "  - path: \(Self.quote(fileName))", "    format: generic",
                    "    site: <site id>   # set: the site's id from sites:"]
        var columns = clockColumn.map { "date: \(Self.quote(header[timeColumn])), time: \(Self.quote(header[$0]))" }
            ?? "timestamp: \(Self.quote(header[timeColumn]))"
        if let meterColumn { columns += ", meter: \(Self.quote(header[meterColumn]))" }
        yaml.append("    columns: { \(columns) }"
            + (meterColumn.map { "   # check: \"\(header[$0])\" has several values: one series per value" } ?? ""))
        let utcWord = SniffWords.matches(tokens[timeColumn], SniffWords.utc)
        if let layout {
            let seconds = timeValues.contains { $0.count >= 19 }
            let format = "\(layout)" + (hasClock ? (seconds ? " HH:mm:ss" : " HH:mm") : "")
            let sampled = "\(rows.count) sampled rows"
            yaml.append("    date_format: \(Self.quote(format))   # check: "
                + (ambiguous ? "day-first and month-first both fit all \(sampled); day-first assumed"
                    : "the only order that fits all \(sampled)"))
            if let utcWord {
                yaml.append("    timezone: UTC   # check: the header \(Self.quote(header[timeColumn])) says \"\(utcWord)\"")
            }
        } else if compact {
            yaml.append("    # dates are compact yyyyMMdd: detected, no date_format needed")
        } else {
            yaml.append("    date_format: iso   # check: times carry a UTC offset or Z")
        }
        if ambiguous {
            warnings.append("the dates fit both day-first and month-first on all \(rows.count) sampled rows; "
                + "day-first is proposed: check date_format")
        }
        let ordered = zip(instants, instants.dropFirst()).compactMap { pair -> Int? in
            guard let a = pair.0, let b = pair.1, a != b else { return nil }
            return b > a ? 1 : -1
        }
        if ordered.filter({ $0 < 0 }).count > ordered.filter({ $0 > 0 }).count {
            warnings.append("the rows are newest first (times go down from row to row)")
        }
        if values.contains(where: { $0.quantity == "gas" && $0.unit == "m3" }) {
            yaml.append(Sniff.kwhPerM3Line)
        }
        yaml.append("    values:")
        for value in values {
            var fields = ["column: \(Self.quote(value.column))", "quantity: \(value.quantity)", "unit: \(value.unit)"]
            if value.cumulative { fields.append("kind: cumulative") }
            if let scale = value.scale { fields.append("scale: \(scale)") }
            fields.append("meter: \(Self.quote(value.meter))")
            if let column = value.whereColumn, let text = value.whereText {
                fields.append("where: { \(Self.quote(column)): \(Self.quote(text)) }")
            }
            yaml.append("      - { " + fields.joined(separator: ", ") + " }"
                + (value.checks.isEmpty ? ""
                    : value.quantity.hasPrefix("<") ? "   # " + value.checks[0]
                        + (value.checks.count > 1 ? "; check: " + value.checks.dropFirst().joined(separator: "; ") : "")
                    : "   # check: " + value.checks.joined(separator: "; ")))
        }
        if !notMapped.isEmpty {
            yaml.append("    # not mapped: " + notMapped.joined(separator: ", "))
        }
        for value in values where value.cumulative {
            warnings.append("column \"\(value.column)\"\(value.whereText.map { " (\($0) rows)" } ?? "") is a running "
                + "total (a meter register), so `kind: cumulative` is proposed (the differences between readings are the "
                + "use): " + (value.registerEvidence ?? ""))
        }
        self.init(yaml: yaml.joined(separator: "\n"), reason: nil, warnings: warnings)
    }

    private init(yaml: String?, reason: String?, warnings: [String]) {
        self.yaml = yaml
        self.reason = reason
        self.warnings = warnings
    }

    /// The day number of a compact `yyyyMMdd` date (KNMI `20240131`), or nil.
    static func compactDay(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces
        guard trimmed.utf8.count == 8, trimmed.allSatisfy(\.isASCII), let number = Int(trimmed) else { return nil }
        let year = number / 10_000, month = number / 100 % 100, day = number % 100
        guard year >= 1900, month >= 1, month <= 12, day >= 1, day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        return CivilDate.dayNumber(year: year, month: month, day: day)
    }

    /// The start of a period written in one cell (`2025-10-19 00:00 to 2025-10-20 00:00` → `2025-10-19 00:00`; the
    /// `generic` reader takes the end as the interval's end), else the text.
    static func periodStart(_ text: String) -> String {
        guard let range = text.range(of: " to ") else { return text }
        return String(text[..<range.lowerBound]).trimmingSpaces
    }

    /// A number as YAML shows it: `0.001`, `-1`, `10`.
    static func plainNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// The kind a meter number names by its first letter (Dutch meter numbers: `E0045003866355817` electricity,
    /// `G0039001721304017` gas), or nil.
    static func meterNumberKind(_ text: String) -> (quantity: String, word: String)? {
        let trimmed = text.trimmingSpaces
        guard trimmed.count >= 9, let first = trimmed.first,
              trimmed.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        switch first {
        case "E", "e": return ("electricity_offtake", trimmed)
        case "G", "g": return ("gas", trimmed)
        default: return nil
        }
    }

    /// A quantity named by words (`Teruglevering` → electricity_injection), with the word that decided.
    static func quantityWord(_ tokens: [String]) -> (quantity: String, word: String)? {
        if let word = SniffWords.matches(tokens, SniffWords.gas) { return ("gas", word) }
        if let word = SniffWords.matches(tokens, SniffWords.water) { return ("water", word) }
        if let word = SniffWords.matches(tokens, SniffWords.injection) { return ("electricity_injection", word) }
        if tokens.joined(separator: " ").contains("to grid") { return ("electricity_injection", "to grid") }
        if let word = SniffWords.matches(tokens, SniffWords.production) { return ("pv_production", word) }
        if let word = SniffWords.matches(tokens, SniffWords.offtake) { return ("electricity_offtake", word) }
        if let word = SniffWords.matches(tokens, SniffWords.temperature) { return ("temperature", word) }
        return nil
    }

    /// A column name without its unit: `Import T1 kWh` → `Import T1`, `Verbruik (kWh)` → `Verbruik`.
    static func plainName(_ name: String) -> String {
        var text = name
        for unit in ["(kWh)", "[kWh]", "(Wh)", "[Wh]", "(MWh)", "(m³)", "(m3)", "[m³]", "[m3]", "(l)", "(°C)", " kWh",
                     " Wh", " MWh", " m³", " m3"] where text.hasSuffix(unit) {
            text.removeLast(unit.count)
        }
        text = text.trimmingSpaces
        return text.isEmpty ? name : text
    }
}

/// The header of a file: the first record with as many fields as most records, after any preamble.
enum SniffHeader {
    static func find(_ records: [[String]]) -> (index: Int, header: [String])? {
        var counts: [Int: Int] = [:]
        for record in records { counts[record.count, default: 0] += 1 }
        guard let width = counts.filter({ $0.key >= 2 }).max(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key,
              // A preamble padded with delimiters (`Name,BENJAMIN MEYER,,,,,,`, `,,,,,,,`) is not the header.
              var index = records.firstIndex(where: { record in
                  record.count == width && record.filter { !$0.trimmingSpaces.isEmpty }.count * 2 > width
              }) ?? records.firstIndex(where: { $0.count == width }),
              records[(index + 1)...].contains(where: { $0.count == width }) else { return nil }
        var header = records[index].map(\.trimmingSpaces)
        // Rows that end with a delimiter the header lacks (`Datum;Cas od;Cas do;<EAN>` over `01.08.2025;00:00;00:15;0,0;`):
        // the header is the record before, one field shorter.
        if index > 0, records[index - 1].count == width - 1,
           records[index...].allSatisfy({ $0.count != width || $0[width - 1].trimmingSpaces.isEmpty }) {
            index -= 1
            header = records[index].map(\.trimmingSpaces) + [""]
        }
        // KNMI writes its header as a comment: `# STN,YYYYMMDD,...`.
        if let first = header.first, first.hasPrefix("#") {
            header[0] = String(first.dropFirst()).trimmingSpaces
        }
        return (index, header)
    }
}
