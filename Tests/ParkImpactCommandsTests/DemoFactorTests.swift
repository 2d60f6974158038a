import Foundation
import Testing

/// The demo's CO2 KPIs against the factor catalogue, worked out by hand from the demo's own kWh (kpis.json) and the
/// catalogue values (docs/factors.md), and the status each KPI's factor carries.
///
/// Baseline 2023 / reporting 2024, pilot total (the green site brouwerij counts 0 market-based):
///   Scope 1:  863,911.24 kWh gas × 0.18234 = 157,525.576 kg;  773,222.716 × 0.18234 = 140,989.430 kg.
///   Scope 2 location: 2,602,005.28 kWh × 0.150 = 390,300.792 kg;  2,382,370.471 × 0.155 = 369,267.423 kg.
///   Scope 2 market: (acme 1,328,110.63 + logistiek 743,453.813) = 2,071,564.443 kWh × 0.16749 = 346,966.329 kg;
///                   (1,201,238.348 + 657,960.572) = 1,859,198.92 kWh × 0.13173 = 244,912.274 kg.
@Suite struct DemoFactorTests {
    static func kpis() throws -> [[String: Any]] {
        let path = DemoPipelineGoldenTests.run.output + "/demo-park/kpis.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(json["kpis"] as? [[String: Any]])
    }

    static func kpi(_ all: [[String: Any]], _ key: String, _ period: String) -> [String: Any]? {
        all.first { $0["key"] as? String == key && $0["period"] as? String == period && $0["site"] is NSNull }
    }

    @Test func co2EqualsKWhTimesTheFactorOfTheYear() throws {
        let all = try Self.kpis()
        let expected: [(String, String, Double)] = [
            ("co2.scope1_t", "baseline", 157.525576), ("co2.scope1_t", "reporting", 140.98943),
            ("co2.scope2_location_t", "baseline", 390.300792), ("co2.scope2_location_t", "reporting", 369.267423),
            ("co2.scope2_market_t", "baseline", 346.966329), ("co2.scope2_market_t", "reporting", 244.912274),
        ]
        for (key, period, tonnes) in expected {
            let value = Self.kpi(all, key, period)?["value"] as? Double
            #expect(value == tonnes, "\(key) \(period)")
        }
        // The kWh the figures above start from.
        #expect(Self.kpi(all, "energy.gas_kwh", "baseline")?["value"] as? Double == 863911.24)
        #expect(Self.kpi(all, "energy.electricity.offtake_kwh", "reporting")?["value"] as? Double == 2382370.471)
    }

    @Test("every KPI's factor in kpis.json names its region, basis and status")
    func provenanceCarriesTheStatus() throws {
        let all = try Self.kpis()
        let scope1 = try #require(Self.kpi(all, "co2.scope1_t", "reporting"))
        let provenance = try #require(scope1["provenance"] as? [String: Any])
        let factor = try #require(provenance["factor"] as? [String: Any])
        #expect(factor["id"] as? String == "natural_gas.hhv")
        #expect(factor["status"] as? String == "unconfirmed")
        #expect(factor["region"] as? String == "any")
        #expect((factor["basis"] as? String)?.hasPrefix("direct: combustion") == true)
        #expect(factor["note"] as? String == "no 2024 value in the catalogue; the 2006 value is used")
        let market = try #require(Self.kpi(all, "co2.scope2_market_t", "reporting"))
        let marketFactor = try #require((market["provenance"] as? [String: Any])?["factor"] as? [String: Any])
        #expect(marketFactor["year"] as? Int == 2024)
        #expect(marketFactor["region"] as? String == "BE")
        #expect(marketFactor["publisher"] as? String == "Association of Issuing Bodies (AIB)")
    }
}
