import AuditKit

/// One syscall an image uses, judged against a target kernel: its verdict,
/// the catalogue's facts behind it, and the libc fallback that absorbs it.
public struct AbiFinding: Sendable, Hashable {
    /// The kernel's name for it ("pread64", not libaudit's x86_64 "pread").
    public let name: String
    /// Its number on the arch asked about, when libaudit has one.
    public let number: Int32?
    public let availability: SyscallAvailability
    /// The catalogue entry, nil when the catalogue does not know the name.
    public let entry: SyscallCatalogue.Entry?
    /// For a syscall the target lacks: the image's libc falls back on ENOSYS
    /// (so it does not break the image); nil when nothing absorbs it.
    public let fallback: LibcFallback?

    public init(
        name: String, number: Int32?, availability: SyscallAvailability, entry: SyscallCatalogue.Entry?,
        fallback: LibcFallback? = nil
    ) {
        self.name = name
        self.number = number
        self.availability = availability
        self.entry = entry
        self.fallback = fallback
    }

    /// Whether this finding breaks the image: the target lacks it and no libc fallback absorbs it.
    public var breaks: Bool { availability.breaks && fallback == nil }
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
    /// Introduced after the target kernel: ENOSYS there.
    public let missing: [AbiFinding]
    /// Removed at or before the target kernel.
    public let removed: [AbiFinding]
    /// Not implemented by the target kernel's own table although its version has it.
    public let notImplemented: [AbiFinding]
    /// Present but deprecated on the target kernel: a warning.
    public let deprecated: [AbiFinding]
    /// Reserved slots never implemented: ENOSYS on every kernel, no drift.
    public let unimplemented: [AbiFinding]
    /// Names the catalogue does not know.
    public let unknown: [AbiFinding]
    /// Introduced after the `--since` floor (empty without a floor).
    public let newerThanFloor: [AbiFinding]

    public init(
        subject: String, file: String, images: [String], syscallCount: Int, missing: [AbiFinding],
        removed: [AbiFinding], notImplemented: [AbiFinding] = [], deprecated: [AbiFinding],
        unimplemented: [AbiFinding], unknown: [AbiFinding], newerThanFloor: [AbiFinding]
    ) {
        self.subject = subject
        self.file = file
        self.images = images
        self.syscallCount = syscallCount
        self.missing = missing
        self.removed = removed
        self.notImplemented = notImplemented
        self.deprecated = deprecated
        self.unimplemented = unimplemented
        self.unknown = unknown
        self.newerThanFloor = newerThanFloor
    }

    /// The syscalls the target lacks (missing, removed, not implemented).
    public var lacking: [AbiFinding] { missing + removed + notImplemented }
    /// Those of ``lacking`` that no libc fallback absorbs.
    public var breaking: [AbiFinding] { lacking.filter(\.breaks) }
    /// Those of ``lacking`` that the image's libc absorbs.
    public var absorbed: [AbiFinding] { lacking.filter { $0.fallback != nil } }
    /// Whether the image would break on the target kernel.
    public var breaks: Bool { !breaking.isEmpty }
    /// Whether there is anything to warn about without breaking.
    public var hasWarnings: Bool { !deprecated.isEmpty || !unknown.isEmpty || !absorbed.isEmpty }
}

/// The answer to "will these images still run on that kernel?".
public struct AbiReport: Sendable {
    public let kernel: KernelVersion
    /// The target's real table, when judged against one.
    public let table: KernelSyscallTable?
    public let arch: AuditArch
    public let since: KernelVersion?
    public let libc: LibcIdentity
    public let images: [ImageAbiReport]

    public init(
        kernel: KernelVersion, table: KernelSyscallTable? = nil, arch: AuditArch, since: KernelVersion?,
        libc: LibcIdentity = .unknown, images: [ImageAbiReport]
    ) {
        self.kernel = kernel
        self.table = table
        self.arch = arch
        self.since = since
        self.libc = libc
        self.images = images
    }

    /// The report of `analyzer`'s target for `images`.
    public init(analyzer: AbiAnalyzer, images: [ImageAbiReport]) {
        self.init(
            kernel: analyzer.kernel, table: analyzer.table, arch: analyzer.arch, since: analyzer.since,
            libc: analyzer.libc, images: images)
    }

    /// The oldest kernel the images' libc runs on, when the target is older:
    /// every dynamically linked program stops at start-up ("FATAL: kernel too old").
    public var libcNeedsNewerKernel: KernelVersion? {
        guard let needed = libc.minimumKernel, kernel < needed, kernel != KernelVersion(0, 0) else { return nil }
        return needed
    }

    /// Whether any image would break on the target kernel (or its libc refuses the kernel).
    public var breaks: Bool { images.contains(where: \.breaks) || libcNeedsNewerKernel != nil }

    /// "Linux 6.1 (x86_64)", or "Linux 6.18.44-fc-v1300 (x86_64, table from /proc/kallsyms)".
    public var target: String {
        guard let table else { return "Linux \(kernel) (\(arch))" }
        return "Linux \(table.release) (\(arch), table from \(table.readFrom))"
    }
}
