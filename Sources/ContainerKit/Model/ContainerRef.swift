/// What a cgroup path says about a container: the runtime that made the cgroup,
/// the container's id (64 hex digits, or a machine/LXC name) and, under
/// Kubernetes, the pod's uid.
public struct ContainerRef: Sendable, Hashable, CustomStringConvertible {
    /// The runtime named by the cgroup path (``ContainerRuntime/kubernetes`` when the path names none).
    public var runtime: ContainerRuntime
    /// The container id: 64 lowercase hex digits for OCI runtimes, the machine or container name otherwise.
    public var id: String
    /// The Kubernetes pod uid found in the path (`pod<uid>` or `kubepods-<qos>-pod<uid>.slice`), if any.
    public var podUID: String?

    public init(runtime: ContainerRuntime, id: String, podUID: String? = nil) {
        self.runtime = runtime
        self.id = id
        self.podUID = podUID
    }

    public var description: String { "\(runtime.rawValue)://\(id)" }
}
