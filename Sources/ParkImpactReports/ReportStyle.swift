/// The pages' CSS: files in `Sources/ParkImpactReports/Resources/`, compiled into the binary (`.embedInCode` in
/// Package.swift), so the pages stay self-contained and a run reads no file besides its inputs. Each page inlines
/// them byte for byte in a `<style>` element.
enum ReportStyle {
    /// Sober, print-friendly CSS shared by the pilot report and the portfolio; no external fonts, images or URLs
    /// (`report.css`).
    static let css = String(decoding: PackageResources.report_css, as: UTF8.self)

    /// The pilot report's charts, cards with targets, omitted-section lines, contents and appendix, and A4 print:
    /// page numbers in an `@page` margin box, charts kept whole, the appendix in a small font (`report-charts.css`).
    static let chartCSS = String(decoding: PackageResources.report_charts_css, as: UTF8.self)

    /// The portfolio's table with sortable columns and its sparklines (`portfolio.css`).
    static let portfolioCSS = String(decoding: PackageResources.portfolio_css, as: UTF8.self)
}
