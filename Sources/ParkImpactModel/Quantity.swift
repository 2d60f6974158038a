/// What a series measures. Raw values are names users write in `parkimpact-long` files and YAML.
public enum Quantity: String, Sendable, CaseIterable, Codable, Comparable {
    case electricityOfftake = "electricity_offtake"
    case electricityInjection = "electricity_injection"
    case pvProduction = "pv_production"
    /// Site consumption as an inverter or energy manager reports it (`Load`): not grid offtake.
    case electricityConsumption = "electricity_consumption"
    /// A peak power register (Fluvius `Piekvermogen`, kW): its cells keep the maximum, never a sum.
    case electricityPeak = "electricity_peak"
    case gas
    case water
    case temperature
    /// Road users counted past a point (Telraam, Eco-Counter): indicators, not commuters' trips.
    case trafficPedestrian = "traffic_pedestrian"
    case trafficBike = "traffic_bike"
    case trafficCar = "traffic_car"
    case trafficHeavy = "traffic_heavy"
    /// Waste handed to a collector (kg), one series per EURAL code and treatment (`WasteCategory`).
    case wasteMass = "waste_mass"
    /// Commuting survey: trips (or shares) per main mode on the survey's reference date; meter = mode.
    case commuteTrips = "commute_trips"
    /// Commuting survey: passenger-km per main mode (trips × average distance); meter = mode.
    case commutePassengerKm = "commute_pkm"
    /// Trip logs (shuttles, bike sharing, carpool apps): trips, vehicle-km and passenger-km per mode; meter = mode.
    case trips
    case tripKm = "trip_km"
    case tripPassengerKm = "trip_pkm"
    /// Derived by PV matching (`PVMatching`), never read from a file: self-consumed PV electricity per matched
    /// interval, min(max(production − injection, 0), production).
    case electricitySelfConsumed = "electricity_self_consumed"
    /// Derived by PV matching: the PV production of the matched intervals (the ratios' denominator).
    case pvProductionMatched = "pv_production_matched"
    /// Derived by PV matching: the grid offtake of the matched intervals (for self-sufficiency).
    case electricityOfftakeMatched = "electricity_offtake_matched"

    /// The unit every value of this quantity is stored in.
    public var canonicalUnit: MeasurementUnit {
        switch self {
        case .electricityOfftake, .electricityInjection, .pvProduction, .electricityConsumption, .gas,
             .electricitySelfConsumed, .pvProductionMatched, .electricityOfftakeMatched:
            return .kilowattHour
        case .water: return .cubicMetre
        case .temperature: return .degreeCelsius
        case .trafficPedestrian, .trafficBike, .trafficCar, .trafficHeavy, .commuteTrips, .trips: return .count
        case .electricityPeak: return .kilowatt
        case .wasteMass: return .kilogram
        case .commutePassengerKm, .tripKm, .tripPassengerKm: return .kilometre
        }
    }

    /// Records of events (a collection, a trip, a survey), not a metered series with intervals: no coverage.
    public var isEvent: Bool {
        switch self {
        case .wasteMass, .commuteTrips, .commutePassengerKm, .trips, .tripKm, .tripPassengerKm: return true
        default: return false
        }
    }

    /// Only a temperature can be below zero: a negative energy, volume, count, mass or distance is rejected
    /// (`negative_value`).
    public var canBeNegative: Bool { self == .temperature }

    /// Interval values add up over time; a temperature is averaged instead.
    public var isAdditive: Bool { self != .temperature && self != .electricityPeak }

    /// Whether the series counts in data coverage: metered interval series do; records of events, peak
    /// registers (one value per billing month) and derived series (computed from series that already count) do not.
    public var hasCoverage: Bool { !isEvent && self != .electricityPeak && !isDerived }

    /// Computed by a stage after the merge (PV matching), never read from an input: refused in `parkimpact-long`
    /// files and in the YAML.
    public var isDerived: Bool {
        switch self {
        case .electricitySelfConsumed, .pvProductionMatched, .electricityOfftakeMatched: return true
        default: return false
        }
    }

    /// The quantities an input may name (`parkimpact-long`, a source's `quantity:`, generic `values`).
    public static var inputCases: [Quantity] { allCases.filter { !$0.isDerived } }

    /// Parses a quantity an input names; nil for unknown and derived names.
    public init?(inputName: String) {
        guard let quantity = Quantity(rawValue: inputName), !quantity.isDerived else { return nil }
        self = quantity
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Units ParkImpact converts from. Conversion factors are exact definitions (SI), not emission data.
public enum MeasurementUnit: String, Sendable, CaseIterable, Codable {
    case wattHour = "Wh"
    case kilowattHour = "kWh"
    case megawattHour = "MWh"
    case cubicMetre = "m3"
    case litre = "l"
    case decilitre = "dl"
    case degreeCelsius = "degC"
    case count
    case kilogram = "kg"
    case tonne = "t"
    case kilometre = "km"
    case kilowatt = "kW"

    /// Parses the spellings found in exports: `kWh`, `KWH`, `m³`, `m3`, `°C`, `degC`, ...
    public init?(spelling: String) {
        switch spelling.trimmingSpaces.lowercased() {
        case "wh": self = .wattHour
        case "kwh": self = .kilowattHour
        case "mwh": self = .megawattHour
        case "m3", "m³", "m^3": self = .cubicMetre
        case "l", "liter", "litre": self = .litre
        case "dl": self = .decilitre
        case "°c", "degc", "c", "celsius": self = .degreeCelsius
        case "count", "n", "#": self = .count
        case "kg", "kilogram": self = .kilogram
        case "t", "ton", "tonne", "tonnes": self = .tonne
        case "km", "pkm": self = .kilometre
        case "kw": self = .kilowatt
        default: return nil
        }
    }

    /// The quantity dimension, to check that a unit fits a quantity.
    var dimension: String {
        switch self {
        case .wattHour, .kilowattHour, .megawattHour: return "energy"
        case .cubicMetre, .litre, .decilitre: return "volume"
        case .degreeCelsius: return "temperature"
        case .count: return "count"
        case .kilogram, .tonne: return "mass"
        case .kilometre: return "distance"
        case .kilowatt: return "power"
        }
    }

    /// Multiplier to the canonical unit of the same dimension (kWh, m³, °C).
    var toCanonical: Double {
        switch self {
        case .wattHour: return 0.001
        case .kilowattHour: return 1
        case .megawattHour: return 1000
        case .cubicMetre: return 1
        case .litre: return 0.001
        case .decilitre: return 0.0001
        case .degreeCelsius: return 1
        case .count: return 1
        case .kilogram: return 1
        case .tonne: return 1000
        case .kilometre: return 1
        case .kilowatt: return 1
        }
    }

    /// The factor converting this unit into `quantity`'s canonical unit, or nil when they do not fit.
    public func factor(to quantity: Quantity) -> Double? {
        dimension == quantity.canonicalUnit.dimension ? toCanonical : nil
    }
}

/// How trustworthy a value is. Missing intervals are not zero: they lower coverage instead.
public enum Quality: UInt8, Sendable, Codable {
    case measured
    case estimated
    case missing
}

extension String {
    package var trimmingSpaces: String {
        // Most text begins and ends with an ASCII character that is not a space: nothing to trim (no Unicode
        // whitespace begins with, and no grapheme ends in, such a byte).
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
           first != 0x20, last != 0x20, !(0x09...0x0D).contains(first), !(0x09...0x0D).contains(last) {
            return self
        }
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
