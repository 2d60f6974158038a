extension KPIEngine {
    /// Cost per result (cost.energy_avoided_eur, cost.eur_per_t_co2_avoided, cost.payback_years): not computed yet;
    /// the family adds no rows until it lands (issue: KPI engine).
    func costKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        []
    }
}
