import CSVReading
import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// A file is read as the one file that was opened: all its chunks from one descriptor, never through a symbolic
/// link put in its place, and a file that changed, was replaced or vanished while read is flagged (not committed).
struct ReadAsOpenedTests {
    /// `days` days of hourly rows of meter m1 with `value` in every row: the same length for "1" and "x".
    static func rows(days: Int, value: String) -> String {
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        for day in 1...days {
            for hour in 0..<24 {
                text += String(format: "2023-01-%02dT%02d:00:00+01:00,s1,m1,electricity_offtake,", day, hour)
                    + "\(value),kWh,measured\n"
            }
        }
        return text
    }

    func file(_ folder: Scratch, _ name: String, _ definition: PipelineDefinition) -> InputFile {
        InputFile(path: folder.root + "/input/" + name, relativePath: name, pilot: "test", source: definition.sources[0])
    }

    @Test("a file replaced by another after it was opened is read whole from the version opened, in every chunk")
    func replacedDuringAChunkedRead() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let definition = try definition(format: .parkimpactLong)
        let good = Self.rows(days: 20, value: "1")
        let bad = Self.rows(days: 20, value: "x")  // every row rejected: a mix would show some rejects
        #expect(good.utf8.count == bad.utf8.count)
        try folder.write("input/a.csv", good)
        try folder.write("input/b.csv", bad)
        let file = file(folder, "a.csv", definition)
        guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: definition) else {
            Issue.record("not prepared")
            return
        }
        // Replaced after it was opened (as a tool that writes a new file and renames it over the old one).
        #expect(rename(folder.root + "/input/b.csv", folder.root + "/input/a.csv") == 0)
        for parallel in [false, true] {
            let result = ReadFile.readChunked(file, context, reader, chunkBytes: 4096, parallel: parallel)
            #expect(ReadFile.chunkCount(size: good.utf8.count, chunkBytes: 4096) > 2)
            #expect(result.summary.acceptedRows == 20 * 24)
            #expect(result.rejects.isEmpty)
            #expect(result.readChange == .changed("\(file.path): replaced by another file while it was read"))
        }
    }

    @Test("a file changed in place during its read is flagged, and its fingerprint is of the bytes read")
    func changedInPlace() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let definition = try definition(format: .parkimpactLong)
        let text = Self.rows(days: 2, value: "1")
        try folder.write("input/a.csv", text)
        let file = file(folder, "a.csv", definition)
        let whole = ReadFile.read(file, definition: definition, fingerprint: true)
        #expect(whole.readChange == nil)
        #expect(whole.sha256 == FileDigest.sha256(Array(text.utf8)))
        #expect(whole.observed == FileDigest.stat(file.path))
        guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: definition, fingerprint: true)
        else {
            Issue.record("not prepared")
            return
        }
        // Appended to after it was opened: size and times change on the same inode.
        let handle = try #require(FileHandle(forWritingAtPath: file.path))
        handle.seekToEndOfFile()
        handle.write(Data("2023-01-03T00:00:00+01:00,s1,m1,electricity_offtake,1,kWh,measured\n".utf8))
        try handle.close()
        var result = reader.read(file, context, CSVReadLimits(), 0)
        ReadFile.seal(&result, file, context)
        #expect(result.readChange == .changed("\(file.path): changed while it was read (its size or times differ "
            + "before and after the read)"))
        #expect(result.sha256 == nil)
    }

    @Test("a file swapped for a symbolic link after it was listed is not followed")
    func swappedForALink() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let definition = try definition(format: .parkimpactLong)
        try folder.write("secret.csv", Self.rows(days: 1, value: "x"))
        try folder.write("input/a.csv", Self.rows(days: 1, value: "1"))
        let file = file(folder, "a.csv", definition)
        try FileManager.default.removeItem(atPath: file.path)
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: folder.root + "/secret.csv")
        let result = ReadFile.read(file, definition: definition)
        #expect(result.series.isEmpty)
        #expect(result.rejects.isEmpty)
        #expect(result.summary.problem == "\(file.path): cannot read: not a file (it is a symbolic link now (it was not when the "
            + "run listed the files)); point the source at files, not folders")
        #expect(result.readChange == .refused("\(file.path): it is a symbolic link now (it was not when the run "
            + "listed the files)"))
    }

    @Test("a file deleted after it was opened is read whole but flagged as vanished; one gone before is too")
    func deletedDuringTheRead() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let definition = try definition(format: .parkimpactLong)
        try folder.write("input/a.csv", Self.rows(days: 20, value: "1"))
        let file = file(folder, "a.csv", definition)
        guard case .ready(let context, let reader) = ReadFile.prepare(file, definition: definition) else {
            Issue.record("not prepared")
            return
        }
        try FileManager.default.removeItem(atPath: file.path)
        let result = ReadFile.readChunked(file, context, reader, chunkBytes: 4096)
        #expect(result.summary.acceptedRows == 20 * 24)
        #expect(result.readChange == .vanished("\(file.path): deleted or moved away while it was read"))
        let gone = ReadFile.read(file, definition: definition)
        #expect(gone.readChange == .vanished("\(file.path): gone before it could be read"))
    }

    @Test("a fingerprint names the stat of the file it hashed: what planning compares with the stat it plans with")
    func fingerprintCarriesItsStat() throws {
        let folder = try Scratch()
        defer { folder.remove() }
        let text = Self.rows(days: 1, value: "1")
        try folder.write("input/a.csv", text)
        let path = folder.root + "/input/a.csv"
        let print = try FileDigest.fingerprint(path: path)
        #expect(print.sha256 == FileDigest.sha256(Array(text.utf8)))
        #expect(print.stat == FileDigest.stat(path))
        // Rewritten (same size, a new ctime): the earlier fingerprint no longer matches the file's stat.
        usleep(10_000)
        try folder.write("input/a.csv", Self.rows(days: 1, value: "2"))
        #expect(print.stat != FileDigest.stat(path))
        let digests = DeferredDigests([path], concurrent: true)
        #expect(throws: FileDigest.ChangedWhileHashed.self) { try digests.wait(path, expecting: print.stat) }
    }
}
