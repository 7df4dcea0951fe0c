@testable import SinkKit

/// Violations used across SinkKit's tests.
enum Samples {
    /// The violation of DESIGN.md's JSON example.
    static func violation(name: UntrustedBytes = "sh", executable: UntrustedBytes = "/bin/busybox", serial: UInt64 = 456) -> Violation {
        Violation(
            timestamp: Timestamp(millisecondsSinceEpoch: 1_795_932_000_123),
            event: .init(kind: "alert", action: "syscall-not-allowed", severity: 7),
            hostName: "node-1",
            container: .init(id: "3a5b0c", runtime: "podman", imageName: "localhost/app:1.0"),
            process: .init(pid: 4242, ppid: 4200, name: name, executable: executable, userID: "0"),
            syscall: .init(name: "ptrace", number: 101, arch: "x86_64", success: false, exit: -1),
            policy: .init(name: "app", file: "policies/app.yaml"),
            audit: .init(serial: serial, time: Timestamp(millisecondsSinceEpoch: 1_795_932_000_120)),
            count: 1)
    }

    /// A violation from a seccomp filter's SECCOMP record (SCMP_ACT_LOG unless
    /// `code` says otherwise): no ppid, and no result, since the kernel logs
    /// before the call runs (the fields of a real capture of busybox `sleep`).
    static func seccompViolation(code: UInt32 = 0x7FFC_0000) -> Violation {
        var v = violation(name: "sleep")
        v.process.pid = 11753
        v.process.ppid = nil
        v.syscall = .init(name: "clock_nanosleep", number: 230, arch: "x86_64", success: nil, exit: nil)
        v.source = .seccomp
        v.seccomp = .init(code: code)
        return v
    }

    /// Process-controlled values meant to forge fields or messages.
    static let hostile: [(label: String, bytes: [UInt8])] = [
        ("pipe", Array("a|b|c".utf8)),
        ("equals", Array("x=1 sproc=evil".utf8)),
        ("backslash", Array("a\\b\\".utf8)),
        ("newline", Array("sh\nCEF:0|evil|evil|1|x|x|10|act=forged".utf8)),
        ("fake-cef-header", Array("CEF:0|callguard|callguard|0.1.0|syscall-not-allowed|x|10|".utf8)),
        ("fake-json-field", Array("\",\"event\":{\"kind\":\"forged\"},\"x\":\"".utf8)),
        ("fake-leef-field", Array("x\tsev=0\tusrName=root^sev=0^cat=forged".utf8)),
        ("carriage-return-nul", [0x61, 0x0D, 0x00, 0x62, 0x1B, 0x5B, 0x32, 0x4A]),
        ("invalid-utf8", [0x66, 0x6F, 0xFF, 0xC3, 0x28, 0xE2, 0x82, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80]),
        ("c1-nel", [0x61, 0xC2, 0x85, 0x62]),
        ("bidi-rlo", Array("/tmp/evil\u{202E}hs.exe".utf8)),
        ("bidi-isolates", Array("a\u{2066}b\u{2067}c\u{2068}d\u{2069}\u{200E}\u{200F}\u{061C}".utf8)),
        ("line-paragraph-separators", Array("a\u{2028}sev=0\u{2029}b".utf8)),
        ("valid-utf8", Array("müll-🙂".utf8)),
        ("4KiB", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }),
    ]
}
