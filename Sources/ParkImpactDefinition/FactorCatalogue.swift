import CSVReading
import ParkImpactModel

/// One emission factor with where it comes from. Values are data (`Resources/emission-factors.csv`), never code.
public struct EmissionFactor: Sendable, Equatable {
    public let id: String
    public let value: Double
    public let unit: String
    public let year: Int
    public let region: String
    public let method: String
    public let basis: String
    public let source: String
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

    /// Reads a catalogue CSV with header `id,value,unit,year,region,method,basis,source`.
    public static func parse(csv: [UInt8], name: String) throws -> FactorCatalogue {
        let columns = ["id", "value", "unit", "year", "region", "method", "basis", "source"]
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
                problems.append("\(name):\(record.line): expected 8 fields with a number value and a year")
                return .proceed
            }
            factors.append(EmissionFactor(
                id: record.string(0), value: value, unit: record.string(2), year: year, region: record.string(4),
                method: record.string(5), basis: record.string(6), source: record.string(7)))
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
            return PickedFactor(
                factor: EmissionFactor(
                    id: id, value: value, unit: chosen.unit, year: year, region: chosen.region, method: chosen.method,
                    basis: chosen.basis, source: "override in \(overrideFile) (catalogue: \(chosen.source))"),
                note: nil)
        }
        return PickedFactor(factor: chosen, note: note)
    }
}

public struct PickedFactor: Sendable, Equatable {
    public let factor: EmissionFactor
    public let note: String?
}
