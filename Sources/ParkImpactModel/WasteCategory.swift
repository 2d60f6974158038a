/// A waste stream: EURAL (EU List of Waste) code, hazardous mark and treatment code.
/// Stored as the series' meter name `20 03 01 R1` / `16 06 01* R4`, so aggregation stays per series × day.
public struct WasteCategory: Sendable, Hashable, CustomStringConvertible {
    /// Six digits.
    public let eural: String
    public let hazardous: Bool
    /// `R1`…`R13`, `D1`…`D15`, or `?` when the collector did not say.
    public let treatment: String

    /// `20 03 01`, `20.03.01`, `200301`, `20 03 01*` → the code; nil unless exactly six digits.
    public init?(eural text: String, treatment: String) {
        var digits = ""
        var hazardous = false
        for character in text {
            if character.isASCII, character.isNumber { digits.append(character) }
            else if character == "*" { hazardous = true }
            else if !" .-/".contains(character) { return nil }
        }
        guard digits.count == 6 else { return nil }
        guard let treatment = WasteCategory.treatmentCode(treatment) else { return nil }
        self.eural = digits
        self.hazardous = hazardous
        self.treatment = treatment
    }

    /// Parses the meter name back.
    public init?(meter: String) {
        let parts = meter.split(separator: " ")
        guard parts.count == 4 else { return nil }
        let code = parts[0] + parts[1] + parts[2]
        eural = String(code.filter(\.isNumber))
        hazardous = code.hasSuffix("*")
        treatment = String(parts[3])
        guard eural.count == 6 else { return nil }
    }

    /// `R 1`, `r01`, `R1` → `R1`; empty → `?`; anything else nil.
    static func treatmentCode(_ text: String) -> String? {
        let compact = text.uppercased().filter { !$0.isWhitespace }
        if compact.isEmpty { return "?" }
        guard let letter = compact.first, letter == "R" || letter == "D", let number = Int(compact.dropFirst()) else {
            return nil
        }
        guard letter == "R" ? (1...13).contains(number) : (1...15).contains(number) else { return nil }
        return "\(letter)\(number)"
    }

    public var description: String {
        let code = "\(eural.prefix(2)) \(eural.dropFirst(2).prefix(2)) \(eural.suffix(2))\(hazardous ? "*" : "")"
        return "\(code) \(treatment)"
    }

    /// Residual waste: mixed municipal waste (20 03 01) and residues of mechanical treatment (19 12 12).
    public var isResidual: Bool { eural == "200301" || eural == "191212" }
    public var isRecycling: Bool { treatment.hasPrefix("R") && (2...11).contains(Int(treatment.dropFirst()) ?? 0) }
    public var isEnergyRecovery: Bool { treatment == "R1" }
    public var isDisposal: Bool { treatment.hasPrefix("D") }
}
