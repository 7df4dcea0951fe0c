/// A container as the policy engine and the sinks see it: id, runtime, image
/// and, under Kubernetes, the pod.
///
/// A class so that handing it out on the hot path is one retain, never a copy
/// of its strings. Instances are immutable; when a container's image becomes
/// known later, the ``Attributor`` replaces the instance.
public final class ContainerInfo: Sendable, Equatable, CustomStringConvertible {
    /// The container id (64 hex digits for OCI runtimes; a name for machines and LXC).
    public let id: String
    /// The runtime whose state described the container (or the one the cgroup path names).
    public let runtime: ContainerRuntime
    /// The image reference the container was created from, as the runtime recorded it
    /// (`localhost/app:1.0`, `docker.io/library/nginx:1.25`); nil when unknown.
    public let imageName: String?
    /// The image's manifest digest (`sha256:…`) when the runtime's state records it.
    public let imageDigest: String?
    /// The runtime's image id (usually the config digest), when recorded.
    public let imageID: String?
    /// The container's name in its runtime (podman/docker name), when recorded.
    public let name: String?
    /// Kubernetes pod and container names, when recorded.
    public let pod: PodInfo?
    /// Whether the runtime's on-disk state was found for this container. When
    /// false, the id and runtime come from the cgroup path alone and the
    /// ``Attributor`` keeps trying (rate-limited) to resolve the image.
    public let isResolved: Bool
    /// The callguard seccomp profile the container was created with (from its
    /// bundle's annotations); nil when it has none: the container is unguarded.
    public let profile: ProfileStamp?
    /// The runtime bundle's `config.json` the ``profile`` was read from, as it
    /// was then (its path and stat identity): a restart rewrites it, so a
    /// changed file says this info is of an earlier start (``ContainerResolver/isCurrent(_:)``).
    let bundle: BundleFile?

    public convenience init(
        id: String, runtime: ContainerRuntime, imageName: String? = nil, imageDigest: String? = nil,
        imageID: String? = nil, name: String? = nil, pod: PodInfo? = nil, isResolved: Bool = true,
        profile: ProfileStamp? = nil
    ) {
        self.init(
            id: id, runtime: runtime, imageName: imageName, imageDigest: imageDigest, imageID: imageID, name: name,
            pod: pod, isResolved: isResolved, profile: profile, bundle: nil)
    }

    init(
        id: String, runtime: ContainerRuntime, imageName: String?, imageDigest: String?, imageID: String?,
        name: String?, pod: PodInfo?, isResolved: Bool, profile: ProfileStamp?, bundle: BundleFile?
    ) {
        self.id = id
        self.runtime = runtime
        self.imageName = imageName
        self.imageDigest = imageDigest
        self.imageID = imageID
        self.name = name
        self.pod = pod
        self.isResolved = isResolved
        self.profile = profile
        self.bundle = bundle
    }

    /// A container known only from its cgroup path: no state found (yet).
    public static func unresolved(_ ref: ContainerRef) -> ContainerInfo {
        ContainerInfo(
            id: ref.id, runtime: ref.runtime,
            pod: ref.podUID.map { PodInfo(uid: $0) }, isResolved: false)
    }

    /// This container with `profile` as its callguard profile, read from `bundle` (self when unchanged).
    func with(profile: ProfileStamp?, bundle: BundleFile?) -> ContainerInfo {
        guard profile != self.profile || bundle != self.bundle else { return self }
        return ContainerInfo(
            id: id, runtime: runtime, imageName: imageName, imageDigest: imageDigest, imageID: imageID, name: name,
            pod: pod, isResolved: isResolved, profile: profile, bundle: bundle)
    }

    public static func == (lhs: ContainerInfo, rhs: ContainerInfo) -> Bool {
        lhs === rhs
            || (lhs.id == rhs.id && lhs.runtime == rhs.runtime && lhs.imageName == rhs.imageName
                && lhs.imageDigest == rhs.imageDigest && lhs.imageID == rhs.imageID && lhs.name == rhs.name
                && lhs.pod == rhs.pod && lhs.isResolved == rhs.isResolved && lhs.profile == rhs.profile && lhs.bundle == rhs.bundle)
    }

    public var description: String {
        "\(runtime.rawValue)://\(id.prefix(12)) image=\(imageName ?? "?")"
    }
}
