import AuditKit
import ContainerKit
import Foundation
import Glibc
import TestSupport
import Testing

/// The kernel's own clocks: a real SECCOMP record (its time from the audit
/// clock) of a process that exited, whose pid a host process then got
/// (`/proc/sys/kernel/ns_last_pid`), is not answered for that host process by
/// the attributor over the real `/proc` (its start time from CLOCK_BOOTTIME).
@Suite(.serialized)
struct RecordBeforeReusedPidLiveTests {
    /// Installs a seccomp filter returning SECCOMP_RET_LOG for uname(2), calls it once, exits.
    static let seccompChild = LiveAuditPipelineTests.seccompChild

    static var prerequisites: Bool {
        LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            && LiveAuditPipelineTests.uname_x86_64
            && FileManager.default.isWritableFile(atPath: "/proc/sys/kernel/ns_last_pid")
    }

    /// The record's time, ms since the epoch, from `audit(SECS.MS:SERIAL):`.
    static func milliseconds(_ record: ReceivedRecord) -> UInt64? {
        guard let open = record.text.firstIndex(of: "("), let colon = record.text.firstIndex(of: ":") else { return nil }
        let parts = record.text[record.text.index(after: open)..<colon].split(separator: ".")
        guard parts.count == 2, let seconds = UInt64(parts[0]), let ms = UInt64(parts[1]) else { return nil }
        return seconds * 1000 + ms
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func realRecordIsNotAnsweredForTheHostProcessThatGotItsPidLater() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, /usr/bin/python3, x86_64, writable ns_last_pid")
        else { return }
        try await LiveAudit.withRestoredState {
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: []))
            defer { session.stop() }
            let pid = try LiveAudit.runChild("/usr/bin/python3", ["-c", Self.seccompChild])  // exited and reaped
            let isItsRecord: (ReceivedRecord) -> Bool = { $0.type == RecordType.seccomp && $0.field("pid") == String(pid) }
            var collector = RecordCollector(waker: session.reader.waker) { $0.contains(where: isItsRecord) }
            try session.reader.run(&collector, until: .now + .seconds(10))
            let record = try #require(collector.records.first(where: isItsRecord), "no SECCOMP record of pid \(pid)")
            let written = try #require(Self.milliseconds(record))

            usleep(300_000)  // the pid goes round later than the margin
            var reused: pid_t = -1
            for _ in 0..<50 {
                let next = LivePidReuseTests.spawnSleep(wantingPid: pid)
                if next == pid {
                    reused = next
                    break
                }
                LivePidReuseTests.stop(next)  // another process took the pid first: try again
            }
            try #require(reused == pid, "the kernel never handed pid \(pid) out again")
            defer { LivePidReuseTests.stop(reused) }

            let attributor = Attributor()
            attributor.collectExits()
            #expect(attributor.attribute(pid: pid, ppid: 0, writtenAt: written) == .unknown, "\(record.text)")
            #expect(attributor.counters.recordsBeforeTheirProcess == 1)
            // The same facts without the record's time: the host process's answer (as before).
            #expect(attributor.attribute(pid: pid, ppid: 0) == .host)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func realRecordOfALiveProcessIsAnsweredForIt() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, /usr/bin/python3, x86_64, writable ns_last_pid")
        else { return }
        try await LiveAudit.withRestoredState {
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: []))
            defer { session.stop() }
            let attributor = Attributor()
            let child = try SpawnedProcess("/usr/bin/python3", ["-c", Self.seccompChild + "\nimport time; time.sleep(10)\n"])
            defer { child.terminate() }
            let pid = child.pid
            let isItsRecord: (ReceivedRecord) -> Bool = { $0.type == RecordType.seccomp && $0.field("pid") == String(pid) }
            var collector = RecordCollector(waker: session.reader.waker) { $0.contains(where: isItsRecord) }
            try session.reader.run(&collector, until: .now + .seconds(10))
            let record = try #require(collector.records.first(where: isItsRecord), "no SECCOMP record of pid \(pid)")
            let written = try #require(Self.milliseconds(record))
            attributor.collectExits()
            #expect(attributor.attribute(pid: pid, ppid: 0, writtenAt: written) == .host, "\(record.text)")
            #expect(attributor.counters.recordsBeforeTheirProcess == 0)
            if let reading = ProcFileSystem().wallClock(), let stat = ProcFileSystem().stat(pid: pid) {
                let started = reading.wallMillisecondsAtBoot + Int64(stat.startTime * reading.millisecondsPerTick)
                print("record written \(Int64(written) - started) ms after its process's start tick (margin 100 ms)")
            }
        }
    }
}
