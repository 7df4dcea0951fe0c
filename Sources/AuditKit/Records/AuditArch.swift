import CAudit

/// An audit architecture: the `arch=` field of a SYSCALL or SECCOMP record,
/// an `AUDIT_ARCH_*` value (ELF machine plus 64-bit and little-endian flags).
///
/// Syscall numbers only mean something together with their arch: x86_64 and
/// i386 number the same syscall differently.
public struct AuditArch: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The corresponding C value is `AUDIT_ARCH_X86_64`.
    public static let x86_64 = AuditArch(rawValue: 0xC000_003E)
    /// The corresponding C value is `AUDIT_ARCH_I386`.
    public static let i386 = AuditArch(rawValue: 0x4000_0003)
    /// The corresponding C value is `AUDIT_ARCH_AARCH64`.
    public static let aarch64 = AuditArch(rawValue: 0xC000_00B7)

    /// libaudit's machine number for this arch (`audit_elf_to_machine`), or nil
    /// when libaudit does not know it.
    public var machine: Int32? {
        let m = audit_elf_to_machine(rawValue)
        return m < 0 ? nil : m
    }

    /// libaudit's name for the arch (`audit_machine_to_name`): "x86_64", "i386", "aarch64".
    public var name: String? {
        guard let machine, let cName = audit_machine_to_name(machine) else { return nil }
        return String(cString: cName)
    }

    /// The arch libaudit calls `name` ("x86_64", "b64" on this host, "i386", "b32", "aarch64").
    public init?(name: String) {
        let machine = audit_determine_machine(name)
        guard machine >= 0 else { return nil }
        let elf = audit_machine_to_elf(machine)
        guard elf != 0 else { return nil }
        self.init(rawValue: elf)
    }

    /// The syscall's name on this arch (`audit_syscall_to_name`), or nil when unknown.
    public func syscallName(_ number: Int32) -> String? {
        guard let machine, let cName = audit_syscall_to_name(number, machine) else { return nil }
        return String(cString: cName)
    }

    /// The syscall number of `name` on this arch (`audit_name_to_syscall`), or nil when unknown.
    public func syscallNumber(_ name: String) -> Int32? {
        guard let machine else { return nil }
        let n = audit_name_to_syscall(name, machine)
        return n < 0 ? nil : n
    }

    public var description: String { name ?? "0x" + String(rawValue, radix: 16) }
}
