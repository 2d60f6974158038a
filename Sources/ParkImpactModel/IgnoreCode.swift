/// Why rows of a file were ignored by design (not rejected: nothing in them is wrong, they are not readings), as a
/// stable code: the keys of `FileSummary.ignoredRows` and what the report's files table renders in its language.
/// The raw values never change once published.
///
/// Every code has a title in English and Dutch (`title(_:)`, an exhaustive switch), and `docs/codes.md` lists them.
public enum IgnoreCode: String, StableCode {
    case preamble = "preamble"
    case repeatedHeader = "repeated_header"
    case emptyRow = "empty_row"
    case totalRow = "total_row"
    case footer = "footer"
    case gasM3Twin = "gas_m3_twin"
    case reactiveEnergy = "reactive_energy"
    case chainStart = "chain_start"
    case noRegisterValue = "no_register_value"
    case registerNotCounting = "register_not_counting"
    case columnsNotRead = "columns_not_read"
    case smaHeaderRows = "sma_header_rows"
    case smaRepeatedHeader = "sma_repeated_header"
    case smaHeaderUnreadable = "sma_header_unreadable"
    case smaChannelsNotRead = "sma_channels_not_read"
    case smaGridNotCounting = "sma_grid_not_counting"
    case nanBeforeFirst = "nan_before_first"
    case nanAfterLast = "nan_after_last"
    case nanInRejected = "nan_in_rejected"
    case noValueMappingSelectsRow = "no_value_mapping_selects_row"

    public var titles: (en: String, nl: String) {
        switch self {
        case .preamble: ("preamble lines before the header", "inleidende regels vóór de kopregel")
        case .repeatedHeader: ("repeated header rows", "herhaalde kopregels")
        case .emptyRow: ("empty rows", "lege rijen")
        case .totalRow: ("total rows (the sum of the rows above)", "totaalrijen (de som van de rijen erboven)")
        case .footer: ("footer lines after the last reading", "voetregels na de laatste meting")
        case .gasM3Twin: ("gas m³ rows (the kWh twin row is used)",
                          "gasrijen in m³ (de kWh-tweelingrij wordt gebruikt)")
        case .reactiveEnergy: ("reactive energy rows (kVArh, not energy)",
                               "rijen met blindenergie (kVArh, geen energie)")
        case .chainStart: ("first reading of a difference chain (the start of the next interval)",
                           "eerste meterstand van een reeks verschillen (het begin van het volgende interval)")
        case .noRegisterValue: ("rows without a register value (no data)", "rijen zonder meterstand (geen gegevens)")
        case .registerNotCounting: ("register still 0: the meter is not counting yet (before its first count or after "
                                    + "a reset)", "meterstand nog 0: de meter telt nog niet (vóór de eerste telling "
                                    + "of na een reset)")
        case .columnsNotRead: ("columns not read (not known, not energy, or not the source's quantity)",
                               "kolommen die niet gelezen worden (onbekend, geen energie of niet de grootheid van de "
                               + "bron)")
        case .smaHeaderRows: ("SMA header rows (model, serial number, channel, type, units)",
                              "SMA-kopregels (model, serienummer, kanaal, type, eenheden)")
        case .smaRepeatedHeader: ("repeated SMA header (concatenated exports)",
                                  "herhaalde SMA-kopregel (samengevoegde exports)")
        case .smaHeaderUnreadable: ("rows of an SMA export whose header cannot be read (see the reject of the units "
                                    + "row)",
                                    "rijen van een SMA-export met een onleesbare kopregel (zie de verworpen "
                                    + "eenhedenrij)")
        case .smaChannelsNotRead: ("SMA channels not read as energy (another quantity, not energy, or repeated)",
                                   "SMA-kanalen die niet als energie gelezen worden (andere grootheid, geen energie "
                                   + "of herhaald)")
        case .smaGridNotCounting: ("grid register still at 0 Wh: not counting (no SMA Energy Meter connected)",
                                   "netmeterstand nog 0 Wh: telt niet (geen SMA Energy Meter aangesloten)")
        case .nanBeforeFirst: ("NaN before a channel's first reading (no known interval)",
                               "NaN vóór de eerste meting van een kanaal (geen interval)")
        case .nanAfterLast: ("NaN after a channel's last reading (no known interval)",
                             "NaN na de laatste meting van een kanaal (geen interval)")
        case .nanInRejected: ("NaN inside a rejected difference", "NaN binnen een verworpen verschil")
        case .noValueMappingSelectsRow: ("rows no value's where: selects (add a value with a where: for them if they "
                                         + "count)",
                                         "rijen die geen where: van een waarde selecteert (voeg een waarde met een "
                                         + "where: toe als ze meetellen)")
        }
    }
}

/// The key of `FileSummary.ignoredRows`: an `IgnoreCode`, and for the codes that name columns
/// (`columns_not_read`, `sma_channels_not_read`) the names: `columns_not_read: Stored in batteries (Wh)`.
/// A key that is neither (a text kept from a version 1 contribution) is shown as it is.
public struct IgnoreKey: Sendable, Hashable {
    public let code: IgnoreCode
    public let detail: String?

    public init(_ code: IgnoreCode, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    /// The key as stored: the code's raw value, then `: ` and the detail when there is one.
    public var key: String { detail.map { "\(code.rawValue): \($0)" } ?? code.rawValue }

    public init?(key: String) {
        let parts = key.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let code = IgnoreCode(rawValue: String(parts[0])) else { return nil }
        self.code = code
        detail = parts.count == 2 ? String(parts[1].drop { $0 == " " }) : nil
    }

    /// The rows' description in the report's language: the code's title, then the detail.
    public static func render(_ key: String, _ language: ReportLanguage) -> String {
        guard let parsed = IgnoreKey(key: key) else { return key }
        return parsed.code.title(language) + (parsed.detail.map { ": " + $0 } ?? "")
    }

    /// The code of an English text a version 1 contribution (`PIC1`) stored, or nil for one it does not know.
    public static func fromVersion1(_ text: String) -> IgnoreKey? {
        let exact: [String: IgnoreCode] = [
            "gas m³ rows (the kWh twin row is used)": .gasM3Twin,
            "reactive energy rows (kVArh, not energy)": .reactiveEnergy,
            "repeated header rows": .repeatedHeader,
            "empty rows": .emptyRow, "blank rows": .emptyRow, "blank lines": .emptyRow,
            "the export's total rows": .totalRow, "report total rows (the sum of the rows above)": .totalRow,
            "first reading of a difference chain (the start of the next interval)": .chainStart,
            "SMA header rows (model, serial number, channel, type, units)": .smaHeaderRows,
            "preamble lines before the header": .preamble,
            "rows without a register value (no data)": .noRegisterValue,
            "footer lines after the last reading": .footer,
            "repeated SMA header (concatenated exports)": .smaRepeatedHeader,
            "NaN after a channel's last reading (no known interval)": .nanAfterLast,
            "NaN before a channel's first reading (no known interval)": .nanBeforeFirst,
            "NaN inside a rejected difference": .nanInRejected,
            "register still 0: the meter is not counting yet (before its first count or after a reset)":
                .registerNotCounting,
            "grid register still at 0 Wh: not counting (no SMA Energy Meter connected)": .smaGridNotCounting,
            "rows of an SMA export whose header cannot be read (see the reject of the units row)":
                .smaHeaderUnreadable,
        ]
        if let code = exact[text] { return IgnoreKey(code) }
        for (prefix, code) in [("SMA channels not read as energy: ", IgnoreCode.smaChannelsNotRead),
                               ("Enphase columns not read: ", .columnsNotRead),
                               ("Sungrow columns not read: ", .columnsNotRead)] where text.hasPrefix(prefix) {
            return IgnoreKey(code, detail: String(text.dropFirst(prefix.count)))
        }
        return nil
    }
}
