import Foundation
import SinkKit
import TestSupport
import Testing

/// `callguard replay` (the built executable) into a real rsyslogd over
/// `syslog+tcp` (imtcp) and `syslog+relp` (imrelp): no violation is dropped
/// silently. What the receiver does not take is held and retried until it
/// returns or `--timeout` ends; what is then not delivered makes replay exit 2
/// with the count. RELP confirms every message, so a `kill -9` of rsyslogd
/// loses nothing; over TCP what rsyslogd's kernel took but rsyslogd had not
/// written dies with it, and replay reports how many messages that could be.
@Suite(.serialized) struct ReplayDeliveryTests {
    static let ready = RequireIntegration.shouldRun(RsyslogReceiver.relpPrerequisitesPresent)
    static func present() -> Bool {
        RequireIntegration.check(RsyslogReceiver.relpPrerequisitesPresent, "rsyslogd, rsyslog-relp, rsyslog-gnutls and openssl")
    }

    static let firstSerial: UInt64 = 5_000

    /// `count` events, each a distinct violation (mount, with its own executable
    /// and serial) of a container of localhost/app:1, one line pair per event.
    static func events(_ count: Int) -> [String] {
        (0..<count).map { i in
            let serial = firstSerial + UInt64(i)
            let stamp = "audit(1795934548.\(String(format: "%03d", i % 1000)):\(serial))"
            return "type=SYSCALL msg=\(stamp): arch=c000003e syscall=165 success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 "
                + "pid=\(20_000 + i) auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
                + "ses=4294967295 comm=\"tool\" exe=\"/usr/bin/tool-\(i)\" key=(null)\ntype=EOE msg=\(stamp): \n"
        }
    }

    /// A policy for localhost/app:1 that does not allow mount.
    static func writePolicy(in directory: String) throws -> String {
        let policies = directory + "/policies"
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        try """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: app}
        spec:
          images: ["localhost/app:1"]
          allow: [read, write, exit_group]
          severity: high
        """.write(toFile: policies + "/app.yaml", atomically: true, encoding: .utf8)
        return policies
    }

    /// `callguard replay - ...` with its standard input a pipe the test writes to.
    final class Replay {
        let process = Process()
        let input = Pipe()
        let stderrPath: String

        init(_ arguments: [String], directory: String) throws {
            signal(SIGPIPE, SIG_IGN)
            stderrPath = directory + "/replay.err"
            guard FileManager.default.createFile(atPath: stderrPath, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: stderrPath])
            }
            process.executableURL = URL(fileURLWithPath: AgentProcess.executable)
            process.arguments = ["replay"] + arguments
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try process.run()
            // Children the test starts later (rsyslogd) must not inherit the write end, or replay never sees EOF.
            _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
            try? input.fileHandleForReading.close()
        }

        /// Writes `events` at 50 a second: below the throttle's cap, so every one is its own message.
        func feed(_ events: [String], after: (Int) throws -> Void = { _ in }) rethrows {
            for (i, event) in events.enumerated() {
                write(event)
                usleep(20_000)
                try after(i)
            }
        }

        /// Writes to its input (a replay that died is seen in its exit status, not as SIGPIPE here).
        func write(_ text: String) { try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }

        /// Closes its input and waits for it (killed after `timeout` seconds); the exit status.
        func finish(timeout: Double) -> Int32 {
            try? input.fileHandleForWriting.close()
            let deadline = Date(timeIntervalSinceNow: timeout)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return -1
            }
            return process.terminationStatus
        }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        /// The `sinks` object of the `--stats` line.
        var sinkStatistics: [String: Any] {
            guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("{\"records\"") }),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { return [:] }
            return object["sinks"] as? [String: Any] ?? [:]
        }
    }

    static func arguments(_ sink: String, policies: String, timeout: String) -> [String] {
        ["-", "--policies", policies, "--assume-image", "localhost/app:1", "--format", "cef", "--stats", "--sink", sink,
         "--timeout", timeout]
    }

    static func sink(_ transport: String, _ receiver: RsyslogReceiver, window: Int = 16) -> (spec: String, output: String) {
        transport == "relp"
            ? ("syslog+relp://127.0.0.1:\(receiver.relpPort)?window=\(window)", receiver.relpReceivedFile)
            : ("syslog+tcp://127.0.0.1:\(receiver.tcpPort)", receiver.receivedFile)
    }

    /// Audit serials in the receiver's output, in arrival order.
    static func serials(_ lines: [String]) -> [UInt64] {
        lines.compactMap { line -> UInt64? in
            guard let (_, _, _, body) = SyslogDeliveryTests.splitSyslog(line, rfc3164: false) else { return nil }
            return SyslogDeliveryTests.fields(body, .cef)?.serial
        }
    }

    static var all: [UInt64] { (0..<UInt64(400)).map { firstSerial + $0 } }

    /// 400 distinct violations fed at 50 a second (below the throttle's cap:
    /// every one is its own message); rsyslogd is killed with SIGKILL after 150
    /// and started again after 250.
    @Test(.enabled(if: ready), arguments: ["relp", "tcp"])
    func replayThroughAKill9OfTheReceiverDropsNothingSilently(transport: String) throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        try receiver.start()
        let policies = try Self.writePolicy(in: receiver.directory)
        let window = 16
        let (spec, output) = Self.sink(transport, receiver, window: window)
        let replay = try Replay(Self.arguments(spec, policies: policies, timeout: "30s"), directory: receiver.directory)
        try replay.feed(Self.events(400)) { i in
            if i == 150 { receiver.kill9() }
            if i == 250 { try receiver.start() }
        }
        let status = replay.finish(timeout: 60)
        let lines = receiver.waitForMessages(400, timeout: 10, file: output)
        let serials = Self.serials(lines)
        let sinks = replay.sinkStatistics
        let unconfirmed = sinks["unconfirmed"] as? Int ?? -1
        let missing = Set(Self.all).subtracting(serials).sorted()
        let duplicates = serials.count - Set(serials).count
        print("replay over \(transport) through kill -9: \(lines.count) lines, \(missing.count) missing, \(duplicates) duplicates, "
            + "exit \(status), sinks \(sinks)")
        #expect(serials.count == lines.count, "every line parses")
        #expect(sinks["dropped"] as? Int == 0, "nothing the sink knew undelivered was dropped: \(replay.stderr)")
        #expect((sinks["held"] as? Int ?? 0) > 0, "the outage was bridged by holding: \(sinks)")
        #expect(status == 1, "violations found, every one delivered or accounted for: \(replay.stderr)")
        if transport == "relp" {
            #expect(missing.isEmpty, "missing \(missing.count): \(missing.prefix(20)); rsyslogd: \(receiver.diagnostics)")
            #expect(duplicates <= window + 1, "one connection loss sends one window (and the failed message) again, not \(duplicates)")
            #expect(unconfirmed == 0, "RELP confirms every message")
        } else {
            // TCP cannot tell what rsyslogd wrote before it died: whatever is missing
            // must be within what replay reported as unconfirmed, and it must say so.
            #expect(unconfirmed > 0, "the broken connection's acknowledged messages are counted: \(sinks)")
            #expect(missing.count <= unconfirmed, "missing \(missing.count), reported unconfirmed \(unconfirmed)")
            #expect(replay.stderr.contains("\(unconfirmed) message(s) went over a syslog TCP/TLS connection that then broke"))
            #expect(duplicates == 0, "TCP re-sends only what its kernel never acknowledged")
        }
    }

    /// Nothing listens while replay reads its log; rsyslogd comes up a second
    /// after the end of it, within --timeout: everything arrives, in order, once.
    @Test(.enabled(if: ready), arguments: ["relp", "tcp"])
    func receiverDownAtStartGetsEveryViolationInOrderWhenItComesWithinTheTimeout(transport: String) throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        let policies = try Self.writePolicy(in: receiver.directory)
        let (spec, output) = Self.sink(transport, receiver)
        let replay = try Replay(Self.arguments(spec, policies: policies, timeout: "30s"), directory: receiver.directory)
        try replay.feed(Self.events(400))
        try? replay.input.fileHandleForWriting.close()
        usleep(1_000_000)
        try receiver.start()
        let status = replay.finish(timeout: 40)
        let lines = receiver.waitForMessages(400, timeout: 10, file: output)
        let sinks = replay.sinkStatistics
        #expect(status == 1, "\(replay.stderr)")
        #expect(Self.serials(lines) == Self.all, "every one, in order, once; sinks \(sinks); rsyslogd: \(receiver.diagnostics)")
        #expect(sinks["held"] as? Int == 400, "all held while nothing listened: \(sinks)")
        #expect(sinks["dropped"] as? Int == 0)
    }

    /// Nothing ever listens: replay gives up after --timeout and exits 2, naming
    /// how many violations were not delivered.
    @Test(.enabled(if: ready), arguments: ["relp", "tcp"])
    func receiverThatNeverComesMakesReplayExitTwoAfterTheTimeoutWithTheCount(transport: String) throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        let policies = try Self.writePolicy(in: receiver.directory)
        let (spec, _) = Self.sink(transport, receiver)
        let started = Date()
        let replay = try Replay(Self.arguments(spec, policies: policies, timeout: "2s"), directory: receiver.directory)
        replay.write(Self.events(50).joined())
        let status = replay.finish(timeout: 30)
        let took = Date().timeIntervalSince(started)
        #expect(status == 2, "\(replay.stderr)")
        #expect(replay.stderr.contains("50 violation(s) were not delivered"), "\(replay.stderr)")
        #expect(replay.stderr.contains("--timeout 2s"))
        #expect(took >= 2 && took < 20, "it waited for the timeout, not longer: \(took) s")
        #expect((replay.sinkStatistics["dropped_by_cause"] as? [String: Int])?["timeout"] == 50)
    }
}
