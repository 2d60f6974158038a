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
}
