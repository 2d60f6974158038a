import ParkImpactModel
import ParkImpactDefinition

/// Rule "never a missing part as zero": a comparison (a change vs the baseline, a saving, a ratio) is null when one of
/// its parts, a carrier of a site, has data in one of the compared periods but none in the other, or when a part with
/// a source has no data in the period of a ratio. Partial data (some intervals, low coverage) keep the value with the
/// `low_coverage` flag; a carrier a site has no source for counts 0 in both periods.
///
/// Reason codes of the nulls these checks give (`KPIReasonCode`, `reason_code` in kpis.json):
/// - `part_missing_in_period`: "<carrier> of site <s> has data in <period A> but none in <period B>"
/// - `part_without_data`: "<carrier> of site <s> has a source but no data in this period" (a ratio in one period),
///   "<carrier> of site <s> has a source but no data in <period A> nor in <period B>" (a comparison)
extension KPIEngine {
    /// Per site of the scope and part (a quantity the site has a source for): the parts with data (present intervals)
    /// in one of the two periods and none in the other, as reasons ("natural gas of site logistiek has data in the
    /// baseline but none in the reporting period", code `part_missing_in_period`), and the parts with a source but
    /// data in neither period (code `part_without_data`). Empty when every part the sites have a source for has data
    /// in both periods.
    func comparisonGaps(_ parts: [(quantity: Quantity, what: ReasonSubject)], site: String?, _ first: ReportPeriod,
                        _ second: ReportPeriod) -> [KPIReason] {
        var gaps: [KPIReason] = []
        for siteID in scopeSites(site) {
            for part in parts where hasSeries(part.quantity, site: siteID) {
                let inFirst = totals(part.quantity, first, siteID).present > 0
                let inSecond = totals(part.quantity, second, siteID).present > 0
                if !inFirst && !inSecond {
                    // A source without data in either period: the part is unknown on both sides (code
                    // part_without_data), never 0 on both.
                    gaps.append(.partWithoutDataIn(part.what, site: siteID, first, second))
                    continue
                }
                guard inFirst != inSecond else { continue }
                let (with, without) = inFirst ? (first, second) : (second, first)
                gaps.append(.partMissing(part.what, site: siteID, with: with, without: without))
            }
        }
        return gaps
    }

    /// For the pilot total (per site of the scope): the parts a site has a source for with intervals expected in the
    /// period but none present ("natural gas of site logistiek has a source but no data in this period"). A PV series
    /// that starts after the period expects nothing and is not missing. Code: `part_without_data`.
    func partsWithoutData(_ parts: [(quantity: Quantity, what: ReasonSubject)], period: ReportPeriod, site: String?,
                          including: (String) -> Bool = { _ in true }) -> [KPIReason] {
        var missing: [KPIReason] = []
        for siteID in scopeSites(site) where including(siteID) {
            for part in parts where hasSeries(part.quantity, site: siteID) {
                let sums = totals(part.quantity, period, siteID)
                if sums.present == 0 && sums.expected > 0 {
                    missing.append(.partWithoutData(part.what, site: siteID))
                }
            }
        }
        return missing
    }
}
