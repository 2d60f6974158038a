import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// Every fixed text of the pilot report, per language.
struct ReportText: Sendable {
    let reportKind: String
    let pilot: String
    let lastData: String
    let noData: String
    let siteSingular: String
    let sitePlural: String
    let day: String
    let days: String
    let baselinePeriod: String
    let reportingPeriod: String
    let headline: String
    let cardCO2: String
    let cardOfftake: String
    let cardGas: String
    let cardChangeSub: String
    let changeUnavailable: String
    let baselineShort: String
    let pilotKPIs: String
    let siteKPIs: String
    let noKPIs: String
    let contractGrey: String
    let contractGreen: String
    let fte: String
    let colKPI: String
    let colBaseline: String
    let colReporting: String
    let colChange: String
    let colUnit: String
    let colCoverage: String
    let lowCoverageNote: String
    let lowCoverageExplain: String
    let noReason: String
    let notApplicable: String
    let baselineZero: String
    let monthly: String
    let monthlyExplain: String
    let colMonth: String
    let colOfftake: String
    let colInjection: String
    let colGas: String
    let colCO2Market: String
    let total: String
    let data: String
    let noFiles: String
    let colFile: String
    let colFormat: String
    let colDialect: String
    let colAccepted: String
    let colRejected: String
    let colIgnored: String
    let colProblem: String
    let fileSingular: String
    let filePlural: String
    let rejectedRows: String
    let rejectsLinkIntro: String
    let rejectsColumns: String
    let colReason: String
    let colCode: String
    let colRows: String
    let colFirstRow: String
    let fileLine: @Sendable (String, Int) -> String
    let otherReasons: @Sendable (Int) -> String
    /// Rows counted without detail (`Reject.omittedRows`): their number (formatted) and the detail limit.
    let rejectsOmitted: @Sendable (String, Int) -> String
    let seriesCount: String
    let method: String
    let methodIntro: [String]
    let factors: String
    let noFactors: String
    let colFactorID: String
    let colValue: String
    let colYear: String
    let colSource: String
    let colNote: String
    let formulas: String
    let factorsCited: String
    let generatedBy: String
    let contents: String
    let appendix: String
    let appendixIntro: String
    let colFormula: String
    let backToPortfolio: String
    let footerDeterministic: String

    /// The texts of a report in `language`; `threshold` is the pilot's `settings.coverage_threshold`.
    static func `for`(_ language: PipelineDefinition.Language, threshold: Double = KPI.coverageThreshold) -> ReportText {
        language == .nl ? nl(threshold: threshold) : en(threshold: threshold)
    }

    /// The coverage threshold as the report writes it ("90 %").
    static func thresholdText(_ threshold: Double) -> (nl: String, en: String) {
        (NumberFormatting.percent(ratio: threshold, decimals: 0, language: .nl),
         NumberFormatting.percent(ratio: threshold, decimals: 0, language: .en))
    }
}
