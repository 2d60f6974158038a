import ParkImpactModel
import ParkImpactDefinition

/// Dates, periods and months as the report writes them.
enum ReportDates {
    /// `1 januari 2024` / `1 January 2024`.
    static func long(_ date: CivilDate, _ language: PipelineDefinition.Language) -> String {
        DateNames.long(date, language)
    }

    /// `1 januari 2023 – 31 december 2023 (365 dagen)`.
    static func range(_ period: PipelineDefinition.Period, _ language: PipelineDefinition.Language,
                      _ text: ReportText) -> String {
        let days = period.to.dayNumber - period.from.dayNumber + 1
        return "\(long(period.from, language)) – \(long(period.to, language)) (\(days) \(days == 1 ? text.day : text.days))"
    }

    /// `maart 2024` / `March 2024`.
    static func monthName(year: Int, month: Int, _ language: PipelineDefinition.Language) -> String {
        DateNames.monthName(year: year, month: month, language)
    }

    /// The calendar months a period touches, in order, with their KPI period keys (`2024-03`).
    static func months(in period: PipelineDefinition.Period) -> [(year: Int, month: Int, key: String)] {
        var result: [(year: Int, month: Int, key: String)] = []
        var year = period.from.year, month = period.from.month
        while (year, month) <= (period.to.year, period.to.month) {
            result.append((year, month, "\(year)-\(month < 10 ? "0" : "")\(month)"))
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        return result
    }
}
