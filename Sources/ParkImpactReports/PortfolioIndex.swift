public import ParkImpactModel
import ParkImpactDefinition
public import ParkImpactKPIs

/// `output/index.html`: the portfolio, one row per pilot (sorted by pilot id) with the headline KPIs, a sparkline of
/// the monthly Scope 1+2 (market-based) emissions, coverage, last data date; the pilot's name links to
/// `<pilot>/report.html`. In the pilots' language and number format when they share one, else in `mixedLanguage`
/// (`run --portfolio-language`, English by default); self-contained and deterministic. The columns sort on a click
/// with a small inline script (no network); without scripts the page reads the same.
public enum PortfolioIndex {
    /// The portfolio's language: the pilots' language when all share one, else `mixed`.
    public static func language(of reports: [PilotReport], mixed: ReportLanguage) -> ReportLanguage {
        let languages = Set(reports.map(\.definition.language))
        return languages.count == 1 ? languages.first! : mixed
    }

    public static func render(_ reports: [PilotReport], mixedLanguage: ReportLanguage = .en) -> String {
        let sorted = reports.enumerated().sorted {
            let (a, b) = ($0.element.definition, $1.element.definition)
            if a.pilot != b.pilot { return a.pilot < b.pilot }
            return $0.offset < $1.offset
        }.map(\.element)
        let language = Self.language(of: sorted, mixed: mixedLanguage)
        let text = ReportText.for(language)  // pilots may differ in threshold; the portfolio names none
        let words = Words.for(language)

        var out = ""
        out.reserveCapacity(8_192 + sorted.count * 2_048)
        out += "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"ParkImpact\">\n"
        out += "<title>ParkImpact — \(esc(words.portfolio))</title>\n"
        out += "<style>\n\(ReportStyle.css)\(ReportStyle.portfolioCSS)</style>\n</head>\n<body>\n"
        out += "<header>\n<p class=\"eyebrow\">ParkImpact · \(esc(words.portfolio))</p>\n<h1>\(esc(words.pilots))</h1>\n"
        out += "<p class=\"meta\">\(sorted.count) \(esc(sorted.count == 1 ? words.pilot : words.pilotsLower)). "
        out += "\(esc(words.intro))</p>\n</header>\n<main>\n"

        let columns: [(title: String, numeric: Bool, sortable: Bool)] = [
            (words.colPilot, false, true), (words.colPeriod, false, true), (words.colCO2, true, true),
            (words.colChange, true, true), (words.colOfftake, true, true), (words.colGas, true, true),
            (words.colSpark, false, false), (words.colCoverage, true, true), (words.colLastData, false, true),
        ]
        out += "<table class=\"portfolio\">\n<thead><tr>"
        for column in columns {
            out += "<th scope=\"col\"\(column.numeric ? " class=\"num\"" : "")"
            if column.sortable {
                out += " aria-sort=\"none\"><button type=\"button\" data-type=\"\(column.numeric ? "num" : "text")\">"
                out += "\(esc(column.title))</button></th>"
            } else {
                out += ">\(esc(column.title))</th>"
            }
        }
        out += "</tr></thead>\n<tbody>\n"
        var anyLow = false
        if sorted.isEmpty {
            out += "<tr><td colspan=\"\(columns.count)\" class=\"muted\">\(esc(words.noPilots))</td></tr>\n"
        }
        for report in sorted {
            let definition = report.definition
            let index = KPIIndex(report.kpis)
            let co2 = KPIDerived.scope12Market(index, period: "reporting", site: nil)
            let change = index["co2.change_vs_baseline_pct", "reporting", nil]
            let coverage = index["quality.coverage", "reporting", nil]
            let offtake = index["energy.electricity.offtake_kwh", "reporting", nil]
            let gas = index["energy.gas_kwh", "reporting", nil]
            let low = [co2, change, coverage].contains { $0?.flags.contains(KPIDisplay.lowCoverageFlag) == true }
            anyLow = anyLow || low
            func sortKey(_ value: Double?) -> String { value.map { MachineNumber.format($0, decimals: 6) } ?? "" }
            /// `data-sort` of a numeric cell, and `data-flagged` when the value carries a flag (low coverage,
            /// assumptions): flagged values sort after the others, null values last, in both directions.
            /// A low-coverage row flags all its values, so a pilot with partial data sorts after the complete ones.
            func sortAttributes(_ value: Double?, flagged: Bool) -> String {
                "data-sort=\"\(sortKey(value))\"" + (value != nil && (flagged || low) ? " data-flagged=\"1\"" : "")
            }

            out += low ? "<tr class=\"low\">" : "<tr>"
            out += "<th scope=\"row\" data-sort=\"\(esc(definition.name))\">"
            out += "<a href=\"\(esc(Self.relativeLink(pilot: definition.pilot)))\">\(esc(definition.name))</a>"
            out += "<code class=\"key\">\(esc(definition.pilot))</code></th>"
            out += "<td data-sort=\"\(esc(definition.reporting.from.description))\">"
            out += "\(esc(Self.date(definition.reporting.from, language))) – "
            out += "\(esc(Self.date(definition.reporting.to, language)))</td>"

            // Scope 1+2 market-based.
            out += "<td class=\"num\" \(sortAttributes(co2?.value, flagged: co2?.flags.isEmpty == false))>"
            out += Self.value(co2, text: text, language: language) { NumberFormatting.format($0, decimals: 1, language: language) }
            // A figure computed with a factor not read in its publisher's document says so (docs/factors.md).
            if co2?.value != nil, co2?.provenance.factors.contains(where: { $0.status == .unconfirmed }) == true {
                out += "<span class=\"breakdown\">\(esc(words.provisional))</span>"
            }
            out += "</td>"

            // Change vs baseline: the KPI only (it is null when a part is missing in one period; never recomputed
            // here from totals that may lack that part).
            var changeValue: Double?
            var changeCell: String
            if let change {
                let kind = KPIDisplay.kind(key: change.key, unit: change.unit.rawValue)
                changeValue = change.value.map { kind == .ratio ? $0 * 100 : $0 }
                changeCell = Self.value(change, text: text, language: language) {
                    kind == .ratio
                        ? NumberFormatting.percent(ratio: $0, language: language, explicitPlus: true)
                        : NumberFormatting.percent($0, language: language, explicitPlus: true)
                }
            } else {
                changeCell = "<span class=\"na\" title=\"\(esc(text.changeUnavailable))\">—</span>"
            }
            if let target = definition.targets["co2.change_vs_baseline_pct"], let changeValue {
                let met = changeValue <= target
                changeCell += "<span class=\"breakdown\">\(esc(words.target)) ≤ "
                changeCell += esc(NumberFormatting.percent(target, language: language, explicitPlus: true))
                changeCell += met ? ": ✓\u{00A0}\(esc(words.met))</span>" : ": ✗\u{00A0}\(esc(words.notMet))</span>"
            }
            out += "<td class=\"num\" \(sortAttributes(changeValue, flagged: change?.flags.isEmpty == false))>"
            out += "\(changeCell)</td>"

            for kpi in [offtake, gas] {
                out += "<td class=\"num\" \(sortAttributes(kpi?.value, flagged: kpi?.flags.isEmpty == false))>"
                out += Self.value(kpi, text: text, language: language) { NumberFormatting.format($0 / 1000, decimals: 1, language: language) }
                out += "</td>"
            }

            out += "<td>\(Self.sparkline(report, index: index, language: language))</td>"

            // Coverage: the quality.coverage KPI (a ratio).
            out += "<td class=\"num\" \(sortAttributes(coverage?.value, flagged: coverage?.flags.isEmpty == false))>"
            if let coverage {
                let kind = KPIDisplay.kind(key: coverage.key, unit: coverage.unit.rawValue)
                out += Self.value(coverage, text: text, language: language) {
                    kind == .percent
                        ? NumberFormatting.percent($0, language: language)
                        : NumberFormatting.percent(ratio: $0, language: language)
                }
            } else {
                out += "<span class=\"na\" title=\"\(esc(text.noData))\">—</span>"
            }
            out += "</td>"

            out += "<td data-sort=\"\(esc(report.lastDataDate?.description ?? ""))\">"
            out += report.lastDataDate.map { esc(Self.date($0, language)) }
                ?? "<span class=\"na\" title=\"\(esc(text.noData))\">—</span>"
            out += "</td>"
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if anyLow {
            out += "<p class=\"notes\"><span class=\"warn\">⚠</span> \(esc(text.lowCoverageNote)): "
            out += "\(esc(text.lowCoverageExplain)).</p>\n"
        }
        out += "<p class=\"notes\">\(esc(words.notes))</p>\n"
        out += "</main>\n<footer><p>\(esc(words.footer))</p></footer>\n"
        out += "<script>\n\(Self.sortScript)</script>\n"
        out += "</body>\n</html>\n"
        return out
    }

    /// `31 december 2024` with no-break spaces: a date wraps only as a whole.
    static func date(_ date: CivilDate, _ language: PipelineDefinition.Language) -> String {
        String(ReportDates.long(date, language).map { $0 == " " ? "\u{00A0}" : $0 })
    }

    /// Monthly Scope 1+2 (market-based) of the baseline and reporting months as a small SVG line.
    static func sparkline(_ report: PilotReport, index: KPIIndex, language: PipelineDefinition.Language) -> String {
        var months: [String] = []
        for period in [report.definition.baseline, report.definition.reporting] {
            for month in ReportDates.months(in: period) where !months.contains(month.key) { months.append(month.key) }
        }
        let values = months.map { KPIDerived.scope12Market(index, period: $0, site: nil)?.value }
        let present = values.compactMap { $0 }
        guard present.count >= 2, let low = present.min(), let high = present.max() else {
            return "<span class=\"na\" title=\"\(esc(Words.for(language).noMonthly))\">—</span>"
        }
        let width = 120.0, height = 28.0, pad = 3.0
        let step = (width - 2 * pad) / Double(max(1, months.count - 1))
        let span = high - low > 0 ? high - low : 1
        func y(_ value: Double) -> Double { height - pad - (value - low) / span * (height - 2 * pad) }
        var path = ""
        var pen = false
        var last: (x: Double, y: Double)?
        for (position, value) in values.enumerated() {
            guard let value else { pen = false; continue }
            let point = (x: pad + Double(position) * step, y: y(value))
            path += (pen ? "L" : "M") + svgNumber(point.x) + " " + svgNumber(point.y)
            pen = true
            last = point
        }
        let first = present.first!, final = present.last!
        func number(_ value: Double) -> String { NumberFormatting.format(value, decimals: 1, language: language) }
        let label = Words.for(language).sparkLabel(number(first), number(final), number(low), number(high))
        var svg = "<svg class=\"spark\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" width=\"120\" "
        svg += "height=\"28\" role=\"img\" aria-label=\"\(esc(label))\"><title>\(esc(label))</title>"
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#1f4e3d\" stroke-width=\"1.5\"/>"
        if let last {
            svg += "<circle cx=\"\(svgNumber(last.x))\" cy=\"\(svgNumber(last.y))\" r=\"2.5\" fill=\"#1d2329\"/>"
        }
        return svg + "</svg>"
    }

    /// Sorts the table by a column's `data-sort` values (numbers or text), ascending then descending.
    static let sortScript = """
    (function () {
      var table = document.querySelector("table.portfolio");
      if (!table || !table.tBodies.length) { return; }
      var body = table.tBodies[0];
      function rank(cell, value) { return value === "" ? 2 : (cell.hasAttribute("data-flagged") ? 1 : 0); }
      table.querySelectorAll("thead th button").forEach(function (button) {
        button.addEventListener("click", function () {
          var th = button.parentNode;
          var column = Array.prototype.indexOf.call(th.parentNode.children, th);
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th[aria-sort]").forEach(function (other) {
            other.setAttribute("aria-sort", "none");
          });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = button.getAttribute("data-type") === "num";
          var rows = Array.prototype.slice.call(body.rows).filter(function (row) { return row.cells.length > column; });
          rows.sort(function (a, b) {
            var x = a.cells[column].getAttribute("data-sort") || "", y = b.cells[column].getAttribute("data-sort") || "";
            if (numeric) {
              // Values first, then flagged values (low coverage, assumptions), then nulls: in both directions.
              var rx = rank(a.cells[column], x), ry = rank(b.cells[column], y);
              if (rx !== ry) { return rx - ry; }
              if (rx === 2) { return 0; }
              return ascending ? parseFloat(x) - parseFloat(y) : parseFloat(y) - parseFloat(x);
            }
            return ascending ? x.localeCompare(y) : y.localeCompare(x);
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    })();

    """

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
    static func value(_ kpi: KPI?, text: ReportText, language: PipelineDefinition.Language,
                      format: (Double) -> String) -> String {
        guard let kpi else { return "<span class=\"na\" title=\"\(esc(text.noData))\">—</span>" }
        guard let value = kpi.value else {
            let reason = kpi.provenance.why.map { EngineText.reason($0, language) } ?? text.noReason
            return "<span class=\"na\" title=\"\(esc(reason))\">—</span>"
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

extension PortfolioIndex {
    /// The portfolio's own words, in Dutch and English.
    struct Words {
        var portfolio, pilots, pilot, pilotsLower, intro, noPilots: String
        var colPilot, colPeriod, colCO2, colChange, colOfftake, colGas, colSpark, colCoverage, colLastData: String
        var target, met, notMet, notes, footer, noMonthly, provisional: String
        var sparkLabel: (_ first: String, _ last: String, _ low: String, _ high: String) -> String

        static func `for`(_ language: PipelineDefinition.Language) -> Words {
            switch language {
            case .nl: Words(
                portfolio: "portfolio", pilots: "Pilots", pilot: "pilot", pilotsLower: "pilots",
                intro: "De cijfers gelden voor de rapportageperiode van elke pilot; open een rapport (klik op de naam) "
                    + "voor referentieperiode, sites, maanden, gegevens en methode. Klik op een kolomkop om te sorteren.",
                noPilots: "Geen pilots.",
                colPilot: "Pilot", colPeriod: "Rapportageperiode", colCO2: "CO2 Scope 1+2, marktgebaseerd (t\u{00A0}CO2e)",
                colChange: "Verandering t.o.v. referentie", colOfftake: "Afname elektriciteit van het net (MWh)",
                colGas: "Aardgas (MWh)", colSpark: "CO2 per maand, referentie → rapportage", colCoverage: "Dekking",
                colLastData: "Laatste gegevens",
                target: "doel", met: "gehaald", notMet: "niet\u{00A0}gehaald",
                notes: "Scope 1+2 marktgebaseerd = Scope 1 (verbranding ter plaatse) + Scope 2 marktgebaseerd "
                    + "(GHG Protocol). Dekking = aanwezige / verwachte intervallen van de rapportageperiode. Het "
                    + "lijntje toont de CO2 Scope 1+2 (marktgebaseerd) per maand van de eerste referentiemaand tot de "
                    + "laatste rapportagemaand (de stip: de laatste maand met een waarde). Waarden met een "
                    + "markering (lage dekking, aannames) sorteren na de andere, ontbrekende waarden als laatste.",
                footer: "Gemaakt met ParkImpact. Dezelfde gegevens geven dezelfde pagina.",
                noMonthly: "geen maandwaarden",
                provisional: "⚠\u{00A0}voorlopig: emissiefactor niet bevestigd",
                sparkLabel: { "CO2 Scope 1+2 marktgebaseerd per maand, t CO2e: van \($0) tot \($1) (bereik \($2)–\($3))" })
            case .en: Words(
                portfolio: "portfolio", pilots: "Pilots", pilot: "pilot", pilotsLower: "pilots",
                intro: "Figures are for each pilot's reporting period; open a report (click the name) for baselines, "
                    + "sites, months, data and method. Click a column heading to sort.",
                noPilots: "No pilots.",
                colPilot: "Pilot", colPeriod: "Reporting period", colCO2: "Scope 1+2 market-based (t\u{00A0}CO2e)",
                colChange: "Change vs baseline", colOfftake: "Grid electricity (MWh)", colGas: "Natural gas (MWh)",
                colSpark: "Monthly CO2, baseline → reporting", colCoverage: "Coverage", colLastData: "Last data",
                target: "target", met: "met", notMet: "not\u{00A0}met",
                notes: "Scope 1+2 market-based = Scope 1 (on-site combustion) + Scope 2 market-based (GHG Protocol). "
                    + "Coverage = present / expected intervals of the reporting period. The sparkline shows the monthly "
                    + "Scope 1+2 market-based emissions from the first baseline month to the last reporting month (the "
                    + "dot: the last month with a value). Flagged values (low coverage, assumptions) sort after the "
                    + "others, missing values last.",
                footer: "Made with ParkImpact. The same data give the same page.",
                noMonthly: "no monthly values",
                provisional: "⚠\u{00A0}provisional: emission factor unconfirmed",
                sparkLabel: { "Monthly Scope 1+2 market-based, t CO2e: from \($0) to \($1) (range \($2)–\($3))" })
            }
        }
    }
}
