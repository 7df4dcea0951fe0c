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

    /// The rule in auditctl syntax:
    /// `-a always,exit -F arch=b64 -S read,write -F pid!=42 -k callguard`.
    public var auditctl: String {
        let names = syscalls.map { arch.syscallName($0) ?? String($0) }.joined(separator: ",")
        var s = "-a always,exit -F arch=\(archField) -S \(names)"
        if let pid = excludedPid { s += " -F pid!=\(pid)" }
        return s + " -k \(key)"
    }

    public var description: String { auditctl }
}
