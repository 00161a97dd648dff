// swift-tools-version:6.1
import PackageDescription

/// `Fuzz/run` sets DIALLER_FUZZ=1 so that LeadIntake, the code it fuzzes, is compiled with libFuzzer's
/// coverage and AddressSanitizer as the fuzz target is: without it the fuzzer is blind to its branches.
let fuzzing = Context.environment["DIALLER_FUZZ"] == "1"

let package = Package(
    name: "dialler",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dialler-server", targets: ["DiallerServer"]),
        .library(name: "DiallerStore", targets: ["DiallerStore"]),
        // For the fuzz package in Fuzz/, which fuzzes the request path below HTTP with libFuzzer.
        .library(name: "LeadIntake", targets: ["LeadIntake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // RFC 4180 CSV for /lead/batch's text/csv bodies (streams, skips a UTF-8 byte order mark).
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "CPhoneNumber",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [
                .linkedLibrary("phonenumber"), .linkedLibrary("protobuf"), .linkedLibrary("icui18n"),
                .linkedLibrary("icuuc"), .linkedLibrary("stdc++"),
            ]
        ),
        // The request path below HTTP: the JSON parser and writer, a lead's validation, phone numbers
        // and e-mail addresses. The server and the fuzz package (Fuzz/) both build on it.
        .target(
            name: "LeadIntake",
            dependencies: ["CPhoneNumber", "DiallerStore"],
            swiftSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
        ),
        .target(
            name: "DiallerStore",
            dependencies: [
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["EmbedMigrations"]
        ),
        // Migrations/*.sql compiled into DiallerStore: the binary carries its schema (see ShippedMigrations).
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["EmbedMigrationsTool"]),
        .executableTarget(name: "EmbedMigrationsTool", path: "Plugins/EmbedMigrationsTool"),
        .executableTarget(
            name: "DiallerServer",
            dependencies: [
                "DiallerStore",
                "LeadIntake",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("openapi.yaml")]
        ),
        // `swift run -c release store-benchmark`: the writer's cost per lead without HTTP (see Benchmarks/store).
        .executableTarget(
            name: "store-benchmark",
            dependencies: ["DiallerStore", "CSQLite"],
            path: "Benchmarks/store"
        ),
        // `swift run -c release queue-benchmark`: claims/s with a deep queue, new order against old (see Benchmarks/queue).
        .executableTarget(
            name: "queue-benchmark",
            dependencies: ["DiallerStore"],
            path: "Benchmarks/queue"
        ),
        // Tests only: the power-cut VFS (SQLite's VFS API in C), registered over the default VFS
        // inside the test process by PowerCutTests.
        .target(
            name: "CPowerCutVFS",
            dependencies: ["CSQLite"],
            path: "Tests/CPowerCutVFS"
        ),
        // Tests only: what the test process sets as it loads (how many test cases run at once).
        .target(
            name: "CTestProcess",
            path: "Tests/CTestProcess"
        ),
        // Tests only: the helpers both test targets share (temporary folders, the real
        // Migrations/ folder, a seeded generator, a database's dump and single values).
        .target(
            name: "DiallerTestSupport",
            dependencies: ["DiallerStore", "CTestProcess"],
            path: "Tests/DiallerTestSupport"
        ),
        .testTarget(
            name: "DiallerStoreTests",
            dependencies: ["DiallerStore", "CPowerCutVFS", "DiallerTestSupport"]
        ),
        .testTarget(
            name: "DiallerServerTests",
            dependencies: [
                "DiallerServer",
                "DiallerStore",
                "DiallerTestSupport",
                "LeadIntake",
                "CPhoneNumber",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
