import AuditKit
import Synchronization
import Testing
@testable import CallguardAgent

/// The syscall tables a violation is described from: the same answers as
/// libaudit gives for each call, looked up once.
struct SyscallDescriptionsTests {
    @Test func everyTabledNumberIsDescribedAsLibauditNamesIt() {
        let descriptions = SyscallDescriptions(kernelHasSyscall: nil)
        for arch in SyscallDescriptions.arches {
            for number in 0..<SyscallDescriptions.tableSize {
                let described = descriptions.describe(arch: arch, number: number)
                #expect(described.name == (arch.syscallName(number) ?? "syscall_\(number)"), "\(arch) \(number)")
                #expect(described.archName == arch.name)
            }
        }
    }

    @Test func anX32CallBeyondTheTablesIsNamedByTheX86_64TableAndCalledX32() {
        let described = SyscallDescriptions(kernelHasSyscall: nil).describe(arch: .x86_64, number: 0x4000_0000 | 63)
        #expect(described.name == "uname")
        #expect(described.archName == "x32")
    }

    @Test func kernelAvailabilityComesFromTheClosureAndIsNotAskedAgainForATabledNumber() {
        let asked = Atomic<Int>(0)
        let descriptions = SyscallDescriptions(kernelHasSyscall: { arch, number in
            asked.add(1, ordering: .relaxed)
            return arch == .x86_64 && number == 63 ? false : true
        })
        let afterTables = asked.load(ordering: .relaxed)
        #expect(descriptions.describe(arch: .x86_64, number: 63).existsOnHostKernel == false)
        #expect(descriptions.describe(arch: .x86_64, number: 0).existsOnHostKernel == true)
        #expect(asked.load(ordering: .relaxed) == afterTables)
        // Beyond the tables: asked as it comes.
        #expect(descriptions.describe(arch: .x86_64, number: 5000).existsOnHostKernel == true)
        #expect(asked.load(ordering: .relaxed) == afterTables + 1)
    }

    @Test func aNumberNoTableKnowsIsNamedByItsNumber() {
        #expect(SyscallDescriptions(kernelHasSyscall: nil).describe(arch: .x86_64, number: 900).name == "syscall_900")
    }
}
