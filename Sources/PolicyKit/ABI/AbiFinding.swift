import AuditKit

/// One syscall an image uses, judged against a target kernel: its verdict and
/// the catalogue's facts behind it.
public struct AbiFinding: Sendable, Hashable {
    /// The kernel's name for it ("pread64", not libaudit's x86_64 "pread").
    public let name: String
    /// Its number on the arch asked about, when libaudit has one.
    public let number: Int32?
    public let availability: SyscallAvailability
    /// The catalogue entry, nil when the catalogue does not know the name.
    public let entry: SyscallCatalogue.Entry?

    public init(name: String, number: Int32?, availability: SyscallAvailability, entry: SyscallCatalogue.Entry?) {
        self.name = name
        self.number = number
        self.availability = availability
        self.entry = entry
    }
}

/// What one image (one policy's allowlist, or what a journal observed) needs
/// from a target kernel.
public struct ImageAbiReport: Sendable {
    /// The policy's name, or the journal's path.
    public let subject: String
    /// The file it came from.
    public let file: String
    /// The image patterns the policy claims (empty for a journal or the default policy).
    public let images: [String]
    /// How many syscalls were judged.
    public let syscallCount: Int
    /// Introduced after the target kernel: ENOSYS there. Breaks.
    public let missing: [AbiFinding]
    /// Removed at or before the target kernel. Breaks.
    public let removed: [AbiFinding]
    /// Present but deprecated on the target kernel: a warning.
    public let deprecated: [AbiFinding]
    /// Reserved slots never implemented: ENOSYS on every kernel, no drift.
    public let unimplemented: [AbiFinding]
    /// Names the catalogue does not know.
    public let unknown: [AbiFinding]
    /// Introduced after the `--since` floor (empty without a floor).
    public let newerThanFloor: [AbiFinding]

    /// Whether the image would break on the target kernel (missing or removed syscalls).
    public var breaks: Bool { !missing.isEmpty || !removed.isEmpty }
    /// Whether there is anything to warn about without breaking.
    public var hasWarnings: Bool { !deprecated.isEmpty || !unknown.isEmpty }
}

/// The answer to "will these images still run on that kernel?".
public struct AbiReport: Sendable {
    public let kernel: KernelVersion
    public let arch: AuditArch
    public let since: KernelVersion?
    public let images: [ImageAbiReport]

    public init(kernel: KernelVersion, arch: AuditArch, since: KernelVersion?, images: [ImageAbiReport]) {
        self.kernel = kernel
        self.arch = arch
        self.since = since
        self.images = images
    }

    /// Whether any image would break on the target kernel.
    public var breaks: Bool { images.contains(where: \.breaks) }
}
