extension ReportText {
    /// The English texts.
    static func en(threshold: Double) -> ReportText { ReportText(
        reportKind: "CO2 and energy report",
        pilot: "Pilot",
        lastData: "Last data",
        noData: "no data",
        siteSingular: "site",
        sitePlural: "sites",
        day: "day",
        days: "days",
        baselinePeriod: "Baseline period",
        reportingPeriod: "Reporting period",
        headline: "Headline figures",
        cardCO2: "CO2 Scope 1+2, market-based",
        cardOfftake: "Electricity: grid offtake",
        cardGas: "Natural gas",
        cardChangeSub: "Reporting period relative to the baseline period",
        changeUnavailable: "no comparison possible: baseline or reporting value missing",
        baselineShort: "Baseline",
        pilotKPIs: "KPIs for the whole pilot",
        siteKPIs: "KPIs per site",
        noKPIs: "No KPIs computed.",
        contractGrey: "grey electricity contract (residual mix)",
        contractGreen: "green electricity contract (guarantees of origin)",
        fte: "FTE",
        colKPI: "KPI",
        colBaseline: "Baseline",
        colReporting: "Reporting",
        colChange: "Change",
        colUnit: "Unit",
        colCoverage: "Coverage (baseline / reporting)",
        lowCoverageNote: "coverage below \(thresholdText(threshold).en)",
        lowCoverageExplain: "the figure rests on incomplete data: a sum lacks the missing part, a change or ratio can be off "
            + "in either direction",
        noReason: "no reason given",
        notApplicable: "n/a",
        baselineZero: "baseline value is 0: no percentage change",
        monthly: "Monthly (whole pilot)",
        monthlyExplain: "A month sums the intervals whose start lies in that local month; missing intervals do "
            + "not count as zero. CO2 = Scope 1 + Scope 2 market-based.",
        colMonth: "Month",
        colOfftake: "Offtake (kWh)",
        colInjection: "Injection (kWh)",
        colGas: "Natural gas (kWh)",
        colCO2Market: "CO2 Scope 1+2 market (t)",
        total: "Total",
        data: "Files read",
        noFiles: "No files read.",
        colFile: "File",
        colFormat: "Format",
        colDialect: "Dialect",
        colAccepted: "Accepted",
        colRejected: "Rejected",
        colIgnored: "Ignored",
        colProblem: "Problem",
        fileSingular: "file",
        filePlural: "files",
        rejectedRows: "Rejected rows",
        rejectsLinkIntro: "every row is listed in",
        rejectsColumns: "file, line, column, code, reason, raw content",
        colReason: "Kind",
        colCode: "Code",
        colRows: "Rows",
        colFirstRow: "First row",
        fileLine: { "\($0), line \($1)" },
        otherReasons: { "\($0) other kinds" },
        rejectsOmitted: { "\($0) of these rows have no detail in rejects.csv: it lists the first \($1) per file and code "
            + "in full and counts the others per file and code (a row without a line number)." },
        seriesCount: "Series",
        method: "Method",
        methodIntro: [
            "Greenhouse gases follow the GHG Protocol: Scope 1 is on-site combustion (natural gas); Scope 2 is "
                + "reported twice: location-based (grid mix) and market-based (contract: guarantees of origin give "
                + "0, a grey contract the residual mix).",
            "A period sums the intervals whose start lies in that local period. Missing intervals do not count as "
                + "zero; estimated values count and are reported in the share of estimated values. Coverage = "
                + "present / expected intervals; a KPI with less than \(thresholdText(threshold).en) coverage is flagged (⚠).",
            "Emission factors count direct emissions (combustion), per unit as in the factor table, with their "
                + "region, basis, publisher and status; the factor of the year of consumption is used, else the "
                + "nearest earlier year (stated in the table).",
        ],
        factors: "Emission factors",
        noFactors: "No emission factors used.",
        colFactorID: "Factor",
        colValue: "Value",
        colYear: "Year",
        colSource: "Source",
        colNote: "Note",
        formulas: "Formula per KPI",
        factorsCited: "Factors",
        generatedBy: "Made with ParkImpact from",
        contents: "Contents",
        appendix: "Appendix",
        appendixIntro: "Appendices: every KPI of the whole pilot, per site and per month, the formula of every KPI "
            + "and the files read.",
        colFormula: "Formula",
        backToPortfolio: "All pilots",
        footerDeterministic: "The same data give the same report."
    ) }
}

extension ESRSText {
    /// The English texts of the ESRS section.
    static let en = ESRSText(
        title: "ESRS E1-6 / E1-5",
        intro: "The data points of ESRS E1-6 (gross greenhouse gas emissions) and E1-5 (energy consumption and mix), "
            + "in the order of the standard; the tables copy as they are into a spreadsheet or a document. "
            + "Change = reporting period vs the previous year (ESRS: % N / N−1), annual totals.",
        scope3Note: "Scope 3 covers category 7 only (employee commuting, from the commuting surveys); ParkImpact does "
            + "not measure the other categories. Fossil counts the known fossil part only (natural gas): grid "
            + "electricity without guarantees of origin is shown on its own (residual mix), its split is unknown.",
        pilotE16: "E1-6 Gross greenhouse gas emissions — whole pilot",
        pilotE15: "E1-5 Energy consumption and mix — whole pilot",
        sitesE16: "E1-6 per site",
        sitesE15: "E1-5 per site",
        colDatapoint: "Data point",
        colESRS: "ESRS",
        colUnit: "Unit",
        colBaseline: "Baseline",
        colPrevious: "Previous year",
        colReporting: "Reporting",
        colChange: "% N / N−1",
        colSite: "Site",
        colPeriod: "Period",
        previousIsBaseline: "The previous year ({year}) is the baseline period: the same figures.",
        noPrevious: "the reporting period is not a calendar year: the 12 months before it are not a period of kpis.json",
        notESRS: "additional",
        siteE16Headers: ["Scope 1", "Scope 2 location", "Scope 2 market", "Scope 3 cat. 7", "Total location",
                         "Total market", "Market per FTE", "Market per m²"],
        siteE15Headers: ["Total", "Fossil (natural gas)", "Nuclear", "Renewable", "Residual mix", "Renewable share",
                         "Per FTE"])
}
