import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// The words `sniff` reads in column names, preambles and texts to guess quantities, units, registers and UTC. Every
/// guess made from them is marked `# check:` in the proposal.
enum SniffWords {
    /// Lower-cased words of a name: split at spaces, punctuation and camel case (`StandNormaal` → stand, normaal).
    /// `camelCase: false` keeps `kWh` whole (for units).
    static func tokens(_ text: String, camelCase: Bool = true) -> [String] {
        var tokens: [String] = []
        var current = ""
        var previousLower = false
        for character in text {
            let wordCharacter = character.isLetter || character.isNumber || character == "³" || character == "°"
            if !wordCharacter {
                if !current.isEmpty { tokens.append(current.lowercased()) }
                current = ""
                previousLower = false
                continue
            }
            if camelCase, character.isUppercase, previousLower, !current.isEmpty {
                tokens.append(current.lowercased())
                current = ""
            }
            current.append(character)
            previousLower = character.isLowercase
        }
        if !current.isEmpty { tokens.append(current.lowercased()) }
        return tokens
    }

    /// Returned energy (to the grid): never offtake.
    static let injection = ["teruglevering", "terug", "invoeding", "injectie", "injection", "injected", "export", "feed",
                            "returned",
                            "einspeisung", "eingespeist", "réinjection", "reinjection", "restitu"]
    static let production = ["pv", "solar", "zon", "zonne", "production", "produced", "productie", "opbrengst",
                             "produite", "produit", "erzeugung", "erzeugt", "yield", "ertrag", "opwek"]
    static let offtake = ["elec", "elektra", "import", "afname", "verbruik", "consumption", "consumed", "consommation", "consommée",
                          "elektriciteit", "electricity", "électricité", "electricite", "strom", "bezug", "usage",
                          "delivered", "levering", "normaal", "dal", "piek", "t1", "t2", "tarief", "hoog", "laag"]
    static let gas = ["gas", "erdgas", "gaz", "aardgas", "gasstand", "gasverbruik", "gasmeter", "gasvolume", "gasverbrauch",
                      "gaszähler"]
    static let water = ["water", "wasser", "eau", "leidingwater"]
    static let temperature = ["temp", "temperature", "temperatuur", "température", "temperatur", "tg", "°c", "degc",
                              "graden", "celsius"]
    /// Register (running total) names.
    static let register = ["meterstand", "stand", "zählerstand", "zaehlerstand", "zählerstände", "index", "total",
                           "totaal", "reading", "register", "counter", "compteur", "relevé", "releve", "tellerstand",
                           "cumulative", "cumulatief", "t1", "t2"]
    /// A column that names a meter, a station or a connection rather than holding a value.
    static let identifier = ["ean", "id", "meterid", "serial", "serienummer", "station", "stn", "code", "nummer",
                             "number", "nr", "meternummer", "zählernummer", "eancode", "adres", "address"]
    /// Words before the header (a title, a legend) or in the file name that say what the whole file meters; whole
    /// words only (a legend's `hoogste` is not `hoog`).
    static let fileContext = ["elektriciteit", "electricity", "elec", "elektra", "électricité", "electricite", "strom", "stroom", "gas",
                              "erdgas", "gaz", "aardgas", "water", "wasser", "eau", "leidingwater"]
    /// The first field of a summary row under the readings (`Total`, `Totaal`, `Gesamt`).
    static let summary = ["total", "totaal", "totals", "gesamt", "summe", "som", "totale", "somme", "sum"]
    /// A per-row factor the value is multiplied by (`factor` 0.001).
    static let factor = ["factor", "faktor", "multiplier", "vermenigvuldigingsfactor"]
    /// A numeric code beside the values (`type` 0, `status`), not a value.
    static let code = ["type", "status", "quality", "kwaliteit", "flag", "qualität"]
    /// A value column named only `value`: its quantity may come from the file's title or name.
    static let plainValue = ["value", "waarde", "wert", "valeur", "amount", "hoeveelheid", "menge"]
    /// An extreme (minimum, maximum) rather than a total or mean: not mapped.
    static let extreme = ["min", "max", "minimum", "maximum", "hoogste", "laagste", "maximale", "minimale", "peak"]
    /// A time column saying its times are UTC.
    static let utc = ["utc", "gmt"]

    /// Whether a token starts with one of `words` (a word of three letters or fewer must match whole).
    static func matches(_ tokens: [String], _ words: [String]) -> String? {
        for token in tokens {
            for word in words where word.count <= 3 ? token == word : token.hasPrefix(word) { return token }
        }
        return nil
    }

    /// The energy unit a name gives (`Import T1 kWh`, `Verbruik (kWh)`, `Énergie produite (Wh)`, `Stand (m³)`).
    static func unit(_ tokens: [String]) -> MeasurementUnit? {
        for token in tokens {
            switch token {
            case "wh": return .wattHour
            case "kwh": return .kilowattHour
            case "mwh": return .megawattHour
            case "m3", "m³": return .cubicMetre
            case "l", "liter", "litre", "liters", "litres", "liter/h": return .litre
            case "°c", "degc", "celsius": return .degreeCelsius
            default: continue
            }
        }
        return nil
    }

    /// A power unit (W, kW): a maximum or mean power column, not energy.
    static func isPower(_ tokens: [String]) -> Bool {
        tokens.contains { $0 == "w" || $0 == "kw" || $0 == "watt" || $0 == "va" || $0 == "var" || $0 == "a" || $0 == "v" }
    }
}
