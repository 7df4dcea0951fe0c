/// A syscall audit rule for callguard to install: `-a always,exit -F arch=… -S … -F … -k callguard`.
///
/// The value the policy compiler produces and ``AuditControl/install(_:excludingPid:)``
/// loads through libaudit. It is always an `exit`-filter rule with action `always`.
public struct AuditRule: Hashable, Sendable, CustomStringConvertible {
    /// callguard's rule key: every rule it installs carries it, and it never
    /// removes a rule without it.
    public static let callguardKey = "callguard"

    /// The syscall ABI a rule matches (`-F arch=b64` / `b32`), relative to
    /// the host as libaudit reads it. The one place that maps an
    /// ``AuditArch`` to it is ``init(_:)``.
    public enum Arch: String, Hashable, Sendable, CaseIterable {
        /// The native 64-bit ABI (x86_64, aarch64).
        case b64
        /// The 32-bit compat ABI (i386 on x86_64).
        case b32

        /// The ABI of `arch` on this host: the arch libaudit takes for `b64`
        /// is b64, the one it takes for `b32` is b32; any other arch (not
        /// this host's) has no rule arch.
        public init?(_ arch: AuditArch) {
            guard let found = Arch.allCases.first(where: { $0.auditArch == arch }) else { return nil }
            self = found
        }

        /// The host arch libaudit resolves this ABI to (x86_64 and i386 on an
        /// x86_64 host), or nil when the host has no such ABI.
        public var auditArch: AuditArch? {
            switch self {
            case .b64: Arch.host64
            case .b32: Arch.host32
            }
        }

        /// The ABIs this host runs, native first.
        public static var onHost: [Arch] { allCases.filter { $0.auditArch != nil } }

        private static let host64 = AuditArch(name: "b64")
        private static let host32 = AuditArch(name: "b32")
    }

    /// A syscall, by name (resolved by libaudit for the rule's arch) or by number.
    public enum Syscall: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        case name(String)
        case number(Int32)

        public init(stringLiteral value: String) { self = .name(value) }

        /// Every syscall of the rule's arch (`-S all`). Only accepted in a rule
        /// bounded to processes by a `pid=` or `ppid=` condition
        /// (``AuditRule/isBoundedToProcesses``): callguard never audits every
        /// syscall of the machine.
        public static let all = Syscall.name("all")

        /// The text libaudit resolves: the name, or the number in decimal.
        public var description: String {
            switch self {
            case .name(let n): n
            case .number(let n): String(n)
            }
        }
    }

    /// Whether the rule matches every syscall (`-S all`).
    public var coversAllSyscalls: Bool { syscalls.contains(.all) }

    /// Whether a condition limits the rule to given processes: `pid=N` or
    /// `ppid=N` (what a rule with ``Syscall/all`` needs to be loaded).
    public var isBoundedToProcesses: Bool {
        fields.contains { ($0.name == "pid" || $0.name == "ppid") && $0.op == .equal }
    }

    /// The ABI the syscall numbers belong to.
    public var arch: Arch
    /// The syscalls matched. Must not be empty; ``Syscall/all`` needs a
    /// `pid=`/`ppid=` condition: callguard never audits every syscall of the machine.
    public var syscalls: [Syscall]
    /// Further conditions, all of which must hold (`-F`).
    public var fields: [AuditRuleField]
    /// The rule key (`-k`); callguard's own by default.
    public var key: String

    public init(
        arch: Arch = .b64, syscalls: [Syscall], fields: [AuditRuleField] = [], key: String = AuditRule.callguardKey
    ) {
        self.arch = arch
        self.syscalls = syscalls
        self.fields = fields
        self.key = key
    }

    /// The rule in auditctl syntax, as `auditctl -l` lists it once loaded
    /// with ``AuditControl/install(_:excludingPid:)``: `-a always,exit -F arch=b64
    /// -S read,uname -F ppid=7 -F pid!=42 -F key=callguard`. Syscalls are named
    /// as libaudit names them on the rule's arch (a number it cannot name stays
    /// a number), in ascending syscall number, once each; `-S all` for every
    /// syscall; then the fields in order, the install's own-pid exclusion, the key.
    /// The one renderer: `callguard rules` prints it, and what is installed is
    /// this rule. A file of such lines is what `auditctl -R` reads.
    public func auditctl(excludingPid: UInt32? = nil) -> String {
        var parts = ["-a always,exit", "-F arch=\(arch.rawValue)", "-S \(syscallList)"]
        parts += fields.map { "-F \($0)" }
        if let pid = excludingPid { parts.append("-F pid!=\(pid)") }
        parts.append("-F key=\(key)")
        return parts.joined(separator: " ")
    }

    /// The rule in auditctl syntax without the own-pid exclusion (``auditctl(excludingPid:)``).
    public var description: String { auditctl(excludingPid: nil) }

    /// The `-S` list: `all`, or the syscalls by ascending number, named where libaudit can.
    private var syscallList: String {
        if coversAllSyscalls { return "all" }
        let table = arch.auditArch
        var seen = Set<Int32>()
        var numbered: [(number: Int32, text: String)] = []
        var unresolved: [String] = []
        for syscall in syscalls {
            switch syscall {
            case .number(let n):
                if seen.insert(n).inserted { numbered.append((n, table?.syscallName(n) ?? String(n))) }
            case .name(let name):
                if let n = table?.syscallNumber(name) {
                    if seen.insert(n).inserted { numbered.append((n, name)) }
                } else if !unresolved.contains(name) {
                    unresolved.append(name)
                }
            }
        }
        return (numbered.sorted { $0.number < $1.number }.map(\.text) + unresolved).joined(separator: ",")
    }
}

/// One rule condition (`-F name op value`), such as `pid!=42`, `success=0`,
/// `ppid=7`, `auid>=1000`. libaudit checks the name and value.
public struct AuditRuleField: Hashable, Sendable, CustomStringConvertible {
    /// A comparison operator of the audit rule language.
    public enum Operator: String, Hashable, Sendable {
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case greater = ">"
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case bitMask = "&"
        case bitTest = "&="
    }

    /// The field name as auditctl spells it (`pid`, `ppid`, `uid`, `success`, `exit`, …).
    public var name: String
    public var op: Operator
    public var value: String

    public init(_ name: String, _ op: Operator, _ value: String) {
        self.name = name
        self.op = op
        self.value = value
    }

    /// `name=value`.
    public static func equal(_ name: String, _ value: some CustomStringConvertible) -> AuditRuleField {
        AuditRuleField(name, .equal, value.description)
    }

    /// `name!=value`.
    public static func notEqual(_ name: String, _ value: some CustomStringConvertible) -> AuditRuleField {
        AuditRuleField(name, .notEqual, value.description)
    }

    /// The libaudit field pair text, `name<op>value`.
    public var description: String { name + op.rawValue + value }
}
