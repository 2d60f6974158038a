/// `output/index.html`: the portfolio, one row per pilot (sorted by pilot id) with the headline KPIs and a
/// relative link to `<pilot>/report.html`. English labels and numbers (the portfolio spans pilots); self-contained,
/// no scripts, deterministic.
public enum PortfolioIndex {
    public static func render(_ reports: [PilotReport]) -> String {
        let sorted = reports.enumerated().sorted {
            let (a, b) = ($0.element.definition, $1.element.definition)
            if a.pilot != b.pilot { return a.pilot < b.pilot }
            return $0.offset < $1.offset
        }.map(\.element)
        let language = PipelineDefinition.Language.en
        let text = ReportText.en

        var out = ""
        out.reserveCapacity(8_192 + sorted.count * 1_024)
        out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"ParkImpact\">\n"
        out += "<title>ParkImpact — portfolio</title>\n"
        out += "<style>\n\(ReportStyle.css)</style>\n</head>\n<body>\n"
        out += "<header>\n<p class=\"eyebrow\">ParkImpact · portfolio</p>\n<h1>Pilots</h1>\n"
        out += "<p class=\"meta\">\(sorted.count) \(sorted.count == 1 ? "pilot" : "pilots"). "
        out += "Figures are for each pilot's reporting period; open a report for baselines, sites, months, data and "
        out += "method.</p>\n</header>\n<main>\n"

        out += "<table class=\"portfolio\">\n<thead><tr>"
        out += "<th scope=\"col\">Pilot</th>"
        out += "<th scope=\"col\">Reporting period</th>"
        out += "<th scope=\"col\" class=\"num\">Scope 1+2 market-based (t CO2e)</th>"
        out += "<th scope=\"col\" class=\"num\">Change vs baseline</th>"
        out += "<th scope=\"col\" class=\"num\">Coverage</th>"
        out += "<th scope=\"col\">Last data</th>"
        out += "<th scope=\"col\">Report</th>"
        out += "</tr></thead>\n<tbody>\n"
        var anyLow = false
        if sorted.isEmpty {
            out += "<tr><td colspan=\"7\" class=\"muted\">No pilots.</td></tr>\n"
        }
        for report in sorted {
            let definition = report.definition
            let index = KPIIndex(report.kpis)
            let co2 = KPIDerived.scope12Market(index, period: "reporting", site: nil)
            let co2Baseline = KPIDerived.scope12Market(index, period: "baseline", site: nil)
            let change = index["co2.change_vs_baseline_pct", "reporting", nil]
            let coverage = index["quality.coverage", "reporting", nil]
            let low = [co2, change, coverage].contains { $0?.flags.contains(KPIDisplay.lowCoverageFlag) == true }
            anyLow = anyLow || low

            out += low ? "<tr class=\"low\">" : "<tr>"
            out += "<th scope=\"row\">\(esc(definition.name))<code class=\"key\">\(esc(definition.pilot))</code></th>"
            out += "<td>\(esc(definition.reporting.from.description)) – \(esc(definition.reporting.to.description))</td>"

            // Scope 1+2 market-based.
            out += "<td class=\"num\">"
            out += Self.value(co2, text: text) { NumberFormatting.format($0, decimals: 1, language: language) }
            out += "</td>"

            // Change vs baseline: the KPI, else computed from the Scope 1+2 (market) totals.
            out += "<td class=\"num\">"
            if let change {
                let kind = KPIDisplay.kind(key: change.key, unit: change.unit)
                out += Self.value(change, text: text) {
                    kind == .ratio
                        ? NumberFormatting.percent(ratio: $0, language: language, explicitPlus: true)
                        : NumberFormatting.percent($0, language: language, explicitPlus: true)
                }
            } else if let r = co2?.value, let b = co2Baseline?.value, b != 0 {
                out += esc(NumberFormatting.percent((r - b) / abs(b) * 100, language: language, explicitPlus: true))
            } else {
                out += "<span class=\"na\" title=\"\(esc(text.changeUnavailable))\">—</span>"
            }
            out += "</td>"

            // Coverage: the quality.coverage KPI (a ratio).
            out += "<td class=\"num\">"
            if let coverage {
                let kind = KPIDisplay.kind(key: coverage.key, unit: coverage.unit)
                out += Self.value(coverage, text: text) {
                    kind == .percent
                        ? NumberFormatting.percent($0, language: language)
                        : NumberFormatting.percent(ratio: $0, language: language)
                }
            } else {
                out += "<span class=\"na\" title=\"\(esc(text.noData))\">—</span>"
            }
            out += "</td>"

            out += "<td>"
            out += report.lastDataDate.map { esc($0.description) }
                ?? "<span class=\"na\" title=\"\(esc(text.noData))\">—</span>"
            out += "</td>"
            out += "<td><a href=\"\(esc(Self.relativeLink(pilot: definition.pilot)))\">report</a></td>"
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if anyLow {
            out += "<p class=\"notes\"><span class=\"warn\">⚠</span> \(esc(text.lowCoverageNote)): "
            out += "\(esc(text.lowCoverageExplain)).</p>\n"
        }
        out += "<p class=\"notes\">Scope 1+2 market-based = Scope 1 (on-site combustion) + Scope 2 market-based "
        out += "(GHG Protocol). Coverage = present / expected intervals of the reporting period.</p>\n"
        out += "</main>\n<footer><p>Made with ParkImpact. The same data give the same page.</p></footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    /// `<pilot>/report.html`, with characters outside the unreserved set percent-encoded (pilot ids are
    /// `[a-z0-9_-]` by validation, so this normally changes nothing).
    static func relativeLink(pilot: String) -> String {
        var encoded = ""
        for byte in pilot.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded += "%"
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        if encoded.isEmpty || encoded == "." || encoded == ".." { encoded = encoded.replacingDots() }
        return encoded + "/report.html"
    }

    /// The cell content for a KPI: the formatted value with a low-coverage mark, or `—` with the reason.
    static func value(_ kpi: KPI?, text: ReportText, format: (Double) -> String) -> String {
        guard let kpi else { return "<span class=\"na\" title=\"\(esc(text.noData))\">—</span>" }
        guard let value = kpi.value else {
            return "<span class=\"na\" title=\"\(esc(kpi.provenance.reason ?? text.noReason))\">—</span>"
        }
        let mark = kpi.flags.contains(KPIDisplay.lowCoverageFlag)
            ? "<span class=\"warn\" title=\"\(esc(text.lowCoverageNote))\">⚠</span>&#8201;" : ""
        return mark + esc(format(value))
    }
}

private extension String {
    /// `.` and `..` would climb folders: encode the dots.
    func replacingDots() -> String {
        isEmpty ? "%2E" : String(repeating: "%2E", count: count)
    }
}
