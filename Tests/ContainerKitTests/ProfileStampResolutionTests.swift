import Foundation
import Testing
@testable import ContainerKit

/// The callguard profile a container was created with, read from its bundle's annotations.
struct ProfileStampResolutionTests {
    static let id = String(repeating: "c4", count: 32)
    static let digest = "sha256:" + String(repeating: "e", count: 64)

    func withTree(annotations: [String: String], _ body: (String) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-stamp-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = root + "/storage"
        let userdata = "\(storage)/overlay-containers/\(Self.id)/userdata"
        try FileManager.default.createDirectory(atPath: userdata, withIntermediateDirectories: true)
        let metadata = String(decoding: try JSONSerialization.data(withJSONObject: ["image-name": "localhost/app:1"]), as: UTF8.self)
        try JSONSerialization.data(withJSONObject: [["id": Self.id, "names": ["app"], "metadata": metadata]])
            .write(to: URL(fileURLWithPath: storage + "/overlay-containers/containers.json"))
        try JSONSerialization.data(withJSONObject: ["ociVersion": "1.0.2", "annotations": annotations])
            .write(to: URL(fileURLWithPath: userdata + "/config.json"))
        let tasks = "\(root)/tasks/k8s.io/\(Self.id)"
        try FileManager.default.createDirectory(atPath: tasks, withIntermediateDirectories: true)
        var cri = annotations
        cri["io.kubernetes.cri.image-name"] = "docker.io/library/redis:7"
        try JSONSerialization.data(withJSONObject: ["annotations": cri]).write(to: URL(fileURLWithPath: tasks + "/config.json"))
        try body(root)
    }

    func resolver(_ root: String) -> ContainerResolver {
        ContainerResolver(
            roots: ContainerStateRoots(
                containersStorage: [root + "/storage"], containersRun: [], containerdTasks: [root + "/tasks"], docker: [],
                containerd: []),
            minReloadInterval: 0)
    }

    let stamped = [ProfileStamp.policyAnnotation: "app", ProfileStamp.digestAnnotation: ProfileStampResolutionTests.digest]

    @Test func podmanBundleAnnotationsGiveTheProfile() throws {
        try withTree(annotations: stamped) { root in
            let info = try #require(resolver(root).resolve(ContainerRef(runtime: .podman, id: Self.id)))
            #expect(info.imageName == "localhost/app:1")
            #expect(info.profile == ProfileStamp(policy: "app", digest: Self.digest))
        }
    }

    @Test func containerdTaskBundleAnnotationsGiveTheProfile() throws {
        try withTree(annotations: stamped) { root in
            let info = try #require(resolver(root).resolve(ContainerRef(runtime: .containerd, id: Self.id)))
            #expect(info.profile == ProfileStamp(policy: "app", digest: Self.digest))
        }
    }

    @Test func bundleWithoutTheAnnotationsIsUnguarded() throws {
        try withTree(annotations: [ProfileStamp.policyAnnotation: "app"]) { root in
            let info = try #require(resolver(root).resolve(ContainerRef(runtime: .podman, id: Self.id)))
            #expect(info.profile == nil)
        }
    }
}
