import Foundation
import Yams
import ParkImpactModel

/// Reads and validates `pipelines/*.yaml`. Every problem is collected with its file, line and key path.
public enum DefinitionLoader {
    static let topLevelKeys = ["pilot", "name", "language", "timezone", "periods", "sites", "sources", "factors",
                                "prices", "pilot_cost", "pilot_cost_by_site", "settings", "mobility",
                                "targets"]
    /// `settings:` keys, each with what is valid (for messages).
    static let settingsKeys = ["coverage_threshold", "baseline_max_missing_share", "baseline_max_cvrmse",
                               "baseline_max_abs_nmbe", "baseline_hdd_max_p_value"]
    static let mobilityKeys = ["commuting_days_per_year", "trips_per_day"]
    static let siteKeys = ["id", "name", "fte", "floor_area_m2", "electricity_contract"]
    static let sourceKeys = ["path", "format", "site", "quantity", "unit", "timezone", "encoding", "delimiter",
                             "decimal_mark", "thousands_separator", "columns", "date_format", "values", "kwh_per_m3"]
    static let genericColumnKeys = ["timestamp", "date", "time", "end", "meter"]
    static let genericValueKeys = ["column", "quantity", "unit", "kind", "meter", "where", "scale"]
    static let periodNames = ["baseline", "reporting"]
    /// The most YAML nodes a definition may have with its aliases expanded (`YAMLSize`): a pilot with hundreds of
    /// sites and sources has a few thousand.
    static let maximumNodes = 100_000
    /// Sites and sources of one pilot: its report, KPIs and merge grow with each (a park of a few hundred companies
    /// fits many times over).
    static let maximumSites = 2_000
    static let maximumSources = 2_000

    /// The pipeline files in a folder: `*.yaml` and `*.yml`, sorted by name.
    public static func pipelineFiles(in directory: String) throws(DefinitionError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw DefinitionError(file: directory, line: nil, keyPath: "",
                                  message: "pipelines folder not found; create it or pass --pipelines DIR")
        }
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted().map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
    }

    /// Loads one definition; `catalogue` validates the factor override ids.
    public static func load(file: String, catalogue: FactorCatalogue) throws(DefinitionErrors) -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DefinitionErrors(errors: [DefinitionError(file: file, line: nil, keyPath: "",
                                                            message: "cannot read the file")])
        }
        let text = String(decoding: data, as: UTF8.self)
        return try parse(yaml: text, file: file, catalogue: catalogue)
    }

    /// Parses one definition in named steps, in a fixed order. Each step records its errors in `reader` and goes on,
    /// so a definition with several mistakes names them all, in this order; the definition is returned only when
    /// there are none.
    public static func parse(yaml: String, file: String, catalogue: FactorCatalogue) throws(DefinitionErrors)
        -> PipelineDefinition {
        var reader = NodeReader(file: file)
        let (root, top) = try document(yaml: yaml, file: file, reader: &reader)
        let identity = reader.identity(top, file: file)
        let periods = reader.periods(top["periods"], root: root)
        let sites = reader.sites(top["sites"], root: root)
        let sources = reader.sources(top["sources"], root: root, pilot: identity.pilot, sites: sites)
        let overrides = reader.factorOverrides(top["factors"], catalogue: catalogue)
        let prices = reader.prices(top["prices"])
        let (pilotCost, pilotCostBySite) = reader.pilotCosts(top, sites: sites)
        let settings = reader.settings(top["settings"])
        let commuting = reader.commuting(top["mobility"])
        let targets = reader.targets(top["targets"])

        guard reader.errors.isEmpty, let baseline = periods["baseline"], let reporting = periods["reporting"] else {
            throw DefinitionErrors(errors: reader.errors)
        }
        return PipelineDefinition(
            file: file, pilot: identity.pilot, name: identity.name, language: identity.language,
            timezone: identity.timezone, baseline: baseline, reporting: reporting, sites: sites, sources: sources,
            factorOverrides: overrides, prices: prices, pilotCost: pilotCost, pilotCostBySite: pilotCostBySite,
            settings: settings, commuting: commuting, targets: targets)
    }

    /// The document and its top-level mapping. Reads the text's node count with aliases expanded before Yams
    /// composes it, then composes it; throws at once (nothing else can be checked) when it has too many nodes, is not
    /// YAML, or its top level is not a mapping. Unknown top-level keys are recorded in `reader` and parsing goes on.
    static func document(yaml: String, file: String, reader: inout NodeReader) throws(DefinitionErrors)
        -> (root: Node, top: Node.Mapping) {
        guard YAMLSize.expandedNodes(yaml, limit: maximumNodes) != nil else {
            throw DefinitionErrors(errors: [DefinitionError(
                file: file, line: nil, keyPath: "", message: "more than \(maximumNodes) YAML nodes once its aliases "
                    + "(*name) are expanded: nested aliases multiply (a \"billion laughs\" document); write the "
                    + "repeated parts out, or use aliases only for single values")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw DefinitionErrors(errors: [DefinitionError(
                file: file, line: nil, keyPath: "", message: "not valid YAML: \(error)")])
        }
        guard let root, let top = reader.mapping(root, path: "", allowed: topLevelKeys) else {
            reader.fail(root, "", "expected a mapping with keys: \(topLevelKeys.joined(separator: ", "))")
            throw DefinitionErrors(errors: reader.errors)
        }
        return (root, top)
    }
}

/// The steps of `DefinitionLoader.parse`, one per top-level key (or group of keys), in the order it calls them.
extension NodeReader {
    /// `pilot`, `name`, `language`, `timezone`. The pilot id defaults to the file name's stem and, when given, must be
    /// a lower-case id equal to that stem; the name defaults to the id, the language to nl, the time zone to
    /// Europe/Brussels, which must be a zone Foundation knows.
    mutating func identity(_ top: Node.Mapping, file: String)
        -> (pilot: String, name: String, language: PipelineDefinition.Language, timezone: String) {
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let pilot = string(top["pilot"], path: "pilot", required: true) ?? stem
        if top["pilot"] != nil {
            if pilot.range(of: "^[a-z0-9][a-z0-9_-]*$", options: .regularExpression) == nil {
                fail(top["pilot"], "pilot", "\"\(pilot)\" is not a valid id: use lower-case letters, digits, - and _")
            } else if pilot != stem {
                fail(top["pilot"], "pilot",
                     "\"\(pilot)\" does not match the file name \"\(stem)\"; name the file \(pilot).yaml")
            }
        }
        let name = string(top["name"], path: "name", required: true) ?? pilot
        let language = choice(top["language"], path: "language", PipelineDefinition.Language.self) ?? .nl
        let timezone = string(top["timezone"], path: "timezone", required: false) ?? "Europe/Brussels"
        if top["timezone"] != nil, LocalTimeTable.cached(timezone) == nil {
            fail(top["timezone"], "timezone",
                 "unknown time zone \"\(timezone)\"; use an IANA name such as Europe/Brussels")
        }
        return (pilot, name, language, timezone)
    }

    /// `periods:`, required: a mapping with exactly `baseline` and `reporting`, each `{ from, to }` (`period`).
    /// Returns the periods that are valid, by name.
    mutating func periods(_ periodsNode: Node?, root: Node) -> [String: PipelineDefinition.Period] {
        var periods: [String: PipelineDefinition.Period] = [:]
        guard let periodsNode else {
            fail(root, "periods", "missing; add baseline and reporting periods")
            return periods
        }
        if let mapping = mapping(periodsNode, path: "periods", allowed: DefinitionLoader.periodNames) {
            for periodName in DefinitionLoader.periodNames {
                let path = "periods.\(periodName)"
                guard let node = mapping[periodName] else {
                    fail(periodsNode, path, "missing; give it as { from: YYYY-MM-DD, to: YYYY-MM-DD }")
                    continue
                }
                if let period = self.period(node, path: path) { periods[periodName] = period }
            }
        }
        return periods
    }

    /// `sites:`, required: a non-empty list of at most `DefinitionLoader.maximumSites` sites, each with a unique id
    /// of letters, digits, `-`, `_` and `.`, an optional name (default the id), positive `fte` and `floor_area_m2`,
    /// and an `electricity_contract` (default grey). Returns the sites that have an id.
    mutating func sites(_ sitesNode: Node?, root: Node) -> [PipelineDefinition.Site] {
        let maximumSites = DefinitionLoader.maximumSites
        var sites: [PipelineDefinition.Site] = []
        guard let sitesNode else {
            fail(root, "sites", "missing; list the pilot's sites (id, name, electricity_contract)")
            return sites
        }
        let items = sequence(sitesNode, path: "sites")
        if items?.isEmpty == true { fail(sitesNode, "sites", "empty; list at least one site") }
        if let count = items?.count, count > maximumSites {
            fail(sitesNode, "sites", "\(count) sites; a pilot has at most \(maximumSites) (its report "
                + "shows every site): split the park into several pilots")
        }
        for (index, node) in (items ?? []).prefix(maximumSites).enumerated() {
            let path = "sites[\(index)]"
            guard let map = mapping(node, path: path, allowed: DefinitionLoader.siteKeys) else { continue }
            guard let id = string(map["id"], path: "\(path).id", required: true, at: node) else { continue }
            if id.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]*$", options: .regularExpression) == nil {
                fail(map["id"], "\(path).id", "\"\(id)\" is not a valid id: use letters, digits, -, _ and .")
            }
            if sites.contains(where: { $0.id == id }) {
                fail(map["id"], "\(path).id", "duplicate site id \"\(id)\"")
            }
            let fte = positiveNumber(map["fte"], path: "\(path).fte")
            let area = positiveNumber(map["floor_area_m2"], path: "\(path).floor_area_m2")
            let contract = choice(map["electricity_contract"], path: "\(path).electricity_contract",
                                  PipelineDefinition.ElectricityContract.self) ?? .grey
            sites.append(.init(id: id, name: string(map["name"], path: "\(path).name", required: false) ?? id,
                               fte: fte, floorAreaM2: area, electricityContract: contract))
        }
        return sites
    }

    /// `sources:`, required: a non-empty list of at most `DefinitionLoader.maximumSources` sources (`source`).
    /// Returns the sources that have a valid format.
    mutating func sources(_ sourcesNode: Node?, root: Node, pilot: String, sites: [PipelineDefinition.Site])
        -> [PipelineDefinition.Source] {
        let maximumSources = DefinitionLoader.maximumSources
        guard let sourcesNode else {
            fail(root, "sources", "missing; list the exports to read (path, format, site)")
            return []
        }
        let items = sequence(sourcesNode, path: "sources")
        if items?.isEmpty == true { fail(sourcesNode, "sources", "empty; list at least one source") }
        if let count = items?.count, count > maximumSources {
            fail(sourcesNode, "sources", "\(count) sources; a pilot has at most \(maximumSources): one "
                + "source takes many files with a glob (`path: \"*/fluvius/*.csv\"`), or split the park into "
                + "several pilots")
        }
        var sources: [PipelineDefinition.Source] = []
        for (index, node) in (items ?? []).prefix(maximumSources).enumerated() {
            if let source = self.source(node, index: index, pilot: pilot, sites: sites) { sources.append(source) }
        }
        return sources
    }

    /// One source, `sources[index]`: a `path` glob inside `input/<pilot>/`, a `format` this version reads, a `site`
    /// among `sites` (required unless the format's rows name their site), `quantity`, `unit` and `kwh_per_m3`
    /// (`sourceUnit`), a `timezone` Foundation knows, `columns`/`values` for a generic source only (`genericMapping`),
    /// a `date_format` the format takes, and the dialect overrides. Nil when it is not a mapping or has no valid format.
    mutating func source(_ node: Node, index: Int, pilot: String, sites: [PipelineDefinition.Site])
        -> PipelineDefinition.Source? {
        let path = "sources[\(index)]"
        guard let map = mapping(node, path: path, allowed: DefinitionLoader.sourceKeys) else { return nil }
        let glob = string(map["path"], path: "\(path).path", required: true, at: node) ?? ""
        if glob.hasPrefix("/") || glob.split(separator: "/").contains("..") {
            fail(map["path"], "\(path).path",
                 "\"\(glob)\" leaves input/\(pilot)/; give a path relative to that folder without ..")
        }
        let format = self.format(map["format"], path: "\(path).format", at: node)
        let site = string(map["site"], path: "\(path).site", required: false)
        if let site, map["site"] != nil, sites.contains(where: { $0.id == site }) == false, !sites.isEmpty {
            fail(map["site"], "\(path).site",
                 "unknown site \"\(site)\"; known: \(sites.map(\.id).joined(separator: ", "))")
        }
        // Formats whose rows may name their site (a site column) check it per file instead.
        if site == nil, let format, ![.parkimpactLong, .waste, .commuteSurvey, .trips].contains(format) {
            fail(node, "\(path).site", "missing; a \(format.rawValue) export does not name its site")
        }
        let quantity = self.quantity(map["quantity"], path: "\(path).quantity")
        let (unit, kwhPerM3) = sourceUnit(map, path: path, quantity: quantity)
        let zone = string(map["timezone"], path: "\(path).timezone", required: false)
        if let zone, LocalTimeTable.cached(zone) == nil {
            fail(map["timezone"], "\(path).timezone", "unknown time zone \"\(zone)\"")
        }
        var generic: PipelineDefinition.GenericMapping?
        var dateFormat: GenericDateFormat?
        if format == .generic {
            // `date_format` is checked between `columns` and `values`, in the order a generic source is written.
            generic = genericMapping(map, path: path, at: node, dateFormat: &dateFormat, kwhPerM3: kwhPerM3)
        } else {
            for key in ["columns", "values"] where map[key] != nil {
                fail(map[key], "\(path).\(key)", "only for format: generic")
            }
            dateFormat = self.dateFormat(map["date_format"], path: "\(path).date_format", format: format)
        }
        let dialect = dialectOverrides(map, path: path)
        guard let format else { return nil }
        return .init(index: index, path: glob, format: format, site: site, quantity: quantity, unit: unit,
                     timezone: zone, generic: generic, dateFormat: dateFormat, dialect: dialect, kwhPerM3: kwhPerM3)
    }

    /// A source's `unit` and `kwh_per_m3`: a unit `MeasurementUnit` spells, a gross calorific value of natural gas
    /// (8 to 13 kWh/m³; nil when out of range), required for m3 of gas; a unit that fits the source's `quantity`.
    mutating func sourceUnit(_ map: Node.Mapping, path: String, quantity: Quantity?)
        -> (unit: MeasurementUnit?, kwhPerM3: Double?) {
        var unit: MeasurementUnit?
        if let unitNode = map["unit"], let text = string(unitNode, path: "\(path).unit", required: false) {
            unit = MeasurementUnit(spelling: text)
            if unit == nil {
                fail(unitNode, "\(path).unit", "unknown unit \"\(text)\"; known: "
                    + MeasurementUnit.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        var kwhPerM3: Double?
        if let node = map["kwh_per_m3"] {
            kwhPerM3 = positiveNumber(node, path: "\(path).kwh_per_m3")
            if let value = kwhPerM3, !PipelineDefinition.kwhPerM3Range.contains(value) {
                fail(node, "\(path).kwh_per_m3", "\(MachineNumber.format(value, decimals: 3)) kWh/m³ is not "
                    + "a gross calorific value of natural gas (expected 8 to 13; the bill states it, about 9.8 "
                    + "for L-gas and 11.4 for H-gas; 1 kWh = 3.6 MJ)")
                kwhPerM3 = nil
            }
        }
        if let unit, let quantity, quantity == .gas, unit == .cubicMetre, kwhPerM3 == nil, map["kwh_per_m3"] == nil {
            fail(map["unit"], "\(path).unit", "m3 of gas needs the gross calorific value: add kwh_per_m3 to "
                + "\(path) (kWh per m³ as the bill states it, about 9.8 for L-gas and 11.4 for H-gas)")
        } else if let unit, let quantity, unit.factor(to: quantity) == nil,
           !(quantity == .gas && unit == .cubicMetre) {
            fail(map["unit"], "\(path).unit", "\(unit.rawValue) does not fit quantity \(quantity.rawValue) "
                + "(expected \(quantity.canonicalUnit.rawValue) or a unit of the same kind)")
        }
        return (unit, kwhPerM3)
    }

    /// `factors:`, optional: factor id → kg CO2e per unit, a number ≥ 0; every id one `catalogue` knows.
    mutating func factorOverrides(_ factorsNode: Node?, catalogue: FactorCatalogue) -> [String: Double] {
        var overrides: [String: Double] = [:]
        guard let factorsNode, let map = mapping(factorsNode, path: "factors", allowed: nil) else { return overrides }
        for (keyNode, valueNode) in map {
            let id = keyNode.string ?? ""
            let path = "factors.\(id)"
            guard catalogue.knows(id) else {
                fail(keyNode, path, "unknown factor id; known: \(catalogue.ids.joined(separator: ", "))")
                continue
            }
            guard let value = valueNode.float, value >= 0, value.isFinite else {
                fail(valueNode, path, "\"\(valueNode.string ?? "")\" is not a number ≥ 0 (kg CO2e per unit)")
                continue
            }
            overrides[id] = value
        }
        return overrides
    }

    /// `prices:`, optional: EUR per kWh by carrier and year, for cost per result; a known carrier, a 4-digit year,
    /// a number ≥ 0, neither level empty.
    mutating func prices(_ pricesNode: Node?) -> [PipelineDefinition.PriceCarrier: [Int: Double]] {
        var prices: [PipelineDefinition.PriceCarrier: [Int: Double]] = [:]
        guard let pricesNode, let map = mapping(pricesNode, path: "prices", allowed: nil) else { return prices }
        let carriers = PipelineDefinition.PriceCarrier.allCases.map(\.rawValue).joined(separator: ", ")
        if map.isEmpty {
            fail(pricesNode, "prices", "empty; give EUR per kWh by carrier and year, e.g. "
                + "prices: { electricity: { 2024: 0.24 }, gas: { 2024: 0.075 } }")
        }
        for (carrierNode, yearsNode) in map {
            let name = carrierNode.string ?? ""
            let path = "prices.\(name)"
            guard let carrier = PipelineDefinition.PriceCarrier(rawValue: name) else {
                fail(carrierNode, path, "unknown carrier; known: \(carriers)")
                continue
            }
            guard let years = mapping(yearsNode, path: path, allowed: nil) else { continue }
            if years.isEmpty {
                fail(yearsNode, path, "empty; give EUR per kWh by year, e.g. { 2024: 0.24 }")
            }
            for (yearNode, valueNode) in years {
                let text = yearNode.string ?? ""
                let yearPath = "\(path).\(text)"
                guard text.range(of: "^[0-9]{4}$", options: .regularExpression) != nil, let year = Int(text) else {
                    fail(yearNode, yearPath, "\"\(text)\" is not a year; write the year with 4 digits, e.g. 2024")
                    continue
                }
                guard let value = valueNode.float, value >= 0, value.isFinite else {
                    fail(valueNode, yearPath, "\"\(valueNode.string ?? "")\" is not a number ≥ 0 (EUR per kWh)")
                    continue
                }
                prices[carrier, default: [:]][year] = value
            }
        }
        return prices
    }

    /// `pilot_cost` and `pilot_cost_by_site`, optional: the pilot's investment in EUR (`euros`), in total and per
    /// site among `sites`; the sites' costs may not add up to more than the total.
    mutating func pilotCosts(_ top: Node.Mapping, sites: [PipelineDefinition.Site])
        -> (total: Double?, bySite: [String: Double]) {
        let pilotCost = euros(top["pilot_cost"], path: "pilot_cost")
        var pilotCostBySite: [String: Double] = [:]
        guard let bySiteNode = top["pilot_cost_by_site"],
              let map = mapping(bySiteNode, path: "pilot_cost_by_site", allowed: nil) else {
            return (pilotCost, pilotCostBySite)
        }
        for (siteNode, valueNode) in map {
            let id = siteNode.string ?? ""
            let path = "pilot_cost_by_site.\(id)"
            guard sites.contains(where: { $0.id == id }) else {
                fail(siteNode, path, "unknown site \"\(id)\"; known: \(sites.map(\.id).joined(separator: ", "))")
                continue
            }
            if let value = euros(valueNode, path: path) { pilotCostBySite[id] = value }
        }
        let sum = pilotCostBySite.values.reduce(0, +)
        if let pilotCost, sum > pilotCost * (1 + 1e-12) {
            fail(bySiteNode, "pilot_cost_by_site", "the sites' costs add up to \(NodeReader.plain(sum)) EUR, "
                + "more than pilot_cost \(NodeReader.plain(pilotCost)) EUR; correct one of them")
        }
        return (pilotCost, pilotCostBySite)
    }

    /// `settings:`, optional: the engine's thresholds, each a ratio (`share`); an absent or invalid key keeps the
    /// default of `PipelineDefinition.Settings`.
    mutating func settings(_ settingsNode: Node?) -> PipelineDefinition.Settings {
        var settings = PipelineDefinition.Settings()
        guard let settingsNode,
              let map = mapping(settingsNode, path: "settings", allowed: DefinitionLoader.settingsKeys) else {
            return settings
        }
        if let value = share(map["coverage_threshold"], path: "settings.coverage_threshold",
                             lowOpen: true, highOpen: false, example: "0.9") {
            settings.coverageThreshold = value
        }
        if let value = share(map["baseline_max_missing_share"], path: "settings.baseline_max_missing_share",
                             lowOpen: false, highOpen: true, example: "0.10") {
            settings.baselineMaxMissingShare = value
        }
        if let value = share(map["baseline_max_cvrmse"], path: "settings.baseline_max_cvrmse",
                             lowOpen: true, highOpen: false, example: "0.25") {
            settings.baselineMaxCVRMSE = value
        }
        if let value = share(map["baseline_max_abs_nmbe"], path: "settings.baseline_max_abs_nmbe",
                             lowOpen: true, highOpen: false, example: "0.10") {
            settings.baselineMaxAbsNMBE = value
        }
        if let value = share(map["baseline_hdd_max_p_value"], path: "settings.baseline_hdd_max_p_value",
                             lowOpen: true, highOpen: false, example: "0.1") {
            settings.baselineHDDMaxPValue = value
        }
        return settings
    }

    /// `mobility:`, optional: the annualisation of the commuting survey, `commuting_days_per_year` (> 0, ≤ 366) and
    /// `trips_per_day` (> 0, ≤ 10), both required when the key is given; nil unless both are valid.
    mutating func commuting(_ mobilityNode: Node?) -> PipelineDefinition.Commuting? {
        guard let mobilityNode,
              let map = mapping(mobilityNode, path: "mobility", allowed: DefinitionLoader.mobilityKeys) else {
            return nil
        }
        let days = bounded(map["commuting_days_per_year"], path: "mobility.commuting_days_per_year",
                           parent: mobilityNode, valid: "a number of days > 0 and ≤ 366, e.g. 220",
                           { $0 > 0 && $0 <= 366 })
        let trips = bounded(map["trips_per_day"], path: "mobility.trips_per_day", parent: mobilityNode,
                            valid: "one-way commuting trips per commuting day, a number > 0 and ≤ 10, "
                                + "e.g. 2 (there and back)", { $0 > 0 && $0 <= 10 })
        guard let days, let trips else { return nil }
        return .init(daysPerYear: days, tripsPerDay: trips)
    }

    /// `targets:`, optional: KPI key → target value for the reporting period in the KPI's unit; a key
    /// `KPITargets` accepts, a finite number, within 0…1 for a ratio KPI.
    mutating func targets(_ targetsNode: Node?) -> [String: Double] {
        var targets: [String: Double] = [:]
        guard let targetsNode, let map = mapping(targetsNode, path: "targets", allowed: nil) else { return targets }
        if map.isEmpty {
            fail(targetsNode, "targets", "empty; give KPI key: target value, e.g. "
                + "targets: { co2.change_vs_baseline_pct: -20, waste.recycling_rate: 0.6 }")
        }
        for (keyNode, valueNode) in map {
            let key = keyNode.string ?? ""
            let path = "targets.\(key)"
            guard KPITargets.isTargetable(key) else {
                fail(keyNode, path, "unknown KPI key; known: \(KPITargets.validKeysDescription)")
                continue
            }
            guard let value = valueNode.float, value.isFinite else {
                fail(valueNode, path, "\"\(valueNode.string ?? "")\" is not a number (the KPI's unit, "
                    + "as in kpis.json)")
                continue
            }
            if KPITargets.isRatio(key), !(0...1).contains(value) {
                fail(valueNode, path, "\(NodeReader.plain(value)) is not a ratio 0…1; write "
                    + "\(NodeReader.plain(value / 100)) for \(NodeReader.plain(value)) %")
                continue
            }
            targets[key] = value
        }
        return targets
    }
}

/// Walks Yams nodes, recording errors with line numbers instead of throwing at the first one.
package struct NodeReader {
    let file: String
    var errors: [DefinitionError] = []

    mutating func fail(_ node: Node?, _ path: String, _ message: String) {
        errors.append(DefinitionError(file: file, line: node?.mark.map(\.line), keyPath: path, message: message))
    }

    mutating func mapping(_ node: Node, path: String, allowed: [String]?) -> Node.Mapping? {
        guard case .mapping(let mapping) = node else {
            fail(node, path, "expected a mapping (key: value lines)")
            return nil
        }
        if let allowed {
            for key in mapping.keys {
                let name = key.string ?? ""
                if !allowed.contains(name) {
                    fail(key, path.isEmpty ? name : "\(path).\(name)",
                         "unknown key; known: \(allowed.joined(separator: ", "))")
                }
            }
        }
        return mapping
    }

    mutating func sequence(_ node: Node, path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            fail(node, path, "expected a list (lines starting with -)")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node?, path: String, required: Bool, at parent: Node? = nil) -> String? {
        guard let node else {
            if required { fail(parent, path, "missing") }
            return nil
        }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            fail(node, path, "expected a text value")
            return nil
        }
        return scalar.string
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, path: String, _ type: T.Type) -> T?
        where T.RawValue == String {
        guard let node, let text = string(node, path: path, required: false) else { return nil }
        guard let value = T(rawValue: text) else {
            fail(node, path, "unknown value \"\(text)\"; valid: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// A quantity an input may name: derived quantities (`electricity_self_consumed`, …) are computed, not read.
    mutating func quantity(_ node: Node?, path: String) -> Quantity? {
        guard let node, let text = string(node, path: path, required: false) else { return nil }
        guard let value = Quantity(inputName: text) else {
            let derived = Quantity(rawValue: text)?.isDerived == true
                ? " (\(text) is computed by PV matching, not read from an input)" : ""
            fail(node, path, "unknown value \"\(text)\"\(derived); valid: "
                + Quantity.inputCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return value
    }

    mutating func format(_ node: Node?, path: String, at parent: Node) -> SourceFormatName? {
        guard let text = string(node, path: path, required: true, at: parent) else { return nil }
        guard let format = SourceFormatName(rawValue: text) else {
            fail(node, path, "unknown format \"\(text)\"; known: "
                + SourceFormatName.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        guard format.isImplemented else {
            fail(node, path, "format \"\(text)\" is not supported by this version yet; supported: "
                + SourceFormatName.implemented.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return format
    }

    /// The `columns`, `date_format`, `decimal_mark` and `values` of a `generic` source.
    mutating func genericMapping(_ map: Node.Mapping, path: String, at node: Node,
                                 dateFormat: inout GenericDateFormat?, kwhPerM3: Double? = nil)
        -> PipelineDefinition.GenericMapping? {
        var columns: [String: String] = [:]
        if let columnsNode = map["columns"] {
            if let mapping = mapping(columnsNode, path: "\(path).columns", allowed: DefinitionLoader.genericColumnKeys) {
                for key in DefinitionLoader.genericColumnKeys {
                    if let value = string(mapping[key], path: "\(path).columns.\(key)", required: false) {
                        columns[key] = value
                    }
                }
            }
        } else {
            fail(node, "\(path).columns", "missing; name the time column(s), e.g. columns: { timestamp: \"Tijdstip\" } "
                + "or { date: \"Datum\", time: \"Uur\" }")
        }
        if map["columns"] != nil, columns["timestamp"] == nil, columns["date"] == nil {
            fail(map["columns"], "\(path).columns", "needs timestamp (date and time in one column) or date (+ time)")
        }
        if columns["timestamp"] != nil, columns["date"] != nil {
            fail(map["columns"], "\(path).columns", "give timestamp or date (+ time), not both")
        }
        dateFormat = self.dateFormat(map["date_format"], path: "\(path).date_format", format: .generic)
        var values: [PipelineDefinition.GenericMapping.Value] = []
        var valueNodes: [(index: Int, node: Node)] = []
        if let valuesNode = map["values"], let items = sequence(valuesNode, path: "\(path).values") {
            if items.isEmpty { fail(valuesNode, "\(path).values", "empty; list the value columns") }
            for (index, item) in items.enumerated() {
                let itemPath = "\(path).values[\(index)]"
                guard let entry = mapping(item, path: itemPath, allowed: DefinitionLoader.genericValueKeys) else { continue }
                let column = string(entry["column"], path: "\(itemPath).column", required: true, at: item)
                guard entry["quantity"] != nil else {
                    fail(item, "\(itemPath).quantity", "missing; valid: "
                        + Quantity.inputCases.map(\.rawValue).joined(separator: ", "))
                    continue
                }
                let quantity = self.quantity(entry["quantity"], path: "\(itemPath).quantity")
                var unit: MeasurementUnit?
                if let text = string(entry["unit"], path: "\(itemPath).unit", required: true, at: item) {
                    unit = MeasurementUnit(spelling: text)
                    if unit == nil {
                        fail(entry["unit"], "\(itemPath).unit", "unknown unit \"\(text)\"; known: "
                            + MeasurementUnit.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                }
                var unitFits = true
                if let quantity, let unit, unit.factor(to: quantity) == nil {
                    if quantity == .gas && unit == .cubicMetre {
                        // Gas volumes become energy with the source's gross calorific value.
                        if kwhPerM3 == nil {
                            unitFits = false
                            fail(entry["unit"], "\(itemPath).unit", "m3 of gas needs the gross calorific value: add "
                                + "kwh_per_m3 to \(path) (kWh per m³ as the bill states it, about 9.8 for L-gas and "
                                + "11.4 for H-gas), or map a column in kWh")
                        }
                    } else {
                        unitFits = false
                        fail(entry["unit"], "\(itemPath).unit", "\(unit.rawValue) does not fit quantity \(quantity.rawValue) "
                            + "(expected \(quantity.canonicalUnit.rawValue) or a unit of the same kind)")
                    }
                }
                let kind = choice(entry["kind"], path: "\(itemPath).kind",
                                  PipelineDefinition.GenericMapping.ValueKind.self) ?? .interval
                let meter = string(entry["meter"], path: "\(itemPath).meter", required: false)
                let selector = self.selector(entry["where"], path: "\(itemPath).where", columns: columns,
                                             valueColumns: items.compactMap { item in
                                                 guard case .mapping(let other) = item else { return nil }
                                                 return other["column"]?.string
                                             })
                var scale = 1.0
                if let scaleNode = entry["scale"] {
                    if let value = scaleNode.float, value.isFinite, value != 0 {
                        scale = value
                    } else {
                        fail(scaleNode, "\(itemPath).scale", "\"\(scaleNode.string ?? "")\" is not a number other than 0: "
                            + "give the factor the column's numbers are multiplied by, e.g. 0.1 for tenths of a degree")
                    }
                }
                if let column, let quantity, let unit, unitFits {
                    values.append(.init(column: column, quantity: quantity, unit: unit, kind: kind, meter: meter,
                                        kindGiven: entry["kind"] != nil, selector: selector ?? [], scale: scale))
                    valueNodes.append((index, item))
                }
            }
            overlappingValues(values, nodes: valueNodes, path: path)
        } else if map["values"] == nil {
            fail(node, "\(path).values", "missing; list the value columns with quantity and unit, e.g. "
                + "values: [ { column: \"Verbruik\", quantity: electricity_offtake, unit: kWh } ]")
        }
        return PipelineDefinition.GenericMapping(
            timestamp: columns["timestamp"], date: columns["date"], time: columns["time"], end: columns["end"],
            meterColumn: columns["meter"], values: values)
    }

    /// A value's `where:`: `{ column: text }` or `{ column: [text, text] }`, one or more columns (all must match);
    /// nil when absent or invalid. A selector column cannot be a time column or a column read as a value.
    mutating func selector(_ node: Node?, path: String, columns: [String: String], valueColumns: [String])
        -> [PipelineDefinition.GenericMapping.Condition]? {
        guard let node else { return nil }
        let example = "e.g. where: { Type: Teruglevering } or where: { Type: [Teruglevering, Injectie] }"
        guard case .mapping(let mapping) = node else {
            fail(node, path, "expected a mapping of column: text, \(example)")
            return nil
        }
        if mapping.isEmpty { fail(node, path, "empty; name a column and the text its rows have, \(example)") }
        var conditions: [PipelineDefinition.GenericMapping.Condition] = []
        for (keyNode, valueNode) in mapping {
            let column = keyNode.string ?? ""
            let conditionPath = "\(path).\(column)"
            let normalised = normalisedHeader(column)
            if let role = DefinitionLoader.genericColumnKeys.filter({ $0 != "meter" })
                .first(where: { columns[$0].map(normalisedHeader) == normalised }) {
                fail(keyNode, conditionPath, "\"\(column)\" is the \(role) column (columns.\(role)); a where: selects "
                    + "rows by a column with a kind of row, \(example)")
                continue
            }
            if valueColumns.contains(where: { normalisedHeader($0) == normalised }) {
                fail(keyNode, conditionPath, "\"\(column)\" is read as a value (values[].column); a where: selects rows "
                    + "by another column, \(example)")
                continue
            }
            var texts: [String] = []
            switch valueNode {
            case .scalar(let scalar):
                texts = [scalar.string]
            case .sequence(let sequence):
                for item in sequence {
                    if case .scalar(let scalar) = item { texts.append(scalar.string) } else {
                        fail(item, conditionPath, "expected a text")
                    }
                }
            default:
                fail(valueNode, conditionPath, "expected a text or a list of texts, \(example)")
                continue
            }
            if texts.isEmpty || texts.contains(where: { $0.trimmingSpaces.isEmpty }) {
                fail(valueNode, conditionPath, "empty text; give the text the selected rows have in column \"\(column)\"")
                continue
            }
            conditions.append(.init(column: column, texts: texts))
        }
        return conditions
    }

    /// Two values reading one column for the same rows (no `where:` tells them apart): each row would be counted
    /// twice (offtake and injection of a `Type` column summed).
    mutating func overlappingValues(_ values: [PipelineDefinition.GenericMapping.Value],
                                    nodes: [(index: Int, node: Node)], path: String) {
        for later in values.indices {
            for earlier in 0..<later
            where normalisedHeader(values[earlier].column) == normalisedHeader(values[later].column) {
                let a = values[earlier].selector, b = values[later].selector
                let disjoint = a.contains { condition in
                    b.contains { other in
                        normalisedHeader(other.column) == normalisedHeader(condition.column)
                            && Set(other.matchTexts).isDisjoint(with: condition.matchTexts)
                    }
                }
                guard !disjoint else { continue }
                fail(nodes[later].node, "\(path).values[\(nodes[later].index)]",
                     "reads column \"\(values[later].column)\" like values[\(nodes[earlier].index)] and a row can match "
                        + "both, so it would be counted twice: give each a where: on the column that tells their rows "
                        + "apart, e.g. where: { Type: Elektriciteit } and where: { Type: Teruglevering }")
                break
            }
        }
    }

    /// A source's `date_format`: a layout ParkImpact reads, and one the format uses (formats whose exporter fixes
    /// the dates refuse it; `iso` only where instants with an offset are read).
    mutating func dateFormat(_ node: Node?, path: String, format: SourceFormatName?) -> GenericDateFormat? {
        guard let node, let text = string(node, path: path, required: false) else { return nil }
        guard let dateFormat = GenericDateFormat(text) else {
            fail(node, path, "\"\(text)\" is not a layout ParkImpact reads; use one of: "
                + GenericDateFormat.examples.joined(separator: ", "))
            return nil
        }
        guard let format else { return dateFormat }
        let support = format.dateFormatSupport
        switch (support, dateFormat) {
        case (.fixed(let reason), _):
            fail(node, path, "format: \(format.rawValue) takes no date_format: \(reason); remove date_format")
            return nil
        case (.layouts, .iso):
            let readers = SourceFormatName.implemented.filter {
                if case .layoutsAndISO = $0.dateFormatSupport { return true }
                return false
            }
            fail(node, path, "iso (instants with a UTC offset) is read only by format: "
                + readers.map(\.rawValue).joined(separator: ", ") + "; format: \(format.rawValue) reads local times: "
                + "give the date layout, e.g. \"dd/MM/yyyy HH:mm\" or \"MM/dd/yyyy HH:mm\"")
            return nil
        default:
            return dateFormat
        }
    }

    /// `encoding`, `delimiter`, `decimal_mark`, `thousands_separator` of a source.
    mutating func dialectOverrides(_ map: Node.Mapping, path: String) -> PipelineDefinition.DialectOverrides {
        typealias Overrides = PipelineDefinition.DialectOverrides
        var overrides = Overrides()
        /// The table's value for the key's text; nil when the key is absent or its value unknown (an error).
        func pick<T>(_ key: String, _ table: [String: T]) -> T? {
            guard let text = string(map[key], path: "\(path).\(key)", required: false) else { return nil }
            guard let index = table.index(forKey: text.lowercased()) else {
                fail(map[key], "\(path).\(key)", "unknown value \"\(text)\"; valid: "
                    + table.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", "))
                return nil
            }
            return table[index].value
        }
        overrides.encoding = pick("encoding", Overrides.encodings)
        overrides.delimiter = pick("delimiter", Overrides.delimiters)
        overrides.decimalMark = pick("decimal_mark", [",": UInt8(ascii: ","), ".": UInt8(ascii: ".")])
        overrides.groupingSeparator = pick("thousands_separator", Overrides.groupingSeparators)
        if let mark = overrides.decimalMark, let grouping = overrides.groupingSeparator, grouping == mark {
            fail(map["thousands_separator"], "\(path).thousands_separator", "cannot be the decimal mark")
        }
        return overrides
    }

    mutating func positiveNumber(_ node: Node?, path: String) -> Double? {
        guard let node else { return nil }
        guard let value = node.float, value > 0, value.isFinite else {
            fail(node, path, "\"\(node.string ?? "")\" is not a positive number")
            return nil
        }
        return value
    }

    /// An amount in EUR (`pilot_cost`, `pilot_cost_by_site.<site>`): a number > 0.
    mutating func euros(_ node: Node?, path: String) -> Double? {
        guard let node else { return nil }
        guard let value = node.float, value > 0, value.isFinite else {
            fail(node, path, "\"\(node.string ?? "")\" is not a positive number (EUR)")
            return nil
        }
        return value
    }

    /// A `settings:` share: a number in (0, 1] or [0, 1) as `lowOpen`/`highOpen` say; nil when absent or invalid.
    mutating func share(_ node: Node?, path: String, lowOpen: Bool, highOpen: Bool, example: String) -> Double? {
        guard let node else { return nil }
        let range = (lowOpen ? "> 0" : "≥ 0") + " and " + (highOpen ? "< 1" : "≤ 1")
        guard let value = node.float, value.isFinite, lowOpen ? value > 0 : value >= 0, highOpen ? value < 1 : value <= 1
        else {
            fail(node, path, "\"\(node.string ?? "")\" is not valid: give a ratio \(range), e.g. \(example) "
                + "(omit the key for the default)")
            return nil
        }
        return value
    }

    /// A required number that `isValid` accepts (`valid` says which, for the message).
    mutating func bounded(_ node: Node?, path: String, parent: Node, valid: String,
                          _ isValid: (Double) -> Bool) -> Double? {
        guard let node else {
            fail(parent, path, "missing; give \(valid)")
            return nil
        }
        guard let value = node.float, value.isFinite, isValid(value) else {
            fail(node, path, "\"\(node.string ?? "")\" is not valid: give \(valid)")
            return nil
        }
        return value
    }

    /// A number for messages: `120000`, `0.5` (no trailing `.0`).
    package static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    mutating func period(_ node: Node, path: String) -> PipelineDefinition.Period? {
        guard let map = mapping(node, path: path, allowed: ["from", "to"]) else { return nil }
        var dates: [CivilDate] = []
        for key in ["from", "to"] {
            guard let text = string(map[key], path: "\(path).\(key)", required: true, at: node) else { continue }
            guard let date = CivilDate(iso: text) else {
                fail(map[key], "\(path).\(key)", "\"\(text)\" is not a date; write YYYY-MM-DD")
                continue
            }
            dates.append(date)
        }
        guard dates.count == 2 else { return nil }
        guard dates[0] <= dates[1] else {
            fail(node, path, "from \(dates[0]) is after to \(dates[1])")
            return nil
        }
        return .init(from: dates[0], to: dates[1])
    }
}
