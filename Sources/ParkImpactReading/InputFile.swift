public import ParkImpactModel
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

    public init(path: String, relativePath: String, pilot: String, source: PipelineDefinition.Source,
                openPath: String? = nil) {
        self.path = path
        self.relativePath = relativePath
        self.pilot = pilot
        self.source = source
        self.openPath = openPath
    }
}
