import AuditKit

/// The syscall names and numbers of the architectures policies cover, read
/// once from libaudit's tables (x86_64, i386, and aarch64 when libaudit knows it).
public struct SyscallTable: Sendable {
    /// The highest syscall number (exclusive) a set can hold; the kernel's audit
    /// rule mask (AUDIT_BITMASK_SIZE × 32) covers 2048, and no arch comes close.
    @inlinable public static var capacity: Int { 1024 }

    /// The architectures policies hold bitmaps for, in slot order.
    public let arches: [AuditArch]
    /// name → number, per arch (same order as `arches`).
    let numbers: [[String: Int32]]
    /// Every syscall name known on at least one arch, sorted.
    public let allNames: [String]

    /// The table built from libaudit at first use.
    public static let shared = SyscallTable()

    init() {
        var arches: [AuditArch] = []
        var numbers: [[String: Int32]] = []
        var all = Set<String>()
        for arch in [AuditArch.x86_64, .i386, .aarch64] where arch.machine != nil {
            var map: [String: Int32] = [:]
            for n in 0..<Int32(Self.capacity) {
                if let name = arch.syscallName(n) { map[name] = n }
            }
            guard !map.isEmpty else { continue }
            arches.append(arch)
            numbers.append(map)
            all.formUnion(map.keys)
        }
        self.arches = arches
        self.numbers = numbers
        all.formUnion(Self.aliases.keys)
        self.allNames = all.sorted()
    }

    /// Kernel (and libseccomp) names that libaudit's tables spell differently:
    /// kernel name → libaudit name. Both spellings are accepted in policies.
    public static let aliases: [String: String] = [
        "pread64": "pread",  // x86_64
        "pwrite64": "pwrite",  // x86_64
        "kexec_load": "sys_kexec_load",  // i386
        "sched_rr_get_interval_time64": "sched_rr_get_interval64",  // i386
        "fstat": "newfstat",  // aarch64
    ]

    /// libaudit name → kernel name, for writing seccomp profiles.
    static let kernelNames: [String: String] = Dictionary(uniqueKeysWithValues: aliases.map { ($1, $0) })

    /// The kernel's (libseccomp's) name for a syscall libaudit calls `name`.
    public static func kernelName(_ name: String) -> String { kernelNames[name] ?? name }

    /// The bitmap slot of `arch`, or nil when policies do not cover it. Allocation-free.
    @inlinable
    public static func slot(of arch: AuditArch) -> Int? {
        switch arch.rawValue {
        case 0xC000_003E: return 0  // AUDIT_ARCH_X86_64
        case 0x4000_0003: return 1  // AUDIT_ARCH_I386
        case 0xC000_00B7: return 2  // AUDIT_ARCH_AARCH64
        default: return nil
        }
    }

    /// The number of `name` on `arch`, or nil when that arch has no such syscall.
    public func number(_ name: String, on arch: AuditArch) -> Int32? {
        guard let i = arches.firstIndex(of: arch) else { return nil }
        return numbers[i][name] ?? Self.aliases[name].flatMap { numbers[i][$0] }
    }

    /// Whether `name` is a syscall on at least one covered arch.
    public func isKnown(_ name: String) -> Bool {
        let alias = Self.aliases[name]
        return numbers.contains { map in map[name] != nil || alias.flatMap { map[$0] } != nil }
    }

    /// Every syscall number `arch` has, ascending.
    public func allNumbers(on arch: AuditArch) -> [Int32] {
        guard let i = arches.firstIndex(of: arch) else { return [] }
        return numbers[i].values.sorted()
    }

    /// Calls `body` with each covered arch that has `name` and its number
    /// there; returns whether any had it. No intermediate array.
    @discardableResult
    func forEachNumber(of name: String, _ body: (AuditArch, Int32) -> Void) -> Bool {
        var found = false
        var alias: String??
        for i in arches.indices {
            var n = numbers[i][name]
            if n == nil {
                if alias == nil { alias = .some(Self.aliases[name]) }
                if let a = alias!, let m = numbers[i][a] { n = m }
            }
            if let n {
                body(arches[i], n)
                found = true
            }
        }
        return found
    }

    /// The arches on which `name` exists, with its number there.
    public func lookup(_ name: String) -> [(AuditArch, Int32)] {
        var out: [(AuditArch, Int32)] = []
        let alias = Self.aliases[name]
        for (i, arch) in arches.enumerated() {
            if let n = numbers[i][name] ?? alias.flatMap({ numbers[i][$0] }) { out.append((arch, n)) }
        }
        return out
    }
}
