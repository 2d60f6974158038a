import Foundation
import Testing
import CSVReading
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

@Suite("stable codes") struct CodeCatalogueTests {
    /// `docs/codes.md`: the users' catalogue of every code.
    static let catalogue: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/codes.md"), encoding: .utf8)) ?? ""
    }()

    /// The titles of one kind of code: none empty, none shared by two codes, none the same in both languages.
    static func checkTitles<Code: StableCode>(_: Code.Type) {
        for language in [PipelineDefinition.Language.en, .nl] {
            let titles = Code.allCases.map { $0.title(language) }
            #expect(titles.allSatisfy { !$0.isEmpty }, "\(Code.self)")
            #expect(Set(titles).count == titles.count, "two \(Code.self) cases share a \(language) title")
        }
        #expect(Code.allCases.allSatisfy { $0.title(.en) != $0.title(.nl) }, "\(Code.self)")
    }

    @Test("every reject, KPI reason, diagnostic and ignored-row code has its own English and Dutch title")
    func titles() {
        Self.checkTitles(RejectCode.self)
        Self.checkTitles(KPIReasonCode.self)
        Self.checkTitles(DiagnosticCode.self)
        Self.checkTitles(IgnoreCode.self)
    }

    @Test("codes are snake_case and docs/codes.md lists every one")
    func rejectCodesListed() {
        #expect(!Self.catalogue.isEmpty)
        for code in RejectCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(code.rawValue)")
            #expect(Self.catalogue.contains("`\(code.rawValue)`"), "docs/codes.md does not list `\(code.rawValue)`")
        }
    }

    @Test("KPI reason codes are snake_case and the table of docs/codes.md lists every one")
    func reasonCodesListed() throws {
        let table = try #require(Self.catalogue.components(separatedBy: "| reason code |").dropFirst().first)
        for code in KPIReasonCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(code.rawValue)")
            #expect(table.contains("| `\(code.rawValue)` |"), "docs/codes.md's reason code table lacks `\(code.rawValue)`")
        }
    }

    @Test("every KPI flag has its own English and Dutch label, and docs/codes.md names it")
    func flagLabels() {
        for language in [PipelineDefinition.Language.en, .nl] {
            let labels = KPIFlag.allCases.map { $0.label(language) }
            #expect(labels.allSatisfy { !$0.isEmpty })
            #expect(Set(labels).count == labels.count, "two flags share a \(language) label")
        }
        for flag in KPIFlag.allCases {
            #expect(flag.label(.en) != flag.label(.nl))
            #expect(EngineText.flag(flag, .nl) == flag.label(.nl))
            #expect(Self.catalogue.contains("`\(flag.rawValue)`"), "docs/codes.md does not name the flag `\(flag.rawValue)`")
        }
    }

    @Test("diagnostic and ignored-row codes are snake_case and docs/codes.md lists every one in its table")
    func diagnosticAndIgnoreCodesListed() {
        for code in DiagnosticCode.allCases.map(\.rawValue) + IgnoreCode.allCases.map(\.rawValue) {
            #expect(code.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(code)")
        }
        for (heading, codes) in [("Diagnostic codes", DiagnosticCode.allCases.map(\.rawValue)),
                                 ("Ignored-row codes", IgnoreCode.allCases.map(\.rawValue))] {
            let rows = Self.tableRows(after: heading)
            #expect(!rows.isEmpty, "docs/codes.md has no table under \(heading)")
            for code in codes {
                #expect(rows.contains { $0.hasPrefix("| `\(code)` |") },
                        "docs/codes.md's \(heading) does not list `\(code)`")
            }
            // No row for a code that does not exist.
            let listed = rows.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) }
            #expect(Set(listed).subtracting(codes).isEmpty, "\(heading): \(Set(listed).subtracting(codes).sorted())")
        }
    }

    @Test("a file problem code and a stored one map to a diagnostic code; unknown ones to unreadable_file")
    func problemCodes() {
        for code in DiagnosticCode.fileProblems { #expect(DiagnosticCode(problemCode: code.rawValue) == code) }
        // The CSV layer's codes of a file it cannot read are diagnostic codes of their own.
        let fileErrors: [CSVFileError.Code] = [.notFound, .permissionDenied, .notAFile, .io, .binary, .empty]
        for code in fileErrors {
            #expect(DiagnosticCode.fileProblems.contains { $0.rawValue == code.stableCode }, "\(code.stableCode)")
        }
        // A file that cannot be fingerprinted: the same codes for the same errno.
        for (number, code) in [(ENOENT, DiagnosticCode.fileNotFound), (EACCES, .permissionDenied),
                               (EISDIR, .notAFile), (EIO, .ioError)] {
            #expect(FileDigest.POSIXFailure(call: "open", path: "p", code: number).diagnosticCode == code)
        }
        #expect(DiagnosticCode(problemCode: nil) == .unreadableFile)
        #expect(DiagnosticCode(problemCode: "written_by_a_newer_build") == .unreadableFile)
        #expect(IgnoreKey(key: "columns_not_read: A, B") == IgnoreKey(.columnsNotRead, detail: "A, B"))
        #expect(IgnoreKey(key: "empty_row") == IgnoreKey(.emptyRow))
        #expect(IgnoreKey(key: "blank lines") == nil)
    }

    /// The table rows (lines starting with `|`, header and rule excluded) of the first table after a heading of
    /// `docs/codes.md`.
    static func tableRows(after heading: String) -> [String] {
        let lines = catalogue.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("#") && $0.hasSuffix(" " + heading) }) else {
            return []
        }
        let table = lines[(start + 1)...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        return Array(table.dropFirst(2))
    }
}
