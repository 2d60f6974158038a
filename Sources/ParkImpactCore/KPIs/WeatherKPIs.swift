extension KPIEngine {
    /// Weather-normalised gas baseline (weather.hdd, baseline.gas.savings_kwh, baseline.gas.r2 / .cvrmse / .nmbe):
    /// not computed yet; the family adds no rows until it lands (issue: KPI engine).
    func weatherKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.temperature]) else { return [] }
        return []
    }
}
