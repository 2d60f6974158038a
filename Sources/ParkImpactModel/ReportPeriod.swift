/// A reporting period: `baseline`, `reporting`, a calendar year `2024` or a month `2024-03` (local calendar).
public struct ReportPeriod: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable { case baseline, reporting, year, month }
    public let key: String
    public let kind: Kind
    /// Inclusive local day numbers.
    public let firstDay: Int
    public let lastDay: Int

    public init(key: String, kind: Kind, firstDay: Int, lastDay: Int) {
        self.key = key
        self.kind = kind
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    public var first: CivilDate { CivilDate(dayNumber: firstDay) }
    public var last: CivilDate { CivilDate(dayNumber: lastDay) }
    public func contains(day: Int) -> Bool { day >= firstDay && day <= lastDay }
    /// Its length in local calendar days (the basis of every change against the baseline: values per day).
    public var days: Int { lastDay - firstDay + 1 }
}
