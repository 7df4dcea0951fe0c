import ContainerKit
import Foundation
import Testing
import TestSupport

/// podman, docker and containerd (CRI-style) containers running at once on one
/// host, each from its own image: one attributor, reading all three runtimes'
/// state, attributes each container's process to its own runtime, id and image.
@Suite(.serialized, .containerDaemons)
struct RuntimesSideBySideTests {
    static var prerequisites: Bool { ContainerDaemons.prerequisitesMet && PodmanHarness.prerequisitesMet }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func podmanDockerAndContainerdContainersAreEachAttributedToTheirOwnImage() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, podman, docker.io, containerd, runc, busybox-static") else { return }
        let daemons = try #require(ContainerDaemons.current, "containerd and dockerd did not start")
        let tag = UUID().uuidString.prefix(8).lowercased()
        let work = try DockerAttributionTests.workDir("side")
        let podmanImage = "localhost/callguard-side-podman-\(tag):1"
        let dockerImage = "localhost/callguard-side-docker-\(tag):1"
        let criImage = "localhost/callguard-side-cri-\(tag):1"
        let podmanName = "callguard-side-\(tag)"
        defer {
            PodmanHarness.cleanUp(containers: [podmanName], images: [podmanImage])
            try? FileManager.default.removeItem(atPath: work)
        }

        try PodmanHarness.importBusyboxImage(named: podmanImage, workDir: work)
        try daemons.importBusyboxImage(named: dockerImage, workDir: work)
        try daemons.importBusyboxImage(named: criImage, workDir: work)
        try daemons.importIntoContainerd(criImage, namespace: "k8s.io", workDir: work)

        let podmanID = try PodmanHarness.runDetached(name: podmanName, image: podmanImage, command: ["/bin/sleep", "300"])
        let podmanPid = try PodmanHarness.pid(ofContainer: podmanName)
        let dockerID = try daemons.docker(["run", "-d", "--network", "none", "--name", "cg-side", dockerImage, "sleep", "300"])
        let dockerPid = try daemons.pid(ofContainer: "cg-side")
        let cri = try ContainerdAttributionTests.runCRIContainer(daemons, image: criImage)
        defer { ContainerdAttributionTests.removeCRIContainer(daemons, id: cri.id, podUID: cri.podUID) }

        var roots = ContainerStateRoots()
        roots.docker = [daemons.dockerDataRoot]
        roots.containerdTasks = [daemons.containerdTasks]
        let attributor = Attributor(resolver: ContainerResolver(roots: roots))
        let expected: [(Int32, String, String, ContainerRuntime)] = [
            (podmanPid, podmanID, podmanImage, .podman),
            (dockerPid, dockerID, dockerImage, .docker),
            (cri.pid, cri.id, criImage, .kubernetes),
        ]
        for (pid, id, image, runtime) in expected {
            let container = attributor.attribute(pid: pid, ppid: 0).container
            #expect(container?.id == id, "\(runtime)")
            #expect(container?.imageName == image, "\(runtime)")
            #expect(container?.runtime == runtime || (runtime == .kubernetes && container?.runtime == .containerd), "\(runtime)")
        }
        try daemons.docker(["rm", "-f", "cg-side"])
    }
}
