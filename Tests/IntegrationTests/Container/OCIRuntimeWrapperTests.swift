import CallguardAgent
import ContainerKit
import Foundation
import PolicyKit
import Testing
import TestSupport

/// `callguard oci-runtime` in front of a stand-in runtime (a shell script that
/// records what it was given): the built binary, a real bundle directory and
/// the state ProfileDelivery publishes. The daemons' side is in
/// DockerRuntimeWrapperTests.
@Suite(.serialized)
struct OCIRuntimeWrapperTests {
    static var prerequisites: Bool {
        FileManager.default.isExecutableFile(atPath: AgentProcess.executable)
            && FileManager.default.fileExists(atPath: "/usr/share/containers/seccomp.json")
    }

    func check() -> Bool {
        RequireIntegration.check(Self.prerequisites, "the built callguard, containers seccomp.json (apt-get install golang-github-containers-common)")
    }

    static let image = "localhost/callguard-wrapped:1"

    /// A temp dir with: `state` (a policy for ``image`` allowing read and write,
    /// when `publish`), `bundle/config.json` (the image in the CRI annotation,
    /// a seccomp filter allowing read, write, mkdir and uname; mode 0600), and
    /// `runtime`, a script that copies the config it finds to `seen.json`,
    /// writes its pid, parent, descriptors, signal state and arguments to `ran`, and exits 7.
    struct Setup {
        var dir: String
        var state: String { dir + "/state" }
        var bundle: String { dir + "/bundle" }
        var config: String { bundle + "/config.json" }
        var runtime: String { dir + "/runtime" }
        var ran: String { dir + "/ran" }
        var seen: String { dir + "/seen.json" }
        var configText: String

        func wrapper(_ options: [String], _ runtimeArguments: [String]) throws -> ChildProcess.Output {
            try ChildProcess.run(
                AgentProcess.executable, ["oci-runtime", "--runtime", runtime, "--state-dir", state] + options + ["--"] + runtimeArguments)
        }

        var ranLines: [String] { ((try? String(contentsOfFile: ran, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
    }

    func withSetup(publish: Bool = true, hookFailure: HookFailureMode = .open, _ body: (Setup) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-wrapper-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/bundle", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = """
            {"ociVersion":"1.0.2","process":{"args":["sh"]},"annotations":{"io.kubernetes.cri.image-name":"\(Self.image)"},\
            "linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],\
            "syscalls":[{"names":["read","write","mkdir","uname"],"action":"SCMP_ACT_ALLOW"}]}}}
            """
        let setup = Setup(dir: dir, configText: config)
        try config.write(toFile: setup.config, atomically: true, encoding: .utf8)
        chmod(setup.config, 0o600)
        // The signal state is read first and by the shell itself (no child: a
        // shell sampled while it forks shows the fork's temporary mask).
        try Self.writeExecutable(
            """
            #!/bin/sh
            while IFS= read -r line; do
              case "$line" in SigBlk:*) blk="$line";; SigIgn:*) ign="$line";; esac
            done < /proc/$$/status
            cp "\(setup.config)" "\(setup.seen)" 2>/dev/null
            {
              echo "pid=$$ ppid=$PPID"
              echo "fds=$(ls /proc/$$/fd | sort -n | tr '\\n' ' ')"
              echo "$blk"
              echo "$ign"
              for a in "$@"; do echo "arg=$a"; done
            } > "\(setup.ran)"
            exit 7
            """, to: setup.runtime)
        if publish {
            let yaml = """
                apiVersion: callguard.dev/v1
                kind: SyscallPolicy
                metadata: {name: wrapped}
                spec:
                  images: ["\(Self.image)"]
                  allow: [read, write]
                """
            let set = try PolicyLoader().load(sources: [PolicySource(path: "wrapped.yaml", text: yaml)]).get()
            var configuration = ProfileDeliveryConfiguration()
            configuration.stateDirectory = setup.state
            configuration.hookFailure = hookFailure
            configuration.kubeletSeccompRoot = dir + "/no-kubelet"
            _ = try ProfileDelivery.publish(set, configuration: configuration)
        }
        try body(setup)
    }

    /// Writes an executable file through a close-on-exec descriptor: a child
    /// another test spawns meanwhile must not inherit it open for writing
    /// (executing the file would then fail with ETXTBSY).
    static func writeExecutable(_ text: String, to path: String) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        fchmod(fd, 0o755)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func commandsOtherThanCreateBecomeTheRuntimeWithTheirArgumentsAndExitStatus() throws {
        guard check() else { return }
        try withSetup { setup in
            let args = ["--root", "/run/x", "kill", "an id", "KILL"]
            let run = try setup.wrapper([], args)
            #expect(run.status == 7, "\(run.stderr)")
            let lines = setup.ranLines
            // execv, no child: the runtime's parent is this test process.
            #expect(lines.first?.hasSuffix("ppid=\(getpid())") == true, "\(lines)")
            #expect(lines.filter { $0.hasPrefix("arg=") } == args.map { "arg=\($0)" })
            #expect(try String(contentsOfFile: setup.config, encoding: .utf8) == setup.configText)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func createNarrowsTheBundleConfigBeforeTheRuntimeReadsIt() throws {
        guard check() else { return }
        try withSetup { setup in
            let args = ["--log", setup.dir + "/log.json", "--log-format", "json", "create", "--bundle", setup.bundle, "--pid-file", setup.dir + "/pid", "c1"]
            let run = try setup.wrapper([], args)
            #expect(run.status == 7, "\(run.stderr)")
            #expect(setup.ranLines.filter { $0.hasPrefix("arg=") } == args.map { "arg=\($0)" })
            let seen = try String(contentsOfFile: setup.seen, encoding: .utf8)
            let index = try ProfileIndex.read(stateDirectory: setup.state)
            let digest = try #require(index.entry(named: "wrapped")?.digest)
            #expect(seen.contains("\"\(ProfileStamp.policyAnnotation)\":\"wrapped\""), "\(seen)")
            #expect(seen.contains("\"\(ProfileStamp.digestAnnotation)\":\"\(digest)\""), "\(seen)")
            // mkdir and uname are no longer allowed but logged; read and write stay allowed.
            let config = try #require(try JSONParser.parse(Array(seen.utf8)).objectValue)
            let rules = config["linux"]?["seccomp"]?["syscalls"]?.arrayValue ?? []
            func action(_ name: String) -> String? {
                rules.last { ($0["names"]?.arrayValue ?? []).contains { $0.stringValue == name } }?["action"]?.stringValue
            }
            #expect(action("read") == "SCMP_ACT_ALLOW")
            #expect(action("mkdir") == "SCMP_ACT_LOG", "\(rules)")
            #expect(action("uname") == "SCMP_ACT_LOG")
            var st = stat()
            stat(setup.config, &st)
            #expect(st.st_mode & 0o777 == 0o600)
            #expect(HookFailureLog.read(stateDirectory: setup.state).isEmpty)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func createHandsTheRuntimeTheCallersDescriptorsAndSignalStateUnchanged() throws {
        guard check() else { return }
        try withSetup { setup in
            // Descriptor 5 open, SIGPIPE ignored and SIGUSR1 blocked would reach runc from the shim; so must they through callguard.
            func shell(_ command: String) throws -> [String] {
                unlink(setup.ran)
                // Only 0-2 and 5 from here on, whatever this test process left open.
                let closeOthers = #"for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ] && [ "$n" != 5 ]; then eval "exec $n>&-"; fi; done 2>/dev/null"#
                let out = try ChildProcess.run("/bin/bash", ["-c", "exec 5</dev/null; \(closeOthers); trap '' PIPE; \(command)"])
                #expect(out.status == 7, "\(out.stderr)")
                return setup.ranLines.filter { !$0.hasPrefix("pid=") }
            }
            let create = "create --bundle \(setup.bundle) c2"
            let direct = try shell("exec \(setup.runtime) \(create)")
            let wrapped = try shell(
                "exec \(AgentProcess.executable) oci-runtime --runtime \(setup.runtime) --state-dir \(setup.state) -- \(create)")
            #expect(direct.contains { $0.hasPrefix("fds=") && $0.contains(" 5 ") }, "\(direct)")
            #expect(wrapped == direct)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func withoutStateCreateGoesOnUnchangedAndTheFailureIsRecorded() throws {
        guard check() else { return }
        try withSetup(publish: false) { setup in
            let run = try setup.wrapper([], ["--log", setup.dir + "/log.json", "--log-format", "json", "create", "--bundle", setup.bundle, "c3"])
            #expect(run.status == 7, "\(run.stderr)")
            #expect(try String(contentsOfFile: setup.config, encoding: .utf8) == setup.configText)
            let failure = try #require(HookFailureLog.read(stateDirectory: setup.state).first)
            #expect(failure.outcome == "open")
            #expect(failure.container == "c3")
            // Said in runc's log, not on stderr (the container's own during create).
            #expect(run.stderr.isEmpty, "\(run.stderr)")
            let log = try String(contentsOfFile: setup.dir + "/log.json", encoding: .utf8)
            #expect(log.contains("\"level\":\"warning\""), "\(log)")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func denyRefusesWithoutRunningTheRuntimeAndTellsTheShimThroughRuncsLog() throws {
        guard check() else { return }
        try withSetup(publish: false) { setup in
            let log = setup.dir + "/log.json"
            let run = try setup.wrapper(["--hook-failure", "deny"], ["--log", log, "--log-format", "json", "create", "--bundle", setup.bundle, "c4"])
            #expect(run.status == 1)
            #expect(!FileManager.default.fileExists(atPath: setup.ran), "the runtime ran")
            // containerd's shim reports the last `error` entry: "OCI runtime create failed: <msg>".
            let last = try #require(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last)
            let entry = try #require(try JSONParser.parse(Array(last.utf8)).objectValue)
            #expect(entry["level"]?.stringValue == "error")
            let message = try #require(entry["msg"]?.stringValue)
            #expect(message.hasPrefix("callguard oci-runtime: cannot read the profile index"), "\(message)")
            #expect(message.hasSuffix("refusing to create the container (hookFailure: deny)"), "\(message)")
            #expect(entry["time"]?.stringValue?.isEmpty == false)
            #expect(HookFailureLog.read(stateDirectory: setup.state).first?.outcome == "deny")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aRuntimeNamedLikeTheWrapperOnPathIsPassedOver() throws {
        guard check() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-runc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/first", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/second", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The wrapper itself installed as `runc` first on PATH, the real one after it.
        try FileManager.default.createSymbolicLink(atPath: dir + "/first/runc", withDestinationPath: AgentProcess.executable)
        try Self.writeExecutable("#!/bin/sh\necho real\n", to: dir + "/second/runc")
        let out = try ChildProcess.run(
            "/usr/bin/env", ["PATH=\(dir)/first:\(dir)/second", AgentProcess.executable, "oci-runtime", "--", "state", "x"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == "real\n")
    }
}
