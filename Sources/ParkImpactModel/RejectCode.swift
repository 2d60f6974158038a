package import CSVReading

/// Why a row went to `rejects.csv`, as a stable code: the `code` column tools filter by, and what the report's
/// texts are rendered from. The raw values never change once published; a new kind of problem gets a new code.
///
/// Every code has a title in English and Dutch (`title(_:)`, an exhaustive switch: a code without a text does not
/// compile), and `docs/codes.md` lists them.
public enum RejectCode: String, StableCode {
    // The CSV layer: lines libcsv or the reader could not take apart.
    case lineTooLong = "line_too_long"
    case nulBytes = "nul_bytes"
    case malformedQuoting = "malformed_quoting"
    case unterminatedQuote = "unterminated_quote"
    case tooManyFields = "too_many_fields"
    case tooFewFields = "too_few_fields"
    case headerMismatch = "header_mismatch"
    // Fields that do not read as what their column holds.
    case notANumber = "not_a_number"
    case notADate = "not_a_date"
    case notATime = "not_a_time"
    case emptyField = "empty_field"
    case unexpectedText = "unexpected_text"
    // Times.
    case intervalEndsBeforeStart = "interval_ends_before_start"
    case intervalTooLong = "interval_too_long"
    case dateOutOfRange = "date_out_of_range"
    case timeInClockChangeGap = "time_in_clock_change_gap"
    case timeOutOfOrder = "time_out_of_order"
    case intervalNotRecognised = "interval_not_recognised"
    case mixedGranularity = "mixed_granularity"
    case gapTooLong = "gap_too_long"
    // What a row says it measures.
    case unknownUnit = "unknown_unit"
    case unitDoesNotFit = "unit_does_not_fit"
    case unknownRegister = "unknown_register"
    case unknownStatus = "unknown_status"
    case unknownSite = "unknown_site"
    case unknownQuantity = "unknown_quantity"
    case unknownMode = "unknown_mode"
    case unknownCode = "unknown_code"
    case emptyMeterID = "empty_meter_id"
    // Values.
    case negativeValue = "negative_value"
    case valueOutOfRange = "value_out_of_range"
    case registerDecreased = "register_decreased"
    case duplicateInterval = "duplicate_interval"
    case conflictingInterval = "conflicting_interval"
    /// A reject stored by a version that kept no code (a `PIC1` contribution).
    case unclassified = "unclassified"

    public var titles: (en: String, nl: String) {
        switch self {
        case .lineTooLong: ("line too long", "regel te lang")
        case .nulBytes: ("NUL bytes in the line", "NUL-bytes in de regel")
        case .malformedQuoting: ("malformed quoting", "foutieve aanhalingstekens")
        case .unterminatedQuote: ("quoted field never closes", "aanhalingsteken nooit gesloten")
        case .tooManyFields: ("too many fields", "te veel velden")
        case .tooFewFields: ("too few fields", "te weinig velden")
        case .headerMismatch: ("row does not fit the header", "rij past niet bij de kopregel")
        case .notANumber: ("not a number", "geen getal")
        case .notADate: ("not a date", "geen datum")
        case .notATime: ("not a time", "geen tijdstip")
        case .emptyField: ("required field empty", "verplicht veld leeg")
        case .unexpectedText: ("text where a reading was expected", "tekst waar een meting verwacht werd")
        case .intervalEndsBeforeStart: ("interval ends before it starts", "interval eindigt vóór het begint")
        case .intervalTooLong: ("interval longer than a year", "interval langer dan een jaar")
        case .dateOutOfRange: ("date outside 1800–2199", "datum buiten 1800–2199")
        case .timeInClockChangeGap: ("local time skipped by the spring clock change",
                                     "lokale tijd die de zomertijdovergang overslaat")
        case .timeOutOfOrder: ("time not after the previous reading", "tijdstip niet na de vorige meting")
        case .intervalNotRecognised: ("interval length not recognised", "intervallengte niet herkend")
        case .mixedGranularity: ("periods of another length than the report's", "perioden van een andere lengte dan het rapport")
        case .gapTooLong: ("gap too long to place the energy in time", "onderbreking te lang om de energie in de tijd te plaatsen")
        case .unknownUnit: ("unknown unit", "onbekende eenheid")
        case .unitDoesNotFit: ("unit does not fit the quantity", "eenheid past niet bij de grootheid")
        case .unknownRegister: ("unknown register", "onbekend register")
        case .unknownStatus: ("unknown status", "onbekende status")
        case .unknownSite: ("unknown site", "onbekende site")
        case .unknownQuantity: ("unknown quantity", "onbekende grootheid")
        case .unknownMode: ("unknown transport mode", "onbekende vervoerswijze")
        case .unknownCode: ("unknown code", "onbekende code")
        case .emptyMeterID: ("meter id empty", "meter-ID leeg")
        case .negativeValue: ("negative value", "negatieve waarde")
        case .valueOutOfRange: ("value out of range", "waarde buiten bereik")
        case .registerDecreased: ("register went down (reset or new meter)", "meterstand gedaald (reset of nieuwe meter)")
        case .duplicateInterval: ("interval repeated with the same value", "interval herhaald met dezelfde waarde")
        case .conflictingInterval: ("interval repeated with another value", "interval herhaald met een andere waarde")
        case .unclassified: ("other", "andere")
        }
    }
}

extension RejectCode {
    /// The code of a line the CSV layer refused.
    package init(_ kind: CSVMalformedRecord.Kind) {
        switch kind {
        case .lineTooLong: self = .lineTooLong
        case .nulBytes: self = .nulBytes
        case .malformedQuoting: self = .malformedQuoting
        case .unterminatedQuote: self = .unterminatedQuote
        case .tooManyFields: self = .tooManyFields
        }
    }
}
