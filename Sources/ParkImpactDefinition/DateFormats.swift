import ParkImpactModel

/// Date-and-time layouts found in exports, parsed from bytes. Detected per file from sample values, because
/// `01/02/2024` is 1 February in Belgium and 2 January in an American portal; a source's `date_format` forces one.
public struct DateTimeLayout: Equatable, Sendable, CustomStringConvertible {
    package enum DateOrder: String, Sendable { case dayMonthYear = "dd-MM-yyyy", monthDayYear = "MM-dd-yyyy", yearMonthDay = "yyyy-MM-dd" }
    package let order: DateOrder
    /// `-`, `/` or `.`.
    package let separator: UInt8
    /// 2 or 4.
    package let yearDigits: Int

    package init(order: DateOrder, separator: UInt8, yearDigits: Int) {
        self.order = order
        self.separator = separator
        self.yearDigits = yearDigits
    }

    public var description: String {
        let s = String(UnicodeScalar(separator))
        let year = yearDigits == 2 ? "yy" : "yyyy"
        switch order {
        case .dayMonthYear: return "dd\(s)MM\(s)\(year)"
        case .monthDayYear: return "MM\(s)dd\(s)\(year)"
        case .yearMonthDay: return "\(year)\(s)MM\(s)dd"
        }
    }
}

/// A source's `date_format` in the YAML: a date layout (the time part is read when present) or `iso` (instants
/// with a UTC offset or `Z`). Formats that detect their date layout use it instead of detecting (see
/// `SourceFormatName.dateFormatSupport`: formats whose dates are fixed by the exporter refuse it at load time).
public enum GenericDateFormat: Equatable, Sendable, CustomStringConvertible {
    case layout(DateTimeLayout)
    case iso

    package static let examples = ["dd-MM-yyyy HH:mm", "dd/MM/yyyy", "MM/dd/yyyy HH:mm", "yyyy-MM-dd HH:mm:ss", "dd.MM.yy",
                           "iso"]

    init?(_ text: String) {
        if text.lowercased() == "iso" {
            self = .iso
            return
        }
        let date = text.split(separator: " ").first.map(String.init) ?? text
        let datePart = date.split(separator: "T").first.map(String.init) ?? date
        let bytes = Array(datePart.utf8)
        guard let separator = bytes.first(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ".") })
        else { return nil }
        let parts = datePart.split(separator: Character(UnicodeScalar(separator))).map(String.init)
        guard parts.count == 3 else { return nil }
        switch (parts[0], parts[1], parts[2]) {
        case ("yyyy", "MM", "dd"): self = .layout(DateTimeLayout(order: .yearMonthDay, separator: separator, yearDigits: 4))
        case ("dd", "MM", "yyyy"): self = .layout(DateTimeLayout(order: .dayMonthYear, separator: separator, yearDigits: 4))
        case ("dd", "MM", "yy"): self = .layout(DateTimeLayout(order: .dayMonthYear, separator: separator, yearDigits: 2))
        case ("MM", "dd", "yyyy"): self = .layout(DateTimeLayout(order: .monthDayYear, separator: separator, yearDigits: 4))
        case ("MM", "dd", "yy"): self = .layout(DateTimeLayout(order: .monthDayYear, separator: separator, yearDigits: 2))
        default: return nil
        }
    }

    /// `dd/MM/yyyy` (the date part: times are read as the format reads them) or `iso`.
    public var description: String {
        switch self {
        case .layout(let layout): return layout.description
        case .iso: return "iso"
        }
    }
}

/// What a format does with a source's `date_format` (checked when the pipeline is loaded).
public enum DateFormatSupport: Sendable {
    /// A date layout replaces the detected one; `iso` is refused (the format reads local wall-clock times).
    case layouts
    /// A date layout, or `iso` for instants with an offset.
    case layoutsAndISO
    /// The exporter fixes the dates: `date_format` is refused with this reason (`Fluvius writes ...`).
    case fixed(String)
}
