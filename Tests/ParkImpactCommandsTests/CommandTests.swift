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

@Suite struct CommandTests {
    static let goodDefinition = """
        pilot: p
        name: "P"
        periods:
          baseline: { from: 2023-01-01, to: 2023-12-31 }
          reporting: { from: 2024-01-01, to: 2024-12-31 }
        sites: [ { id: s, name: "<script>alert(1)</script>" } ]
        sources: [ { path: "*.csv", format: fluvius, site: s } ]
        """
    static let header = "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;"
        + "Volume;Eenheid;Validatiestatus;Omschrijving\n"

    @Test func anUnknownOptionIsAUsageError() {
        #expect(runCommand(["run", "--no-such-option"]) == 64)
    }

    @Test func anInvalidDefinitionExits78AndWritesNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/p.yaml", Self.goodDefinition.replacingOccurrences(of: "fluvius", with: "fluvus"))
        #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                            "--output", scratch.path("output")]) == 78)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("output/p")))
    }

    @Test("a bad row goes to rejects.csv with file, line, column, code, reason and raw text; the good rows count")
    func badRowIsRejectedAndTheRunGoesOn() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/p.yaml", Self.goodDefinition)
        try scratch.write("input/p/elec.csv", "\u{FEFF}" + Self.header + """
            01-01-2024;00:00:00;01-01-2024;00:15:00;="541448820000000001";1SAG;Digitale Meter;Afname Nacht;1,5;kWh;Gevalideerd;
            01-01-2024;00:15:00;01-01-2024;00:30:00;="541448820000000001";1SAG;Digitale Meter;Afname Nacht;12,5x;kWh;Gevalideerd;
            01-01-2024;00:30:00;01-01-2024;00:45:00;="541448820000000001";1SAG;Digitale Meter;Afname Nacht;2,25;kWh;Geschat;

            """)
        #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                            "--output", scratch.path("output")]) == 0)
        // A Dutch pilot (the default language): `;` between the columns; the raw text, full of `;`, is one quoted cell.
        #expect(scratch.read("output/p/rejects.csv") == "\u{FEFF}file;line;column;code;reason;raw\r\n"
            + "p/elec.csv;3;Volume;not_a_number;\"\"\"12,5x\"\" is not a number\";\"01-01-2024;00:15:00;01-01-2024;00:30:00;"
            + "=\"\"541448820000000001\"\";1SAG;Digitale Meter;Afname Nacht;12,5x;kWh;Gevalideerd;\"\r\n")
        let json = try #require(scratch.read("output/p/kpis.json"))
        #expect(json.contains("{\"key\": \"energy.electricity.offtake_kwh\", \"period\": \"reporting\", \"site\": null, \"value\": 3.75,"))
        let html = try #require(scratch.read("output/p/report.html"))
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test("kpis.csv and rejects.csv follow each pilot's language (nl: ; and a decimal comma; en: , and .); --csv-locale sets one for all")
    func csvLocaleForExcel() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let export = "\u{FEFF}" + Self.header + """
            01-01-2024;00:00:00;01-01-2024;00:15:00;="541448820000000001";1SAG;Digitale Meter;Afname Nacht;1,5;kWh;Gevalideerd;
            01-01-2024;00:15:00;01-01-2024;00:30:00;="541448820000000001";1SAG;Digitale Meter;Afname Nacht;12,5x;kWh;Gevalideerd;
            01-01-2024;00:30:00;01-01-2024;00:45:00;="541448820000000001";1SAG;Digitale Meter;Afname Nacht;2,25;kWh;Geschat;

            """
        try scratch.write("pipelines/p.yaml", Self.goodDefinition)  // no `language:`: nl
        try scratch.write("input/p/elec.csv", export)
        try scratch.write("pipelines/e.yaml", Self.goodDefinition.replacingOccurrences(of: "pilot: p\n",
                                                                                      with: "pilot: e\nlanguage: en\n"))
        try scratch.write("input/e/elec.csv", export)
        for (locale, folder) in [("nl", "output-nl"), ("en", "output-en")] {
            #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                                "--output", scratch.path(folder), "--csv-locale", locale]) == 0)
        }
        #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                            "--output", scratch.path("output-default")]) == 0)
        let nlRejects = try #require(scratch.read("output-nl/p/rejects.csv"))
        #expect(nlRejects == "\u{FEFF}file;line;column;code;reason;raw\r\n"
            + "p/elec.csv;3;Volume;not_a_number;\"\"\"12,5x\"\" is not a number\";\"01-01-2024;00:15:00;01-01-2024;00:30:00;"
            + "=\"\"541448820000000001\"\";1SAG;Digitale Meter;Afname Nacht;12,5x;kWh;Gevalideerd;\"\r\n")
        let nlKPIs = try #require(scratch.read("output-nl/p/kpis.csv"))
        #expect(nlKPIs.hasPrefix("\u{FEFF}key;period;site;value;unit;coverage;estimated_share;flags;formula;"))
        #expect(nlKPIs.contains("\r\nenergy.electricity.offtake_kwh;reporting;;3,75;kWh;"))
        let enKPIs = try #require(scratch.read("output-en/p/kpis.csv"))
        #expect(enKPIs.hasPrefix("\u{FEFF}key,period,site,value,unit,coverage,estimated_share,flags,formula,"))
        #expect(enKPIs.contains("\r\nenergy.electricity.offtake_kwh,reporting,,3.75,kWh,"))
        // By default each pilot in its own language's format: p (nl) as with `--csv-locale nl`, e (en) as with `en`.
        #expect(scratch.read("output-default/p/kpis.csv") == nlKPIs)
        #expect(scratch.read("output-default/p/rejects.csv") == nlRejects)
        #expect(scratch.read("output-default/e/kpis.csv") == scratch.read("output-en/e/kpis.csv"))
        #expect(scratch.read("output-default/e/rejects.csv") == "\u{FEFF}file,line,column,code,reason,raw\r\n"
            + "e/elec.csv,3,Volume,not_a_number,\"\"\"12,5x\"\" is not a number\",\"01-01-2024;00:15:00;01-01-2024;00:30:00;"
            + "=\"\"541448820000000001\"\";1SAG;Digitale Meter;Afname Nacht;12,5x;kWh;Gevalideerd;\"\r\n")
        // `--csv-locale` overrides the language of every pilot.
        #expect(scratch.read("output-nl/e/kpis.csv")?.contains("\r\nenergy.electricity.offtake_kwh;reporting;;3,75;kWh;") == true)
        #expect(enKPIs == scratch.read("output-en/p/kpis.csv"))
        #expect(runCommand(["run", "--csv-locale", "de"]) == 64)
    }

    @Test("an unreadable file gets one message, exit 65, and the other files are still reported")
    func unreadableFileExits65() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/p.yaml", Self.goodDefinition)
        try scratch.write("input/p/good.csv", Self.header
            + "01-01-2024;00:00:00;01-01-2024;00:15:00;=\"1\";M;D;Afname Dag;1,000;kWh;Gevalideerd;\n")
        try Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0x08, 0, 0x21, 0]).write(
            to: URL(fileURLWithPath: scratch.path("input/p/export.csv")))
        #expect(runCommand(["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                            "--output", scratch.path("output")]) == 65)
        #expect(scratch.read("output/p/kpis.json")?.contains("\"value\": 1,") == true)
    }

    @Test("the unreadable-file message names the file, what is wrong and how to fix it")
    func unreadableFileMessage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/p.yaml", Self.goodDefinition)
        try scratch.write("input/p/wrong.csv", "Datum,Wert\n2024-01-01,3\n")
        let definition = try DefinitionLoader.load(file: scratch.path("pipelines/p.yaml"), catalogue: .builtIn)
        var diagnostics = Diagnostics()
        _ = PipelineRun.execute(
            definitions: [definition],
            context: .init(folders: RunFolders(pipelines: scratch.path("pipelines"), input: scratch.path("input"),
                                               output: scratch.path("output")),
                           catalogue: .builtIn, threads: 1),
            diagnostics: &diagnostics)
        #expect(diagnostics.status == .dataError)
        #expect(diagnostics.entries.map(\.message) == [
            scratch.path("input/p/wrong.csv") + ": line 1: the header is not a Fluvius export header; expected "
                + "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;"
                + "Eenheid;Validatiestatus (or the older/English variants), found: Datum;Wert; check `format: fluvius` "
                + "of sources[0] or run `parkimpact sniff " + scratch.path("input/p/wrong.csv") + "`",
        ])
    }

    static let gasSample = packageRoot.path
        + "/Tests/Fixtures/samples/fluvius_en_gas_hourly_DST_fallback_2023-10-29_excerpt.csv"

    @Test
    func sniffNamesTheFormatOfAFluviusSample() throws {
        let sample = Self.gasSample
        let report = try Sniff.sniff(path: sample)
        #expect(report.format == .fluvius)
        #expect(report.dialect.description == "delimiter ';', decimal comma, UTF-8 with BOM, CRLF")
        #expect(report.readings.count == 6)
        #expect(runCommand(["sniff", sample]) == 0)
        #expect(runCommand(["sniff", "/no/such/file.csv"]) == 65)
    }
}

@Suite struct RunLockTests {
    @Test("a second run while one holds the lock exits 75, says so, and writes nothing")
    func secondRunExits75() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("pipelines/p.yaml", CommandTests.goodDefinition)
        try scratch.write("input/p/good.csv", CommandTests.header
            + "01-01-2024;00:00:00;01-01-2024;00:15:00;=\"1\";M;D;Afname Dag;1,000;kWh;Gevalideerd;\n")
        let arguments = ["run", "--settle-seconds", "0", "--pipelines", scratch.path("pipelines"), "--input", scratch.path("input"),
                         "--output", scratch.path("output")]
        do {
            let held = try RunLock(outputFolder: scratch.path("output"))
            #expect(runCommand(arguments) == 75)
            #expect(!FileManager.default.fileExists(atPath: scratch.path("output/p/kpis.json")))
            #expect(throws: RunLock.Busy.self) { try RunLock(outputFolder: scratch.path("output")) }
            withExtendedLifetime(held) {}
        }
        // Released: the next run goes ahead.
        #expect(runCommand(arguments) == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("output/p/kpis.json")))
    }

    @Test("the busy message names the lock file and the holder's pid")
    func busyMessage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let held = try RunLock(outputFolder: scratch.path("output"))
        defer { withExtendedLifetime(held) {} }
        do {
            _ = try RunLock(outputFolder: scratch.path("output"))
            Issue.record("expected the lock to be busy")
        } catch let busy as RunLock.Busy {
            #expect(busy.description == "another parkimpact run (pid \(ProcessInfo.processInfo.processIdentifier)) "
                + "holds the lock \(scratch.path("output"))/.parkimpact/lock; it changed nothing. Try again when it has "
                + "finished (cron: the next run picks up whatever is new)")
        }
    }
}
