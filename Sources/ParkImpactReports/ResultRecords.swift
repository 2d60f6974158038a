import Foundation
package import ParkImpactModel
import ParkImpactDefinition
public import ParkImpactKPIs

/// A pilot's results as records for a database (`PostgresStateStore.publish`): the text of each field exactly as the
/// pilot's kpis.json and daily.csv write it, so what a query returns is what the files say.
public enum ResultRecords {
    /// One KPI's fields (`kpis.json`): numbers with kpis.json's rounding, flags comma-separated, the factors' statuses
    /// space-separated as kpis.csv's `factor_status` (nil when no factor is cited), `provenance` as its JSON object.
    public struct KPIFields: Sendable {
        public let key, period, unit, flags, provenance: String
        public let site, value, coverage, estimatedShare, reason, reasonCode, factorStatus: String?
    }

    private static let provenanceMarker = Array("\"provenance\": ".utf8)

    /// Where the value of the `provenance` member starts in a KPI's object: after the first `"provenance": ` (the
    /// members before it are escaped strings and numbers, in which a quote is always escaped, so the first unescaped
    /// occurrence is the member's key).
    static func provenanceStart(_ object: [UInt8]) -> Int? {
        let marker = provenanceMarker
        guard object.count >= marker.count else { return nil }
        var index = 0
        while index <= object.count - marker.count {
            if object[index] == marker[0], object[index..<(index + marker.count)].elementsEqual(marker) {
                return index + marker.count
            }
            index += 1
        }
        return nil
    }

    public static func kpis(_ report: PilotReport) -> [KPIFields] {
        // A KPI's list of inputs is rendered once and copied for the KPIs with the same list.
        var inputLists = ListBytesCache()
        var fields: [KPIFields] = []
        fields.reserveCapacity(report.kpis.count)
        for kpi in report.kpis {
            func number(_ value: Double?, _ decimals: Int) -> String? {
                guard let value else { return nil }
                var out: [UInt8] = []
                MachineNumber.write(value, decimals: decimals, to: &out)
                return String(decoding: out, as: UTF8.self)
            }
            // The object kpis.json writes, from which the provenance object (its last member) is taken whole.
            var object: [UInt8] = []
            KPIJSONWriter.write(object: kpi, to: &object, inputLists: &inputLists)
            let provenance = provenanceStart(object)
                .map { String(decoding: object[$0..<(object.count - 1)], as: UTF8.self) } ?? "{}"
            let factors = kpi.provenance.factors
            fields.append(KPIFields(
                key: kpi.key, period: kpi.period, unit: kpi.unit.rawValue,
                flags: kpi.flags.map(\.rawValue).joined(separator: ","), provenance: provenance, site: kpi.site,
                value: number(kpi.value, MachineNumber.decimals(forUnit: kpi.unit)),
                coverage: number(kpi.coverage, 6), estimatedShare: number(kpi.estimatedShare, 6),
                reason: kpi.provenance.reason, reasonCode: kpi.provenance.reasonCode?.rawValue,
                factorStatus: factors.isEmpty ? nil
                    : factors.map { $0.status?.rawValue ?? "definition" }.joined(separator: " ")))
        }
        return fields
    }

    /// One series-day (`daily.csv`): the series key and its parts, the local day (`yyyy-mm-dd`), the sum as daily.csv
    /// writes it in the quantity's unit, the intervals present and missing.
    public struct DayFields: Sendable {
        public let series, site, quantity, meter, day, sum, unit: String
        public let intervals, missing: Int
    }

    package static func days(_ series: [IndexedSeries]) -> [DayFields] {
        var rows: [DayFields] = []
        rows.reserveCapacity(series.reduce(0) { $0 + $1.days.count })
        for data in series.sorted(by: { $0.key < $1.key }) {
            let key = data.key
            let name = key.description, unit = key.quantity.canonicalUnit.rawValue
            for (day, cell) in zip(data.days, data.cells) {
                var text: [UInt8] = []
                text.write(day: day)
                rows.append(DayFields(series: name, site: key.site, quantity: key.quantity.rawValue, meter: key.meter,
                                      day: String(decoding: text, as: UTF8.self), sum: cell.sum.description, unit: unit,
                                      intervals: Int(cell.present), missing: Int(cell.missing)))
            }
        }
        return rows
    }
}
