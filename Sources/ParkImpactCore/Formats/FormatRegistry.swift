import CSVReading

/// The readers of this build, by contract format name: the one place a new format is registered.
enum FormatRegistry {
    struct Reader: Sendable {
        let detect: @Sendable ([[String]]) -> Bool
        let read: @Sendable (InputFile, ReadContext, CSVReadLimits, Int) -> FileResult
        /// What the format does with a source's `date_format` (checked by `DefinitionLoader`).
        let dateFormatSupport: DateFormatSupport
        /// Large files may be read in chunks in parallel (`RowFormat.readsInChunks`).
        let readsInChunks: Bool
        /// Reads chunk `index` of `count` of a file (`ReadFile.readChunk`).
        let chunk: @Sendable (InputFile, ReadContext, CSVReadLimits, _ index: Int, _ count: Int, _ size: Int)
            -> ChunkOutcome
        /// Merges a file's chunks in order into the sequential result (`ReadFile.assemble`).
        let assemble: @Sendable (InputFile, ReadContext, CSVReadLimits, [ChunkOutcome]) -> FileResult
        /// The same, chunk by chunk as they arrive (`ChunkAssembly`).
        let assembly: @Sendable (InputFile, ReadContext, CSVReadLimits) -> any ChunkAssembling
    }

    static func reader<Format: RowFormat>(_ type: Format.Type) -> Reader {
        Reader(detect: { Format.detect($0) },
               read: { file, context, limits, trace in ReadFile.read(type, file, context, limits, trace) },
               dateFormatSupport: Format.dateFormatSupport,
               readsInChunks: Format.readsInChunks,
               chunk: { file, context, limits, index, count, size in
                   ReadFile.readChunk(type, file, context, limits, index: index, count: count, size: size)
               },
               assemble: { file, context, limits, chunks in ReadFile.assemble(type, file, context, limits, chunks) },
               assembly: { file, context, limits in ChunkAssembly(type, file, context, limits) })
    }

    /// Detection order matters for `sniff`: the most specific headers first.
    static let order: [SourceFormatName] = [
        .fluvius, .parkimpactLong, .sma, .sungrow, .enphase, .homewizardWater, .homewizardEnergy, .telraam, .ecocounter, .meterReadings,
        .temperature, .waste, .commuteSurvey, .trips,
    ]

    static let readers: [SourceFormatName: Reader] = [
        .fluvius: reader(FluviusFormat.self),
        .parkimpactLong: reader(ParkImpactLongFormat.self),
        .sma: reader(SMAFormat.self),
        .sungrow: reader(SungrowFormat.self),
        .enphase: reader(EnphaseFormat.self),
        .homewizardWater: reader(HomeWizardWaterFormat.self),
        .homewizardEnergy: reader(HomeWizardEnergyFormat.self),
        .meterReadings: reader(MeterReadingsFormat.self),
        .telraam: reader(TelraamFormat.self),
        .ecocounter: reader(EcoCounterFormat.self),
        .generic: reader(GenericFormat.self),
        .temperature: reader(TemperatureFormat.self),
        .waste: reader(WasteFormat.self),
        .commuteSurvey: reader(CommuteSurveyFormat.self),
        .trips: reader(TripsFormat.self),
    ]

    /// The first format whose detector accepts the first records of a file.
    static func detect(_ records: [[String]]) -> SourceFormatName? {
        order.first { readers[$0]?.detect(records) == true }
    }
}
