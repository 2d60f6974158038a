/// The version printed by `--version` and recorded with each run.
public enum ParkImpactVersion {
    public static let string = "0.2.0"

    /// `0.2.0 (factors 3f2a1b4c5d6e)`: the version with the first 12 hex digits of the factor catalogue's SHA-256
    /// (`FactorCatalogue.builtInDigest`), as `--version`, the report footer, kpis.json and kpis.csv name them.
    public static func withFactors(_ digest: String) -> String {
        "\(string) (factors \(digest))"
    }
}
