import AuditKit
import Foundation
import TestSupport
import Testing

/// Live records through the same parser and assembler as `replay`.
@Suite(.serialized)
struct LiveAuditPipelineTests {
    /// What a test keeps of an assembled event (events are only valid inside the handler).
    struct Seen: Sendable {
        var types: [UInt16]
        var pid: Int32?
        var syscall: Int32?
        var success: Bool?
        var arch: AuditArch?
        var key: String?
        var reason: CompletionReason
    }

    final class Box: @unchecked Sendable {
        var events: [Seen] = []
    }

    static func seen(_ event: AssembledEvent) -> Seen {
        let types = (0..<event.count).map { event[$0].type.rawValue }
        let main = event.first(.syscall) ?? event.first(.seccomp)
        let summary = main.flatMap { try? SyscallSummary($0) }
        let key = summary?.key.map { String(decoding: UnsafeRawBufferPointer(start: $0.value.start, count: $0.value.count), as: UTF8.self) }
        return Seen(
            types: types, pid: summary?.pid, syscall: summary?.syscall, success: summary?.success,
            arch: summary?.arch, key: key, reason: event.reason)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func childSyscallAssemblesIntoOneEventWithPidSyscallAndSuccess() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let rule = AuditRule(syscalls: ["mkdir", "mkdirat"], fields: [.equal("ppid", getpid())])
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: [rule]))
            defer { session.stop() }
            let child = try LiveAudit.runMkdirChild("pipeline")

            let box = Box()
            let waker = session.reader.waker
            let assembler = EventAssembler(configuration: .netlink) { event in
                let s = Self.seen(event)
                box.events.append(s)
                if s.pid == child { waker.stop() }
            }
            var consumer = AssemblingConsumer(assembler: assembler)
            try session.reader.run(&consumer, until: .now + .seconds(10))

            let event = try #require(box.events.first { $0.pid == child }, "no event for pid \(child)")
            #expect(event.reason == .endOfEvent)
            #expect(event.success == true)
            #expect(event.arch == .x86_64)
            #expect(event.syscall.flatMap { AuditArch.x86_64.syscallName($0) }.map { $0.hasPrefix("mkdir") } == true)
            #expect(event.types.first == RecordType.syscall)
            #expect(event.types.contains(RecordType.cwd))
            #expect(event.types.contains(RecordType.path))
            #expect(event.types.contains(RecordType.proctitle))
            #expect(consumer.malformed.total == 0)
        }
    }

    /// A child that installs a seccomp filter returning SECCOMP_RET_LOG for uname(2), then calls it.
    static let seccompChild = """
        import ctypes, os, struct
        libc = ctypes.CDLL(None, use_errno=True)
        code = b"".join(struct.pack("HBBI", *i) for i in [
            (0x20, 0, 0, 0), (0x15, 0, 1, 63), (0x06, 0, 0, 0x7ffc0000), (0x06, 0, 0, 0x7fff0000)])
        buf = ctypes.create_string_buffer(code, len(code))
        class Prog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
        prog = Prog(4, ctypes.cast(buf, ctypes.c_void_p))
        assert libc.prctl(38, 1, 0, 0, 0) == 0
        assert libc.prctl(22, 2, ctypes.byref(prog), 0, 0) == 0
        os.uname()
        """

    static var seccompPrerequisites: Bool {
        LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            && uname_x86_64
    }

    static var uname_x86_64: Bool {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } == "x86_64"
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(seccompPrerequisites)))
    func seccompLogRecordArrivesWithoutARuleForItsSyscall() async throws {
        guard RequireIntegration.check(Self.seccompPrerequisites, "root, kernel audit, /usr/bin/python3, x86_64")
        else { return }
        try await LiveAudit.withRestoredState {
            // No audit rule at all: SECCOMP records need none.
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: []))
            defer { session.stop() }
            let child = try LiveAudit.runChild("/usr/bin/python3", ["-c", Self.seccompChild])

            let box = Box()
            let waker = session.reader.waker
            let assembler = EventAssembler(configuration: .netlink) { event in
                let s = Self.seen(event)
                box.events.append(s)
                if s.pid == child, s.types.contains(RecordType.seccomp) { waker.stop() }
            }
            var consumer = AssemblingConsumer(assembler: assembler)
            try session.reader.run(&consumer, until: .now + .seconds(10))

            let event = try #require(
                box.events.first { $0.pid == child && $0.types.contains(RecordType.seccomp) },
                "no SECCOMP record for pid \(child)")
            #expect(event.syscall == 63)
            #expect(event.arch == .x86_64)
            // Its syscall is not audited, so no SYSCALL or EOE follows: the
            // record is alone, and the assembler completes it by timeout.
            #expect(event.types == [RecordType.seccomp])
        }
    }
}
