public import ParkImpactModel
public import ParkImpactDefinition

/// An emission factor (or a price or conversion) as cited in provenance.
public struct FactorReference: Sendable, Equatable {
    public let id: String
    public let value: Double
    public let unit: String
    public let year: Int
    public let source: String
    /// Set when the catalogue had no value for the consumption year (which year was used instead).
    public let note: String?
    /// The catalogue's region, basis, publisher, release and status; nil for prices and conversions, which come
    /// from the pipeline definition.
    public let region: String?
    public let basis: String?
    public let publisher: String?
    public let release: String?
    public let status: FactorStatus?

    public init(id: String, value: Double, unit: String, year: Int, source: String, note: String?,
                region: String? = nil, basis: String? = nil, publisher: String? = nil, release: String? = nil,
                status: FactorStatus? = nil) {
        self.id = id
        self.value = value
        self.unit = unit
        self.year = year
        self.source = source
        self.note = note
        self.region = region
        self.basis = basis
        self.publisher = publisher
        self.release = release
        self.status = status
    }

    /// A catalogue factor as picked for a consumption year, with its provenance fields.
    public init(_ picked: PickedFactor) {
        let factor = picked.factor
        self.init(id: factor.id, value: factor.value, unit: factor.unit, year: factor.year, source: factor.source,
                  note: picked.note, region: factor.region, basis: factor.basis, publisher: factor.publisher,
                  release: factor.release, status: factor.status)
    }
}

/// Where a KPI value comes from: the data, the factor and the formula. Shown in kpis.json and the report.
public struct Provenance: Sendable, Equatable {
    /// Input files (paths relative to the input folder), sorted.
    public var inputs: [String]
    /// The factor used (for a period spanning several years: the first; all are in `factors`).
    public var factor: FactorReference? { factors.first }
    public var factors: [FactorReference]
    public var formula: String
    /// Why the value is null, when it is: a code with its parameters (`KPIReason`).
    public var why: KPIReason?
    /// The reason in English, as kpis.json and kpis.csv give it.
    public var reason: String? { why?.english }
    /// The reason's stable code (`reason_code`), nil when there is no reason.
    public var reasonCode: KPIReasonCode? { why?.code }

    public init(inputs: [String] = [], factors: [FactorReference] = [], formula: String, reason: KPIReason? = nil) {
        self.inputs = inputs
        self.factors = factors
        self.formula = formula
        self.why = reason
    }
}

/// One KPI value for one period and scope (a site, or the pilot total when `site` is nil).
public struct KPI: Sendable, Equatable {
    public let key: String
    public let period: String
    public let site: String?
    /// nil when the data are insufficient (the reason is in provenance).
    public let value: Double?
    public let unit: KPIUnit
    /// Present intervals / expected intervals of the inputs (0...1), nil when not applicable.
    public let coverage: Double?
    /// Estimated intervals ÷ present intervals of the inputs (0...1), nil when not applicable (records of events,
    /// derived ratios): how much of the value rests on the grid operator's estimates.
    public let estimatedShare: Double?
    /// `low_coverage` (< 90 %) and other warnings: shown wherever the value is shown.
    public let flags: [KPIFlag]
    public let provenance: Provenance

    public init(key: String, period: String, site: String?, value: Double?, unit: KPIUnit, coverage: Double?,
                estimatedShare: Double? = nil, flags: [KPIFlag], provenance: Provenance) {
        self.key = key
        self.period = period
        self.site = site
        self.value = value
        self.unit = unit
        self.coverage = coverage
        self.estimatedShare = estimatedShare
        self.flags = flags
        self.provenance = provenance
    }

    /// Coverage below this flags a KPI in every output: the default of the pipeline setting
    /// `settings.coverage_threshold` (`PipelineDefinition.Settings.coverageThreshold`, which the engine uses).
    public static let coverageThreshold = PipelineDefinition.Settings().coverageThreshold
}

/// Everything the report writers need for one pilot.
public struct PilotReport: Sendable {
    public let definition: PipelineDefinition
    public let periods: [ReportPeriod]
    public let kpis: [KPI]
    public let files: [FileSummary]
    public let rejects: [Reject]
    /// Catalogue factors cited by any KPI, sorted by id and year.
    public let factorsUsed: [FactorReference]
    /// Local date of the last interval with data, if any.
    public let lastDataDate: CivilDate?
    public let seriesCount: Int
    /// Per local day of the baseline and reporting periods: grid offtake and coverage (report charts only).
    public let daily: [DailyTotal]

    public init(definition: PipelineDefinition, periods: [ReportPeriod], kpis: [KPI], files: [FileSummary],
                rejects: [Reject], factorsUsed: [FactorReference], lastDataDate: CivilDate?, seriesCount: Int,
                daily: [DailyTotal] = []) {
        self.daily = daily
        self.definition = definition
        self.periods = periods
        self.kpis = kpis
        self.files = files
        self.rejects = rejects
        self.factorsUsed = factorsUsed
        self.lastDataDate = lastDataDate
        self.seriesCount = seriesCount
    }

    public func kpi(_ key: String, period: String, site: String? = nil) -> KPI? {
        kpis.first { $0.key == key && $0.period == period && $0.site == site }
    }
}
