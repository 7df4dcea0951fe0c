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

        let podUID = UUID().uuidString.lowercased()
        let id = (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined().prefix(64)
        let qos = "callguard-it-\(podUID.prefix(8))"
        defer { Self.removeCgroups(["kubepods/\(qos)/pod\(podUID)", "kubepods/\(qos)"]) }
        let annotations = [
            "io.kubernetes.cri.container-type=container",
            "io.kubernetes.cri.container-name=app",
            "io.kubernetes.cri.image-name=\(image)",
            "io.kubernetes.cri.sandbox-name=web-0",
            "io.kubernetes.cri.sandbox-namespace=shop",
            "io.kubernetes.cri.sandbox-uid=\(podUID)",
        ].flatMap { ["--annotation", $0] }
        try daemons.ctr(
            ["-n", "k8s.io", "run", "-d", "--cgroup", "/kubepods/\(qos)/pod\(podUID)/\(id)"] + annotations
                + [image, String(id), "sleep", "300"])
        defer { _ = try? daemons.ctr(["-n", "k8s.io", "tasks", "rm", "-f", String(id)]) }
        let tasks = try daemons.ctr(["-n", "k8s.io", "tasks", "ls"])
        let pid = try #require(
            tasks.split(separator: "\n").first { $0.hasPrefix(id) }.flatMap { Int32($0.split(separator: " ", omittingEmptySubsequences: true)[1]) },
            "no task \(id) in \(tasks)")
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
        try daemons.ctr(["-n", "k8s.io", "tasks", "rm", "-f", String(id)])
        try daemons.ctr(["-n", "k8s.io", "containers", "rm", String(id)])
    }

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
