import ArgumentParser
import CallguardAgent
import Foundation
import Glibc

/// `callguard oci-runtime`: the OCI runtime wrapper for docker and containerd
/// (see ``OCIRuntimeWrapper``). Filters the bundle's config on `create`, then
/// replaces itself with runc (execv: same pid, fds, signals and exit status).
struct OciRuntime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci-runtime",
        abstract: "An OCI runtime in front of runc that gives docker and containerd containers their callguard profiles.",
        discussion: """
            Usage: callguard oci-runtime [options] -- RUNC-ARGUMENTS. On `create` (and `run`) the \
            bundle's config.json is narrowed to the image's policy, as the podman hook does; then, \
            for every command, runc is executed with the arguments unchanged. Register a script \
            that executes this (deploy/docker/callguard-runc) as a docker runtime in daemon.json, \
            as BinaryName of containerd's runc runtime, or with `ctr run --runc-binary`. Needs no \
            running agent. On failure the container starts unchanged (hookFailure: open) or is \
            refused (deny); the failure is recorded under STATE-DIR/hook-failures/.
            """)

    @Option(name: .customLong("runtime"), help: "The runc to execute (default: the first runc on PATH that is not this program).")
    var runtime: String?

    @Option(name: .customLong("state-dir"), help: "The agent's profile state directory.")
    var stateDirectory = ProfileDeliveryConfiguration.defaultStateDirectory

    @Option(name: .customLong("hook-failure"), help: "open or deny, when the index itself cannot be read (otherwise the index decides).")
    var hookFailure: HookFailureMode = .open

    @Option(name: .customLong("docker-root"), help: "A docker data root (dockerd --data-root) whose containers/<id>/config.v2.json names images. Repeatable; default /var/lib/docker.")
    var dockerRoots: [String] = []

    @Option(name: .customLong("containerd-root"), help: "A containerd root (containerd --root) whose metadata names the images of ctr containers. Repeatable; default /var/lib/containerd.")
    var containerdRoots: [String] = []

    @Option(name: .customLong("storage-root"), help: "A containers/storage graph root whose containers.json names images. Repeatable.")
    var storageRoots: [String] = []

    @Argument(parsing: .postTerminator, help: "The runtime's arguments, after --.")
    var runtimeArguments: [String] = []

    func run() throws {
        let invocation = RuntimeInvocation(runtimeArguments)
        let inherited = invocation.createsContainer ? Self.openDescriptors() : []
        guard let runtime = OCIRuntimeWrapper.runtimePath(explicit: runtime) else {
            Self.say("\(OCIRuntimeWrapper.caller): no runc on PATH; give its path with --runtime", invocation, level: "error")
            throw ExitCode(127)
        }
        if invocation.createsContainer {
            var options = OCIHookFilter.Options()
            options.stateDirectory = stateDirectory
            options.failureModeWithoutIndex = hookFailure
            if !storageRoots.isEmpty { options.storageRoots = storageRoots }
            var lookup = RuntimeImageLookup()
            if !dockerRoots.isEmpty { lookup.dockerRoots = dockerRoots }
            if !containerdRoots.isEmpty { lookup.containerdRoots = containerdRoots }
            options.runtimeLookup = lookup
            let outcome = OCIRuntimeWrapper(options: options)
                .prepare(invocation, workingDirectory: FileManager.default.currentDirectoryPath)
            if let message = outcome.message {
                Self.say(message, invocation, level: outcome.proceed ? "warning" : "error")
            }
            if !outcome.proceed { throw ExitCode(1) }
            Self.closeDescriptors(except: inherited)
        }
        closelog()
        let argv = [runtime] + runtimeArguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        execv(runtime, &cArgs)
        let err = errno
        for arg in cArgs { free(arg) }
        Self.say("\(OCIRuntimeWrapper.caller): cannot execute \(runtime): \(String(cString: strerror(err)))", invocation, level: "error")
        throw ExitCode(127)
    }

    /// To syslog (the journal), and to the runtime's log where the shim reads
    /// errors; to stderr only without a log: during `create` the shim makes
    /// runc's stderr the container's, and a message there would be the container's output.
    static func say(_ message: String, _ invocation: RuntimeInvocation, level: String) {
        withVaList([message]) { vsyslog((level == "error" ? LOG_ERR : LOG_WARNING) | LOG_DAEMON, "%s", $0) }
        if !OCIRuntimeWrapper.appendToRuntimeLog(invocation, level: level, message: message) {
            printError(message)
        }
    }

    /// The descriptors open now (those the caller handed over).
    static func openDescriptors() -> Set<Int32> {
        // The listing's own descriptor is closed by now: fcntl leaves it out.
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
            .filter { fcntl($0, F_GETFD) != -1 })
    }

    /// Closes what this process opened itself, so runc gets exactly the caller's descriptors.
    static func closeDescriptors(except inherited: Set<Int32>) {
        guard !inherited.isEmpty else { return }
        for fd in openDescriptors() where fd > 2 && !inherited.contains(fd) { close(fd) }
    }
}
