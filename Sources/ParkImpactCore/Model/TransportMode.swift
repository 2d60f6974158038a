/// Main modes of transport, as the contract names them (`mobility.share.<mode>`).
public enum TransportMode: String, Sendable, CaseIterable, Comparable {
    case car, carpool, motorbike, bus, tram, train, bike, ebike, walk, other

    /// Names found in surveys and trip logs (Dutch, French, English) → mode; nil when unknown.
    public init?(name: String) {
        let text = name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        if let mode = TransportMode(rawValue: text) {
            self = mode
            return
        }
        let aliases: [(TransportMode, [String])] = [
            (.carpool, ["carpool", "carpoolen", "covoiturage", "car pool", "car sharing passenger"]),
            (.ebike, ["e-bike", "ebike", "elektrische fiets", "speed pedelec", "speedpedelec", "vélo électrique",
                      "pedelec", "e-fiets"]),
            (.car, ["auto", "wagen", "personenwagen", "auto (alleen)", "auto alleen", "solo car", "car (driver)",
                    "auto (bestuurder)", "voiture", "voiture (seul)", "bedrijfswagen", "company car"]),
            (.motorbike, ["moto", "motorfiets", "motor", "bromfiets", "scooter", "motorcycle", "motorbike/scooter"]),
            (.bus, ["bus", "autobus", "de lijn", "bus/tram", "openbaar vervoer (bus)", "shuttle", "shuttlebus",
                    "pendelbus"]),
            (.tram, ["tram", "metro", "tram/metro", "premetro", "tram / metro"]),
            (.train, ["trein", "train", "nmbs", "sncb", "rail"]),
            (.bike, ["fiets", "bike", "bicycle", "vélo", "velo", "cycling", "deelfiets", "bike sharing", "plooifiets"]),
            (.walk, ["te voet", "voet", "walk", "walking", "à pied", "a pied", "foot", "on foot", "stappen"]),
            (.other, ["andere", "other", "autre", "overige", "thuiswerk excluded"]),
        ]
        for (mode, names) in aliases where names.contains(text) {
            self = mode
            return
        }
        return nil
    }

    public static func < (lhs: TransportMode, rhs: TransportMode) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    static var knownNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
