/// Calendar dates as reports write them, in Dutch or English.
public enum DateNames {
    static let monthsNL = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                           "september", "oktober", "november", "december"]
    static let monthsEN = ["January", "February", "March", "April", "May", "June", "July", "August",
                           "September", "October", "November", "December"]

    /// `1 januari 2024` / `1 January 2024`.
    public static func long(_ date: CivilDate, _ language: ReportLanguage) -> String {
        let names = language == .nl ? monthsNL : monthsEN
        return "\(date.day) \(names[date.month - 1]) \(date.year)"
    }

    /// `maart 2024` / `March 2024`.
    public static func monthName(year: Int, month: Int, _ language: ReportLanguage) -> String {
        "\((language == .nl ? monthsNL : monthsEN)[month - 1]) \(year)"
    }
}
