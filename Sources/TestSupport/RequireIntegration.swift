import Foundation
import Testing

/// Gatekeeper for tests that need the real machine: root, the kernel's audit
/// subsystem, podman, rsyslogd.
///
/// Locally a missing prerequisite skips the test with its reason. In CI, where
/// `CALLGUARD_REQUIRE_INTEGRATION=1`, it fails the test instead, so that an
/// integration test can never pass by not running.
public enum RequireIntegration {
    /// Whether the environment demands that every integration test runs.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["CALLGUARD_REQUIRE_INTEGRATION"] == "1"
    }

    /// Whether this process runs as root.
    public static var isRoot: Bool { geteuid() == 0 }

    /// Whether `name` is an executable on the PATH or in the usual system
    /// directories (or an absolute executable path).
    public static func hasExecutable(_ name: String) -> Bool { ChildProcess.executable(name) != nil }

    /// Condition for `@Test(.enabled(if:))`-style gating that never hides a
    /// missing prerequisite in CI: returns `true` when the test must run (the
    /// prerequisites are there, or CI requires it and it will then fail loudly
    /// inside the test through ``check(_:_:)``).
    public static func shouldRun(_ prerequisitesMet: Bool) -> Bool {
        prerequisitesMet || isRequired
    }

    /// Records an issue naming the missing prerequisite when `condition` is
    /// false. Call at the top of an integration test; return when it is false.
    public static func check(
        _ condition: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        if !condition {
            Issue.record(
                "integration prerequisite missing: \(what) (CALLGUARD_REQUIRE_INTEGRATION=\(isRequired ? "1" : "0"))",
                sourceLocation: sourceLocation)
        }
        return condition
    }
}
