import AuditKit
import Testing
@testable import PolicyKit

@Suite struct SyscallSetTests {
    @Test func tableCoversX86_64AndI386() {
        #expect(SyscallTable.shared.arches.contains(.x86_64))
        #expect(SyscallTable.shared.arches.contains(.i386))
    }

    @Test func nameSetsTheBitOnEachArchWithItsOwnNumber() {
        var set = SyscallSet()
        let inserted = set.insert(name: "read")
        #expect(inserted)
        #expect(set.contains(arch: .x86_64, syscall: 0))  // read on x86_64
        #expect(set.contains(arch: .i386, syscall: 3))  // read on i386
        #expect(!set.contains(arch: .x86_64, syscall: 3))  // close on x86_64
        #expect(!set.contains(arch: .i386, syscall: 0))
    }

    @Test func nameOnlySomeArchesHaveSetsOnlyThoseArches() {
        var set = SyscallSet()
        let inserted = set.insert(name: "_llseek")
        #expect(inserted)
        #expect(set.count(on: .i386) == 1)
        #expect(set.count(on: .x86_64) == 0)
    }

    @Test func kernelNamesThatLibauditSpellsDifferentlyAreAccepted() {
        var set = SyscallSet()
        let inserted = set.insert(name: "pread64")
        #expect(inserted)
        #expect(set.contains(arch: .x86_64, syscall: 17))
        #expect(SyscallTable.kernelName("pread") == "pread64")
    }

    @Test func unknownNameIsReported() {
        var set = SyscallSet()
        let inserted = set.insert(name: "no_such_syscall")
        #expect(!inserted)
    }

    @Test func outOfRangeNumbersAndUncoveredArchesAreNotMembers() {
        var set = SyscallSet()
        set.insert(name: "read")
        #expect(!set.contains(arch: .x86_64, syscall: -1))
        #expect(!set.contains(arch: .x86_64, syscall: 100_000))
        #expect(!set.contains(arch: AuditArch(rawValue: 0x1234), syscall: 0))
    }

    @Test func intersectionKeepsCommonMembers() {
        var a = SyscallSet()
        a.insert(name: "read")
        a.insert(name: "write")
        var b = SyscallSet()
        b.insert(name: "write")
        a.formIntersection(b)
        #expect(a.names(on: .x86_64) == ["write"])
    }
}
