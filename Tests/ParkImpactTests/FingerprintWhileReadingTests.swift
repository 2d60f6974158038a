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

/// The ledger's fingerprint of a file read whole is computed from the bytes the parser reads (`ReadContext.fingerprint`):
/// it must be the file's SHA-256 whatever the parser did with them, or a copy or a rename would be missed.
@Suite("fingerprints computed while reading") struct FingerprintWhileReadingTests {
    func read(_ path: String, format: SourceFormatName, limits: CSVReadLimits = .init(), fingerprint: Bool = true) throws
        -> FileResult {
        let definition = try definition(format: format)
        let file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, pilot: "test",
                             source: definition.sources[0])
        return ReadFile.read(file, definition: definition, limits: limits, fingerprint: fingerprint)
    }

    @Test("every sample read as Fluvius (most stop at their header) has its file's SHA-256, in any read size")
    func samples() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: samplesFolder).filter { $0.hasSuffix(".csv") }.sorted()
        #expect(names.count >= 15)
        var stoppedEarly = 0
        for name in names {
            let path = samplePath(name)
            let expected = try FileDigest.sha256(path: path)
            for chunkSize in [1 << 20, 4096, 97] {
                let result = try read(path, format: .fluvius, limits: CSVReadLimits(chunkSize: chunkSize))
                #expect(result.sha256 == expected, "\(name) read \(chunkSize) bytes at a time")
                if result.summary.problem != nil, chunkSize == 97 { stoppedEarly += 1 }
            }
        }
        // The others are no Fluvius exports: their reads stop at the header, and the rest is hashed after.
        #expect(stoppedEarly >= 6)
    }

    @Test("a file larger than the read buffer, a UTF-16 file with a byte-order mark, and a file with rejects")
    func largeTranscodedAndRejected() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var text = "timestamp,site,series,quantity,value,unit,quality\n"
        for index in 0..<40_000 {
            let value = index % 997 == 0 ? "n/a" : "\(index % 13).25"
            text += "2024-01-01T00:00:00+01:00,s1,m\(index),electricity_offtake,\(value),kWh,measured\n"
        }
        try scratch.write("big.csv", text)
        let utf16 = [UInt8]([0xFF, 0xFE]) + Array(text.prefix(20_000).utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        try Data(utf16).write(to: URL(fileURLWithPath: (scratch.root + "/" + "utf16.csv")))
        for name in ["big.csv", "utf16.csv"] {
            let path = (scratch.root + "/" + name)
            let result = try read(path, format: .parkimpactLong, limits: CSVReadLimits(chunkSize: 65_536))
            #expect(result.summary.problem == nil && result.summary.acceptedRows > 100, "\(name)")
            #expect(!result.rejects.isEmpty, "\(name)")
            #expect(result.sha256 == (try FileDigest.sha256(path: path)), "\(name)")
        }
        // Read as another format, it stops at its header: the rest is read for the fingerprint alone.
        let stopped = try read(scratch.root + "/big.csv", format: .sma, limits: CSVReadLimits(chunkSize: 65_536))
        #expect(stopped.summary.problem != nil && stopped.statistics.bytes < 1 << 20)
        #expect(stopped.sha256 == (try FileDigest.sha256(path: scratch.root + "/big.csv")))
        #expect(try read((scratch.root + "/" + "big.csv"), format: .parkimpactLong, fingerprint: false).sha256 == nil)
        // An empty file is refused before it is read: no fingerprint (the ledger computes it on its own).
        try scratch.write("empty.csv", "")
        #expect(try read((scratch.root + "/" + "empty.csv"), format: .parkimpactLong).sha256 == nil)
    }

    @Test("files of one size: the first of each content counts, in path order; one source's settle as they arrive")
    func sameSizeGroups() throws {
        let definition = try definition(format: .parkimpactLong)
        func result(_ name: String, sha: String?) -> FileResult {
            var read = ReadFile.failed(InputFile(path: "/in/p/" + name, relativePath: "p/" + name, pilot: "p",
                                                 source: definition.sources[0]), "unused", code: .unreadableFile)
            read.sha256 = sha
            return read
        }
        // a was read in chunks (no fingerprint from its read), c cannot be fingerprinted at all; e has no twin.
        let groups = SameSizeGroups([("/in/p/a", "p", 10), ("/in/p/b", "p", 10), ("/in/p/c", "p", 10), ("/in/p/e", "p", 11),
                                     ("/in/q/a", "q", 10)]) { ["/in/p/a": "X"][$0] }
        #expect(groups.arrived("/in/p/e", result("e", sha: "Y")).map(\.path) == ["/in/p/e"])
        #expect(groups.arrived("/in/q/a", result("a", sha: "X")).map(\.path) == ["/in/q/a"])  // another pilot
        #expect(groups.arrived("/in/p/b", result("b", sha: "X")).isEmpty)
        #expect(groups.arrived("/in/p/c", result("c", sha: nil)).isEmpty)
        let settled = groups.arrived("/in/p/a", result("a", sha: nil))
        #expect(settled.map { "\($0.path) \($0.sha256 ?? "-") \($0.duplicateOf ?? "counted")" } == [
            "/in/p/a X counted", "/in/p/b X p/a", "/in/p/c - counted",
        ])
        #expect(groups.duplicates == ["/in/p/b": "p/a"])
        // Read again later (PV matching): a duplicate stays one, the others are handed back.
        #expect(groups.arrived("/in/p/b", result("b", sha: "X")).isEmpty)
        #expect(groups.arrived("/in/p/a", result("a", sha: "X")).map(\.path) == ["/in/p/a"])

        // Read in order, a group of one source settles member by member: each as soon as those before it are in.
        let inOrder = SameSizeGroups([("/in/p/a", "p", 10), ("/in/p/b", "p", 10), ("/in/p/c", "p", 10),
                                      ("/in/p/d", "p", 10)])
        func line(_ settled: [SameSizeGroups.Settled]) -> [String] {
            settled.map { "\($0.path) \($0.duplicateOf ?? "counted")" }
        }
        #expect(line(inOrder.arrived("/in/p/a", result("a", sha: "X"))) == ["/in/p/a counted"])
        #expect(line(inOrder.arrived("/in/p/c", result("c", sha: "X"))).isEmpty)  // waits for b
        #expect(line(inOrder.arrived("/in/p/b", result("b", sha: "Y"))) == ["/in/p/b counted", "/in/p/c p/a"])
        #expect(line(inOrder.arrived("/in/p/d", result("d", sha: "Y"))) == ["/in/p/d p/b"])
        #expect(inOrder.duplicates == ["/in/p/c": "p/a", "/in/p/d": "p/b"])

        // Members of two sources: settled together once all are in, copies across the sources marked.
        let twoSources = SameSizeGroups([("/in/p/a", "p", 10), ("/in/p/b", "p", 10)],
                                        sources: ["/in/p/a": 0, "/in/p/b": 1])
        #expect(twoSources.arrived("/in/p/a", result("a", sha: "X")).isEmpty)
        let both = twoSources.arrived("/in/p/b", result("b", sha: "X"))
        #expect(line(both) == ["/in/p/a counted", "/in/p/b counted"] && both.allSatisfy(\.crossSource))
    }
}
