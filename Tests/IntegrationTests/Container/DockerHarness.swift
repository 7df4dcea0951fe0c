import ContainerKit
import Glibc
import Foundation
import Testing
import TestSupport

/// containerd and dockerd started by the tests themselves, each with its own
/// temporary root, state, socket and pid file, so that nothing of the host's
/// docker or containerd is touched and `make test` needs no daemon running.
///
/// ``stop()`` removes every container, stops both daemons by pid, kills any
/// containerd shim left behind (found by the socket path on its command line),
/// unmounts what is still mounted under the root and removes the root.
final class ContainerDaemons: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The daemons of the running suite (set by ``WithContainerDaemons``).
    @TaskLocal static var current: ContainerDaemons?

    static let docker = "/usr/bin/docker"
    static let dockerd = "/usr/sbin/dockerd"
    static let containerd = "/usr/bin/containerd"
    static let ctr = "/usr/bin/ctr"

    static var prerequisitesMet: Bool {
        RequireIntegration.isRoot && [docker, dockerd, containerd, ctr].allSatisfy(FileManager.default.isExecutableFile)
            && PodmanHarness.executable("runc") != nil && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
    }

    let root: String
    var containerdSocket: String { "\(root)/containerd.sock" }
    var dockerSocket: String { "\(root)/docker.sock" }
    /// dockerd's `--data-root`: `containers/<id>/config.v2.json` lives here.
    var dockerDataRoot: String { "\(root)/docker" }
    /// containerd's `--state`: task bundles under `io.containerd.runtime.v2.task/<namespace>/<id>`.
    var containerdState: String { "\(root)/containerd-state" }
    var containerdTasks: String { "\(containerdState)/io.containerd.runtime.v2.task" }
    /// containerd's `--root`: its metadata (`io.containerd.metadata.v1.bolt/meta.db`) lives here.
    var containerdRoot: String { "\(root)/containerd-root" }
    /// Only these daemons' state (no podman, no host docker).
    var stateRoots: ContainerStateRoots {
        ContainerStateRoots(
            containersStorage: [], containersRun: [], containerdTasks: [containerdTasks], docker: [dockerDataRoot],
            containerd: [containerdRoot])
    }

    private var containerd: RunningChild?
    private var dockerd: RunningChild?

    private init(root: String) { self.root = root }

    /// Starts containerd, then dockerd on it; waits until both answer (up to 30 s each).
    /// `daemonJSON` makes dockerd's `--config-file` from the suite's root (default `{}`).
    static func start(daemonJSON: (String) -> String = { _ in "{}" }) throws -> ContainerDaemons {
        let root = "/tmp/callguard-daemons-\(UUID().uuidString.prefix(8).lowercased())"
        let daemons = ContainerDaemons(root: root)
        do {
            try daemons.startDaemons(daemonJSON: daemonJSON(root))
        } catch {
            daemons.stop()
            throw error
        }
        return daemons
    }

    private func startDaemons(daemonJSON: String) throws {
        let fm = FileManager.default
        for dir in [root, dockerDataRoot, "\(root)/docker-exec", "\(root)/containerd-root", containerdState] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        // The CRI plugin is off: the CRI tests write their bundles with `ctr run --annotation`.
        try """
        version = 2
        root = "\(root)/containerd-root"
        state = "\(containerdState)"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "\(containerdSocket)"
        [ttrpc]
          address = "\(containerdSocket).ttrpc"
        [debug]
          address = ""
        """.write(toFile: "\(root)/containerd.toml", atomically: true, encoding: .utf8)
        try daemonJSON.write(toFile: "\(root)/daemon.json", atomically: true, encoding: .utf8)

        containerd = try Self.spawn(Self.containerd, ["--config", "\(root)/containerd.toml"], log: "\(root)/containerd.log")
        try waitUntil("containerd", log: "\(root)/containerd.log") {
            (try? ChildProcess.run(Self.ctr, ["--address", self.containerdSocket, "version"]))?.status == 0
        }
        dockerd = try Self.spawn(
            Self.dockerd,
            [
                "--containerd=\(containerdSocket)", "--data-root", dockerDataRoot, "--exec-root", "\(root)/docker-exec",
                "--pidfile", "\(root)/dockerd.pid", "-H", "unix://\(dockerSocket)", "--config-file", "\(root)/daemon.json",
                "--iptables=false", "--ip6tables=false", "--bridge=none", "--exec-opt", "native.cgroupdriver=cgroupfs",
            ],
            log: "\(root)/dockerd.log")
        try waitUntil("dockerd", log: "\(root)/dockerd.log") {
            (try? ChildProcess.run(Self.docker, ["-H", "unix://\(self.dockerSocket)", "version"]))?.status == 0
        }
    }

    private func waitUntil(_ what: String, log: String, _ ready: () -> Bool) throws {
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            if ready() { return }
            usleep(100_000)
        }
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(5).joined(separator: "\n")
        throw Failure(description: "\(what) did not answer within 30 s; its log (\(log)) ends:\n\(tail)")
    }

    // MARK: - Commands

    /// `docker -H unix://SOCK ARGS`; its trimmed stdout, or a thrown error with stderr.
    @discardableResult
    func docker(_ args: [String]) throws -> String {
        try Self.check(Self.docker, ["-H", "unix://\(dockerSocket)"] + args)
    }

    /// `ctr --address SOCK ARGS` (namespace `default` unless `-n` is in `args`).
    @discardableResult
    func ctr(_ args: [String]) throws -> String {
        try Self.check(Self.ctr, ["--address", containerdSocket] + args)
    }

    /// Imports a busybox-static rootfs into docker as `name` (e.g. `localhost/x:1`).
    func importBusyboxImage(named name: String, workDir: String) throws {
        try docker(["import", try BusyboxRootfs.tarball(named: name, workDir: workDir), name])
    }

    /// Imports the busybox image `name` into containerd's namespace `namespace`
    /// (through `docker save`, since `ctr images import` takes image archives only).
    func importIntoContainerd(_ name: String, namespace: String, workDir: String) throws {
        let archive = "\(workDir)/ctr-\(UUID().uuidString.prefix(8)).tar"
        defer { unlink(archive) }
        try docker(["save", "-o", archive, name])
        try ctr(["-n", namespace, "images", "import", archive])
    }

    /// A detached container's host pid (from `docker inspect`).
    func pid(ofContainer name: String) throws -> Int32 {
        let text = try docker(["inspect", "-f", "{{.State.Pid}}", name])
        guard let pid = Int32(text), pid > 0 else { throw Failure(description: "no pid for \(name) in `\(text)`") }
        return pid
    }

    // MARK: - Stop

    /// Removes all containers, stops dockerd then containerd by pid (SIGTERM, then
    /// SIGKILL after 15 s), kills leftover shims, unmounts and removes the root.
    func stop() {
        if let dockerd {
            if let ids = try? docker(["ps", "-aq"]), !ids.isEmpty {
                _ = try? docker(["rm", "-f"] + ids.split(separator: "\n").map(String.init))
            }
            dockerd.terminate(grace: 15)
            self.dockerd = nil
        }
        if let containerd {
            for namespace in (try? ctr(["namespaces", "ls", "-q"]))?.split(separator: "\n") ?? [] {
                let ns = String(namespace)
                for id in (try? ctr(["-n", ns, "tasks", "ls", "-q"]))?.split(separator: "\n") ?? [] {
                    _ = try? ctr(["-n", ns, "tasks", "rm", "-f", String(id)])
                }
                for id in (try? ctr(["-n", ns, "containers", "ls", "-q"]))?.split(separator: "\n") ?? [] {
                    _ = try? ctr(["-n", ns, "containers", "rm", String(id)])
                }
            }
            containerd.terminate(grace: 15)
            self.containerd = nil
        }
        // Shims outlive containerd; theirs name our socket on their command line.
        for pid in Self.processes(mentioning: root) where pid != getpid() { Glibc.kill(pid, SIGKILL) }
        for mountPoint in Self.mountPoints(under: root).reversed() { umount2(mountPoint, Int32(MNT_DETACH)) }
        // dockerd's parent cgroup `/docker` in each v1 hierarchy (rmdir only succeeds when empty,
        // so a host dockerd's stays).
        for hierarchy in ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []) + [""] {
            rmdir("/sys/fs/cgroup/\(hierarchy)/docker")
        }
        if Self.mountPoints(under: root).isEmpty {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    // MARK: - Helpers

    private static func check(_ path: String, _ args: [String]) throws -> String {
        let out = try ChildProcess.run(path, args)
        guard out.status == 0 else {
            throw Failure(description: "`\(path) \(args.joined(separator: " "))` exited \(out.status): \(out.stderr)")
        }
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts a daemon in the background, stdout and stderr to `log`.
    private static func spawn(_ path: String, _ args: [String], log: String) throws -> RunningChild {
        try RunningChild(path, args, stdout: .file(log), stderr: .standardOutput)
    }


    private static func processes(mentioning text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            return String(decoding: data, as: UTF8.self).contains(text) ? pid : nil
        }
    }

    private static func mountPoints(under root: String) -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4])
            return point.hasPrefix(root + "/") || point == root ? point : nil
        }
    }
}

/// Starts ``ContainerDaemons`` once around a whole suite and stops them after
/// it, also when a test fails; the suite's tests find them in ``ContainerDaemons/current``.
struct WithContainerDaemons: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }
    /// dockerd's daemon.json, made from the suite's root.
    var daemonJSON: @Sendable (String) -> String = { _ in "{}" }

    @concurrent func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @concurrent @Sendable () async throws -> Void
    ) async throws {
        guard ContainerDaemons.prerequisitesMet else {
            try await function()
            return
        }
        let daemons = try ContainerDaemons.start(daemonJSON: daemonJSON)
        defer { daemons.stop() }
        try await ContainerDaemons.$current.withValue(daemons) { try await function() }
    }
}

extension Trait where Self == WithContainerDaemons {
    /// containerd and dockerd of this suite's own, started before and stopped after it.
    static var containerDaemons: WithContainerDaemons { WithContainerDaemons() }

    /// The same, with dockerd reading the daemon.json `daemonJSON` makes from the suite's root.
    static func containerDaemons(daemonJSON: @escaping @Sendable (String) -> String) -> WithContainerDaemons {
        WithContainerDaemons(daemonJSON: daemonJSON)
    }
}
