import AuditKit
import Glibc

/// Whether syscalls exist on the running kernel, so that a violation can say
/// "this kernel lacks it": an ENOSYS storm after a host upgrade is then
/// recognisable at once. From the kernel's own table (``KernelSyscallTable``,
/// `/proc/kallsyms`: backports and configured-out syscalls seen) when it can be
/// read, else from `uname -r` against ``SyscallCatalogue``.
///
/// Build once at start-up and share: the answers for every syscall number of
/// the arches policies cover are computed up front, so the per-violation
/// lookup by number is an array index, with no allocation.
public struct KernelSyscallAvailability: Sendable {
    /// The kernel the answers are for.
    public let kernel: KernelVersion
    /// `uname -r` as read (or as given).
    public let release: String
    public let catalogue: SyscallCatalogue
    /// The kernel's own table, when the answers come from it.
    public let table: KernelSyscallTable?
    /// Per covered arch (``SyscallTable/slot(of:)`` order), per syscall number.
    private let byNumber: [[SyscallAvailability]]

    /// For a given kernel release (tests, or a kernel other than the running one).
    public init(release: String, catalogue: SyscallCatalogue = .shared) throws(KernelVersionError) {
        let kernel = try KernelVersion(parsing: release)
        self.release = release
        self.kernel = kernel
        self.catalogue = catalogue
        self.table = nil
        var byNumber = [[SyscallAvailability]](
            repeating: [SyscallAvailability](repeating: .unknown, count: SyscallTable.capacity), count: 3)
        for arch in SyscallTable.shared.arches {
            guard let slot = SyscallTable.slot(of: arch) else { continue }
            for n in SyscallTable.shared.allNumbers(on: arch) where Int(n) < SyscallTable.capacity {
                if let name = arch.syscallName(n) {
                    byNumber[slot][Int(n)] = catalogue.availability(of: name, on: kernel, arch: arch)
                }
            }
        }
        self.byNumber = byNumber
    }

    /// From a kernel's own table: what it implements, arch by arch.
    public init(table: KernelSyscallTable, catalogue: SyscallCatalogue = .shared) {
        self.release = table.release
        self.kernel = table.kernel ?? KernelVersion(0, 0)
        self.catalogue = catalogue
        self.table = table
        var byNumber = [[SyscallAvailability]](
            repeating: [SyscallAvailability](repeating: .unknown, count: SyscallTable.capacity), count: 3)
        for arch in SyscallTable.shared.arches {
            guard let slot = SyscallTable.slot(of: arch) else { continue }
            let analyzer = AbiAnalyzer(table: table, arch: arch, catalogue: catalogue)
            for n in SyscallTable.shared.allNumbers(on: arch) where Int(n) < SyscallTable.capacity {
                if let name = arch.syscallName(n) {
                    byNumber[slot][Int(n)] = analyzer.availability(of: name, entry: catalogue.entry(named: name))
                }
            }
        }
        self.byNumber = byNumber
    }

    /// For the running kernel, as the agent wants it: its own table from
    /// `/proc/kallsyms` when readable, else its release against the catalogue;
    /// nil when neither works.
    public static func host(catalogue: SyscallCatalogue = .shared) -> KernelSyscallAvailability? {
        if let table = try? KernelSyscallTable.running() {
            return KernelSyscallAvailability(table: table, catalogue: catalogue)
        }
        return running(catalogue: catalogue)
    }

    /// For the running kernel by its release only; nil when `uname` fails or its release does not parse.
    public static func running(catalogue: SyscallCatalogue = .shared) -> KernelSyscallAvailability? {
        guard let release = runningRelease() else { return nil }
        return try? KernelSyscallAvailability(release: release, catalogue: catalogue)
    }

    /// `uname -r` of the running kernel.
    public static func runningRelease() -> String? {
        var u = utsname()
        guard uname(&u) == 0 else { return nil }
        return withUnsafeBytes(of: &u.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// What this kernel offers of `name` on `arch` (nil: any arch; the table needs an arch).
    public func availability(of name: String, arch: AuditArch? = nil) -> SyscallAvailability {
        if let table, let arch {
            return AbiAnalyzer(table: table, arch: arch, catalogue: catalogue)
                .availability(of: name, entry: catalogue.entry(named: name))
        }
        return catalogue.availability(of: name, on: kernel, arch: arch)
    }

    /// What this kernel offers of syscall `number` on `arch`, as a violation
    /// carries it. O(1) and allocation-free for the covered arches; other
    /// arches go through libaudit's name table.
    public func availability(arch: AuditArch, number: Int32) -> SyscallAvailability {
        if let slot = SyscallTable.slot(of: arch), slot < byNumber.count {
            guard number >= 0, Int(number) < SyscallTable.capacity else { return .unknown }
            return byNumber[slot][Int(number)]
        }
        guard let name = arch.syscallName(number) else { return .unknown }
        return availability(of: name, arch: arch)
    }

    /// Whether this kernel has `name` (deprecated counts); nil when unknown.
    public func exists(_ name: String, arch: AuditArch? = nil) -> Bool? {
        availability(of: name, arch: arch).exists
    }

    /// Whether this kernel has syscall `number` on `arch` (deprecated counts); nil when unknown.
    public func exists(arch: AuditArch, number: Int32) -> Bool? {
        availability(arch: arch, number: number).exists
    }
}

extension KernelSyscallAvailability {
    /// ``exists(arch:number:)`` as a closure, for `ViolationFactory(kernelHasSyscall:)`.
    public var hasSyscall: @Sendable (AuditArch, Int32) -> Bool? {
        let table = self
        return { arch, number in table.exists(arch: arch, number: number) }
    }
}
