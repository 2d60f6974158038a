import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The demo pilot end to end: `parkimpact run` on the committed demo input, compared with golden files and with the
/// totals the data generator computed independently (scripts/demo-expected-totals.json).
///
/// Re-record the golden files after an intended change: `RECORD_SNAPSHOTS=1 swift test --filter DemoPipeline`.
@Suite(.serialized) struct DemoPipelineGoldenTests {
    static let outputs = ["demo-park/kpis.json", "demo-park/kpis.csv", "demo-park/rejects.csv",
                          "demo-park/report.html", "index.html"]
    /// The demo rendered in English (the same definition with `language: en`): a second report golden.
    static let englishReport = "en/demo-park/report.html"

    /// One run shared by the tests of this suite.
    static let run: (status: Int32, output: String) = {
        let output = NSTemporaryDirectory() + "parkimpact-demo-" + UUID().uuidString
        let status = runCommand(["run", "--settle-seconds", "0", "--pipelines", packageRoot.path + "/pipelines",
                                 "--input", packageRoot.path + "/input", "--output", output, "demo-park", "--threads", "2"])
        // A pilot subset does not rewrite the portfolio; render it too for the golden comparison.
        _ = runCommand(["run", "--settle-seconds", "0", "--pipelines", packageRoot.path + "/pipelines",
                        "--input", packageRoot.path + "/input", "--output", output])
        // The English rendering: the demo definition with `language: en`, into <output>/en.
        let pipelinesEN = output + "-pipelines-en"
        try? FileManager.default.createDirectory(atPath: pipelinesEN, withIntermediateDirectories: true)
        let yaml = (try? String(contentsOfFile: packageRoot.path + "/pipelines/demo-park.yaml", encoding: .utf8)) ?? ""
        try? yaml.replacingOccurrences(of: "\nlanguage: nl ", with: "\nlanguage: en ")
            .write(toFile: pipelinesEN + "/demo-park.yaml", atomically: true, encoding: .utf8)
        _ = runCommand(["run", "--settle-seconds", "0", "--pipelines", pipelinesEN, "--input", packageRoot.path + "/input",
                        "--output", output + "/en", "demo-park"])
        return (status, output)
    }()

    @Test func theDemoRunSucceeds() throws {
        #expect(Self.run.status == 0)
        let english = try String(contentsOfFile: Self.run.output + "/" + Self.englishReport, encoding: .utf8)
        #expect(english.contains("<html lang=\"en\">"))
    }

    @Test("every KPI of the demo has a catalogue entry with its unit and both labels")
    func everyKPIIsCatalogued() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.run.output + "/demo-park/kpis.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let kpis = try #require(json["kpis"] as? [[String: Any]])
        #expect(!kpis.isEmpty)
        var seen = Set<String>()
        for kpi in kpis {
            let key = try #require(kpi["key"] as? String), unit = try #require(kpi["unit"] as? String)
            guard seen.insert(key).inserted else { continue }
            let entry = try #require(KPICatalogue.entry(key), "\(key) is not in KPICatalogue")
            #expect(entry.unit.rawValue == unit, "\(key): unit \(unit) in kpis.json, \(entry.unit.rawValue) in the catalogue")
            #expect(!entry.nl.isEmpty && !entry.en.isEmpty)
        }
    }

    @Test("the Dutch report's files table gives every ignored row and problem in Dutch, from its code")
    func dutchFilesTable() throws {
        let report = try String(contentsOfFile: Self.run.output + "/demo-park/report.html", encoding: .utf8)
        let start = try #require(report.range(of: "<table class=\"files\">"))
        let end = try #require(report.range(of: "</table>", range: start.upperBound..<report.endIndex))
        let table = String(report[start.lowerBound..<end.lowerBound])
        #expect(!table.contains("technische melding"))
        // Every line of the ignored-row breakdowns starts with a code's Dutch title.
        let breakdowns = table.components(separatedBy: "<span class=\"breakdown\">").dropFirst()
            .map { $0.components(separatedBy: "</span>")[0] }
        #expect(!breakdowns.isEmpty)
        for item in breakdowns.flatMap({ $0.components(separatedBy: "<br>") }) {
            let known = IgnoreCode.allCases.contains {
                item.hasPrefix($0.title(.nl).replacingOccurrences(of: "'", with: "&#39;"))
            }
            #expect(known, "\(item)")
        }
        for code in IgnoreCode.allCases { #expect(!table.contains(code.title(.en)), "\(code) in English") }
        // The demo has SMA, Fluvius and meter-reading exports: their ignored rows in Dutch.
        for code in [IgnoreCode.smaHeaderRows, .chainStart, .preamble] {
            #expect(table.contains(code.title(.nl)), "\(code)")
        }
    }

    @Test("outputs equal the golden files", arguments: outputs + [englishReport])
    func golden(_ name: String) throws {
        let produced = try String(contentsOfFile: Self.run.output + "/" + name, encoding: .utf8)
        let goldenPath = goldenFolder + "/" + name
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            try FileManager.default.createDirectory(atPath: (goldenPath as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try produced.write(toFile: goldenPath, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOfFile: goldenPath, encoding: .utf8)
        if produced != golden {
            let producedLines = produced.split(separator: "\n", omittingEmptySubsequences: false)
            let goldenLines = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(producedLines, goldenLines).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("""
                \(name) differs from the golden file (re-record with RECORD_SNAPSHOTS=1 if intended); first difference \
                at line \((first?.offset ?? min(producedLines.count, goldenLines.count)) + 1):
                  produced: \(first.map { String($0.element.0.prefix(300)) } ?? "(length differs)")
                  golden:   \(first.map { String($0.element.1.prefix(300)) } ?? "")
                """)
        }
    }

    @Test("the Dutch demo report renders every null reason and flag in Dutch, with the codes in kpis.json")
    func dutchReasonsFromCodes() throws {
        let dutch = try String(contentsOfFile: Self.run.output + "/demo-park/report.html", encoding: .utf8)
        #expect(dutch.contains("<html lang=\"nl\">"))
        #expect(!dutch.contains("technische melding"))
        #expect(!dutch.contains("no source delivers") && !dutch.contains("data in this period"))
        let json = try String(contentsOfFile: Self.run.output + "/demo-park/kpis.json", encoding: .utf8)
        let withReason = json.components(separatedBy: "\"reason\": ").count - 1
        #expect(withReason > 0)
        #expect(json.components(separatedBy: "\"reason_code\": \"").count - 1 == withReason)
        struct Flagged: Decodable { let flags: [String] }
        struct Flags: Decodable { let kpis: [Flagged] }
        let flags = Set(try JSONDecoder().decode(Flags.self, from: Data(json.utf8)).kpis.flatMap(\.flags))
        #expect(!flags.isEmpty)
        #expect(flags.allSatisfy { KPIFlag(rawValue: $0) != nil }, "\(flags.sorted())")
    }

    struct KPIRow: Decodable {
        let key: String
        let period: String
        let site: String?
        let value: Double?
        let coverage: Double?
    }

    struct KPIFile: Decodable { let kpis: [KPIRow] }

    /// Grid, gas and PV per site, year and month. The PV fields are the generator's own per-quarter numbers: the
    /// production it wrote into the SMA register, and min(max(production − injection, 0), production) summed over the
    /// quarters whose injection and offtake rows have a value (`pv.matched` of `pv.intervals` quarters, which is also
    /// the coverage of self-consumed PV); null where the site has no PV data in the period.
    /// Water (m³), waste (kg) and the car share of the commuting survey per site and year are compared too.
    @Test("energy per site, year and month equals the generator's own totals")
    func matchesTheGeneratorsTotals() throws {
        let kpis = try JSONDecoder().decode(
            KPIFile.self, from: Data(contentsOf: URL(fileURLWithPath: Self.run.output + "/demo-park/kpis.json"))).kpis
        let oracle = try JSONSerialization.jsonObject(
            with: Data(contentsOf: packageRoot.appendingPathComponent("scripts/demo-expected-totals.json")))
            as! [String: [String: Any]]
        var checked = 0
        var pvChecked = 0
        for (site, periods) in oracle {
            for (period, entry) in periods {
                guard let totals = entry as? [String: Any] else { continue }
                for (field, key) in [("offtake_kwh", "energy.electricity.offtake_kwh"),
                                     ("injection_kwh", "energy.electricity.injection_kwh"), ("gas_kwh", "energy.gas_kwh"),
                                     ("pv_production_kwh", "energy.electricity.pv_production_kwh"),
                                     ("self_consumed_kwh", "energy.electricity.self_consumed_kwh")] {
                    let expected = totals[field] as? Double
                    let actual = kpis.first { $0.key == key && $0.period == period && $0.site == site }?.value
                    if let expected {
                        #expect(actual.map { abs($0 - expected) < 0.0005 } == true,
                                "\(site) \(period) \(key): \(actual.map { "\($0)" } ?? "nil") ≠ \(expected)")
                        checked += 1
                        if field.hasPrefix("pv_") || field.hasPrefix("self_") { pvChecked += 1 }
                    } else {
                        #expect(actual == nil, "\(site) \(period) \(key) should be null (no such meter or no data)")
                    }
                }
                if let pv = totals["pv"] as? [String: Any], let intervals = pv["intervals"] as? Int,
                   let matched = pv["matched"] as? Int {
                    let coverage = kpis.first {
                        $0.key == "energy.electricity.self_consumed_kwh" && $0.period == period && $0.site == site
                    }?.coverage
                    let expected = Double(matched) / Double(intervals)
                    let shown = coverage.map { "\($0)" } ?? "nil"
                    #expect(coverage.map { abs($0 - expected) <= 0.000001 } == true,
                            "\(site) \(period) self-consumed coverage \(shown) ≠ \(matched)/\(intervals)")
                }
            }
        }
        #expect(checked >= 3 * 26 * 2 + 2 * 10)
        // logistiek: 2024 and its months April–December, production and self-consumed.
        #expect(pvChecked == 2 * 10)

        // Water, waste and the commuting survey: the generator's totals per site and year (its year entries), compared
        // in the year and in the report period that is that year (2023 = baseline, 2024 = reporting).
        var otherChecked = 0
        for (site, periods) in oracle {
            for (year, period) in [("2023", "baseline"), ("2024", "reporting")] {
                let totals = try #require(periods[year] as? [String: Any], "\(site) \(year) missing in the oracle")
                func value(_ key: String, _ period: String) -> Double? {
                    kpis.first { $0.key == key && $0.period == period && $0.site == site }?.value
                }
                let water = totals["water_m3"] as? Double
                let waste = try #require((totals["waste_kg"] as? [String: Any])?["total"] as? Double,
                                         "\(site) \(year) waste_kg.total missing in the oracle")
                let commute = try #require(totals["commute"] as? [String: Any], "\(site) \(year) commute missing")
                let car = try #require(commute["car"] as? Int), all = try #require(commute["total"] as? Int)
                for shown in [year, period] {
                    if let water {
                        #expect(value("water.m3", shown).map { abs($0 - water) < 0.0005 } == true,
                                "\(site) \(shown) water.m3: \(value("water.m3", shown).map { "\($0)" } ?? "nil") ≠ \(water)")
                    } else {
                        #expect(value("water.m3", shown) == nil, "\(site) \(shown) water.m3 should be null (no meter)")
                    }
                    #expect(value("waste.total_kg", shown).map { abs($0 - waste) < 0.0005 } == true,
                            "\(site) \(shown) waste.total_kg: \(value("waste.total_kg", shown).map { "\($0)" } ?? "nil") ≠ \(waste)")
                    let share = Double(car) / Double(all)
                    #expect(value("mobility.share.car", shown).map { abs($0 - share) < 0.0000005 } == true,
                            "\(site) \(shown) mobility.share.car: \(value("mobility.share.car", shown).map { "\($0)" } ?? "nil") ≠ \(car)/\(all)")
                    otherChecked += 1
                }
            }
        }
        #expect(otherChecked == 3 * 2 * 2)
    }

    @Test func aRerunIsByteIdentical() throws {
        let again = NSTemporaryDirectory() + "parkimpact-demo-again-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: again) }
        #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", packageRoot.path + "/pipelines", "--input", packageRoot.path + "/input",
                            "--output", again, "--threads", "1"]) == 0)
        for name in Self.outputs {
            let first = FileManager.default.contents(atPath: Self.run.output + "/" + name)
            let second = FileManager.default.contents(atPath: again + "/" + name)
            #expect(first != nil && first == second, "\(name) differs between a 2-thread and a 1-thread run")
        }
    }
}
