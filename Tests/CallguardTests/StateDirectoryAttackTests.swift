import CallguardAgent
import ContainerKit
import Foundation
import Glibc
import PolicyKit
import Testing
import TestSupport

/// Attack by an unprivileged host user on a careless `--state-dir` (one they
/// own or can write, such as a directory under /tmp they created first): a
/// planted `index.json` would make the root hook give every container the
/// filter it names (an errno profile with an empty allowlist denies
/// everything), and planted stamps would make the agent take unguarded
/// containers for guarded. The hook and the agent refuse such state, say why,
/// and write nothing into it.
struct StateDirectoryAttackTests {
    static let id = String(repeating: "cd", count: 32)

    /// A state directory holding an index that claims every image for a
    /// deny-everything policy, as another user would plant it; `prepare`
    /// then makes it (or its index) changeable by others.
    func withPlantedState(_ prepare: (String) throws -> Void, _ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-planted-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let planted = ProfileIndex(
            hookFailure: .open, base: "/base.json",
            policies: [
                ProfileIndex.Entry(
                    name: "planted", images: [], isDefault: true, profile: "profiles/planted.json",
                    digest: "sha256:" + String(repeating: "6", count: 64), action: "errno", allow: [])
            ])
        try planted.encoded().write(to: URL(fileURLWithPath: dir + "/index.json"))
        try prepare(dir)
        try body(dir)
    }

    func config() -> String {
        #"{"ociVersion":"1.0.2-dev","linux":{"cgroupsPath":"/libpod_parent/libpod-\#(Self.id)","seccomp":{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}},"annotations":{"io.kubernetes.cri-o.ImageName":"localhost/app:1"}}"#
    }

    func hook(_ dir: String, mode: HookFailureMode = .open) -> OCIHookFilter.Result {
        var options = OCIHookFilter.Options()
        options.stateDirectory = dir
        options.storageRoots = ["/nonexistent"]
        options.failureModeWithoutIndex = mode
        return OCIHookFilter(options: options).run(input: Array(config().utf8))
    }

    /// The hook ignored the planted index: the config is passed through as it came, nothing recorded in the directory.
    func expectRefused(_ r: OCIHookFilter.Result, _ dir: String, saying: String, directoryTrusted: Bool = false) {
        #expect(r.applied == nil)
        #expect(r.output == Array(config().utf8), "the hook applied the planted index")
        #expect(r.message?.contains(saying) == true, "\(r.message ?? "no message")")
        if directoryTrusted {
            #expect(HookFailureLog.read(stateDirectory: dir).first?.reason.contains(saying) == true, "the refusal was not recorded")
        } else {
            #expect(!FileManager.default.fileExists(atPath: dir + "/" + HookFailureLog.directoryName), "the hook wrote into a directory others can change")
        }
    }

    @Test func hookRefusesAnIndexInAStateDirectoryOthersCanWrite() throws {
        try withPlantedState({ chmod($0, 0o777) }) { dir in
            expectRefused(hook(dir), dir, saying: "writable by group or others")
        }
    }

    @Test func hookRefusesAnIndexInAStateDirectoryAnotherUserOwns() throws {
        try withPlantedState({
            chown($0, 65534, 65534)
            chown($0 + "/index.json", 65534, 65534)
        }) { dir in
            expectRefused(hook(dir), dir, saying: "owned by uid 65534")
        }
    }

    @Test func hookRefusesAnIndexFileOthersCanWrite() throws {
        try withPlantedState({ chmod($0 + "/index.json", 0o666) }) { dir in
            expectRefused(hook(dir), dir, saying: "mode 666", directoryTrusted: true)
        }
    }

    @Test func hookInDenyModeRefusesTheContainerOnAnUntrustedStateDirectory() throws {
        try withPlantedState({ chmod($0, 0o777) }) { dir in
            let r = hook(dir, mode: .deny)
            #expect(r.exitCode == 1)
            #expect(r.output == nil)
        }
    }

    @Test func agentRefusesToPublishIntoAStateDirectoryOthersCanWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-careless-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o1777)  // like /tmp
        let set = try PolicyLoader().load(sources: [
            PolicySource(path: "app.yaml", text: "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: app}\nspec: {images: [\"localhost/app:*\"], allow: [read]}\n")
        ]).get()
        var configuration = ProfileDeliveryConfiguration()
        configuration.stateDirectory = dir
        configuration.baseProfile = Fixtures.directory().appendingPathComponent("policy/base-seccomp.json").path
        #expect {
            try ProfileDelivery.publish(set, configuration: configuration)
        } throws: { error in
            "\(error)".contains("writable by group or others")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/index.json"))
    }
}
