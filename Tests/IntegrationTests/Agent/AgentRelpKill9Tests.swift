import Foundation
import Testing
import TestSupport

/// `callguard run --sink syslog+relp://` on the real kernel: a container floods
/// forbidden mkdirs while rsyslogd (imrelp) is killed with SIGKILL and started
/// again; every violation the agent counted is in the receiver's output
/// (re-sent messages arrive byte for byte again and are counted once).
@Suite(.serialized) struct AgentRelpKill9Tests {
    static var prerequisites: Bool {
        PodmanHarness.prerequisitesMet && RsyslogReceiver.relpPrerequisitesPresent && LiveAudit.available
    }

    /// The agent's own statistics line at exit.
    static func exitStatistics(_ stderr: String) -> [String: Any] {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("{\"records\"") }),
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return [:] }
        return object
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func everyViolationOfAFloodSurvivesAKill9OfTheRelpReceiver() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd + rsyslog-relp")
        else { return }
        try await LiveAudit.withRestoredState {
            // An image of its own: other tests' containers of AgentEndToEndTests' images must not count here.
            let image = "localhost/callguard-relp-kill9:1"
            let work = try LiveAudit.temporaryDirectory("e2e-relp")
            defer { try? FileManager.default.removeItem(at: work) }
            defer { PodmanHarness.cleanUp(containers: [], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            let a = "\(policies)/a.yaml"
            try String(contentsOfFile: a, encoding: .utf8).replacingOccurrences(of: AgentEndToEndTests.imageA, with: image)
                .write(toFile: a, atomically: true, encoding: .utf8)
            let receiver = try RsyslogReceiver(relp: true)
            defer { receiver.close() }
            try receiver.start()

            // As deployed: with a spool, where what the receiver has not confirmed waits.
            let window = 16
            let config = work.appendingPathComponent("config.yaml").path
            try """
            sinks: ["syslog+relp://127.0.0.1:\(receiver.relpPort)?window=\(window)"]
            format: json
            spool: {directory: \(work.path)/spool}
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let agent = try AgentProcess(["--policies", policies, "--config", config], directory: work.path)
            defer { agent.kill() }
            // Image A may not mkdir: 300 processes with distinct command lines (each its own
            // finding, not a repeat), paced so that the kill lands midway.
            let flood = Task.detached {
                try AgentEndToEndTests.runContainer(
                    image, "i=0; while [ $i -lt 300 ]; do sh -c \"mkdir /tmp/d$i\"; i=$((i+1)); usleep 10000; done; true")
            }
            _ = receiver.waitForMessages(50, timeout: 30, file: receiver.relpReceivedFile)
            let beforeKill = receiver.received(receiver.relpReceivedFile).count
            receiver.kill9()
            usleep(1_500_000)
            try receiver.start()
            try await flood.value
            usleep(1_000_000)  // the last records reach the agent
            // The sink reconnects after its backoff (up to 30 s once it has failed a few times;
            // stopping the agent before then leaves the rest in the spool for the next start):
            // wait, while it runs, until the receiver holds as many distinct violations as the
            // agent counted (its SIGUSR1 statistics line).
            let delivered = RuleModeTests.eventually(40) {
                agent.send(SIGUSR1)
                usleep(200_000)
                let counted = Self.exitStatistics(agent.stderr)["violations"] as? Int ?? Int.max
                let lines = Set(receiver.received(receiver.relpReceivedFile)).filter { !$0.contains("\"container-unguarded\"") }
                let arrived = (try? AgentEndToEndTests.violations(in: Array(lines)).reduce(0) { $0 + $1.count }) ?? 0
                return arrived >= counted
            }
            #expect(delivered, "the receiver did not get every violation within 40 s of its restart")
            let status = agent.terminate()
            #expect(status.map { $0 & 0x7f == 0 && ($0 >> 8) & 0xff == 0 } == true, "exit: \(agent.stderr.suffix(2000))")
            try AgentEndToEndTests.expectKernelRestored()

            let statistics = Self.exitStatistics(agent.stderr)
            let violations = try #require(statistics["violations"] as? Int, "no statistics line: \(agent.stderr.suffix(2000))")
            let lines = receiver.waitForMessages(1, timeout: 10, file: receiver.relpReceivedFile)
            // A re-sent message is the same bytes: count each distinct message once.
            let distinct = Array(Set(lines))
            // The once-per-container `container-unguarded` report (the container runs without the hook)
            // is not a violation: counted apart, under unguarded_containers.
            let unguarded = distinct.filter { $0.contains("\"container-unguarded\"") }
            #expect(unguarded.count == statistics["unguarded_containers"] as? Int, "\(unguarded)")
            let received = try AgentEndToEndTests.violations(in: distinct.filter { !unguarded.contains($0) })
            let total = received.reduce(0) { $0 + $1.count }
            let duplicates = lines.count - distinct.count
            let sinks = statistics["sinks"] as? [String: Any] ?? [:]
            print("run over relp through kill -9 (\(beforeKill) lines before it): \(violations) violations, \(lines.count) lines, "
                + "\(duplicates) duplicates, sinks \(sinks)")
            let mkdirs = received.filter { $0.image == image && ["mkdir", "mkdirat"].contains($0.syscall) }.reduce(0) { $0 + $1.count }
            // What the agent reports is its business (a record of a process gone with its parent
            // is counted, not reported); what it reported must all arrive.
            #expect(mkdirs >= 200, "the flood was seen: \(mkdirs) of 300 mkdirs reported")
            #expect(total == violations, "every violation the agent counted is in the receiver's output (summaries count theirs)")
            #expect(duplicates <= window + 1, "one loss re-sends at most one window and the failed message: \(duplicates)")
            #expect(sinks["dropped"] as? Int == 0, "\(sinks)")
            #expect((sinks["spooled"] as? Int ?? 0) > 0, "the outage was bridged by the spool: \(sinks)")
            #expect(beforeKill < lines.count, "the receiver was killed midway, not after the flood")
        }
    }
}
