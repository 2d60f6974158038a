import ParkImpactModel

/// One problem in a pipeline definition: which file, where (line and key path), what, and the valid values.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let keyPath: String
    public let message: String

    public init(file: String, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    /// `pipelines/demo.yaml:12: sources[2].format: unknown format "fluvus"; known: fluvius, ...`
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

/// All problems found in one definition file (every one is reported, not just the first).
public struct DefinitionErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [DefinitionError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
