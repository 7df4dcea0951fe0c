import AuditKit
import Foundation
import Glibc
import Testing
import TestSupport

/// `deploy/systemd/` as systemd would run it: the unit's ExecStart with the
/// shipped config.yaml, under a temporary root (every /etc/callguard,
/// /var/lib/callguard and /var/log/callguard path rewritten into it, and only
/// the directories the unit has systemd create), with the unit's capability
/// bounding set and no_new_privs, its umask, and a notify socket. The agent
/// must start (READY=1), reload on the unit's ExecReload, and stop on its
/// KillSignal with the kernel's audit state restored.
@Suite(.serialized) struct DeploySystemdStartTests {
    static let setpriv = ChildProcess.executable("setpriv")
    static let openssl = ChildProcess.executable("openssl")
    static var prerequisites: Bool {
        RequireIntegration.isRoot && setpriv != nil && openssl != nil && (try? AuditControl().status()) != nil
            && FileManager.default.isExecutableFile(atPath: Repository.callguard)
    }

    /// The deploy config's absolute paths moved under `root`.
    static func rewrite(_ text: String, under root: String) -> String {
        var text = text
        for prefix in ["/etc/callguard", "/var/lib/callguard", "/var/log/callguard"] {
            text = text.replacingOccurrences(of: prefix, with: root + prefix)
        }
        return text
    }

    /// A datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let fd: Int32
        let path: String
        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in path.utf8CString.withUnsafeBytes { raw.copyMemory(from: $0) } }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
        deinit { close(fd) }

        /// Every datagram until one contains `state`; nil after `timeout`
        /// seconds or once `alive` says the sender has gone.
        func wait(for state: String, timeout: Double, while alive: () -> Bool) -> [String]? {
            var seen: [String] = []
            let deadline = Date(timeIntervalSinceNow: timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline, alive() {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 200) > 0 else { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { continue }
                let message = String(decoding: buffer[..<n], as: UTF8.self)
                seen.append(message)
                if message.split(separator: "\n").contains(Substring(state)) { return seen }
            }
            return nil
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func agentStartsReloadsAndStopsWithTheShippedUnitAndConfig() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, setpriv, openssl and the built callguard") else { return }
        let unit = DeploySystemdUnit(try Repository.deployText("systemd/callguard.service"))
        let dir = try Repository.temporaryDirectory("callguard-deploy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.path
        let fm = FileManager.default
        // As systemd: directories it creates are 0755 up to the unit's own
        // (the agent refuses a spool or log directory others can write).
        let setupUmask = umask(0o022)

        // What the operator installs (deploy/README.md): config, policies, the SIEM's CA.
        try fm.createDirectory(atPath: "\(root)/etc/callguard/policies", withIntermediateDirectories: true)
        for file in try fm.contentsOfDirectory(atPath: Repository.policies) where file.hasSuffix(".yaml") {
            try fm.copyItem(atPath: Repository.root.appendingPathComponent("policies/\(file)").path, toPath: "\(root)/etc/callguard/policies/\(file)")
        }
        try fm.createDirectory(atPath: "\(root)/etc/callguard/tls", withIntermediateDirectories: true)
        let ca = try ChildProcess.run(Self.openssl!, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=callguard test CA", "-keyout", "\(root)/ca.key", "-out", "\(root)/etc/callguard/tls/ca.pem",
        ])
        try #require(ca.status == 0, "openssl: \(ca.stderr)")
        let metricsPort = Int(LoopbackPort.free(1)[0])
        let config = Self.rewrite(try Repository.deployText("systemd/config.yaml"), under: root)
            .replacingOccurrences(of: "127.0.0.1:9477", with: "127.0.0.1:\(metricsPort)")
        try config.write(toFile: "\(root)/etc/callguard/config.yaml", atomically: true, encoding: .utf8)

        // What systemd creates from the unit before ExecStart, and nothing else.
        for (key, base, modeKey) in [
            ("StateDirectory", "/var/lib", "StateDirectoryMode"), ("LogsDirectory", "/var/log", "LogsDirectoryMode"),
            ("RuntimeDirectory", "/run", "RuntimeDirectoryMode"),
        ] {
            for name in unit.words("Service", key) {
                let mode = unit.value("Service", modeKey).flatMap { Int($0, radix: 8) } ?? 0o755
                try fm.createDirectory(atPath: "\(root)\(base)/\(name)", withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
            }
        }

        umask(setupUmask)

        // ExecStart, with the binary and the config moved; under the unit's bounding set and umask.
        let execStart = try #require(unit.value("Service", "ExecStart"))
        var command = Self.rewrite(execStart, under: root).split(separator: " ").map(String.init)
        try #require(command.first == "/usr/local/bin/callguard", "ExecStart runs /usr/local/bin/callguard")
        command[0] = Repository.callguard
        // The hook state goes to the unit's RuntimeDirectory (/run/callguard, the default), moved under the test's root.
        try #require(unit.words("Service", "RuntimeDirectory") == ["callguard"])
        command += ["--state-dir", "\(root)/run/callguard"]
        let bounding = unit.words("Service", "CapabilityBoundingSet").map { $0.lowercased().replacingOccurrences(of: "cap_", with: "+") }
        var wrapper = ["--bounding-set", (["-all"] + bounding.sorted()).joined(separator: ",")]
        // AmbientCapabilities= (systemd also puts them in the inheritable set).
        let ambient = unit.words("Service", "AmbientCapabilities").map { $0.lowercased().replacingOccurrences(of: "cap_", with: "+") }
        if !ambient.isEmpty {
            let list = (["-all"] + ambient.sorted()).joined(separator: ",")
            wrapper += ["--inh-caps", list, "--ambient-caps", list]
        }
        if unit.value("Service", "NoNewPrivileges") == "yes" { wrapper.append("--no-new-privs") }
        let notify = try NotifySocket(path: "\(root)/notify")
        let out = "\(root)/agent.out"
        let err = "\(root)/agent.err"
        #expect(fm.createFile(atPath: out, contents: nil))
        #expect(fm.createFile(atPath: err, contents: nil))
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        if let watchdog = unit.value("Service", "WatchdogSec"), let seconds = Int(watchdog.replacingOccurrences(of: "s", with: "")) {
            environment["WATCHDOG_USEC"] = String(seconds * 1_000_000)
        }
        func agentLog() -> String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }

        try await KernelAuditLock.withLock {
            let control = try AuditControl()
            let before = try control.status()
            var process: RunningChild?
            defer {
                process?.kill()
                _ = try? control.removeRules(withKey: AuditRule.callguardKey)
                _ = try? control.clearStaleDaemon()
                if let now = try? control.status(), !now.isLocked, now.enabled != before.enabled {
                    _ = try? control.apply(AuditSettingsChange(enabled: before.enabled))
                }
            }
            let oldUmask = umask(mode_t(Int(unit.value("Service", "UMask") ?? "0022", radix: 8) ?? 0o022))
            let started = Result { try RunningChild(
                Self.setpriv!, wrapper + ["--"] + command, in: "/", stdout: .appending(out), stderr: .appending(err),
                environment: environment) }
            umask(oldUmask)
            process = try started.get()
            let agent = try #require(process)

            let ready = notify.wait(for: "READY=1", timeout: 30) { agent.isRunning }
            try #require(ready != nil, "no READY=1 (the agent \(agent.isRunning ? "still runs" : "exited")); it said: \(agentLog())")
            #expect(agent.isRunning, "\(agentLog())")
            // The process events subscription needs the unit's start-up capabilities.
            #expect(!agentLog().contains("process events"), "\(agentLog())")
            #expect(agentLog().contains("capabilities kept: CAP_AUDIT_CONTROL, CAP_AUDIT_READ"), "\(agentLog())")

            // ExecReload, as the unit spells it.
            let reload = try #require(unit.value("Service", "ExecReload"))
            let reloadWords = reload.replacingOccurrences(of: "$MAINPID", with: String(agent.pid)).split(separator: " ").map(String.init)
            let reloaded = try ChildProcess.run(reloadWords[0], Array(reloadWords.dropFirst()))
            #expect(reloaded.status == 0)
            let deadline = Date(timeIntervalSinceNow: 10)
            while !agentLog().contains("policies reloaded"), Date() < deadline { usleep(100_000) }
            #expect(agentLog().contains("policies reloaded"), "\(agentLog())")

            // KillSignal (SIGTERM by default), then the kernel is as it was.
            let signalName = unit.value("Service", "KillSignal") ?? "SIGTERM"
            try #require(signalName == "SIGTERM" || signalName == "SIGINT")
            agent.send(signalName == "SIGTERM" ? SIGTERM : SIGINT)
            let exit = agent.wait(timeout: 30)
            #expect(exit != nil, "the agent did not stop within 30 s")
            if let exit { #expect(exit == 0, "exit status \(exit): \(agentLog())") }
            #expect(try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }.isEmpty, "callguard rules left")
            #expect(try control.status().pid == 0, "audit pid left registered")
            #expect(try control.status().enabled == before.enabled, "audit enabled flag restored")
        }
    }
}
