import ContainerKit
import Foundation
import Testing
import TestSupport

/// Real containerd containers started with `ctr` on the suite's own containerd.
@Suite(.serialized, .containerDaemons)
struct ContainerdAttributionTests {
    /// A container as containerd's CRI plugin creates it: namespace `k8s.io`, a
    /// cgroup under `/kubepods/<qos>/pod<uid>/<id>`, and the CRI annotations in
    /// the task bundle's `config.json` (`ctr run --annotation` writes them where
    /// the CRI plugin does). Its processes carry the annotated image and pod.
    @Test(.enabled(if: DockerAttributionTests.enabled))
    func aCRIContainerIsAttributedToTheImageInItsBundleAnnotations() async throws {
        guard let daemons = DockerAttributionTests.daemons() else { return }
        let work = try DockerAttributionTests.workDir("cri")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let image = "localhost/callguard-cri:1"
        try daemons.importBusyboxImage(named: image, workDir: work)
        try daemons.importIntoContainerd(image, namespace: "k8s.io", workDir: work)

        let (id, podUID, pid) = try Self.runCRIContainer(daemons, image: image)
        defer { Self.removeCRIContainer(daemons, id: id, podUID: podUID) }
        #expect(FileManager.default.fileExists(atPath: "\(daemons.containerdTasks)/k8s.io/\(id)/config.json"))

        var configuration = Attributor.Configuration()
        configuration.removalGrace = 0
        let attributor = Attributor(resolver: ContainerResolver(roots: daemons.stateRoots), configuration: configuration)
        let attributed = attributor.attribute(pid: pid, ppid: 0)
        #expect(attributed.container?.id == String(id))
        #expect(attributed.container?.imageName == image)
        #expect(attributed.container?.pod?.name == "web-0")
        #expect(attributed.container?.pod?.namespace == "shop")
        #expect(attributed.container?.pod?.uid == podUID)
        #expect(attributed.container?.pod?.containerName == "app")
    }

    /// A container of plain containerd (`ctr run`, no CRI plugin): its cgroup is
    /// `/<namespace>/<id>`, which names no runtime, and its bundle carries no
    /// image; the task bundle marks it a container and containerd's metadata
    /// (meta.db) names its image.
    @Test(.enabled(if: DockerAttributionTests.enabled))
    func aPlainCtrContainerIsAttributedToTheImageInContainerdsMetadata() async throws {
        guard let daemons = DockerAttributionTests.daemons() else { return }
        let work = try DockerAttributionTests.workDir("ctr")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let image = "localhost/callguard-ctr:1"
        try daemons.importBusyboxImage(named: image, workDir: work)
        try daemons.importIntoContainerd(image, namespace: "default", workDir: work)
        let name = "callguard-ctr-\(UUID().uuidString.prefix(8).lowercased())"
        try daemons.ctr(["run", "-d", image, name, "sleep", "300"])
        defer {
            _ = try? daemons.ctr(["tasks", "rm", "-f", name])
            _ = try? daemons.ctr(["containers", "rm", name])
            Self.removeCgroups(["default/\(name)", "default"])
        }
        let tasks = try daemons.ctr(["tasks", "ls"])
        let line = try #require(tasks.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(tasks)")
        let pid = try #require(Int32(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        let cgroup = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        #expect(cgroup.contains(":/default/\(name)"))

        let attributed = Attributor(resolver: ContainerResolver(roots: daemons.stateRoots)).attribute(pid: pid, ppid: 0)
        #expect(attributed.container?.id == name)
        #expect(attributed.container?.runtime == .containerd)
        #expect(attributed.container?.imageName == image)
    }

    /// Starts `sleep 300` from `image` as the CRI plugin would (namespace `k8s.io`,
    /// cgroup `/kubepods/<qos>/pod<uid>/<id>`, CRI annotations in the bundle);
    /// returns its id, pod uid and host pid.
    static func runCRIContainer(_ daemons: ContainerDaemons, image: String) throws -> (id: String, podUID: String, pid: Int32) {
        let podUID = UUID().uuidString.lowercased()
        let id = String((0..<2).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined())
        let annotations = [
            "io.kubernetes.cri.container-type=container",
            "io.kubernetes.cri.container-name=app",
            "io.kubernetes.cri.image-name=\(image)",
            "io.kubernetes.cri.sandbox-name=web-0",
            "io.kubernetes.cri.sandbox-namespace=shop",
            "io.kubernetes.cri.sandbox-uid=\(podUID)",
        ].flatMap { ["--annotation", $0] }
        try daemons.ctr(
            ["-n", "k8s.io", "run", "-d", "--cgroup", "/kubepods/\(qos(podUID))/pod\(podUID)/\(id)"] + annotations
                + [image, id, "sleep", "300"])
        let tasks = try daemons.ctr(["-n", "k8s.io", "tasks", "ls"])
        guard let line = tasks.split(separator: "\n").first(where: { $0.hasPrefix(id) }),
            let pid = Int32(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw ContainerDaemons.Failure(description: "no task \(id) in \(tasks)") }
        return (id, podUID, pid)
    }

    /// Removes the container of ``runCRIContainer(_:image:)`` and the cgroups runc left above it.
    static func removeCRIContainer(_ daemons: ContainerDaemons, id: String, podUID: String) {
        _ = try? daemons.ctr(["-n", "k8s.io", "tasks", "rm", "-f", id])
        _ = try? daemons.ctr(["-n", "k8s.io", "containers", "rm", id])
        removeCgroups(["kubepods/\(qos(podUID))/pod\(podUID)", "kubepods/\(qos(podUID))"])
    }

    /// A QoS level of our own, so that only cgroups this test made are removed.
    static func qos(_ podUID: String) -> String { "callguard-it-\(podUID.prefix(8))" }

    /// Removes the cgroup directories runc left above a container (deepest first,
    /// in every v1 hierarchy); non-empty ones stay.
    static func removeCgroups(_ relativePaths: [String]) {
        let hierarchies = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        for path in relativePaths {
            for hierarchy in hierarchies + [""] {
                rmdir("/sys/fs/cgroup/\(hierarchy)/\(path)")
            }
        }
        for hierarchy in hierarchies + [""] { rmdir("/sys/fs/cgroup/\(hierarchy)/kubepods") }

    }
}
