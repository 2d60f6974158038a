import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// The data-quality section: the coverage calendar and the rejected rows by kind; the files read are in the appendix.
extension PilotReportPage {
    mutating func renderData() {
        out += "<section id=\"data\">\n<h2>\(esc(t("Datakwaliteit", "Data quality")))</h2>\n"
        renderCoverageCalendar()
        // Rejected rows: the count, a link to rejects.csv and the most frequent kinds (by code, with the first row of
        // each); rows without a code of their own by their reason.
        let rejected = report.rejects.rowCount
        out += "<h3>\(esc(text.rejectedRows))</h3>\n"
        out += "<p class=\"rejects\">\(esc(text.rejectedRows)): <strong>\(count(rejected))</strong>"
        out += " — \(esc(text.rejectsLinkIntro)) <a href=\"rejects.csv\">rejects.csv</a> "
        out += "(\(esc(text.rejectsColumns))).</p>\n"
        // Rows beyond the first `Reject.detailLimit` per file and code are counted, not listed one by one.
        let omitted = report.rejects.reduce(0) { $0 + $1.omittedRows }
        if omitted > 0 {
            out += "<p class=\"rejects\">\(esc(text.rejectsOmitted(count(omitted), Reject.detailLimit)))</p>\n"
        }
        if rejected > 0 {
            struct Kind { var count = 0; var first: Reject }
            var kinds: [String: Kind] = [:]
            for reject in report.rejects {
                // A tally of rows without detail (`Reject.omittedRows`) counts with its code; the first row shown is
                // one kept in full (they come before the tallies of their file).
                let key = reject.code == .unclassified ? "~" + reject.reason : reject.code.rawValue
                kinds[key, default: Kind(first: reject)].count += reject.rows
            }
            let ranked = kinds.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            let shown = ranked.prefix(10)
            out += "<table class=\"reasons\">\n<thead><tr><th scope=\"col\">\(esc(text.colReason))</th>"
            out += "<th scope=\"col\">\(esc(text.colCode))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colRows))</th>"
            out += "<th scope=\"col\">\(esc(text.colFirstRow))</th></tr></thead>\n<tbody>\n"
            for (_, kind) in shown {
                let first = kind.first
                let title = first.code == .unclassified ? EngineText.problem(first.reason, language)
                    : first.code.title(language)
                out += "<tr><td>\(esc(title))</td><td><code>\(esc(first.code.rawValue))</code></td>"
                out += "<td class=\"num\">\(count(kind.count))</td>"
                let name = first.file.split(separator: "/").last.map(String.init) ?? first.file
                out += "<td title=\"\(esc(first.file))\">\(esc(text.fileLine(name, first.line)))</td></tr>\n"
            }
            if ranked.count > shown.count {
                let rest = ranked.dropFirst(shown.count)
                out += "<tr><td class=\"muted\" colspan=\"2\">\(esc(text.otherReasons(rest.count)))</td>"
                out += "<td class=\"num\">\(count(rest.reduce(0) { $0 + $1.value.count }))</td><td></td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        out += "<p class=\"meta\">\(esc(text.seriesCount)): \(count(report.seriesCount)) · \(esc(text.lastData)): "
        out += report.lastDataDate.map { esc(ReportDates.long($0, language)) } ?? esc(text.noData)
        out += "</p>\n</section>\n"
    }

    /// The files read, with their accepted, rejected and ignored rows (appendix).
    mutating func renderFiles() {
        openAppendixSection("files", text.data)
        let files = report.files.sorted { $0.path < $1.path }
        if files.isEmpty {
            out += "<p class=\"muted\">\(esc(text.noFiles))</p>\n"
        } else {
            out += "<table class=\"files\">\n<thead><tr>"
            out += "<th scope=\"col\">\(esc(text.colFile))</th><th scope=\"col\">\(esc(text.colFormat))</th>"
            out += "<th scope=\"col\">\(esc(text.colDialect))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colAccepted))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colRejected))</th>"
            out += "<th scope=\"col\" class=\"num\">\(esc(text.colIgnored))</th>"
            out += "<th scope=\"col\">\(esc(text.colProblem))</th>"
            out += "</tr></thead>\n<tbody>\n"
            for file in files {
                out += file.problem == nil ? "<tr>" : "<tr class=\"problem\">"
                out += "<td><code class=\"path\">\(breakable(file.path))</code></td>"
                out += "<td>\(esc(file.format))</td><td>\(esc(EngineText.dialect(file.dialect, language)))</td>"
                out += "<td class=\"num\">\(count(file.acceptedRows))</td>"
                out += "<td class=\"num\">\(count(file.rejectedRows))</td>"
                let ignoredTotal = file.ignoredRows.values.reduce(0, +)
                out += "<td class=\"num\">\(count(ignoredTotal))"
                let reasons = file.ignoredRows.keys.sorted()
                if !reasons.isEmpty {
                    out += "<span class=\"breakdown\">"
                    out += reasons.map { "\(esc(EngineText.ignored($0, language))): \(count(file.ignoredRows[$0] ?? 0))" }.joined(separator: "<br>")
                    out += "</span>"
                }
                out += "</td>"
                let problem = file.problem.map { EngineText.problem($0, code: file.problemCode, language) }
                out += "<td>\(problem.map(esc) ?? "")</td>"
                out += "</tr>\n"
            }
            let accepted = files.reduce(0) { $0 + $1.acceptedRows }
            let rejected = files.reduce(0) { $0 + $1.rejectedRows }
            let ignored = files.reduce(0) { $0 + $1.ignoredRows.values.reduce(0, +) }
            out += "<tr class=\"total\"><th scope=\"row\" colspan=\"3\">\(esc(text.total)) (\(count(files.count)) "
            out += "\(esc(files.count == 1 ? text.fileSingular : text.filePlural)))</th>"
            out += "<td class=\"num\">\(count(accepted))</td><td class=\"num\">\(count(rejected))</td>"
            out += "<td class=\"num\">\(count(ignored))</td><td></td></tr>\n"
            out += "</tbody>\n</table>\n"
        }

        out += "</section>\n"
    }

    func count(_ value: Int) -> String {
        esc(NumberFormatting.format(Double(value), decimals: 0, language: language))
    }
}
