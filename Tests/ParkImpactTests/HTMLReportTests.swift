import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

// MARK: - Fixture

/// A small hand-built report: two sites (one with a hostile name), a hostile file path, a null KPI with a reason,
/// a low-coverage KPI and an unknown key.
private enum Fixture {
    static let hostileName = "<script>alert(1)</script>"
    static let hostilePath = "test-park/acme/'\"><b onmouseover=alert(1)>x&y.csv"
    static let gasWhy = KPIReason.noData(.naturalGas, expected: 8784)
    static let gasReason = "no natural gas data in this period (0 of 8784 expected intervals)"
    static let outage = KPIReason.partWithoutData(.naturalGas, site: "acme")

    static func definition(language: String, pilot: String = "test-park", name: String = "Testpark Noord",
                           settings: String = "") throws -> PipelineDefinition {
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
        \(settings)
        """
        return try DefinitionLoader.parse(yaml: yaml, file: "pipelines/\(pilot).yaml", catalogue: .builtIn)
    }

    static func kpi(_ key: String, _ period: String, site: String? = nil, _ value: Double?, unit: KPIUnit,
                    coverage: Double? = 1, flags: [KPIFlag] = [], reason: KPIReason? = nil,
                    formula: String = "test formula", factors: [FactorReference] = []) -> KPI {
        KPI(key: key, period: period, site: site, value: value, unit: unit, coverage: coverage, flags: flags,
            provenance: Provenance(inputs: ["test-park/acme/a.csv"], factors: factors, formula: formula, reason: reason))
    }

    static let grey = FactorReference(id: "electricity.market.grey", value: 0.16749, unit: "kg CO2/kWh", year: 2023,
                                      source: "AIB, European Residual Mixes 2023, https://www.aib-net.org/x", note: nil,
                                      region: "BE", basis: "direct: residual mix",
                                      publisher: "Association of Issuing Bodies (AIB)", release: "2023 v1.0",
                                      status: .unconfirmed)
    static let gas = FactorReference(id: "natural_gas.hhv", value: 0.18234, unit: "kg CO2e/kWh", year: 2006,
                                     source: "IPCC guidelines", note: "no 2024 value in the catalogue; the 2006 value is used",
                                     region: "any", basis: "direct: combustion, gross calorific value",
                                     publisher: "IPCC", release: "2006 <conversion> factors", status: .confirmed)

    static func report(language: String = "nl", pilot: String = "test-park", name: String = "Testpark Noord",
                       offtake: Double = 1_234_567.4, settings: String = "") throws -> PilotReport {
        let definition = try definition(language: language, pilot: pilot, name: name, settings: settings)
        var kpis: [KPI] = []
        for (period, scale) in [("baseline", 1.1), ("reporting", 1.0)] {
            kpis += [
                kpi("energy.electricity.offtake_kwh", period, offtake * scale, unit: .kWh),
                kpi("energy.electricity.injection_kwh", period, 2_500, unit: .kWh),
                kpi("energy.gas_kwh", period, 54_321.5, unit: .kWh),
                kpi("co2.scope1_t", period, 10.5 * scale, unit: .tonnesCO2e, formula: "gas kWh × natural_gas.hhv ÷ 1000",
                    factors: [gas]),
                kpi("co2.scope2_location_t", period, 15, unit: .tonnesCO2e),
                kpi("co2.scope2_market_t", period, 20.25 * scale, unit: .tonnesCO2e,
                    formula: "offtake kWh × market-based factor ÷ 1000", factors: [grey]),
                kpi("quality.coverage", period, period == "baseline" ? 0.85 : 0.995, unit: .ratio,
                    coverage: period == "baseline" ? 0.85 : 0.995,
                    flags: period == "baseline" ? [.lowCoverage] : []),
                kpi("quality.estimated_share", period, 0.0123, unit: .ratio),
                kpi("quality.rejected_rows", period, 3, unit: .rows, coverage: nil),
                kpi("experimental.widget_count", period, 42, unit: .km),
                // Site acme: gas missing in the baseline.
                kpi("energy.electricity.offtake_kwh", period, site: "acme", 800_000, unit: .kWh),
                kpi("energy.gas_kwh", period, site: "acme", period == "baseline" ? nil : 1_000, unit: .kWh,
                    coverage: period == "baseline" ? 0 : 1, reason: period == "baseline" ? gasWhy : nil),
                kpi("energy.electricity.offtake_kwh", period, site: "kaai", 434_567.4, unit: .kWh, coverage: 0.5,
                    flags: [.lowCoverage]),
            ]
        }
        kpis.append(kpi("co2.change_vs_baseline_pct", "reporting", -9.090909, unit: .percent,
                        formula: "(E_reporting − E_baseline) ÷ E_baseline × 100"))
        kpis.append(kpi("energy.electricity.offtake_kwh", "2024-03", 98_765.4, unit: .kWh))
        kpis.append(kpi("energy.gas_kwh", "2024-03", nil, unit: .kWh, coverage: 0, reason: outage))
        let files = [
            FileSummary(path: hostilePath, format: "fluvius", dialect: "fluvius-nl-2024; ';' decimal ','",
                        acceptedRows: 35_136, rejectedRows: 2, ignoredRows: ["m3 twin rows": 8_784], problem: nil),
            FileSummary(path: "test-park/kaai/broken.csv", format: "fluvius", dialect: "?", acceptedRows: 0,
                        rejectedRows: 0, ignoredRows: [:], problem: "not a Fluvius export: <no header>",
                        problemCode: "header_not_recognised"),
        ]
        let rejects = [
            Reject(file: hostilePath, line: 12, column: "Volume", code: .notANumber, reason: "not a number: \"abc\"",
                   raw: "x;y", site: "acme", day: nil),
            Reject(file: hostilePath, line: 13, column: "Volume", code: .notANumber, reason: "not a number: \"abc\"",
                   raw: "x;y", site: "acme", day: nil),
            Reject(file: hostilePath, line: 40, column: "Van (datum)", code: .unclassified, reason: "<unreadable date>",
                   raw: "x;y", site: "acme", day: nil),
        ]
        return PilotReport(definition: definition, periods: [], kpis: kpis, files: files, rejects: rejects,
                           factorsUsed: [grey, gas], lastDataDate: CivilDate(year: 2024, month: 12, day: 31),
                           seriesCount: 4)
    }
}

// MARK: - Number formatting

@Suite struct HTMLReportTests {
    @Test("the files table: an unreadable file's problem under its code's title, ignored rows from their codes")
    func filesTableFromCodes() throws {
        let dutch = HTMLReport.render(try Fixture.report(language: "nl"))
        #expect(dutch.contains("<td>kopregel niet herkend: not a Fluvius export: &lt;no header&gt;</td>"))
        let english = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(english.contains("<td>header not recognised: not a Fluvius export: &lt;no header&gt;</td>"))
        // A problem stored without a code (an older ledger row) is an unreadable file.
        #expect(EngineText.problem("x", code: nil, .nl) == "bestand onleesbaar: x")
        #expect(EngineText.problem("x", code: "no_such_code", .en) == "file cannot be read: x")
        for code in IgnoreCode.allCases {
            #expect(EngineText.ignored(code.rawValue, .nl) == code.title(.nl))
            #expect(EngineText.ignored(code.rawValue, .en) == code.title(.en))
        }
    }

    @Test("the report warns and explains with the pilot's own coverage threshold (settings.coverage_threshold)")
    func coverageThresholdFromSettings() throws {
        for language in ["en", "nl"] {
            let standard = HTMLReport.render(try Fixture.report(language: language))
            let lowered = HTMLReport.render(try Fixture.report(language: language,
                                                               settings: "settings: { coverage_threshold: 0.8 }"))
            let lang: PipelineDefinition.Language = language == "nl" ? .nl : .en
            let p85 = NumberFormatting.percent(ratio: 0.85, language: lang)
            let p50 = NumberFormatting.percent(ratio: 0.5, language: lang)
            let below = language == "nl" ? "dekking onder " : "coverage below "
            #expect(standard.contains(below + NumberFormatting.percent(ratio: 0.9, decimals: 0, language: lang)))
            #expect(lowered.contains(below + NumberFormatting.percent(ratio: 0.8, decimals: 0, language: lang)))
            #expect(!lowered.contains(below + NumberFormatting.percent(ratio: 0.9, decimals: 0, language: lang)))
            // 85 % is below the default 90 % but not below 80 %; 50 % is below both.
            #expect(standard.contains("<span class=\"warn\">\(esc(p85))</span>"))
            #expect(!lowered.contains("<span class=\"warn\">\(esc(p85))</span>"))
            #expect(lowered.contains("<span class=\"warn\">\(esc(p50))</span>"))
        }
    }

    @Test("the trust line under the cards: coverage (warned below the threshold), estimated share, rejects, last date")
    func trustLine() throws {
        let dutch = HTMLReport.render(try Fixture.report(language: "nl"))
        #expect(dutch.contains("</div>\n<p class=\"trust\">Rapportageperiode: Dekking 99,5\u{A0}% · geschat 1,2\u{A0}% · "
            + "3 afgekeurde rijen · gegevens tot 31 december 2024</p>\n"))
        let english = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(english.contains("<p class=\"trust\">Reporting period: Coverage 99.5\u{A0}% · estimated 1.2\u{A0}% · "
            + "3 rejected rows · data up to 31 December 2024</p>\n"))
        let strict = HTMLReport.render(try Fixture.report(language: "nl",
                                                          settings: "settings: { coverage_threshold: 0.999 }"))
        #expect(strict.contains("<p class=\"trust trust-low\">Rapportageperiode: <span class=\"warn\">⚠ Dekking "
            + "99,5\u{A0}% (onder de drempel van 99,9\u{A0}%)</span> · geschat 1,2\u{A0}% · 3 afgekeurde rijen · "
            + "gegevens tot 31 december 2024</p>\n"))
    }

    @Test("one card per figure: the CO2 change and its target are on the Scope 1+2 card")
    func oneCardPerFigure() throws {
        let dutch = HTMLReport.render(try Fixture.report(language: "nl",
                                                         settings: "targets: { co2.change_vs_baseline_pct: -20 }"))
        #expect(!dutch.contains("CO2-verandering t.o.v. referentie</div>"))
        #expect(dutch.components(separatedBy: "<div class=\"card\">").count - 1 == 3)
        #expect(dutch.contains("<div class=\"target\">Doel: ≤ −20,0 % — <strong class=\"missed\">✗ niet gehaald</strong>"))
    }

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
        #expect(html.contains("IPCC; 2006 &lt;conversion&gt; factors"))
        #expect(html.contains("&lt;unreadable date&gt;"))
    }

    @Test("rejected rows are grouped by code, titled in the report's language, with the first row of each kind")
    func rejectsByCode() throws {
        let nl = HTMLReport.render(try Fixture.report(language: "nl"))
        #expect(nl.contains("<tr><td>geen getal</td><td><code>not_a_number</code></td><td class=\"num\">2</td>"
            + "<td title=\"test-park/acme/&#39;&quot;&gt;&lt;b onmouseover=alert(1)&gt;x&amp;y.csv\">&#39;&quot;&gt;&lt;b "
            + "onmouseover=alert(1)&gt;x&amp;y.csv, regel 12</td></tr>"))
        let en = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(en.contains("<tr><td>not a number</td><td><code>not_a_number</code></td><td class=\"num\">2</td>"))
        // A reject without a code of its own shows its reason.
        #expect(en.contains("<tr><td>&lt;unreadable date&gt;</td><td><code>unclassified</code></td>"))
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
            // `url(` only for the chart patterns of this same document (`url(#pi-…)`).
            #expect(!lower.replacingOccurrences(of: "url(#pi-", with: "").contains("url("))
            #expect(!lower.contains("@import"))
            #expect(!lower.contains("<link"))
            #expect(html.contains("size: A4"))
            #expect(html.contains("page-break-inside: avoid"))
            #expect(html.contains("<a href=\"rejects.csv\">rejects.csv</a>"))
        }
    }

    // MARK: Content

    /// The titles of the report's null values (`—` with the reason).
    static func nullReasons(_ html: String) -> [String] {
        html.components(separatedBy: "<span class=\"na\" title=\"").dropFirst()
            .map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func nullValueShowsDashWithItsReason() throws {
        let html = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(html.contains("<span class=\"na\" title=\"\(Fixture.gasReason)\">—</span>"))
        #expect(html.contains("</sup> — \(Fixture.gasReason)</li>"))
        #expect(html.contains("title=\"natural gas of site acme has a source but no data in this period\""))
        // In Dutch: rendered from the reasons' codes and parameters, never quoted as a technical message.
        let nl = HTMLReport.render(try Fixture.report())
        let dutch = "geen gegevens (aardgas) in deze periode (0 van 8784 verwachte intervallen)"
        #expect(nl.contains("<span class=\"na\" title=\"\(dutch)\">—</span>"))
        #expect(nl.contains("</sup> — \(dutch)</li>"))
        #expect(nl.contains("title=\"aardgas van site acme heeft een bron maar geen gegevens in deze periode\""))
        #expect(Self.nullReasons(nl).allSatisfy { !$0.contains("technische melding") && !$0.contains("«") })
        #expect(!nl.contains(Fixture.gasReason))
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
        #expect(html.contains("\u{2212}9,3\u{00A0}%"))   // change vs baseline, per day: 365 ÷ (366 × 1.1) − 1
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

    /// The factor table: region, basis, publisher and release, and the status in the report's language, an
    /// unconfirmed factor marked ⚠ there and after its id in the formula list; addresses without `https://`.
    /// Publishers show as their abbreviation with the full name in the title; a parenthesis that is not an
    /// abbreviation stays as it is.
    @Test func publishersShowTheirAbbreviation() {
        #expect(PilotReportPage.publisherHTML("European Environment Agency (EEA)")
            == "<abbr title=\"European Environment Agency\">EEA</abbr>")
        #expect(PilotReportPage.publisherHTML("ParkImpact (assumption) × European Environment Agency (EEA)")
            == "ParkImpact (assumption) × <abbr title=\"European Environment Agency\">EEA</abbr>")
        #expect(PilotReportPage.publisherHTML("Intergovernmental Panel on Climate Change (IPCC)")
            == "<abbr title=\"Intergovernmental Panel on Climate Change\">IPCC</abbr>")
        #expect(PilotReportPage.publisherHTML("ParkImpact") == "ParkImpact")
        #expect(PilotReportPage.publisherHTML("A <b> & Co (A&B)") == "A &lt;b&gt; &amp; Co (A&amp;B)")
    }

    @Test func factorTableShowsRegionBasisPublisherAndStatus() throws {
        let nl = HTMLReport.render(try Fixture.report(language: "nl"))
        #expect(nl.contains("<tr><td><code>electricity.market.grey</code></td><td class=\"num\">0,16749</td>"
            + "<td>kg CO2/kWh</td><td class=\"num\">2023</td><td>BE</td><td>direct: residual mix</td>"
            + "<td><abbr title=\"Association of Issuing Bodies\">AIB</abbr>; 2023 v1.0</td>"
            + "<td class=\"factor-status\">⚠\u{A0}niet bevestigd</td>"
            + "<td></td></tr>"))
        // The gas default of 2006 stands in for 2024: said in the note cell.
        #expect(nl.contains("<td class=\"factor-status\">bevestigd</td>"
            + "<td>gebruikt voor 2024 (geen eigen waarde)</td></tr>"))
        #expect(nl.contains("<td>any</td><td>direct: combustion, gross calorific value</td>"))
        #expect(nl.contains("<td class=\"factor-status\">bevestigd</td>"))
        #expect(nl.contains("<th scope=\"col\">Regio</th><th scope=\"col\">Basis</th>"))
        #expect(nl.contains("⚠ niet bevestigd: de waarde komt uit bureauonderzoek"))
        #expect(nl.contains("electricity.market.grey (2023) ⚠"))
        #expect(nl.contains("natural_gas.hhv (2006)</span>") || nl.contains("natural_gas.hhv (2006),"))
        #expect(!nl.contains("natural_gas.hhv (2006) ⚠"))
        // The KPI computed with the unconfirmed factor is tagged in the KPI tables, and the cards say so.
        #expect(nl.contains("<span class=\"flag\" title=\"factor_unconfirmed\">⚠ factor niet bevestigd</span>"))
        #expect(nl.contains("<p class=\"notes\"><span class=\"warn\">⚠</span> De CO2-cijfers zijn voorlopig: ze "
            + "gebruiken emissiefactoren die niet bevestigd zijn in het document van de uitgever"))
        let en = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(en.contains("<td class=\"factor-status\">⚠\u{A0}unconfirmed</td>"))
        #expect(en.contains("<td class=\"factor-status\">confirmed</td>"))
        #expect(en.contains("<th scope=\"col\">Region</th><th scope=\"col\">Basis</th>"))
        #expect(en.contains("<span class=\"flag\" title=\"factor_unconfirmed\">⚠ factor unconfirmed</span>"))
        #expect(en.contains("The CO2 figures are provisional"))
    }

    @Test func unknownKeysAndFormulasRender() throws {
        let html = HTMLReport.render(try Fixture.report())
        #expect(html.contains("<span class=\"label\">experimental.widget_count</span>"))
        #expect(html.contains("gas kWh × natural_gas.hhv ÷ 1000"))
        #expect(html.contains("(E_reporting − E_baseline) ÷ E_baseline × 100"))
        #expect(html.contains("gebruikt voor 2024 (geen eigen waarde)"))
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

    /// A Scope 1+2 figure computed with a factor not read in its publisher's document is marked provisional in the
    /// portfolio; with every factor confirmed it is not.
    @Test func portfolioMarksCO2FromAnUnconfirmedFactor() throws {
        let base = try Fixture.report(language: "en")
        let html = PortfolioIndex.render([base])
        #expect(html.contains(">30.8<span class=\"breakdown\">⚠\u{00A0}provisional: emission factor unconfirmed</span></td>"))
        let confirmed = base.kpis.map { kpi in
            KPI(key: kpi.key, period: kpi.period, site: kpi.site, value: kpi.value, unit: kpi.unit, coverage: kpi.coverage,
                flags: kpi.flags,
                provenance: Provenance(inputs: kpi.provenance.inputs,
                                       factors: kpi.provenance.factors.map { $0.id == Fixture.grey.id ? Fixture.gas : $0 },
                                       formula: kpi.provenance.formula, reason: kpi.provenance.why))
        }
        let settled = PilotReport(definition: base.definition, periods: base.periods, kpis: confirmed, files: base.files,
                                  rejects: base.rejects, factorsUsed: base.factorsUsed, lastDataDate: base.lastDataDate,
                                  seriesCount: base.seriesCount, daily: base.daily)
        let plain = PortfolioIndex.render([settled])
        #expect(plain.contains(">30.8</td>"))
        #expect(!plain.contains("provisional"))
        let nl = PortfolioIndex.render([try Fixture.report(language: "nl")])
        #expect(nl.contains(">30,8<span class=\"breakdown\">⚠\u{00A0}voorlopig: emissiefactor niet bevestigd</span></td>"))
    }

    @Test func portfolioListsPilotsSortedWithRelativeLinks() throws {
        let reports = [
            try Fixture.report(pilot: "zulu-park", name: Fixture.hostileName),
            try Fixture.report(language: "en", pilot: "alpha-park", name: "Alpha & Co"),
        ]
        let html = PortfolioIndex.render(reports)
        let lower = html.lowercased()
        #expect(!lower.contains("http"))
        #expect(!lower.contains("src="))
        // One inline sort script, after the table; the hostile name never becomes a script.
        #expect(lower.components(separatedBy: "<script").count == 2)
        #expect(lower.contains("<script>\n(function () {"))
        #expect(html.contains("<button type=\"button\" data-type=\"num\">Scope 1+2 market-based (t\u{00A0}CO2e)</button>"))
        #expect(html.contains("<td class=\"num\" data-sort=\"30.75\">30.8<span class=\"breakdown\">"))

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

    @Test("the portfolio speaks the pilots' language; a mixed portfolio the setting's (English by default)")
    func portfolioInThePilotsLanguage() throws {
        let dutch = PortfolioIndex.render([try Fixture.report(), try Fixture.report(pilot: "b-park", name: "B")])
        #expect(dutch.contains("<html lang=\"nl\">"))
        #expect(dutch.contains("<button type=\"button\" data-type=\"num\">Afname elektriciteit van het net (MWh)</button>"))
        #expect(dutch.contains("<td class=\"num\" data-sort=\"1234567.4\">1.234,6</td>"))
        #expect(dutch.contains("<td data-sort=\"2024-01-01\">1\u{00A0}januari\u{00A0}2024 – 31\u{00A0}december\u{00A0}2024</td>"))
        // The name is the link to the report; no separate English "report" link.
        #expect(dutch.contains("<th scope=\"row\" data-sort=\"Testpark Noord\"><a href=\"test-park/report.html\">"
            + "Testpark Noord</a><code class=\"key\">test-park</code></th>"))
        #expect(!dutch.contains(">report</a>"))
        #expect(dutch.contains("<footer><p>Gemaakt met ParkImpact. Dezelfde gegevens geven dezelfde pagina.</p></footer>"))

        let english = PortfolioIndex.render([try Fixture.report(language: "en")])
        #expect(english.contains("<html lang=\"en\">"))
        #expect(english.contains("<td class=\"num\" data-sort=\"1234567.4\">1,234.6</td>"))
        #expect(english.contains("<td data-sort=\"2024-01-01\">1\u{00A0}January\u{00A0}2024 – 31\u{00A0}December\u{00A0}2024</td>"))

        let mixed = [try Fixture.report(), try Fixture.report(language: "en", pilot: "alpha-park", name: "Alpha")]
        #expect(PortfolioIndex.language(of: mixed, mixed: .en) == .en)
        #expect(PortfolioIndex.language(of: mixed, mixed: .nl) == .nl)
        #expect(PortfolioIndex.language(of: [mixed[1]], mixed: .nl) == .en)
        let mixedDutch = PortfolioIndex.render(mixed, mixedLanguage: .nl)
        #expect(mixedDutch.contains("<html lang=\"nl\">") && mixedDutch.contains(">1.234,6</td>"))
        #expect(PortfolioIndex.render(mixed).contains("<html lang=\"en\">"))
    }
}

// MARK: - Charts, cards with targets, omitted sections, translations, CSV locale

/// The fixture with more data: monthly CO2 and water (night flow at the hostile-named site), waste, a commuting
/// survey, daily totals, and targets.
private func richReport(language: String = "nl", targets: String = "", extra: [KPI] = []) throws -> PilotReport {
    let base = try Fixture.report(language: language)
    var yaml = """
    pilot: test-park
    name: "Testpark Noord"
    language: \(language)
    periods:
      baseline:  { from: 2023-01-01, to: 2023-12-31 }
      reporting: { from: 2024-01-01, to: 2024-12-31 }
    sites:
      - id: acme
        name: "\(Fixture.hostileName)"
      - id: kaai
        name: "Brouwerij De Kaai"
    sources:
      - path: "acme/*.csv"
        format: fluvius
        site: acme
    """
    if !targets.isEmpty { yaml += "\ntargets:\n" + targets }
    let definition = try DefinitionLoader.parse(yaml: yaml, file: "pipelines/test-park.yaml", catalogue: .builtIn)
    var kpis = base.kpis
    for year in [2023, 2024] {
        for month in 1...12 {
            let key = "\(year)-\(month < 10 ? "0" : "")\(month)"
            kpis.append(Fixture.kpi("co2.scope1_t", key, Double(month), unit: .tonnesCO2e))
            kpis.append(Fixture.kpi("co2.scope2_market_t", key, 2, unit: .tonnesCO2e))
            kpis.append(Fixture.kpi("water.m3", key, 100 + Double(month), unit: .m3))
            kpis.append(Fixture.kpi("water.night_min_flow_m3h", key, site: "acme", year == 2023 ? 0.03 : 0, unit: .m3PerHour))
        }
    }
    for (period, recycling) in [("baseline", 0.5), ("reporting", 0.7)] {
        kpis.append(Fixture.kpi("waste.total_kg", period, 20_000, unit: .kg, coverage: nil))
        kpis.append(Fixture.kpi("waste.recycling_rate", period, recycling, unit: .ratio, coverage: nil))
        kpis.append(Fixture.kpi("waste.disposal_share", period, 1 - recycling, unit: .ratio, coverage: nil))
        kpis.append(Fixture.kpi("mobility.share.car", period, period == "baseline" ? 0.7 : 0.6, unit: .ratio))
        kpis.append(Fixture.kpi("mobility.share.bike", period, period == "baseline" ? 0.3 : 0.4, unit: .ratio))
    }
    kpis.append(Fixture.kpi("mobility.shift_pp.car", "reporting", -10, unit: .percentagePoints))
    kpis += extra
    let first = CivilDate(year: 2023, month: 1, day: 1)!.dayNumber
    let daily = (0..<731).map { DailyTotal(day: first + $0, offtakeKWh: $0 == 40 ? nil : Double(1000 + $0 % 7 * 100),
                                           present: $0 == 40 ? 0 : 96, estimated: 0, expected: 96) }
    return PilotReport(definition: definition, periods: base.periods, kpis: kpis, files: base.files,
                       rejects: base.rejects, factorsUsed: base.factorsUsed, lastDataDate: base.lastDataDate,
                       seriesCount: base.seriesCount, daily: daily)
}

@Suite struct ReportChartTests {
    @Test("charts are inline SVG with units, a data table each, and escaped site names")
    func chartsFromTheData() throws {
        let html = HTMLReport.render(try richReport())
        for id in ["energy", "co2", "load", "mobility", "water", "waste"] {
            #expect(html.contains("<section id=\"\(id)\" class=\"chart-section\">"), "\(id)")
        }
        let figures = html.components(separatedBy: "<figure class=\"chart\">").count - 1
        #expect(figures >= 7)   // six sections + the coverage calendar
        #expect(html.components(separatedBy: "<details class=\"data\">").count - 1 == figures)
        #expect(html.contains(">t CO2e</text>") && html.contains(">m³/h</text>") && html.contains(">MWh</text>"))
        // The night-flow line is named after the hostile site: escaped in the legend and the table.
        #expect(html.contains("Nachtdebiet &lt;script&gt;alert(1)&lt;/script&gt; (m³/h)"))
        #expect(!html.contains("<script"))
        // Numbers come from the data: waste 20 t split 70/30 in the reporting period, the car share shift.
        #expect(html.contains("recyclage 70,0\u{00A0}%"))
        #expect(html.contains("Aandeel auto (solo): 70,0\u{00A0}% → 60,0\u{00A0}% (\u{2212}10,0\u{00A0}pp)"))
        #expect(html.contains("<td class=\"num\">14,00</td>"))   // 20 t × 0.7 recycling, tonnes
        // The daily heatmap and the coverage calendar: one day without data is a dotted empty cell.
        #expect(html.contains("class=\"cell-empty\""))
        #expect(html.contains("Dekkingskalender"))
        // Grey-scale-safe fills: patterns from the shared defs.
        #expect(html.contains("<pattern id=\"pi-hatch\""))
        #expect(html.contains("fill=\"url(#pi-hatch)\""))
    }

    @Test("sections without data are one line saying what is missing; what to drop in is for the coordinator")
    func omittedSections() throws {
        let nl = HTMLReport.render(try Fixture.report())
        #expect(nl.contains("<p class=\"omitted\" id=\"pv\"><strong>PV</strong>: geen PV-productie.</p>"))
        let coordinator = try #require(nl.range(of: "<section id=\"coordinator\""))
        let hint = try #require(nl.range(of: "<li>PV: zet de export van de omvormer (sma, sungrow of enphase)"))
        #expect(hint.lowerBound > coordinator.lowerBound)
        #expect(nl.contains("<li>Kosten per resultaat: voeg prices: (EUR per kWh per jaar) en pilot_cost: (EUR) toe"))
        #expect(nl.contains("<p class=\"omitted\" id=\"cost\"><strong>Kosten per resultaat</strong>: geen "
            + "energieprijzen of investering opgegeven.</p>"))
        #expect(nl.contains("<p class=\"omitted\" id=\"water\">"))
        #expect(nl.contains("<p class=\"omitted\" id=\"waste\">"))
        #expect(nl.contains("<p class=\"omitted\" id=\"mobility\">"))
        #expect(nl.contains("<p class=\"omitted\" id=\"cost\">"))
        #expect(!nl.contains("<section id=\"pv\""))
        let en = HTMLReport.render(try Fixture.report(language: "en"))
        #expect(en.contains("<p class=\"omitted\" id=\"pv\"><strong>PV</strong>: no PV production.</p>"))
        #expect(en.contains("<li>PV: drop the inverter&#39;s export (sma, sungrow or enphase) into a folder and list it "
            + "under sources with its site.</li>"))
    }

    @Test("headline cards: reporting vs baseline, delta with an arrow, target status")
    func cardsWithTargets() throws {
        let targets = "  co2.change_vs_baseline_pct: -20\n  waste.recycling_rate: 0.6\n"
        let nl = HTMLReport.render(try richReport(targets: targets))
        #expect(nl.contains("Doel: ≤ \u{2212}20,0 % — <strong class=\"missed\">✗ niet gehaald</strong>"))
        #expect(nl.contains("<div class=\"card-label\">Recyclagegraad</div>"))
        #expect(nl.contains("Doel: ≥ 60,0 % — <strong class=\"met\">✓ gehaald</strong>"))
        #expect(nl.contains("<span class=\"arrow\" aria-hidden=\"true\">▲</span> +20,0\u{00A0}pp t.o.v. referentie"))
        // Scope 1+2: the baseline is 1.1 × the reporting total; per day (366 vs 365 days): 365 ÷ (366 × 1.1) − 1 =
        // −9.339 % (−9.09 % on the totals).
        #expect(nl.contains("<span class=\"arrow\" aria-hidden=\"true\">▼</span> \u{2212}9,3\u{00A0}% t.o.v. referentie"))
        #expect(nl.contains("<p class=\"notes\">Veranderingen t.o.v. de referentie vergelijken gemiddelden per dag: de "
            + "referentieperiode telt 365 dagen, de rapportageperiode 366.</p>"))
        let en = HTMLReport.render(try richReport(language: "en", targets: targets))
        #expect(en.contains("Target: ≤ \u{2212}20.0 % — <strong class=\"missed\">✗ not met</strong>"))
        #expect(en.contains("Target: ≥ 60.0 % — <strong class=\"met\">✓ met</strong>"))
        let none = HTMLReport.render(try richReport())
        #expect(!none.contains("class=\"target\""))
        #expect(none.contains("Geen doelen ingesteld"))
    }

    @Test("print CSS: A4 with page numbers in a margin box, no forced page per chart, no mid-word breaks")
    func printStyles() throws {
        let html = HTMLReport.render(try richReport())
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("@bottom-right { content: counter(page) \" / \" counter(pages);"))
        #expect(html.contains("@top-left {"))
        #expect(html.contains("details.data { display: none; }") || html.contains("nav.back, details.data { display: none; }"))
        #expect(html.contains("figure.chart { margin: .6rem 0 1rem; break-inside: avoid;"))
        for css in [ReportStyle.css, ReportStyle.chartCSS, ReportStyle.portfolioCSS] {
            #expect(!css.contains("break-all"))
            #expect(!css.contains("word-break"))
        }
        // Only the appendix may start a page; a chart section never does.
        #expect(!ReportStyle.chartCSS.contains("section.chart-section, section#cost"))
        #expect(!ReportStyle.chartCSS.contains("break-before: page"))
    }

    @Test("every printed page's header names the pilot and the reporting period, as an escaped CSS string")
    func runningHeader() throws {
        let nl = HTMLReport.render(try richReport())
        #expect(nl.contains("@page { @top-left { content: \"Testpark Noord · Rapportageperiode 1 januari 2024 – "
            + "31 december 2024 (366 dagen)\"; } }\n</style>"))
        // a " b \ c < / s t y l e > newline: quote and backslash escaped, < > and the newline as hex escapes.
        #expect(PilotReportPage.cssString("a\"b\\c</style>\n") == "\"a\\\"b\\\\c\\3C /style\\3E \\A \"")
    }

    @Test("the table of contents links every h2 to an existing id; the appendix comes last")
    func tableOfContentsAndAppendix() throws {
        for language in ["nl", "en"] {
            let html = HTMLReport.render(try richReport(language: language))
            let toc = try #require(html.range(of: "<nav class=\"toc\""))
            let tocEnd = try #require(html.range(of: "</nav>", range: toc.upperBound..<html.endIndex))
            let main = try #require(html.range(of: "<main>"))
            #expect(toc.lowerBound < main.lowerBound)
            // Each section with an h2: its id is linked from the contents, in page order.
            var ids: [String] = []
            var cursor = main.upperBound
            while let open = html.range(of: "<section id=\"", range: cursor..<html.endIndex) {
                let quote = try #require(html.range(of: "\"", range: open.upperBound..<html.endIndex))
                let id = String(html[open.upperBound..<quote.lowerBound])
                let next = html.range(of: "<section id=\"", range: quote.upperBound..<html.endIndex)?.lowerBound
                    ?? html.endIndex
                if html.range(of: "<h2", range: quote.upperBound..<next) != nil { ids.append(id) }
                cursor = quote.upperBound
            }
            let h2Count = html.components(separatedBy: "<h2").count - 1
            #expect(ids.count == h2Count)
            var last = toc.lowerBound
            for id in ids {
                let link = try #require(html.range(of: "<a href=\"#\(id)\">", range: last..<tocEnd.upperBound), "\(id)")
                last = link.upperBound
                #expect(html.components(separatedBy: "id=\"\(id)\"").count == 2, "\(id)")
            }
            #expect(html.contains("<a href=\"#appendix\">"))
            #expect(html.contains("<nav class=\"back\"><a href=\"../index.html\">"))
            // The officer's part, then the appendix with the full tables, formulas and files, last in <main>.
            let officer = ["headline", "energy", "co2", "water", "data", "method"]
            let appendix = ["kpis", "sites", "monthly", "formulas", "files"]
            let start = try #require(html.range(of: "<div class=\"appendix\" id=\"appendix\">")).lowerBound
            for id in officer {
                let at = try #require(html.range(of: "<section id=\"\(id)\""), "\(id)")
                #expect(at.lowerBound < start, "\(id)")
            }
            var previous = start
            for id in appendix {
                let at = try #require(html.range(of: "<section id=\"\(id)\""), "\(id)")
                #expect(at.lowerBound > previous, "\(id)")
                previous = at.lowerBound
            }
            let mainEnd = try #require(html.range(of: "</main>")).lowerBound
            #expect(html.range(of: "<section id=\"", range: previous..<mainEnd) != nil)
            #expect(html.range(of: "class=\"chart-section\"", range: start..<mainEnd) == nil)
            #expect(html.contains(language == "nl" ? "<h2>Bijlage A · KPI&#39;s voor de hele pilot</h2>"
                : "<h2>Appendix A · KPIs for the whole pilot</h2>"))
        }
    }

    @Test("null reasons with set-up keys read as what is missing; the keys go to the coordinator's notes")
    func officerReasons() throws {
        let page = PilotReportPage(report: try richReport())
        let cost = KPIReason.noPilotCost(site: "kaai", file: "pipelines/test-park.yaml")
        #expect(page.officerReason(cost) == "geen investering opgegeven voor site kaai")
        #expect(page.officerReason(.noPrice(carrier: "gas", year: 2024, file: "pipelines/test-park.yaml"))
            == "geen gasprijs voor 2024 opgegeven")
        #expect(page.officerReason(.noSiteValue(field: "fte", sites: ["acme", "kaai"], withWaterData: true))
            == "geen aantal VTE opgegeven voor site acme, kaai")
        #expect(page.officerReason(.within(.period(ReportPeriod(key: "reporting", kind: .reporting, firstDay: 0, lastDay: 365)), cost))
            == "rapportage: geen investering opgegeven voor site kaai")
        #expect(page.officerReason(.all([Fixture.gasWhy, cost]))
            == "geen gegevens (aardgas) in deze periode (0 van 8784 verwachte intervallen); "
            + "geen investering opgegeven voor site kaai")
        #expect(PilotReportPage.hasSetupInstruction(.all([Fixture.gasWhy, cost])))
        #expect(!PilotReportPage.hasSetupInstruction(Fixture.gasWhy))
        // A report with such a reason: the officer's text in the cell, the key in the coordinator's appendix.
        let html = HTMLReport.render(try richReport(extra: [
            Fixture.kpi("cost.payback_years", "reporting", site: "kaai", nil, unit: .years, coverage: nil, reason: cost),
        ]))
        #expect(html.contains("<span class=\"na\" title=\"geen investering opgegeven voor site kaai\">—</span>"))
        let coordinator = try #require(html.range(of: "<section id=\"coordinator\""))
        let key = try #require(html.range(of: "pilot_cost_by_site.kaai"))
        #expect(key.lowerBound > coordinator.lowerBound)
    }

    @Test("paths wrap after / and _, never inside a word")
    func breakablePaths() throws {
        let page = PilotReportPage(report: try richReport())
        #expect(page.breakable("demo/acme_gas/x&y.csv") == "demo/<wbr>acme_<wbr>gas/<wbr>x&amp;y.csv")
    }

    @Test("the portfolio has a sparkline of the monthly CO2 and the target status")
    func portfolioSparkline() throws {
        let html = PortfolioIndex.render([try richReport(targets: "  co2.change_vs_baseline_pct: -5\n")])
        #expect(html.contains("<svg class=\"spark\" viewBox=\"0 0 120 28\""))
        // A Dutch pilot: a Dutch portfolio, with decimal commas.
        #expect(html.contains("van 3,0 tot 14,0"))
        #expect(html.contains("doel ≤ \u{2212}5,0\u{00A0}%: ✓\u{00A0}gehaald"))
    }

    @Test func axisScalesAndCoordinates() {
        let scale = NiceScale(maximum: 378)
        #expect(scale.step == 100 && scale.top == 400 && scale.decimals == 0)
        let small = NiceScale(maximum: 0.027)
        #expect(small.top >= 0.027 && small.decimals >= 2)
        #expect(NiceScale(maximum: 0).top == 1)
        #expect(svgNumber(12.34) == "12.3" && svgNumber(-0.46) == "-0.5" && svgNumber(7) == "7")
    }

    @Test("engine reasons, flags and ignored rows read as Dutch in a Dutch report")
    func dutchEngineTexts() {
        #expect(EngineText.reason(.noSource(.pvProduction, site: "acme"), .nl)
            == "geen bron levert PV-productie voor site acme")
        #expect(EngineText.reason(.noSource(.pvProduction, site: "acme"), .en)
            == "no source delivers PV production for site acme")
        let start = try! #require(CivilDate(iso: "2024-04-01"))
        #expect(EngineText.reason(.dataStartLater(.pvProduction, date: start), .nl)
            == "geen gegevens (PV-productie) in deze periode: de gegevens beginnen op 1 april 2024")
        #expect(EngineText.reason(.dataStartLater(.pvProduction, date: start), .en)
            == "no PV production data in this period: the data start on 2024-04-01")
        #expect(EngineText.reason(.within(.noBaselineModel, .noSource(.naturalGas, site: "x")), .nl)
            == "geen referentiemodel: geen bron levert aardgas voor site x")
        let parts = KPIReason.all([.within(.kpi("co2.scope1_t"), .noDataAtAll),
                                   .within(.kpi("co2.scope2_market_t"), .noSource(.gridOfftake, site: nil))])
        #expect(EngineText.reason(parts, .nl) == "Scope 1 (verbranding ter plaatse): geen gegevens in deze periode; "
            + "Scope 2, marktgebaseerd: geen bron levert netafname voor deze pilot")
        #expect(parts.english == "co2.scope1_t: no data in this period; co2.scope2_market_t: no source delivers grid "
            + "offtake for this pilot")
        #expect(parts.code == .noDataInPeriod)
        #expect(EngineText.reason(.noSurveyOrTrips, .nl).hasPrefix("geen pendelenquête"))
        #expect(EngineText.problem("something new", .nl) == "technische melding (Engels): «something new»")
        #expect(EngineText.problem("something new", .en) == "something new")
        #expect(EngineText.flag(.notAnnualised, .nl) == "niet op jaarbasis (enquêtedag)")
        #expect(EngineText.flag(.modelNotAcceptable, .en) == "baseline model not acceptable (ASHRAE Guideline 14)")
        #expect(EngineText.ignored("gas_m3_twin", .nl) == "gasrijen in m³ (de kWh-tweelingrij wordt gebruikt)")
        #expect(EngineText.ignored("columns_not_read: Stored in batteries (Wh)", .nl)
            == "kolommen die niet gelezen worden (onbekend, geen energie of niet de grootheid van de bron): "
            + "Stored in batteries (Wh)")
        #expect(EngineText.ignored("an unknown text", .nl) == "an unknown text")
        #expect(EngineText.factorNote("no 2025 value in the catalogue; the 2024 value is used", .nl)
            == "geen waarde voor 2025 in de catalogus; de waarde van 2024 wordt gebruikt")
    }

    @Test("kpis.csv and rejects.csv: , and . by default, ; and decimal comma for nl, UTF-8 BOM always")
    func csvLocales() throws {
        let report = try Fixture.report()
        let en = CSVOutput.kpis(report)
        let nl = CSVOutput.kpis(report, locale: .nl)
        #expect(en.hasPrefix("\u{FEFF}key,period,site,value,"))
        #expect(nl.hasPrefix("\u{FEFF}key;period;site;value;"))
        #expect(en.contains("\r\nenergy.electricity.offtake_kwh,baseline,,1358024.14,kWh,1,"))
        #expect(nl.contains("\r\nenergy.electricity.offtake_kwh;baseline;;1358024,14;kWh;1;"))
        // A negative number stays a number (no formula guard), in both locales.
        #expect(en.contains("\r\nco2.change_vs_baseline_pct,reporting,,-9.0909,%,"))
        #expect(nl.contains("\r\nco2.change_vs_baseline_pct;reporting;;-9,0909;%;"))
        // Factor values with a decimal comma; cells with the separator are quoted.
        #expect(nl.contains(";0,16749;"))
        #expect(CSVOutput.cell("a;b", locale: .nl) == "\"a;b\"" && CSVOutput.cell("a,b", locale: .nl) == "a,b")
        #expect(CSVOutput.cell("a,b") == "\"a,b\"")
        #expect(CSVOutput.cell("=SUM(A1)", locale: .nl) == "'=SUM(A1)")
        #expect(CSVOutput.cell("-1,5", locale: .nl) == "-1,5")
        let rejects = CSVOutput.rejects(report.rejects, locale: .nl)
        #expect(rejects.hasPrefix("\u{FEFF}file;line;column;code;reason;raw\r\n"))
        #expect(rejects.contains(";12;Volume;not_a_number;\"not a number: \"\"abc\"\"\";\"x;y\"\r\n"))
    }

    @Test("rejects.csv in nl: a raw text with ; (also beside é), \" and , reads back as one cell of six")
    func dutchRejectsKeepRawTextInOneCell() {
        let raws = ["01-01-2024;00:15;Afname Nacht;12,5x;kWh", "café;é;x", "\"quoted\";a,b", "plain"]
        let rejects = raws.enumerated().map { index, raw in
            Reject(file: "p/é;1.csv", line: index + 2, column: "Volume", code: .notANumber, reason: "reden; uitleg",
                   raw: raw, site: nil, day: nil)
        }
        let text = CSVOutput.rejects(rejects, locale: .nl)
        // RFC 4180 with `;`: quoted cells may hold `;`, `""` is a quote.
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var characters = text.dropFirst().makeIterator()  // the BOM
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { cell.append("\"") } else { quoted = false; pending = next }
                } else { cell.append(character) }
            } else if character == "\"" { quoted = true
            } else if character == ";" { row.append(cell); cell = ""
            } else if character == "\r\n" { row.append(cell); rows.append(row); row = []; cell = ""
            } else { cell.append(character) }
        }
        #expect(rows.count == 5)
        #expect(rows.allSatisfy { $0.count == 6 })
        #expect(rows.dropFirst().map { $0[5] } == raws)
        #expect(rows.dropFirst().map { $0[0] } == Array(repeating: "p/é;1.csv", count: 4))
        #expect(rows.dropFirst().map { $0[4] } == Array(repeating: "reden; uitleg", count: 4))
    }

    @Test("daily totals: offtake per day and coverage from the series' day cells")
    func dailyTotals() throws {
        let table = try #require(LocalTimeTable.cached("Europe/Brussels"))
        let day = CivilDate(year: 2024, month: 3, day: 31)!.dayNumber   // 23-hour day (clock change)
        var cell = DayCell()
        for _ in 0..<46 { cell.add(value: 1.5, quality: .measured) }
        let offtake = SeriesData(key: SeriesKey(site: "s", quantity: .electricityOfftake, meter: "m"),
                                 intervalSeconds: 900, days: [day: cell], inputs: [])
        let periods = [ReportPeriod(key: "baseline", kind: .baseline, firstDay: day, lastDay: day),
                       ReportPeriod(key: "reporting", kind: .reporting, firstDay: day + 1, lastDay: day + 1)]
        let totals = DailyTotals.compute([offtake], periods: periods, table: table)
        #expect(totals.count == 2)
        #expect(totals[0].offtakeKWh == 69 && totals[0].expected == 92 && totals[0].coverage == 0.5)
        #expect(totals[1].offtakeKWh == nil && totals[1].expected == 96 && totals[1].coverage == 0)
    }
}

