import AuditKit
import Glibc

/// Whether syscalls exist on the running kernel (`uname -r` against
/// ``SyscallCatalogue``), so that a violation can say "this kernel lacks it":
/// an ENOSYS storm after a host upgrade is then recognisable at once.
///
/// Build once at start-up and share; lookups are a dictionary probe.
public struct KernelSyscallAvailability: Sendable {
    /// The kernel the answers are for.
    public let kernel: KernelVersion
    /// `uname -r` as read (or as given).
    public let release: String
    public let catalogue: SyscallCatalogue

    /// For a given kernel release (tests, or a kernel other than the running one).
    public init(release: String, catalogue: SyscallCatalogue = .shared) throws(KernelVersionError) {
        self.release = release
        self.kernel = try KernelVersion(parsing: release)
        self.catalogue = catalogue
    }

    /// For the running kernel; nil when `uname` fails or its release does not parse.
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

    /// What this kernel offers of `name` on `arch`.
    public func availability(of name: String, arch: AuditArch? = nil) -> SyscallAvailability {
        catalogue.availability(of: name, on: kernel, arch: arch)
    }

    /// What this kernel offers of syscall `number` on `arch` (as a violation carries it).
    public func availability(arch: AuditArch, number: Int32) -> SyscallAvailability {
        guard let name = arch.syscallName(number) else { return .unknown }
        return availability(of: name, arch: arch)
    }

    /// Whether this kernel has `name` (deprecated counts); nil when unknown.
    public func exists(_ name: String, arch: AuditArch? = nil) -> Bool? {
        availability(of: name, arch: arch).exists
    }
}
