import ContainerKit
import Foundation
import Glibc
import PolicyKit

/// `callguard oci-runtime`: an OCI runtime in front of runc, for docker
/// (daemon.json `runtimes`) and containerd (`BinaryName` of the runc shim,
/// `ctr run --runc-binary`).
///
/// On `create` (and `run`) it filters the bundle's `config.json` through
/// ``OCIHookFilter``, exactly as the podman hook does, and writes it back in
/// place (atomically, mode and owner kept); then, for every command, the
/// caller executes the real runtime with the arguments unchanged
/// (``OCIRuntimeWrapper/runtimePath(explicit:)``). Failures follow the
/// index's `hookFailure`: `open` goes on with the config as it was, `deny`
/// refuses the creation; both are recorded in `<state>/hook-failures/`.
public struct OCIRuntimeWrapper {
    /// What to do before executing the runtime.
    public struct Outcome: Sendable {
        /// False: do not execute the runtime; exit 1 (the container is refused).
        public var proceed: Bool
        /// Something to tell the operator.
        public var message: String?
        /// The policy applied, when one was.
        public var applied: ProfileStamp?
    }

    public static let caller = "callguard oci-runtime"
    /// The largest `config.json` read (a real one is a few tens of KB).
    static let maximumConfigBytes = 16 << 20

    public var options: OCIHookFilter.Options

    /// `options.caller` is set to ``caller``.
    public init(options: OCIHookFilter.Options) {
        self.options = options
        self.options.caller = Self.caller
    }

    /// Filters the config of the container `invocation` creates; for any other
    /// command, does nothing. `workingDirectory` resolves a relative (or absent) `--bundle`.
    public func prepare(_ invocation: RuntimeInvocation, workingDirectory: String) -> Outcome {
        guard invocation.createsContainer else { return Outcome(proceed: true) }
        var bundle = invocation.bundle ?? workingDirectory
        if !bundle.hasPrefix("/") { bundle = workingDirectory + "/" + bundle }
        while bundle.count > 1, bundle.hasSuffix("/") { bundle.removeLast() }
        let path = bundle + "/config.json"
        var options = self.options
        if let id = invocation.id { options.runtimeContainer = .init(id: id, bundle: bundle) }
        let input: Data
        do {
            input = try DeliveryFiles.read(path, limit: Self.maximumConfigBytes)
        } catch {
            // runc cannot read it either and says so itself.
            return Outcome(proceed: true, message: "\(Self.caller): \(error.description); left to the runtime")
        }
        let bytes = Array(input)
        let result = OCIHookFilter(options: options).run(input: bytes)
        guard let output = result.output else {
            return Outcome(proceed: false, message: result.message)
        }
        if output != bytes {
            do throws(DeliveryFiles.Failure) {
                try Self.replace(path, with: output)
            } catch {
                return Self.writeFailure(
                    "cannot write the filtered config back: \(error.description)", options: options, container: invocation.id)
            }
        }
        return Outcome(proceed: true, message: result.message, applied: result.applied)
    }

    /// The config could not be written back: recorded, then open or deny as the index says.
    private static func writeFailure(_ reason: String, options: OCIHookFilter.Options, container: String?) -> Outcome {
        let mode = (try? ProfileIndex.read(stateDirectory: options.stateDirectory))?.hookFailure ?? options.failureModeWithoutIndex
        HookFailureLog.write(
            .init(time: Date().timeIntervalSince1970, container: container, image: nil, reason: reason, outcome: mode.rawValue),
            stateDirectory: options.stateDirectory)
        switch mode {
        case .open:
            return Outcome(
                proceed: true, message: "\(options.caller): \(reason); the container starts without a callguard profile (hookFailure: open)")
        case .deny:
            return Outcome(proceed: false, message: "\(options.caller): \(reason); refusing to create the container (hookFailure: deny)")
        }
    }

    // MARK: - The runtime

    /// Where runc is looked for when `--runtime` is not given: `PATH`, or
    /// containerd's default `PATH` when it is unset.
    public static let defaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The runtime to execute: `explicit`, or the first executable `runc` on
    /// `PATH` that is not this program (a wrapper named `runc` would call itself).
    public static func runtimePath(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit { return explicit }
        let me = fileIdentity("/proc/self/exe")
        let search = environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultSearchPath
        for dir in search.split(separator: ":") where dir.hasPrefix("/") {
            let candidate = "\(dir)/runc"
            guard access(candidate, X_OK) == 0 else { continue }
            if let me, fileIdentity(candidate) == me { continue }
            return candidate
        }
        return nil
    }

    private static func fileIdentity(_ path: String) -> [UInt64]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [UInt64(st.st_dev), UInt64(st.st_ino)]
    }

    /// Appends `message` to the runtime's `--log` file in its format, where
    /// containerd's shim reads the last `error` entry into the error it returns
    /// (`OCI runtime create failed: …`). Returns false when there is no log or
    /// it cannot be written.
    @discardableResult
    public static func appendToRuntimeLog(_ invocation: RuntimeInvocation, level: String, message: String) -> Bool {
        guard let log = invocation.log, !log.isEmpty else { return false }
        let time = ISO8601DateFormatter().string(from: Date())
        var line = ""
        if invocation.logFormat == "json" {
            line = "{\"level\":"
            JSONValue.appendQuoted(level, to: &line)
            line += ",\"msg\":"
            JSONValue.appendQuoted(message, to: &line)
            line += ",\"time\":"
            JSONValue.appendQuoted(time, to: &line)
            line += "}\n"
        } else {
            var quoted = ""
            JSONValue.appendQuoted(message, to: &quoted)
            line = "time=\"\(time)\" level=\(level) msg=\(quoted)\n"
        }
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// Replaces `path` with `bytes` through a temporary file beside it, keeping
    /// the file's mode and owner.
    static func replace(_ path: String, with bytes: [UInt8]) throws(DeliveryFiles.Failure) {
        var st = stat()
        let hadFile = stat(path, &st) == 0
        try DeliveryFiles.writeAtomically(bytes, to: path)
        if hadFile {
            chmod(path, st.st_mode & 0o7777)
            if st.st_uid != getuid() || st.st_gid != getgid() { chown(path, st.st_uid, st.st_gid) }
        }
    }
}

extension OCIRuntimeWrapper.Outcome {
    init(proceed: Bool, message: String? = nil) {
        self.init(proceed: proceed, message: message, applied: nil)
    }
}
