extension KPIEngine {
    /// Mobility KPIs (mobility.share.<mode>, mobility.shift_pp.<mode>, mobility.car_km_avoided, co2.avoided_modal_shift_t, mobility.counter.bike_share): not computed yet; the family adds no rows until it lands (issue: KPI engine).
    func mobilityKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.commuteTrips, .trips, .trafficBike]) else { return [] }
        return []
    }
}
