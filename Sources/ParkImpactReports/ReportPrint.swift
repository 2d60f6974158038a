import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The report's navigation and print furniture: the running header of the printed pages, the table of contents, the
/// appendix (formulas, files read, notes for the coordinator) and the officer-facing form of null reasons.
extension PilotReportPage {
    // MARK: Running header

    /// A per-report `@page` rule: the pilot's name and reporting period in the top-left margin box of every printed
    /// page (the page number is in `report-charts.css`).
    var runningHeaderCSS: String {
        let definition = report.definition
        let header = definition.name + " · " + text.reportingPeriod + " "
            + ReportDates.range(definition.reporting, language, text)
        return "@page { @top-left { content: \(Self.cssString(header)); } }\n"
    }

    /// `text` as a CSS string literal: quotes and backslashes escaped, `<` and control characters as hex escapes
    /// (so nothing in it can end the `<style>` element).
    static func cssString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<", ">", "&": out += "\\" + String(scalar.value, radix: 16, uppercase: true) + " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\" + String(scalar.value, radix: 16, uppercase: true) + " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: Table of contents

    /// The sections' `<h2>` titles with the ids of their sections, in page order; `appendix`: inside the appendix.
    static func headings(in html: Substring) -> [(id: String, title: String, appendix: Bool)] {
        var text = html
        if let found = text.withUTF8({ headings(inBytes: $0) }) { return found }
        return headingsBySearch(in: html)
    }

    /// `headings(in:)` from the UTF-8 bytes, or nil when a marker found (`<h2`, `>`, `</h2>`, `<section id="`, `"`,
    /// the appendix's `<div>`) has a non-ASCII byte beside it. The markers are ASCII and no other text is
    /// canonically equivalent to them, so a marker between ASCII bytes is where the `String` search finds it too
    /// (in a UTF-8 text an ASCII byte is always a character of its own); next to a non-ASCII byte (a combining
    /// mark), the `String` search decides (`headingsBySearch`).
    static func headings(inBytes html: UnsafeBufferPointer<UInt8>) -> [(id: String, title: String, appendix: Bool)]? {
        var clean = true
        /// The range of the first `marker` in `from..<to`, when it stands between ASCII bytes.
        func find(_ marker: StaticString, _ from: Int, _ to: Int) -> Range<Int>? {
            let needle = UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount)
            guard to - from >= needle.count, let first = needle.first else { return nil }
            var index = from
            while index <= to - needle.count {
                guard let hit = UnsafeBufferPointer(rebasing: html[index..<(to - needle.count + 1)])
                    .firstIndex(of: first) else { return nil }
                let start = index + hit
                var matched = true
                for offset in 1..<needle.count where html[start + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched {
                    let end = start + needle.count
                    if (start > 0 && html[start - 1] >= 0x80) || (end < html.count && html[end] >= 0x80) {
                        clean = false
                    }
                    return start..<end
                }
                index = start + 1
            }
            return nil
        }
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: html[range]), as: UTF8.self)
        }
        var result: [(id: String, title: String, appendix: Bool)] = []
        let appendixStart = find("<div class=\"appendix\" id=\"appendix\">", 0, html.count)?.lowerBound
        var cursor = 0
        var sectionID: String?
        while let h2 = find("<h2", cursor, html.count),
              let open = find(">", h2.upperBound, html.count),
              let end = find("</h2>", open.upperBound, html.count) {
            var search = cursor
            while let open = find("<section id=\"", search, h2.lowerBound),
                  let quote = find("\"", open.upperBound, h2.lowerBound) {
                sectionID = text(open.upperBound..<quote.lowerBound)
                search = quote.upperBound
            }
            if let sectionID {
                let inAppendix = appendixStart.map { h2.lowerBound > $0 } ?? false
                result.append((sectionID, text(open.upperBound..<end.lowerBound), inAppendix))
            }
            sectionID = nil
            cursor = end.upperBound
        }
        return clean ? result : nil
    }

    /// `headings(in:)` with `String` searches: the reference of `headings(inBytes:)`.
    static func headingsBySearch(in html: Substring) -> [(id: String, title: String, appendix: Bool)] {
        var result: [(id: String, title: String, appendix: Bool)] = []
        let appendixStart = html.range(of: "<div class=\"appendix\" id=\"appendix\">")?.lowerBound
        var cursor = html.startIndex
        var sectionID: String?
        while let h2 = html.range(of: "<h2", range: cursor..<html.endIndex),
              let open = html.range(of: ">", range: h2.upperBound..<html.endIndex),
              let end = html.range(of: "</h2>", range: open.upperBound..<html.endIndex) {
            // The id of the last section opened before this heading.
            var search = cursor
            while let open = html.range(of: "<section id=\"", range: search..<h2.lowerBound),
                  let quote = html.range(of: "\"", range: open.upperBound..<h2.lowerBound) {
                sectionID = String(html[open.upperBound..<quote.lowerBound])
                search = quote.upperBound
            }
            if let sectionID {
                let inAppendix = appendixStart.map { h2.lowerBound > $0 } ?? false
                result.append((sectionID, String(html[open.upperBound..<end.lowerBound]), inAppendix))
            }
            sectionID = nil
            cursor = end.upperBound
        }
        return result
    }

    /// Inserts the table of contents at `offset` (UTF-8 bytes into `out`): a link to every section with an `<h2>`,
    /// the appendix's sections nested under it. Chromium prints no page numbers for links, so the printed list has
    /// none.
    mutating func insertTableOfContents(at offset: Int) {
        let head = String(decoding: out.utf8.prefix(offset), as: UTF8.self)
        let rest = String(decoding: out.utf8.dropFirst(offset), as: UTF8.self)
        let headings = Self.headings(in: rest[...])
        guard !headings.isEmpty else { return }
        var toc = "<nav class=\"toc\" aria-label=\"\(esc(text.contents))\">\n"
        toc += "<p class=\"toc-title\">\(esc(text.contents))</p>\n<ol>\n"
        for heading in headings where !heading.appendix {
            toc += "<li><a href=\"#\(heading.id)\">\(heading.title)</a></li>\n"
        }
        let appendix = headings.filter(\.appendix)
        if !appendix.isEmpty {
            toc += "<li><a href=\"#appendix\">\(esc(text.appendix))</a>\n<ol>\n"
            for heading in appendix {
                toc += "<li><a href=\"#\(heading.id)\">\(heading.title)</a></li>\n"
            }
            toc += "</ol></li>\n"
        }
        toc += "</ol>\n</nav>\n"
        out = head + toc + rest
    }

    // MARK: Appendix

    /// `<section id="…" class="appendix-section"><h2>Bijlage A · title</h2>`: the next letter of the appendix.
    mutating func openAppendixSection(_ id: String, _ title: String) {
        let letter = Character(UnicodeScalar(UInt8(65 + min(appendixCount, 25))))
        appendixCount += 1
        out += "<section id=\"\(id)\" class=\"appendix-section\">\n"
        out += "<h2>\(esc(text.appendix)) \(letter) · \(esc(title))</h2>\n"
    }

    /// The formula of every KPI as kpis.json states it, one compact row per KPI.
    mutating func renderFormulas() {
        openAppendixSection("formulas", text.formulas)
        if language == .nl {
            out += "<p class=\"notes\">De formules en bronnen staan zoals in kpis.json en kpis.csv (kolom formula): een "
            out += "technische omschrijving in het Engels, gelijk voor elke taal.</p>\n"
        }
        let keys = KPIOrder.sorted(Set(report.kpis.map(\.key)))
        if keys.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noKPIs))</p>\n"
        } else {
            // One paragraph per KPI (label, key, formula, factors): on paper they flow in two columns.
            out += "<div class=\"formulas\">\n"
            for key in keys {
                let source = index[key, Self.reporting, nil] ?? index[key, Self.baseline, nil]
                    ?? report.kpis.first { $0.key == key && $0.site == nil }
                    ?? report.kpis.first { $0.key == key }
                out += "<p class=\"formula\"><span class=\"formula-kpi\">"
                out += "\(esc(KPILabels.label(for: key, language: language)))"
                out += "<code class=\"key\">\(breakable(key))</code></span> "
                out += "<code class=\"formula\" lang=\"en\">\(esc(source?.provenance.formula ?? ""))</code>"
                let factors = source?.provenance.factors ?? []
                if !factors.isEmpty {
                    let cited = factors.map { "\($0.id) (\($0.year))" + ($0.status == .unconfirmed ? " ⚠" : "") }
                    out += " <span class=\"muted\">· \(esc(text.factorsCited)): "
                    out += "\(esc(cited.joined(separator: ", ")))</span>"
                }
                out += "</p>\n"
            }
            out += "</div>\n"
        }
        out += "</section>\n"
    }

    /// Notes for the pilot's coordinator: what to add to the pipeline definition or the input folders to fill the
    /// report's gaps (the officer's part names the gap only). Nothing when there is nothing to add.
    mutating func renderCoordinatorNotes() {
        var notes = coordinatorNotes
        for kpi in report.kpis {
            guard let why = kpi.provenance.why, Self.hasSetupInstruction(why) else { continue }
            let full = why.text(language)
            if !notes.contains(full) { notes.append(full) }
        }
        guard !notes.isEmpty else { return }
        openAppendixSection("coordinator", t("Voor de coördinator", "For the coordinator"))
        out += "<p class=\"notes\">\(esc(t("Wat de coördinator van de pilot kan aanvullen, in de pipeline-definitie of de invoermappen; de rest van het rapport noemt enkel wat ontbreekt.", "What the pilot's coordinator can add, in the pipeline definition or the input folders; the rest of the report only names what is missing.")))</p>\n"
        out += "<ul class=\"coordinator\">\n"
        for note in notes { out += "<li>\(esc(note))</li>\n" }
        out += "</ul>\n</section>\n"
    }

    // MARK: Officer-facing reasons

    /// Whether a reason's text tells how to set up the pipeline definition (keys to add, the file to add them to).
    static func hasSetupInstruction(_ reason: KPIReason) -> Bool {
        switch reason {
        case .noPrice, .noPilotCost, .noSiteValue: true
        case .within(_, let inner): hasSetupInstruction(inner)
        case .detailed(let inner, let detail): hasSetupInstruction(inner) || hasSetupInstruction(detail)
        case .all(let parts): parts.contains { hasSetupInstruction($0) }
        default: false
        }
    }

    /// A null reason as the officer reads it: what is missing, without the definition's keys and file (those are in
    /// kpis.json and in the appendix's notes for the coordinator).
    func officerReason(_ reason: KPIReason) -> String {
        switch reason {
        case let .noPrice(carrier, year, _):
            let what = carrier == "electricity" ? t("elektriciteitsprijs", "electricity price")
                : carrier == "gas" ? t("gasprijs", "gas price") : t("prijs (\(carrier))", "\(carrier) price")
            return t("geen \(what) voor \(year) opgegeven", "no \(what) given for \(year)")
        case let .noPilotCost(site, _):
            if let site { return t("geen investering opgegeven voor site \(site)", "no investment given for site \(site)") }
            return t("geen investering van de pilot opgegeven", "no investment of the pilot given")
        case let .noSiteValue(field, sites, _):
            let what = field == "fte" ? t("aantal VTE", "number of FTE")
                : field == "floor_area_m2" ? t("vloeroppervlakte", "floor area") : field
            let list = sites.joined(separator: ", ")
            return t("geen \(what) opgegeven voor site \(list)", "no \(what) given for site \(list)")
        case .within(_, let inner):
            // The lead-in (`<context>: `) as the engine writes it, then the inner reason's officer form.
            let full = EngineText.reason(reason, language), innerText = EngineText.reason(inner, language)
            return String(full.dropLast(innerText.count)) + officerReason(inner)
        case let .detailed(inner, detail):
            return officerReason(inner) + ": " + officerReason(detail)
        case .all(let parts):
            return parts.map { officerReason($0) }.joined(separator: "; ")
        default:
            return EngineText.reason(reason, language)
        }
    }

    // MARK: Wrapping

    /// `text` escaped, with a line-break opportunity (`<wbr>`) after every `/` and `_`, so paths and keys wrap
    /// between their parts instead of inside a word.
    func breakable(_ text: String) -> String {
        var out = ""
        var part = ""
        for character in text {
            part.append(character)
            if character == "/" || character == "_" {
                out += esc(part) + "<wbr>"
                part = ""
            }
        }
        return out + esc(part)
    }
}
