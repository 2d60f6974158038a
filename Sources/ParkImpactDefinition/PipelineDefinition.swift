public import CSVReading
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import ParkImpactModel

/// A pilot's pipeline, as written in `pipelines/<pilot>.yaml` (every key: `docs/pipeline.md`).
public struct PipelineDefinition: Sendable {
    public typealias Language = ReportLanguage
    public enum ElectricityContract: String, Sendable, CaseIterable { case grey, green }
    /// The carriers `prices:` may price (EUR per kWh): grid offtake and natural gas (kWh on gross calorific value).
    public enum PriceCarrier: String, Sendable, CaseIterable { case electricity, gas }

    public struct Period: Sendable, Equatable {
        public let from: CivilDate
        public let to: CivilDate
    }

    public struct Site: Sendable, Equatable {
        public let id: String
        public let name: String
        public let fte: Double?
        public let floorAreaM2: Double?
        public let electricityContract: ElectricityContract
    }

    public struct Source: Sendable, Equatable {
        /// Index in the YAML `sources` list (for messages: `sources[2]`).
        public let index: Int
        /// Glob relative to `input/<pilot>/`.
        public let path: String
        public let format: SourceFormatName
        public let site: String?
        public let quantity: Quantity?
        public let unit: MeasurementUnit?
        /// Overrides the pilot's zone for exports in local time.
        public let timezone: String?
        /// Column mapping for `format: generic`.
        public let generic: GenericMapping?
        /// `date_format`: the date layout of the files (or `iso`), instead of detecting it; nil: detect. Refused at
        /// load time for formats whose dates the exporter fixes (see each format's doc comment).
        public let dateFormat: GenericDateFormat?
        /// What the YAML says about the file's dialect, overriding detection.
        public let dialect: DialectOverrides
        /// `kwh_per_m3`: the gross calorific value of the gas this source measures in m³ (kWh per m³, as the grid
        /// operator states it on the bill), so that gas volumes become energy. nil: gas in m³ is refused.
        public var kwhPerM3: Double? = nil
    }

    /// The plausible range of `kwh_per_m3` (gross calorific value of natural gas in kWh/m³: L-gas about 9.8, H-gas
    /// about 11.4 in Belgium); a value outside is a typo (MJ/m³, or net instead of gross is still inside).
    public static let kwhPerM3Range = 8.0...13.0

    /// `encoding`, `delimiter`, `decimal_mark`, `thousands_separator` of a source: when detection guesses wrong.
    public struct DialectOverrides: Sendable, Equatable {
        public var encoding: CSVTextEncoding?
        public var delimiter: UInt8?
        public var decimalMark: UInt8?
        /// `.some(nil)`: the file has no thousands separator (`thousands_separator: none`).
        public var groupingSeparator: UInt8??

        public init() {}

        public static let encodings: [String: CSVTextEncoding] = [
            "utf-8": .utf8, "utf-16le": .utf16LittleEndian, "utf-16be": .utf16BigEndian, "windows-1252": .windows1252,
        ]
        public static let delimiters: [String: UInt8] = [
            ";": UInt8(ascii: ";"), ",": UInt8(ascii: ","), "tab": 0x09, "|": UInt8(ascii: "|"), "space": 0x20,
        ]
        public static let groupingSeparators: [String: UInt8?] = [
            ".": UInt8(ascii: "."), ",": UInt8(ascii: ","), "space": 0x20, "'": UInt8(ascii: "'"), "none": nil,
        ]
    }

    /// How a `generic` source maps its columns to series (`docs/formats.md`, "generic").
    public struct GenericMapping: Sendable, Equatable {
        public enum ValueKind: String, Sendable, CaseIterable { case interval, cumulative }
        public struct Value: Sendable, Equatable {
            public let column: String
            public let quantity: Quantity
            public let unit: MeasurementUnit
            public let kind: ValueKind
            /// Series name; default: the column name (or the `meter` column's value).
            public let meter: String?
            /// `kind:` was written in the YAML. Interval values by default (no `kind:`) are checked for a running
            /// total (`RegisterRule`); `kind: interval` written out is taken as the source's word and not checked.
            public let kindGiven: Bool
            /// `where:` only rows whose cells match every condition feed this value (empty: every row).
            public let selector: [Condition]
            /// `scale:` the parsed number is multiplied by it before the unit conversion (KNMI `TG` in 0.1 °C: 0.1).
            public let scale: Double

            public init(column: String, quantity: Quantity, unit: MeasurementUnit, kind: ValueKind, meter: String?,
                        kindGiven: Bool = false, selector: [Condition] = [], scale: Double = 1) {
                self.column = column
                self.quantity = quantity
                self.unit = unit
                self.kind = kind
                self.meter = meter
                self.kindGiven = kindGiven
                self.selector = selector
                self.scale = scale
            }
        }
        /// One condition of a value's `where:`: the row's cell in `column`, trimmed, equals one of `texts` ignoring
        /// case (`where: { Type: Teruglevering }`, `where: { Type: [Teruglevering, Injectie] }`).
        public struct Condition: Sendable, Equatable {
            public let column: String
            /// As written in the YAML (for messages).
            public let texts: [String]
            /// `texts` trimmed and lower-cased: what cells are compared with.
            public let matchTexts: [String]

            public init(column: String, texts: [String]) {
                self.column = column
                self.texts = texts
                matchTexts = texts.map { $0.trimmingSpaces.lowercased() }
            }

            /// `Type = Teruglevering`, `Type = Teruglevering or Injectie`.
            public var description: String { "\(column) = " + texts.joined(separator: " or ") }
        }
        /// One column with date and time, or `date` + `time`; `end` optional.
        public let timestamp: String?
        public let date: String?
        public let time: String?
        public let end: String?
        /// A column whose value names the meter (long layout with several meters).
        public let meterColumn: String?
        public let values: [Value]
    }

    /// The file it was read from, as given (e.g. `pipelines/demo-park.yaml`).
    public let file: String
    public let pilot: String
    public let name: String
    public let language: Language
    public let timezone: String
    public let baseline: Period
    public let reporting: Period
    public let sites: [Site]
    public let sources: [Source]
    /// Factor overrides by catalogue id (kg CO2e per unit).
    public let factorOverrides: [String: Double]
    /// `prices:` EUR per kWh by carrier and calendar year (for `cost.*`); a year without a price is never guessed.
    public internal(set) var prices: [PriceCarrier: [Int: Double]] = [:]
    /// `pilot_cost:` total investment of the pilot in EUR.
    public internal(set) var pilotCost: Double? = nil
    /// `pilot_cost_by_site:` investment per site id in EUR (optional; enables per-site cost per tonne and payback).
    public internal(set) var pilotCostBySite: [String: Double] = [:]

    /// `settings:` thresholds of the KPI engine (each optional, with the documented default).
    public internal(set) var settings = Settings()
    /// `mobility:` how to annualise the commuting survey; nil: not configured (survey values stay per reference day).
    public internal(set) var commuting: Commuting? = nil

    /// `settings:` the engine's thresholds. The defaults follow the methods `docs/method.md` names (each below).
    public struct Settings: Sendable, Equatable {
        /// `coverage_threshold`: a KPI computed from less coverage is flagged `low_coverage` (90 %).
        public var coverageThreshold = 0.9
        /// `baseline_max_missing_share`: the gas baseline model is refused above this share of missing days
        /// (CalTRACK: 10 %).
        public var baselineMaxMissingShare = 0.10
        /// `baseline_max_cvrmse`: ASHRAE Guideline 14 acceptance of a daily model (25 %).
        public var baselineMaxCVRMSE = 0.25
        /// `baseline_max_abs_nmbe`: ASHRAE Guideline 14 acceptance, |NMBE| (10 %).
        public var baselineMaxAbsNMBE = 0.10
        /// `baseline_hdd_max_p_value`: CalTRACK qualifies the HDD model only when the p-value of its slope is below
        /// this (0.1).
        public var baselineHDDMaxPValue = 0.1

        public init() {}
    }

    /// `mobility:` how many one-way commutes a commuter makes in a year, to annualise survey-based KPIs.
    public struct Commuting: Sendable, Equatable {
        /// `commuting_days_per_year`: days a commuter travels to the site in a calendar year.
        public let daysPerYear: Double
        /// `trips_per_day`: one-way commuting trips per commuting day (2: there and back).
        public let tripsPerDay: Double

        public init(daysPerYear: Double, tripsPerDay: Double) {
            self.daysPerYear = daysPerYear
            self.tripsPerDay = tripsPerDay
        }
    }
    /// `targets:` KPI key → target value for the reporting period, in the KPI's unit as in kpis.json (ratios 0…1,
    /// `_pct` in percent); the report's headline cards show whether each target is met.
    public internal(set) var targets: [String: Double] = [:]

    /// Whether the pipeline configures cost per result at all (otherwise the `cost.*` family adds no rows).
    public var hasCostConfiguration: Bool { !prices.isEmpty || pilotCost != nil || !pilotCostBySite.isEmpty }

    public func site(_ id: String) -> Site? { sites.first { $0.id == id } }

    /// Sites whose PV production the data showed (a `parkimpact-long` file's rows), set by the read stage before it
    /// reads (`PVDiscovery`); not from the YAML.
    public var pvSitesFromData: Set<String> = []

    /// What the read stage keeps: the definition's PV sites and those the data showed.
    public var readingPolicy: IntervalReadingPolicy {
        var policy = intervalReadingPolicy
        policy.sites.formUnion(pvSitesFromData)
        return policy
    }

    /// The sites that can have PV, from the sources alone (before reading): a site with an `sma`, `sungrow` or
    /// `enphase` source (unless its `quantity:` selects a grid channel), a `generic` source with a `pv_production`
    /// value, or any source with `quantity: pv_production`; a PV source without a site counts for every site. Their
    /// grid offtake and injection keep their interval readings for PV matching (`IntervalReadingPolicy`). A
    /// `parkimpact-long` source names sites and quantities per row: its PV sites are found in the data
    /// (`pvSitesFromData`).
    public var intervalReadingPolicy: IntervalReadingPolicy {
        var policy = IntervalReadingPolicy()
        for source in sources {
            let producesPV: Bool
            switch source.format {
            case .parkimpactLong:
                producesPV = false  // per row: found in the data
            case .sma, .sungrow, .enphase:
                producesPV = source.quantity == nil || source.quantity == .pvProduction
            case .generic:
                producesPV = source.generic?.values.contains { $0.quantity == .pvProduction } == true
            default:
                producesPV = source.quantity == .pvProduction
            }
            guard producesPV else { continue }
            if source.site == nil {
                policy.allSites = true
            } else if let site = source.site {
                policy.sites.insert(site)
            }
        }
        return policy
    }

    /// The source that reads an input file (its path relative to the input folder, `<pilot>/…`, as outputs name
    /// it): the first whose glob matches, as `Discover` assigns a file two globs match; nil when none does.
    public func source(ofInput relativePath: String) -> Source? {
        let prefix = pilot + "/"
        guard relativePath.hasPrefix(prefix) else { return nil }
        let relative = String(relativePath.dropFirst(prefix.count))
        return sources.first { fnmatch($0.path, relative, FNM_PATHNAME) == 0 }
    }

    /// `pipelines/<pilot>.yaml` whatever folder it was read from: what outputs cite, so they do not depend on
    /// where the checkout lives (messages on the terminal use the real path, `file`).
    public var citedFile: String {
        "pipelines/" + (file.split(separator: "/").last.map(String.init) ?? file)
    }
}

/// Format names are part of the contract.
public enum SourceFormatName: String, Sendable, CaseIterable {
    case fluvius
    case parkimpactLong = "parkimpact-long"
    case sma, sungrow, enphase
    case homewizardWater = "homewizard-water"
    case homewizardEnergy = "homewizard-energy"
    case meterReadings = "meter-readings"
    case telraam, ecocounter
    case commuteSurvey = "commute-survey"
    case trips, waste, temperature, generic

    /// Formats this build reads: every name has a reader in `FormatRegistry` (a test checks the two agree).
    public static var implemented: [SourceFormatName] { allCases }

    public var isImplemented: Bool { Self.implemented.contains(self) }

    /// What the format does with a source's `date_format` (checked by `DefinitionLoader`; the format's reader
    /// follows it).
    public var dateFormatSupport: DateFormatSupport {
        switch self {
        case .fluvius:
            .fixed("Fluvius writes its dates day first (dd-MM-yyyy or dd/MM/yyyy), fixed by the exporter")
        case .parkimpactLong:
            .fixed("parkimpact-long times are ISO 8601 instants with an offset or Z, fixed by the format")
        case .sungrow:
            .fixed("iSolarCloud writes its periods year first (yyyy-MM-dd, yyyy-MM or yyyy), which is never ambiguous")
        case .generic, .trips: .layoutsAndISO
        case .sma, .enphase, .homewizardWater, .homewizardEnergy, .meterReadings, .telraam, .ecocounter, .commuteSurvey,
             .waste, .temperature: .layouts
        }
    }
}
