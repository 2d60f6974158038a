/// A stable snake_case code (rejects, diagnostics, ignored rows, KPI null reasons): its raw value is what files and
/// log lines carry and never changes meaning; its title is the short text a report shows, in English and Dutch. The
/// titles are an exhaustive switch in each code type, so a code without a text in either language does not compile.
public protocol StableCode: RawRepresentable<String>, CaseIterable, Comparable, CustomStringConvertible, Sendable {
    /// The short title in English and in Dutch.
    var titles: (en: String, nl: String) { get }
}

extension StableCode {
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The code as written in files and log lines.
    public var description: String { rawValue }

    /// The short title in the report's language.
    public func title(_ language: ReportLanguage) -> String {
        language == .nl ? titles.nl : titles.en
    }
}
