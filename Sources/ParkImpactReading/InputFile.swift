#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParkImpactModel
public import ParkImpactDefinition

/// A file to read, matched by one source of a pipeline.
public struct InputFile: Sendable, Equatable {
    /// Path to open.
    public let path: String
    /// Path relative to the input folder (`demo-park/acme/x.csv`): stable across machines, used in outputs.
    public let relativePath: String
    public let pilot: String
    public let source: PipelineDefinition.Source
    /// The name to open when `path` was a symbolic link (inside the pilot's folder) when the files were listed: its
    /// target. The file is opened without following a link (`CSVOpenedFile`), so a file swapped for a link after
    /// the listing is not read.
    public var openPath: String? = nil

    /// The pilot's input folder that the name to open (`openPath ?? path`) lies under, when it does: the file is
    /// opened from it one folder at a time without following links (`CSVOpenedFile`). For a link's target, the
    /// folder's real path (`realpath(3)`, as discovery resolved the target).
    var openRoot: String? {
        let inside = relativePath.hasPrefix(pilot + "/") ? String(relativePath.dropFirst(pilot.count + 1)) : relativePath
        guard !inside.isEmpty, path.hasSuffix("/" + inside) else { return nil }
        let folder = String(path.dropLast(inside.count + 1))
        return openPath == nil ? folder : realPath(folder)
    }

    public init(path: String, relativePath: String, pilot: String, source: PipelineDefinition.Source,
                openPath: String? = nil) {
        self.path = path
        self.relativePath = relativePath
        self.pilot = pilot
        self.source = source
        self.openPath = openPath
    }
}

/// `realpath(3)`: the absolute path with every symbolic link resolved; nil when it names nothing.
package func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
