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
///
/// The name the kernel gives the file opened with `O_PATH` (`/proc/self/fd/N`, the path it walked with every link
/// resolved) is that path, found in one walk instead of one `readlink(2)` per component of the path as `realpath`
/// does. When the file cannot be opened so, or the kernel's name is no absolute path of an existing file (no /proc,
/// a file deleted meanwhile: ` (deleted)`), `realpath` answers.
package func realPath(_ path: String) -> String? {
    #if os(Linux) && (arch(x86_64) || arch(arm64))
    let descriptor = open(path, openPathOnly | O_CLOEXEC)
    if descriptor >= 0 {
        defer { close(descriptor) }
        var name = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = name.withUnsafeMutableBufferPointer { name in
            name.withMemoryRebound(to: CChar.self) { readlink("/proc/self/fd/\(descriptor)", $0.baseAddress!, $0.count) }
        }
        let deleted = " (deleted)".utf8
        if count > 0, count < name.count, name[0] == UInt8(ascii: "/"),
           !name[..<count].reversed().starts(with: deleted.reversed()) {
            return String(decoding: name[..<count], as: UTF8.self)
        }
    }
    #endif
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

#if os(Linux) && (arch(x86_64) || arch(arm64))
/// `O_PATH` (Linux, `asm-generic/fcntl.h`; not exported by the Glibc module): a descriptor that only names the file,
/// opened without reading it or needing read permission.
private let openPathOnly: Int32 = 0o10000000
#endif
