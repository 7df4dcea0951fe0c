/// Where the container runtimes keep their state on this host. Every root is a
/// list so that rootless podman (`~/.local/share/containers/storage`) and custom
/// data roots can be added beside the defaults.
public struct ContainerStateRoots: Sendable, Hashable {
    /// containers/storage graph roots (podman, CRI-O): `overlay-containers/containers.json`,
    /// `overlay-images/images.json`, `overlay-containers/<id>/userdata/config.json`.
    public var containersStorage: [String]
    /// containers/storage run roots (CRI-O keeps `overlay-containers/<id>/userdata/config.json` here).
    public var containersRun: [String]
    /// containerd's runtime-v2 task directories: `<root>/<namespace>/<id>/config.json`.
    public var containerdTasks: [String]
    /// Docker data roots: `<root>/containers/<id>/config.v2.json`.
    public var docker: [String]
    /// containerd roots (`containerd --root`): `io.containerd.metadata.v1.bolt/meta.db`
    /// names the image of containers started without the CRI plugin.
    public var containerd: [String]

    public init(
        containersStorage: [String] = ["/var/lib/containers/storage"],
        containersRun: [String] = ["/run/containers/storage"],
        containerdTasks: [String] = ["/run/containerd/io.containerd.runtime.v2.task"],
        docker: [String] = ["/var/lib/docker"],
        containerd: [String] = ["/var/lib/containerd"]
    ) {
        self.containersStorage = containersStorage
        self.containersRun = containersRun
        self.containerdTasks = containerdTasks
        self.docker = docker
        self.containerd = containerd
    }

    /// The default locations, each prefixed with `prefix` (a fixture tree or a host mounted elsewhere).
    public static func under(_ prefix: String) -> ContainerStateRoots {
        let d = ContainerStateRoots()
        return ContainerStateRoots(
            containersStorage: d.containersStorage.map { prefix + $0 },
            containersRun: d.containersRun.map { prefix + $0 },
            containerdTasks: d.containerdTasks.map { prefix + $0 },
            docker: d.docker.map { prefix + $0 },
            containerd: d.containerd.map { prefix + $0 })
    }
}
