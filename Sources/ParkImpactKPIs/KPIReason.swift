import Foundation
public import ParkImpactModel
public import ParkImpactDefinition

/// Why a KPI is null, as a stable code: `reason_code` in kpis.json and kpis.csv. The raw values never change once
/// published; a new kind of null gets a new code. `docs/codes.md` lists them ("KPI reason codes").
///
/// Every code has a title in English and Dutch (`title(_:)`, an exhaustive switch). The sentences themselves are
/// `KPIReason`s: a code with the parameters its texts need, rendered in either language.
public enum KPIReasonCode: String, StableCode {
    case noSource = "no_source"
    case noDataInPeriod = "no_data_in_period"
    case dataNotStarted = "data_not_started"
    case partMissingInPeriod = "part_missing_in_period"
    case partWithoutData = "part_without_data"
    case zeroDenominator = "zero_denominator"
    case noPrice = "no_price"
    case noPilotCost = "no_pilot_cost"
    case noCO2Avoided = "no_co2_avoided"
    case noCostAvoided = "no_cost_avoided"
    case noEmissions = "no_emissions"
    case noSiteValue = "no_site_value"
    case perSiteOnly = "per_site_only"
    case intervalsTooCoarse = "intervals_too_coarse"
    case noCompleteDay = "no_complete_day"
    case pvNotMatchable = "pv_not_matchable"
    case baselineTooShort = "baseline_too_short"
    case baselineIncomplete = "baseline_incomplete"
    case noSurvey = "no_survey"
    case noDistance = "no_distance"
    case noFactor = "no_factor"
    case noUsableCounter = "no_usable_counter"
    case noSourceSplit = "no_source_split"
    case notAnnualised = "not_annualised"

    public var titles: (en: String, nl: String) {
        switch self {
        case .noSource: ("no source for it", "geen bron")
        case .noDataInPeriod: ("no data in the period", "geen gegevens in de periode")
        case .dataNotStarted: ("the data start after the period", "de gegevens beginnen na de periode")
        case .partMissingInPeriod: ("a part has data in one period only", "een deel heeft gegevens in één periode")
        case .partWithoutData: ("a part has a source but no data", "een deel heeft een bron maar geen gegevens")
        case .zeroDenominator: ("nothing to divide by (0)", "niets om door te delen (0)")
        case .noPrice: ("no energy price", "geen energieprijs")
        case .noPilotCost: ("no pilot cost", "geen pilotkost")
        case .noCO2Avoided: ("no CO2 avoided", "geen CO2 vermeden")
        case .noCostAvoided: ("no energy cost avoided", "geen energiekost vermeden")
        case .noEmissions: ("no Scope 1 or 2 emissions to compare", "geen Scope 1- of 2-emissies om te vergelijken")
        case .noSiteValue: ("a site value is missing in the definition", "een sitewaarde ontbreekt in de definitie")
        case .perSiteOnly: ("given per site only", "enkel per site")
        case .intervalsTooCoarse: ("intervals too long", "intervallen te lang")
        case .noCompleteDay: ("no complete day in the period", "geen volledige dag in de periode")
        case .pvNotMatchable: ("PV cannot be matched per interval", "PV niet per interval te koppelen")
        case .baselineTooShort: ("baseline too short", "referentieperiode te kort")
        case .baselineIncomplete: ("baseline misses too many days", "referentieperiode mist te veel dagen")
        case .noSurvey: ("no commuting survey", "geen pendelenquête")
        case .noDistance: ("no average distance", "geen gemiddelde afstand")
        case .noFactor: ("no emission factor", "geen emissiefactor")
        case .noUsableCounter: ("no counter of all road users", "geen teller van alle weggebruikers")
        case .noSourceSplit: ("the sources of grid electricity are unknown", "de herkomst van de netstroom is onbekend")
        case .notAnnualised: ("commuting not annualised", "woon-werkverkeer niet op jaarbasis")
        }
    }
}

/// What a reason names: a carrier or a kind of source. `rawValue` is the English name the texts use.
public enum ReasonSubject: String, Sendable, CaseIterable, Hashable {
    case pvProduction = "PV production"
    case water = "water"
    case naturalGas = "natural gas"
    case naturalGasHHV = "natural gas (kWh, gross calorific value)"
    case gridOfftake = "grid offtake"
    case gridInjection = "grid injection"
    case offtakeOrGas = "grid offtake or natural gas"
    case offtakeGasOrPV = "grid offtake, natural gas or PV"
    case offtakeWithoutPV = "grid offtake of the sites without PV"
    case selfConsumed = "self-consumed PV"
    case selfConsumedMatched = "self-consumed PV (matched intervals)"
    case peakRegister = "a peak power register"
    case countedTraffic = "counted traffic"
    case wasteCollections = "waste collections"
    case surveyOrTrips = "a commuting survey or trip logs"
    case commuteSurvey = "a commuting survey"

    public func name(_ language: PipelineDefinition.Language) -> String {
        guard language == .nl else { return rawValue }
        switch self {
        case .pvProduction: return "PV-productie"
        case .water: return "water"
        case .naturalGas: return "aardgas"
        case .naturalGasHHV: return "aardgas (kWh, bovenwaarde)"
        case .gridOfftake: return "netafname"
        case .gridInjection: return "netinjectie"
        case .offtakeOrGas: return "netafname of aardgas"
        case .offtakeGasOrPV: return "netafname, aardgas of PV"
        case .offtakeWithoutPV: return "netafname van de sites zonder PV"
        case .selfConsumed: return "zelf verbruikte PV-stroom"
        case .selfConsumedMatched: return "zelf verbruikte PV-stroom (gekoppelde intervallen)"
        case .peakRegister: return "een piekvermogenregister"
        case .countedTraffic: return "verkeerstellingen"
        case .wasteCollections: return "afvalophalingen"
        case .surveyOrTrips: return "een pendelenquête of ritregistraties"
        case .commuteSurvey: return "een pendelenquête"
        }
    }
}

/// What a reason is about when it explains another reason: `baseline: …`, `co2.scope1_t has no baseline value: …`.
public enum ReasonContext: Sendable, Hashable {
    /// `2024: …`, `baseline: …` (a part of the value per period).
    case period(ReportPeriod)
    /// `co2.scope1_t: …` (a part of a sum of KPIs).
    case kpi(String)
    /// `co2.scope1_t has no baseline value: …`.
    case noBaselineValue(String)
    /// `co2.scope1_t has no reporting value: …`.
    case noReportingValue(String)
    /// `cost.energy_avoided_eur is null: …`.
    case isNull(String)
    /// `no baseline model: …`.
    case noBaselineModel
}

/// Why a KPI is null: a sentence with its code and parameters, rendered in English (kpis.json, kpis.csv, the
/// English report) or Dutch, or a combination of such sentences (parts joined by `; `, a context such as `2024: `).
/// The code of a combination is the code of its first part (`code`).
public indirect enum KPIReason: Sendable, Hashable {
    // no_source
    /// `no source delivers <what> for site <s>` / `for this pilot` (`in this period` when a PV series starts later).
    case noSource(ReasonSubject, site: String?, inThisPeriod: Bool = false)
    case noSeries
    case noEmissionSource(site: String?)
    // data_not_started
    case dataStartLater(ReasonSubject, date: CivilDate)
    case noSeriesStarted(date: CivilDate)
    // no_data_in_period
    case noData(ReasonSubject, expected: Int)
    case noDataAtAll
    case noWaterData(baseline: Bool)
    case noWasteCollections
    case noPeakValue
    // part_missing_in_period, part_without_data
    case partMissing(ReasonSubject, site: String, with: ReportPeriod, without: ReportPeriod)
    case partWithoutDataIn(ReasonSubject, site: String, ReportPeriod, ReportPeriod)
    case partWithoutData(ReasonSubject, site: String)
    case surveyMissing(site: String, with: ReportPeriod, without: ReportPeriod)
    // zero_denominator
    case zeroDivisor(field: String)
    case zeroWaterBaseline
    case zeroMeanBaselineGas
    case zeroTotalEnergy
    case zeroConsumption
    case zeroMatchedProduction
    case zeroWaste
    case zeroRoadUsers
    case surveyWithoutCommuters(labels: [String], grouped: Bool)
    // cost
    case noPrice(carrier: String, year: Int, file: String)
    case noPilotCost(site: String?, file: String)
    case noCO2Avoided
    case costAvoidedNotPositive(euros: Double)
    case noEmissions
    // definition values, scopes, meters
    case noSiteValue(field: String, sites: [String], withWaterData: Bool)
    case perSiteOnly
    case noFineWaterMeter(site: String)
    // no_complete_day
    case noDegreeDays
    case noGasAndDegreeDays
    case noCompleteNight(site: String)
    case noCompleteCounterDay
    // pv_not_matchable
    case offtakeNotPerInterval(sites: [String])
    case pvTotalsNotMatched(notes: [String])
    case noInjectionSeries(sites: [String])
    // baseline model
    case baselineBeforeReporting(first: CivilDate, last: CivilDate)
    case baselineDays(days: Int, needed: Int)
    case baselineMissingDays(share: Double, allowed: String, missing: Int, days: Int)
    // mobility
    case noSurveyOrTrips
    case noSurveyIn([ReportPeriod], site: String?)
    case noSiteSurveyedInBoth(ReportPeriod, ReportPeriod, baseline: [String], now: [String])
    case noAverageDistance(survey: String, modes: [String])
    case noModeFactor(mode: String, shift: String, now: String, before: String)
    case noBikeCounter(site: String?)
    case noCommuteFactor(mode: String, factor: String, survey: String)
    case commutingNotAnnualised(file: String)
    // ESRS E1-5
    case residualMixSplitUnknown(sites: [String])
    case bikeOnlyCounters(site: String?, counters: [String])
    // combinations
    /// `<context>: <reason>`.
    case within(ReasonContext, KPIReason)
    /// `<reason>: <detail>` (a hint on the first reason).
    case detailed(KPIReason, KPIReason)
    /// The parts joined by `; `.
    case all([KPIReason])

    /// Several reasons as one: nil when there is none, the reason itself when there is one.
    public static func joined(_ parts: [KPIReason]) -> KPIReason? {
        parts.count <= 1 ? parts.first : .all(parts)
    }

    /// The stable code: a combination has the code of its first part.
    public var code: KPIReasonCode {
        switch self {
        case .noSource, .noSeries, .noEmissionSource: .noSource
        case .dataStartLater, .noSeriesStarted: .dataNotStarted
        case .noData, .noDataAtAll, .noWaterData, .noWasteCollections, .noPeakValue: .noDataInPeriod
        case .partMissing, .surveyMissing: .partMissingInPeriod
        case .partWithoutDataIn, .partWithoutData: .partWithoutData
        case .zeroDivisor, .zeroWaterBaseline, .zeroMeanBaselineGas, .zeroTotalEnergy, .zeroConsumption,
             .zeroMatchedProduction, .zeroWaste, .zeroRoadUsers, .surveyWithoutCommuters: .zeroDenominator
        case .noPrice: .noPrice
        case .noPilotCost: .noPilotCost
        case .noCO2Avoided: .noCO2Avoided
        case .costAvoidedNotPositive: .noCostAvoided
        case .noEmissions: .noEmissions
        case .noSiteValue: .noSiteValue
        case .perSiteOnly: .perSiteOnly
        case .noFineWaterMeter: .intervalsTooCoarse
        case .noDegreeDays, .noGasAndDegreeDays, .noCompleteNight, .noCompleteCounterDay: .noCompleteDay
        case .offtakeNotPerInterval, .pvTotalsNotMatched, .noInjectionSeries: .pvNotMatchable
        case .baselineBeforeReporting, .baselineDays: .baselineTooShort
        case .baselineMissingDays: .baselineIncomplete
        case .noSurveyOrTrips, .noSurveyIn, .noSiteSurveyedInBoth: .noSurvey
        case .noAverageDistance: .noDistance
        case .noModeFactor, .noCommuteFactor: .noFactor
        case .commutingNotAnnualised: .notAnnualised
        case .residualMixSplitUnknown: .noSourceSplit
        case .noBikeCounter, .bikeOnlyCounters: .noUsableCounter
        case .within(_, let reason), .detailed(let reason, _): reason.code
        case .all(let parts): parts.first?.code ?? .noDataInPeriod
        }
    }

    /// The English text (kpis.json, kpis.csv).
    public var english: String { text(.en) }

    /// The reason as a sentence in `language`.
    public func text(_ language: PipelineDefinition.Language) -> String {
        let nl = language == .nl
        func scope(_ site: String?) -> String {
            site.map { "site \($0)" } ?? (nl ? "deze pilot" : "this pilot")
        }
        func what(_ subject: ReasonSubject) -> String { subject.name(language) }
        func date(_ day: CivilDate) -> String { nl ? DateNames.long(day, .nl) : day.description }
        switch self {
        case let .noSource(subject, site, inThisPeriod):
            let when = inThisPeriod ? (nl ? " in deze periode" : " in this period") : ""
            return nl ? "geen bron levert \(what(subject)) voor \(scope(site))\(when)"
                : "no source delivers \(what(subject)) for \(scope(site))\(when)"
        case .noSeries:
            return nl ? "geen meetreeksen voor dit bereik" : "no series for this scope"
        case .noEmissionSource(let site):
            return nl ? "geen Scope 1- of Scope 2-emissies voor \(scope(site)) (geen bron van netafname of aardgas)"
                : "no Scope 1 or Scope 2 emissions for \(scope(site)) (no grid offtake or natural gas source)"
        case let .dataStartLater(subject, day):
            return nl ? "geen gegevens (\(what(subject))) in deze periode: de gegevens beginnen op \(date(day))"
                : "no \(what(subject)) data in this period: the data start on \(date(day))"
        case .noSeriesStarted(let day):
            return nl ? "nog geen meetreeks van dit bereik is gestart: de gegevens beginnen op \(date(day))"
                : "no series of the scope has started yet: the data start on \(date(day))"
        case let .noData(subject, expected):
            return nl ? "geen gegevens (\(what(subject))) in deze periode (0 van \(expected) verwachte intervallen)"
                : "no \(what(subject)) data in this period (0 of \(expected) expected intervals)"
        case .noDataAtAll:
            return nl ? "geen gegevens in deze periode" : "no data in this period"
        case .noWaterData(let baseline):
            return nl ? "geen watergegevens in de \(baseline ? "referentieperiode" : "rapportageperiode")"
                : "no water data in the \(baseline ? "baseline" : "reporting") period"
        case .noWasteCollections:
            return nl ? "geen afvalophalingen in deze periode" : "no waste collections in this period"
        case .noPeakValue:
            return nl ? "geen waarde van een piekvermogenregister in deze periode"
                : "no peak power register value in this period"
        case let .partMissing(subject, site, with, without):
            return nl ? "\(what(subject)) van site \(site) heeft gegevens in \(Self.period(with, nl)) maar geen in "
                + Self.period(without, nl)
                : "\(what(subject)) of site \(site) has data in \(Self.period(with, nl)) but none in "
                + Self.period(without, nl)
        case let .partWithoutDataIn(subject, site, first, second):
            return nl ? "\(what(subject)) van site \(site) heeft een bron maar geen gegevens in "
                + "\(Self.period(first, nl)) noch in \(Self.period(second, nl))"
                : "\(what(subject)) of site \(site) has a source but no data in \(Self.period(first, nl)) nor in "
                + Self.period(second, nl)
        case let .partWithoutData(subject, site):
            return nl ? "\(what(subject)) van site \(site) heeft een bron maar geen gegevens in deze periode"
                : "\(what(subject)) of site \(site) has a source but no data in this period"
        case let .surveyMissing(site, with, without):
            return nl ? "de pendelenquête van site \(site) heeft een referentiedatum in \(Self.span(with, nl)) maar "
                + "geen in \(Self.span(without, nl))"
                : "the commuting survey of site \(site) has a reference date in \(Self.span(with, nl)) but none in "
                + Self.span(without, nl)
        case .zeroDivisor(let field):
            return nl ? "geen \(field) om door te delen" : "no \(field) to divide by"
        case .zeroWaterBaseline:
            return nl ? "het waterverbruik in de referentieperiode is 0 m³: een procentuele verandering bestaat niet"
                : "water use in the baseline period is 0 m³: a change in percent is undefined"
        case .zeroMeanBaselineGas:
            return nl ? "het gemiddelde gasverbruik in de referentie is 0 kWh/dag"
                : "the mean baseline gas use is 0 kWh/day"
        case .zeroTotalEnergy:
            return nl ? "het totale energieverbruik (energy.total_mwh) is 0 in deze periode"
                : "energy.total_mwh is 0 in this period"
        case .zeroConsumption:
            return nl ? "geen elektriciteitsverbruik in de gekoppelde intervallen"
                : "no electricity consumption in the matched intervals"
        case .zeroMatchedProduction:
            return nl ? "geen PV-productie in de gekoppelde intervallen van deze periode"
                : "no PV production in the matched intervals of this period"
        case .zeroWaste:
            return nl ? "de afvalophalingen in deze periode wegen 0 kg"
                : "the waste collections in this period weigh 0 kg"
        case .zeroRoadUsers:
            return nl ? "geen weggebruikers geteld in deze periode" : "no road users counted in this period"
        case let .surveyWithoutCommuters(labels, grouped):
            let shown = grouped ? "(\(labels.joined(separator: ", ")))" : labels.joined(separator: ", ")
            return nl ? "de pendelenquête \(shown) telt geen pendelaars (Σ commute_trips = 0)"
                : "the commuting survey \(shown) counts no commuters (Σ commute_trips = 0)"
        case let .noPrice(carrier, year, file):
            let carrierNL = carrier == "electricity" ? "elektriciteitsprijs" : carrier == "gas" ? "gasprijs"
                : "prijs (\(carrier))"
            return nl ? "geen \(carrierNL) voor \(year): voeg prices.\(carrier).\(year) (EUR per kWh) toe aan \(file); "
                + "een prijs wordt nooit geraden"
                : "no \(carrier) price for \(year): add prices.\(carrier).\(year) (EUR per kWh) to \(file); a price is "
                + "never guessed"
        case let .noPilotCost(site, file):
            if let site {
                return nl ? "geen pilot_cost_by_site.\(site) in \(file) (geïnvesteerde EUR op deze site)"
                    : "no pilot_cost_by_site.\(site) in \(file) (EUR invested at this site)"
            }
            return nl ? "geen pilot_cost in \(file) (totale investering van de pilot in EUR)"
                : "no pilot_cost in \(file) (total investment of the pilot in EUR)"
        case .noCO2Avoided:
            return nl ? "geen vermeden CO2: Scope 1 + Scope 2 marktgebaseerd daalde niet onder de referentie (per dag "
                + "geschaald); een kost per vermeden ton vraagt vermeden tonnen > 0"
                : "no CO2 avoided: Scope 1 + Scope 2 market-based did not fall below the baseline (scaled per day); a "
                + "cost per tonne avoided needs avoided tonnes > 0"
        case .costAvoidedNotPositive(let euros):
            let amount = String(format: "%.2f", euros)
            return nl ? "de vermeden energiekost is niet positief (\(amount.replacingOccurrences(of: ".", with: ",")) "
                + "EUR): de pilot verdient zich niet terug uit energiebesparing"
                : "the energy cost avoided is not positive (\(amount) EUR): the pilot does not pay back from energy "
                + "savings"
        case .noEmissions:
            return nl ? "geen Scope 1- of Scope 2-emissies in de referentie- of rapportageperiode"
                : "no Scope 1 or Scope 2 emissions in the baseline or the reporting period"
        case let .noSiteValue(field, sites, withWaterData):
            let many = sites.count > 1, list = sites.joined(separator: ", ")
            if !withWaterData {
                return nl ? "geen \(field) voor site \(list) in de pipeline-definitie"
                    : "no \(field) for site \(list) in the pipeline definition"
            }
            return nl ? "geen \(field) voor site\(many ? "s" : "") \(list) (die \(many ? "hebben" : "heeft") "
                + "watergegevens in deze periode) in de pipeline-definitie"
                : "no \(field) for site\(many ? "s" : "") \(list) (which \(many ? "have" : "has") water data in this "
                + "period) in the pipeline definition"
        case .perSiteOnly:
            return nl ? "een lekindicator per site: zie de waarde per site (minima van verschillende sites en nachten "
                + "tellen niet op tot een debiet van het park)"
                : "a leak indicator per site: see each site's value (minima from different sites and nights do not "
                + "add up to a flow of the park)"
        case .noFineWaterMeter(let site):
            return nl ? "geen watermeter van site \(site) heeft intervallen van een uur of korter: het nachtminimum "
                + "vraagt die"
                : "no water meter of site \(site) has intervals of an hour or less: the night minimum needs them"
        case .noDegreeDays:
            return nl ? "geen dag van deze periode heeft daggemiddelde temperaturen voor die dag en de twee dagen "
                + "ervoor"
                : "no day of this period has daily mean temperatures for the day and the two days before"
        case .noGasAndDegreeDays:
            return nl ? "geen dag van deze periode heeft zowel volledige gasgegevens als graaddagen"
                : "no day of this period has both complete gas data and degree days"
        case .noCompleteNight(let site):
            return nl ? "geen nacht in deze periode met gegevens van 01:00 tot 05:00 lokale tijd van elke watermeter "
                + "van site \(site) met intervallen van een uur of korter"
                : "no night in this period with data from 01:00 to 05:00 local time from every water meter of site "
                + "\(site) with intervals of an hour or less"
        case .noCompleteCounterDay:
            return nl ? "geen dag in deze periode waarop een teller elke klasse van weggebruikers waarnam"
                : "no day in this period on which a counter observed every class of road user"
        case .offtakeNotPerInterval(let sites):
            let list = sites.joined(separator: ", ")
            return nl ? "de netafname van \(list) is niet per interval gekend (geen afnamereeks, of een grover dan een "
                + "dag): het verbruik kan niet gekoppeld worden aan de PV-productie"
                : "the grid offtake of \(list) is not known per interval (no offtake series, or one coarser than a "
                + "day): its consumption cannot be matched with the PV production"
        case .pvTotalsNotMatched(let notes):
            // The notes are written by PV matching (English); the Dutch text says the same without their counts.
            return nl ? "PV-productie of netinjectie is gegeven als totalen over meer dan een dag (bv. een "
                + "maandrapport): hoe die energie over dagen en kwartieren valt is niet gemeten, dus ze kunnen niet "
                + "per interval gekoppeld worden aan de netuitwisseling; laad de export per dag of per kwartier op"
                : notes.joined(separator: "; ")
        case .noInjectionSeries(let sites):
            let list = sites.joined(separator: ", ")
            return nl ? "\(list) heeft PV-productie maar geen reeks van netinjectie: zelfverbruik vraagt productie en "
                + "injectie van dezelfde intervallen"
                : "\(list) has PV production but no grid injection series: self-consumption needs production and "
                + "injection of the same intervals"
        case let .baselineBeforeReporting(first, last):
            return nl ? "de referentieperiode (\(date(first)) – \(date(last))) heeft geen dag vóór de "
                + "rapportageperiode"
                : "the baseline period (\(first) – \(last)) has no day before the reporting period"
        case let .baselineDays(days, needed):
            return nl ? "de referentieperiode telt \(days) dagen (minstens \(needed) nodig)"
                : "the baseline has \(days) days (at least \(needed) needed)"
        case let .baselineMissingDays(share, allowed, missing, days):
            let percent = String(format: "%.1f", share * 100)
            return nl ? "de referentieperiode mist \(percent.replacingOccurrences(of: ".", with: ",")) % van de dagen "
                + "(meer dan \(allowed.replacingOccurrences(of: ".", with: ","))): \(missing) van \(days) dagen "
                + "missen volledige gasgegevens of graaddagen"
                : "the baseline has \(percent) % missing days (more than \(allowed)): \(missing) of \(days) days lack "
                + "complete gas data or degree days"
        case .noSurveyOrTrips:
            return nl ? "geen pendelenquête met een referentiedatum in deze periode en geen geregistreerde "
                + "verplaatsingen"
                : "no commuting survey with a reference date in this period and no logged trips in it"
        case let .noSurveyIn(periods, site):
            let spans = periods.map { Self.span($0, nl) }.joined(separator: nl ? " noch in " : " nor in ")
            let scope = site.map { nl ? " voor site \($0)" : " for site \($0)" } ?? ""
            return nl ? "geen pendelenquête met een referentiedatum in \(spans)\(scope)"
                : "no commuting survey with a reference date in \(spans)\(scope)"
        case let .noSiteSurveyedInBoth(baseline, period, before, now):
            let lists = (before.joined(separator: ", "), now.joined(separator: ", "))
            return nl ? "geen site heeft een pendelenquête in zowel \(Self.span(baseline, nl)) als "
                + "\(Self.span(period, nl)) (referentie: \(lists.0); nu: \(lists.1))"
                : "no site has a commuting survey in both \(Self.span(baseline, nl)) and \(Self.span(period, nl)) "
                + "(baseline: \(lists.0); now: \(lists.1))"
        case let .noAverageDistance(survey, modes):
            let list = modes.joined(separator: ", ")
            return nl ? "de pendelenquête \(survey) geeft geen gemiddelde afstand voor \(list): pkm_total_now is "
                + "onbekend"
                : "the commuting survey \(survey) gives no average distance for \(list): pkm_total_now is unknown"
        case let .noModeFactor(mode, shift, now, before):
            return nl ? "geen emissiefactor voor \(mode) in de catalogus, en het aandeel veranderde met "
                + "\(shift.replacingOccurrences(of: ".", with: ",")) pp (\(now) tegenover \(before)): het weglaten "
                + "zou de vermeden CO2 vertekenen"
                : "no emission factor for \(mode) in the catalogue, and its share changed by \(shift) pp (\(now) vs "
                + "\(before)): leaving it out would bias the avoided CO2"
        case .noBikeCounter(let site):
            return nl ? "geen teller van \(scope(site)) telt fietsen" : "no counter of \(scope(site)) counts bikes"
        case let .bikeOnlyCounters(site, counters):
            let list = counters.joined(separator: ", ")
            return nl ? "de tellers van \(scope(site)) tellen enkel fietsen (\(list)): geen telling van alle "
                + "weggebruikers om door te delen"
                : "the counters of \(scope(site)) count bikes only (\(list)): no count of all road users to divide by"
        case let .noCommuteFactor(mode, factor, survey):
            let name = TransportMode(rawValue: mode).map { KPICatalogue.modeName($0, language) } ?? mode
            return nl ? "geen emissiefactor \(factor) in de catalogus voor \(name) (pendelenquête \(survey)): die "
                + "reizigerskilometers weglaten zou Scope 3 te laag maken"
                : "no emission factor \(factor) in the catalogue for \(name) (commuting survey \(survey)): leaving "
                + "those passenger-km out would understate Scope 3"
        case .commutingNotAnnualised(let file):
            return nl ? "de pendelenquête telt één enkele rit per pendelaar op haar referentiedag; een jaarcijfer "
                + "vraagt mobility: { commuting_days_per_year, trips_per_day } in \(file)"
                : "the commuting survey counts one one-way commute per commuter on its reference day; an annual "
                + "figure needs mobility: { commuting_days_per_year, trips_per_day } in \(file)"
        case .residualMixSplitUnknown(let sites):
            let list = sites.joined(separator: ", ")
            return nl ? "netstroom zonder garanties van oorsprong (grijs contract: \(list)) komt uit de residuele mix, "
                + "waarvan de verdeling over fossiel, nucleair en hernieuwbaar (AIB, per land en jaar) niet in de "
                + "factorcatalogus staat: het nucleaire deel is onbekend en wordt niet geraden"
                : "grid electricity without guarantees of origin (grey contract: \(list)) comes from the residual mix, "
                + "whose split into fossil, nuclear and renewable sources (AIB, per country and year) is not in the "
                + "factor catalogue: its nuclear part is unknown and is not guessed"
        case let .within(context, reason):
            return Self.lead(context, language) + reason.text(language)
        case let .detailed(reason, detail):
            return reason.text(language) + ": " + detail.text(language)
        case .all(let parts):
            return parts.map { $0.text(language) }.joined(separator: "; ")
        }
    }

    /// `the baseline`, `the reporting period`, `2024`, `2024-03`.
    static func period(_ period: ReportPeriod, _ nl: Bool) -> String {
        switch period.kind {
        case .baseline: return nl ? "de referentieperiode" : "the baseline"
        case .reporting: return nl ? "de rapportageperiode" : "the reporting period"
        case .year, .month: return period.key
        }
    }

    /// `the baseline period (2023-01-01 – 2023-12-31)`.
    static func span(_ period: ReportPeriod, _ nl: Bool) -> String {
        let span = "\(period.first) – \(period.last)"
        switch period.kind {
        case .baseline: return nl ? "de referentieperiode (\(span))" : "the baseline period (\(span))"
        case .reporting: return nl ? "de rapportageperiode (\(span))" : "the reporting period (\(span))"
        case .year, .month: return "\(period.key) (\(span))"
        }
    }

    static func lead(_ context: ReasonContext, _ language: PipelineDefinition.Language) -> String {
        let nl = language == .nl
        func label(_ key: String) -> String { nl ? KPILabels.label(for: key, language: .nl) : key }
        switch context {
        case .period(let period):
            guard nl else { return period.key + ": " }
            switch period.kind {
            case .baseline: return "referentie: "
            case .reporting: return "rapportage: "
            case .year, .month: return period.key + ": "
            }
        case .kpi(let key): return label(key) + ": "
        case .noBaselineValue(let key):
            return label(key) + (nl ? " heeft geen referentiewaarde: " : " has no baseline value: ")
        case .noReportingValue(let key):
            return label(key) + (nl ? " heeft geen rapportagewaarde: " : " has no reporting value: ")
        case .isNull(let key): return label(key) + (nl ? " is leeg: " : " is null: ")
        case .noBaselineModel: return nl ? "geen referentiemodel: " : "no baseline model: "
        }
    }
}

/// A warning on a KPI value (`flags` in kpis.json): stable codes, each with a label in English and Dutch.
public enum KPIFlag: String, Sendable, CaseIterable {
    case lowCoverage = "low_coverage"
    case modelNotAcceptable = "model_not_acceptable"
    case notAnnualised = "not_annualised"
    case tripLogs = "trip_logs"
    case unknownTreatment = "unknown_treatment"
    case unknownEural = "unknown_eural"
    case assumedOccupancy = "assumed_occupancy"
    case pvTotalsNotMatched = "pv_totals_not_matched"

    /// The label as reports show it; `threshold` is the pilot's `settings.coverage_threshold`.
    public func label(_ language: PipelineDefinition.Language, threshold: Double = KPI.coverageThreshold) -> String {
        let nl = language == .nl
        switch self {
        case .lowCoverage:
            let shown = NumberFormatting.percent(ratio: threshold, decimals: 0, language: language)
            return nl ? "dekking onder \(shown)" : "coverage below \(shown)"
        case .modelNotAcceptable:
            return nl ? "referentiemodel niet aanvaardbaar (ASHRAE Guideline 14)"
                : "baseline model not acceptable (ASHRAE Guideline 14)"
        case .notAnnualised: return nl ? "niet op jaarbasis (enquêtedag)" : "not annualised (survey day)"
        case .tripLogs: return nl ? "uit ritregistraties" : "from trip logs"
        case .unknownTreatment: return nl ? "onbekende verwerkingscode" : "unknown treatment code"
        case .unknownEural: return nl ? "onbekende EURAL-code" : "unknown EURAL code"
        case .assumedOccupancy:
            return nl ? "aangenomen bezetting (2 per carpoolwagen)" : "assumed occupancy (2 per carpool car)"
        case .pvTotalsNotMatched:
            return nl ? "PV-totalen over meer dan een dag niet gekoppeld" : "PV totals longer than a day not matched"
        }
    }
}
