import ContainerKit
import Foundation
import PolicyKit

/// `callguard oci-hook`: the libpod `precreate` hook. podman hands it the
/// proposed OCI runtime config on stdin and runs the container with what it
/// writes on stdout (a non-zero exit fails the container's creation).
///
/// For a container whose image a policy claims (matched as the agent matches,
/// through the state directory's ``ProfileIndex``), the config's own
/// `linux.seccomp` (the runtime's default, or the profile the user chose,
/// already resolved for the container's capabilities and arch) is narrowed to
/// the policy with ``SeccompPolicyMerge``, and the annotations
/// `dev.callguard.policy` and `dev.callguard.profile-digest` say which profile
/// version it got. Every other member of the config is written back as it came
/// (order and number literals kept). A container no policy claims is written
/// back unchanged. Failures follow the index's `hookFailure`: `open` writes the
/// config unchanged, `deny` exits non-zero; both are recorded in
/// `<state>/hook-failures/`.
///
/// `callguard oci-runtime` (``OCIRuntimeWrapper``, for docker and containerd)
/// runs the same filter on a bundle's `config.json`, telling it the container
/// id and bundle (``Options/runtimeContainer``) and where docker and containerd
/// keep their state (``Options/runtimeLookup``).
public struct OCIHookFilter {
    /// Where the hook looks.
    public struct Options: Sendable {
        public var stateDirectory = ProfileDeliveryConfiguration.defaultStateDirectory
        /// containers/storage graph roots (containers.json names the image).
        public var storageRoots = ContainerStateRoots().containersStorage
        /// The failure mode when the index itself cannot be read.
        public var failureModeWithoutIndex: HookFailureMode = .open
        /// The container as an OCI runtime wrapper was told it (`runc create
        /// --bundle DIR ID`); nil for the hook, which takes the id from `linux.cgroupsPath`.
        public var runtimeContainer: RuntimeImageLookup.Container?
        /// docker and containerd state, asked when neither an annotation nor
        /// containers/storage names the image (the runtime wrapper only).
        public var runtimeLookup: RuntimeImageLookup?
        /// The name the messages start with.
        public var caller = "callguard oci-hook"

        public init() {}
    }

    /// What to write and how to exit.
    public struct Result: Sendable {
        /// The config for stdout; nil: write nothing (the container is refused).
        public var output: [UInt8]?
        /// A line for stderr, when there is something to say.
        public var message: String?
        public var exitCode: Int32
        /// The policy applied, when one was.
        public var applied: ProfileStamp?
    }

    public var options: Options

    public init(options: Options) { self.options = options }

    /// CRI annotations that name the image (CRI-O, containerd's CRI plugin).
    static let imageAnnotations = ["io.kubernetes.cri-o.ImageName", "io.kubernetes.cri.image-name"]

    /// Filters one proposed config.
    public func run(input: [UInt8]) -> Result {
        let index: ProfileIndex
        do {
            index = try ProfileIndex.read(stateDirectory: options.stateDirectory)
        } catch {
            return failure(
                error.description, mode: options.failureModeWithoutIndex, input: input, container: options.runtimeContainer?.id, image: nil)
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(input)
        } catch {
            return failure("the OCI config is \(error.description)", mode: index.hookFailure, input: input, container: nil, image: nil)
        }
        guard var config = parsed.objectValue else {
            return failure("the OCI config is not a JSON object", mode: index.hookFailure, input: input, container: nil, image: nil)
        }
        let container = options.runtimeContainer?.id ?? Self.containerID(cgroupsPath: config["linux"]?["cgroupsPath"]?.stringValue)
        var annotations = config["annotations"]?.objectValue ?? JSONObject()
        var image: String?
        var digest: String?
        // The runtime's own record first: annotations are whatever the container's creator
        // wrote (`podman run --annotation io.kubernetes.cri-o.ImageName=…` would choose another
        // image's, wider, policy). The CRI annotations only where containers-storage has no entry.
        if let container {
            let roots = ContainerStateRoots(
                containersStorage: options.storageRoots, containersRun: [], containerdTasks: [], docker: [], containerd: [])
            if let info = ContainerResolver(roots: roots, minReloadInterval: 0).resolve(ContainerRef(runtime: .podman, id: container)) {
                image = info.imageName
                digest = info.imageDigest
            }
        }
        if image == nil, let runtimeContainer = options.runtimeContainer, let lookup = options.runtimeLookup,
            let found = lookup.image(of: runtimeContainer)
        {
            image = found.name
            digest = found.digest
        }
        if image == nil {
            for key in Self.imageAnnotations {
                if let v = annotations[key]?.stringValue, !v.isEmpty {
                    image = v
                    break
                }
            }
        }
        guard let image else {
            let what = container.map { "container \($0.prefix(12))" } ?? "a container whose config names no container id (linux.cgroupsPath)"
            let elsewhere = options.runtimeLookup.map { ", \($0.searched)" } ?? ""
            return failure(
                "cannot tell the image of \(what): no CRI image annotation and no containers.json entry under \(options.storageRoots.joined(separator: ", "))\(elsewhere)",
                mode: index.hookFailure, input: input, container: container, image: nil)
        }
        guard let entry = index.entry(forImage: image, digest: digest) else {
            return Result(output: input, message: nil, exitCode: 0, applied: nil)
        }
        guard var linux = config["linux"]?.objectValue, let seccomp = linux["seccomp"]?.objectValue else {
            // Unconfined or privileged by the user's choice: left so, and said.
            let reason = "container \(container.map { String($0.prefix(12)) } ?? "?") (\(image)) runs without seccomp (unconfined or privileged): policy \(entry.name) is checked only through audit rules"
            HookFailureLog.write(
                .init(time: Date().timeIntervalSince1970, container: container, image: image, reason: reason, outcome: "open"),
                stateDirectory: options.stateDirectory)
            return Result(output: input, message: "\(options.caller): \(reason)", exitCode: 0, applied: nil)
        }
        guard let action = ProfileAction(rawValue: entry.action) else {
            return failure(
                "the profile index names action '\(entry.action)' for policy \(entry.name); restart the agent",
                mode: index.hookFailure, input: input, container: container, image: image)
        }
        let merge = SeccompPolicyMerge(allowedNames: Set(entry.allow), action: action)
        linux["seccomp"] = .object(merge.apply(to: seccomp))
        config["linux"] = .object(linux)
        annotations[ProfileStamp.policyAnnotation] = .string(entry.name)
        annotations[ProfileStamp.digestAnnotation] = .string(entry.digest)
        // A token of this start's own: replaces any the creator wrote, and is
        // gone when the container starts again without the hook.
        let token = HookStampLedger.newToken()
        annotations[ProfileStamp.tokenAnnotation] = .string(token)
        config["annotations"] = .object(annotations)
        let text = JSONValue.object(config).serialized()
        let stamp = ProfileStamp(policy: entry.name, digest: entry.digest, token: token)
        // The agent trusts the annotations only with this record beside them (anyone creating a container can write annotations).
        var message: String?
        if let container {
            do throws(DeliveryFiles.Failure) {
                try HookStampLedger.record(stamp, container: container, stateDirectory: options.stateDirectory)
            } catch {
                message = "callguard oci-hook: container \(container.prefix(12)) got policy \(entry.name)'s profile, but \(error.description): the agent will count it unguarded"
            }
        } else {
            message = "callguard oci-hook: a container with no id in linux.cgroupsPath got policy \(entry.name)'s profile: the agent cannot tell it is guarded"
        }
        return Result(output: Array(text.utf8), message: message, exitCode: 0, applied: stamp)
    }

    private func failure(_ reason: String, mode: HookFailureMode, input: [UInt8], container: String?, image: String?) -> Result {
        let recorded = HookFailureLog.write(
            .init(time: Date().timeIntervalSince1970, container: container, image: image, reason: reason, outcome: mode.rawValue),
            stateDirectory: options.stateDirectory)
        let note = recorded ? "" : " (and it could not be recorded under \(options.stateDirectory)/\(HookFailureLog.directoryName))"
        switch mode {
        case .open:
            return Result(
                output: input, message: "\(options.caller): \(reason); the container starts without a callguard profile (hookFailure: open)\(note)",
                exitCode: 0, applied: nil)
        case .deny:
            return Result(
                output: nil, message: "\(options.caller): \(reason); refusing to create the container (hookFailure: deny)\(note)",
                exitCode: 1, applied: nil)
        }
    }

    /// The container id in an OCI config's `linux.cgroupsPath`: its last run
    /// of 64 hex digits (`/libpod_parent/libpod-<id>`, `machine.slice:libpod:<id>`,
    /// `…slice:crio:<id>`, `…:cri-containerd:<id>`).
    public static func containerID(cgroupsPath: String?) -> String? {
        guard let path = cgroupsPath else { return nil }
        let bytes = Array(path.utf8)
        func isHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 97 && b <= 102) }
        var end = bytes.count
        while end > 0 {
            var start = end
            while start > 0, isHex(bytes[start - 1]) { start -= 1 }
            if end - start == 64 { return String(decoding: bytes[start..<end], as: UTF8.self) }
            end = start > 0 && start == end ? start - 1 : start
        }
        return nil
    }
}
