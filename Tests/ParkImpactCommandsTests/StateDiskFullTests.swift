import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A state on a disk that filled up: SQLite says "disk I/O error" when it opens it; the message says the disk is full.
@Suite("state on a full disk", .serialized, .enabled(if: SmallDisk.available, "needs root and a mountable tmpfs"))
struct StateDiskFullTests {
    @Test("opening the state on a full disk: unavailable (exit 74), and the message says to free space")
    func fullDisk() throws {
        let folder = NSTemporaryDirectory() + "parkimpact-state-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #require(SmallDisk.mount(at: folder, kilobytes: 512))
        defer { SmallDisk.unmount(folder) }
        let path = folder + "/state.sqlite"
        do { _ = try StateStore(path: path) }  // created, then closed
        SmallDisk.fill(folder)
        #expect(StateStore.diskIsFull(folder))
        let error = #expect(throws: StateStore.OpenError.self) { _ = try StateStore(path: path) }
        #expect(error?.kind == .unavailable)
        #expect(error?.description == "\(path): cannot open the state database (disk I/O error); the disk that holds "
            + "it is full: free space on it, then run again")
    }
}
