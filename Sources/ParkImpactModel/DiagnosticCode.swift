/// What kind of message a run, `check` or `report` printed, as a stable code: the `code` field of every JSON log
/// line and of `last-run.json`'s diagnostics, what cron filters and alerts by. The raw values never change once
/// published; a new kind of message gets a new code.
///
/// An unreadable file's problem code (`FileSummary.problemCode`, the ledger's `problem_code`) is one of these
/// (`fileProblems`). Every code has a title in English and Dutch (`title(_:)`, an exhaustive switch: a code without
/// a text does not compile), and `docs/codes.md` lists them.
public enum DiagnosticCode: String, StableCode {
    // Definitions and the command line.
    case definitionInvalid = "definition_invalid"
    case pipelinesUnreadable = "pipelines_unreadable"
    case noSuchPipeline = "no_such_pipeline"
    case noDefinitions = "no_definitions"
    // Locks, state and output folder.
    case lockHeld = "lock_held"
    case lockUnavailable = "lock_unavailable"
    case stateUnavailable = "state_unavailable"
    case stateDamaged = "state_damaged"
    case stateRebuilt = "state_rebuilt"
    case stateNewer = "state_newer"
    case workerBuildDiffers = "worker_build_differs"
    case contributionUnusable = "contribution_unusable"
    case contributionRepaired = "contribution_repaired"
    case ledgerRepaired = "ledger_repaired"
    case ledgerRowDamaged = "ledger_row_damaged"
    case outputNotWritable = "output_not_writable"
    case nothingToReport = "nothing_to_report"
    // Finding the files.
    case inputFolderMissing = "input_folder_missing"
    case linkOutsideInput = "link_outside_input"
    case matchedTwice = "matched_twice"
    case globMatchesNothing = "glob_matches_nothing"
    case noSource = "no_source"
    case xlsxNotCSV = "xlsx_not_csv"
    case nameNotUTF8 = "name_not_utf8"
    case temporaryName = "temporary_name"
    case settling = "settling"
    case futureModificationTime = "future_mtime"
    case fileVanished = "file_vanished"
    case fileChangedDuringRead = "file_changed_during_read"
    // Files against the ledger.
    case sameContent = "same_content"
    case renamed = "renamed"
    case movedAcrossSources = "moved_across_sources"
    case fileChanged = "file_changed"
    case rereadDefinitionChanged = "reread_definition_changed"
    case rereadForPV = "reread_for_pv"
    case copyPromoted = "copy_promoted"
    case copyAcrossSites = "copy_across_sites"
    case unselectedFile = "unselected_file"
    case deletedNotCounted = "deleted_not_counted"
    case deletedKept = "deleted_kept"
    // A file that cannot be read at all (`FileSummary.problemCode`).
    case fileNotFound = "file_not_found"
    case permissionDenied = "permission_denied"
    case notAFile = "not_a_file"
    case ioError = "io_error"
    case binaryData = "binary_data"
    case emptyFile = "empty_file"
    case noData = "no_data"
    case headerNotRecognised = "header_not_recognised"
    case unknownTimeZone = "unknown_time_zone"
    case formatNotSupported = "format_not_supported"
    case registerAsInterval = "register_as_interval"
    case allRowsRejected = "all_rows_rejected"
    case unreadableFile = "unreadable_file"
    // A file that was read.
    case manyRowsRejected = "many_rows_rejected"
    case nothingUsed = "nothing_used"
    case rowsNotSelected = "rows_not_selected"
    // Merging the files of a pilot.
    case overlapIdentical = "overlap_identical"
    case overlapConflict = "overlap_conflict"
    case meterInTwoSites = "meter_in_two_sites"

    /// The codes a file's problem can carry (`FileSummary.problemCode`).
    public static let fileProblems: [DiagnosticCode] = [
        .fileNotFound, .permissionDenied, .notAFile, .ioError, .binaryData, .emptyFile, .noData, .headerNotRecognised,
        .unknownTimeZone, .formatNotSupported, .registerAsInterval, .allRowsRejected, .unreadableFile,
    ]

    /// The code of a stored problem code (`problem_code` of the ledger, a contribution blob); a missing or unknown
    /// one (written by another build) is `unreadable_file`.
    public init(problemCode: String?) {
        self = problemCode.flatMap(DiagnosticCode.init(rawValue:)) ?? .unreadableFile
    }

    public var titles: (en: String, nl: String) {
        switch self {
        case .definitionInvalid: ("pipeline definition invalid", "pijplijndefinitie ongeldig")
        case .pipelinesUnreadable: ("pipelines folder cannot be read", "map met pijplijnen onleesbaar")
        case .noSuchPipeline: ("no such pipeline", "onbekende pijplijn")
        case .noDefinitions: ("no pipeline definitions", "geen pijplijndefinities")
        case .lockHeld: ("another run holds the lock", "een andere run heeft het slot")
        case .lockUnavailable: ("lock cannot be created", "slot kan niet aangemaakt worden")
        case .stateUnavailable: ("state database unavailable", "toestandsdatabank niet beschikbaar")
        case .stateDamaged: ("state database damaged", "toestandsdatabank beschadigd")
        case .stateRebuilt: ("damaged state moved aside and rebuilt", "beschadigde toestand opzijgezet en heropgebouwd")
        case .stateNewer: ("state of a newer version", "toestand van een nieuwere versie")
        case .workerBuildDiffers: ("another build ran last", "een andere build liep laatst")
        case .contributionRepaired: ("damaged contribution read again", "beschadigde bijdrage opnieuw gelezen")
        case .contributionUnusable: ("stored contribution unusable", "opgeslagen bijdrage onbruikbaar")
        case .ledgerRepaired: ("damaged ledger row dropped, file read again",
                               "beschadigde grootboekregel verwijderd, bestand opnieuw gelezen")
        case .ledgerRowDamaged: ("damaged ledger row: file not counted", "beschadigde grootboekregel: bestand niet meegeteld")
        case .outputNotWritable: ("output folder not writable", "uitvoermap niet schrijfbaar")
        case .nothingToReport: ("nothing to report yet", "nog niets te rapporteren")
        case .inputFolderMissing: ("input folder missing", "invoermap ontbreekt")
        case .linkOutsideInput: ("link leaves the input folder", "koppeling verlaat de invoermap")
        case .matchedTwice: ("file matched by two sources", "bestand door twee bronnen gekozen")
        case .globMatchesNothing: ("source matches no file", "bron kiest geen enkel bestand")
        case .noSource: ("no source takes the file", "geen bron neemt het bestand")
        case .xlsxNotCSV: ("Excel workbook, not CSV", "Excel-werkmap, geen CSV")
        case .nameNotUTF8: ("file name not UTF-8", "bestandsnaam niet in UTF-8")
        case .temporaryName: ("temporary file skipped", "tijdelijk bestand overgeslagen")
        case .futureModificationTime: ("modified in the future", "gewijzigd in de toekomst")
        case .settling: ("file too recent, read later", "bestand te recent, later gelezen")
        case .fileVanished: ("file vanished during the run", "bestand verdwenen tijdens de run")
        case .fileChangedDuringRead: ("file changed while it was read", "bestand gewijzigd tijdens het lezen")
        case .sameContent: ("same content as another file", "zelfde inhoud als een ander bestand")
        case .renamed: ("file renamed", "bestand hernoemd")
        case .movedAcrossSources: ("file moved to another source", "bestand naar een andere bron verplaatst")
        case .fileChanged: ("file changed, read again", "bestand gewijzigd, opnieuw gelezen")
        case .rereadDefinitionChanged: ("source or build changed, read again",
                                        "bron of versie gewijzigd, opnieuw gelezen")
        case .rereadForPV: ("read again for PV matching", "opnieuw gelezen voor PV-koppeling")
        case .copyPromoted: ("copy counted instead", "kopie telt voortaan")
        case .copyAcrossSites: ("same file in two sites", "zelfde bestand bij twee sites")
        case .unselectedFile: ("file no longer selected", "bestand niet langer gekozen")
        case .deletedNotCounted: ("uncounted file deleted", "niet-meegeteld bestand verwijderd")
        case .deletedKept: ("deleted file kept in the reports", "verwijderd bestand blijft in de rapporten")
        case .fileNotFound: ("file not found", "bestand niet gevonden")
        case .permissionDenied: ("permission denied", "geen toegang")
        case .notAFile: ("not a regular file", "geen gewoon bestand")
        case .ioError: ("read error", "leesfout")
        case .binaryData: ("binary data, not text", "binaire gegevens, geen tekst")
        case .emptyFile: ("empty file", "leeg bestand")
        case .noData: ("no header and no data", "geen kopregel en geen gegevens")
        case .headerNotRecognised: ("header not recognised", "kopregel niet herkend")
        case .unknownTimeZone: ("unknown time zone", "onbekende tijdzone")
        case .formatNotSupported: ("format not supported", "formaat niet ondersteund")
        case .registerAsInterval: ("meter register read as use per interval",
                                   "meterstand gelezen als verbruik per interval")
        case .allRowsRejected: ("no row could be used", "geen enkele rij bruikbaar")
        case .unreadableFile: ("file cannot be read", "bestand onleesbaar")
        case .manyRowsRejected: ("many rows rejected", "veel rijen verworpen")
        case .nothingUsed: ("all rows ignored", "alle rijen genegeerd")
        case .rowsNotSelected: ("rows no where: selects", "rijen die geen where: selecteert")
        case .overlapIdentical: ("files overlap with identical values", "bestanden overlappen met gelijke waarden")
        case .overlapConflict: ("files overlap with different values", "bestanden overlappen met andere waarden")
        case .meterInTwoSites: ("meter in two sites", "meter bij twee sites")
        }
    }
}
