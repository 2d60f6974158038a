import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The ESRS E1-6 and E1-5 data points (`esrs.*`): Scope 3 category 7 from the demo's commuting survey worked out by
/// hand, the totals and intensities as sums and ratios of the other data points, the energy mix, and the report's
/// ESRS tables. No CO2 figure of today's factor catalogue is written here: factors are read from the catalogue.
@Suite struct ESRSKPITests {
    /// The built-in catalogue: it has a factor for every mode the demo's surveys count.
    static let catalogueWithMotorbike: FactorCatalogue = .builtIn

    /// The built-in catalogue without `transport.motorbike`: a mode with commuters (the demo's surveys count motorbike
    /// commuters at every site) but no factor.
    static let catalogueWithoutMotorbike = FactorCatalogue(
        factors: FactorCatalogue.builtIn.factors.filter { $0.id != "transport.motorbike" })

    /// The demo pilot (its pipeline and its input folder), run with `catalogue`.
    static func demo(catalogue: FactorCatalogue, pipeline: (String) -> String = { $0 }) throws -> PilotReport {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let yaml = try String(contentsOf: packageRoot.appendingPathComponent("pipelines/demo-park.yaml"), encoding: .utf8)
        try scratch.write("pipelines/demo-park.yaml", pipeline(yaml))
        var folders = scratch.folders
        folders.input = packageRoot.appendingPathComponent("input").path
        let definition = try DefinitionLoader.load(file: scratch.root + "/pipelines/demo-park.yaml",
                                                   catalogue: catalogue)
        var diagnostics = Diagnostics()
        return PipelineRun.execute(definitions: [definition],
                                   context: .init(folders: folders, catalogue: catalogue, threads: 2),
                                   diagnostics: &diagnostics)[0].report!
    }

    static let demoWithMotorbike = Result { try demo(catalogue: catalogueWithMotorbike) }

    /// Passenger-km per mode of one site and year, read from the demo's survey file (`vestiging;jaar;vervoerwijze;
    /// aantal;gemiddelde afstand (km)`, decimal comma): commuters × average one-way distance.
    static func surveyPkm(site: String, year: String) throws -> [TransportMode: Double] {
        let path = packageRoot.appendingPathComponent("input/demo-park/mobility-survey/woon-werkverkeer_enquete_2023-2024.csv")
        let text = try String(contentsOf: path, encoding: .utf8)
        let modes: [String: TransportMode] = [
            "Auto (alleen)": .car, "Carpool": .carpool, "Motorfiets": .motorbike, "Bus": .bus, "Trein": .train,
            "Fiets": .bike, "Elektrische fiets": .ebike, "Te voet": .walk,
        ]
        var pkm: [TransportMode: Double] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ";").map(String.init)
            guard fields.count == 5, fields[0] == site, fields[1] == year else { continue }
            let count = Double(fields[3])!, distance = Double(fields[4].replacingOccurrences(of: ",", with: "."))!
            pkm[modes[fields[2]]!, default: 0] += count * distance
        }
        return pkm
    }

    /// ACME, reporting period 2024 (a calendar year: share 366/366 = 1), its survey of 2024-06-30:
    ///   Σ_mode pkm_mode × 2 trips/day × 220 days × factor_mode ÷ 1000, carpool factor = transport.car ÷ occupancy,
    /// the occupancy from ACME's 2024 carpool trip logs (Σ distance × occupancy ÷ Σ distance), factors read from the
    /// catalogue by the survey's year.
    @Test func scope3CategorySevenOfOneDemoSiteByHand() throws {
        let report = try Self.demoWithMotorbike.get()
        let catalogue = Self.catalogueWithMotorbike
        let pkm = try Self.surveyPkm(site: "acme", year: "2024")
        #expect(pkm.count == 8)
        // ACME's carpool occupancy in 2024 from its trip logs: Σ trip_pkm ÷ Σ trip_km, read back from the logs here.
        let trips = try String(contentsOf: packageRoot.appendingPathComponent(
            "input/demo-park/mobility-trips/acme_carpool_shuttle_ritten_2024.csv"), encoding: .utf8)
        let occupancy = try #require(Self.carpoolOccupancy(trips))
        var kg = 0.0
        for (mode, passengerKm) in pkm {
            let id = mode == .carpool ? "transport.car" : "transport.\(mode.rawValue)"
            let factor = try #require(catalogue.pick(id, year: 2024)).factor.value
            kg += passengerKm * 2 * 220 * (mode == .carpool ? factor / occupancy : factor)
        }
        let kpi = try #require(report.kpi("esrs.e1_6.scope3_cat7_commuting_t", period: "reporting", site: "acme"))
        #expect(close(kpi.value, kg / 1000))
        #expect(kpi.unit == .tonnesCO2e)
        #expect(kpi.flags.isEmpty)  // logged occupancy, annualised
        #expect(kpi.provenance.factors.contains { $0.id == "transport.motorbike" })
        #expect(kpi.provenance.inputs.contains { $0.hasSuffix("woon-werkverkeer_enquete_2023-2024.csv") })
        // Gross Scope 3 is category 7 alone.
        #expect(report.kpi("esrs.e1_6.gross_scope3_t", period: "reporting", site: "acme")?.value == kpi.value)
    }

    /// Σ distance × occupancy ÷ Σ distance of the carpool rows of the demo's trips file (`start,mode,distance_km,
    /// occupancy`): the carpool occupancy of ACME's logs.
    static func carpoolOccupancy(_ text: String) -> Double? {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let names = lines[0].split(separator: ",").map(String.init)
        guard let mode = names.firstIndex(of: "mode"), let km = names.firstIndex(of: "distance_km"),
              let people = names.firstIndex(of: "occupancy") else { return nil }
        var pkm = 0.0, vkm = 0.0
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == names.count, fields[mode] == "carpool", let distance = Double(fields[km]),
                  let count = Double(fields[people]) else { continue }
            pkm += distance * count
            vkm += distance
        }
        return vkm > 0 ? pkm / vkm : nil
    }

    /// Totals are the sums of their parts, the pilot's category 7 the sum of its sites', the intensities the totals
    /// over Σ fte (120 + 45 + 80 = 245) and Σ floor area (5,400 + 2,600 + 12,000 = 20,000 m²), in every period.
    @Test func totalsAndIntensitiesFollowFromTheirParts() throws {
        let report = try Self.demoWithMotorbike.get()
        for period in ["baseline", "reporting", "2023", "2024"] {
            func value(_ key: String, _ site: String? = nil) -> Double? { report.kpi(key, period: period, site: site)?.value }
            for site in [nil, "acme", "brouwerij", "logistiek"] as [String?] {
                let s1 = try #require(value("esrs.e1_6.gross_scope1_t", site))
                let loc = try #require(value("esrs.e1_6.gross_scope2_location_t", site))
                let mkt = try #require(value("esrs.e1_6.gross_scope2_market_t", site))
                let s3 = try #require(value("esrs.e1_6.gross_scope3_t", site))
                #expect(close(value("esrs.e1_6.total_location_t", site), s1 + loc + s3))
                #expect(close(value("esrs.e1_6.total_market_t", site), s1 + mkt + s3))
                #expect(value("esrs.e1_6.gross_scope2_market_t", site) == value("co2.scope2_market_t", site))
                // E1-5: total = fossil + renewable + residual-mix grid electricity; renewable = its two parts.
                let total = try #require(value("esrs.e1_5.total_energy_mwh", site))
                let renewable = try #require(value("esrs.e1_5.renewable_mwh", site))
                #expect(close(total, try #require(value("esrs.e1_5.fossil_mwh", site)) + renewable
                    + (try #require(value("esrs.e1_5.grid_residual_mix_mwh", site)))))
                #expect(close(renewable, try #require(value("esrs.e1_5.renewable_purchased_electricity_mwh", site))
                    + (try #require(value("esrs.e1_5.renewable_self_generated_mwh", site)))))
                #expect(value("esrs.e1_5.total_energy_mwh", site) == value("energy.total_mwh", site))
            }
            let sites = ["acme", "brouwerij", "logistiek"]
            let cat7 = sites.map { value("esrs.e1_6.scope3_cat7_commuting_t", $0)! }.reduce(0, +)
            #expect(close(value("esrs.e1_6.scope3_cat7_commuting_t"), cat7))
            let totalMarket = try #require(value("esrs.e1_6.total_market_t"))
            let totalLocation = try #require(value("esrs.e1_6.total_location_t"))
            #expect(close(value("esrs.e1_6.total_market_t_per_fte"), totalMarket / 245))
            #expect(close(value("esrs.e1_6.total_location_t_per_fte"), totalLocation / 245))
            #expect(close(value("esrs.e1_6.total_market_kg_per_m2"), totalMarket * 1000 / 20_000))
            #expect(close(value("esrs.e1_6.total_location_kg_per_m2"), totalLocation * 1000 / 20_000))
            #expect(close(value("esrs.e1_6.total_market_t_per_fte", "acme"),
                          value("esrs.e1_6.total_market_t", "acme")! / 120))
            let energy = try #require(value("esrs.e1_5.total_energy_mwh"))
            #expect(close(value("esrs.e1_5.energy_mwh_per_fte"), energy / 245))
            #expect(close(value("esrs.e1_5.energy_kwh_per_m2"), energy * 1000 / 20_000))
        }
        // Logistiek has no gas connection: co2.scope1_t is null (no source), its ESRS Scope 1 is 0.
        #expect(report.kpi("co2.scope1_t", period: "reporting", site: "logistiek")?.value == nil)
        #expect(report.kpi("esrs.e1_6.gross_scope1_t", period: "reporting", site: "logistiek")?.value == 0)
        // Nuclear: unknown where grey-contract offtake is (residual mix), 0 at the green-contract brewery.
        let nuclear = try #require(report.kpi("esrs.e1_5.nuclear_mwh", period: "reporting"))
        #expect(nuclear.value == nil && nuclear.provenance.reasonCode == .noSourceSplit)
        #expect(nuclear.provenance.reason?.contains("acme, logistiek") == true)
        #expect(report.kpi("esrs.e1_5.nuclear_mwh", period: "reporting", site: "brouwerij")?.value == 0)
        // Self-generated renewable before the PV's commissioning (2024-04-01): 0, not null.
        #expect(report.kpi("esrs.e1_5.renewable_self_generated_mwh", period: "baseline", site: "logistiek")?.value == 0)
        #expect(report.kpi("esrs.e1_5.renewable_self_generated_mwh", period: "reporting", site: "logistiek")?.value
            == report.kpi("energy.electricity.self_consumed_kwh", period: "reporting", site: "logistiek")!.value! / 1000)
        // Annual disclosures: no month.
        #expect(report.kpis.filter { $0.key.hasPrefix("esrs.") && $0.period.count == 7 }.isEmpty)
    }

    /// A mode with commuters but no factor, a pipeline without `mobility:`, a site without a survey: null with the
    /// reason, and so are the totals built on it (never a partial sum).
    @Test func scope3IsNullRatherThanPartial() throws {
        let noFactor = try Self.demo(catalogue: Self.catalogueWithoutMotorbike)
        let missing = try #require(noFactor.kpi("esrs.e1_6.scope3_cat7_commuting_t", period: "reporting", site: "acme"))
        #expect(missing.value == nil && missing.provenance.reasonCode == .noFactor)
        #expect(missing.provenance.reason?.contains("transport.motorbike") == true)
        let total = try #require(noFactor.kpi("esrs.e1_6.total_market_t", period: "reporting"))
        #expect(total.value == nil && total.provenance.reason?.hasPrefix("esrs.e1_6.gross_scope3_t is null: ") == true)
        let notAnnualised = try Self.demo(catalogue: Self.catalogueWithMotorbike) {
            $0.replacingOccurrences(of: "mobility: { commuting_days_per_year: 220, trips_per_day: 2 }", with: "")
        }
        let kpi = try #require(notAnnualised.kpi("esrs.e1_6.scope3_cat7_commuting_t", period: "reporting"))
        #expect(kpi.value == nil && kpi.provenance.reasonCode == .notAnnualised)
        // A fourth site without a survey: its own value and the pilot's are null (no_survey).
        let extraSite = try Self.demo(catalogue: Self.catalogueWithMotorbike) {
            $0.replacingOccurrences(of: "sources:\n", with: "  - { id: extra, name: Extra, fte: 5 }\nsources:\n")
        }
        let pilot = try #require(extraSite.kpi("esrs.e1_6.scope3_cat7_commuting_t", period: "reporting"))
        #expect(pilot.value == nil && pilot.provenance.reasonCode == .noSurvey)
        #expect(pilot.provenance.reason?.contains("for site extra") == true)
        #expect(extraSite.kpi("esrs.e1_6.scope3_cat7_commuting_t", period: "reporting", site: "acme")?.value != nil)
        // Its floor area is missing: the pilot's intensity per m² says which site lacks it.
        let perM2 = try #require(extraSite.kpi("esrs.e1_5.energy_kwh_per_m2", period: "reporting"))
        #expect(perM2.value == nil && perM2.provenance.reasonCode == .noSiteValue)
        #expect(perM2.provenance.reason == "no floor_area_m2 for site extra in the pipeline definition")
    }

    // MARK: Report

    /// One site with daily gas, 10 kWh a day in 2023 (365 days: 3,650 kWh = 3.65 MWh) and 8 kWh a day in 2024
    /// (366 days: 2,928 kWh = 2.928 MWh): fossil = natural gas, change (2,928 − 3,650) ÷ 3,650 = −19.78 %.
    static func gasPilot(language: String) throws -> PilotReport {
        var rows = ["timestamp,site,series,quantity,value,unit,quality"]
        for year in [2023, 2024] {
            let first = CivilDate(year: year, month: 1, day: 1)!.dayNumber
            let last = CivilDate(year: year, month: 12, day: 31)!.dayNumber
            for day in first...last {
                rows.append("\(CivilDate(dayNumber: day))T12:00:00Z,a,gas-a,gas,\(year == 2023 ? 10 : 8),kWh,measured")
            }
        }
        return try runPilot("esrs", yaml: """
            pilot: esrs
            name: ESRS
            language: \(language)
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: a, name: A, fte: 10 }
            sources:
              - { path: "*.csv", format: parkimpact-long }
            """, files: ["gas.csv": rows.joined(separator: "\n") + "\n"])
    }

    /// Numbers in the report's language, a no-break space before `%`.
    @Test func theReportShowsTheESRSTablesInBothLanguages() throws {
        let nl = HTMLReport.render(try Self.gasPilot(language: "nl"))
        #expect(nl.contains("<tr><th scope=\"row\" title=\"esrs.e1_5.fossil_mwh\">uit fossiele bronnen (gekend deel: "
            + "aardgas)</th><td>E1-5 §37(a)</td><td>MWh</td><td class=\"num\">3,7</td><td class=\"num\">3,7</td>"
            + "<td class=\"num\">2,9</td><td class=\"num\">−19,8\u{A0}%</td></tr>"))
        #expect(nl.contains("<th scope=\"col\" class=\"num\">Referentie 2023</th><th scope=\"col\" class=\"num\">"
            + "Vorig jaar 2023</th><th scope=\"col\" class=\"num\">Rapportage 2024</th>"))
        #expect(nl.contains("Het vorige jaar (2023) valt samen met de referentieperiode: dezelfde cijfers."))
        // The ESRS section comes right after the headline.
        let headline = try #require(nl.range(of: "<section id=\"headline\">"))
        let esrs = try #require(nl.range(of: "<section id=\"esrs\">"))
        let afterHeadline = try #require(nl.range(of: "</section>", range: headline.upperBound..<nl.endIndex))
        #expect(afterHeadline.upperBound <= esrs.lowerBound)
        #expect(!nl[afterHeadline.upperBound..<esrs.lowerBound].contains("<section"))
        // Energy intensity per FTE: 2.928 MWh ÷ 10 FTE = 0.2928 → 0,29 MWh/VTE.
        #expect(nl.contains("<td>MWh/VTE</td><td class=\"num\">0,37</td><td class=\"num\">0,37</td>"
            + "<td class=\"num\">0,29</td>"))

        let en = HTMLReport.render(try Self.gasPilot(language: "en"))
        #expect(en.contains("<tr><th scope=\"row\" title=\"esrs.e1_5.fossil_mwh\">from fossil sources (known part: "
            + "natural gas)</th><td>E1-5 §37(a)</td><td>MWh</td><td class=\"num\">3.7</td><td class=\"num\">3.7</td>"
            + "<td class=\"num\">2.9</td><td class=\"num\">−19.8\u{A0}%</td></tr>"))
        #expect(en.contains("The previous year (2023) is the baseline period: the same figures."))
        // No survey: Scope 3 and the totals are "—" with the reason, rendered in the report's language.
        #expect(en.contains("no source delivers a commuting survey for this pilot"))
        #expect(nl.contains("geen bron levert een pendelenquête voor deze pilot"))
    }
}
