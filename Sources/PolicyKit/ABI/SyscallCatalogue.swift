import AuditKit

/// What the kernel's syscall table looked like over time: for each syscall the
/// release that introduced it, whether and when it was removed or deprecated,
/// and man-pages' notes. Generated from syscalls(2) by
/// `Scripts/generate-syscall-catalogue.py` (see ``manPagesVersion``); names
/// and numbers per arch come from libaudit at run time (``SyscallTable``).
public struct SyscallCatalogue: Sendable {
    /// One syscall's history.
    public struct Entry: Sendable, Hashable {
        /// The kernel's name (as in syscalls(2); libaudit may spell it differently, see ``SyscallTable/aliases``).
        public let name: String
        /// The release from which every later kernel has it; nil for reserved,
        /// never-implemented slots and for some syscalls of removed ports.
        public let introduced: KernelVersion?
        /// Earlier stable series it was backported to ("2.6; 2.4.18" → [2.4.18]).
        public let alsoIn: [KernelVersion]
        /// A later release on one arch (libaudit arch name → release), e.g. arch_prctl on i386 since 4.12.
        public let archIntroduced: [String: KernelVersion]
        /// The release that removed it, if any.
        public let removed: KernelVersion?
        /// Whether the man pages call it deprecated.
        public let deprecated: Bool
        /// Since when it is deprecated, when known.
        public let deprecatedSince: KernelVersion?
        /// A reserved slot the standard kernel never implemented (ENOSYS everywhere).
        public let unimplemented: Bool
        /// "IA-64 only", "Not on x86", ...: the page's arch restriction, informational
        /// (whether an arch has it is libaudit's table).
        public let archNote: String?
        /// The page's notes, as plain text.
        public let notes: String
        /// Where the facts came from.
        public let source: Source

        init(
            name: String, introduced: KernelVersion?, alsoIn: [KernelVersion] = [],
            archIntroduced: [String: KernelVersion] = [:], removed: KernelVersion? = nil,
            deprecated: Bool = false, deprecatedSince: KernelVersion? = nil, unimplemented: Bool = false,
            archNote: String? = nil, notes: String = "", source: Source
        ) {
            self.name = name
            self.introduced = introduced
            self.alsoIn = alsoIn
            self.archIntroduced = archIntroduced
            self.removed = removed
            self.deprecated = deprecated
            self.deprecatedSince = deprecatedSince
            self.unimplemented = unimplemented
            self.archNote = archNote
            self.notes = notes
            self.source = source
        }

        /// The release from which `arch` has it (``archIntroduced`` for that arch, else ``introduced``).
        public func introduced(on arch: AuditArch?) -> KernelVersion? {
            if let name = arch?.name, let v = archIntroduced[name] { return v }
            return introduced
        }

        /// What `kernel` offers of this syscall on `arch` (nil: any arch).
        public func availability(on kernel: KernelVersion, arch: AuditArch? = nil) -> SyscallAvailability {
            if unimplemented { return .unimplemented }
            if let first = introduced(on: arch), kernel < first,
                !alsoIn.contains(where: { kernel.isSameSeries(as: $0) && kernel >= $0 })
            {
                return .missing(introduced: first)
            }
            if let removed, kernel >= removed { return .removed(in: removed) }
            if deprecated, deprecatedSince.map({ kernel >= $0 }) ?? true {
                return .deprecated(since: deprecatedSince)
            }
            return .present
        }
    }

    /// Where an entry's facts came from.
    public enum Source: String, Sendable, Hashable {
        /// The table (or the lists after it) in syscalls(2).
        case manPage
        /// `Scripts/syscall-catalogue-supplement.tsv` only.
        case supplement
        /// The page, completed by the supplement.
        case manPageAndSupplement
    }

    /// Every entry, sorted by name.
    public let entries: [Entry]
    private let byName: [String: Int]

    /// The generated catalogue.
    public static let shared = SyscallCatalogue(entries: generatedEntries)

    init(entries: [Entry]) {
        self.entries = entries
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() { byName[e.name] = i }
        self.byName = byName
    }

    /// The entry for `name`, the kernel's or libaudit's spelling ("pread64" or
    /// libaudit's x86_64 "pread"), or nil when the catalogue does not know it.
    public func entry(named name: String) -> Entry? {
        let kernelName = SyscallTable.kernelName(name)
        if kernelName != name, let i = byName[kernelName] { return entries[i] }
        return byName[name].map { entries[$0] }
    }

    /// The entry for syscall `number` on `arch` (named by libaudit's table).
    public func entry(arch: AuditArch, number: Int32) -> Entry? {
        arch.syscallName(number).flatMap(entry(named:))
    }

    /// What `kernel` offers of `name` on `arch`: ``SyscallAvailability/unknown``
    /// when the catalogue lacks the name, ``SyscallAvailability/notOnArch`` when
    /// libaudit has no number for it on `arch`.
    public func availability(of name: String, on kernel: KernelVersion, arch: AuditArch? = nil)
        -> SyscallAvailability
    {
        if let arch, arch.machine != nil, arch.syscallNumber(name) == nil,
            SyscallTable.aliases[name].flatMap(arch.syscallNumber) == nil
        {
            return .notOnArch
        }
        guard let entry = entry(named: name) else { return .unknown }
        return entry.availability(on: kernel, arch: arch)
    }

    /// Whether `kernel` has `name` (deprecated counts as present); nil when the
    /// catalogue does not know the name.
    public func exists(name: String, onKernel kernel: KernelVersion, arch: AuditArch? = nil) -> Bool? {
        availability(of: name, on: kernel, arch: arch).exists
    }
}
