import CSVReading
import Foundation
import Testing

/// A file that cannot be read at all says which file, what is wrong and how to fix it.
@Suite("Unreadable files")
struct CSVFileErrorTests {
    @Test func aMissingFileIsNamedWithNotFoundAndAFix() {
        let path = "input/demo/no-such-export.csv"
        let error = #expect(throws: CSVFileError.self) { try CSVFileSource(path: path) }

        #expect(error?.code == .notFound)
        #expect(error?.path == path)
        #expect(error?.description == "input/demo/no-such-export.csv: cannot read: not found; "
            + "check the path (was the file moved or renamed while the run started?)")
    }

    @Test func readingThePrefixOfAMissingFileGivesTheSameError() {
        #expect(throws: CSVFileError(code: .notFound, path: "/nonexistent/x.csv")) {
            try CSVFileSource.prefix(path: "/nonexistent/x.csv")
        }
    }

    @Test func aDirectoryIsNotAFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("csvreading-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let error = #expect(throws: CSVFileError.self) { try CSVFileSource(path: directory) }

        #expect(error?.code == .notAFile)
        #expect(error?.description == "\(directory): cannot read: not a file; point the source at files, not folders")
    }

    @Test func anErrorWithoutAPathNamesTheInputAndCanBeGivenOne() {
        let error = CSVFileError(code: .binary, path: nil)

        #expect(error.description == "input: cannot read: binary data; this is not a CSV text export (an .xlsx or a "
            + "zip?): export or save it as CSV")
        #expect(error.at("input/demo/report.xlsx").description.hasPrefix("input/demo/report.xlsx: cannot read: "))
    }

    @Test func anIOErrorCarriesTheSystemMessage() {
        let error = CSVFileError(code: .io, path: "x.csv", detail: "Input/output error")

        #expect(error.description == "x.csv: cannot read: I/O error (Input/output error); check the disk and try again")
    }

    @Test func aFileIsReadInFullThroughTheFileSource() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csvreading-\(UUID().uuidString).csv")
        try Data("a;b\r\n1;2,5\r\n".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }

        var source = try CSVFileSource(path: path.path)
        let outcome = try read(from: &source, dialect: detect("a;b\r\n1;2,5\r\n"))

        #expect(outcome.fields == [["a", "b"], ["1", "2,5"]])
        #expect(try CSVFileSource.prefix(path: path.path, count: 4) == Array("a;b\r".utf8))
    }
}
