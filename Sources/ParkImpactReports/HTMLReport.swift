import ParkImpactModel
import ParkImpactDefinition
public import ParkImpactKPIs

/// `output/<pilot>/report.html`: one self-contained HTML5 page per pilot (inline CSS, no scripts, no external
/// resources), in the pilot's language, that prints to A4.
///
/// Rendering is a pure function of the `PilotReport`: no clock, no environment locale, no dictionary iteration,
/// so the same report gives the same bytes. Every text that comes from YAML or CSV goes through `HTMLEscaping`.
public enum HTMLReport {
    public static func render(_ report: PilotReport) -> String {
        var page = PilotReportPage(report: report)
        return page.render()
    }
}

// MARK: - The page

/// The pilot report being written: `render` appends the sections to `out` in page order. The sections are
/// extensions in their own files (ReportSections.swift, ReportKPITables.swift, ReportMonthlyTable.swift,
/// ReportDataSection.swift, ReportMethodSection.swift).
struct PilotReportPage {
    let report: PilotReport
    let language: PipelineDefinition.Language
    let text: ReportText
    let index: KPIIndex
    var out = ""
    var tableCount = 0
    /// Appendix sections opened so far (their letters A, B, …).
    var appendixCount = 0
    /// Set-up hints for the coordinator, listed in the appendix instead of the officer's part.
    var coordinatorNotes: [String] = []

    init(report: PilotReport) {
        self.report = report
        self.language = report.definition.language
        self.text = ReportText.for(report.definition.language,
                                   threshold: report.definition.settings.coverageThreshold)
        self.index = KPIIndex(report.kpis)
    }

    static let baseline = "baseline"
    static let reporting = "reporting"

    mutating func render() -> String {
        let definition = report.definition
        out.reserveCapacity(32_768)
        out += "<!DOCTYPE html>\n"
        out += "<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"ParkImpact\">\n"
        out += "<title>\(esc(definition.name)) — \(esc(text.reportKind))</title>\n"
        out += "<style>\n\(ReportStyle.css)\(ReportStyle.chartCSS)\(runningHeaderCSS)</style>\n</head>\n<body>\n"
        out += ChartStyle.defs
        renderHeader()
        let tocPosition = out.utf8.count
        out += "<main>\n"
        // The officer's part: headline and trust line, disclosure tables, charts, cost, data quality, method.
        renderCards()
        renderESRS()
        renderEnergyChart()
        renderCO2Chart()
        renderPVChart()
        renderLoadHeatmap()
        renderModalSplit()
        renderWaterChart()
        renderWasteChart()
        renderCost()
        renderData()
        renderMethod()
        // The appendix, last: the full KPI tables, formulas and provenance, notes for the coordinator.
        out += "<div class=\"appendix\" id=\"appendix\">\n"
        out += "<p class=\"appendix-intro\">\(esc(text.appendixIntro))</p>\n"
        renderPilotTable()
        renderSiteTables()
        renderMonthly()
        renderFormulas()
        renderFiles()
        renderCoordinatorNotes()
        out += "</div>\n"
        out += "</main>\n"
        out += "<footer><p>\(esc(text.generatedBy)) <code>\(esc(definition.citedFile))</code>. "
        out += "\(esc(text.footerDeterministic))</p>\n"
        out += "<p class=\"version\">ParkImpact \(esc(ParkImpactVersion.string)) · "
        out += "\(esc(language == .nl ? "emissiefactorcatalogus" : "emission factor catalogue")) "
        out += "<code>sha256:\(esc(FactorCatalogue.builtInDigest))</code></p></footer>\n"
        out += "</body>\n</html>\n"
        insertTableOfContents(at: tocPosition)
        return out
    }

    // MARK: Header

    mutating func renderHeader() {
        let definition = report.definition
        out += "<header>\n"
        out += "<nav class=\"back\"><a href=\"../index.html\">← \(esc(text.backToPortfolio))</a></nav>\n"
        out += "<p class=\"eyebrow\">ParkImpact · \(esc(text.reportKind))</p>\n"
        out += "<h1>\(esc(definition.name))</h1>\n"
        out += "<p class=\"meta\">\(esc(text.pilot)) <code>\(esc(definition.pilot))</code> · "
        out += "\(esc(text.lastData)): "
        if let last = report.lastDataDate {
            out += esc(ReportDates.long(last, language))
        } else {
            out += "<span class=\"na\">\(esc(text.noData))</span>"
        }
        out += " · \(report.definition.sites.count) \(esc(report.definition.sites.count == 1 ? text.siteSingular : text.sitePlural))"
        out += "</p>\n"
        out += "<dl class=\"periods\">\n"
        out += "<dt>\(esc(text.baselinePeriod))</dt><dd>\(esc(ReportDates.range(definition.baseline, language, text)))</dd>\n"
        out += "<dt>\(esc(text.reportingPeriod))</dt><dd>\(esc(ReportDates.range(definition.reporting, language, text)))</dd>\n"
        out += "</dl>\n</header>\n"
    }
}

@inline(__always)
func esc(_ text: String) -> String { HTMLEscaping.escape(text) }
