extension KPIEngine {
    /// Waste KPIs (waste.total_kg, waste.recycling_rate, waste.energy_recovery_share, waste.disposal_share, waste.residual_share, waste.hazardous_share): not computed yet; the family adds no rows until it lands (issue: KPI engine).
    func wasteKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.wasteMass]) else { return [] }
        return []
    }
}
