/// PolicyKit: YAML syscall policies, image matching, syscall sets and the rule compiler.
///
/// - Load: `PolicyLoader().load(directory:)` → ``PolicyLoadResult`` (a ``PolicySet``
///   when there are no errors, and every ``Diagnostic`` as FILE:LINE:COL: message).
/// - Hold and reload: ``PolicyStore`` swaps in a new set only when it loaded whole.
/// - Per container: ``PolicySet/policy(forImage:digest:)`` once, then per event
///   ``CompiledPolicy/allows(arch:syscall:)`` (a bitmap test, no allocation).
/// - Kernel rules: ``RuleCompiler/compile(_:)`` → AuditKit's `AuditRule`s.
/// - Seccomp: profiles are read as policies or includes; ``SeccompProfileExporter``
///   writes a policy as an OCI profile.
public enum PolicyKit {}
