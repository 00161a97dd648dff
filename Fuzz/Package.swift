// swift-tools-version:6.1
// The libFuzzer target over the request path below HTTP: body bytes -> JSON -> validation ->
// phone and e-mail checks. It links the server's own LeadIntake library, so what is fuzzed is what
// is served. Built and run by `Fuzz/run`, never by the main package's `swift build`.
import PackageDescription

let package = Package(
    name: "dialler-fuzz",
    dependencies: [.package(name: "dialler", path: "..")],
    targets: [
        .executableTarget(
            name: "IntakeFuzz",
            dependencies: [
                .product(name: "LeadIntake", package: "dialler"),
                .product(name: "DiallerStore", package: "dialler"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]
        )
    ],
    swiftLanguageModes: [.v6]
)
