import AuditKit
import Foundation
import Testing
import TestSupport

/// `callguard run` on the real kernel (audit-rule path) with docker containers
/// of the suite's own dockerd: violations of a long-lived container, of a
/// `docker run --rm` that lives a moment, and of a `docker exec` process each
/// name the right image and container id.
@Suite(.serialized, .containerDaemons)
struct DockerAgentTests {
    static let imageLong = "localhost/callguard-docker-long:1"
    static let imageShort = "localhost/callguard-docker-short:1"

    static var prerequisites: Bool { ContainerDaemons.prerequisitesMet && LiveAudit.available }

    /// Both images may run busybox's applets, but neither may mkdir nor chmod.
    static func writePolicies(to directory: String) throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("policies")
        for name in ["busybox.yaml", "runc-init.yaml"] {
            try FileManager.default.copyItem(atPath: shipped.appendingPathComponent(name).path, toPath: "\(directory)/\(name)")
        }
        try """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: docker-images}
        spec:
          images: ["\(imageLong)", "\(imageShort)"]
          include: [busybox]
          severity: high
        """.write(toFile: "\(directory)/docker.yaml", atomically: true, encoding: .utf8)
    }

    struct Received: Equatable {
        var image: String
        var containerID: String
        var syscall: String
        var process: String
    }

    /// The JSON violations the agent wrote on stdout.
    static func violations(in stdout: String) -> [Received] {
        stdout.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            let container = object["container"] as? [String: Any] ?? [:]
            let callguard = object["callguard"] as? [String: Any] ?? [:]
            let syscall = (callguard["syscall"] as? [String: Any] ?? object["syscall"] as? [String: Any])?["name"] as? String
            return Received(
                image: (container["image"] as? [String: Any])?["name"] as? String ?? "",
                containerID: container["id"] as? String ?? "",
                syscall: syscall ?? "",
                process: (object["process"] as? [String: Any])?["name"] as? String ?? "")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func violationsOfDockerRunAndExecProcessesNameTheirImageAndContainer() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, docker.io, containerd, runc, busybox-static") else { return }
        let daemons = try #require(ContainerDaemons.current, "containerd and dockerd did not start")
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("docker-agent")
            defer { try? FileManager.default.removeItem(at: work) }
            try daemons.importBusyboxImage(named: Self.imageLong, workDir: work.path)
            try daemons.importBusyboxImage(named: Self.imageShort, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try Self.writePolicies(to: policies)

            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "system", "--sink", "stdout", "--format", "json", "--docker-root", daemons.dockerDataRoot],
                directory: work.path)
            defer { agent.kill() }

            let longID = try daemons.docker([
                "run", "-d", "--network", "none", "--name", "long", Self.imageLong,
                "sh", "-c", "mkdir /tmp/long; sleep 300",
            ])
            let short = try ChildProcess.run(
                ContainerDaemons.docker,
                ["-H", "unix://\(daemons.dockerSocket)", "run", "--rm", "--network", "none", "--cidfile", "\(work.path)/short.cid",
                 Self.imageShort, "mkdir", "/tmp/short"])
            #expect(short.status == 0, "\(short.stderr)")
            let shortID = (try? String(contentsOfFile: "\(work.path)/short.cid", encoding: .utf8)) ?? "?"
            try daemons.docker(["exec", "long", "chmod", "700", "/tmp"])

            let deadline = Date(timeIntervalSinceNow: 20)
            var received: [Received] = []
            while Date() < deadline {
                received = Self.violations(in: agent.stdout).filter { ["mkdir", "mkdirat", "chmod", "fchmodat"].contains($0.syscall) }
                if received.count >= 3 { break }
                usleep(100_000)
            }
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
            try daemons.docker(["rm", "-f", "long"])

            let tail = agent.stderr.split(separator: "\n").suffix(3).joined(separator: "\n")
            #expect(received.count == 3, "\(received); agent: \(tail)")
            let longMkdir = received.first { $0.containerID == longID && $0.syscall.hasPrefix("mkdir") }
            #expect(longMkdir?.image == Self.imageLong, "long-lived: \(received)")
            let shortMkdir = received.first { $0.containerID == shortID && $0.syscall.hasPrefix("mkdir") }
            #expect(shortMkdir?.image == Self.imageShort, "docker run --rm: \(received)")
            let exec = received.first { $0.containerID == longID && $0.syscall.contains("chmod") }
            #expect(exec?.image == Self.imageLong && exec?.process == "chmod", "docker exec: \(received)")
        }
    }
}
