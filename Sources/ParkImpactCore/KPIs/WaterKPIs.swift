extension KPIEngine {
    /// Water KPIs (water.m3, water.m3_per_fte, water.m3_per_m2, water.change_vs_baseline_pct, water.night_min_flow_m3h): not computed yet; the family adds no rows until it lands (issue: KPI engine).
    func waterKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.water]) else { return [] }
        return []
    }
}
