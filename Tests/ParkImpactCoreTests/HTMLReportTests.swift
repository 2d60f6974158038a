import Foundation
import Testing
@testable import ParkImpactCore

// MARK: - Fixture

/// A small hand-built report: two sites (one with a hostile name), a hostile file path, a null KPI with a reason,
/// a low-coverage KPI and an unknown key.
private enum Fixture {
    static let hostileName = "<script>alert(1)</script>"
    static let hostilePath = "test-park/acme/'\"><b onmouseover=alert(1)>x&y.csv"
    static let gasReason = "no natural gas data in this period (0 of 8784 expected intervals)"

    static func definition(language: String, pilot: String = "test-park", name: String = "Testpark Noord")
        throws -> PipelineDefinition {
        let yaml = """
        pilot: \(pilot)
        name: "\(name)"
        language: \(language)
        timezone: Europe/Brussels
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - id: acme
            name: "\(hostileName)"
            fte: 120
            electricity_contract: grey
          - id: kaai
            name: "Brouwerij De Kaai"
            electricity_contract: green
        sources:
          - path: "acme/*.csv"
            format: fluvius
            site: acme
          - path: "kaai/*.csv"
            format: fluvius
            site: kaai
        """
        return try DefinitionLoader.parse(yaml: yaml, file: "pipelines/\(pilot).yaml", catalogue: .builtIn)
    }

    static func kpi(_ key: String, _ period: String, site: String? = nil, _ value: Double?, unit: String,
                    coverage: Double? = 1, flags: [String] = [], reason: String? = nil,
                    formula: String = "test formula", factors: [FactorReference] = []) -> KPI {
        KPI(key: key, period: period, site: site, value: value, unit: unit, coverage: coverage, flags: flags,
            provenance: Provenance(inputs: ["test-park/acme/a.csv"], factors: factors, formula: formula, reason: reason))
    }

    static let grey = FactorReference(id: "electricity.market.grey", value: 0.16749, unit: "kg CO2e/kWh", year: 2023,
                                      source: "AIB European Residual Mix 2023 via VREG", note: nil)
    static let gas = FactorReference(id: "natural_gas.hhv", value: 0.18259, unit: "kg CO2e/kWh", year: 2023,
                                     source: "DESNZ <conversion> factors", note: "no 2024 value; 2023 used")

    static func report(language: String = "nl", pilot: String = "test-park", name: String = "Testpark Noord",
                       offtake: Double = 1_234_567.4) throws -> PilotReport {
        let definition = try definition(language: language, pilot: pilot, name: name)
        var kpis: [KPI] = []
        for (period, scale) in [("baseline", 1.1), ("reporting", 1.0)] {
            kpis += [
                kpi("energy.electricity.offtake_kwh", period, offtake * scale, unit: "kWh"),
                kpi("energy.electricity.injection_kwh", period, 2_500, unit: "kWh"),
                kpi("energy.gas_kwh", period, 54_321.5, unit: "kWh"),
                kpi("co2.scope1_t", period, 10.5 * scale, unit: "t CO2e", formula: "gas kWh × natural_gas.hhv ÷ 1000",
                    factors: [gas]),
                kpi("co2.scope2_location_t", period, 15, unit: "t CO2e"),
                kpi("co2.scope2_market_t", period, 20.25 * scale, unit: "t CO2e",
                    formula: "offtake kWh × market-based factor ÷ 1000", factors: [grey]),
                kpi("quality.coverage", period, period == "baseline" ? 0.85 : 0.995, unit: "ratio",
                    coverage: period == "baseline" ? 0.85 : 0.995,
                    flags: period == "baseline" ? ["low_coverage"] : []),
                kpi("quality.estimated_share", period, 0.0123, unit: "ratio"),
                kpi("quality.rejected_rows", period, 3, unit: "rows", coverage: nil),
                kpi("experimental.widget_count", period, 42, unit: "widgets"),
                // Site acme: gas missing in the baseline.
                kpi("energy.electricity.offtake_kwh", period, site: "acme", 800_000, unit: "kWh"),
                kpi("energy.gas_kwh", period, site: "acme", period == "baseline" ? nil : 1_000, unit: "kWh",
                    coverage: period == "baseline" ? 0 : 1, reason: period == "baseline" ? gasReason : nil),
                kpi("energy.electricity.offtake_kwh", period, site: "kaai", 434_567.4, unit: "kWh", coverage: 0.5,
                    flags: ["low_coverage"]),
            ]
        }
        kpis.append(kpi("co2.change_vs_baseline_pct", "reporting", -9.090909, unit: "%",
                        formula: "(E_reporting − E_baseline) ÷ E_baseline × 100"))
        kpis.append(kpi("energy.electricity.offtake_kwh", "2024-03", 98_765.4, unit: "kWh"))
        kpis.append(kpi("energy.gas_kwh", "2024-03", nil, unit: "kWh", coverage: 0, reason: "meter outage in March"))
        let files = [
            FileSummary(path: hostilePath, format: "fluvius", dialect: "fluvius-nl-2024; ';' decimal ','",
                        acceptedRows: 35_136, rejectedRows: 2, ignoredRows: ["m3 twin rows": 8_784], problem: nil),
            FileSummary(path: "test-park/kaai/broken.csv", format: "fluvius", dialect: "?", acceptedRows: 0,
                        rejectedRows: 0, ignoredRows: [:], problem: "not a Fluvius export: <no header>"),
        ]
        let rejects = [
            Reject(file: hostilePath, line: 12, column: "Volume", reason: "not a number: \"abc\"", raw: "x;y",
                   site: "acme", day: nil),
            Reject(file: hostilePath, line: 13, column: "Volume", reason: "not a number: \"abc\"", raw: "x;y",
                   site: "acme", day: nil),
            Reject(file: hostilePath, line: 40, column: "Van (datum)", reason: "<unreadable date>", raw: "x;y",
                   site: "acme", day: nil),
        ]
        return PilotReport(definition: definition, periods: [], kpis: kpis, files: files, rejects: rejects,
                           factorsUsed: [grey, gas], lastDataDate: CivilDate(year: 2024, month: 12, day: 31),
                           seriesCount: 4)
    }
}

// MARK: - Number formatting

@Suite struct HTMLReportTests {
    @Test func groupsAndDecimalsPerLanguage() {
        #expect(NumberFormatting.format(1234.5, decimals: 1, language: .nl) == "1.234,5")
        #expect(NumberFormatting.format(1234.5, decimals: 1, language: .en) == "1,234.5")
        #expect(NumberFormatting.format(1_234_567.891, decimals: 0, language: .nl) == "1.234.568")
        #expect(NumberFormatting.format(1_234_567.891, decimals: 2, language: .en) == "1,234,567.89")
        #expect(NumberFormatting.format(999, decimals: 0, language: .nl) == "999")
        #expect(NumberFormatting.format(0, decimals: 2, language: .nl) == "0,00")
        #expect(NumberFormatting.format(1234.5, decimals: 1, language: .nl, grouping: false) == "1234,5")
        #expect(NumberFormatting.format(1.5e16, decimals: 0, language: .en) == "15,000,000,000,000,000")
    }

    @Test func negativeNumbersUseARealMinusSign() {
        #expect(NumberFormatting.format(-1234.5, decimals: 1, language: .nl) == "\u{2212}1.234,5")
        #expect(NumberFormatting.format(-1234.5, decimals: 1, language: .en) == "\u{2212}1,234.5")
        #expect(!NumberFormatting.format(-3, decimals: 0, language: .en).contains("-"))
        // Rounds to zero: no sign.
        #expect(NumberFormatting.format(-0.04, decimals: 1, language: .nl) == "0,0")
        #expect(NumberFormatting.format(0.04, decimals: 1, language: .nl, explicitPlus: true) == "0,0")
        #expect(NumberFormatting.format(2.5, decimals: 1, language: .en, explicitPlus: true) == "+2.5")
    }

    @Test func roundsHalfAwayFromZeroOnTheDecimalValue() {
        #expect(NumberFormatting.format(2.675, decimals: 2, language: .en) == "2.68")
        #expect(NumberFormatting.format(1.005, decimals: 2, language: .en) == "1.01")
        #expect(NumberFormatting.format(0.05, decimals: 1, language: .nl) == "0,1")
        #expect(NumberFormatting.format(-0.05, decimals: 1, language: .nl) == "\u{2212}0,1")
        #expect(NumberFormatting.format(999.96, decimals: 1, language: .nl) == "1.000,0")
        #expect(NumberFormatting.format(99_999.5, decimals: 0, language: .en) == "100,000")
        #expect(NumberFormatting.format(0.00001, decimals: 2, language: .en) == "0.00")
        #expect(NumberFormatting.format(0.000051, decimals: 4, language: .en) == "0.0001")
        #expect(NumberFormatting.format(1234.44, decimals: 1, language: .en) == "1,234.4")
        #expect(NumberFormatting.format(.nan, decimals: 1, language: .en) == "—")
        #expect(NumberFormatting.format(.infinity, decimals: 1, language: .en) == "—")
    }

    @Test func percentsPointsAndPlainValues() {
        #expect(NumberFormatting.percent(ratio: 0.875, language: .nl) == "87,5\u{00A0}%")
        #expect(NumberFormatting.percent(ratio: 0.875, language: .en) == "87.5\u{00A0}%")
        #expect(NumberFormatting.percent(-9.090909, language: .nl, explicitPlus: true) == "\u{2212}9,1\u{00A0}%")
        #expect(NumberFormatting.percent(1234.56, language: .nl) == "1.234,6\u{00A0}%")
        #expect(NumberFormatting.percentagePoints(2.25, language: .en) == "+2.3\u{00A0}pp")
        #expect(NumberFormatting.plain(0.16749, language: .nl) == "0,16749")
        #expect(NumberFormatting.plain(120, language: .nl) == "120")
        #expect(NumberFormatting.plain(5400.5, language: .en) == "5,400.5")
        #expect(NumberFormatting.plain(-0.0000001, language: .en) == "0")
    }

    @Test func decimalsPerUnit() {
        #expect(NumberFormatting.decimals(forUnit: "kWh") == 0)
        #expect(NumberFormatting.decimals(forUnit: "MWh") == 1)
        #expect(NumberFormatting.decimals(forUnit: "t CO2e") == 2)
        #expect(NumberFormatting.decimals(forUnit: "%") == 1)
        #expect(NumberFormatting.decimals(forUnit: " KWH ") == 0)
        #expect(KPIDisplay.kind(key: "quality.coverage", unit: "ratio") == .ratio)
        #expect(KPIDisplay.kind(key: "co2.change_vs_baseline_pct", unit: "%") == .percent)
        #expect(KPIDisplay.kind(key: "quality.rejected_rows", unit: "rows") == .count)
        #expect(KPIDisplay.kind(key: "energy.gas_kwh", unit: "kWh") == .measure(decimals: 0))
    }

    // MARK: Escaping

    @Test func escapesTheFiveCharactersAndControls() {
        #expect(HTMLEscaping.escape("<a href='x'>\"Tom & Jerry\"</a>")
            == "&lt;a href=&#39;x&#39;&gt;&quot;Tom &amp; Jerry&quot;&lt;/a&gt;")
        #expect(HTMLEscaping.escape("ACME Metaal NV — énergie") == "ACME Metaal NV — énergie")
        #expect(HTMLEscaping.escape("a\u{0}b\u{1B}c\td") == "a\u{FFFD}b\u{FFFD}c\td")
    }

    @Test func hostileSiteNameAndPathAreEscaped() throws {
        let html = HTMLReport.render(try Fixture.report())
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains(Fixture.hostileName))
        #expect(html.contains("&#39;&quot;&gt;&lt;b onmouseover=alert(1)&gt;x&amp;y.csv"))
        #expect(!html.contains("<b onmouseover"))
        #expect(html.contains("not a Fluvius export: &lt;no header&gt;"))
        #expect(html.contains("DESNZ &lt;conversion&gt; factors"))
        #expect(html.contains("&lt;unreadable date&gt;"))
    }

    // MARK: Self-contained

    @Test func noScriptsNoExternalResources() throws {
        for language in ["nl", "en"] {
            let html = HTMLReport.render(try Fixture.report(language: language))
            let lower = html.lowercased()
            #expect(html.hasPrefix("<!DOCTYPE html>\n"))
            #expect(!lower.contains("http"))
            #expect(!lower.contains("src="))
            #expect(!lower.contains("<script"))
            #expect(!lower.contains("url("))
            #expect(!lower.contains("@import"))
            #expect(!lower.contains("<link"))
            #expect(html.contains("size: A4"))
            #expect(html.contains("page-break-inside: avoid"))
            #expect(html.contains("<a href=\"rejects.csv\">rejects.csv</a>"))
        }
    }

    // MARK: Content

    @Test func nullValueShowsDashWithItsReason() throws {
        let html = HTMLReport.render(try Fixture.report())
        #expect(html.contains("<span class=\"na\" title=\"\(Fixture.gasReason)\">—</span>"))
        #expect(html.contains("</sup> — \(Fixture.gasReason)</li>"))
        #expect(html.contains("title=\"meter outage in March\""))
    }

    @Test func lowCoverageIsMarked() throws {
        let nl = HTMLReport.render(try Fixture.report(language: "nl"))
        #expect(nl.contains("⚠"))
        #expect(nl.contains("dekking onder 90\u{00A0}%"))
        #expect(nl.contains("<tr class=\"low\">"))
        let en = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(en.contains("coverage below 90\u{00A0}%"))
    }

    @Test func dutchLabelsAndNumbersForDutchPilots() throws {
        let html = HTMLReport.render(try Fixture.report(language: "nl"))
        #expect(html.contains("<html lang=\"nl\">"))
        #expect(html.contains("Referentieperiode"))
        #expect(html.contains("1 januari 2023 – 31 december 2023 (365 dagen)"))
        #expect(html.contains("Elektriciteit: afname van het net"))
        #expect(html.contains("<code class=\"key\">energy.electricity.offtake_kwh</code>"))
        #expect(html.contains(">1.234.567<"))            // kWh, 0 decimals
        #expect(html.contains("1.234,6 <span class=\"card-unit\">MWh</span>"))  // card in MWh
        #expect(html.contains("30,8 <span class=\"card-unit\">t CO2e</span>"))   // Scope 1 + 2 market
        #expect(html.contains("\u{2212}9,1\u{00A0}%"))   // change vs baseline
        #expect(html.contains(">99,5\u{00A0}%<") || html.contains(">99,5<"))     // coverage as %
        #expect(html.contains("maart 2024"))
        #expect(html.contains(">98.765<"))
        #expect(html.contains("0,16749"))
        #expect(html.contains("<td>rijen</td>"))          // unit words in Dutch
        #expect(!html.contains("Baseline period"))

        let en = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(en.contains("<html lang=\"en\">"))
        #expect(en.contains("Baseline period"))
        #expect(en.contains("Electricity: grid offtake"))
        #expect(en.contains(">1,234,567<"))
        #expect(en.contains("March 2024"))
        #expect(!en.contains("Referentieperiode"))
    }

    @Test func unknownKeysAndFormulasRender() throws {
        let html = HTMLReport.render(try Fixture.report())
        #expect(html.contains("<span class=\"label\">experimental.widget_count</span>"))
        #expect(html.contains("gas kWh × natural_gas.hhv ÷ 1000"))
        #expect(html.contains("(E_reporting − E_baseline) ÷ E_baseline × 100"))
        #expect(html.contains("no 2024 value; 2023 used"))
        // Every month of both periods has a row.
        #expect(html.contains("januari 2023") && html.contains("december 2024"))
    }

    @Test func renderingIsDeterministic() throws {
        let report = try Fixture.report()
        let first = HTMLReport.render(report)
        #expect(first == HTMLReport.render(report))
        #expect(first == HTMLReport.render(try Fixture.report()))
        let reports = [try Fixture.report(), try Fixture.report(language: "en", pilot: "alpha-park", name: "Alpha")]
        #expect(PortfolioIndex.render(reports) == PortfolioIndex.render(reports.reversed()))
    }

    // MARK: Portfolio

    @Test func portfolioListsPilotsSortedWithRelativeLinks() throws {
        let reports = [
            try Fixture.report(pilot: "zulu-park", name: Fixture.hostileName),
            try Fixture.report(language: "en", pilot: "alpha-park", name: "Alpha & Co"),
        ]
        let html = PortfolioIndex.render(reports)
        let lower = html.lowercased()
        #expect(!lower.contains("http"))
        #expect(!lower.contains("<script"))
        #expect(!lower.contains("src="))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Alpha &amp; Co"))
        let alpha = try #require(html.range(of: "href=\"alpha-park/report.html\""))
        let zulu = try #require(html.range(of: "href=\"zulu-park/report.html\""))
        #expect(alpha.lowerBound < zulu.lowerBound)
        #expect(html.contains(">30.8<"))                       // Scope 1+2 market, English numbers
        #expect(html.contains("\u{2212}9.1\u{00A0}%"))
        #expect(html.contains("99.5\u{00A0}%"))
        #expect(html.contains("2024-12-31"))
        #expect(PortfolioIndex.render([]).contains("No pilots."))
    }
}
