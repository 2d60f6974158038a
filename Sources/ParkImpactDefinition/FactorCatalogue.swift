import CSVReading
import ParkImpactModel

/// Whether a factor's value was read in its publisher's document (`confirmed`) or comes from desk research only
/// (`unconfirmed`): reports mark unconfirmed factors, kpis.json carries the status per KPI.
public enum FactorStatus: String, Sendable, Equatable, CaseIterable {
    case confirmed, unconfirmed
}

/// One emission factor with where it comes from. Values are data (`Resources/emission-factors.csv`), never code.
public struct EmissionFactor: Sendable, Equatable {
    public let id: String
    public let value: Double
    public let unit: String
    /// The data year: the year of consumption the value describes (picked by `FactorCatalogue.pick`).
    public let year: Int
    /// Where the value applies: an ISO 3166 country code, or `any` for values that do not depend on the place.
    public let region: String
    public let method: String
    /// What the value counts (direct combustion, tank-to-wheel, …; gases; calorific basis).
    public let basis: String
    public let publisher: String
    /// The edition, version or date of the publisher's document.
    public let release: String
    public let status: FactorStatus
    /// The document: title and URL.
    public let source: String
    /// The arithmetic from the published figure to `value`, and why the status is what it is.
    public let note: String

    public init(id: String, value: Double, unit: String, year: Int, region: String, method: String, basis: String,
                publisher: String, release: String, status: FactorStatus, source: String, note: String = "") {
        self.id = id
        self.value = value
        self.unit = unit
        self.year = year
        self.region = region
        self.method = method
        self.basis = basis
        self.publisher = publisher
        self.release = release
        self.status = status
        self.source = source
        self.note = note
    }
}

/// The emission-factor catalogue: built in (from `emission-factors.csv`), picked by consumption year.
public struct FactorCatalogue: Sendable {
    public let factors: [EmissionFactor]

    public init(factors: [EmissionFactor]) {
        self.factors = factors.sorted { ($0.id, $0.year) < ($1.id, $1.year) }
    }

    /// The catalogue compiled into the binary from `Sources/ParkImpactDefinition/Resources/emission-factors.csv`.
    public static let builtIn: FactorCatalogue = {
        do {
            return try parse(csv: PackageResources.emission_factors_csv, name: "emission-factors.csv")
        } catch {
            fatalError("the built-in emission-factors.csv is invalid: \(error)")
        }
    }()

    /// The first 12 hex digits of the SHA-256 of the built-in `emission-factors.csv` bytes, computed from the
    /// embedded resource: names the catalogue a report used (`parkimpact --version`, report footer, kpis.json/csv).
    public static let builtInDigest: String = String(FileDigest.sha256(bytes: PackageResources.emission_factors_csv)
        .prefix(12))

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The header `parse` requires, in this order.
    public static let columns = ["id", "value", "unit", "year", "region", "method", "basis", "publisher", "release",
                                 "status", "source", "note"]

    /// Reads a catalogue CSV with header `columns`: every field but `note` non-empty, `status` one of
    /// `FactorStatus`; any problem rejects the whole file.
    public static func parse(csv: [UInt8], name: String) throws -> FactorCatalogue {
        let columns = Self.columns
        var factors: [EmissionFactor] = []
        var problems: [String] = []
        var source = CSVMemorySource(csv)
        _ = try CSVStreamReader(dialect: CSVDialect()).read(from: &source, onRecord: { record in
            if record.line == 1 {
                if record.strings != columns { problems.append("\(name):1: header must be \(columns.joined(separator: ","))") }
                return .proceed
            }
            guard record.fieldCount == columns.count,
                  let value = FieldParsing.decimal(record[1], decimalMark: UInt8(ascii: ".")),
                  let year = FieldParsing.digits(record[3], 0, 4) else {
                problems.append("\(name):\(record.line): expected \(columns.count) fields with a number value and a year")
                return .proceed
            }
            let empty = columns.indices.filter { $0 != columns.count - 1 && record.string($0).isEmpty }
            if !empty.isEmpty {
                problems.append("\(name):\(record.line): empty \(empty.map { columns[$0] }.joined(separator: ", "))")
                return .proceed
            }
            guard let status = FactorStatus(rawValue: record.string(9)) else {
                problems.append("\(name):\(record.line): status \"\(record.string(9))\" is not one of "
                    + FactorStatus.allCases.map(\.rawValue).joined(separator: ", "))
                return .proceed
            }
            factors.append(EmissionFactor(
                id: record.string(0), value: value, unit: record.string(2), year: year, region: record.string(4),
                method: record.string(5), basis: record.string(6), publisher: record.string(7),
                release: record.string(8), status: status, source: record.string(10), note: record.string(11)))
            return .proceed
        }, onMalformed: { problems.append("\(name):\($0.line): \($0.reason)") })
        guard problems.isEmpty else { throw ParseError(description: problems.joined(separator: "\n")) }
        return FactorCatalogue(factors: factors)
    }

    public var ids: [String] {
        var seen: [String] = []
        for factor in factors where !seen.contains(factor.id) { seen.append(factor.id) }
        return seen
    }

    public func knows(_ id: String) -> Bool { factors.contains { $0.id == id } }

    /// The factor for consumption in `year`: that year's value, else the latest earlier year, else the earliest
    /// later year (the choice is stated in `note`). A pipeline override replaces the value and names itself.
    public func pick(_ id: String, year: Int, overrides: [String: Double] = [:], overrideFile: String = "")
        -> PickedFactor? {
        let candidates = factors.filter { $0.id == id }
        guard !candidates.isEmpty else { return nil }
        let chosen = candidates.last { $0.year <= year } ?? candidates.first!
        var note: String?
        if chosen.year != year {
            note = "no \(year) value in the catalogue; the \(chosen.year) value is used"
        }
        if let value = overrides[id] {
            // The pipeline's own value: nothing here confirms it, so it counts as unconfirmed.
            return PickedFactor(
                factor: EmissionFactor(
                    id: id, value: value, unit: chosen.unit, year: year, region: chosen.region, method: chosen.method,
                    basis: chosen.basis, publisher: "pipeline override", release: overrideFile, status: .unconfirmed,
                    source: "override in \(overrideFile) (catalogue: \(chosen.source))"),
                note: nil)
        }
        return PickedFactor(factor: chosen, note: note)
    }
}

public struct PickedFactor: Sendable, Equatable {
    public let factor: EmissionFactor
    public let note: String?
}
