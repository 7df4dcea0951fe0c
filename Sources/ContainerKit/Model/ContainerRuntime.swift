/// The container runtime (or machine manager) that created a container, as far
/// as the host can tell from the container's cgroup path and on-disk state.
public enum ContainerRuntime: String, Sendable, Hashable, CaseIterable {
    /// Docker (`/docker/<id>`, `docker-<id>.scope`).
    case docker
    /// containerd, usually through the CRI plugin (`cri-containerd-<id>.scope`), or nerdctl (`nerdctl-<id>.scope`).
    case containerd
    /// CRI-O (`crio-<id>.scope`, `crio-<id>`).
    case crio
    /// Podman (`libpod-<id>.scope`, `/libpod_parent/libpod-<id>`).
    case podman
    /// A Kubernetes container whose runtime the cgroup path does not name
    /// (cgroupfs driver: `/kubepods/<qos>/pod<uid>/<id>`); the state on disk decides.
    case kubernetes
    /// A systemd-nspawn container (`systemd-nspawn@<name>.service`).
    case systemdNspawn = "systemd-nspawn"
    /// A machine registered with systemd-machined (`machine-<name>.scope`).
    case machine
    /// LXC or LXD (`/lxc/<name>`, `/lxc.payload.<name>`).
    case lxc
}
