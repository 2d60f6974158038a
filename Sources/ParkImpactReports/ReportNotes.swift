/// Reasons for `—` values, numbered per table (the same reason keeps its number).
struct NoteCollector {
    let table: Int
    private(set) var reasons: [String] = []
    private var numbers: [String: Int] = [:]
    var hasLowCoverage = false

    init(table: Int) { self.table = table }

    mutating func number(for reason: String) -> Int {
        if let number = numbers[reason] { return number }
        reasons.append(reason)
        numbers[reason] = reasons.count
        return reasons.count
    }

    func anchor(_ number: Int) -> String { "note-\(table)-\(number)" }
}

extension PilotReportPage {
    /// The notes under a table: the low-coverage mark explained, then the numbered reasons.
    mutating func renderNotes(_ notes: NoteCollector) {
        guard !notes.reasons.isEmpty || notes.hasLowCoverage else { return }
        out += "<ul class=\"notes\">\n"
        if notes.hasLowCoverage {
            out += "<li><span class=\"warn\">⚠</span> \(esc(text.lowCoverageNote)): \(esc(text.lowCoverageExplain)).</li>\n"
        }
        for (offset, reason) in notes.reasons.enumerated() {
            let number = offset + 1
            out += "<li id=\"\(notes.anchor(number))\"><sup>\(number)</sup> — \(esc(reason))</li>\n"
        }
        out += "</ul>\n"
    }
}
