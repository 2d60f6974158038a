import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file to read, matched by one source of a pipeline.
public struct InputFile: Sendable, Equatable {
    /// Path to open.
    public let path: String
    /// Path relative to the input folder (`demo-park/acme/x.csv`): stable across machines, used in outputs.
    public let relativePath: String
    public let pilot: String
    public let source: PipelineDefinition.Source
}

/// Finds the files of a pilot: every regular file under `input/<pilot>/` matching a source glob.
public enum Discover {
    public struct Result: Sendable {
        public var files: [InputFile] = []
        /// Warnings (a source matching nothing, a file matched twice, a link leaving the folder).
        public var warnings: [String] = []
        /// Files with a temporary name (`.part`, `.tmp`, `.crdownload`, `~$…`, `…~`): skipped until renamed.
        public var temporary: [String] = []
    }

    /// Names that are still being written or are editor leftovers: never read.
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix("~$") || name.hasSuffix(".part") || name.hasSuffix(".tmp") || name.hasSuffix(".crdownload")
            || name.hasSuffix("~")
    }

    public static func files(for definition: PipelineDefinition, inputRoot: String) -> Result {
        var result = Result()
        let pilotDirectory = (inputRoot as NSString).appendingPathComponent(definition.pilot)
        let realPilotDirectory = (pilotDirectory as NSString).resolvingSymlinksInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: pilotDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            result.warnings.append("\(pilotDirectory): folder not found; create it and drop the exports there")
            return result
        }
        var relativePaths: [String] = []
        if let enumerator = FileManager.default.enumerator(atPath: pilotDirectory) {
            while let relative = enumerator.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") {  // hidden files and folders (.gitkeep, .DS_Store, .git) are not inputs
                    if enumerator.fileAttributes?[.type] as? FileAttributeType == .typeDirectory {
                        enumerator.skipDescendants()
                    }
                    continue
                }
                if isTemporary(name) {
                    if enumerator.fileAttributes?[.type] as? FileAttributeType != .typeDirectory {
                        result.temporary.append((pilotDirectory as NSString).appendingPathComponent(relative))
                    }
                    continue
                }
                relativePaths.append(relative)
            }
        }
        relativePaths.sort()
        var claimed: [String: Int] = [:]
        for source in definition.sources {
            var matched = 0
            for relative in relativePaths where fnmatch(source.path, relative, FNM_PATHNAME) == 0 {
                let full = (pilotDirectory as NSString).appendingPathComponent(relative)
                let real = (full as NSString).resolvingSymlinksInPath
                guard real.hasPrefix(realPilotDirectory + "/") else {
                    result.warnings.append("\(full): skipped: it links outside \(pilotDirectory)")
                    continue
                }
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir), !isDir.boolValue else { continue }
                matched += 1
                if let first = claimed[relative] {
                    result.warnings.append("\(full): matched by sources[\(first)] and sources[\(source.index)]; "
                        + "read once, as sources[\(first)]")
                    continue
                }
                claimed[relative] = source.index
                result.files.append(InputFile(path: full, relativePath: "\(definition.pilot)/\(relative)",
                                              pilot: definition.pilot, source: source))
            }
            if matched == 0 {
                result.warnings.append("\(definition.file): sources[\(source.index)].path \"\(source.path)\" matches "
                    + "no file in \(pilotDirectory)")
            }
        }
        result.files.sort { $0.relativePath < $1.relativePath }
        return result
    }
}
