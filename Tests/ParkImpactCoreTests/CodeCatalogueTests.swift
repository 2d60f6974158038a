import Foundation
import Testing
@testable import ParkImpactCore

@Suite("stable codes") struct CodeCatalogueTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    @Test("every reject code has its own English and Dutch title")
    func rejectTitles() {
        for language in [PipelineDefinition.Language.en, .nl] {
            let titles = RejectCode.allCases.map { $0.title(language) }
            #expect(titles.allSatisfy { !$0.isEmpty })
            #expect(Set(titles).count == titles.count, "two codes share a \(language) title")
        }
        #expect(RejectCode.allCases.allSatisfy { $0.title(.en) != $0.title(.nl) })
    }

    @Test("codes are snake_case and the README lists every one")
    func rejectCodesListed() {
        #expect(!Self.readme.isEmpty)
        for code in RejectCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(code.rawValue)")
            #expect(Self.readme.contains("`\(code.rawValue)`"), "README.md does not list `\(code.rawValue)`")
        }
    }

    @Test("every KPI reason code has its own English and Dutch title")
    func reasonTitles() {
        for language in [PipelineDefinition.Language.en, .nl] {
            let titles = KPIReasonCode.allCases.map { $0.title(language) }
            #expect(titles.allSatisfy { !$0.isEmpty })
            #expect(Set(titles).count == titles.count, "two reason codes share a \(language) title")
        }
        #expect(KPIReasonCode.allCases.allSatisfy { $0.title(.en) != $0.title(.nl) })
    }

    @Test("KPI reason codes are snake_case and the README's table lists every one")
    func reasonCodesListed() throws {
        let table = try #require(Self.readme.components(separatedBy: "| reason code |").dropFirst().first)
        for code in KPIReasonCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(code.rawValue)")
            #expect(table.contains("| `\(code.rawValue)` |"), "README.md's reason code table lacks `\(code.rawValue)`")
        }
    }

    @Test("every KPI flag has its own English and Dutch label, and the README names it")
    func flagLabels() {
        for language in [PipelineDefinition.Language.en, .nl] {
            let labels = KPIFlag.allCases.map { $0.label(language) }
            #expect(labels.allSatisfy { !$0.isEmpty })
            #expect(Set(labels).count == labels.count, "two flags share a \(language) label")
        }
        for flag in KPIFlag.allCases {
            #expect(flag.label(.en) != flag.label(.nl))
            #expect(EngineText.flag(flag.rawValue, .nl) == flag.label(.nl))
            #expect(Self.readme.contains("`\(flag.rawValue)`"), "README.md does not name the flag `\(flag.rawValue)`")
        }
    }
}
