/// The version printed by `--version` and recorded with each run.
public enum ParkImpactVersion {
    public static let string = "0.2.0"
}
