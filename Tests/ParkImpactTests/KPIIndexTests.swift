import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// `KPIIndex` finds what `PilotReport.kpi(_:period:site:)` finds (the first match in list order), whatever the order
/// of the list: runs of one period and scope as the engine writes them, runs that come back, duplicates.
@Suite struct KPIIndexTests {
    static func kpi(_ key: String, _ period: String, _ site: String?, _ value: Double) -> KPI {
        KPI(key: key, period: period, site: site, value: value, unit: .kWh, coverage: nil, flags: [],
            provenance: Provenance(formula: "f"))
    }

    @Test func findsTheFirstMatchLikeThePilotReport() throws {
        var kpis: [KPI] = []
        var value = 0.0
        for period in ["baseline", "reporting", "2024-01"] {
            for site in [nil, "a", "b"] as [String?] {
                for key in ["x", "y", "z"] {
                    kpis.append(Self.kpi(key, period, site, value))
                    value += 1
                }
            }
        }
        // A run that comes back, a duplicate within a run, a lone KPI at the end.
        kpis += [Self.kpi("w", "baseline", "a", 100), Self.kpi("x", "baseline", "a", 101),
                 Self.kpi("w", "baseline", "a", 102), Self.kpi("v", "2024-01", nil, 103)]
        let report = try ByteWriterTests.report(kpis: 0)
        let withKPIs = PilotReport(definition: report.definition, periods: [], kpis: kpis, files: [], rejects: [],
                                   factorsUsed: [], lastDataDate: nil, seriesCount: 0)
        let index = KPIIndex(kpis)
        for period in ["baseline", "reporting", "2024-01", "2025"] {
            for site in [nil, "a", "b", "c"] as [String?] {
                for key in ["v", "w", "x", "y", "z", "u"] {
                    #expect(index[key, period, site] == withKPIs.kpi(key, period: period, site: site))
                }
            }
        }
        #expect(index["x", "baseline", "a"]?.value == 3)
        #expect(index["w", "baseline", "a"]?.value == 100)
        #expect(KPIIndex([])["x", "baseline", nil] == nil)
    }
}
