import Foundation
import Testing
import TestSupport

/// The false-positive check on a real image: the nginx image built from
/// Debian's packages (Scripts/build-images.sh) runs its primary workload
/// (Scripts/workloads/nginx.sh: pages, a 404, a reload, a restart) under
/// `callguard run` with the shipped policies, and the agent reports nothing
/// for it, while a container of the same image that calls chmod (which the
/// nginx policy does not allow) is reported: the agent was watching.
///
/// Slow (the image build takes 45 s on an idle machine, minutes under load,
/// seconds once cached; the workload about 10 s), so it runs only with
/// `CALLGUARD_SLOW_TESTS=1`. `Scripts/false-positives.sh` runs every image.
@Suite(.serialized) struct RealImageWorkloadTests {
    static let image = "localhost/callguard/nginx:bookworm"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var slowTestsWanted: Bool { ProcessInfo.processInfo.environment["CALLGUARD_SLOW_TESTS"] == "1" }

    static var prerequisites: Bool {
        PodmanHarness.prerequisitesMet && LiveAudit.available
            && ["mmdebstrap", "curl", "nsenter", "bash"].allSatisfy { PodmanHarness.executable($0) != nil }
    }

    /// The violations in a file sink's output whose container image is `image`, as (container id, process name, syscall).
    static func violations(in path: String, image: String) throws -> [(container: String, process: String, syscall: String)] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let container = object["container"] as? [String: Any] ?? [:]
            guard (container["image"] as? [String: Any])?["name"] as? String == image else { return nil }
            let syscall = FormatParsers.value(object, at: "callguard.syscall.name") as? String ?? ""
            let process = (object["process"] as? [String: Any])?["name"] as? String ?? ""
            return (container["id"] as? String ?? "", process, syscall)
        }
    }

    @Test(.enabled(if: slowTestsWanted && RequireIntegration.shouldRun(prerequisites)))
    func nginxPrimaryWorkloadUnderTheShippedPolicyReportsNothing() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, mmdebstrap, curl, nsenter") else { return }
        _ = try PodmanHarness.run(["bash", Self.repository.appendingPathComponent("Scripts/build-images.sh").path, "--podman", "nginx"])
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("workload")
            defer { try? FileManager.default.removeItem(at: work) }
            chmod(work.path, 0o700)
            let control = "callguard-it-workload-control-\(getpid())"
            defer { PodmanHarness.cleanUp(containers: [control], images: []) }
            let sink = work.appendingPathComponent("violations.json").path
            let agent = try AgentProcess(
                ["--policies", Self.repository.appendingPathComponent("policies").path, "--sink", "file:\(sink)"],
                directory: work.path)
            defer { agent.kill() }

            _ = try PodmanHarness.run(["bash", Self.repository.appendingPathComponent("Scripts/workloads/nginx.sh").path, "primary"])
            let controlID = try PodmanHarness.podman([
                "--runtime", "runc", "run", "-d", "--name", control, "--cgroup-manager=cgroupfs", "--network", "none",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", Self.image, "/bin/sh", "-c", "sleep 3; chmod 0700 /tmp; sleep 2",
            ])
            _ = try PodmanHarness.podman(["wait", control])
            sleep(1)
            #expect(agent.terminate() != nil, "the agent did not stop on SIGTERM")

            let seen = try Self.violations(in: sink, image: Self.image)
            let workload = seen.filter { $0.container != controlID }
            let own = workload.filter { $0.process != "runc:[2:INIT]" }
            #expect(own.isEmpty, "violations of the primary workload: \(own.map { "\($0.syscall) (\($0.process))" })\n\(agent.stderr)")
            // runc exec's init (for `podman exec nginx -s reload`) is reported now and then
            // (Scripts/false-positives.sh shows it for redis and postgresql, whose
            // workloads podman exec often): a runtime bootstrap the agent does not
            // always recognise; the agent's issue, not the policy's.
            let runcExec = workload.filter { $0.process == "runc:[2:INIT]" }
            withKnownIssue("runc exec's bootstrap reported when the agent reads it late", isIntermittent: true) {
                #expect(runcExec.isEmpty, "runc exec's init reported: \(runcExec.map(\.syscall))")
            }
            let controlCalls = Set(seen.filter { $0.container == controlID }.map(\.syscall))
            #expect(controlCalls.contains("fchmodat"), "the control container's chmod was not reported: \(controlCalls)\n\(agent.stderr)")
        }
    }
}
