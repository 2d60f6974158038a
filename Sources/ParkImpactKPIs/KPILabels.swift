import ParkImpactModel
package import ParkImpactDefinition

/// The order reports show KPIs in: the catalogue's (`KPICatalogue.entries`).
package enum KPIOrder {
    static let qualityRank = KPICatalogue.lookup("quality.coverage")?.index ?? KPICatalogue.entries.count

    /// Known keys in the catalogue's order (per-mode keys by mode), unknown keys after the known ones and before the
    /// quality keys, alphabetically.
    static func sortKey(_ key: String) -> (Int, Int, String) {
        guard let found = KPICatalogue.lookup(key) else { return (qualityRank, -1, key) }
        guard let mode = found.mode else { return (found.index, 0, key) }
        let modes = TransportMode.allCases
        return (found.index, TransportMode(rawValue: mode).flatMap { modes.firstIndex(of: $0) } ?? modes.count, key)
    }

    package static func sorted(_ keys: Set<String>) -> [String] {
        keys.sorted { sortKey($0) < sortKey($1) }
    }
}

package enum KPILabels {
    /// The human label of a key in the report language (`KPICatalogue`, and the Scope 1+2 sum reports show); an
    /// unknown key is its own label.
    package static func label(for key: String, language: PipelineDefinition.Language) -> String {
        if let label = KPICatalogue.label(key, language: language) { return label }
        if key == KPIDerived.scope12MarketKey {
            return language == .nl ? "Scope 1+2, marktgebaseerd" : "Scope 1+2, market-based"
        }
        return key
    }
}
