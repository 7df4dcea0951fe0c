/// The largest runtime state files read. They are read on the reader thread
/// when a new container appears, so each is refused from its size (before it
/// is read) when it is larger than any real host writes; its container then
/// resolves with no image name, and the refusal is counted
/// (``ContainerResolver/refusedStateFiles``).
///
/// - `containers.json` / `images.json` (podman, CRI-O): one entry per container
///   or image, about 0.5-1.5 KB each (podman 4.3 writes 515 bytes for a plain
///   container; CRI-O adds pod metadata). 16 MiB holds 10,000 CRI-O or 30,000
///   podman containers, stopped ones included; hosts with thousands of
///   containers write a few MB. Parsing is what blocks the reader: measured
///   (debug test build, shared 2-core machine) 0.10 s for 5,000 podman
///   containers (2.5 MB), 0.25-0.41 s for 20,000 (10 MB), 0.62 s for 31,000
///   (15.8 MB, just under the cap) and 0.74 s for 32 MB; so the cap bounds one
///   parse to well under a second, and
///   ``ContainersStorageIndex`` keeps re-parsing of such files under a tenth
///   of the time.
/// - docker `config.v2.json` and an OCI bundle's `config.json` (containerd,
///   CRI-O): one container's config, environment, labels, mounts and seccomp
///   profile, typically 5-50 KB. The kernel caps a process's environment and
///   arguments at a quarter of the stack limit (2 MB by default) and Kubernetes
///   caps annotations at 256 KB, so 8 MiB is beyond any container that can start.
public enum StateFileLimits {
    /// `overlay-containers/containers.json` and `overlay-images/images.json`.
    public static let storageListBytes = 16 << 20
    /// Docker's `config.v2.json` and an OCI bundle's `config.json`.
    public static let containerConfigBytes = 8 << 20
}

/// State files refused for their size: each file (path and size) counted once,
/// however often its container is looked up again.
final class StateFileRefusals {
    private(set) var count = 0
    /// The latest refusal, as a message for the operator.
    private(set) var last: String?
    private var seen: Set<String> = []

    func record(path: String, size: Int?, limit: Int) {
        guard seen.insert("\(size ?? -1) \(path)").inserted else { return }
        if seen.count > 4096 { seen.removeAll(keepingCapacity: true) }
        count += 1
        let what = size.map { "is \($0) bytes" } ?? "is not a regular file or grew past the limit"
        last = "\(path) \(what), more than the limit of \(limit) for a runtime state file: not read; its containers have no image name"
    }
}
