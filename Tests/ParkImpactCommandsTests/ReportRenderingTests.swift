import Foundation
import Testing

/// The demo's report.html (Dutch and English) and index.html: they reference nothing outside themselves, and
/// headless Chromium renders them to PNG and A4 PDF with content on every page and no console message.
@Suite(.serialized) struct ReportRenderingTests {
    static var pages: [(name: String, path: String)] {
        let output = DemoPipelineGoldenTests.run.output
        return [("report.html (nl)", output + "/demo-park/report.html"),
                ("report.html (en)", output + "/" + DemoPipelineGoldenTests.englishReport),
                ("index.html", output + "/index.html")]
    }

    // MARK: Nothing external

    @Test("the demo pages reference nothing external")
    func nothingExternal() throws {
        for page in Self.pages {
            let html = try String(contentsOfFile: page.path, encoding: .utf8)
            let lower = html.lowercased()
            for forbidden in ["http:", "https:", "src=", "@import", "<link", "<iframe", "<object", "<embed", "//cdn",
                              "fetch(", "xmlhttprequest", "import("] {
                #expect(!lower.contains(forbidden), "\(page.name) contains \(forbidden)")
            }
            // `url(` only for the SVG patterns of this same document.
            var rest = Substring(lower)
            while let range = rest.range(of: "url(") {
                #expect(rest[range.upperBound...].hasPrefix("#"), "\(page.name): url( that is not a fragment")
                rest = rest[range.upperBound...]
            }
            // Links: fragments, rejects.csv, a pilot's report next to the portfolio, or from a report back to the
            // portfolio one folder up.
            rest = Substring(html)
            var links = 0
            while let range = rest.range(of: "href=\"") {
                let value = rest[range.upperBound...].prefix { $0 != "\"" }
                #expect(value.hasPrefix("#") || value == "rejects.csv" || value.hasSuffix("/report.html")
                            || value == "../index.html", "\(page.name): href \(value)")
                #expect(!value.contains(":") && !value.hasPrefix("/")
                            && (!value.contains("..") || value == "../index.html"))
                links += 1
                rest = rest[range.upperBound...]
            }
            #expect(links > 0)
        }
        // The pilot reports carry no script at all; the portfolio's sort script is inline.
        for page in Self.pages.prefix(2) {
            #expect(!(try String(contentsOfFile: page.path, encoding: .utf8)).lowercased().contains("<script"))
        }
    }

    @Test("every chart has axis units, a title and a data table behind it")
    func chartsHaveTablesAndTitles() throws {
        let html = try String(contentsOfFile: Self.pages[0].path, encoding: .utf8)
        let charts = html.components(separatedBy: "<figure class=\"chart\">").count - 1
        #expect(charts >= 8)
        #expect(html.components(separatedBy: "<details class=\"data\">").count - 1 == charts)
        #expect(html.components(separatedBy: "<svg class=\"chart\"").count - 1 == charts)
        #expect(html.components(separatedBy: "role=\"img\" aria-label=").count - 1 >= charts)
        for section in ["energy", "co2", "pv", "load", "mobility", "water", "waste", "cost", "data", "method"] {
            #expect(html.contains("<section id=\"\(section)\""), "section \(section) missing from the demo report")
        }
        #expect(!html.contains("class=\"omitted\""))
        #expect(html.contains("class=\"axis-title\""))
        #expect(html.contains(">MWh</text>") && html.contains(">t CO2e</text>") && html.contains(">m³/h</text>"))
    }

    // MARK: Chromium

    static let chromium: String? = {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }()

    /// Runs Chromium headless; returns its stderr (console messages are logged there as `:CONSOLE`). Its stderr goes
    /// to a file, not a pipe (a helper process Chromium leaves behind would keep a pipe open), and a Chromium still
    /// running after 300 s is killed and fails the test rather than holding the suite.
    static func chromium(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        let profile = NSTemporaryDirectory() + "parkimpact-chromium-" + UUID().uuidString
        let log = profile + ".log"
        defer {
            try? FileManager.default.removeItem(atPath: profile)
            try? FileManager.default.removeItem(atPath: log)
        }
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"] + arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let errors = try #require(FileHandle(forWritingAtPath: log))
        defer { try? errors.close() }
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let exited = Binary.watch(process.processIdentifier, "chromium " + arguments.joined(separator: " "), seconds: 300)
        process.waitUntilExit()
        exited()
        return (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    }

    static func consoleLines(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }

    @Test("headless Chromium renders the reports to PNG and A4 PDF: non-empty pages, no console messages",
          .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; `make test` installs it)"))
    func chromiumRendersThePages() throws {
        let folder = NSTemporaryDirectory() + "parkimpact-render-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The console check can fail: a page that logs is seen logging.
        let probe = folder + "/probe.html"
        try "<!doctype html><title>p</title><script>console.log('parkimpact-probe')</script>"
            .write(toFile: probe, atomically: true, encoding: .utf8)
        let probeLog = try Self.chromium(["--screenshot=" + folder + "/probe.png", URL(fileURLWithPath: probe).absoluteString])
        #expect(Self.consoleLines(probeLog).contains { $0.contains("parkimpact-probe") }, "\(probeLog)")
        for (number, page) in Self.pages.enumerated() {
            let url = URL(fileURLWithPath: page.path).absoluteString
            let png = folder + "/page-\(number).png", pdf = folder + "/page-\(number).pdf"
            let shotLog = try Self.chromium(["--screenshot=" + png, "--window-size=1200,3000", url])
            let printLog = try Self.chromium(["--print-to-pdf=" + pdf, "--no-pdf-header-footer", url])
            #expect(Self.consoleLines(shotLog + printLog).isEmpty,
                    "\(page.name): console messages: \(Self.consoleLines(shotLog + printLog))")

            // PNG: the signature, 1200 px wide, and far more bytes than a blank page compresses to.
            let image = try #require(FileManager.default.contents(atPath: png), "\(page.name): no PNG")
            #expect(image.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let width = image.count > 24 ? image[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
            #expect(width == 1200)
            #expect(image.count > 40_000, "\(page.name): the PNG looks blank (\(image.count) bytes)")

            // PDF: A4 pages, each with text (a font) and a content stream.
            let document = try #require(FileManager.default.contents(atPath: pdf), "\(page.name): no PDF")
            let text = String(decoding: document, as: UTF8.self)
            #expect(text.hasPrefix("%PDF-"))
            let pageObjects = text.components(separatedBy: "/Type /Page").dropFirst()
                .filter { !$0.hasPrefix("s") }
            #expect(!pageObjects.isEmpty)
            for (index, object) in pageObjects.enumerated() {
                let dictionary = object.components(separatedBy: "endobj").first ?? ""
                #expect(dictionary.contains("/Font") && dictionary.contains("/Contents"),
                        "\(page.name): PDF page \(index + 1) is empty")
                // The reports print on A4 portrait, the portfolio's wide table on A4 landscape.
                let a4 = number < 2 ? "/MediaBox [0 0 594.9" : "/MediaBox [0 0 841.9"
                #expect(dictionary.contains(a4), "\(page.name): PDF page \(index + 1) is not A4 (\(a4))")
            }
            if number < 2 {
                // Sections start on a new page: the report spans several.
                #expect(pageObjects.count >= 8, "\(page.name): \(pageObjects.count) PDF pages")
            }
        }
    }
}
