import CallguardAgent
import ContainerKit
import Foundation
import Testing

/// The hook chooses a container's policy by the image containers-storage
/// records for it, not by an annotation its creator wrote.
struct HookImageSourceTests {
    static let id = String(repeating: "9a", count: 32)

    @Test func aCRIImageAnnotationDoesNotOverrideTheImageContainersStorageRecords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-hookimage-\(UUID().uuidString)").path
        let storage = dir + "/storage"
        try FileManager.default.createDirectory(atPath: storage + "/overlay-containers", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let metadata = String(decoding: try JSONSerialization.data(withJSONObject: ["image-name": "localhost/strict:1"]), as: UTF8.self)
        try JSONSerialization.data(withJSONObject: [["id": Self.id, "names": ["c"], "metadata": metadata]])
            .write(to: URL(fileURLWithPath: storage + "/overlay-containers/containers.json"))
        func entry(_ name: String, _ allow: [String], _ digit: String) -> ProfileIndex.Entry {
            ProfileIndex.Entry(
                name: name, images: ["localhost/\(name):*"], isDefault: false, profile: "profiles/\(name).json",
                digest: "sha256:" + String(repeating: digit, count: 64), action: "log", allow: allow)
        }
        let index = ProfileIndex(
            hookFailure: .open, base: "/base.json", policies: [entry("strict", ["read"], "1"), entry("wide", ["read", "uname"], "2")])
        try DeliveryFiles.writeAtomically(index.encoded(), to: dir + "/index.json")
        var options = OCIHookFilter.Options()
        options.stateDirectory = dir
        options.storageRoots = [storage]
        let config = #"{"linux":{"cgroupsPath":"/libpod_parent/libpod-\#(Self.id)","seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","uname"],"action":"SCMP_ACT_ALLOW"}]}},"annotations":{"io.kubernetes.cri-o.ImageName":"localhost/wide:1"}}"#
        let r = OCIHookFilter(options: options).run(input: Array(config.utf8))
        #expect(r.applied?.policy == "strict")
    }
}
