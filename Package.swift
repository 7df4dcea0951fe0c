// swift-tools-version: 6.2
import PackageDescription

/// callguard: a Linux host agent that audits the syscalls of containers against
/// per-image YAML allowlists and reports violations to a SIEM.
let package = Package(
    name: "callguard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callguard", targets: ["callguard"]),
        .library(name: "AuditKit", targets: ["AuditKit"]),
        .library(name: "PolicyKit", targets: ["PolicyKit"]),
        .library(name: "ContainerKit", targets: ["ContainerKit"]),
        .library(name: "SinkKit", targets: ["SinkKit"]),
        .library(name: "CallguardAgent", targets: ["CallguardAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CAudit", pkgConfig: "audit", providers: [.apt(["libaudit-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CRELP", pkgConfig: "relp", providers: [.apt(["librelp-dev"])]),

        .target(
            name: "AuditKit",
            dependencies: ["CAudit"],
            // The hot path is single-threaded by design; dynamic exclusivity
            // checks on the assembler's state cost a tenth of the parse time.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(name: "PolicyKit", dependencies: ["CYAML", "CAudit", "AuditKit"]),
        .target(name: "CProcWatch"),
        .target(name: "ContainerKit", dependencies: ["CProcWatch"]),
        // Per-thread capability restriction for `run` (raw capset/prctl, no libcap).
        .target(name: "CPrivileges"),
        .target(name: "SinkKit", dependencies: ["COpenSSL", "CRELP", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "CallguardAgent",
            dependencies: [
                "AuditKit", "PolicyKit", "ContainerKit", "SinkKit", "CPrivileges",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The stages in data-flow order, for people (not a resource).
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "callguard",
            dependencies: [
                "CallguardAgent", "AuditKit", "PolicyKit", "ContainerKit", "SinkKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", dependencies: [], path: "Sources/TestSupport"),
        // For the live tests: a process flooding SECCOMP records of its own filter.
        .executableTarget(name: "callguard-test-seccomp-flood", path: "Tests/Helpers/SeccompFlood"),

        .testTarget(name: "AuditKitTests", dependencies: ["AuditKit", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PolicyKitTests", dependencies: ["PolicyKit", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ContainerKitTests", dependencies: ["ContainerKit", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SinkKitTests", dependencies: ["SinkKit", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CallguardTests",
            dependencies: ["callguard", "CallguardAgent", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CallguardAgentTests",
            dependencies: ["AuditKit", "PolicyKit", "ContainerKit", "SinkKit", "CallguardAgent", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AuditKit", "PolicyKit", "ContainerKit", "SinkKit", "CallguardAgent", "TestSupport", "callguard-test-seccomp-flood",
            ],
            exclude: ["Fixtures"]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CPrivileges" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
