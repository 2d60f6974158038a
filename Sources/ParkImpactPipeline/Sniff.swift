public import CSVReading
import Foundation
public import ParkImpactModel
public import ParkImpactDefinition
public import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// What `parkimpact sniff FILE` finds out about a file, without a pipeline definition.
public struct SniffReport: Sendable {
    public let path: String
    public let size: Int
    public let dialect: CSVDialect
    public let format: SourceFormatName?
    /// Formats tried, each with why it did or did not match.
    public let tried: [(format: SourceFormatName, verdict: String)]
    /// The first record (the header of most exports), as text.
    public let header: [String]
    /// The line of the header the detected format found (after any preamble), else of the first record.
    public let headerLine: Int
    /// Which header column the detected format reads as what (empty when no format was recognised or the file
    /// could not be read with it).
    public let mapping: [ColumnRole]
    public let firstRecords: [[String]]
    public let readings: [TracedReading]
    public let rejects: [Reject]
    public let warnings: [String]
    /// A YAML source entry that reads the file (completed with the settings it needs; guesses marked `# check:`).
    public let yamlHint: String?
    /// Why no source entry can be proposed, and what to do (when `yamlHint` is nil).
    public let noProposal: String?
    /// The first readings of each series of the proposal, read by the real reader.
    public let preview: [SeriesPreview]
    /// Why the proposal could not be tried (placeholders to fill, or the loader refuses it).
    public let previewProblem: String?
    /// Records looked at, and whether they are the whole file (else its start, middle and end).
    public let sampledRecords: Int
    public let wholeFile: Bool
}

public enum Sniff {
    /// Readings traced per proposal for the preview (the first ones of each series are shown).
    static let previewTrace = 2_000
    /// Readings shown per series.
    static let previewPerSeries = 3

    /// Reads `path` (whole, or a sample spread over it) and works out dialect, format and a complete source entry.
    /// Throws only when the file cannot be read.
    public static func sniff(path: String, rows: Int = 12) throws(CSVFileError) -> SniffReport {
        let prefix = try CSVFileSource.prefix(path: path)
        guard !prefix.isEmpty else { throw CSVFileError(code: .empty, path: path) }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? prefix.count
        let dialect = prefix.withUnsafeBytes { CSVDialect.detect(prefix: $0) }
        if dialect.encoding == .binary { throw CSVFileError(code: .binary, path: path) }
        let sample = try SniffSample.read(path: path, size: size, dialect: dialect)
        let fileName = (path as NSString).lastPathComponent
        let allTexts = sample.records.map(\.fields), allLines = sample.records.map(\.line)
        var warnings: [String] = []
        if dialect.encoding == .windows1252 {
            warnings.append("the text is Windows-1252, not UTF-8; it was converted (check accented names in the rows below)")
        }
        // The header after any preamble (legend lines, titles).
        let found = SniffHeader.find(Array(allTexts.prefix(SniffSample.startBlock)))
        let headerIndex = found?.index ?? 0
        var records = Array(sample.records.prefix(rows + 1))
        var tried: [(SourceFormatName, String)] = []
        var format: SourceFormatName?
        func detect(_ texts: [[String]]) {
            tried = []
            for candidate in FormatRegistry.order {
                let matches = FormatRegistry.detects(candidate, texts)
                tried.append((candidate, matches ? (format == nil ? "matches" : "matches too") : "no"))
                if matches, format == nil { format = candidate }
            }
        }
        detect(records.map(\.fields))
        if format == nil, headerIndex > 0 {
            records = Array(sample.records[headerIndex...].prefix(rows + 1))
            detect(records.map(\.fields))
        }
        if headerIndex > 0 {
            warnings.append("\(headerIndex) record(s) before the header (line \(sample.records[headerIndex].line)) "
                + "are a preamble (title, legend); they are skipped")
        }
        let header = records.first?.fields ?? []
        let matching = tried.filter { $0.1 != "no" }.map(\.0.rawValue)
        if matching.count > 1 {
            warnings.append("several formats match (\(matching.joined(separator: ", "))); \(matching[0]) is used "
                + "unless the YAML says otherwise")
        }

        var yamlHint: String?
        var noProposal: String?
        if let format {
            yamlHint = dedicatedProposal(format, fileName: fileName, header: found?.header ?? header,
                                         preamble: allTexts.prefix(headerIndex).map { $0.joined(separator: " ") })
        } else {
            let proposal = GenericProposal(records: allTexts, lines: allLines, dialect: dialect, fileName: fileName)
            yamlHint = proposal.yaml
            warnings.append(contentsOf: proposal.warnings)
            if let reason = proposal.reason {
                noProposal = "format not recognised and no `generic` mapping can be proposed: \(reason). This version "
                    + "reads " + SourceFormatName.implemented.map(\.rawValue).joined(separator: ", ")
                    + "; write a `format: generic` source by hand (README, \"generic\"), or save the export with one "
                    + "header line, a date-time column and one column per value"
            } else {
                warnings.append("format not recognised (this version reads "
                    + SourceFormatName.implemented.map(\.rawValue).joined(separator: ", ")
                    + "); a `format: generic` mapping is proposed below: check each `# check:` guess")
            }
        }

        // The proposal run through the real reader: the first readings of each series.
        var readings: [TracedReading] = []
        var rejects: [Reject] = []
        var mapping: [ColumnRole] = []
        var headerLine = records.first?.line ?? 0
        var preview: [SeriesPreview] = []
        var previewProblem: String?
        var finalHint = yamlHint
        if let yamlHint {
            switch trial(yamlHint, path: path) {
            case .failure(let problem):
                previewProblem = problem.text
            case .success(let (result, table)):
                readings = Array(result.trace.prefix(rows))
                mapping = result.mapping
                if result.headerLine > 0 { headerLine = result.headerLine }
                rejects = Array(result.rejects.prefix(rows))
                if let problem = result.summary.problem { warnings.append(problem) }
                if result.summary.rejectedRows > 0 {
                    warnings.append("\(result.summary.rejectedRows) row(s) would be rejected (first ones below)")
                }
                // Gas in m³ the format converts only with the gross calorific value: the entry asks for it.
                let asksForKwhPerM3 = (result.summary.problem ?? "").contains("kwh_per_m3")
                    || result.rejects.contains { $0.reason.contains("kwh_per_m3") }
                if asksForKwhPerM3, !yamlHint.contains("kwh_per_m3") {
                    finalHint = yamlHint + "\n" + kwhPerM3Line
                    warnings.append("rows of gas in m³ need the gross calorific value: `kwh_per_m3` is added to the "
                        + "entry below; fill it in (the readings below lack those rows until then)")
                }
                var order: [SeriesKey] = []
                var bySeries: [SeriesKey: [TracedReading]] = [:]
                for reading in result.trace {
                    if bySeries[reading.series] == nil { order.append(reading.series) }
                    if bySeries[reading.series, default: []].count < previewPerSeries {
                        bySeries[reading.series, default: []].append(reading)
                    }
                }
                preview = order.map { key in
                    SeriesPreview(series: key, readings: bySeries[key]!.map { reading in
                        SeriesPreview.Reading(local: localText(reading.startUTC, table: table), utc: reading.startUTC,
                                              intervalSeconds: reading.intervalSeconds, value: reading.value,
                                              quality: reading.quality)
                    })
                }
            }
        }
        return SniffReport(
            path: path, size: size, dialect: dialect, format: format, tried: tried, header: header,
            headerLine: headerLine, mapping: mapping, firstRecords: records.dropFirst().map(\.fields),
            readings: readings, rejects: rejects, warnings: warnings, yamlHint: finalHint, noProposal: noProposal,
            preview: preview, previewProblem: previewProblem, sampledRecords: sample.records.count,
            wholeFile: sample.whole)
    }

    /// The placeholder for the gross calorific value of gas in m³.
    static let kwhPerM3Line = "    kwh_per_m3: <from the bill>   # set: the gas's gross calorific value in kWh/m³ "
        + "(8–13), on the gas bill or the supplier's site"

    /// The site id the proposal is tried with.
    static let trialSite = "my-site"

    /// Runs a proposed source entry through the loader and the reader, with `trialSite` for `<site id>`.
    static func trial(_ proposal: String, path: String) -> Result<(FileResult, LocalTimeTable), TrialProblem> {
        let filled = proposal.replacingOccurrences(of: "<site id>", with: trialSite)
        if let start = filled.range(of: "<"), let end = filled[start.upperBound...].firstIndex(of: ">") {
            return .failure(TrialProblem(text: "the proposal is not tried until \(filled[start.lowerBound...end]) "
                + "is filled in"))
        }
        let yaml = """
            pilot: sniff
            name: sniff
            periods: { baseline: { from: 2000-01-01, to: 2000-12-31 }, reporting: { from: 2001-01-01, to: 2001-12-31 } }
            sites: [ { id: \(trialSite) } ]

            """ + filled
        let definition: PipelineDefinition
        do {
            definition = try DefinitionLoader.parse(yaml: yaml, file: "sniff.yaml", catalogue: .builtIn)
        } catch {
            return .failure(TrialProblem(text: "this version's loader refuses the proposal: \(error)"))
        }
        // Local times of the pilot's zone (where days and months are counted), whatever the source's zone.
        guard let source = definition.sources.first, let table = LocalTimeTable.cached(definition.timezone) else {
            return .failure(TrialProblem(text: "the proposal has no source"))
        }
        let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "sniff",
                             source: source)
        return .success((ReadFile.read(file, definition: definition, traceLimit: previewTrace), table))
    }

    struct TrialProblem: Error { let text: String }

    /// `2024-01-01 00:15` in the zone of `table`.
    static func localText(_ instant: Int64, table: LocalTimeTable) -> String {
        let local = instant + table.offset(atUTC: instant)
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let seconds = Int(local - Int64(day) * 86_400)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate(dayNumber: day)) \(two(seconds / 3600)):\(two(seconds / 60 % 60))"
    }

    /// The source entry for a format that recognised the file, completed with what it needs: the quantity of
    /// meter readings (from the preamble and header: `Strom` is electricity, not the default water),
    /// `kwh_per_m3` for gas in m³, `timezone: UTC` when the time column says UTC.
    static func dedicatedProposal(_ format: SourceFormatName, fileName: String, header: [String],
                                  preamble: [String]) -> String {
        var lines = ["sources:", "  - path: \(GenericProposal.quote(fileName))", "    format: \(format.rawValue)"]
        if format != .parkimpactLong { lines.append("    site: <site id>   # set: the site's id from sites:") }
        let headerTokens = header.map { SniffWords.tokens($0) }
        let all = headerTokens.flatMap { $0 } + SniffWords.tokens(preamble.joined(separator: " ") + " " + fileName)
        let units = header.compactMap { SniffWords.unit(SniffWords.tokens($0, camelCase: false)) }
        var gasInCubicMetres = false
        if format == .meterReadings {
            // Several registers named by direction (StandNormaal … TerugleveringDal): each column's name says its
            // quantity; one register: what the title, the file name or the header names (`Strom` is electricity).
            let directed = headerTokens.filter { tokens in
                guard let quantity = GenericProposal.quantityWord(tokens)?.quantity else { return false }
                return quantity == "electricity_offtake" || quantity == "electricity_injection"
            }
            let context = SniffWords.tokens(preamble.joined(separator: " ") + " " + fileName)
            let guess = context.first(where: SniffWords.fileContext.contains).flatMap { GenericProposal.quantityWord([$0]) }
                ?? GenericProposal.quantityWord(headerTokens.flatMap { $0 })
                ?? (units.contains { $0.factor(to: .electricityOfftake) != nil } ? ("electricity_offtake", "kWh") : nil)
            if directed.count >= 2 {
                lines.append("    # no quantity: each register's name gives its own (offtake or injection)")
            } else if let guess {
                lines.append("    quantity: \(guess.quantity)   # check: \"\(guess.word)\" in the file → \(guess.quantity)")
                gasInCubicMetres = guess.quantity == "gas" && !units.contains { $0.factor(to: .gas) != nil }
            } else {
                lines.append("    quantity: water   # check: nothing in the file names what is metered; water is "
                    + "meter-readings' default")
            }
        } else if SniffWords.matches(all, SniffWords.gas) != nil, units.contains(.cubicMetre),
                  !units.contains(where: { $0.factor(to: .gas) != nil }) {
            gasInCubicMetres = true
        }
        if gasInCubicMetres { lines.append(kwhPerM3Line) }
        if let column = header.first(where: { SniffWords.matches(SniffWords.tokens($0), SniffWords.utc) != nil }) {
            lines.append("    timezone: UTC   # check: the header \(GenericProposal.quote(column)) says UTC")
        }
        return lines.joined(separator: "\n")
    }
}

/// The first readings of one series of the proposal, as the reader parsed them.
public struct SeriesPreview: Sendable {
    public struct Reading: Sendable {
        public let local: String
        public let utc: Int64
        public let intervalSeconds: Int32
        public let value: Double
        public let quality: Quality
    }
    public let series: SeriesKey
    public let readings: [Reading]
}

