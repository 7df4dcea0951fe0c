import Foundation
import Testing
import TestSupport

/// A real podman + runc container whose payload runs as `/tmp/runc` (comm
/// `runc`, exe ending in `/runc`, exactly what runc's bootstrap looks like by
/// name) is checked like any process: its forbidden syscall is reported, and
/// nothing of runc's own start-up of the same container is.
@Suite(.serialized) struct RuntimeNameEscapeTests {
    @Test(.enabled(if: RequireIntegration.shouldRun(AgentEndToEndTests.prerequisites)))
    func payloadNamedRuncIsReported() async throws {
        guard RequireIntegration.check(AgentEndToEndTests.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd")
        else { return }
        let image = AgentEndToEndTests.imageA
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-runc-name")
            defer { try? FileManager.default.removeItem(at: work) }
            defer { PodmanHarness.cleanUp(containers: [], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)  // image A may not mkdir
            let receiver = try RsyslogReceiver()
            defer { receiver.close() }
            try receiver.start()

            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "system", "--sink", "syslog+tcp://127.0.0.1:\(receiver.tcpPort)", "--format", "json"],
                directory: work.path)
            defer { agent.kill() }
            // busybox copied to /tmp/runc and run as its mkdir applet: comm "runc", exe "/tmp/runc".
            try AgentEndToEndTests.runContainer(image, "cp /bin/busybox /tmp/runc; exec -a mkdir /tmp/runc /tmp/x")

            usleep(2_000_000)
            let status = agent.terminate()
            #expect(status == 0, "exit: \(agent.stderr)")
            try AgentEndToEndTests.expectKernelRestored()

            let received = try AgentEndToEndTests.violations(in: receiver.waitForMessages(1, timeout: 20))
            let payload = received.filter { $0.process == "runc" && ["mkdir", "mkdirat"].contains($0.syscall) }
            #expect(payload.count == 1, "\(received)")
            #expect(received.count == 1, "runc's own start-up reported: \(received)")
            #expect(payload.first?.image == image)
        }
    }
}
