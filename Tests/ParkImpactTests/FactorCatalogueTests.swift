import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactKPIs
@testable import ParkImpactReports

/// The emission-factor catalogue (`Resources/emission-factors.csv`, `docs/factors.md`): a strict parser, one direct
/// basis for Scope 1 and 2, every row with publisher, release, region, basis and status, and picks per data year.
@Suite struct FactorCatalogueTests {
    static let header = "id,value,unit,year,region,method,basis,publisher,release,status,source,note\n"

    static func parse(_ rows: String) throws -> FactorCatalogue {
        try FactorCatalogue.parse(csv: Array((header + rows).utf8), name: "f.csv")
    }

    static func error(_ rows: String, header: String = header) -> String? {
        do {
            _ = try FactorCatalogue.parse(csv: Array((header + rows).utf8), name: "f.csv")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aCompleteRowParses() throws {
        let catalogue = try Self.parse("x,0.5,kg CO2e/kWh,2024,BE,direct,combustion,P,v1,confirmed,Doc,\n")
        #expect(catalogue.factors == [EmissionFactor(
            id: "x", value: 0.5, unit: "kg CO2e/kWh", year: 2024, region: "BE", method: "direct", basis: "combustion",
            publisher: "P", release: "v1", status: .confirmed, source: "Doc", note: "")])
    }

    @Test func aRowWithoutStatusOrPublisherIsRejected() {
        #expect(Self.error("x,0.5,kg,2024,BE,direct,combustion,P,v1,,Doc,\n") == "f.csv:2: empty status")
        #expect(Self.error("x,0.5,kg,2024,BE,direct,combustion,,v1,confirmed,Doc,\n") == "f.csv:2: empty publisher")
        #expect(Self.error("x,0.5,kg,2024,,direct,,P,,confirmed,Doc,n\n") == "f.csv:2: empty region, basis, release")
        #expect(Self.error("x,0.5,kg,2024,BE,direct,combustion,P,v1,settled,Doc,\n")
            == "f.csv:2: status \"settled\" is not one of confirmed, unconfirmed")
        // The old eight-column layout: a wrong header and rows too short.
        #expect(Self.error("x,0.5,kg,2024,BE,direct,combustion,Doc\n",
                           header: "id,value,unit,year,region,method,basis,source\n")
            == "f.csv:1: header must be id,value,unit,year,region,method,basis,publisher,release,status,source,note\n"
            + "f.csv:2: expected 12 fields with a number value and a year")
    }

    @Test func everyBuiltInRowHasPublisherReleaseRegionBasisAndStatus() {
        let factors = FactorCatalogue.builtIn.factors
        #expect(factors.count == 19)
        for factor in factors {
            #expect(!factor.publisher.isEmpty && !factor.release.isEmpty && !factor.region.isEmpty
                && !factor.basis.isEmpty && !factor.source.isEmpty, "\(factor.id) \(factor.year)")
            #expect(FactorStatus.allCases.contains(factor.status))
        }
        // Only what is read in the publisher's document is confirmed: the zero for guarantees of origin (AIB FAQ) and
        // the zeros of walking and cycling (nothing burned or charged).
        #expect(factors.filter { $0.status == .confirmed }.map(\.id)
            == ["electricity.market.green", "transport.bike", "transport.walk"])
    }

    @Test("Scope 1 and 2 factors share one basis: direct emissions, nothing upstream")
    func scope1And2AreDirect() {
        let scope12 = FactorCatalogue.builtIn.factors.filter {
            $0.id.hasPrefix("electricity.") || $0.id.hasPrefix("natural_gas.")
        }
        #expect(scope12.count == 9)
        for factor in scope12 {
            #expect(factor.basis.hasPrefix("direct"), "\(factor.id) \(factor.year)")
            #expect(!factor.basis.lowercased().contains("includes upstream"))
            #expect(!factor.publisher.contains("Carbon Footprint"))
        }
        #expect(FactorCatalogue.builtIn.ids.filter { $0.hasPrefix("electricity.") || $0.hasPrefix("natural_gas.") }
            == ["electricity.location", "electricity.market.green", "electricity.market.grey", "natural_gas.hhv"])
        #expect(!FactorCatalogue.builtIn.factors.contains { $0.value == 0.18259 })
        #expect(!FactorCatalogue.builtIn.factors.contains { $0.source.contains("mobitool") })
    }

    /// IPCC 2006 default 56.1 t CO2/TJ (net) with CH4 5 kg/TJ × 29.8 and N2O 0.1 kg/TJ × 273 (AR6): 56,276.3 kg CO2e
    /// per TJ net; 1 TJ = 277,777.78 kWh → 0.2025947 kg/kWh net; × 0.90 (net = 0.90 × gross) = 0.1823352 kg/kWh gross.
    @Test func gasIsPerKWhGrossCalorificValue() throws {
        let gas = try #require(FactorCatalogue.builtIn.pick("natural_gas.hhv", year: 2024))
        #expect(gas.factor.value == 0.18234)
        #expect(abs((56_100 + 5 * 29.8 + 0.1 * 273) / 277_777.777_8 * 0.9 - gas.factor.value) < 5e-6)
        #expect(gas.factor.unit == "kg CO2e/kWh")
        #expect(gas.note == "no 2024 value in the catalogue; the 2006 value is used")
        #expect(!FactorCatalogue.builtIn.knows("natural_gas.lhv"))
    }

    @Test("electricity factors are picked by the year of consumption; a later year uses the latest and says so")
    func perDataYear() throws {
        func grey(_ year: Int) throws -> PickedFactor {
            try #require(FactorCatalogue.builtIn.pick("electricity.market.grey", year: year))
        }
        #expect(try [2022, 2023, 2024, 2025].map { try grey($0).factor.value } == [0.14427, 0.16749, 0.13173, 0.17101])
        #expect(try grey(2024).note == nil)
        #expect(try grey(2026).factor.year == 2025)
        #expect(try grey(2026).note == "no 2026 value in the catalogue; the 2025 value is used")
        #expect(try grey(2023).factor.unit == "kg CO2/kWh")
        let location = try [2022, 2023, 2024].map {
            try #require(FactorCatalogue.builtIn.pick("electricity.location", year: $0)).factor.value
        }
        #expect(location == [0.154, 0.150, 0.155])
        #expect(FactorCatalogue.builtIn.pick("electricity.location", year: 2023)?.factor.region == "BE")
    }

    @Test func commutingKeepsItsIdsOnOneBasis() {
        let ids = ["transport.bike", "transport.bus", "transport.car", "transport.ebike", "transport.motorbike", "transport.train",
                   "transport.tram", "transport.walk"]
        #expect(FactorCatalogue.builtIn.ids.filter { $0.hasPrefix("transport.") } == ids)
        for factor in FactorCatalogue.builtIn.factors where factor.id.hasPrefix("transport.") {
            #expect(factor.method == "tank-to-wheel" || factor.method == "direct", "\(factor.id)")
            #expect(factor.unit == "kg CO2e/pkm")
        }
        // E-bike: 0.01 kWh per km × the Belgian location factor of the year.
        #expect(FactorCatalogue.builtIn.pick("transport.ebike", year: 2024)?.factor.value == 0.00155)
    }

    @Test("an override is the pipeline's own value: unconfirmed, named as its source")
    func overrideIsUnconfirmed() throws {
        let picked = try #require(FactorCatalogue.builtIn.pick(
            "electricity.location", year: 2024, overrides: ["electricity.location": 0.2], overrideFile: "p.yaml"))
        #expect(picked.factor.status == .unconfirmed)
        #expect(picked.factor.publisher == "pipeline override")
        #expect(picked.factor.region == "BE")
    }

    @Test("kpis.json cites a catalogue factor with region, basis, publisher, release and status")
    func kpisJSONCarriesTheStatus() throws {
        let picked = try #require(FactorCatalogue.builtIn.pick("electricity.market.grey", year: 2026))
        #expect(KPIJSONWriter.factor(FactorReference(picked)) == "{\"id\": \"electricity.market.grey\", "
            + "\"value\": 0.17101, \"unit\": \"kg CO2/kWh\", \"year\": 2025, \"region\": \"BE\", "
            + "\"basis\": \"direct: residual mix, CO2 of combustion only\", "
            + "\"publisher\": \"Association of Issuing Bodies (AIB)\", "
            + "\"release\": \"European Residual Mixes 2025, v1.0\", "
            + "\"status\": \"unconfirmed\", "
            + "\"source\": \"AIB, European Residual Mixes 2025, https://www.aib-net.org/facts/european-residual-mix\", "
            + "\"note\": \"no 2026 value in the catalogue; the 2025 value is used\"}")
        // A price comes from the pipeline: no catalogue fields.
        #expect(KPIJSONWriter.factor(FactorReference(id: "price.gas", value: 0.1, unit: "EUR/kWh", year: 2024,
                                                   source: "p.yaml", note: nil))
            == "{\"id\": \"price.gas\", \"value\": 0.1, \"unit\": \"EUR/kWh\", \"year\": 2024, \"source\": \"p.yaml\"}")
    }
}
