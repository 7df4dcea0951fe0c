import AuditKit
import PolicyKit
import Testing
import TestSupport

/// The generated catalogue: verdicts per kernel, the page's quirks, and
/// coverage of libaudit's syscall names.
@Suite struct SyscallCatalogueTests {
    let catalogue = SyscallCatalogue.shared

    @Test(arguments: [
        ("statx", "3.10", SyscallAvailability.missing(introduced: KernelVersion(4, 11))),
        ("statx", "4.11", .present),
        ("statx", "6.1", .present),
        ("_sysctl", "3.10", .deprecated(since: KernelVersion(2, 6, 24))),
        ("_sysctl", "4.11", .deprecated(since: KernelVersion(2, 6, 24))),
        ("_sysctl", "6.1", .removed(in: KernelVersion(5, 5))),
    ])
    func statxAndSysctlVerdicts(name: String, kernel: String, expected: SyscallAvailability) throws {
        let version = try KernelVersion(parsing: kernel)
        #expect(catalogue.availability(of: name, on: version, arch: .x86_64) == expected)
    }

    @Test func removalIsExactlyAtTheRemovingRelease() throws {
        let entry = try #require(catalogue.entry(named: "_sysctl"))
        #expect(entry.availability(on: KernelVersion(5, 4, 99)).exists == true)
        #expect(entry.availability(on: KernelVersion(5, 5)).exists == false)
    }

    @Test func existsIsNilForNamesTheCatalogueLacks() {
        #expect(catalogue.exists(name: "no_such_syscall", onKernel: KernelVersion(6, 1)) == nil)
        #expect(catalogue.exists(name: "read", onKernel: KernelVersion(6, 1)) == true)
        #expect(catalogue.exists(name: "openat2", onKernel: KernelVersion(5, 4)) == false)
    }

    @Test func libauditSpellingResolvesToTheKernelsEntry() throws {
        // libaudit's x86_64 "pread" is pread64, not the AVR32/Blackfin pread of removed ports.
        let entry = try #require(catalogue.entry(arch: .x86_64, number: 17))
        #expect(entry.name == "pread64")
        #expect(catalogue.availability(of: "pread", on: KernelVersion(6, 1), arch: .x86_64) == .present)
    }

    @Test func emptyKernelColumnTakesTheVersionFromTheNotes() throws {
        let entry = try #require(catalogue.entry(named: "pwrite64"))
        #expect(entry.introduced == KernelVersion(2, 2))
    }

    @Test func backportToAnEarlierSeriesCounts() throws {
        let entry = try #require(catalogue.entry(named: "fgetxattr"))  // "2.6; 2.4.18"
        #expect(entry.introduced == KernelVersion(2, 6))
        #expect(entry.alsoIn == [KernelVersion(2, 4, 18)])
        #expect(entry.availability(on: KernelVersion(2, 4, 20)) == .present)
        #expect(entry.availability(on: KernelVersion(2, 4, 17)) == .missing(introduced: KernelVersion(2, 6)))
        #expect(entry.availability(on: KernelVersion(2, 5, 30)) == .missing(introduced: KernelVersion(2, 6)))
    }

    @Test func archSpecificIntroductionAppliesOnThatArchOnly() throws {
        // "x86_64, x86 since 4.12"
        #expect(catalogue.availability(of: "arch_prctl", on: KernelVersion(4, 9), arch: .x86_64) == .present)
        #expect(
            catalogue.availability(of: "arch_prctl", on: KernelVersion(4, 9), arch: .i386)
                == .missing(introduced: KernelVersion(4, 12)))
    }

    @Test func deprecationWithAndWithoutVersion() throws {
        #expect(catalogue.entry(named: "remap_file_pages")?.deprecatedSince == KernelVersion(3, 16))
        #expect(catalogue.entry(named: "bdflush")?.deprecatedSince == KernelVersion(2, 6))
        let getunwind = try #require(catalogue.entry(named: "getunwind"))  // "IA-64 only; deprecated"
        #expect(getunwind.deprecated && getunwind.deprecatedSince == nil)
        #expect(getunwind.archNote == "IA-64 only")
        #expect(
            catalogue.availability(of: "remap_file_pages", on: KernelVersion(3, 10), arch: .x86_64) == .present)
    }

    @Test func removalAfterAnArchRestriction() throws {
        // "IA-64 only; removed in 5.10" is a removal; "SPARC (removed in 2.6.26), available on Alpha" is not.
        #expect(catalogue.entry(named: "perfmonctl")?.removed == KernelVersion(5, 10))
        #expect(catalogue.entry(named: "getdtablesize")?.removed == nil)
        #expect(catalogue.entry(named: "nfsservctl")?.removed == KernelVersion(3, 1))
    }

    @Test func reservedSlotsAreUnimplementedNotBreaking() {
        let verdict = catalogue.availability(of: "tuxcall", on: KernelVersion(6, 1), arch: .x86_64)
        #expect(verdict == .unimplemented)
        #expect(!verdict.breaks)
        #expect(verdict.exists == false)
    }

    @Test func syscallsAfterThePagesListComeFromTheSupplement() throws {
        let entry = try #require(catalogue.entry(named: "futex_waitv"))
        #expect(entry.introduced == KernelVersion(5, 16))
        #expect(entry.source == .supplement)
        #expect(catalogue.entry(named: "_sysctl")?.source == .manPageAndSupplement)
        #expect(catalogue.entry(named: "statx")?.source == .manPage)
    }

    @Test func notOnArchWhenLibauditHasNoNumberThere() {
        #expect(catalogue.availability(of: "arc_gettls", on: KernelVersion(6, 1), arch: .x86_64) == .notOnArch)
    }

    @Test func generatedFromTheManPagesRelease() {
        #expect(SyscallCatalogue.manPagesVersion == "6.03")
        #expect(catalogue.entries.map(\.name) == catalogue.entries.map(\.name).sorted())
    }

    /// Names libaudit has that syscalls(2) and the supplement do not, with the reason.
    /// Empty today: pread/pwrite resolve through ``SyscallTable/aliases``, reserved
    /// slots come from the page's "not implemented" paragraph or the supplement.
    static let documentedExceptions: [String: String] = [:]

    @Test(arguments: [AuditArch.x86_64, .i386, .aarch64])
    func coversEverySyscallLibauditNames(arch: AuditArch) {
        guard SyscallTable.shared.arches.contains(arch) else {
            // The table leaves out only an arch libaudit has no names for; CI's
            // libaudit must have all three, so that the coverage is checked.
            #expect((0..<Int32(SyscallTable.capacity)).allSatisfy { arch.syscallName($0) == nil }, "\(arch) left out of the table")
            #expect(SyscallTable.shared.allNumbers(on: arch).isEmpty)
            if RequireIntegration.isRequired {
                _ = RequireIntegration.check(false, "libaudit with a syscall table for \(arch)")
            }
            return
        }
        let uncovered = SyscallTable.shared.allNumbers(on: arch).compactMap(arch.syscallName)
            .filter { catalogue.entry(named: $0) == nil && Self.documentedExceptions[$0] == nil }
        #expect(uncovered.isEmpty, "not in the catalogue on \(arch): \(uncovered)")
    }

    @Test func coversLibauditsX86_64Table() {
        #expect(SyscallTable.shared.arches.contains(.x86_64))
        #expect(SyscallTable.shared.allNumbers(on: .x86_64).count > 300)
    }
}
