import ArgumentParser
import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReports
@testable import ParkImpactCommands

/// The ParkImpact version and the factor catalogue's digest: `--version`, kpis.json, kpis.csv and the report footer
/// name the same two, and the digest is the SHA-256 of the catalogue file's bytes.
@Suite struct VersionProvenanceTests {
    /// The first 12 hex digits of the SHA-256 of `emission-factors.csv`, computed here by `sha256sum` from the file
    /// in the source tree (independently of the code under test).
    static let expectedDigest: String = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [packageRoot.path + "/Sources/ParkImpactDefinition/Resources/emission-factors.csv"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(output.prefix(12))
    }()

    @Test func theDigestIsTheCatalogueFilesSHA256() {
        #expect(Self.expectedDigest.count == 12)
        #expect(FactorCatalogue.builtInDigest == Self.expectedDigest)
    }

    @Test func versionPrintsBoth() throws {
        do {
            _ = try ParkImpactCommand.parseAsRoot(["--version"])
            Issue.record("--version did not exit")
        } catch {
            #expect(ParkImpactCommand.message(for: error) == "parkimpact 0.2.0 (factors \(Self.expectedDigest))")
        }
    }

    @Test func theDemoOutputsNameVersionAndDigest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let status = runCommand(["run", "--settle-seconds", "0", "--pipelines", packageRoot.path + "/pipelines",
                                 "--input", packageRoot.path + "/input", "--output", scratch.root, "demo-park"])
        #expect(status == 0)
        let json = try #require(scratch.read("demo-park/kpis.json"))
        #expect(json.contains("\n  \"parkimpact\": {\"version\": \"0.2.0\", \"factor_catalogue_sha256\": \"\(Self.expectedDigest)\"},\n"))
        let csv = try #require(scratch.read("demo-park/kpis.csv"))
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        // The demo pilot is Dutch: `;` between the columns (its language's CSV format).
        #expect(lines[0].hasSuffix(";inputs;parkimpact_version;factor_catalogue_sha256;factor_status"))
        for line in lines.dropFirst() { #expect(line.contains(";0.2.0;\(Self.expectedDigest);")) }
        // The status of each cited factor, as the catalogue states it: the gas factor (IPCC default) is unconfirmed;
        // a KPI without a factor has none.
        let scope1 = try #require(lines.first { $0.hasPrefix("co2.scope1_t;reporting;;") })
        #expect(scope1.hasSuffix(";0.2.0;\(Self.expectedDigest);unconfirmed"))
        let offtake = try #require(lines.first { $0.hasPrefix("energy.electricity.offtake_kwh;reporting;;") })
        #expect(offtake.hasSuffix(";0.2.0;\(Self.expectedDigest);"))
        let report = try #require(scratch.read("demo-park/report.html"))
        #expect(report.contains("<p class=\"version\">ParkImpact 0.2.0 · emissiefactorcatalogus "
            + "<code>sha256:\(Self.expectedDigest)</code></p></footer>"))
        // The trust line under the cards (reporting period 2024, pilot total), in Dutch number format.
        #expect(report.contains("<p class=\"trust\">Rapportageperiode: Dekking 99,8\u{A0}% · geschat 0,2\u{A0}% · "
            + "0 afgekeurde rijen · gegevens tot 31 december 2024</p>"))
        // One card per figure: the CO2 change is on the Scope 1+2 card, not a card of its own.
        #expect(!report.contains("<div class=\"card-label\">CO2-verandering t.o.v. referentie</div>"))
        let cards = report.components(separatedBy: "<div class=\"card\">").count - 1
        #expect(cards == 4)
        // The run manifest names them too.
        let manifest = try #require(scratch.read(".parkimpact/last-run.json"))
        #expect(manifest.contains("\n  \"parkimpact\": {\"version\": \"0.2.0\", \"factor_catalogue_sha256\": "
            + "\"\(Self.expectedDigest)\"},\n"))
    }
}
