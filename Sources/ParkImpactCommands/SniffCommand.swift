import ArgumentParser
import CSVReading
import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports
import ParkImpactPipeline

/// `parkimpact sniff FILE`: detected format, dialect, columns and the first parsed rows.
struct SniffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sniff", abstract: "Show the detected format, dialect, columns and first rows of a file.")

    @Argument(help: "The CSV file to inspect.")
    var file: String

    func run() throws {
        let report: SniffReport
        do {
            report = try Sniff.sniff(path: file)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(ExitStatus.dataError.rawValue)
        }
        print("file:     \(report.path) (\(report.size) bytes)")
        print("dialect:  \(report.dialect)")
        print("format:   \(report.format?.rawValue ?? "not recognised")")
        print("sampled:  \(report.sampledRecords) records (\(report.wholeFile ? "the whole file" : "its start, middle and end"))")
        for (format, verdict) in report.tried { print("  tried \(format.rawValue): \(verdict)") }
        print("columns (header line \(report.headerLine)):")
        if report.mapping.isEmpty {
            for (index, name) in report.header.enumerated() { print("  \(index + 1). \(name)") }
        } else {
            for column in report.mapping { print("  \(column.column) → \(column.role)") }
        }
        if !report.firstRecords.isEmpty {
            print("first rows:")
            for row in report.firstRecords { print("  " + row.joined(separator: " | ")) }
        }
        if !report.readings.isEmpty, report.preview.isEmpty {
            print("parsed readings (UTC start, interval, series, value, quality):")
            for reading in report.readings {
                print("  \(Self.iso(reading.startUTC))  \(reading.intervalSeconds / 60) min  "
                    + "\(reading.series.quantity.rawValue) \(reading.series.meter)  "
                    + "\(reading.quality == .missing ? "missing" : MachineNumber.format(reading.value, decimals: 6)) "
                    + "\(reading.series.quantity.canonicalUnit.rawValue)  \(reading.quality)")
            }
        }
        for reject in report.rejects {
            print("  rejected line \(reject.line), column \(reject.column): \(reject.reason)")
        }
        for warning in report.warnings { print("warning: \(warning)") }
        if let hint = report.yamlHint {
            print("in pipelines/<pilot>.yaml (every `# check:` is a guess to verify; fill in each `<...>`):")
            print(hint)
            if let problem = report.previewProblem {
                print("first readings per series: not shown: \(problem)")
            } else if report.preview.isEmpty {
                print("first readings per series: none (no row could be read; see the warnings above)")
            } else {
                print("first readings per series, as this entry reads them (local time of the pilot, UTC start, interval when "
                    + "known, value):")
                for series in report.preview {
                    print("  \(series.series.quantity.rawValue) \(series.series.meter):")
                    for reading in series.readings {
                        let interval = reading.intervalSeconds > 0 ? "\(reading.intervalSeconds / 60) min  " : ""
                        print("    \(reading.local)  (\(Self.iso(reading.utc)))  \(interval)"
                            + (reading.quality == .missing ? "missing"
                                : "\(MachineNumber.format(reading.value, decimals: 6)) "
                                    + series.series.quantity.canonicalUnit.rawValue))
                    }
                }
            }
        }
        if let reason = report.noProposal { print("no proposal: \(reason)") }
    }

    static func iso(_ instant: Int64) -> String {
        let day = Int(instant >= 0 ? instant / 86_400 : (instant - 86_399) / 86_400)
        let seconds = Int(instant - Int64(day) * 86_400)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate(dayNumber: day))T\(two(seconds / 3600)):\(two(seconds / 60 % 60))Z"
    }
}
