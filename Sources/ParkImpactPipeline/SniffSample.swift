import CSVReading
import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports

/// The records `sniff` looks at: the whole file when it is small, else its start, a block from its middle and its
/// end (each cut at line starts), so the date order, row order, registers and distinct texts are settled on rows from
/// all over the file, not on its first lines.
struct SniffSample {
    /// A file up to this size is read whole.
    static let wholeFileLimit = 8 << 20
    /// For a larger file: this much of its start ...
    static let startBlock = 1 << 20
    /// ... and this much from its middle and from its end.
    static let laterBlock = 256 << 10

    /// `line`: the file line of the record; 0 for records of the middle and end blocks (their line is not counted).
    var records: [(line: Int, fields: [String])] = []
    /// Whether the whole file was read.
    var whole = true

    static func read(path: String, size: Int, dialect: CSVDialect) throws(CSVFileError) -> SniffSample {
        var sample = SniffSample()
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CSVFileError(code: .io, path: path) }
        defer { try? handle.close() }
        func bytes(at offset: Int, count: Int) -> [UInt8] {
            guard (try? handle.seek(toOffset: UInt64(offset))) != nil,
                  let data = try? handle.read(upToCount: count) else { return [] }
            return [UInt8](data)
        }
        // UTF-16 cannot be cut at an arbitrary byte: such files are sampled from their start only.
        let sixteen = dialect.encoding == .utf16LittleEndian || dialect.encoding == .utf16BigEndian
            || dialect.lineTerminator != 0x0A
        if size <= wholeFileLimit {
            try sample.parse(bytes(at: 0, count: size), dialect: dialect, numbered: true, path: path)
            return sample
        }
        sample.whole = false
        var start = bytes(at: 0, count: startBlock)
        if !sixteen, let end = start.lastIndex(of: 0x0A) { start.removeSubrange((end + 1)...) }
        try sample.parse(start, dialect: dialect, numbered: true, path: path)
        guard !sixteen else { return sample }
        var later = dialect
        later.byteOrderMarkLength = 0
        later.hasSeparatorLine = false
        for offset in [size / 2, size - laterBlock] {
            var block = bytes(at: offset, count: laterBlock)
            // From the first line start in the block to the last line end.
            guard let first = block.firstIndex(of: 0x0A) else { continue }
            block.removeSubrange(...first)
            if offset + laterBlock < size, let end = block.lastIndex(of: 0x0A) { block.removeSubrange((end + 1)...) }
            try sample.parse(block, dialect: later, numbered: false, path: path)
        }
        return sample
    }

    private mutating func parse(_ bytes: [UInt8], dialect: CSVDialect, numbered: Bool, path: String)
        throws(CSVFileError)
    {
        var source = CSVMemorySource(bytes)
        var found: [(line: Int, fields: [String])] = []
        do {
            _ = try CSVStreamReader(dialect: dialect).read(from: &source, onRecord: { record in
                found.append((numbered ? record.line : 0, record.strings))
                return .proceed
            }, onMalformed: { _ in })
        } catch {
            throw error.at(path)
        }
        records.append(contentsOf: found)
    }
}
