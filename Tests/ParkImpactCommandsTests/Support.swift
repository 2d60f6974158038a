import ArgumentParser
import Foundation
@testable import ParkImpactCommands
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

/// Runs `parkimpact ARGS` in-process; returns the exit code it would give.
func runCommand(_ arguments: [String]) -> Int32 {
    do {
        var command = try ParkImpactCommand.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch {
        return ParkImpactCommand.exitCode(for: error).rawValue
    }
}

/// A scratch folder, removed by `remove()`.
struct Scratch {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "parkimpact-cmd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String) throws {
        let path = path(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
