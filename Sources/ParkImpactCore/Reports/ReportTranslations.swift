import Foundation

/// Texts the engine writes in English (null reasons, flags, ignored-row reasons, factor notes) as the report shows
/// them. English reports show them as they are (flags get a readable label); Dutch reports translate the known
/// forms, and show anything else as a quoted technical message with a Dutch lead-in, so a Dutch page never reads
/// as an English sentence.
enum EngineText {
    // MARK: Flags

    static let flagsNL: [String: String] = [
        "model_not_acceptable": "referentiemodel niet aanvaardbaar (ASHRAE Guideline 14)",
        "not_annualised": "niet op jaarbasis (enquêtedag)",
        "trip_logs": "uit ritregistraties",
        "unknown_treatment": "onbekende verwerkingscode",
        "unknown_eural": "onbekende EURAL-code",
        "assumed_occupancy": "aangenomen bezetting (2 per carpoolwagen)",
    ]
    static let flagsEN: [String: String] = [
        "model_not_acceptable": "baseline model not acceptable (ASHRAE Guideline 14)",
        "not_annualised": "not annualised (survey day)",
        "trip_logs": "from trip logs",
        "unknown_treatment": "unknown treatment code",
        "unknown_eural": "unknown EURAL code",
        "assumed_occupancy": "assumed occupancy (2 per carpool car)",
    ]

    /// `threshold`: the pilot's `settings.coverage_threshold`, named by `low_coverage`.
    static func flag(_ code: String, _ language: PipelineDefinition.Language,
                     threshold: Double = KPI.coverageThreshold) -> String {
        if code == "low_coverage" {
            let shown = ReportText.thresholdText(threshold)
            return language == .nl ? "dekking onder \(shown.nl)" : "coverage below \(shown.en)"
        }
        return (language == .nl ? flagsNL : flagsEN)[code] ?? code
    }

    // MARK: Null reasons

    /// What the engine names in `no source delivers …` and `no … data in this period`.
    static let whatNL: [String: String] = [
        "PV production": "PV-productie", "water": "water", "natural gas": "aardgas",
        "natural gas (kWh, gross calorific value)": "aardgas (kWh, bovenwaarde)", "grid offtake": "netafname",
        "grid injection": "netinjectie", "grid offtake or natural gas": "netafname of aardgas",
        "grid offtake, natural gas or PV": "netafname, aardgas of PV", "counted traffic": "verkeerstellingen",
        "waste collections": "afvalophalingen", "self-consumed PV (matched intervals)":
            "zelf verbruikte PV-stroom (gekoppelde intervallen)", "electricity": "elektriciteit",
        "temperature": "temperatuur", "peak power": "piekvermogen",
    ]

    static let exactNL: [String: String] = [
        "no commuting survey with a reference date in this period and no logged trips in it":
            "geen pendelenquête met een referentiedatum in deze periode en geen geregistreerde verplaatsingen",
        "a leak indicator per site: see each site's value (minima from different sites and nights do not add up to a "
            + "flow of the park)": "een lekindicator per site: zie de waarde per site (minima van verschillende "
            + "sites en nachten tellen niet op tot een debiet van het park)",
        "no data in this period": "geen gegevens in deze periode",
        "no data": "geen gegevens",
        "no value": "geen waarde",
        "no waste collections in this period": "geen afvalophalingen in deze periode",
        "the waste collections in this period weigh 0 kg": "de afvalophalingen in deze periode wegen 0 kg",
        "no water data in the reporting period": "geen watergegevens in de rapportageperiode",
        "no water data in the baseline period": "geen watergegevens in de referentieperiode",
        "no Scope 1 or Scope 2 emissions in the baseline or the reporting period":
            "geen Scope 1- of Scope 2-emissies in de referentie- of rapportageperiode",
        "no road users counted in this period": "geen weggebruikers geteld in deze periode",
        "no day of this period has daily mean temperatures for the day and the two days before":
            "geen dag van deze periode heeft daggemiddelde temperaturen voor die dag en de twee dagen ervoor",
        "no day of this period has both complete gas data and degree days":
            "geen dag van deze periode heeft zowel volledige gasgegevens als graaddagen",
        "no series for this scope": "geen meetreeksen voor dit bereik",
        "no electricity consumption in the matched intervals": "geen elektriciteitsverbruik in de gekoppelde intervallen",
        "the mean baseline gas use is 0 kWh/day": "het gemiddelde gasverbruik in de referentie is 0 kWh/dag",
        "energy.total_mwh is 0 in this period": "het totale energieverbruik is 0 in deze periode",
        "no CO2 avoided: Scope 1 + Scope 2 market-based did not fall below the baseline (scaled per day); a cost per "
            + "tonne avoided needs avoided tonnes > 0": "geen vermeden CO2: Scope 1 + Scope 2 marktgebaseerd daalde niet "
            + "onder de referentie (per dag geschaald); een kost per vermeden ton vraagt vermeden tonnen > 0",
        "water use in the baseline period is 0 m³: a change in percent is undefined":
            "het waterverbruik in de referentieperiode is 0 m³: een procentuele verandering bestaat niet",
    ]

    /// A reason as the report shows it.
    static func reason(_ reason: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return reason }
        return reason.components(separatedBy: "; ").map(reasonPartNL).joined(separator: "; ")
    }

    static func reasonPartNL(_ part: String) -> String {
        if let exact = exactNL[part] { return exact }
        if let rest = part.dropPrefix("no source delivers ") {
            if let what = rest.dropSuffix(" for this pilot") {
                return "geen bron levert \(whatNL[what] ?? what) voor deze pilot"
            }
            if let range = rest.range(of: " for site ", options: .backwards) {
                let what = String(rest[..<range.lowerBound]), site = String(rest[range.upperBound...])
                return "geen bron levert \(whatNL[what] ?? what) voor site \(site)"
            }
        }
        if let rest = part.dropPrefix("no "), let range = rest.range(of: " data in this period") {
            let what = String(rest[..<range.lowerBound]), tail = String(rest[range.upperBound...])
            let shown = whatNL[what] ?? what
            if let date = tail.dropPrefix(": the data start on "), let day = CivilDate(iso: date) {
                return "geen gegevens (\(shown)) in deze periode: de gegevens beginnen op \(ReportDates.long(day, .nl))"
            }
            if let counts = tail.dropPrefix(" (0 of "), let number = counts.dropSuffix(" expected intervals)") {
                return "geen gegevens (\(shown)) in deze periode (0 van \(number) verwachte intervallen)"
            }
            if tail.isEmpty { return "geen gegevens (\(shown)) in deze periode" }
        }
        // `<what> of site <s> has data in <period> but none in <period>` (part_missing_in_period) and
        // `<what> of site <s> has a source but no data in this period` (part_without_data).
        if let range = part.range(of: " of site ") {
            let what = String(part[..<range.lowerBound]), rest = String(part[range.upperBound...])
            if let siteEnd = rest.range(of: " has data in "), let none = rest.range(of: " but none in ") {
                let site = rest[..<siteEnd.lowerBound]
                let with = String(rest[siteEnd.upperBound..<none.lowerBound]), without = String(rest[none.upperBound...])
                return "\(whatNL[what] ?? what) van site \(site) heeft gegevens in \(periodNL(with)) maar geen in "
                    + periodNL(without)
            }
            if let site = rest.dropSuffix(" has a source but no data in this period") {
                return "\(whatNL[what] ?? what) van site \(site) heeft een bron maar geen gegevens in deze periode"
            }
            if let siteEnd = rest.range(of: " has a source but no data in "), let nor = rest.range(of: " nor in ") {
                let site = rest[..<siteEnd.lowerBound]
                let first = String(rest[siteEnd.upperBound..<nor.lowerBound]), second = String(rest[nor.upperBound...])
                return "\(whatNL[what] ?? what) van site \(site) heeft een bron maar geen gegevens in \(periodNL(first)) "
                    + "noch in \(periodNL(second))"
            }
        }
        if let rest = part.dropPrefix("no series of the scope has started yet: the data start on "),
           let day = CivilDate(iso: rest) {
            return "nog geen meetreeks van dit bereik is gestart: de gegevens beginnen op \(ReportDates.long(day, .nl))"
        }
        if let rest = part.dropPrefix("no baseline model: ") { return "geen referentiemodel: " + reasonPartNL(rest) }
        if let rest = part.dropPrefix("baseline: ") { return "referentie: " + reasonPartNL(rest) }
        if let rest = part.dropPrefix("no pilot_cost_by_site."), let range = rest.range(of: " in ") {
            let site = rest[..<range.lowerBound]
            let file = rest[range.upperBound...].components(separatedBy: " (").first ?? ""
            return "geen pilot_cost_by_site.\(site) in \(file) (geïnvesteerde EUR op deze site)"
        }
        if let rest = part.dropPrefix("no pilot_cost in "), let file = rest.components(separatedBy: " ").first {
            return "geen pilot_cost in \(file) (geïnvesteerde EUR)"
        }
        if let rest = part.dropPrefix("no "), let range = rest.range(of: " price for ") {
            let carrier = String(rest[..<range.lowerBound])
            let year = rest[range.upperBound...].prefix(4)
            let carrierNL = carrier == "electricity" ? "elektriciteitsprijs" : carrier == "gas" ? "gasprijs" : carrier
            return "geen \(carrierNL) voor \(year): voeg prices.\(carrier).\(year) (EUR per kWh) toe aan de "
                + "pipeline-definitie; een prijs wordt nooit geraden"
        }
        for (suffix, dutch) in [(" has no baseline value: ", " heeft geen referentiewaarde: "),
                                (" has no reporting value: ", " heeft geen rapportagewaarde: "),
                                (" is null: ", " is leeg: ")] {
            if let range = part.range(of: suffix) {
                let key = String(part[..<range.lowerBound])
                return KPILabels.label(for: key, language: .nl) + dutch + reasonPartNL(String(part[range.upperBound...]))
            }
        }
        // `key: reason` from sums of KPIs (KPIDerived.combine) and periods (`2024: …`).
        if let range = part.range(of: ": ") {
            let head = String(part[..<range.lowerBound])
            if KPILabels.nl[head] != nil || head.allSatisfy({ $0.isNumber || $0 == "-" }) {
                let label = KPILabels.nl[head] ?? head
                return label + ": " + reasonPartNL(String(part[range.upperBound...]))
            }
        }
        return "technische melding (Engels, zoals in kpis.csv): «\(part)»"
    }

    /// `the baseline`, `the reporting period`, or a year or month key as it is.
    static func periodNL(_ period: String) -> String {
        switch period {
        case "the baseline": return "de referentieperiode"
        case "the reporting period": return "de rapportageperiode"
        default: return period
        }
    }

    // MARK: Ignored rows, factor notes

    /// A key of `FileSummary.ignoredRows` (an `IgnoreKey`): the code's title in the report's language, then the
    /// columns it names. A text kept from a version 1 contribution that no code matches is shown as it is.
    static func ignored(_ key: String, _ language: PipelineDefinition.Language) -> String {
        IgnoreKey.render(key, language)
    }

    /// An unreadable file's problem: the title of its code in the report's language, then the message.
    static func problem(_ problem: String, code: String?, _ language: PipelineDefinition.Language) -> String {
        DiagnosticCode(problemCode: code).title(language) + ": " + problem
    }

    /// A dialect description (`CSVDialect.description`): its fixed words in Dutch.
    static func dialect(_ text: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return text }
        return text.components(separatedBy: ", ").map { part in
            if let rest = part.dropPrefix("delimiter ") { return "scheidingsteken " + rest }
            if let rest = part.dropPrefix("thousands ") { return "duizendtallen " + rest }
            switch part {
            case "decimal comma": return "decimale komma"
            case "decimal point": return "decimale punt"
            case "sep= line": return "sep=-regel"
            default: return part.replacingOccurrences(of: " with BOM", with: " met BOM")
            }
        }.joined(separator: ", ")
    }

    /// `no 2024 value in the catalogue; the 2023 value is used`.
    static func factorNote(_ note: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return note }
        if let rest = note.dropPrefix("no "), let range = rest.range(of: " value in the catalogue; the "),
           let used = rest[range.upperBound...].components(separatedBy: " ").first {
            return "geen waarde voor \(rest[..<range.lowerBound]) in de catalogus; de waarde van \(used) wordt gebruikt"
        }
        return "technische melding (Engels): «\(note)»"
    }

    /// A factor source: citations stay as they are; the override lead-in is translated.
    static func source(_ source: String, _ language: PipelineDefinition.Language) -> String {
        guard language == .nl, let rest = source.dropPrefix("override in ") else { return source }
        return "aangepast in " + rest.replacingOccurrences(of: "(catalogue: ", with: "(catalogus: ")
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
    func dropSuffix(_ suffix: String) -> String? { hasSuffix(suffix) ? String(dropLast(suffix.count)) : nil }
}
