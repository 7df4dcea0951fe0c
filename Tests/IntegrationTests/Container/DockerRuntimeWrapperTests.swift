import AuditKit
import CallguardAgent
import ContainerKit
import Foundation
import PolicyKit
import Testing
import TestSupport

/// The files of deploy/docker, as the suite's dockerd and shim use them.
enum ShippedDockerDeploy {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/docker").path

    /// The shipped daemon.json, its runtime path moved to the suite's root.
    @Sendable static func daemonJSON(root: String) -> String {
        let shipped = (try? String(contentsOfFile: directory + "/daemon.json", encoding: .utf8)) ?? "{}"
        return shipped.replacingOccurrences(of: "/usr/local/sbin/callguard-runc", with: wrapperPath(root: root))
    }

    /// Where the suite's daemon.json points the `callguard` runtime.
    static func wrapperPath(root: String) -> String { root + "/callguard-runc" }
}

/// `callguard oci-runtime` on the real thing: dockerd reading the shipped
/// `deploy/docker/daemon.json` (callguard registered and made the default
/// runtime), containerd's runc shim executing the shipped
/// `deploy/docker/callguard-runc` (pointed at this build and the suite's
/// roots), runc, and the kernel's seccomp LOG records read with AuditKit's
/// reader while no audit rule is loaded.
@Suite(.serialized, .containerDaemons(daemonJSON: ShippedDockerDeploy.daemonJSON))
struct DockerRuntimeWrapperTests {
    static var prerequisites: Bool {
        ContainerDaemons.prerequisitesMet && OCIRuntimeWrapperTests.prerequisites && LiveAudit.available
            && FileManager.default.fileExists(atPath: ShippedDockerDeploy.directory + "/daemon.json")
    }

    static func daemons(sourceLocation: SourceLocation = #_sourceLocation) -> ContainerDaemons? {
        guard
            RequireIntegration.check(
                prerequisites, "root, kernel audit, docker.io, containerd, runc, busybox-static, containers seccomp.json, the built callguard",
                sourceLocation: sourceLocation)
        else { return nil }
        let current = ContainerDaemons.current
        #expect(current != nil, "containerd and dockerd did not start", sourceLocation: sourceLocation)
        return current
    }

    /// A temp dir, an image in docker (and containerd's `default` and `k8s.io`
    /// namespaces when `containerd`) whose policy allows the runtime default's
    /// calls but clock_nanosleep and nanosleep, its state published, and the
    /// shipped wrapper script installed where daemon.json points.
    struct Setup {
        var daemons: ContainerDaemons
        var dir: String
        var image: String
        var state: String { dir + "/state" }
        /// The policy's YAML (when published).
        var policies: String { dir + "/policies" }
        var digest: String
    }

    func withSetup(
        publish: Bool = true, hookFailure: HookFailureMode = .open, wrapperOptions: [String] = [], containerd: Bool = false,
        _ body: (Setup) throws -> Void
    ) throws {
        guard let daemons = Self.daemons() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-dockerrt-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = "localhost/callguard-rt-\(UUID().uuidString.prefix(8).lowercased()):1"
        try daemons.importBusyboxImage(named: image, workDir: dir)
        defer { _ = try? daemons.docker(["rmi", "-f", image]) }
        if containerd {
            try daemons.importIntoContainerd(image, namespace: "default", workDir: dir)
            try daemons.importIntoContainerd(image, namespace: "k8s.io", workDir: dir)
        }
        var digest = ""
        if publish {
            let names = try SeccompExportPodmanTests().podmanDefaultNames().filter { !["clock_nanosleep", "nanosleep"].contains($0) }
            let yaml = """
                apiVersion: callguard.dev/v1
                kind: SyscallPolicy
                metadata: {name: wrapped}
                spec:
                  images: ["\(image)"]
                  allow: [\(names.joined(separator: ", "))]
                """
            try FileManager.default.createDirectory(atPath: dir + "/policies", withIntermediateDirectories: true)
            try yaml.write(toFile: dir + "/policies/wrapped.yaml", atomically: true, encoding: .utf8)
            let set = try PolicyLoader().load(sources: [PolicySource(path: "wrapped.yaml", text: yaml)]).get()
            var configuration = ProfileDeliveryConfiguration()
            configuration.stateDirectory = dir + "/state"
            configuration.hookFailure = hookFailure
            configuration.kubeletSeccompRoot = dir + "/no-kubelet"
            let publication = try ProfileDelivery.publish(set, configuration: configuration)
            digest = try #require(publication.index.entry(named: "wrapped")?.digest)
        }
        // The shipped script, pointed at this build, the suite's daemons' roots and this test's state.
        let shipped = try String(contentsOfFile: ShippedDockerDeploy.directory + "/callguard-runc", encoding: .utf8)
        let script = shipped
            .replacingOccurrences(
                of: "/usr/local/bin/callguard oci-runtime",
                with: ([AgentProcess.executable, "oci-runtime", "--docker-root", daemons.dockerDataRoot, "--containerd-root", daemons.containerdRoot]
                    + wrapperOptions).joined(separator: " "))
            .replacingOccurrences(of: "--state-dir /run/callguard", with: "--state-dir \(dir)/state")
        #expect(script != shipped)
        let wrapper = ShippedDockerDeploy.wrapperPath(root: daemons.root)
        try OCIRuntimeWrapperTests.writeExecutable(script, to: wrapper)
        try body(Setup(daemons: daemons, dir: dir, image: image, digest: digest))
    }

    /// The annotations in a task bundle's config.json (namespace `moby` for docker).
    func bundleAnnotations(_ daemons: ContainerDaemons, namespace: String, id: String) throws -> JSONObject {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(daemons.containerdTasks)/\(namespace)/\(id)/config.json"))
        return try JSONParser.parse(Array(data)).objectValue?["annotations"]?.objectValue ?? JSONObject()
    }

    /// Reads audit records (no rule loaded) until a SECCOMP record of `pid` for clock_nanosleep/nanosleep arrives (10 s).
    func seccompRecords(_ session: AuditSession, pid: @escaping () -> Int32?) throws -> [ReceivedRecord] {
        var collector = RecordCollector(waker: session.reader.waker) { records in
            guard let pid = pid() else { return false }
            return records.contains { $0.type == RecordType.seccomp && $0.field("pid") == String(pid) && ["230", "35"].contains($0.field("syscall") ?? "") }
        }
        try session.reader.run(&collector, until: .now + .seconds(10))
        return collector.records.filter { $0.type == RecordType.seccomp }
    }

    func attributor(_ daemons: ContainerDaemons) -> Attributor {
        var configuration = Attributor.Configuration()
        configuration.removalGrace = 0
        return Attributor(resolver: ContainerResolver(roots: daemons.stateRoots, minReloadInterval: 0), configuration: configuration)
    }

    // MARK: - docker

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func dockerRunWithTheCallguardRuntimeLogsOnlyTheForbiddenCallInTheKernelAndNamesItsProfile() async throws {
        try await LiveAudit.withRestoredState {
            try withSetup { setup in
                let d = setup.daemons
                let session = try AuditSession.start(.init(socketMode: .unicast, rules: []))
                defer { session.stop() }
                #expect(try !session.control.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) })
                let id = try d.docker([
                    "run", "-d", "--runtime", "callguard", "--network", "none", "--name", "cg-rt-a", setup.image,
                    "sh", "-c", "echo hi; exec sleep 30",
                ])
                defer { _ = try? d.docker(["rm", "-f", "cg-rt-a"]) }
                let pid = try d.pid(ofContainer: "cg-rt-a")
                let records = try seccompRecords(session) { pid }
                let mine = records.filter { $0.field("pid") == String(pid) }
                #expect(mine.contains { ["230", "35"].contains($0.field("syscall") ?? "") }, "no SECCOMP record for the sleep: \(records.map(\.text))")
                // SCMP_ACT_LOG; the allowed write of `echo` (1, 20) left none.
                #expect(mine.allSatisfy { $0.field("code") == "0x7ffc0000" }, "\(mine.map(\.text))")
                #expect(!records.contains { ["0", "1", "20"].contains($0.field("syscall") ?? "") }, "\(records.map(\.text))")

                // What the agent makes of that record's pid: the docker container, its image and profile.
                let attributed = attributor(d).attribute(pid: pid, ppid: 0)
                #expect(attributed.container?.runtime == .docker)
                #expect(attributed.container?.id == id)
                #expect(attributed.container?.imageName == setup.image)
                #expect(attributed.container?.profile?.policy == "wrapped" && attributed.container?.profile?.digest == setup.digest && attributed.container?.profile?.token != nil)
                let annotations = try bundleAnnotations(d, namespace: "moby", id: id)
                #expect(annotations[ProfileStamp.policyAnnotation]?.stringValue == "wrapped")
                #expect(annotations[ProfileStamp.digestAnnotation]?.stringValue == setup.digest)
                #expect(HookFailureLog.read(stateDirectory: setup.state).isEmpty)
            }
        }
    }

    /// `callguard run` (today's default, audit rules) beside a container the
    /// wrapper guarded: its violation names the docker container, the image and
    /// the profile it runs with.
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func theAgentsViolationOfAGuardedDockerContainerNamesItsProfile() async throws {
        try await LiveAudit.withRestoredState {
            try withSetup { setup in
                let d = setup.daemons
                let config = setup.dir + "/config.yaml"
                try "throttle: {windowMilliseconds: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)
                let agent = try AgentProcess(
                    [
                        "--policies", setup.policies, "--config", config, "--sink", "stdout", "--state-dir", setup.state,
                        "--kubelet-seccomp-root", setup.dir + "/no-kubelet", "--docker-root", d.dockerDataRoot,
                        "--containerd-state", d.containerdState,
                    ],
                    directory: setup.dir)
                defer { agent.kill() }
                let id = try d.docker(["run", "-d", "--network", "none", "--name", "cg-rt-agent", setup.image, "sleep", "30"])
                defer { _ = try? d.docker(["rm", "-f", "cg-rt-agent"]) }
                let deadline = Date(timeIntervalSinceNow: 15)
                while !agent.stdout.contains("\"profile\""), Date() < deadline { usleep(100_000) }
                let line = agent.stdout.split(separator: "\n").first { $0.contains(id) && $0.contains("nanosleep") }
                let violation = try #require(line, "no violation of \(id.prefix(12)): \(agent.stdout.suffix(2000))")
                #expect(violation.contains("\"name\":\"\(setup.image)\""), "\(violation)")
                #expect(violation.contains("\"profile\":{\"policy\":\"wrapped\",\"digest\":\"\(setup.digest)\",\"stale\":false}"), "\(violation)")
                #expect(agent.terminate() != nil)
            }
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func theShippedDaemonJSONMakesCallguardTheDefaultAndRuncStaysUntouched() throws {
        try withSetup { setup in
            let d = setup.daemons
            let guarded = try d.docker(["run", "-d", "--network", "none", "--name", "cg-rt-default", setup.image, "sleep", "30"])
            let plain = try d.docker(["run", "-d", "--runtime", "runc", "--network", "none", "--name", "cg-rt-runc", setup.image, "sleep", "30"])
            defer { _ = try? d.docker(["rm", "-f", "cg-rt-default", "cg-rt-runc"]) }
            #expect(try d.docker(["inspect", "-f", "{{.HostConfig.Runtime}}", "cg-rt-default"]) == "callguard")
            #expect(try bundleAnnotations(d, namespace: "moby", id: guarded)[ProfileStamp.digestAnnotation]?.stringValue == setup.digest)
            let plainAnnotations = try bundleAnnotations(d, namespace: "moby", id: plain)
            #expect(plainAnnotations[ProfileStamp.policyAnnotation] == nil, "\(plainAnnotations)")
            #expect(attributor(d).attribute(pid: try d.pid(ofContainer: "cg-rt-runc"), ppid: 0).container?.profile == nil)
            // Every runc command the shim gave for the running containers went through: they answer.
            #expect(try d.docker(["exec", "cg-rt-default", "true"]).isEmpty)
            try d.docker(["stop", "-t", "1", "cg-rt-default"])
            #expect(try d.docker(["inspect", "-f", "{{.State.Status}}", "cg-rt-default"]) == "exited")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func withoutTheAgentsStateTheContainerStartsAndTheFailureIsRecorded() throws {
        try withSetup(publish: false) { setup in
            let d = setup.daemons
            let id = try d.docker(["run", "-d", "--network", "none", "--name", "cg-rt-open", setup.image, "sleep", "30"])
            defer { _ = try? d.docker(["rm", "-f", "cg-rt-open"]) }
            #expect(try d.docker(["inspect", "-f", "{{.State.Running}}", "cg-rt-open"]) == "true")
            #expect(try bundleAnnotations(d, namespace: "moby", id: id)[ProfileStamp.policyAnnotation] == nil)
            let failure = try #require(HookFailureLog.read(stateDirectory: setup.state).first)
            #expect(failure.outcome == "open")
            #expect(failure.container == id)
            // Nothing of the wrapper in the container's own output.
            #expect(try d.docker(["logs", "cg-rt-open"]).isEmpty)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func denyRefusesTheContainerAndDockerSaysWhy() throws {
        try withSetup(publish: false, wrapperOptions: ["--hook-failure", "deny"]) { setup in
            let d = setup.daemons
            let out = try ChildProcess.run(
                ContainerDaemons.docker,
                ["-H", "unix://\(d.dockerSocket)", "run", "--rm", "--network", "none", "--name", "cg-rt-deny", setup.image, "true"])
            defer { _ = try? d.docker(["rm", "-f", "cg-rt-deny"]) }
            #expect(out.status != 0)
            // The shim's error carries the reason the wrapper wrote to runc's log.
            #expect(out.stderr.contains("OCI runtime create failed: callguard oci-runtime: cannot read the profile index"), "\(out.stderr)")
            print("docker run refused: \(out.stderr)")
            #expect(out.stderr.contains("hookFailure: deny"), "\(out.stderr)")
            #expect(HookFailureLog.read(stateDirectory: setup.state).first?.outcome == "deny")
        }
    }

    /// `docker run --rm IMAGE true` through the wrapper beside plain runc,
    /// interleaved, medians of 7 each: the wrapper's cost is its process start
    /// on each runc command the shim gives (create, start, delete, …) and the
    /// filtering on create. Printed as a ratio; bounded loosely, since the
    /// machine is shared.
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func dockerRunThroughTheWrapperCostsLittleMoreThanRunc() throws {
        try withSetup { setup in
            let d = setup.daemons
            func seconds(_ runtime: String) throws -> Double {
                let start = Date()
                try d.docker(["run", "--rm", "--runtime", runtime, "--network", "none", setup.image, "true"])
                return Date().timeIntervalSince(start)
            }
            _ = try seconds("runc")
            _ = try seconds("callguard")
            var runc: [Double] = []
            var wrapped: [Double] = []
            for _ in 0..<7 {
                runc.append(try seconds("runc"))
                wrapped.append(try seconds("callguard"))
            }
            let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
            let ratio = median(wrapped) / median(runc)
            print("docker run --rm true: callguard runtime \(Int(median(wrapped) * 1000)) ms, runc \(Int(median(runc) * 1000)) ms, ratio \(String(format: "%.2f", ratio))")
            #expect(ratio < 2.0, "callguard \(wrapped), runc \(runc)")
            #expect(HookFailureLog.read(stateDirectory: setup.state).isEmpty)
        }
    }

    // MARK: - containerd

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func ctrRunWithTheWrapperAsRuncBinaryGetsTheProfileOfTheImageInContainerdsMetadata() async throws {
        try await LiveAudit.withRestoredState {
            try withSetup(containerd: true) { setup in
                let d = setup.daemons
                let session = try AuditSession.start(.init(socketMode: .unicast, rules: []))
                defer { session.stop() }
                let name = "callguard-rt-\(UUID().uuidString.prefix(8).lowercased())"
                // ctr applies no seccomp filter unless asked (--seccomp): only a filter can be narrowed.
                try d.ctr(["run", "-d", "--seccomp", "--runc-binary", ShippedDockerDeploy.wrapperPath(root: d.root), setup.image, name, "sleep", "30"])
                defer {
                    _ = try? d.ctr(["tasks", "rm", "-f", name])
                    _ = try? d.ctr(["containers", "rm", name])
                    ContainerdAttributionTests.removeCgroups(["default/\(name)", "default"])
                }
                let tasks = try d.ctr(["tasks", "ls"])
                let line = try #require(tasks.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(tasks)")
                let pid = try #require(Int32(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
                let annotations = try bundleAnnotations(d, namespace: "default", id: name)
                #expect(annotations[ProfileStamp.digestAnnotation]?.stringValue == setup.digest, "\(annotations)")
                let records = try seccompRecords(session) { pid }
                #expect(
                    records.contains { $0.field("pid") == String(pid) && ["230", "35"].contains($0.field("syscall") ?? "") },
                    "\(records.map(\.text))")
                let attributed = attributor(d).attribute(pid: pid, ppid: 0)
                #expect(attributed.container?.id == name)
                #expect(attributed.container?.imageName == setup.image)
                #expect(attributed.container?.profile?.policy == "wrapped" && attributed.container?.profile?.digest == setup.digest && attributed.container?.profile?.token != nil)
            }
        }
    }

    /// The image of a ctr container is read from meta.db in the namespace its
    /// bundle names; while a task of the same id runs in another namespace that
    /// is not trusted, and the failure rule applies (open: starts unguarded, recorded).
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aCtrIdRunningInTwoNamespacesIsNotGuessed() throws {
        try withSetup(containerd: true) { setup in
            let d = setup.daemons
            let name = "callguard-rt-\(UUID().uuidString.prefix(8).lowercased())"
            try d.ctr(["-n", "k8s.io", "run", "-d", setup.image, name, "sleep", "30"])
            try d.ctr(["run", "-d", "--seccomp", "--runc-binary", ShippedDockerDeploy.wrapperPath(root: d.root), setup.image, name, "sleep", "30"])
            defer {
                for ns in ["default", "k8s.io"] {
                    _ = try? d.ctr(["-n", ns, "tasks", "rm", "-f", name])
                    _ = try? d.ctr(["-n", ns, "containers", "rm", name])
                    ContainerdAttributionTests.removeCgroups(["\(ns)/\(name)", ns])
                }
            }
            #expect(try bundleAnnotations(d, namespace: "default", id: name)[ProfileStamp.policyAnnotation] == nil)
            let failure = try #require(HookFailureLog.read(stateDirectory: setup.state).first)
            #expect(failure.outcome == "open")
            #expect(failure.container == name)
            #expect(failure.reason.contains("cannot tell the image"), "\(failure.reason)")
        }
    }

    /// The CRI plugin runs the same shim with the wrapper as `BinaryName`; its
    /// bundles name the image in `io.kubernetes.cri.image-name` (written here
    /// with `ctr run --annotation`, as ContainerdAttributionTests does).
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aCRIBundleIsNarrowedToThePolicyOfItsAnnotatedImage() throws {
        try withSetup(containerd: true) { setup in
            let d = setup.daemons
            let id = String((0..<2).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined())
            try d.ctr([
                "-n", "k8s.io", "run", "-d", "--seccomp", "--runc-binary", ShippedDockerDeploy.wrapperPath(root: d.root),
                "--annotation", "io.kubernetes.cri.container-type=container",
                "--annotation", "io.kubernetes.cri.image-name=\(setup.image)", setup.image, id, "sleep", "30",
            ])
            defer {
                _ = try? d.ctr(["-n", "k8s.io", "tasks", "rm", "-f", id])
                _ = try? d.ctr(["-n", "k8s.io", "containers", "rm", id])
                ContainerdAttributionTests.removeCgroups(["k8s.io/\(id)", "k8s.io"])
            }
            let annotations = try bundleAnnotations(d, namespace: "k8s.io", id: id)
            #expect(annotations[ProfileStamp.policyAnnotation]?.stringValue == "wrapped", "\(annotations)")
            #expect(annotations[ProfileStamp.digestAnnotation]?.stringValue == setup.digest)
        }
    }
}
