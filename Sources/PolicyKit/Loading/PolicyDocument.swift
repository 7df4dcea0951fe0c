/// One policy as written in a file, before includes are resolved and names
/// turned into syscall numbers.
struct PolicyDocument: Sendable {
    /// What the document is: a callguard policy, or a seccomp profile whose
    /// allowlist has been read already.
    enum Body: Sendable {
        case policy(allow: [Located<String>], include: [Located<String>])
        case seccomp(SyscallSet)
    }

    var file: String
    var mark: SourceMark
    var name: Located<String>
    /// nil: the policy names no images (only usable through `include`).
    var images: [Located<String>]?
    var severity: PolicySeverity
    /// `spec.action`: what the delivered seccomp profile does with calls the policy does not allow.
    var action: ProfileAction = .log
    var body: Body
}
