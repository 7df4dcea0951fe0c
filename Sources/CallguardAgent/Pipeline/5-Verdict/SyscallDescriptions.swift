import AuditKit

/// What a violation says of its syscall (its name, its arch's name, whether
/// the running kernel has it), looked up once per arch and number when the
/// ``ViolationFactory`` is made instead of once per violation: libaudit's
/// lookups and the strings they return were a tenth of a violation's cost.
/// Numbers beyond the tables (x32 calls, anything unknown) are looked up as
/// they come.
struct SyscallDescriptions: Sendable {
    /// What is said of one syscall.
    struct Entry: Sendable {
        let name: String
        let existsOnHostKernel: Bool?
    }

    private struct Table: Sendable {
        let arch: AuditArch
        let archName: String
        let entries: [Entry]
    }

    /// Numbers below this have a table entry on each arch.
    static let tableSize: Int32 = 1024
    /// The arches a container's records come with.
    static let arches: [AuditArch] = [.x86_64, .i386, .aarch64]

    private let tables: [Table]
    private let kernelHasSyscall: (@Sendable (AuditArch, Int32) -> Bool?)?

    init(kernelHasSyscall: (@Sendable (AuditArch, Int32) -> Bool?)?) {
        self.kernelHasSyscall = kernelHasSyscall
        tables = Self.arches.map { arch in
            Table(
                arch: arch, archName: arch.name ?? arch.description,
                entries: (0..<Self.tableSize).map { number in
                    Entry(name: Self.lookUpName(arch: arch, number: number), existsOnHostKernel: kernelHasSyscall?(arch, number))
                })
        }
    }

    /// The name, arch name and availability of `number` on `arch`.
    @inline(__always)
    func describe(arch: AuditArch, number: Int32) -> (name: String, archName: String, existsOnHostKernel: Bool?) {
        if number >= 0 && number < Self.tableSize {
            for table in tables where table.arch == arch {
                let entry = table.entries[Int(number)]
                return (entry.name, table.archName, entry.existsOnHostKernel)
            }
        }
        return (
            Self.lookUpName(arch: arch, number: number),
            ViolationFactory.isX32(arch: arch, number: number) ? "x32" : (arch.name ?? arch.description),
            kernelHasSyscall?(arch, number)
        )
    }

    /// The call's name from libaudit: x32 calls by the x86_64 table without the x32 bit.
    static func lookUpName(arch: AuditArch, number: Int32) -> String {
        let table = ViolationFactory.isX32(arch: arch, number: number) ? number & ~ViolationFactory.x32Bit : number
        return arch.syscallName(table) ?? "syscall_\(number)"
    }
}
