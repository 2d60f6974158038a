import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import ParkImpactModel
public import ParkImpactDefinition
public import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// Finds the files of a pilot: every regular file under `input/<pilot>/` matching a source glob.
public enum Discover {
    public struct Result: Sendable {
        public var files: [InputFile] = []
        /// Warnings (a source matching nothing, a file matched twice, a link leaving the folder).
        public var warnings: [Warning] = []
        /// Files with a temporary name (`.part`, `.tmp`, `.crdownload`, `~$…`, `…~`): skipped until renamed.
        public var temporary: [String] = []
        /// Files under `input/<pilot>/` that no source takes, each with why (a warning on every run).
        public var strays: [Stray] = []
        /// `input/<pilot>/` does not exist (or is not a folder).
        public var folderMissing = false
    }

    /// A warning about the sources' globs: `link_outside_input`, `matched_twice`, `glob_matches_nothing`.
    public struct Warning: Sendable, Equatable {
        public let code: DiagnosticCode
        public let message: String
    }

    /// A file no source takes: `no_source` (no glob matches), `xlsx_not_csv` (an Excel workbook),
    /// `name_not_utf8` (a name no glob can match).
    public struct Stray: Sendable, Equatable {
        public let path: String
        public let code: DiagnosticCode
        public let message: String
    }

    /// The error for a pilot whose input folder does not exist.
    public static func missingFolderMessage(_ definition: PipelineDefinition, inputRoot: String) -> String {
        let folder = (inputRoot as NSString).appendingPathComponent(definition.pilot)
        return "\(folder): input folder not found, so nothing of pilot \(definition.pilot) was read and no report was "
            + "written; create it and drop the exports there, or check --input (now \(inputRoot))"
    }

    /// Reports what `files` found that both `check` and `run` tell: a missing input folder (an error, exit 65), the
    /// sources' warnings and the files no source takes.
    static func report(_ found: Result, of definition: PipelineDefinition, inputRoot: String,
                       into diagnostics: inout Diagnostics) {
        if found.folderMissing {
            diagnostics.add(.error, missingFolderMessage(definition, inputRoot: inputRoot), pilot: definition.pilot,
                            status: .dataError, code: .inputFolderMissing)
        }
        for warning in found.warnings {
            diagnostics.add(.warning, warning.message, pilot: definition.pilot, code: warning.code)
        }
        for stray in found.strays { diagnostics.add(.warning, stray.message, pilot: definition.pilot, code: stray.code) }
    }

    /// Names that are still being written or are editor leftovers: never read.
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix("~$") || name.hasSuffix(".part") || name.hasSuffix(".tmp") || name.hasSuffix(".crdownload")
            || name.hasSuffix("~")
    }

    /// What an entry of the input folder is itself (links not followed).
    enum EntryKind { case directory, link, other, unknown }

    /// An entry under a folder, as `entries` finds it: its path relative to the folder, its name and its kind.
    struct Entry: Equatable {
        let relative: String
        let name: String
        let kind: EntryKind
    }

    /// Every entry under `root`, as `FileManager.enumerator(atPath:)` lists them (fts(3) with `FTS_PHYSICAL`,
    /// `FTS_XDEV`): folder by folder in readdir(3) order, each folder before what it holds; links not followed (a
    /// root that is a link lists nothing), a folder on another file system listed but not entered, a folder that
    /// cannot be opened listed but empty. A name that is not valid UTF-8 is listed with its invalid bytes replaced
    /// (U+FFFD), and it and everything under it with the kind `unknown` (no such path exists to look at). A folder
    /// for which `descend` says false is listed but not entered. Each folder is read through its descriptor and each
    /// entry's kind taken from readdir(3) (`fstatat` relative to the folder when the file system does not tell it):
    /// no path is walked from the root again per entry.
    static func entries(under root: String, descend: (Entry) -> Bool) -> [Entry] {
        var rootInfo = stat()
        guard lstat(root, &rootInfo) == 0, rootInfo.st_mode & S_IFMT == S_IFDIR else { return [] }
        let device = rootInfo.st_dev
        var found: [Entry] = []
        func walk(_ descriptor: Int32, prefix: String, repaired: Bool) {
            guard let stream = fdopendir(descriptor) else {
                close(descriptor)
                return
            }
            defer { closedir(stream) }
            var listed: [(entry: Entry, bytes: [CChar], isDirectory: Bool, repaired: Bool)] = []
            while let entry = readdir(stream) {
                let bytes: [CChar] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
                }
                if bytes == [0x2E, 0] || bytes == [0x2E, 0x2E, 0] { continue }
                let utf8 = bytes.dropLast().map { UInt8(bitPattern: $0) }
                let valid = String(validating: utf8, as: UTF8.self)
                let name = valid ?? String(decoding: utf8, as: UTF8.self)
                var kind: EntryKind
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_DIR): kind = .directory
                case Int32(DT_LNK): kind = .link
                case Int32(DT_UNKNOWN):
                    var info = stat()
                    if fstatat(dirfd(stream), bytes, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                        kind = .unknown
                    } else {
                        switch info.st_mode & S_IFMT {
                        case S_IFDIR: kind = .directory
                        case S_IFLNK: kind = .link
                        default: kind = .other
                        }
                    }
                default: kind = .other
                }
                let isDirectory = kind == .directory
                let entryRepaired = repaired || valid == nil
                if entryRepaired { kind = .unknown }
                listed.append((Entry(relative: prefix + name, name: name, kind: kind), bytes, isDirectory,
                               entryRepaired))
            }
            for item in listed {
                found.append(item.entry)
                guard item.isDirectory, descend(item.entry) else { continue }
                let child = openat(dirfd(stream), item.bytes, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                var info = stat()
                guard fstat(child, &info) == 0, info.st_dev == device else {
                    close(child)
                    continue
                }
                walk(child, prefix: item.entry.relative + "/", repaired: item.repaired)
            }
        }
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        walk(descriptor, prefix: "", repaired: false)
        return found
    }

    public static func files(for definition: PipelineDefinition, inputRoot: String) -> Result {
        var result = Result()
        let pilotDirectory = (inputRoot as NSString).appendingPathComponent(definition.pilot)
        let realPilotDirectory = realPath(pilotDirectory) ?? pilotDirectory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: pilotDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            result.folderMissing = true
            return result
        }
        var relativePaths: [String] = []
        var directories = Set<String>()
        var links = Set<String>()
        /// Entries that are neither a folder nor a link, as the walk saw them.
        var plain = Set<String>()
        // Hidden files and folders (.gitkeep, .DS_Store, .git) are not inputs, nor is what a hidden folder holds.
        for entry in entries(under: pilotDirectory, descend: { !($0.kind == .directory && $0.name.hasPrefix(".")) }) {
            let relative = entry.relative, name = entry.name, kind = entry.kind
            if name.hasPrefix(".") { continue }
            if isTemporary(name) {
                if kind != .directory {
                    result.temporary.append((pilotDirectory as NSString).appendingPathComponent(relative))
                }
                continue
            }
            if kind == .directory { directories.insert(relative) }
            if kind == .link { links.insert(relative) }
            if kind == .other { plain.insert(relative) }
            relativePaths.append(relative)
        }
        var linkedOut = Set<String>()
        relativePaths.sort()
        var claimed: [String: Int] = [:]
        for source in definition.sources {
            var matched = 0
            for relative in relativePaths where fnmatch(source.path, relative, FNM_PATHNAME) == 0 {
                let full = pilotDirectory + "/" + relative
                // A file that is no link, in folders that are none (the enumeration saw each of them): its real path
                // is the pilot folder's, and it is no folder. Otherwise realpath(3): every link resolved, relative
                // targets (`../../x.csv`) too.
                let real: String
                if plain.contains(relative), !Self.underLink(relative, links) {
                    real = realPilotDirectory + "/" + relative
                } else {
                    guard let resolved = realPath(full) else { continue }  // a dangling link: nothing to read
                    guard resolved.hasPrefix(realPilotDirectory + "/") else {
                        linkedOut.insert(relative)
                        result.warnings.append(Warning(code: .linkOutsideInput,
                                                      message: "\(full): skipped: it links outside \(pilotDirectory)"))
                        continue
                    }
                    var isDir: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir), !isDir.boolValue else {
                        continue
                    }
                    real = resolved
                }
                matched += 1
                if let first = claimed[relative] {
                    result.warnings.append(Warning(code: .matchedTwice, message: "\(full): matched by "
                        + "sources[\(first)] and sources[\(source.index)]; read once, as sources[\(first)]"))
                    continue
                }
                claimed[relative] = source.index
                let linked = links.contains(relative)
                result.files.append(InputFile(path: full, relativePath: "\(definition.pilot)/\(relative)",
                                              pilot: definition.pilot, source: source, openPath: linked ? real : nil))
            }
            if matched == 0 {
                result.warnings.append(Warning(code: .globMatchesNothing, message: "\(definition.file): "
                    + "sources[\(source.index)].path \"\(source.path)\" matches no file in \(pilotDirectory)"))
            }
        }
        result.files.sort { $0.relativePath < $1.relativePath }

        // Every other file is named, with why no source takes it.
        let globs = definition.sources.map { "\"\($0.path)\"" }.joined(separator: ", ")
        for relative in relativePaths where claimed[relative] == nil && !directories.contains(relative)
            && !linkedOut.contains(relative) {
            let full = (pilotDirectory as NSString).appendingPathComponent(relative)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            let lower = relative.lowercased()
            if lower.hasSuffix(".xlsx") || lower.hasSuffix(".xls") || lower.hasSuffix(".xlsm") {
                result.strays.append(Stray(path: full, code: .xlsxNotCSV, message: "\(full): not read: an Excel "
                    + "workbook, not a CSV file; open it in Excel and save it as CSV (UTF-8) (File › Save As › "
                    + "CSV UTF-8) in the same folder, then remove the workbook"))
            } else {
                result.strays.append(Stray(path: full, code: .noSource, message: "\(full): not read: no source of "
                    + "\(definition.file) takes it (its globs: \(globs)); add a source for it or fix a glob, or move "
                    + "it out of \(pilotDirectory)"))
            }
        }
        for name in namesNotUTF8(in: pilotDirectory) {
            result.strays.append(Stray(path: name, code: .nameNotUTF8, message: "\(name): not read: its name is "
                + "not valid UTF-8 (shown with its non-ASCII bytes as \\xNN), so no source can take it; rename it "
                + "(e.g. without accented letters)"))
        }
        return result
    }

    /// Whether a folder on `relative`'s path (below the pilot folder) is a link of `links`.
    static func underLink(_ relative: String, _ links: Set<String>) -> Bool {
        guard !links.isEmpty else { return false }
        var folder = (relative as NSString).deletingLastPathComponent
        while !folder.isEmpty {
            if links.contains(folder) { return true }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return false
    }

    /// Files and folders under `directory` whose names are not valid UTF-8 (FileManager does not list them), shown
    /// with their non-ASCII bytes as `\xNN`; hidden folders and symbolic links are not entered.
    static func namesNotUTF8(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var found: [String] = []
        var folders: [String] = []
        while let entry = readdir(stream) {
            let bytes: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                if entry.pointee.d_type == UInt8(DT_DIR), !name.hasPrefix(".") {
                    folders.append((directory as NSString).appendingPathComponent(name))
                }
                continue
            }
            var shown = ""
            for byte in bytes {
                if byte >= 0x20 && byte < 0x7F { shown.append(Character(Unicode.Scalar(byte))) }
                else { shown += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) }
            }
            found.append(directory + "/" + shown)
        }
        for folder in folders.sorted() { found += namesNotUTF8(in: folder) }
        return found.sorted()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
