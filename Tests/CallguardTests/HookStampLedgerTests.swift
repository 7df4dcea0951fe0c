import CallguardAgent
import ContainerKit
import Foundation
import Glibc
import Testing

/// The hook's own record of the stamp it applied, which alone makes a
/// container's annotations count (they are the container creator's word).
struct HookStampLedgerTests {
    static let id = String(repeating: "ef", count: 32)
    static let stamp = ProfileStamp(policy: "app", digest: "sha256:" + String(repeating: "3", count: 64), token: "5eed-70c3")

    func withState(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-ledger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    @Test func theStampTheHookRecordedIsVerified() throws {
        try withState { dir in
            try HookStampLedger.record(Self.stamp, container: Self.id, stateDirectory: dir)
            #expect(HookStampLedger.verified(container: Self.id, claimed: Self.stamp, stateDirectory: dir) == Self.stamp)
        }
    }

    @Test func annotationsWithoutARecordAreNotVerified() throws {
        try withState { dir in
            #expect(HookStampLedger.verified(container: Self.id, claimed: Self.stamp, stateDirectory: dir) == nil)
        }
    }

    @Test func aClaimOtherThanTheRecordedOneIsNotVerified() throws {
        try withState { dir in
            try HookStampLedger.record(Self.stamp, container: Self.id, stateDirectory: dir)
            let other = ProfileStamp(policy: "app", digest: "sha256:" + String(repeating: "4", count: 64))
            #expect(HookStampLedger.verified(container: Self.id, claimed: other, stateDirectory: dir) == nil)
            #expect(HookStampLedger.verified(container: String(repeating: "0", count: 64), claimed: Self.stamp, stateDirectory: dir) == nil)
        }
    }

    @Test func aRecordOthersCouldHaveWrittenIsNotVerified() throws {
        try withState { dir in
            try HookStampLedger.record(Self.stamp, container: Self.id, stateDirectory: dir)
            chmod(dir + "/stamps", 0o777)
            #expect(HookStampLedger.verified(container: Self.id, claimed: Self.stamp, stateDirectory: dir) == nil)
            chmod(dir + "/stamps", 0o755)
            chown(dir + "/stamps/\(Self.id).json", 65534, 65534)
            #expect(HookStampLedger.verified(container: Self.id, claimed: Self.stamp, stateDirectory: dir) == nil)
        }
    }

    @Test func theHookRecordsWhatItApplies() throws {
        try withState { dir in
            let index = ProfileIndex(
                hookFailure: .open, base: "/base.json",
                policies: [
                    ProfileIndex.Entry(
                        name: "app", images: ["localhost/app:*"], isDefault: false, profile: "profiles/app.json",
                        digest: Self.stamp.digest, action: "log", allow: ["read"])
                ])
            try DeliveryFiles.writeAtomically(index.encoded(), to: dir + "/index.json")
            var options = OCIHookFilter.Options()
            options.stateDirectory = dir
            options.storageRoots = ["/nonexistent"]
            let config = #"{"linux":{"cgroupsPath":"/libpod_parent/libpod-\#(Self.id)","seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","uname"],"action":"SCMP_ACT_ALLOW"}]}},"annotations":{"io.kubernetes.cri-o.ImageName":"localhost/app:1"}}"#
            let r = OCIHookFilter(options: options).run(input: Array(config.utf8))
            let applied = try #require(r.applied)
            #expect(applied.policy == Self.stamp.policy && applied.digest == Self.stamp.digest)
            #expect(applied.token != nil && applied.token != Self.stamp.token, "a fresh token per start")
            #expect(r.message == nil, "\(r.message ?? "")")
            #expect(HookStampLedger.verified(container: Self.id, claimed: applied, stateDirectory: dir) == applied)
            // The creator's own copy of the policy and digest annotations, without this start's token, is not it.
            var copied = applied
            copied.token = nil
            #expect(HookStampLedger.verified(container: Self.id, claimed: copied, stateDirectory: dir) == nil)
            copied.token = "guessed"
            #expect(HookStampLedger.verified(container: Self.id, claimed: copied, stateDirectory: dir) == nil)
        }
    }
}

/// Records of containers gone are removed after an hour; running ones and fresh ones stay.
struct HookStampLedgerPruneTests {
    @Test func recordsOfContainersGoneForAnHourAreRemovedOthersStay() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-prune-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let running = String(repeating: "1", count: 64), gone = String(repeating: "2", count: 64), fresh = String(repeating: "3", count: 64)
        for id in [running, gone, fresh] { try HookStampLedger.record(HookStampLedgerTests.stamp, container: id, stateDirectory: dir) }
        var old = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        for id in [running, gone] { utimensat(AT_FDCWD, "\(dir)/stamps/\(id).json", &old, 0) }
        HookStampLedger.prune(keeping: [running], olderThan: 3600, stateDirectory: dir)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/stamps"))
        #expect(left == ["\(running).json", "\(fresh).json"])
    }
}
