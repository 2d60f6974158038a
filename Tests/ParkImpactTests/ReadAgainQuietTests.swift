import Foundation
import Testing
import CSVReading
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The wait before a file that changed during its read is read again (`Ingest.awaitQuiet`) and the folder-by-folder
/// open below the pilot's folder (`CSVOpenedFile`).
@Suite("reading again after a change; opening below the pilot's folder") struct ReadAgainQuietTests {
    @Test("the quiet time is --settle-seconds, at least 1 s and at most 10 s")
    func quietSeconds() {
        #expect([0, 1, 5, 60].map(Ingest.rereadQuietSeconds) == [1, 1, 5, 10])
    }

    @Test("a file that stays, a name that stays gone and a symbolic link are each seen as such after 1 s")
    func stableLooks() throws {
        let folder = NSTemporaryDirectory() + "parkimpact-quiet-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "x\n".write(toFile: folder + "/a.csv", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.csv", withDestinationPath: "a.csv")
        let stat = try #require(FileDigest.stat(folder + "/a.csv"))
        let looks = Ingest.awaitQuiet([folder + "/a.csv", folder + "/gone.csv", folder + "/link.csv"], quiet: 1)
        #expect(looks == [folder + "/a.csv": .stable(.file(stat)), folder + "/gone.csv": .stable(.gone),
                          folder + "/link.csv": .stable(.other)])
    }

    @Test("a file written every 50 ms never stays unchanged for 1 s: restless after 3 s")
    func restless() throws {
        let path = NSTemporaryDirectory() + "parkimpact-restless-" + UUID().uuidString
        try "0\n".write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let stop = DispatchSemaphore(value: 0)
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var count = 0
            while stop.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                count += 1
                try? "\(count)\n".write(toFile: path, atomically: false, encoding: .utf8)
            }
            stopped.signal()
        }
        let start = Date()
        #expect(Ingest.awaitQuiet([path], quiet: 1) == [path: .restless])
        stop.signal()
        stopped.wait()
        #expect(Date().timeIntervalSince(start) >= 3)
    }

    @Test("opened below a root: a folder on the way swapped for a symbolic link is refused, not followed")
    func folderSwappedForALink() throws {
        let root = NSTemporaryDirectory() + "parkimpact-below-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/p/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/secret", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "inside\n".write(toFile: root + "/p/sub/a.csv", atomically: false, encoding: .utf8)
        try "secret\n".write(toFile: root + "/secret/a.csv", atomically: false, encoding: .utf8)
        let path = root + "/p/sub/a.csv"
        #expect(try CSVOpenedFile(path: path, root: root + "/p").prefix() == Array("inside\n".utf8))
        try FileManager.default.removeItem(atPath: root + "/p/sub")
        try FileManager.default.createSymbolicLink(atPath: root + "/p/sub", withDestinationPath: root + "/secret")
        #expect(try CSVOpenedFile(path: path).prefix() == Array("secret\n".utf8))  // a plain open follows it
        #expect(throws: CSVFileError(code: .notAFile, path: path, detail: "the folder sub on its path is a symbolic "
            + "link or no folder now (it was a folder when the run listed the files)")) {
            try CSVOpenedFile(path: path, root: root + "/p")
        }
        try FileManager.default.removeItem(atPath: root + "/p/sub")
        #expect(throws: CSVFileError(code: .notFound, path: path)) { try CSVOpenedFile(path: path, root: root + "/p") }
    }
}
