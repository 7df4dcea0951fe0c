import Foundation
import Testing
@testable import ContainerKit

/// Image resolution from each runtime's on-disk state (fixtures of every format).
struct ContainerResolverTests {
    let resolver = ContainerResolver(roots: TestIDs.roots.value, minReloadInterval: 0)

    @Test func podmanContainerResolvesImageNameDigestAndName() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.podman)))
        #expect(info.runtime == .podman)
        #expect(info.imageName == "localhost/cgprobe:1")
        #expect(info.imageDigest == "sha256:4295c8f241475eb54c1204f3c15893c3b126bb6d5e34c8f3892696bb6ddef970")
        #expect(info.imageID == "d1b5ca4678b12f46f489d665f0a28b383fd9a97cbed86b03ff0c7354a34d2e7d")
        #expect(info.name == "cgprobe")
        #expect(info.pod == nil)
        #expect(info.isResolved)
    }

    @Test func crioContainerResolvesFromBundleAnnotations() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .crio, id: TestIDs.crio)))
        #expect(info.runtime == .crio)
        #expect(info.imageName == "docker.io/library/nginx:1.25")
        #expect(info.imageDigest == "sha256:32e76d4f34f80e479964a0fbd4c5b4f6967b5322c8d004e9cf0cb81c93510766")
        #expect(info.pod == PodInfo(
            name: "nginx-7c5ddbdf54-x8x2q", namespace: "shop", uid: "0d7c1a52-3b1f-4c2e-9a7d-5e4f3c2b1a00",
            containerName: "web"))
    }

    @Test func crioSandboxTakesPodFromLabelsJSON() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .crio, id: TestIDs.crioSandbox)))
        #expect(info.imageName == "registry.k8s.io/pause:3.9")
        #expect(info.pod?.name == "nginx-7c5ddbdf54-x8x2q")
        #expect(info.pod?.namespace == "shop")
        #expect(info.pod?.containerName == "POD")
    }

    @Test func crioContainerWithoutBundleFallsBackToContainersJSONMetadata() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .crio, id: TestIDs.crioStorageOnly)))
        #expect(info.runtime == .crio)
        #expect(info.imageName == "docker.io/library/postgres:16")
        #expect(info.imageDigest == "sha256:1b9f1d2e3c4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c")
        #expect(info.pod?.namespace == "data")
        #expect(info.pod?.containerName == "db")
        #expect(info.pod?.uid == "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")
    }

    @Test func containerdTaskBundleResolvesImageAndPod() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .containerd, id: TestIDs.containerd)))
        #expect(info.runtime == .containerd)
        #expect(info.imageName == "docker.io/library/redis:7.2-alpine")
        #expect(info.pod == PodInfo(
            name: "redis-5f9c8d7b6-qwz4t", namespace: "cache", uid: "8c7b6a59-4837-4261-9f0e-d1c2b3a49586",
            containerName: "cache"))
    }

    @Test func containerdSandboxUsesPodSandboxImage() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .containerd, id: TestIDs.containerdSandbox)))
        #expect(info.imageName == "registry.k8s.io/pause:3.9")
        #expect(info.pod?.containerName == "POD")
    }

    @Test func dockerConfigV2ResolvesConfigImageAndName() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .docker, id: TestIDs.docker)))
        #expect(info.runtime == .docker)
        #expect(info.imageName == "httpd:2.4")
        #expect(info.imageID == "sha256:19c71fbb71401e5e0a4a4d3e5c3f8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e")
        #expect(info.name == "frontend")
        #expect(info.pod == nil)
    }

    @Test func dockerKubernetesLabelsGivePodAndDigestReference() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .docker, id: TestIDs.dockerK8s)))
        #expect(info.imageDigest == "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9")
        #expect(info.pod == PodInfo(
            name: "api-6d8f7c9b5-lm2np", namespace: "prod", uid: "2a3b4c5d-6e7f-4809-a1b2-c3d4e5f60718",
            containerName: "api"))
    }

    @Test func kubernetesContainerOfUnnamedRuntimeIsFoundInContainerd() throws {
        let info = try #require(resolver.resolve(
            ContainerRef(runtime: .kubernetes, id: TestIDs.containerd, podUID: "8c7b6a59-4837-4261-9f0e-d1c2b3a49586")))
        #expect(info.runtime == .containerd)
        #expect(info.imageName == "docker.io/library/redis:7.2-alpine")
    }

    @Test func unknownContainerHasNoState() {
        for runtime in [ContainerRuntime.podman, .crio, .containerd, .docker, .kubernetes] {
            #expect(resolver.resolve(ContainerRef(runtime: runtime, id: TestIDs.unknown)) == nil)
        }
    }

    @Test func machinesResolveToTheirNameWithoutImage() throws {
        let info = try #require(resolver.resolve(ContainerRef(runtime: .systemdNspawn, id: "debian-box")))
        #expect(info.name == "debian-box")
        #expect(info.imageName == nil)
        #expect(info.isResolved)
    }

    @Test func missingStateRootsResolveNothing() {
        let empty = ContainerResolver(roots: .under("/nonexistent-callguard-root"))
        #expect(empty.resolve(ContainerRef(runtime: .podman, id: TestIDs.podman)) == nil)
        #expect(empty.resolve(ContainerRef(runtime: .docker, id: TestIDs.docker)) == nil)
    }

    @Test func missingRootsAreListedForTheStartUpMessage() {
        #expect(resolver.missingRoots().isEmpty)
        let elsewhere = ContainerResolver(roots: .under("/nonexistent-callguard-root"))
        #expect(elsewhere.missingRoots().count == 4)
    }

    @Test func containerCreatedLaterIsFoundAfterContainersJSONChanges() throws {
        let root = try temporaryCopy(ofState: "podman")
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let clock = ManualClock()
        let resolver = ContainerResolver(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []),
            minReloadInterval: 1, clock: clock.now)
        #expect(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.podman)) != nil)
        #expect(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.unknown)) == nil)

        try addPodmanContainer(id: TestIDs.unknown, image: "localhost/late:2", to: root)
        clock.advance(2)
        let info = try #require(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.unknown)))
        #expect(info.imageName == "localhost/late:2")
    }

    @Test func reloadsOfChangedStateAreRateLimited() throws {
        let root = try temporaryCopy(ofState: "podman")
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let clock = ManualClock()
        let resolver = ContainerResolver(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []),
            minReloadInterval: 1, clock: clock.now)
        #expect(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.podman)) != nil)
        try addPodmanContainer(id: TestIDs.unknown, image: "localhost/late:2", to: root)
        clock.advance(0.2)
        #expect(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.unknown)) == nil)
        #expect(resolver.stateReloads.deferred == 1)
        clock.advance(1)
        #expect(resolver.resolve(ContainerRef(runtime: .podman, id: TestIDs.unknown))?.imageName == "localhost/late:2")
    }

    @Test func removedPodmanContainerNoLongerExists() throws {
        let root = try temporaryCopy(ofState: "podman")
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let resolver = ContainerResolver(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []),
            minReloadInterval: 0)
        let ref = ContainerRef(runtime: .podman, id: TestIDs.podman)
        #expect(resolver.exists(ref, as: .podman) == true)
        try Data("[]".utf8).write(to: URL(fileURLWithPath: root + "/overlay-containers/containers.json"))
        #expect(resolver.exists(ref, as: .podman) == false)
    }

    @Test func existenceOfFileBasedStateFollowsTheFiles() {
        #expect(resolver.exists(ContainerRef(runtime: .docker, id: TestIDs.docker), as: .docker) == true)
        #expect(resolver.exists(ContainerRef(runtime: .docker, id: TestIDs.unknown), as: .docker) == false)
        #expect(resolver.exists(ContainerRef(runtime: .containerd, id: TestIDs.containerd), as: .containerd) == true)
        #expect(resolver.exists(ContainerRef(runtime: .crio, id: TestIDs.crio), as: .crio) == true)
        #expect(resolver.exists(ContainerRef(runtime: .lxc, id: "web01"), as: .lxc) == nil)
    }
}

/// Appends a podman-style entry to `<root>/overlay-containers/containers.json`.
func addPodmanContainer(id: String, image: String, to root: String) throws {
    let path = root + "/overlay-containers/containers.json"
    var list = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [[String: Any]]
    let metadata = String(
        decoding: try JSONSerialization.data(withJSONObject: ["image-name": image, "name": "late"]), as: UTF8.self)
    list.append(["id": id, "names": ["late"], "image": "", "metadata": metadata])
    try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: path))
}

/// Configurable state roots.
struct ContainerStateRootsTests {
    @Test func underPrefixesEveryDefaultRoot() {
        let roots = ContainerStateRoots.under("/host")
        #expect(roots.containersStorage == ["/host/var/lib/containers/storage"])
        #expect(roots.containersRun == ["/host/run/containers/storage"])
        #expect(roots.containerdTasks == ["/host/run/containerd/io.containerd.runtime.v2.task"])
        #expect(roots.docker == ["/host/var/lib/docker"])
    }
}
