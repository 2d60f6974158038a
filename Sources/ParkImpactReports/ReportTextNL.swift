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
        data: "Gelezen bestanden",
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
            "Emissiefactoren tellen directe uitstoot (verbranding), per eenheid zoals in de factortabel, met "
                + "regio, basis, uitgever en status; de factor van het verbruiksjaar wordt gebruikt, anders die van "
                + "het dichtstbijzijnde eerdere jaar (vermeld in de tabel).",
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
        contents: "Inhoud",
        appendix: "Bijlage",
        appendixIntro: "Bijlagen: alle KPI's voor de hele pilot, per site en per maand, de formule van elke KPI en "
            + "de gelezen bestanden.",
        colFormula: "Formule",
        backToPortfolio: "Alle pilots",
        footerDeterministic: "Dezelfde gegevens geven hetzelfde rapport."
    ) }
}

extension ESRSText {
    /// The Dutch texts of the ESRS section.
    static let nl = ESRSText(
        title: "ESRS E1-6 / E1-5",
        intro: "De datapunten van ESRS E1-6 (bruto broeikasgasemissies) en E1-5 (energieverbruik en -mix), in de "
            + "volgorde van de standaard; de tabellen laten zich zo kopiëren naar een rekenblad of tekst. "
            + "Verandering = rapportage t.o.v. het vorige jaar (ESRS: % N / N−1), jaartotalen.",
        scope3Note: "Scope 3 omvat enkel categorie 7 (woon-werkverkeer, uit de pendelenquêtes); de andere "
            + "categorieën meet ParkImpact niet. Fossiel telt enkel het gekende fossiele deel (aardgas): netstroom "
            + "zonder garanties van oorsprong staat apart (residuele mix), de verdeling ervan is niet gekend.",
        pilotE16: "E1-6 Bruto broeikasgasemissies — hele pilot",
        pilotE15: "E1-5 Energieverbruik en energiemix — hele pilot",
        sitesE16: "E1-6 per site",
        sitesE15: "E1-5 per site",
        colDatapoint: "Datapunt",
        colESRS: "ESRS",
        colUnit: "Eenheid",
        colBaseline: "Referentie",
        colPrevious: "Vorig jaar",
        colReporting: "Rapportage",
        colChange: "% N / N−1",
        colSite: "Site",
        colPeriod: "Periode",
        previousIsBaseline: "Het vorige jaar ({year}) valt samen met de referentieperiode: dezelfde cijfers.",
        noPrevious: "de rapportageperiode is geen kalenderjaar: de 12 maanden ervoor zijn geen periode van kpis.json",
        notESRS: "aanvullend",
        siteE16Headers: ["Scope 1", "Scope 2 locatie", "Scope 2 markt", "Scope 3 cat. 7", "Totaal locatie",
                         "Totaal markt", "Markt per VTE", "Markt per m²"],
        siteE15Headers: ["Totaal", "Fossiel (aardgas)", "Nucleair", "Hernieuwbaar", "Residuele mix",
                         "Aandeel hernieuwbaar", "Per VTE"])
}
