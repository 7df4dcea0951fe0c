import AuditKit
import CallguardAgent
import Foundation
import PolicyKit
import Testing
import TestSupport

/// `callguard learn` on the real kernel with a real podman container of an
/// imported busybox image: the policy it writes holds what the container's
/// loop does and not what only runc's bootstrap does, and the kernel's audit
/// state is as before.
@Suite(.serialized) struct LearnPodmanTests {
    static var prerequisites: Bool { PodmanHarness.prerequisitesMet && LiveAudit.available }

    static let loop = "while true; do mkdir -p /tmp/x; ls / >/dev/null; sleep 0.2; done"

    /// Runs `callguard learn ARGS` to its end and returns its exit status (nil: still running after 60 s) and stderr.
    static func learn(_ arguments: [String], directory: String, tag: String, whileRunning: () throws -> Void = {})
        throws -> (status: Int32?, stderr: String)
    {
        let process = try AgentProcess(
            arguments, directory: directory, tag: tag, subcommand: "learn", readyMarker: "learning image")
        defer { process.kill() }
        try whileRunning()
        let status = process.wait(timeout: 60)
        return (status, process.stderr)
    }

    static func allowList(_ path: String) throws -> Set<String> {
        let set = try PolicyLoader().load(paths: [path]).get()
        let policy = try #require(set.activePolicies.first)
        return Set(policy.syscalls.names(on: .x86_64))
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func learnWritesWhatTheContainerLoopUsesAndNotRuncBootstrapAndMergesOnASecondRun() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static") else { return }
        try await LiveAudit.withRestoredState {
            let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let image = "localhost/callguard-learn-\(unique):1"
            let container = "callguard-learn-\(unique)"
            let work = try LiveAudit.temporaryDirectory("learn")
            defer { try? FileManager.default.removeItem(at: work) }
            defer { PodmanHarness.cleanUp(containers: [container], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            let output = "\(policies)/learned.yaml"
            let control = try AuditControl()
            let before = try control.status()

            // First run: learn starts before the container, which it waits for.
            let first = try Self.learn(
                ["--image", image, "--duration", "5s", "--output", output, "--policies", policies],
                directory: work.path, tag: "learn1"
            ) {
                _ = try PodmanHarness.runDetached(name: container, image: image, command: ["sh", "-c", Self.loop])
            }
            #expect(first.status == 0, "exit: \(first.stderr)")
            let allowed = try Self.allowList(output)
            #expect(allowed.contains("mkdir") || allowed.contains("mkdirat"), "\(allowed.sorted())")
            #expect(allowed.contains("getdents64"), "\(allowed.sorted())")
            #expect(allowed.contains("execve") || allowed.contains("clone") || allowed.contains("fork") || allowed.contains("vfork"), "\(allowed.sorted())")
            for bootstrapOnly in ["pivot_root", "mount", "sethostname", "keyctl"] {
                #expect(!allowed.contains(bootstrapOnly), "\(bootstrapOnly) is runc's, not the image's")
            }
            let text = try String(contentsOfFile: output, encoding: .utf8)
            #expect(text.contains("over 1 run(s)"))
            let firstCounts = try LearnedPolicy.read(path: output).counts

            // Second run on the running container: merged into the same file.
            let second = try Self.learn(
                ["--image", image, "--duration", "3s", "--output", output], directory: work.path, tag: "learn2")
            #expect(second.status == 0, "exit: \(second.stderr)")
            let merged = try LearnedPolicy.read(path: output).counts
            #expect(try String(contentsOfFile: output, encoding: .utf8).contains("over 2 run(s)"))
            #expect(Set(firstCounts.keys).isSubset(of: Set(merged.keys)))
            let getdents = (firstCounts["getdents64"] ?? 0, merged["getdents64"] ?? 0)
            #expect(getdents.1 > getdents.0, "counts add up over runs: \(getdents)")

            // The kernel is as it was.
            let rules = try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
            #expect(rules.isEmpty, "callguard rules left in the kernel")
            let after = try control.status()
            #expect(after.pid == before.pid)
            #expect(after.enabled == before.enabled)
            #expect(after.backlogLimit == before.backlogLimit)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func learnWithoutAContainerOfTheImageWritesNothingAndExitsTwo() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("learn-none")
            defer { try? FileManager.default.removeItem(at: work) }
            let output = work.appendingPathComponent("none.yaml").path
            let run = try Self.learn(
                ["--image", "localhost/callguard-learn-absent-\(getpid()):1", "--duration", "1500ms", "--output", output],
                directory: work.path, tag: "learn-none")
            #expect(run.status == 2, "\(run.stderr)")
            #expect(run.stderr.contains("no container of image"))
            #expect(!FileManager.default.fileExists(atPath: output))
            let rules = try AuditControl().kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
            #expect(rules.isEmpty)
        }
    }
}
