import Foundation
import Testing

/// `--portfolio-language`: the language of `output/index.html` when the pilots' languages differ.
@Suite struct PortfolioLanguageCommandTests {
    static func pilot(_ id: String, language: String) -> String {
        """
        pilot: \(id)
        name: "Pilot \(id)"
        language: \(language)
        periods:
          baseline:  { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites:
          - { id: a, name: "A" }
        sources:
          - { path: "*.csv", format: parkimpact-long }
        """
    }

    static let data = """
        timestamp,site,series,quantity,value,unit,quality,end
        2023-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,1234567,kWh,measured,2023-01-11T00:00:00+01:00
        2024-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,1234567,kWh,measured,2024-01-11T00:00:00+01:00

        """

    @Test("a mixed portfolio is English by default, Dutch with --portfolio-language nl (run and report)")
    func mixedPortfolio() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/p-nl.yaml", Self.pilot("p-nl", language: "nl"))
        try scratch.write("pipelines/p-en.yaml", Self.pilot("p-en", language: "en"))
        try scratch.write("input/p-nl/data.csv", Self.data)
        try scratch.write("input/p-en/data.csv", Self.data)
        let folders = ["--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                       "--output", scratch.path("output")]
        #expect(runCommand(["run", "--settle-seconds", "0"] + folders) == 0)
        let english = try #require(scratch.read("output/index.html"))
        #expect(english.contains("<html lang=\"en\">"))
        #expect(english.contains("1,234.6</td>"))
        // The setting changes the portfolio even when no input changed.
        #expect(runCommand(["run", "--settle-seconds", "0", "--portfolio-language", "nl"] + folders) == 0)
        let dutch = try #require(scratch.read("output/index.html"))
        #expect(dutch.contains("<html lang=\"nl\">"))
        #expect(dutch.contains("1.234,6</td>"))
        #expect(dutch.contains("<a href=\"p-en/report.html\">Pilot p-en</a>"))
        #expect(runCommand(["report"] + folders) == 0)
        #expect(try #require(scratch.read("output/index.html")).contains("<html lang=\"en\">"))
        #expect(runCommand(["report", "--portfolio-language", "nl"] + folders) == 0)
        #expect(try #require(scratch.read("output/index.html")).contains("<html lang=\"nl\">"))
    }
}
