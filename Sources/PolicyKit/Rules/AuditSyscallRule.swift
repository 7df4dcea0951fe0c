import AuditKit

/// One audit rule callguard wants in the kernel: on exit from any of
/// `syscalls` on `arch`, by any process except `excludedPid`, record an event
/// tagged `key`. Installing it is AuditKit's job; this is the plain value.
public struct AuditSyscallRule: Hashable, Sendable, CustomStringConvertible {
    public var arch: AuditArch
    /// Syscall numbers on `arch`, ascending.
    public var syscalls: [Int32]
    /// The agent's own pid, so that its activity is not audited.
    public var excludedPid: Int32?
    public var key: String

    public init(arch: AuditArch, syscalls: [Int32], excludedPid: Int32?, key: String = RuleCompiler.key) {
        self.arch = arch
        self.syscalls = syscalls
        self.excludedPid = excludedPid
        self.key = key
    }

    /// `b64` for 64-bit arches, `b32` for 32-bit ones, as auditctl's `-F arch=`
    /// spells them (relative to the host).
    public var archField: String { arch.rawValue & 0x8000_0000 != 0 ? "b64" : "b32" }

    /// The longest line auditctl reads from a rules file (`auditctl -R`,
    /// `LINE_SIZE` 6144 in audit-userspace) less the newline and some margin.
    public static let maxAuditctlLine = 6000

    /// The rule in auditctl syntax:
    /// `-a always,exit -F arch=b64 -S read,write -F pid!=42 -k callguard`.
    /// Syscalls are named (as libaudit names them on `arch`); when the names
    /// would make the line longer than ``maxAuditctlLine``, they are numbers.
    public var auditctl: String {
        let named = render(syscalls.map { arch.syscallName($0) ?? String($0) })
        guard named.utf8.count > Self.maxAuditctlLine else { return named }
        return render(syscalls.map { String($0) })
    }

    private func render(_ list: [String]) -> String {
        var s = "-a always,exit -F arch=\(archField) -S \(list.joined(separator: ","))"
        if let pid = excludedPid { s += " -F pid!=\(pid)" }
        return s + " -k \(key)"
    }

    public var description: String { auditctl }
}
