import CallguardAgent
import Foundation
import Testing
import TestSupport

/// The learned policy as the built `callguard` executable sees it.
@Suite struct LearnCommandTests {
    @Test func aLearnedAndMergedPolicyPassesCheck() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-learn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("app.yaml").path
        try LearnOutput.write(
            LearnedPolicy(name: "app-1.0", images: ["localhost/app:1.0"], counts: ["read": 1, "mkdir": 2]), to: path)
        try LearnOutput.write(
            LearnedPolicy(name: "app-1.0", images: ["localhost/app:1.0"], counts: ["getdents64": 3]), to: path)
        let r = try callguard(["check", "--policies", directory.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "ok: 1 policies, 1 active, no default policy\n")
    }

    @Test func aBadDurationIsAUsageErrorBeforeTouchingTheKernel() throws {
        let r = try callguard(["learn", "--image", "localhost/app:1.0", "--duration", "soon"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--duration 'soon' is not a duration"))
    }

    @Test func theDefaultPolicyPatternIsRefusedAsAnImage() throws {
        let r = try callguard(["learn", "--image", "*", "--duration", "1s"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is not an image reference"))
    }
}
