import Foundation
import Testing

/// A comparison with a missing part, as a user sees it from `parkimpact run`: kpis.csv, the Dutch report and the
/// portfolio. Site `l` has 5,000 kWh of gas in 2023 and none in 2024; site `a` has gas and offtake in both years.
@Suite struct MissingPartCommandTests {
    @Test("a site's carrier missing in the reporting period makes the change null in kpis.csv, report and portfolio")
    func changeWithAMissingCarrier() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/gaps.yaml", """
            pilot: gaps
            name: "Gaps"
            language: nl
            periods:
              baseline:  { from: 2023-01-01, to: 2023-12-31 }
              reporting: { from: 2024-01-01, to: 2024-12-31 }
            sites:
              - { id: a, name: "A" }
              - { id: l, name: "L" }
            sources:
              - { path: "*.csv", format: parkimpact-long }
            """)
        try scratch.write("input/gaps/data.csv", """
            timestamp,site,series,quantity,value,unit,quality,end
            2023-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,100,kWh,measured,2023-01-11T00:00:00+01:00
            2024-01-10T00:00:00+01:00,a,ean-a,electricity_offtake,90,kWh,measured,2024-01-11T00:00:00+01:00
            2023-01-10T00:00:00+01:00,a,gas-a,gas,1000,kWh,measured,2023-01-11T00:00:00+01:00
            2024-01-10T00:00:00+01:00,a,gas-a,gas,800,kWh,measured,2024-01-11T00:00:00+01:00
            2023-02-01T00:00:00+01:00,l,ean-l,electricity_offtake,300,kWh,measured,2023-02-02T00:00:00+01:00
            2024-02-01T00:00:00+01:00,l,ean-l,electricity_offtake,310,kWh,measured,2024-02-02T00:00:00+01:00
            2023-02-01T00:00:00+01:00,l,gas-l,gas,5000,kWh,measured,2023-02-02T00:00:00+01:00

            """)
        #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"),
                            "--input", scratch.path("input"), "--output", scratch.path("output")]) == 0)
        let reason = "natural gas of site l has data in the baseline but none in the reporting period"
        let csv = try #require(scratch.read("output/gaps/kpis.csv"))
        let row = try #require(csv.components(separatedBy: "\r\n").first {
            $0.hasPrefix("co2.change_vs_baseline_pct;reporting;;")
        })
        #expect(row.hasPrefix("co2.change_vs_baseline_pct;reporting;;;%;"))  // no value (a Dutch pilot: `;`)
        #expect(row.contains(reason))
        let report = try #require(scratch.read("output/gaps/report.html"))
        #expect(report.contains("aardgas van site l heeft gegevens in de referentieperiode maar geen in de "
            + "rapportageperiode"))
        // The report's own change columns (KPI table, headline card, CO2 by scope) do not compare the pilot's gas of
        // a + l (6,000 kWh) with a's alone (800 kWh): −86,7 % is never shown, the reason is.
        #expect(report.contains("title=\"geen vergelijking: site l heeft een waarde in één periode en geen in de "
            + "andere; de verandering zou het ontbrekende deel als 0 tellen\">—</span>"))
        #expect(!report.contains("86,7"))
        let index = try #require(scratch.read("output/index.html"))
        // The portfolio of this Dutch pilot is Dutch: the reason too.
        #expect(index.contains("data-sort=\"\"><span class=\"na\" title=\"aardgas van site l heeft gegevens in de "
            + "referentieperiode maar geen in de rapportageperiode\">—</span>"))
        #expect(!index.contains("lower bound"))
    }
}
