// swift-tools-version: 6.2
import PackageDescription

/// SinkKit's formatting + framing benchmark: messages per second per format and
/// heap allocations per message, against a trivial framing-only baseline in the
/// same run. `swift run -c release --package-path Benchmarks/SinkBench`.
let package = Package(
    name: "SinkBench",
    dependencies: [.package(name: "callguard", path: "../..")],
    targets: [
        .executableTarget(
            name: "SinkBench",
            dependencies: [.product(name: "SinkKit", package: "callguard")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])],
            // Export the counting malloc so that libswiftCore's calls bind to it.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        )
    ]
)
