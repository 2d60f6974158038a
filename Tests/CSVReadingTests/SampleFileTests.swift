import CSVReading
import Foundation
import Testing

/// The real exports in `Tests/Fixtures/samples` (with their PROVENANCE.md).
enum Samples {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CSVReadingTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Tests/Fixtures/samples")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static var csvFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".csv") }.sorted()
    }
}

/// What the detector must say about one sample.
struct ExpectedDialect: Sendable, CustomTestStringConvertible {
    var file: String
    var delimiter: Character
    var decimalComma: Bool
    var bom: Bool
    var crlf: Bool
    var sepLine: Bool = false

    var testDescription: String { file }
}

@Suite("Real export samples")
struct SampleFileTests {
    static let fluviusEN = [
        "fluvius_en_electricity_15min_DST_fallback_2023-10-29_excerpt.csv", "fluvius_en_electricity_15min_head40.csv",
        "fluvius_en_gas_hourly_DST_fallback_2023-10-29_excerpt.csv", "fluvius_en_gas_hourly_head40.csv",
    ].map { ExpectedDialect(file: $0, delimiter: ";", decimalComma: true, bom: true, crlf: true) }

    static let fluviusNL = [
        "fluvius_nl_elektriciteit_DST_fallback_2021-10-31_excerpt.csv",
        "fluvius_nl_elektriciteit_kwartiertotalen_head40.csv", "fluvius_nl_elektriciteit_values_statuses_excerpt.csv",
        "fluvius_nl_gas_uurtotalen_full.csv",
    ].map { ExpectedDialect(file: $0, delimiter: ";", decimalComma: true, bom: true, crlf: false) }

    static let others = [
        ExpectedDialect(file: "sma_webui_5min_head14.csv", delimiter: ",", decimalComma: false, bom: true, crlf: false,
                        sepLine: true),
        ExpectedDialect(file: "sma_webui_daily_head20.csv", delimiter: ",", decimalComma: false, bom: true, crlf: false,
                        sepLine: true),
        ExpectedDialect(file: "sungrow_isolarcloud_monthly_report_full.csv", delimiter: ",", decimalComma: false,
                        bom: true, crlf: false),
        ExpectedDialect(file: "enphase_custom_report_hourly_head20.csv", delimiter: ",", decimalComma: false,
                        bom: false, crlf: false),
        ExpectedDialect(file: "homewizard_water_15min_head30.csv", delimiter: ",", decimalComma: false, bom: false,
                        crlf: false),
        ExpectedDialect(file: "energycontrol_water_meter_readings_full.csv", delimiter: ";", decimalComma: true,
                        bom: true, crlf: false),
        ExpectedDialect(file: "telraam_s2_rawdata_hourly_excerpt_DERIVED_from_xlsx.csv", delimiter: ",",
                        decimalComma: false, bom: false, crlf: true),
    ]

    static let all = fluviusEN + fluviusNL + others

    @Test func everySampleHasAnExpectedDialect() {
        #expect(Samples.csvFiles == Self.all.map(\.file).sorted())
    }

    @Test(arguments: all)
    func theDetectorFindsTheDialect(expected: ExpectedDialect) throws {
        let dialect = detect(try CSVFileSource.prefix(path: Samples.path(expected.file)))

        #expect(dialect.delimiter == expected.delimiter.asciiValue)
        #expect(dialect.quote == UInt8(ascii: "\""))
        #expect(dialect.decimalMark == (expected.decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")))
        #expect(dialect.byteOrderMarkLength == (expected.bom ? 3 : 0))
        #expect(dialect.encoding == .utf8)
        #expect(dialect.lineTerminator == 0x0A)
        #expect(dialect.usesCRLF == expected.crlf)
        #expect(dialect.hasSeparatorLine == expected.sepLine)
    }

    @Test(arguments: all)
    func everyNonBlankLineOfASampleIsARecordAndNothingIsRejected(expected: ExpectedDialect) throws {
        let path = Samples.path(expected.file)
        let fileBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let lines = physicalLines(fileBytes)
        let nonBlank = lines.filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }.count
        let dialect = detect(try CSVFileSource.prefix(path: path))

        var source = try CSVFileSource(path: path)
        let outcome = try read(from: &source, dialect: dialect, limits: CSVReadLimits(chunkSize: 64))

        #expect(outcome.malformed.isEmpty, "rejects: \(outcome.malformed.prefix(3))")
        #expect(outcome.rows.count == nonBlank - (expected.sepLine ? 1 : 0))
        #expect(outcome.statistics.physicalLines == lines.count)
        #expect(outcome.statistics.bytes == fileBytes.count)
    }

    /// Fluvius writes the EAN as Excel's text formula `="5414…"`: the reader hands over the text Excel shows.
    @Test(arguments: fluviusEN + fluviusNL)
    func fluviusRowsGiveTheEANDigitsAndVolumesThatParse(expected: ExpectedDialect) throws {
        let path = Samples.path(expected.file)
        let dialect = detect(try CSVFileSource.prefix(path: path))
        var source = try CSVFileSource(path: path)
        var eans = Set<String>()
        var volumes: [Double?] = []  // the non-empty ones (`Geen verbruik` rows have none)
        var fieldCounts = Set<Int>()
        var raws: [String] = []
        _ = try CSVStreamReader(dialect: dialect).read(
            from: &source,
            onRecord: { record in
                guard record.line > 1 else { return .proceed }
                eans.insert(record.string(4))
                fieldCounts.insert(record.fieldCount)
                if !FieldParsing.isBlank(record[8]) {
                    volumes.append(FieldParsing.decimal(record[8], decimalMark: dialect.decimalMark))
                }
                if raws.isEmpty { raws.append(record.rawText()) }
                return .proceed
            },
            onMalformed: { Issue.record("unexpected reject: \($0)") })

        #expect(eans.count == 1)
        #expect(eans.first.map { $0.count == 18 && $0.allSatisfy(\.isNumber) } == true, "EAN field: \(eans)")
        #expect(fieldCounts.count == 1)
        #expect(!volumes.contains(nil), "every Volume written is a number with the detected decimal mark")
        #expect(raws.first?.contains(";=\"") == true, "the raw text stays as written")
    }

    @Test func theFirstFluviusVolumeIsReadAsADecimalComma() throws {
        let path = Samples.path("fluvius_en_electricity_15min_head40.csv")
        let dialect = detect(try CSVFileSource.prefix(path: path))
        var source = try CSVFileSource(path: path)
        let outcome = try read(from: &source, dialect: dialect)

        try #require(outcome.rows.count > 3, "rejects: \(outcome.malformed.prefix(3))")
        #expect(outcome.rows[3].line == 4)
        #expect(outcome.rows[3].fields[8] == "0,173")
        #expect(outcome.rows[3].fields[4] == "123456879123456789")
        let volume = Array(outcome.rows[3].fields[8].utf8).withUnsafeBytes {
            FieldParsing.decimal($0, decimalMark: dialect.decimalMark)
        }
        #expect(volume == 0.173)
    }
}
