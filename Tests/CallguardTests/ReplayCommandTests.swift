import Foundation
import Testing
import TestSupport

/// `callguard replay`, run as the built executable on a real kernel excerpt:
/// an execve event (its SYSCALL record's number changed to mount's, 165, since
/// every container may execve: the runtime allowance) replayed as if from a
/// container of `localhost/app:1`, whose policy does not allow mount.
@Suite struct ReplayCommandTests {
    let log = Fixtures.directory().appendingPathComponent("replay/execve-event.log").path
    let policies = Fixtures.directory().appendingPathComponent("replay/policies").path

    @Test func violationIsPrintedAsECSJSONAndExitsOne() throws {
        let r = try CallguardCommand.run(["replay", log, "--policies", policies, "--assume-image", "localhost/app:1"])
        #expect(r.status == 1, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let syscall = try #require(object["syscall"] as? [String: Any])
        #expect(syscall["name"] as? String == "mount")
        #expect(syscall["number"] as? Int == 165)
        let process = try #require(object["process"] as? [String: Any])
        #expect(process["pid"] as? Int == 12036)
        #expect(process["executable"] as? String == "/usr/bin/podman")
        #expect((object["policy"] as? [String: Any])?["name"] as? String == "app")
        #expect(((object["container"] as? [String: Any])?["image"] as? [String: Any])?["name"] as? String == "localhost/app:1")
        #expect((object["audit"] as? [String: Any])?["serial"] as? Int == 25_328_341)
    }

    @Test func cefFormatCarriesTheSameViolation() throws {
        let r = try CallguardCommand.run(
            ["replay", log, "--policies", policies, "--assume-image", "localhost/app:1", "--format", "cef"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("CEF:0|callguard|callguard|"))
        #expect(r.stdout.contains("mount"))
    }

    @Test func statsAreOneJSONLineOnStandardError() throws {
        let r = try CallguardCommand.run(["replay", log, "--policies", policies, "--assume-image", "localhost/app:1", "--stats"])
        let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("{\"records\"") })
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(stats["records"] as? Int == 7)
        #expect(stats["events"] as? Int == 1)
        #expect(stats["violations"] as? Int == 1)
        #expect(stats["malformed"] as? Int == 0)
    }

    @Test func standardInputIsReadForDash() throws {
        let r = try CallguardCommand.run(["replay", "-", "--policies", policies, "--assume-image", "localhost/app:1"], stdin: log)
        #expect(r.status == 1)
        #expect(r.stdout.contains("\"mount\""))
    }

    @Test func withoutAnAssumedImageNothingIsCheckedAndItSaysSo() throws {
        let r = try CallguardCommand.run(["replay", log, "--policies", policies])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--assume-image"))
    }

    @Test func unreadableLogExitsTwoWithAReason() throws {
        let r = try CallguardCommand.run(["replay", "/nonexistent/audit.log", "--policies", policies])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot open /nonexistent/audit.log"))
    }

    @Test func badSinkExitsTwo() throws {
        let r = try CallguardCommand.run(["replay", log, "--policies", policies, "--assume-image", "localhost/app:1", "--sink", "carrier-pigeon://x"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("carrier-pigeon"))
    }

    @Test func malformedLinesAreCountedAndTheRestReplayed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("broken.log").path
        let good = try String(contentsOfFile: log, encoding: .utf8)
        try ("type=SYSCALL msg=audit(garbage\n\u{0}\u{1}\u{2}\n" + good + "type=NOPE msg=audit(1.000:1): x=1\n")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let r = try CallguardCommand.run(["replay", broken, "--policies", policies, "--assume-image", "localhost/app:1", "--stats"])
        #expect(r.status == 1)
        let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("{\"records\"") })
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(stats["malformed"] as? Int == 3)
        #expect(stats["records"] as? Int == 7)
        #expect(stats["violations"] as? Int == 1)
    }
}
