import ParkImpactModel

/// The KPI keys `targets:` accepts and which way each one improves: the catalogue's keys with a direction
/// (`KPICatalogue`), `mobility.share.<mode>` and `mobility.shift_pp.<mode>` for every mode.
public enum KPITargets {
    public static func isTargetable(_ key: String) -> Bool {
        guard let entry = KPICatalogue.entry(key) else { return false }
        return entry.direction != .neither
    }

    /// Keys whose value is a ratio 0…1 (a target of 60 % is written 0.6).
    public static func isRatio(_ key: String) -> Bool {
        KPICatalogue.entry(key)?.isRatio ?? false
    }

    /// Whether a higher value is better (the target is a minimum); otherwise it is a maximum.
    public static func higherIsBetter(_ key: String) -> Bool {
        KPICatalogue.direction(of: key) == .higherIsBetter
    }

    static var validKeysDescription: String {
        let modes = TransportMode.allCases.map(\.rawValue).joined(separator: "|")
        let targetable = KPICatalogue.entries.filter { $0.direction != .neither }
        let keys = targetable.filter { if case .key = $0.pattern { true } else { false } }
            + targetable.filter { if case .perMode = $0.pattern { true } else { false } }
        return keys.map(\.name).joined(separator: ", ") + " (mode: \(modes))"
    }
}
