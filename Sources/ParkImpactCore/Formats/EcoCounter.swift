import CSVReading

/// `ecocounter`: not implemented yet (a stub registered so the format can be filled in on its own).
struct EcoCounterFormat: RowFormat {
    let columnNames: [String] = []

    static func detect(_ records: [[String]]) -> Bool { false }

    static func make(header: CSVRecord, context: ReadContext) -> HeaderOutcome<EcoCounterFormat> {
        .mismatch(HeaderMismatch(message: "format ecocounter is not implemented yet"))
    }

    mutating func read(_ record: CSVRecord, into aggregator: inout FileAggregator) {}
}
