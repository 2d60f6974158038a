// swift-tools-version: 6.0
import PackageDescription

/// One switchboard for strictness: every Swift target gets the same upcoming features.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
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
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParkImpactCore",
            dependencies: [
                "CSVReading",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for incremental blob I/O (`StateStore.commit`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            ],
            resources: [.embedInCode("Resources/emission-factors.csv")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParkImpactCommands",
            dependencies: [
                "ParkImpactCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
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
        // What the test targets share (deterministic random numbers); not part of the product.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CSVReadingTests",
            dependencies: ["CSVReading", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ParkImpactCoreTests",
            dependencies: ["ParkImpactCore", "CSVReading", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ParkImpactCommandsTests",
            dependencies: [
                "ParkImpactCommands", "ParkImpactCore", "CSVReading",
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
            name: name, dependencies: ["ParkImpactCore"],
            swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
