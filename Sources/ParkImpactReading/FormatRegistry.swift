import CSVReading
import ParkImpactModel
package import ParkImpactDefinition

/// The readers of this build, by contract format name: the one place a new format is registered.
package enum FormatRegistry {
    struct Reader: Sendable {
        package let detect: @Sendable ([[String]]) -> Bool
        let read: @Sendable (InputFile, ReadContext, CSVReadLimits, Int) -> FileResult
        /// What the format does with a source's `date_format` (checked by `DefinitionLoader`).
        let dateFormatSupport: DateFormatSupport
        /// Large files of a source may be read in chunks in parallel (`RowFormat.readsInChunks`).
        let readsInChunks: @Sendable (PipelineDefinition.Source) -> Bool
        /// How many chunks a file of `size` bytes is read in by `workers` (`ReadFile.chunkPlan`).
        let chunkPlan: @Sendable (InputFile, ReadContext, _ size: Int, _ chunkBytes: Int, _ workers: Int) -> Int
        /// Reads chunk `index` of `count` of a file (`ReadFile.readChunk`).
        let chunk: @Sendable (InputFile, ReadContext, CSVReadLimits, _ index: Int, _ count: Int, _ size: Int)
            -> ChunkOutcome
        /// Merges a file's chunks in order into the sequential result (`ReadFile.assemble`).
        let assemble: @Sendable (InputFile, ReadContext, CSVReadLimits, [ChunkOutcome]) -> FileResult
        /// The same, chunk by chunk as they arrive (`ChunkAssembly`).
        let assembly: @Sendable (InputFile, ReadContext, CSVReadLimits) -> any ChunkAssembling
    }

    static func reader<Format: RowFormat>(_ type: Format.Type, _ name: SourceFormatName) -> Reader {
        Reader(detect: { Format.detect($0) },
               read: { file, context, limits, trace in ReadFile.read(type, file, context, limits, trace) },
               dateFormatSupport: name.dateFormatSupport,
               readsInChunks: { Format.readsInChunks($0) },
               chunkPlan: { file, context, size, chunkBytes, workers in
                   ReadFile.chunkPlan(type, file, context, size: size, chunkBytes: chunkBytes, workers: workers)
               },
               chunk: { file, context, limits, index, count, size in
                   ReadFile.readChunk(type, file, context, limits, index: index, count: count, size: size)
               },
               assemble: { file, context, limits, chunks in ReadFile.assemble(type, file, context, limits, chunks) },
               assembly: { file, context, limits in ChunkAssembly(type, file, context, limits) })
    }

    /// Detection order matters for `sniff`: the most specific headers first.
    package static let order: [SourceFormatName] = [
        .fluvius, .parkimpactLong, .sma, .sungrow, .enphase, .homewizardWater, .homewizardEnergy, .telraam, .ecocounter, .meterReadings,
        .temperature, .waste, .commuteSurvey, .trips,
    ]

    static let readers: [SourceFormatName: Reader] = [
        .fluvius: reader(FluviusFormat.self, .fluvius),
        .parkimpactLong: reader(ParkImpactLongFormat.self, .parkimpactLong),
        .sma: reader(SMAFormat.self, .sma),
        .sungrow: reader(SungrowFormat.self, .sungrow),
        .enphase: reader(EnphaseFormat.self, .enphase),
        .homewizardWater: reader(HomeWizardWaterFormat.self, .homewizardWater),
        .homewizardEnergy: reader(HomeWizardEnergyFormat.self, .homewizardEnergy),
        .meterReadings: reader(MeterReadingsFormat.self, .meterReadings),
        .telraam: reader(TelraamFormat.self, .telraam),
        .ecocounter: reader(EcoCounterFormat.self, .ecocounter),
        .generic: reader(GenericFormat.self, .generic),
        .temperature: reader(TemperatureFormat.self, .temperature),
        .waste: reader(WasteFormat.self, .waste),
        .commuteSurvey: reader(CommuteSurveyFormat.self, .commuteSurvey),
        .trips: reader(TripsFormat.self, .trips),
    ]

    /// Whether `format`'s detector accepts the first records of a file (`sniff`).
    package static func detects(_ format: SourceFormatName, _ records: [[String]]) -> Bool {
        readers[format]?.detect(records) == true
    }

    /// The first format whose detector accepts the first records of a file.
    static func detect(_ records: [[String]]) -> SourceFormatName? {
        order.first { readers[$0]?.detect(records) == true }
    }
}
