/// Which audit exit rules `callguard run` keeps in the kernel (`--rules`, config key `rules`).
///
/// Every exit rule costs every process of the host: while one is loaded,
/// each syscall takes audit's slow path, and each syscall a rule matches
/// makes a record. Guarded containers need none: their seccomp LOG profile
/// makes the kernel write a SECCOMP record for each syscall their policy does
/// not allow.
public enum RuleMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// No exit rule while every running container is guarded (has a callguard
    /// seccomp profile); a container without one is reported once
    /// (`container-unguarded`) and gets bounded per-process rules for the
    /// syscalls its policy does not allow, removed when its processes are gone.
    case auto
    /// No exit rule at all: only guarded containers are checked (SECCOMP
    /// records); an unguarded one is reported once (`container-unguarded`) and
    /// not checked.
    case none
    /// Bounded per-process rules for every container process, guarded or not.
    case containers
    /// System-wide rules for every syscall some active policy does not allow
    /// (what `callguard rules` prints): every host process pays for them.
    case system

    /// Whether running containers are scanned (for reports or per-process rules).
    public var scansContainers: Bool { self != .system }
    /// Whether a container without a callguard profile is reported (`container-unguarded`).
    public var reportsUnguarded: Bool { self == .auto || self == .none }
    /// Whether containers get per-process rules (`auto`: the unguarded ones; `containers`: all).
    public var loadsProcessRules: Bool { self == .auto || self == .containers }

    public var description: String { rawValue }
}
