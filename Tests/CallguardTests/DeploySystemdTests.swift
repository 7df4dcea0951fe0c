import CallguardAgent
import Foundation
import SinkKit
import Testing
import TestSupport

/// `deploy/systemd/`: the unit passes systemd's own checker, keeps the
/// hardening it documents, and its example config is one the agent accepts.
@Suite struct DeploySystemdTests {
    static let unitPath = Deploy.path("systemd/callguard.service")
    static let systemdAnalyze = Deploy.tool("/usr/bin/systemd-analyze", "/bin/systemd-analyze")

    func unit() throws -> DeploySystemdUnit { DeploySystemdUnit(try Deploy.text("systemd/callguard.service")) }

    /// `systemd-analyze verify` loads the unit in a test manager (no systemd as
    /// PID 1 needed) and checks every directive and the ExecStart binary. The
    /// binary path is pointed at the built callguard, since nothing is
    /// installed in /usr/local/bin here.
    @Test(.enabled(if: RequireIntegration.shouldRun(systemdAnalyze != nil)))
    func unitPassesSystemdAnalyzeVerify() throws {
        guard RequireIntegration.check(Self.systemdAnalyze != nil, "systemd-analyze (Debian package systemd)") else { return }
        guard RequireIntegration.check(FileManager.default.isExecutableFile(atPath: Deploy.executable), "the built callguard at \(Deploy.executable)") else { return }
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try Deploy.text("systemd/callguard.service")
            .replacingOccurrences(of: "/usr/local/bin/callguard", with: Deploy.executable)
        let copy = dir.appendingPathComponent("callguard.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)

        let r = try Deploy.run(Self.systemdAnalyze!, ["verify", copy.path], in: dir.path)

        #expect(r.status == 0, "systemd-analyze verify failed: \(r.stderr)")
        // Unknown keys, bad values and misplaced directives are only warnings
        // (exit 0): any message about our file is a defect.
        let aboutUnit = r.stderr.split(separator: "\n").filter { $0.contains("callguard.service") }
        #expect(aboutUnit.isEmpty, "systemd-analyze verify: \(aboutUnit.joined(separator: "\n"))")
    }

    /// systemd's own hardening score (`systemd-analyze security --offline`,
    /// 0 = fully locked down, 100 = unprotected) stays where the unit puts it:
    /// 2.1 ("OK") on systemd 252; most of the rest is root, audit access and
    /// the network the agent needs.
    @Test(.enabled(if: RequireIntegration.shouldRun(systemdAnalyze != nil)))
    func unitExposureScoreStaysLow() throws {
        guard RequireIntegration.check(Self.systemdAnalyze != nil, "systemd-analyze (Debian package systemd)") else { return }
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("callguard.service")
        try Deploy.text("systemd/callguard.service")
            .replacingOccurrences(of: "/usr/local/bin/callguard", with: Deploy.executable)
            .write(to: copy, atomically: true, encoding: .utf8)

        let r = try Deploy.run(Self.systemdAnalyze!, ["security", "--offline=true", "--threshold=25", "--no-pager", copy.path], in: dir.path)

        #expect(r.status == 0, "exposure above 2.5: \(r.stdout.split(separator: "\n").last ?? "")")
    }

    @Test func unitHasNoMalformedLines() throws {
        let u = try unit()
        #expect(u.malformedLines.isEmpty)
        #expect(Set(u.directives.map(\.section)) == ["Unit", "Service", "Install"])
    }

    @Test func unitIsANotifyServiceWithWatchdog() throws {
        let u = try unit()
        #expect(u.value("Service", "Type") == "notify")
        #expect(u.value("Service", "NotifyAccess") == "main")
        let watchdog = try #require(u.value("Service", "WatchdogSec"))
        #expect(watchdog != "0" && watchdog != "infinity")
    }

    @Test func unitRunsTheAgentWithTheConfigFile() throws {
        let u = try unit()
        #expect(u.values("Service", "ExecStart") == ["/usr/local/bin/callguard run --config /etc/callguard/config.yaml"])
    }

    @Test func unitReloadsWithSIGHUPAndRestartsOnFailure() throws {
        let u = try unit()
        #expect(u.value("Service", "ExecReload") == "/bin/kill -HUP $MAINPID")
        #expect(u.value("Service", "Restart") == "on-failure")
        #expect(u.value("Service", "KillSignal") ?? "SIGTERM" == "SIGTERM")
    }

    @Test func unitGrantsOnlyTheAuditCapabilities() throws {
        let u = try unit()
        let audit: Set = ["CAP_AUDIT_CONTROL", "CAP_AUDIT_READ"]
        #expect(u.words("Service", "CapabilityBoundingSet") == audit)
        #expect(u.words("Service", "AmbientCapabilities").isSubset(of: audit))
        #expect(u.value("Service", "NoNewPrivileges") == "yes")
    }

    @Test func unitHasTheHardeningDirectives() throws {
        let u = try unit()
        let expected: [String: String] = [
            "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
            "ReadOnlyPaths": "/etc/callguard", "StateDirectory": "callguard",
            "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
            "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
            "RestrictNamespaces": "yes", "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes",
            "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native",
        ]
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(u.value("Service", key) == value, "\(key)=\(value)")
        }
        #expect(u.words("Service", "RestrictAddressFamilies") == ["AF_NETLINK", "AF_UNIX", "AF_INET", "AF_INET6"])
    }

    /// The kernel refuses audit control from a user or PID namespace other
    /// than the initial ones, and /proc must show every process.
    @Test func unitStaysInTheInitialNamespacesAndSeesAllProcesses() throws {
        let u = try unit()
        for key in ["PrivateUsers", "PrivatePIDs", "PrivateNetwork", "DynamicUser"] {
            #expect(u.value("Service", key) == nil || u.value("Service", key) == "no", "\(key) must not be set")
        }
        #expect(u.value("Service", "ProtectProc") ?? "default" == "default")
        #expect(u.value("Service", "ProcSubset") ?? "all" == "all")
    }

    @Test func unitDocumentsEveryCapabilityDecision() throws {
        let text = try Deploy.text("systemd/callguard.service")
        for word in ["CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN"] {
            #expect(text.contains("#   \(word)") || text.contains("#   not \(word)"), "\(word) explained")
        }
    }

    @Test func exampleConfigIsAcceptedByTheAgent() throws {
        var configuration = AgentConfiguration()
        try AgentConfigurationFile.apply(Deploy.path("systemd/config.yaml"), to: &configuration)

        #expect(configuration.policiesDirectory == "/etc/callguard/policies")
        #expect(configuration.metricsAddress == "127.0.0.1:9477")
        #expect(configuration.spoolDirectory == "/var/lib/callguard/spool")
        #expect(!configuration.sinks.isEmpty)
        for sink in configuration.sinks { _ = try SinkSpec(parsing: sink) }
    }

    /// The spool lives in the unit's StateDirectory and file sinks in its
    /// LogsDirectory: the only places ProtectSystem=strict leaves writable.
    @Test func exampleConfigWritesOnlyWhereTheUnitAllows() throws {
        var configuration = AgentConfiguration()
        try AgentConfigurationFile.apply(Deploy.path("systemd/config.yaml"), to: &configuration)
        let u = try unit()
        let writable = ["StateDirectory", "LogsDirectory"].compactMap { key in
            u.value("Service", key).map { "/var/\(key == "StateDirectory" ? "lib" : "log")/\($0)/" }
        }
        let spool = try #require(configuration.spoolDirectory)
        #expect(writable.contains { spool.hasPrefix($0) })
        for sink in configuration.sinks where sink.hasPrefix("file:") {
            #expect(writable.contains { sink.dropFirst(5).hasPrefix($0) }, "\(sink)")
        }
    }
}
