import Foundation
import Synchronization
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Quarter-hour `parkimpact-long` rows of site `site` on 2024-06-03, 10:00–11:45 local: `quantity` of meter `meter`,
/// `value` kWh each.
private func quarterHours(site: String, meter: String, quantity: String, value: String, header: Bool = true) -> String {
    var text = header ? "timestamp,site,series,quantity,value,unit,quality\n" : ""
    for hour in 10..<12 {
        for minute in stride(from: 0, to: 60, by: 15) {
            let stamp = String(format: "2024-06-03T%02d:%02d:00+02:00", hour, minute)
            text += "\(stamp),\(site),\(meter),\(quantity),\(value),kWh,measured\n"
        }
    }
    return text
}

/// Grid offtake 1 kWh and injection 0.25 kWh per quarter hour at site `s`.
private let gridOfS = quarterHours(site: "s", meter: "grid", quantity: "electricity_offtake", value: "1")
    + quarterHours(site: "s", meter: "grid", quantity: "electricity_injection", value: "0.25", header: false)
/// PV production 0.75 kWh per quarter hour at site `s`.
private let pvOfS = quarterHours(site: "s", meter: "inverter", quantity: "pv_production", value: "0.75")

@Suite("grid readings are kept only for sites whose PV the data shows, and files are read again when it does")
struct PVDiscoveryTests {
    let old = Date(timeIntervalSince1970: 1_700_000_000)

    /// The pilot's `energy.electricity.self_consumed_kwh` for site `s` in the reporting period, as in kpis.json.
    private func selfConsumed(_ pilot: StatefulPilot) throws -> String? {
        let json = try #require(pilot.scratch.read("output/p/kpis.json"))
        let prefix = "{\"key\": \"energy.electricity.self_consumed_kwh\", \"period\": \"reporting\", \"site\": \"s\", "
            + "\"value\": "
        guard let line = json.split(separator: "\n").map({ $0.drop { $0 == " " } }).first(where: { $0.hasPrefix(prefix) })
        else { return nil }
        return String(line.dropFirst(prefix.count).prefix { $0 != "," })
    }

    @Test("PV arriving in a later run makes the earlier grid file be read again; the reports equal a run with both")
    func pvArrivingLater() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("grid.csv", gridOfS, modified: old)
        try pilot.run()
        var ledger = try pilot.ledger()
        #expect(ledger.map(\.gridSitesWithoutReadings) == [["s"]])
        #expect(ledger.map(\.pvSites) == [[]])

        try pilot.write("pv.csv", pvOfS, modified: old)
        let (second, diagnostics) = try pilot.run()
        #expect(StatefulPilot.messages(diagnostics) == [
            "\(pilot.scratch.path("input/p/grid.csv")): read again for PV matching: it has grid data of site s, "
                + "which the new files show PV production for",
        ])
        #expect(second.outcomes[0].filesRead == 2 && second.outcomes[0].filesUnchanged == 0)
        ledger = try pilot.ledger()
        #expect(ledger.map(\.path) == ["p/grid.csv", "p/pv.csv"])
        #expect(ledger.map(\.gridSitesWithoutReadings) == [[], []])
        #expect(ledger.map(\.pvSites) == [[], ["s"]])
        // 8 quarter hours: production 0.75 − injection 0.25 = 0.5 kWh self-consumed each.
        #expect(try selfConsumed(pilot) == "4")

        let fresh = try StatefulPilot()
        defer { fresh.scratch.remove() }
        try fresh.write("grid.csv", gridOfS, modified: old)
        try fresh.write("pv.csv", pvOfS, modified: old)
        try fresh.run()
        #expect(pilot.outputs() == fresh.outputs())
        #expect(try pilot.run().0.nothingNew)
    }

    @Test("PV known from the state: a new grid file of that site keeps its readings and is read once")
    func pvKnownFromTheState() throws {
        let pilot = try StatefulPilot()
        defer { pilot.scratch.remove() }
        try pilot.write("pv.csv", pvOfS, modified: old)
        try pilot.run()
        try pilot.write("grid.csv", gridOfS, modified: old)
        let (_, diagnostics) = try pilot.run()
        #expect(StatefulPilot.messages(diagnostics).isEmpty)
        #expect(try pilot.ledger().map(\.gridSitesWithoutReadings) == [[], []])
        #expect(try selfConsumed(pilot) == "4")
    }

    @Test("in one run, files are read again only where a grid series meets a PV site; other sites keep no readings")
    func oneRun() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("input/p/a-grid.csv", gridOfS + quarterHours(
            site: "t", meter: "grid", quantity: "electricity_offtake", value: "2", header: false))
        try scratch.write("input/p/b-pv.csv", pvOfS)
        try scratch.write("input/p/c-grid-t.csv", quarterHours(site: "t", meter: "grid2",
                                                                quantity: "electricity_offtake", value: "3"))
        let definition = try DefinitionLoader.parse(yaml: StatefulPilot.definition.replacingOccurrences(
            of: "sites: [ { id: s, name: \"S\" } ]", with: "sites: [ { id: s, name: \"S\" }, { id: t, name: \"T\" } ]"),
            file: "pipelines/p.yaml", catalogue: .builtIn)
        let files = Discover.files(for: definition, inputRoot: scratch.path("input")).files
        #expect(files.map(\.relativePath) == ["p/a-grid.csv", "p/b-pv.csv", "p/c-grid-t.csv"])
        let reads = Mutex<[String]>([])
        let (results, pv) = PVDiscovery.readAll(files, definitions: ["p": definition], threads: 2) { index, _ in
            reads.withLock { $0.append(files[index].relativePath) }
        }
        #expect(pv == ["p": ["s"]])
        #expect(reads.withLock { $0.sorted() } == ["p/a-grid.csv", "p/a-grid.csv", "p/b-pv.csv", "p/c-grid-t.csv"])
        let readingsBySeries = Dictionary(uniqueKeysWithValues: results.flatMap(\.series).map {
            ("\($0.key)", $0.readings.count)
        })
        #expect(readingsBySeries == [
            "s/electricity_offtake/grid": 8, "s/electricity_injection/grid": 8, "s/pv_production/inverter": 8,
            "t/electricity_offtake/grid": 0, "t/electricity_offtake/grid2": 0,
        ])
        #expect(results.map(\.gridSitesWithoutReadings) == [["t"], [], ["t"]])
    }
}
