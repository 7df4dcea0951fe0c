// swift-tools-version: 6.2
import PackageDescription

/// callguard's benchmarks, all in this one package so that the product does not
/// depend on the benchmark harness:
/// - ParserThroughput: parser throughput beside the C references (References/),
///   `Scripts/bench.sh`;
/// - ParserBenchmarks: allocation counts (ordo-one/benchmark's malloc counters);
/// - callguard-live-drain: AuditKit's reader draining the kernel (LiveAudit/),
///   `Scripts/bench-live.sh`;
/// - SinkBench: SinkKit's formatting and framing per format (SinkBench/);
/// - callguard-attribution-bench: the Attributor over the real /proc and live
///   docker and podman containers, `Scripts/bench-attribution.sh` (Attribution/).
/// (Benchmarks/ContainerKit/run.sh measures attribution through the test
/// target AttributionThroughputTests.)
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
        .executableTarget(
            name: "callguard-live-drain",
            dependencies: [
                .product(name: "AuditKit", package: "callguard"),
                .product(name: "CallguardAgent", package: "callguard"),
                .product(name: "ContainerKit", package: "callguard"),
                .product(name: "PolicyKit", package: "callguard"),
            ],
            path: "LiveAudit/Drain",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
            ]
        ),
        .executableTarget(
            name: "callguard-attribution-bench",
            dependencies: [.product(name: "ContainerKit", package: "callguard")],
            path: "Attribution/Lookup"
        ),
        .executableTarget(
            name: "SinkBench",
            dependencies: [.product(name: "SinkKit", package: "callguard")],
            path: "SinkBench/Sources/SinkBench",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])],
            // Export the counting malloc so that libswiftCore's calls bind to it.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),
    ]
)
