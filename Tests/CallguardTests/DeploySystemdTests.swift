import CallguardAgent
import Foundation
import SinkKit
import Testing
import TestSupport

/// `deploy/systemd/`: the unit passes systemd's own checker and scores low on
/// its exposure analysis, and the example config writes only where the unit
/// lets it. Whether the agent actually starts, reloads and stops with them is
/// ``DeploySystemdStartTests``.
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
    /// 2.6 ("OK") on systemd 252; most of it is root, audit access and the
    /// network the agent needs, and 0.7 the start-up capabilities
    /// (CAP_NET_ADMIN, CAP_SETPCAP, capset), which a static analysis cannot
    /// see the agent drop once started.
    @Test(.enabled(if: RequireIntegration.shouldRun(systemdAnalyze != nil)))
    func unitExposureScoreStaysLow() throws {
        guard RequireIntegration.check(Self.systemdAnalyze != nil, "systemd-analyze (Debian package systemd)") else { return }
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("callguard.service")
        try Deploy.text("systemd/callguard.service")
            .replacingOccurrences(of: "/usr/local/bin/callguard", with: Deploy.executable)
            .write(to: copy, atomically: true, encoding: .utf8)

        let r = try Deploy.run(Self.systemdAnalyze!, ["security", "--offline=true", "--threshold=26", "--no-pager", copy.path], in: dir.path)

        #expect(r.status == 0, "exposure above 2.6: \(r.stdout.split(separator: "\n").last ?? "")")
    }

    @Test func unitHasNoMalformedLines() throws {
        let u = try unit()
        #expect(u.malformedLines.isEmpty)
        #expect(Set(u.directives.map(\.section)) == ["Unit", "Service", "Install"])
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
