import AuditKit

/// Judges the syscalls images use against a target kernel release on one arch:
/// which the kernel lacks (introduced later), has removed, or has deprecated,
/// and, given a floor (`--since`), which are newer than the floor.
public struct AbiAnalyzer: Sendable {
    public var kernel: KernelVersion
    public var arch: AuditArch
    public var since: KernelVersion?
    public var catalogue: SyscallCatalogue

    public init(
        kernel: KernelVersion, arch: AuditArch = .x86_64, since: KernelVersion? = nil,
        catalogue: SyscallCatalogue = .shared
    ) {
        self.kernel = kernel
        self.arch = arch
        self.since = since
        self.catalogue = catalogue
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
        var deprecated: [AbiFinding] = []
        var unimplemented: [AbiFinding] = []
        var unknown: [AbiFinding] = []
        var newer: [AbiFinding] = []
        var seen = Set<String>()
        for raw in syscalls {
            let name = SyscallTable.kernelName(raw)
            guard seen.insert(name).inserted else { continue }
            let entry = catalogue.entry(named: raw)
            let availability = entry?.availability(on: kernel, arch: arch) ?? .unknown
            let number = arch.syscallNumber(raw) ?? SyscallTable.aliases[raw].flatMap(arch.syscallNumber)
            let finding = AbiFinding(name: name, number: number, availability: availability, entry: entry)
            switch availability {
            case .missing: missing.append(finding)
            case .removed: removed.append(finding)
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
            deprecated: deprecated.sorted(by: byName), unimplemented: unimplemented.sorted(by: byName),
            unknown: unknown.sorted(by: byName), newerThanFloor: newer.sorted(by: byName))
    }

    /// The report for every policy given, in order.
    public func report(policies: [CompiledPolicy]) -> AbiReport {
        AbiReport(kernel: kernel, arch: arch, since: since, images: policies.map(analyze(policy:)))
    }
}
