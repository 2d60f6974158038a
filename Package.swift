// swift-tools-version: 6.0
import PackageDescription

/// One switchboard for strictness: every Swift target gets the same upcoming features.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // The layers are separate modules, but the hot path crosses them per row (CSVReading's field parsing, Model's
    // day cells, civil dates and time tables, called from Reading): release builds let the optimiser inline and
    // specialise across modules as it did inside one module.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "ParkImpact",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "parkimpact", targets: ["parkimpact"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libcsv (Debian libcsv-dev ships no pkg-config file, so no `pkgConfig:` here).
        .systemLibrary(
            name: "CLibCSV",
            providers: [.apt(["libcsv-dev"]), .brew(["libcsv"])]
        ),
        // glibc's `mallopt` and `malloc_trim` (malloc.h is not in the Glibc module): the executable's start-up and
        // `FreeMemory.returnToSystem`.
        .systemLibrary(name: "CMalloc"),
        // The only module that sees C.
        .target(
            name: "CSVReading",
            dependencies: ["CLibCSV"],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // The layers of the product, lowest first: each may import only the ones above it in this list (and
        // CSVReading), so an upward import does not compile. docs/ARCHITECTURE.md explains the shape.
        // Domain types, codes and small shared utilities (numbers, digests, concurrency, progress).
        .target(
            name: "ParkImpactModel",
            dependencies: [
                "CSVReading",
                .product(name: "Crypto", package: "swift-crypto"),
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            ],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // The pipeline YAML, format names and date formats, the emission factor catalogue.
        .target(
            name: "ParkImpactDefinition",
            dependencies: [
                "ParkImpactModel", "CSVReading",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["README.md"],
            resources: [.embedInCode("Resources/emission-factors.csv")],
            swiftSettings: strictSettings
        ),
        // The hot path: every format's reader, the registry, the per-file driver and its row sink.
        .target(
            name: "ParkImpactReading",
            dependencies: [
                "ParkImpactModel", "ParkImpactDefinition", "CSVReading",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // libpq (Debian libpq-dev), PostgreSQL's C client: seen only by ParkImpactPostgres.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // A synchronous PostgreSQL connection over libpq (statements with parameters, transactions, advisory locks).
        .target(
            name: "ParkImpactPostgres",
            dependencies: ["CLibPQ"],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // The run state in SQLite: ledger of input files and their stored contributions.
        .target(
            name: "ParkImpactState",
            dependencies: [
                "ParkImpactModel", "ParkImpactPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for incremental blob I/O (`StateStore.commit`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // KPIs from aggregated series: pure functions of the data, the definition and the factors.
        .target(
            name: "ParkImpactKPIs",
            dependencies: ["ParkImpactModel", "ParkImpactDefinition"],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // Renderers: HTML report, portfolio, kpis.json/csv, daily.csv, rejects.csv; written all-or-nothing.
        .target(
            name: "ParkImpactReports",
            dependencies: [
                "ParkImpactModel", "ParkImpactDefinition", "ParkImpactKPIs",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"],
            // The pages' CSS, compiled into the binary so every page stays self-contained (`ReportStyle`).
            resources: [
                .embedInCode("Resources/report.css"), .embedInCode("Resources/report-charts.css"),
                .embedInCode("Resources/portfolio.css"),
            ],
            swiftSettings: strictSettings
        ),
        // The run: discover, plan, read, merge with the state, compute, render; lock, manifest, sniff.
        .target(
            name: "ParkImpactPipeline",
            dependencies: [
                "ParkImpactModel", "ParkImpactDefinition", "ParkImpactReading", "ParkImpactState", "ParkImpactKPIs",
                "ParkImpactReports", "CSVReading",
            ],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParkImpactCommands",
            dependencies: [
                "ParkImpactPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "parkimpact",
            dependencies: [
                "ParkImpactCommands",
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // What the test targets share (deterministic random numbers, a throwaway PostgreSQL server); not part of the
        // product.
        .target(
            name: "TestSupport",
            dependencies: ["ParkImpactPostgres"],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CSVReadingTests",
            dependencies: ["CSVReading", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ParkImpactTests",
            dependencies: [
                "ParkImpactModel", "ParkImpactDefinition", "ParkImpactReading", "ParkImpactState", "ParkImpactKPIs", "ParkImpactReports", "ParkImpactPipeline",
                "CSVReading", "TestSupport",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ParkImpactPostgresTests",
            dependencies: ["ParkImpactPostgres", "ParkImpactState", "ParkImpactModel", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ParkImpactCommandsTests",
            dependencies: [
                "ParkImpactCommands", "ParkImpactModel", "ParkImpactDefinition", "ParkImpactReading", "ParkImpactState", "ParkImpactKPIs", "ParkImpactReports", "ParkImpactPipeline", "CSVReading",
                "ParkImpactPostgres", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Golden")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target for the CSV layer: only with PARKIMPACT_FUZZ=1 (`make fuzz`), since it links with
// `-sanitize=fuzzer` (libFuzzer's `main`) and would not link in a normal build.
if Context.environment["PARKIMPACT_FUZZ"] == "1" {
    package.products.append(.executable(name: "csv-fuzz", targets: ["csv-fuzz"]))
    package.targets.append(.executableTarget(
        name: "csv-fuzz", dependencies: ["CSVReading"], swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]))
    // Every format's reader, and the state's contribution decoder (`FormatFuzzing`).
    for name in ["formats-fuzz", "state-fuzz"] {
        package.products.append(.executable(name: name, targets: [name]))
        package.targets.append(.executableTarget(
            name: name, dependencies: ["ParkImpactPipeline"],
            swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
