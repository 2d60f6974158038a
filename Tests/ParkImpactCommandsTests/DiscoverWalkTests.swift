import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ParkImpactPipeline

/// `Discover.entries` lists what `FileManager.enumerator(atPath:)` lists, in the same order, with each entry's kind
/// as lstat(2) tells it.
@Suite("the input folder's walk lists what FileManager's enumerator lists")
struct DiscoverWalkTests {
    /// What the enumerator lists under `root` (hidden folders not entered), each with its kind from lstat(2).
    private func enumerated(_ root: String) -> [Discover.Entry] {
        var found: [Discover.Entry] = []
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return found }
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            var info = stat()
            let kind: Discover.EntryKind
            if lstat(root + "/" + relative, &info) != 0 {
                kind = .unknown
            } else {
                switch info.st_mode & S_IFMT {
                case S_IFDIR: kind = .directory
                case S_IFLNK: kind = .link
                default: kind = .other
                }
            }
            if name.hasPrefix("."), kind == .directory { enumerator.skipDescendants() }
            found.append(Discover.Entry(relative: relative, name: name, kind: kind))
        }
        return found
    }

    private func walked(_ root: String) -> [Discover.Entry] {
        Discover.entries(under: root, descend: { !($0.kind == .directory && $0.name.hasPrefix(".")) })
    }

    @Test("nested folders, hidden and temporary names, links to files and folders, dangling links, odd names")
    func sameAsEnumerator() throws {
        let scratch = try Scratch()
        let root = scratch.path("input/p")
        for relative in ["a.csv", "b/c.csv", "b/d/e.csv", "b/d/f/g.csv", ".hidden/x.csv", ".gitkeep", "b/.DS_Store",
                         "x.tmp/y.csv", "z.part", "~$lock.csv", "name with spaces.csv", "ünïcode/é.csv", "empty/"] {
            if relative.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
            } else {
                try scratch.write("input/p/" + relative, "t\n")
            }
        }
        try scratch.write("outside/o.csv", "t\n")
        try scratch.write("outside/sub/s.csv", "t\n")
        #expect(symlink(root + "/a.csv", root + "/link.csv") == 0)
        #expect(symlink(scratch.path("outside/sub"), root + "/b/linked-folder") == 0)
        #expect(symlink(root + "/nowhere.csv", root + "/dangling.csv") == 0)
        #expect(mkfifo(root + "/b/fifo", 0o600) == 0)
        for index in 0..<40 { try scratch.write("input/p/many/\(index).csv", "t\n") }

        let expected = enumerated(root)
        #expect(expected.count > 50)
        #expect(walked(root) == expected)
        // A pilot folder that is a link: neither lists anything.
        #expect(symlink(root, scratch.path("input/q")) == 0)
        #expect(walked(scratch.path("input/q")) == enumerated(scratch.path("input/q")))
        // A file or nothing at the root.
        #expect(walked(root + "/a.csv") == enumerated(root + "/a.csv"))
        #expect(walked(scratch.path("input/none")) == enumerated(scratch.path("input/none")))
    }

    @Test("names that are not valid UTF-8: listed repaired, of unknown kind, a folder of them entered")
    func invalidNames() throws {
        let scratch = try Scratch()
        let root = scratch.path("input/p")
        try scratch.write("input/p/ok.csv", "t\n")
        func path(_ tail: [UInt8]) -> [CChar] { (Array((root + "/").utf8) + tail + [0]).map { CChar(bitPattern: $0) } }
        let bad: [UInt8] = Array("bad-".utf8) + [0xFF, 0xFE]
        let file = open(path(bad + Array(".csv".utf8)), O_CREAT | O_WRONLY, 0o600)
        #expect(file >= 0)
        close(file)
        #expect(mkdir(path(bad + Array(".tmp".utf8)), 0o700) == 0)
        #expect(mkdir(path([0x2E, 0xFF]), 0o700) == 0)
        for folder in [bad + Array(".tmp".utf8), [0x2E, 0xFF]] {
            let inner = open(path(folder + Array("/in.csv".utf8)), O_CREAT | O_WRONLY, 0o600)
            #expect(inner >= 0)
            close(inner)
        }
        #expect(walked(root) == enumerated(root))
        #expect(walked(root).count == 6)
    }
}
