/// The Kubernetes identity of a container, when the runtime's state records it.
public struct PodInfo: Sendable, Hashable {
    /// The pod's name (`io.kubernetes.pod.name`, `io.kubernetes.cri.sandbox-name`).
    public var name: String?
    /// The pod's namespace.
    public var namespace: String?
    /// The pod's uid.
    public var uid: String?
    /// The container's name inside the pod (`io.kubernetes.container.name`).
    public var containerName: String?

    public init(name: String? = nil, namespace: String? = nil, uid: String? = nil, containerName: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.containerName = containerName
    }

    /// Whether no field is known.
    public var isEmpty: Bool { name == nil && namespace == nil && uid == nil && containerName == nil }
}
