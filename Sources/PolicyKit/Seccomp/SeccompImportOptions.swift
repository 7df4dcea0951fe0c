/// How conditional entries of a seccomp profile become an allowlist.
///
/// A syscall allowlist cannot express arguments or capabilities, so:
/// - an entry with `args` conditions counts as allowing its syscalls (the
///   syscall can succeed with some arguments);
/// - `includes.caps` / `excludes.caps` are judged against `capabilities`, the
///   capability set containers get (podman's default set unless changed);
/// - `includes.minKernel` is taken as met;
/// - `includes.arches` / `excludes.arches` select the arches an entry applies to.
public struct SeccompImportOptions: Sendable, Hashable {
    /// The capabilities containers are assumed to hold.
    public var capabilities: Set<String>

    public init(capabilities: Set<String> = SeccompImportOptions.podmanDefaultCapabilities) {
        self.capabilities = capabilities
    }

    /// podman's default capability set (containers.conf `default_capabilities`).
    public static let podmanDefaultCapabilities: Set<String> = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
        "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
    ]
}
