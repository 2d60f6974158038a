import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

extension ReportText {
    /// The Dutch texts.
    static func nl(threshold: Double) -> ReportText { ReportText(
        reportKind: "CO2- en energierapport",
        pilot: "Pilot",
        lastData: "Laatste gegevens",
        noData: "geen gegevens",
        siteSingular: "site",
        sitePlural: "sites",
        day: "dag",
        days: "dagen",
        baselinePeriod: "Referentieperiode",
        reportingPeriod: "Rapportageperiode",
        headline: "Kerncijfers",
        cardCO2: "CO2 Scope 1+2, marktgebaseerd",
        cardOfftake: "Elektriciteit: afname van het net",
        cardGas: "Aardgas",
        cardChange: "CO2-verandering t.o.v. referentie",
        cardChangeSub: "Rapportageperiode t.o.v. referentieperiode",
        changeUnavailable: "geen vergelijking mogelijk: referentie of rapportage ontbreekt",
        baselineShort: "Referentie",
        pilotKPIs: "KPI's voor de hele pilot",
        siteKPIs: "KPI's per site",
        noKPIs: "Geen KPI's berekend.",
        contractGrey: "grijs stroomcontract (residuele mix)",
        contractGreen: "groen stroomcontract (garanties van oorsprong)",
        fte: "VTE",
        colKPI: "KPI",
        colBaseline: "Referentie",
        colReporting: "Rapportage",
        colChange: "Verandering",
        colUnit: "Eenheid",
        colCoverage: "Dekking (ref. / rapp.)",
        lowCoverageNote: "dekking onder \(thresholdText(threshold).nl)",
        lowCoverageExplain: "het cijfer steunt op onvolledige gegevens: een som mist het ontbrekende deel, een verandering "
            + "of verhouding kan in beide richtingen afwijken",
        noReason: "geen reden opgegeven",
        notApplicable: "n.v.t.",
        baselineZero: "referentiewaarde is 0: geen procentuele verandering",
        monthly: "Per maand (hele pilot)",
        monthlyExplain: "Een maand telt de intervallen waarvan het begin in die lokale maand valt; ontbrekende "
            + "intervallen tellen niet als nul. CO2 = Scope 1 + Scope 2 marktgebaseerd.",
        colMonth: "Maand",
        colOfftake: "Afname (kWh)",
        colInjection: "Injectie (kWh)",
        colGas: "Aardgas (kWh)",
        colCO2Market: "CO2 Scope 1+2 markt (t)",
        total: "Totaal",
        data: "Gegevens",
        noFiles: "Geen bestanden gelezen.",
        colFile: "Bestand",
        colFormat: "Formaat",
        colDialect: "Dialect",
        colAccepted: "Aanvaard",
        colRejected: "Verworpen",
        colIgnored: "Genegeerd",
        colProblem: "Probleem",
        fileSingular: "bestand",
        filePlural: "bestanden",
        rejectedRows: "Verworpen rijen",
        rejectsLinkIntro: "elke rij staat in",
        rejectsColumns: "bestand, regel, kolom, code, reden, ruwe inhoud",
        colReason: "Soort",
        colCode: "Code",
        colRows: "Rijen",
        colFirstRow: "Eerste rij",
        fileLine: { "\($0), regel \($1)" },
        otherReasons: { "\($0) andere soorten" },
        rejectsOmitted: { "Van \($0) van deze rijen staat geen detail in rejects.csv: per bestand en code staan de eerste "
            + "\($1) er volledig in, de andere worden er per bestand en code geteld (een rij zonder regelnummer)." },
        seriesCount: "Meetreeksen",
        method: "Methode",
        methodIntro: [
            "Broeikasgassen volgens het GHG Protocol: Scope 1 is verbranding ter plaatse (aardgas), Scope 2 wordt "
                + "twee keer gerapporteerd: locatiegebaseerd (netmix) en marktgebaseerd (contract: garanties van "
                + "oorsprong geven 0, een grijs contract de residuele mix).",
            "Een periode telt de intervallen waarvan het begin in die lokale periode valt. Ontbrekende intervallen "
                + "tellen niet als nul; geschatte waarden tellen mee en staan in het aandeel geschatte waarden. "
                + "Dekking = aanwezige / verwachte intervallen; een KPI met minder dan \(thresholdText(threshold).nl) dekking "
                + "wordt gemarkeerd (⚠).",
            "Emissiefactoren in kg CO2e per eenheid; de factor van het verbruiksjaar wordt gebruikt.",
        ],
        factors: "Emissiefactoren",
        noFactors: "Geen emissiefactoren gebruikt.",
        colFactorID: "Factor",
        colValue: "Waarde",
        colYear: "Jaar",
        colSource: "Bron",
        colNote: "Opmerking",
        formulas: "Formules per KPI",
        factorsCited: "Factoren",
        generatedBy: "Gemaakt met ParkImpact uit",
        footerDeterministic: "Dezelfde gegevens geven hetzelfde rapport."
    ) }
}
