import AuditKit

/// Judges the syscalls images use against a target kernel on one arch: which
/// the kernel lacks (introduced later, removed, or, by its own table, not
/// implemented), which it has deprecated, and, given a floor (`--since`),
/// which are newer than the floor. A missing syscall that the image's C
/// library absorbs (``LibcFallbackCatalogue``) is reported, but does not break.
public struct AbiAnalyzer: Sendable {
    /// The target's version: the one asked about, or the table's release.
    public var kernel: KernelVersion
    /// The target kernel's real table, when judging against one (`--host`, `--kernel-table`).
    public var table: KernelSyscallTable?
    public var arch: AuditArch
    public var since: KernelVersion?
    public var catalogue: SyscallCatalogue
    /// The images' C library (unknown unless stated or read from an image).
    public var libc: LibcIdentity

    public init(
        kernel: KernelVersion, arch: AuditArch = .x86_64, since: KernelVersion? = nil,
        catalogue: SyscallCatalogue = .shared, libc: LibcIdentity = .unknown
    ) {
        self.kernel = kernel
        self.table = nil
        self.arch = arch
        self.since = since
        self.catalogue = catalogue
        self.libc = libc
    }

    /// Judges against a kernel's real table; its release gives the version
    /// (for "introduced in" details), 0.0 when it does not parse.
    public init(
        table: KernelSyscallTable, arch: AuditArch = .x86_64, since: KernelVersion? = nil,
        catalogue: SyscallCatalogue = .shared, libc: LibcIdentity = .unknown
    ) {
        self.init(kernel: table.kernel ?? KernelVersion(0, 0), arch: arch, since: since, catalogue: catalogue, libc: libc)
        self.table = table
    }

    /// What the target offers of `name` (libaudit's or the kernel's spelling).
    public func availability(of name: String, entry: SyscallCatalogue.Entry?) -> SyscallAvailability {
        guard let table else { return entry?.availability(on: kernel, arch: arch) ?? .unknown }
        guard let implementation = table.implementation(of: name, arch: arch) else {
            return entry == nil ? .unknown : .notOnArch
        }
        let byVersion = entry?.availability(on: kernel, arch: arch) ?? .unknown
        switch implementation {
        case .implemented:
            if case .deprecated = byVersion { return byVersion }
            return .present
        case .configuredOut:
            return .notImplemented(configuredOut: true)
        case .absent:
            switch byVersion {
            case .missing, .removed, .unimplemented: return byVersion
            default: return .notImplemented(configuredOut: false)
            }
        }
    }

    /// The report for a policy's allowlist on ``arch`` (includes merged).
    public func analyze(policy: CompiledPolicy) -> ImageAbiReport {
        analyze(
            subject: policy.name, file: policy.file,
            images: policy.isDefault ? ["*"] : policy.images.map(\.text),
            syscalls: policy.syscalls.names(on: arch))
    }

    /// The report for a list of syscall names (libaudit's or the kernel's spelling).
    public func analyze(subject: String, file: String, images: [String], syscalls: [String]) -> ImageAbiReport {
        var missing: [AbiFinding] = []
        var removed: [AbiFinding] = []
        var notImplemented: [AbiFinding] = []
        var deprecated: [AbiFinding] = []
        var unimplemented: [AbiFinding] = []
        var unknown: [AbiFinding] = []
        var newer: [AbiFinding] = []
        var seen = Set<String>()
        for raw in syscalls {
            let name = SyscallTable.kernelName(raw)
            guard seen.insert(name).inserted else { continue }
            let entry = catalogue.entry(named: raw)
            let availability = availability(of: raw, entry: entry)
            let number = arch.syscallNumber(raw) ?? SyscallTable.aliases[raw].flatMap(arch.syscallNumber)
            let fallback = availability.breaks ? absorbingFallback(for: name) : nil
            let finding = AbiFinding(
                name: name, number: number, availability: availability, entry: entry, fallback: fallback)
            switch availability {
            case .missing: missing.append(finding)
            case .removed: removed.append(finding)
            case .notImplemented: notImplemented.append(finding)
            case .deprecated: deprecated.append(finding)
            case .unimplemented: unimplemented.append(finding)
            case .unknown: unknown.append(finding)
            case .present, .notOnArch: break
            }
            if let since, let first = entry?.introduced(on: arch), first > since {
                newer.append(finding)
            }
        }
        let byName: (AbiFinding, AbiFinding) -> Bool = { $0.name < $1.name }
        return ImageAbiReport(
            subject: subject, file: file, images: images, syscallCount: seen.count,
            missing: missing.sorted(by: byName), removed: removed.sorted(by: byName),
            notImplemented: notImplemented.sorted(by: byName),
            deprecated: deprecated.sorted(by: byName), unimplemented: unimplemented.sorted(by: byName),
            unknown: unknown.sorted(by: byName), newerThanFloor: newer.sorted(by: byName))
    }

    /// The libc fallback that absorbs ENOSYS for `name` on the target, when the
    /// images' libc has one and everything the fallback needs is there.
    func absorbingFallback(for name: String) -> LibcFallback? {
        guard let f = LibcFallbackCatalogue.fallback(for: name, libc: libc) else { return nil }
        for needed in f.requires {
            guard arch.syscallNumber(needed) != nil || SyscallTable.aliases[needed].flatMap(arch.syscallNumber) != nil
            else { continue }  // not a syscall of this arch (fstatat64 on x86_64)
            guard availability(of: needed, entry: catalogue.entry(named: needed)).exists == true else { return nil }
        }
        return f
    }

    /// The report for every policy given, in order.
    public func report(policies: [CompiledPolicy]) -> AbiReport {
        AbiReport(analyzer: self, images: policies.map(analyze(policy:)))
    }
}
