public import ParkImpactModel
import ParkImpactDefinition

/// What a file's rows as a whole say: a file none of whose rows could be used is refused like an unreadable file
/// (`all_rows_rejected`); one that lost more than a tenth of its rows, or used none because all were ignored, gets a
/// warning (`many_rows_rejected`, `nothing_used`).
public enum FileVerdict {
    static let allRejectedPhrase = ": no row could be used: all "

    /// The problem of a file with rejected rows and no accepted one, or nil.
    static func allRejected(path: String, accepted: Int, rejects: [Reject]) -> String? {
        guard accepted == 0, !rejects.isEmpty else { return nil }
        return "\(path)\(allRejectedPhrase)\(rejects.rowCount) row(s) were rejected; \(mostFrequent(rejects)); "
            + "fix the file (or the source's format) and it is read again (every reject is in rejects.csv)"
    }

    /// The warnings about a file that was read (none when it could not be read at all).
    public static func warnings(_ summary: FileSummary, path: String, rejects: [Reject])
        -> [(message: String, code: DiagnosticCode)] {
        guard summary.problem == nil else { return [] }
        let rejected = rejects.rowCount
        let total = summary.acceptedRows + rejected
        if rejected > 0, rejected * 10 > total {
            let tenths = (rejected * 1000 + total / 2) / total
            return [("\(path): \(tenths / 10).\(tenths % 10) % of its rows rejected (\(rejected) of \(total)); "
                + "\(mostFrequent(rejects)); see rejects.csv", .manyRowsRejected)]
        }
        let ignored = summary.ignoredRows.values.reduce(0, +)
        if total == 0, ignored > 0 {
            let why = summary.ignoredRows.sorted { $0.key < $1.key }
                .map { "\(IgnoreKey.render($0.key, .en)): \($0.value)" }
                .joined(separator: "; ")
            return [("\(path): no row used: all \(ignored) row(s) are ignored by design (\(why)); check the "
                + "source's format and quantity", .nothingUsed)]
        }
        if let unselected = unselectedRows(summary) { return [("\(path): \(unselected)", .rowsNotSelected)] }
        return []
    }

    /// `120 row(s) matched no value's where: (Type = Gas: 120 rows); …`: the `generic` rows no value mapping
    /// selects, by their texts; nil when there are none.
    static func unselectedRows(_ summary: FileSummary) -> String? {
        let prefix = IgnoreCode.noValueMappingSelectsRow.rawValue
        let parts = summary.ignoredRows.filter { $0.key.hasPrefix(prefix) }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        guard !parts.isEmpty else { return nil }
        let count = parts.reduce(0) { $0 + $1.value }
        let texts = parts.map { "\(IgnoreKey(key: $0.key)?.detail ?? "?"): \($0.value) row\($0.value == 1 ? "" : "s")" }
            .joined(separator: "; ")
        return "\(count) row(s) matched no value's where: (\(texts)); they are not counted: add a value with a where: "
            + "for them if they count"
    }

    /// `most often (12×): reason (line 3: raw)`: the most frequent kind of reject (by code, and by column for rejects
    /// without one), with its first row as the example; ties go to the kind seen first. Rows tallied without detail
    /// (`Reject.omittedRows`) count with their kind; the example is always a row kept in full.
    static func mostFrequent(_ rejects: [Reject]) -> String {
        var counts: [String: (count: Int, first: Int)] = [:]
        for (position, reject) in rejects.enumerated() {
            let kind = reject.code == .unclassified ? "unclassified\u{0}" + reject.column : reject.code.rawValue
            guard reject.isDetailed || counts[kind] != nil else { continue }
            counts[kind, default: (0, position)].count += reject.rows
        }
        guard !counts.isEmpty else { return "no row kept in full" }
        let best = counts.values.max { $0.count < $1.count || ($0.count == $1.count && $0.first > $1.first) }!
        let example = rejects[best.first]
        var raw = example.raw
        if raw.count > 200 { raw = String(raw.prefix(200)) + "…" }
        return "most often (\(best.count)×): \(example.reason) (line \(example.line): \(raw))"
    }
}
