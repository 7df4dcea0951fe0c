extension Violation.Process {
    /// No process: a notice's (`audit-records-lost`). Pid 0 never makes a
    /// call a policy checks, so a violation always has a process.
    public var isNone: Bool {
        pid == 0 && name.bytes.isEmpty && executable.bytes.isEmpty && commandLine == nil && filePath == nil
    }
}

extension Violation.Syscall {
    /// No syscall: a notice's, which comes from no syscall record (number -1,
    /// no name and no arch; a violation always has its arch's name).
    public var isNone: Bool { number == -1 && name.isEmpty && arch.isEmpty }
}

extension Violation.Policy {
    /// No policy: a notice that no policy is about (`audit-records-lost`).
    public var isNone: Bool { name.isEmpty && file.isEmpty }
}

extension Violation {
    /// A report that comes from no syscall record (`container-unguarded`,
    /// `audit-records-lost`): it has no syscall and no audit serial, and the
    /// formats leave those out, with its process and rule when it has none.
    public var isNotice: Bool { syscall.isNone }
}
