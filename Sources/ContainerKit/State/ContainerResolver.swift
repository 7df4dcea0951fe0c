/// Finds a container's image (and pod) in the runtimes' on-disk state, without
/// talking to their daemons.
///
/// - podman: containers/storage `containers.json` (metadata `image-name`), digest from `images.json`.
/// - CRI-O: the bundle's `userdata/config.json` annotations (`io.kubernetes.cri-o.ImageName`, …),
///   falling back to containers/storage.
/// - containerd: the task bundle's `config.json` annotations (`io.kubernetes.cri.image-name`, …).
/// - docker: `containers/<id>/config.v2.json` (`Config.Image`).
/// - a Kubernetes container whose runtime the cgroup path does not name: each of these in turn.
/// - systemd-nspawn, machined and LXC: no images; resolved with the machine name.
///
/// Not thread-safe: owned by one ``Attributor``.
public final class ContainerResolver {
    /// The state locations consulted.
    public let roots: ContainerStateRoots
    private let storage: [ContainersStorageIndex]
    private let refusals: StateFileRefusals

    /// - Parameters:
    ///   - minReloadInterval: the least time between two re-reads of one `containers.json`
    ///     (re-read only when an unknown id is asked for and the file changed;
    ///     and never more often than keeps re-reading under a tenth of the
    ///     caller's time: see ``ContainersStorageIndex``).
    public init(
        roots: ContainerStateRoots = ContainerStateRoots(), minReloadInterval: Double = 0.5,
        clock: @escaping SecondsClock = monotonicSeconds
    ) {
        self.roots = roots
        let refusals = StateFileRefusals()
        self.refusals = refusals
        self.storage = roots.containersStorage.map {
            ContainersStorageIndex(root: $0, clock: clock, minReloadInterval: minReloadInterval, refusals: refusals)
        }
    }

    /// State files refused for their size (``StateFileLimits``), each counted
    /// once: their containers resolve with no image name.
    public var refusedStateFiles: Int { refusals.count }

    /// The latest refusal, as a message for the operator (nil when none).
    public var lastRefusedStateFile: String? { refusals.last }

    /// How many times a `containers.json`/`images.json` was re-parsed, and how many
    /// re-reads were put off by the rate limit.
    public var stateReloads: (done: Int, deferred: Int) {
        storage.reduce((0, 0)) { ($0.0 + $1.reloads, $0.1 + $1.deferredReloads) }
    }

    /// The configured state roots that do not exist on this host, for a start-up
    /// message ("no podman state under …: set the state root if the runtime keeps
    /// it elsewhere"). Containers of a runtime whose roots are all missing stay
    /// without image names.
    public func missingRoots() -> [String] {
        (roots.containersStorage + roots.containersRun + roots.containerdTasks + roots.docker)
            .filter { !FileStamp.exists($0) }
    }

    /// What the runtime state says about `ref`; nil when no state for it was found.
    public func resolve(_ ref: ContainerRef) -> ContainerInfo? {
        switch ref.runtime {
        case .podman: return podman(ref)
        case .crio: return crio(ref)
        case .containerd: return containerd(ref)
        case .docker: return docker(ref)
        case .kubernetes: return containerd(ref) ?? crio(ref) ?? docker(ref)
        case .systemdNspawn, .machine, .lxc:
            return ContainerInfo(id: ref.id, runtime: ref.runtime, name: ref.id)
        }
    }

    /// Whether `info` is of the container's current start: false when the
    /// runtime bundle's `config.json` it was read from has been rewritten
    /// since (a restart writes a new one, with or without the OCI hook's
    /// profile and annotations), so the container must be resolved again.
    /// True when nothing was read from a bundle or the file is gone (a
    /// container being removed: nothing newer to read). One `stat(2)`.
    public func isCurrent(_ info: ContainerInfo) -> Bool {
        guard let bundle = info.bundle, let now = FileStamp(path: bundle.path) else { return true }
        return now == bundle.stamp
    }

    /// Whether the runtime state still holds `ref`: false when it was removed,
    /// nil when that cannot be told (machines and LXC, unreadable state).
    public func exists(_ ref: ContainerRef, as runtime: ContainerRuntime) -> Bool? {
        switch runtime {
        case .podman:
            let answers = storage.compactMap { $0.stillListed(ref.id) }
            return answers.isEmpty ? nil : answers.contains(true)
        case .crio:
            if crioConfigPath(ref.id) != nil { return true }
            let answers = storage.compactMap { $0.stillListed(ref.id) }
            return answers.isEmpty ? false : answers.contains(true)
        case .containerd:
            return containerdConfigPath(ref.id) != nil
        case .docker:
            return roots.docker.contains { FileStamp.exists(DockerConfig.path(root: $0, id: ref.id)) }
        case .kubernetes, .systemdNspawn, .machine, .lxc:
            return nil
        }
    }

    // MARK: - Per runtime

    private func podman(_ ref: ContainerRef) -> ContainerInfo? {
        for index in storage {
            if let info = index.info(id: ref.id, runtime: .podman, podUIDFromPath: ref.podUID) {
                // The bundle (`userdata/config.json`) carries what the OCI hook applied.
                let path = crioConfigPath(ref.id)
                let bundle = path.flatMap(BundleFile.init(path:))
                let stamp = path.flatMap { OCIAnnotations(configAt: $0, refusals: refusals)?.profileStamp }
                return info.with(profile: stamp, bundle: bundle)
            }
        }
        return nil
    }

    private func crio(_ ref: ContainerRef) -> ContainerInfo? {
        let path = crioConfigPath(ref.id)
        let bundle = path.flatMap(BundleFile.init(path:))
        let ann = path.flatMap { OCIAnnotations(configAt: $0, refusals: refusals) }
        if let ann {
            let info = ann.crioInfo(id: ref.id, podUIDFromPath: ref.podUID)
            if info.imageName != nil { return info.with(profile: ann.profileStamp, bundle: bundle) }
        }
        for index in storage {
            if let info = index.info(id: ref.id, runtime: .crio, podUIDFromPath: ref.podUID) {
                return info.with(profile: ann?.profileStamp, bundle: bundle)
            }
        }
        return nil
    }

    private func containerd(_ ref: ContainerRef) -> ContainerInfo? {
        guard let (path, namespace) = containerdBundle(ref.id) else { return nil }
        let bundle = BundleFile(path: path)
        guard let ann = OCIAnnotations(configAt: path, refusals: refusals) else { return nil }
        let info = ann.containerdInfo(id: ref.id, podUIDFromPath: ref.podUID).with(profile: ann.profileStamp, bundle: bundle)
        guard info.imageName == nil,
            let image = roots.containerd.lazy.compactMap({ ContainerdMetadata.imageName(root: $0, namespace: namespace, id: ref.id) }).first
        else { return info }
        return ContainerInfo(
            id: info.id, runtime: info.runtime, imageName: image, imageDigest: OCIAnnotations.digest(inReference: image),
            imageID: nil, name: info.name ?? ref.id, pod: info.pod, isResolved: true, profile: ann.profileStamp, bundle: bundle)
    }

    /// The containerd task of a container outside any runtime's cgroup naming
    /// (`ctr run` puts it in `/<namespace>/<id>`): a cgroup path whose first two
    /// components name a task bundle `<tasks>/<namespace>/<id>/config.json`.
    /// Only asked for processes whose cgroups name no container.
    public func containerdTask(inCgroupFile text: String) -> ContainerRef? {
        guard !roots.containerdTasks.isEmpty else { return nil }
        var tried: Set<Substring> = []
        for line in text.split(separator: "\n") {
            guard let path = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).last else { continue }
            let parts = path.split(separator: "/").prefix(2)
            guard parts.count == 2, path.hasPrefix("/") else { continue }
            let namespace = parts[parts.startIndex]
            let id = parts[parts.startIndex + 1]
            guard tried.insert(path.prefix(namespace.count + id.count + 2)).inserted,
                Self.isPlainName(namespace), Self.isPlainName(id)
            else { continue }
            for root in roots.containerdTasks where FileStamp.exists("\(root)/\(namespace)/\(id)/config.json") {
                return ContainerRef(runtime: .containerd, id: String(id))
            }
        }
        return nil
    }

    /// A containerd namespace or id: letters, digits, `-`, `_`, `.`, never `.` or `..`.
    private static func isPlainName(_ s: Substring) -> Bool {
        guard !s.isEmpty, s != ".", s != "..", s.utf8.count <= 128 else { return false }
        return s.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95 || b == 46
        }
    }

    private func docker(_ ref: ContainerRef) -> ContainerInfo? {
        for root in roots.docker {
            if let info = DockerConfig.info(root: root, id: ref.id, podUIDFromPath: ref.podUID, refusals: refusals) {
                // dockerd's task bundle (containerd namespace `moby`) carries the hook's annotations.
                let path = containerdBundle(ref.id)?.path
                let bundle = path.flatMap(BundleFile.init(path:))
                let stamp = path.flatMap { OCIAnnotations(configAt: $0, refusals: refusals)?.profileStamp }
                return info.with(profile: stamp, bundle: bundle)
            }
        }
        return nil
    }

    private func crioConfigPath(_ id: String) -> String? {
        for root in roots.containersRun + roots.containersStorage {
            let path = "\(root)/overlay-containers/\(id)/userdata/config.json"
            if FileStamp.exists(path) { return path }
        }
        return nil
    }

    /// `<tasks>/<namespace>/<id>/config.json` for any namespace (`k8s.io`, `moby`, `default`, …).
    private func containerdConfigPath(_ id: String) -> String? { containerdBundle(id)?.path }

    private func containerdBundle(_ id: String) -> (path: String, namespace: String)? {
        for root in roots.containerdTasks {
            for namespace in StateFile.list(root) {
                let path = "\(root)/\(namespace)/\(id)/config.json"
                if FileStamp.exists(path) { return (path, namespace) }
            }
        }
        return nil
    }
}
