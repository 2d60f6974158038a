import ParkImpactModel
import ParkImpactDefinition

extension KPIEngine {
    /// Waste KPIs from collectors' records (one `waste_mass` series per EURAL code × treatment, `WasteCategory`):
    /// `waste.total_kg` and the shares of that mass going to recycling (R2–R11), energy recovery (R1), disposal (D),
    /// residual waste (20 03 01 + 19 12 12) and hazardous waste (`*`).
    ///
    /// Policies:
    /// - A collection counts in the period of its local collection date. Records of events have no coverage (nil).
    /// - Mass with an unknown treatment (`?`: the collector's report gave none) counts in the total and in none of the
    ///   treatment numerators, so a treatment share is never inflated by it; the three treatment shares then carry
    ///   the flag `unknown_treatment`. R12/R13 (intermediate storage or pre-treatment) count in the total only.
    /// - A waste series whose name is not a EURAL code + treatment (e.g. from `parkimpact-long`) is mass of unknown
    ///   code and treatment: in the total only; the shares carry `unknown_treatment` / `unknown_eural`.
    /// - Null with a reason when the scope has no waste series, no collection in the period, or collections
    ///   weighing 0 kg (shares only).
    func wasteKPIs(period: ReportPeriod, site: String?) -> [KPI] {
        guard hasSeries([.wasteMass]) else { return [] }
        let mass = wasteMasses(period, site)
        let inputs = mass.inputs.sorted()

        var reason: KPIReason?
        if mass.seriesCount == 0 {
            reason = .noSource(.wasteCollections, site: site)
        } else if mass.collections == 0 {
            reason = .noWasteCollections
        }
        let totalKPI = KPI(
            key: "waste.total_kg", period: period.key, site: site, value: reason == nil ? mass.total : nil, unit: .kg,
            coverage: nil, flags: [],
            provenance: Provenance(
                inputs: inputs,
                formula: "sum of the masses of the waste collections whose local collection date lies in the period, "
                    + "all EURAL codes and treatments (records of collections: no coverage)",
                reason: reason))

        let shareReason = reason ?? (mass.total > 0 ? nil : .zeroWaste)
        let unknownTreatment = mass.unknownTreatment > 0 ? [KPIFlag.unknownTreatment] : []
        let unknownCode = mass.unknownCode > 0 ? [KPIFlag.unknownEural] : []
        let treatmentNote = "; mass with an unknown treatment code counts in the total and in no treatment's numerator "
            + "(flag unknown_treatment)"
        let codeNote = "; mass without a readable EURAL code counts in the total only (flag unknown_eural)"
        func share(_ key: String, _ numerator: Double, _ formula: String, _ flags: [KPIFlag]) -> KPI {
            KPI(key: key, period: period.key, site: site, value: shareReason == nil ? numerator / mass.total : nil,
                unit: .ratio, coverage: nil, flags: shareReason == nil ? flags : [],
                provenance: Provenance(inputs: inputs, formula: formula, reason: shareReason))
        }
        return [
            totalKPI,
            share("waste.recycling_rate", mass.recycling,
                  "mass collected for recycling (treatment R2–R11) ÷ waste.total_kg; R1 (energy recovery), R12/R13 "
                      + "(intermediate) and D1–D15 count in the total only" + treatmentNote, unknownTreatment),
            share("waste.energy_recovery_share", mass.energyRecovery,
                  "mass collected for energy recovery (treatment R1) ÷ waste.total_kg" + treatmentNote, unknownTreatment),
            share("waste.disposal_share", mass.disposal,
                  "mass collected for disposal (treatment D1–D15) ÷ waste.total_kg" + treatmentNote, unknownTreatment),
            share("waste.residual_share", mass.residual,
                  "residual waste (EURAL 20 03 01 mixed municipal waste + 19 12 12 sorting residues, any treatment) "
                      + "÷ waste.total_kg" + codeNote, unknownCode),
            share("waste.hazardous_share", mass.hazardous,
                  "hazardous waste (EURAL code marked *, any treatment) ÷ waste.total_kg" + codeNote, unknownCode),
        ]
    }

    struct WasteMasses {
        var total = 0.0
        var recycling = 0.0
        var energyRecovery = 0.0
        var disposal = 0.0
        var residual = 0.0
        var hazardous = 0.0
        /// Treatment `?`, or a series name that is not a category.
        var unknownTreatment = 0.0
        /// A series name that is not a category (no EURAL code to read).
        var unknownCode = 0.0
        /// Collection records dated in the period.
        var collections = 0
        var seriesCount = 0
        var inputs: Set<String> = []
    }

    /// The scope's waste masses in the period, split by what the categories say.
    func wasteMasses(_ period: ReportPeriod, _ site: String?) -> WasteMasses {
        var masses = WasteMasses()
        for entry in seriesOf(.wasteMass, site: site) {
            masses.seriesCount += 1
            masses.inputs.formUnion(entry.inputs.filter { $0.overlaps(period) }.map(\.file))
            let part = entry.totals(from: period.firstDay, to: period.lastDay)
            masses.collections += Int(part.present)
            let kg = part.sum
            masses.total += kg
            guard let category = WasteCategory(meter: entry.key.meter) else {
                masses.unknownTreatment += kg
                masses.unknownCode += kg
                continue
            }
            if category.isRecycling { masses.recycling += kg }
            if category.isEnergyRecovery { masses.energyRecovery += kg }
            if category.isDisposal { masses.disposal += kg }
            if category.treatment == "?" { masses.unknownTreatment += kg }
            if category.isResidual { masses.residual += kg }
            if category.hazardous { masses.hazardous += kg }
        }
        return masses
    }
}
