import Foundation
import Testing
import TestSupport
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Repeats of a reading that was not its series' last are held in a flat array until the second pass over the file
/// settles their codes by walking the file in line order (`PendingRepeats`): a few bytes each, no hash of them.
@Suite("pending repeats: held compactly, settled by a streaming second pass") struct PendingRepeatsTests {
    @Test("a pending repeat is held in 40 bytes")
    func compact() {
        #expect(MemoryLayout<PendingRepeats.Entry>.stride == 40)
    }

    static func reading(_ start: Int64, _ value: Double, line: Int64, _ quality: Quality = .measured)
        -> AcceptedReading {
        AcceptedReading(start: start, value: value, quality: quality, line: line)
    }

    /// Earlier lines out of order (sorted for the pass), readings seen out of line order (a format that holds
    /// readings back and adds them later with their own line), two repeats of one reading, one never found.
    @Test("matched by line, series and start in any order of the pass")
    func streamingLookup() {
        var pending = PendingRepeats()
        pending.append(series: 0, reading: Self.reading(900, 1, line: 20), earlierLine: 9, reject: nil)
        pending.append(series: 1, reading: Self.reading(300, 2, line: 21), earlierLine: 3, reject: 7)
        pending.append(series: 0, reading: Self.reading(300, 5, line: 22), earlierLine: 3, reject: nil)
        pending.append(series: 0, reading: Self.reading(300, 4, line: 23), earlierLine: 3, reject: nil)
        pending.append(series: 0, reading: Self.reading(500, 0, line: 24, .missing), earlierLine: 5, reject: nil)
        pending.append(series: 0, reading: Self.reading(700, 1, line: 25), earlierLine: 7, reject: nil)
        pending.startLookup()
        #expect(pending.entries.map(\.earlierLine) == [3, 3, 3, 5, 7, 9])
        // The pass: line 9 first, then the held-back lines 3 and 5 (line 7 never comes).
        pending.see(line: 9, series: 0, start: 900, value: 1, quality: .measured)
        pending.see(line: 3, series: 0, start: 300, value: 4, quality: .measured)
        pending.see(line: 3, series: 1, start: 300, value: 3, quality: .measured)
        pending.see(line: 3, series: 1, start: 600, value: 2, quality: .measured)  // another start: no match
        pending.see(line: 5, series: 0, start: 500, value: 0, quality: .missing)
        #expect(pending.entries.map { "\($0.line) \($0.found)" }
            == ["21 other", "22 other", "23 same", "24 same", "25 nothing", "20 same"])
        #expect(pending.entries.map { pending.reject(of: $0) } == [7, nil, nil, nil, nil, nil])
        // Only the repeat kept in full keeps its earlier reading (for its reason).
        #expect(pending.earlierOfDetailed == [LookupKey(line: 3, series: 1, start: 300): Self.reading(300, 3, line: 3)])
    }

    /// Repeats of starts whose line was not kept (`SeenStarts.unknownLine`) come first and are matched by series
    /// and start at the first reading the pass sees of them; the others still by line.
    @Test("without an earlier line: matched by series and start at its first reading")
    func unknownEarlierLine() {
        let unknown = SeenStarts.unknownLine
        var pending = PendingRepeats()
        pending.append(series: 0, reading: Self.reading(900, 1, line: 30), earlierLine: 12, reject: nil)
        pending.append(series: 0, reading: Self.reading(300, 2, line: 31), earlierLine: unknown, reject: 4)
        pending.append(series: 1, reading: Self.reading(300, 6, line: 32), earlierLine: unknown, reject: nil)
        pending.append(series: 0, reading: Self.reading(300, 2, line: 33), earlierLine: unknown, reject: nil)
        pending.startLookup()
        #expect(pending.entries.map(\.line) == [31, 32, 33, 30])
        pending.see(line: 5, series: 1, start: 600, value: 6, quality: .measured)  // another start
        pending.see(line: 7, series: 0, start: 300, value: 2, quality: .measured)
        pending.see(line: 8, series: 0, start: 300, value: 9, quality: .measured)  // a later reading: not the earlier
        pending.see(line: 12, series: 0, start: 900, value: 1, quality: .measured)
        pending.see(line: 14, series: 1, start: 300, value: 7, quality: .measured)
        #expect(pending.entries.map { "\($0.line) \($0.earlierLine) \($0.found)" }
            == ["31 7 same", "32 14 other", "33 7 same", "30 12 same"])
        #expect(pending.earlierOfDetailed == [LookupKey(line: 7, series: 0, start: 300): Self.reading(300, 2, line: 7)])
    }

    static let header = "timestamp,site,series,quantity,value,unit,quality\n"

    /// Meter `meter` at quarter-hour `quarter` from 2024-01-01 00:00 +01:00.
    static func row(_ quarter: Int, _ meter: Int, _ value: String, _ quality: String) -> String {
        let day = 1 + quarter / 96
        let minutes = quarter % 96 * 15
        return String(format: "2024-01-%02dT%02d:%02d:00+01:00", day, minutes / 60, minutes % 60)
            + ",s1,m\(meter),electricity_offtake,\(value),kWh,\(quality)\n"
    }

    /// An export pasted twice, the second copy shuffled with some values changed: more repeats than are kept in full
    /// until the second pass (`pendingDetailLimit`), their earlier lines out of order. Checked row by row against a
    /// trivial model (the first row of a meter and quarter counts; a later one is a duplicate when its value and
    /// quality are the same, else a conflict).
    @Test("an export pasted twice, shuffled and partly changed: every repeat's code and earlier line as the model's",
          arguments: [18, 19] as [UInt64])
    func pastedTwice(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        var rows: [(quarter: Int, meter: Int, value: String, quality: String)] = []
        for quarter in 0..<200 {
            for meter in 0..<2 {
                let missing = (quarter + meter) % 11 == 0
                rows.append((quarter, meter, missing ? "" : "\((quarter * 7 + meter) % 23)", missing ? "missing" : "measured"))
            }
        }
        var second = rows
        for index in second.indices.reversed() { second.swapAt(index, Int(random.next(below: UInt64(index + 1)))) }
        for index in second.indices where random.next(below: 3) == 0 {
            second[index].value = second[index].quality == "missing" ? "5" : second[index].value + "1"
            second[index].quality = "measured"
        }
        let all = rows + second
        var first: [String: (value: String, quality: String, line: Int)] = [:]
        var expected: [Int: (code: RejectCode, earlier: Int)] = [:]
        var perCode: [RejectCode: Int] = [:]
        var sum = 0.0
        for (offset, row) in all.enumerated() {
            let line = offset + 2
            let key = "\(row.meter) \(row.quarter)"
            if let earlier = first[key] {
                let same = earlier.quality == row.quality && (row.quality == "missing" || earlier.value == row.value)
                let code: RejectCode = same ? .duplicateInterval : .conflictingInterval
                expected[line] = (code, earlier.line)
                perCode[code, default: 0] += 1
            } else {
                first[key] = (row.value, row.quality, line)
                sum += Double(row.value) ?? 0
            }
        }
        #expect(expected.count == 400)
        #expect(expected.count > FileAggregator.pendingDetailLimit)

        let folder = try Scratch()
        defer { folder.remove() }
        try folder.write("x.csv", Self.header + all.map { Self.row($0.quarter, $0.meter, $0.value, $0.quality) }.joined())
        let result = try readFile(folder.root + "/x.csv", format: .parkimpactLong)

        let detailed = result.rejects.filter { $0.line > 0 }
        for reject in detailed {
            let model = try #require(expected[reject.line])
            #expect(reject.code == model.code)
            #expect(reject.reason.hasPrefix(model.code == .duplicateInterval ? "repeats line \(model.earlier): "
                                                : "conflicts with line \(model.earlier): "))
            #expect(!reject.raw.isEmpty)
        }
        // Kept in full: at most `Reject.detailLimit` of each code among the repeats of a meter's last reading
        // (quarter 199: settled at once, one per meter) and the first `pendingDetailLimit` others, by line.
        let repeatLines = expected.keys.sorted()
        let immediate = repeatLines.filter { all[$0 - 2].quarter == 199 }
        let candidates = immediate + repeatLines.filter { all[$0 - 2].quarter != 199 }
            .prefix(FileAggregator.pendingDetailLimit)
        for code in [RejectCode.duplicateInterval, .conflictingInterval] {
            let kept = detailed.filter { $0.code == code }.count
            let omitted = result.rejects.filter { $0.line == 0 && $0.code == code }.reduce(0) { $0 + $1.omittedRows }
            #expect(kept == min(Reject.detailLimit, candidates.filter { expected[$0]?.code == code }.count))
            #expect(kept + omitted == perCode[code] ?? 0)
        }
        #expect(result.rejects.allSatisfy { [.duplicateInterval, .conflictingInterval].contains($0.code) })
        let missing = rows.filter { $0.quality == "missing" }.count
        #expect(totals(result, .electricityOfftake) == QuantityTotals(present: 400 - missing, estimated: 0,
                                                                        missing: missing, sum: sum))
    }
}
