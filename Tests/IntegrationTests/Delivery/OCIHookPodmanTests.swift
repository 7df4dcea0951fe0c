import AuditKit
import CallguardAgent
import ContainerKit
import Foundation
import PolicyKit
import Testing
import TestSupport

/// The podman precreate hook on the real thing: podman + runc with the hook in
/// a temporary hooks dir, the agent's state written by ProfileDelivery, the
/// kernel's seccomp LOG records read with AuditKit's reader and no audit rule.
@Suite(.serialized)
struct OCIHookPodmanTests {
    static var prerequisites: Bool {
        PodmanHarness.prerequisitesMet && FileManager.default.fileExists(atPath: "/usr/share/containers/seccomp.json")
            && FileManager.default.isExecutableFile(atPath: AgentProcess.executable)
    }

    func check() -> Bool {
        RequireIntegration.check(Self.prerequisites, "root, podman, runc, busybox-static, containers seccomp.json, the built callguard")
    }

    /// A temp dir with a policy for `image`, its published state and the hook installed.
    struct Setup {
        var dir: String
        var state: String { dir + "/state" }
        var hooks: String { dir + "/hooks" }
        var image: String
        var publication: ProfileDelivery.Publication?
    }

    func withSetup(
        allow: [String]? = nil, action: String = "log", hookFailure: HookFailureMode = .open, publish: Bool = true,
        kubelet: Bool = false, _ body: (Setup) throws -> Void
    ) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-hook-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = "localhost/callguard-hook-\(UUID().uuidString.prefix(8).lowercased()):1"
        try PodmanHarness.importBusyboxImage(named: image, workDir: dir)
        defer { PodmanHarness.cleanUp(containers: [], images: [image]) }
        var setup = Setup(dir: dir, image: image)
        let names = try allow ?? podmanDefaultNames().filter { !["uname", "mkdir", "mkdirat"].contains($0) }
        let yaml = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: hooked}
            spec:
              images: ["\(image)"]
              action: \(action)
              allow: [\(names.joined(separator: ", "))]
            """
        let set = try PolicyLoader().load(sources: [PolicySource(path: "hooked.yaml", text: yaml)]).get()
        if publish {
            var configuration = ProfileDeliveryConfiguration()
            configuration.stateDirectory = setup.state
            configuration.hookFailure = hookFailure
            if kubelet { configuration.kubeletSeccompRoot = dir + "/kubelet-seccomp" }
            setup.publication = try ProfileDelivery.publish(set, configuration: configuration)
        }
        _ = try HookInstaller.install(
            directory: setup.hooks, binary: AgentProcess.executable, stateDirectory: setup.state, failureMode: .open)
        try body(setup)
    }

    func podmanRun(_ setup: Setup, _ extra: [String] = [], script: String) throws -> ChildProcess.Output {
        try PolicyTestPodman.exec(
            [
                "podman", "--hooks-dir", setup.hooks, "--runtime", "runc", "run", "--rm", "--cgroup-manager=cgroupfs",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            ] + extra + [setup.image, "/bin/busybox", "sh", "-c", script])
    }

    /// The names podman's default profile allows (as the export tests take them).
    func podmanDefaultNames() throws -> [String] {
        try SeccompExportPodmanTests().podmanDefaultNames()
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func hookedContainerCallingUnameMakesTheKernelLogItWithoutAnAuditRule() async throws {
        guard check() else { return }
        try await LiveAudit.withRestoredState {
            try withSetup(allow: ["read", "write", "writev"]) { setup in
                let session = try AuditSession.start(.init(socketMode: .unicast, rules: []))
                defer { session.stop() }
                #expect(try !session.control.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) })
                let run = try podmanRun(setup, script: "/bin/busybox uname; echo done")
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stdout.contains("Linux"))
                var collector = RecordCollector(waker: session.reader.waker) { records in
                    records.contains { $0.type == RecordType.seccomp && $0.field("syscall") == "63" && $0.text.contains("busybox") }
                }
                try session.reader.run(&collector, until: .now + .seconds(10))
                let seccomp = collector.records.filter { $0.type == RecordType.seccomp && $0.text.contains("\"/bin/busybox\"") }
                #expect(seccomp.contains { $0.field("syscall") == "63" }, "no SECCOMP record for uname: \(seccomp.map(\.text))")
                // SCMP_ACT_LOG is 0x7ffc0000; allowed calls (read 0, write 1, writev 20) leave no record.
                #expect(seccomp.allSatisfy { $0.field("code") == "0x7ffc0000" }, "\(seccomp.first?.text ?? "")")
                #expect(!seccomp.contains { ["0", "1", "20"].contains($0.field("syscall") ?? "") })
            }
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func hookedContainerCarriesTheAnnotationsAndContainerKitReadsThem() throws {
        guard check() else { return }
        try withSetup { setup in
            let name = "callguard-hook-ann-\(UUID().uuidString.prefix(8).lowercased())"
            let id = try PodmanHarness.podman(
                [
                    "--hooks-dir", setup.hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                    "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", name, setup.image,
                    "/bin/busybox", "sleep", "30",
                ])
            defer { PodmanHarness.cleanUp(containers: [name], images: []) }
            let entry = try #require(setup.publication?.index.entry(named: "hooked"))
            let info = try #require(ContainerResolver(minReloadInterval: 0).resolve(ContainerRef(runtime: .podman, id: id)))
            #expect(info.imageName == setup.image)
            #expect(info.profile?.policy == "hooked" && info.profile?.digest == entry.digest && info.profile?.token != nil, "\(String(describing: info.profile))")
            let annotations = try PodmanHarness.podman(["inspect", "-f", "{{json .Config.Annotations}}", name])
            #expect(annotations.contains(entry.digest))
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func errnoPolicyMakesForbiddenCallsFailWithEPERMInsideTheContainer() throws {
        guard check() else { return }
        try withSetup(action: "errno") { setup in
            // busybox uname ignores uname(2)'s error (prints no system name); mkdir reports its errno.
            let run = try podmanRun(setup, script: "/bin/busybox uname; /bin/busybox mkdir /tmp/d; echo status=$?")
            #expect(!run.stdout.contains("Linux"), "\(run.stdout)")
            #expect(run.stdout.contains("status=1"), "\(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("Operation not permitted"), "\(run.stderr)")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func hookWithoutStateStartsTheContainerAndRecordsTheFailure() throws {
        guard check() else { return }
        try withSetup(publish: false) { setup in
            let run = try podmanRun(setup, script: "echo started")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("started"))
            let failures = HookFailureLog.read(stateDirectory: setup.state)
            #expect(failures.count == 1)
            #expect(failures.first?.outcome == "open")
            #expect(failures.first?.reason.contains("cannot read the profile index") == true)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func denyModeRefusesAContainerTheHookCannotGuard() throws {
        guard check() else { return }
        try withSetup(hookFailure: .deny) { setup in
            // The hook cannot tell the image: containers.json is looked for under a root that has none.
            let hook = """
                {"version":"1.0.0","hook":{"path":"\(AgentProcess.executable)","args":["callguard","oci-hook","--state-dir","\(setup.state)","--storage-root","\(setup.dir)/no-storage"]},"when":{"always":true},"stages":["precreate"]}
                """
            try Data(hook.utf8).write(to: URL(fileURLWithPath: setup.hooks + "/" + HookInstaller.fileName))
            let run = try podmanRun(setup, script: "echo started")
            #expect(run.status != 0)
            #expect(!run.stdout.contains("started"))
            // podman 4.3.1 drops a hook's stderr and says only that it exited 1; the reason is recorded.
            #expect(run.stderr.contains("callguard oci-hook"), "\(run.stderr)")
            let failure = try #require(HookFailureLog.read(stateDirectory: setup.state).first)
            #expect(failure.outcome == "deny")
            #expect(failure.reason.contains("cannot tell the image"), "\(failure.reason)")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func kubeletProfileLoadsInPodmanSecurityOpt() throws {
        guard check() else { return }
        try withSetup(action: "errno", kubelet: true) { setup in
            let dir = try #require(setup.publication?.kubeletDirectory)
            let file = dir + "/hooked.json"
            #expect(FileManager.default.fileExists(atPath: file))
            // Without the hook: the profile file alone, as the kubelet hands it to the runtime.
            try HookInstaller.uninstall(directory: setup.hooks)
            let run = try podmanRun(setup, ["--security-opt", "seccomp=\(file)"], script: "echo loaded; /bin/busybox mkdir /tmp/d")
            #expect(run.stdout.contains("loaded"), "\(run.stderr)")
            #expect(run.stderr.contains("Operation not permitted"), "\(run.stderr)")
        }
    }
}
