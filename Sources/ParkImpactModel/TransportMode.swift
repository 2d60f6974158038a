import Foundation

/// Main modes of transport, as the contract names them (`mobility.share.<mode>`).
public enum TransportMode: String, Sendable, CaseIterable, Comparable {
    case car, carpool, motorbike, bus, tram, train, bike, ebike, walk, other

    /// Names found in surveys and trip logs (Dutch, French, English) → mode; nil when unknown.
    public init?(name: String) {
        // Lower case, runs of blanks as one space, no blank inside brackets: `Car ( alone )` = `car (alone)`.
        let text = name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" })
            .joined(separator: " ").replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
        if let mode = TransportMode(rawValue: text) {
            self = mode
            return
        }
        let aliases: [(TransportMode, [String])] = [
            (.carpool, ["carpool", "carpoolen", "covoiturage", "car pool", "car-pool", "car sharing passenger",
                        "carpooling", "samen rijden", "auto (carpool)", "car (carpool)", "car (shared)",
                        "voiture (covoiturage)", "auto (passagier)", "car (passenger)", "voiture (passager)"]),
            (.ebike, ["e-bike", "ebike", "elektrische fiets", "speed pedelec", "speedpedelec", "vélo électrique",
                      "velo electrique", "vélo à assistance électrique", "vae", "pedelec", "e-fiets",
                      "electric bike", "electric bicycle", "fiets (elektrisch)", "vélo (électrique)"]),
            (.car, ["auto", "wagen", "personenwagen", "auto (alleen)", "auto alleen", "alleen met de auto",
                    "solo car", "car alone", "car (alone)", "car (solo)", "car (driver)", "car driver",
                    "auto (bestuurder)", "auto (solo)", "voiture", "voiture (seul)", "voiture seul", "voiture (solo)",
                    "voiture (conducteur)", "bedrijfswagen", "company car", "voiture de société", "automobile"]),
            (.motorbike, ["moto", "motorfiets", "motor", "bromfiets", "scooter", "motorcycle", "motorbike/scooter",
                          "motorbike", "motocyclette", "cyclomoteur", "moto/scooter", "motorfiets/bromfiets"]),
            (.bus, ["bus", "autobus", "de lijn", "bus/tram", "openbaar vervoer (bus)", "shuttle", "shuttlebus",
                    "pendelbus", "tec", "bus (de lijn)", "bus (tec)", "navette", "car (bus)"]),
            (.tram, ["tram", "metro", "tram/metro", "premetro", "tram / metro", "métro", "tram/métro", "stib", "mivb",
                     "tram-metro"]),
            (.train, ["trein", "train", "nmbs", "sncb", "rail", "spoor"]),
            (.bike, ["fiets", "bike", "bicycle", "vélo", "velo", "cycling", "deelfiets", "bike sharing", "plooifiets",
                     "fietsen", "cycle", "vélo (classique)", "fiets (gewoon)", "gewone fiets"]),
            (.walk, ["te voet", "voet", "walk", "walking", "à pied", "a pied", "foot", "on foot", "stappen",
                     "marche", "marche à pied", "marche a pied", "te voet (stappen)", "lopen", "wandelen", "by foot"]),
            (.other, ["andere", "other", "autre", "autres", "overige", "overig", "thuiswerk excluded"]),
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

    package static var knownNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
