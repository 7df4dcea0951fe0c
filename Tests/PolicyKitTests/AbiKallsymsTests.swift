import AuditKit
import Foundation
import PolicyKit
import TestSupport
import Testing

/// The kallsyms reader and the kernel table built from it, on excerpts of a
/// 6.18 kernel (pt_regs wrappers) and a 3.10-style one (`sys_`/`SyS_`).
@Suite struct AbiKallsymsTests {
    static func fixture(_ name: String) -> String {
        Fixtures.directory().appendingPathComponent("kallsyms/\(name)").path
    }

    static func table(_ name: String, release: String) throws -> KernelSyscallTable {
        let path = fixture(name)
        return try KernelSyscallTable(
            symbols: try KallsymsReader().read(path: path), release: release, machine: "x86_64", readFrom: path)
    }

    static func new() throws -> KernelSyscallTable { try table("linux-6.18-x86_64.kallsyms", release: "6.18.44") }
    static func old() throws -> KernelSyscallTable {
        try table("linux-3.10-x86_64.kallsyms", release: "3.10.0-1160.el7.x86_64")
    }

    @Test func newKernelTextSymbolsAreImplemented() throws {
        let t = try Self.new()
        #expect(t.convention == .ptRegsWrappers)
        for name in ["read", "statx", "getrandom", "clone3", "faccessat2", "rseq"] {
            #expect(t.implementation(of: name, arch: .x86_64) == .implemented, "\(name)")
        }
    }

    @Test func newKernelWeakStubsAreConfiguredOut() throws {
        let t = try Self.new()
        for name in ["kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "uselib"] {
            #expect(t.implementation(of: name, arch: .x86_64) == .configuredOut, "\(name)")
        }
    }

    @Test func newKernelEntryPointsWithOtherNamesAreFound() throws {
        let t = try Self.new()
        #expect(t.implementation(of: "stat", arch: .x86_64) == .implemented)  // __x64_sys_newstat
        #expect(t.implementation(of: "umount2", arch: .x86_64) == .implemented)  // __x64_sys_umount
        #expect(t.implementation(of: "pread", arch: .x86_64) == .implemented)  // libaudit's name of pread64
        #expect(t.implementation(of: "pread64", arch: .x86_64) == .implemented)
    }

    @Test func newKernelServesI386ThroughIa32Emulation() throws {
        let t = try Self.new()
        #expect(t.archNames == ["i386", "x86_64"])
        #expect(t.implementation(of: "statx", arch: .i386) == .implemented)
        #expect(t.implementation(of: "getuid", arch: .i386) == .implemented)  // __ia32_sys_getuid16
        #expect(t.implementation(of: "mmap2", arch: .i386) == .implemented)  // __ia32_sys_mmap_pgoff
        #expect(t.implementation(of: "umount", arch: .i386) == .implemented)  // __ia32_sys_oldumount
        #expect(t.implementation(of: "kexec_load", arch: .i386) == .configuredOut)
    }

    @Test func newKernelWithoutAnEntryPointSaysAbsent() throws {
        // The excerpt has no __x64_sys_lookup_dcookie (removed in 6.10).
        #expect(try Self.new().implementation(of: "lookup_dcookie", arch: .x86_64) == .absent)
    }

    @Test func oldKernelPlainNamesAreImplemented() throws {
        let t = try Self.old()
        #expect(t.convention == .plain)
        for name in ["read", "write", "openat", "newfstatat", "clone", "uselib", "stat", "umount2", "pread"] {
            #expect(t.implementation(of: name, arch: .x86_64) == .implemented, "\(name)")
        }
    }

    @Test func oldKernelWeakAliasOfSysNiSyscallIsConfiguredOut() throws {
        let t = try Self.old()
        #expect(t.implementation(of: "kexec_load", arch: .x86_64) == .configuredOut)
        #expect(t.implementation(of: "init_module", arch: .x86_64) == .configuredOut)
    }

    @Test func oldKernelLacksWhatItsVersionPredatesUnlessBackported() throws {
        let t = try Self.old()
        #expect(t.implementation(of: "statx", arch: .x86_64) == .absent)  // only a module line has it
        #expect(t.implementation(of: "clone3", arch: .x86_64) == .absent)
        #expect(t.implementation(of: "getrandom", arch: .x86_64) == .implemented)  // the backport
    }

    @Test func oldKernelServesI386WhenIa32EntryIsThere() throws {
        let t = try Self.old()
        #expect(t.archNames == ["i386", "x86_64"])
        #expect(t.implementation(of: "stat64", arch: .i386) == .implemented)  // sys32_stat64
        #expect(t.implementation(of: "fstatat64", arch: .i386) == .implemented)  // sys32_fstatat
        #expect(t.implementation(of: "getuid", arch: .i386) == .implemented)  // sys_getuid16
        #expect(t.implementation(of: "mmap2", arch: .i386) == .implemented)  // sys_mmap_pgoff
        #expect(t.implementation(of: "_llseek", arch: .i386) == .implemented)  // sys_llseek
        #expect(t.implementation(of: "clock_gettime64", arch: .i386) == .absent)  // no time64 split
    }

    @Test func modulesSplitPartsAndOtherSymbolsAreNotKept() {
        let text = """
            ffffffff8120f626 t __x64_sys_setitimer.cold
            ffffffffc0012340 T __x64_sys_frob\t[evil]
            ffffffff81312760 T __pfx___x64_sys_read
            ffffffff81312770 t __do_sys_read
            ffffffff81660500 R sys_call_table
            garbage line
            ffffffff81312780 T __x64_sys_read
            """
        let r = KallsymsReader().parse(text)
        #expect(r.symbols.keys.sorted() == ["__x64_sys_read", "sys_call_table"])
        #expect(r.lines == 7)
        #expect(!r.addressesHidden)
    }

    @Test func nativeI386KernelWithWrappersServesI386() throws {
        let r = KallsymsReader().parse("c1234560 T __ia32_sys_read\nc1234580 W __ia32_sys_uselib\n")
        let t = try KernelSyscallTable(symbols: r, release: "6.1", machine: "i686", readFrom: "test")
        #expect(t.archNames == ["i386"])
        #expect(t.implementation(of: "read", arch: .i386) == .implemented)
        #expect(t.implementation(of: "uselib", arch: .i386) == .configuredOut)
    }

    @Test func hiddenAddressesStillGiveNames() throws {
        let r = KallsymsReader().parse(
            "0000000000000000 T __x64_sys_read\n0000000000000000 W __x64_sys_uselib\n")
        #expect(r.addressesHidden)
        let t = try KernelSyscallTable(symbols: r, release: "6.1", machine: "x86_64", readFrom: "test")
        #expect(t.implementation(of: "read", arch: .x86_64) == .implemented)
        #expect(t.implementation(of: "uselib", arch: .x86_64) == .configuredOut)
    }

    @Test func readingInBlocksGivesWhatParsingGives() throws {
        // Larger than the reader's 64 KiB block, so lines straddle block boundaries.
        var text = ""
        for i in 0..<5000 { text += String(format: "ffffffff%08x T __x64_sys_s%d\n", i * 16, i) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-kallsyms-\(getpid())").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try KallsymsReader().read(path: path)
        #expect(text.utf8.count > 1 << 16)
        #expect(read.symbols == KallsymsReader().parse(text).symbols)
        #expect(read.symbols.count == 5000)
    }

    @Test func unreadableFileSaysToRunAsRootOrExport() {
        #expect {
            _ = try KallsymsReader().read(path: "/nonexistent/kallsyms")
        } throws: { error in
            "\(error)".contains("run as root") && "\(error)".contains("--export-host")
        }
    }

    @Test func noEntryPointsNamesKptrRestrict() {
        let r = KallsymsReader().parse("")
        #expect {
            _ = try KernelSyscallTable(symbols: r, release: "6.1", machine: "x86_64", readFrom: "/proc/kallsyms")
        } throws: { error in
            "\(error)".contains("kernel.kptr_restrict") && "\(error)".contains("/proc/kallsyms")
        }
    }

    @Test func exportRoundTrips() throws {
        let t = try Self.old()
        let back = try KernelSyscallTable(json: t.jsonData(), path: "host.json")
        #expect(back.arches == t.arches)
        #expect(back.release == t.release && back.machine == t.machine && back.convention == t.convention)
        #expect(back.readFrom == "host.json, exported from \(AbiKallsymsTests.fixture("linux-3.10-x86_64.kallsyms"))")
    }

    @Test func exportOfAnotherFormatIsRefused() {
        #expect(throws: KernelTableError.self) {
            _ = try KernelSyscallTable(json: Data(#"{"format":"x"}"#.utf8), path: "x.json")
        }
    }
}
