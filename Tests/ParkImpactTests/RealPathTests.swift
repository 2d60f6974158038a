import Foundation
import Testing
@testable import ParkImpactReading

/// `realPath` (the kernel's name of the file opened with `O_PATH`) answers what `realpath(3)` answers.
@Suite struct RealPathTests {
    static func libcRealPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    @Test func answersAsRealpath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("realpath-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/a/b", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: root + "/é dir", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/a/b/file.csv"))
        try Data("y".utf8).write(to: URL(fileURLWithPath: root + "/é dir/ü.csv"))
        try manager.createSymbolicLink(atPath: root + "/link.csv", withDestinationPath: "a/b/file.csv")
        try manager.createSymbolicLink(atPath: root + "/a/up", withDestinationPath: "..")
        try manager.createSymbolicLink(atPath: root + "/dangling.csv", withDestinationPath: "missing.csv")
        try manager.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        try manager.createSymbolicLink(atPath: root + "/dirlink", withDestinationPath: root + "/a")
        let unreadable = root + "/a/secret.csv"
        try Data("z".utf8).write(to: URL(fileURLWithPath: unreadable))
        chmod(unreadable, 0)
        let paths = ["", "/", ".", root, root + "/", root + "/a/b/file.csv", root + "/a/b/file.csv/",
                     root + "/a/b/file.csv/..", root + "/a/./b/../b/file.csv", root + "/link.csv", root + "/a/up/link.csv",
                     root + "/a/up/a/up/a/b", root + "/dangling.csv", root + "/loop", root + "/dirlink/b/file.csv",
                     root + "/dirlink", root + "/missing", root + "/missing/x.csv", root + "/é dir/ü.csv", unreadable,
                     "/proc/self", "/dev/null", "relative/none.csv"]
        for path in paths {
            #expect(realPath(path) == Self.libcRealPath(path), "\(path)")
        }
    }
}
