// swift-tools-version: 6.2
import PackageDescription

/// callguard's benchmarks, a package of their own so that the product does not
/// depend on the benchmark harness: parser throughput beside the C references
/// (References/), and allocation counts (ordo-one/benchmark's malloc counters).
let package = Package(
    name: "callguard-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "callguard", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ParserThroughput",
            dependencies: [.product(name: "AuditKit", package: "callguard")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "ParserBenchmarks",
            dependencies: [
                .product(name: "AuditKit", package: "callguard"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ParserBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
