import AuditKit
import PolicyKit
import Testing

/// Whether a syscall exists on a kernel given as `uname -r` (what the agent
/// adds to each violation).
@Suite struct KernelSyscallAvailabilityTests {
    @Test func answersForAGivenRelease() throws {
        let old = try KernelSyscallAvailability(release: "4.10.0-42-generic")
        #expect(old.kernel == KernelVersion(4, 10))
        #expect(old.exists("statx") == false)
        #expect(old.exists("read") == true)
        #expect(old.availability(arch: .x86_64, number: 332) == .missing(introduced: KernelVersion(4, 11)))
    }

    @Test func deprecatedCountsAsExisting() throws {
        let k = try KernelSyscallAvailability(release: "5.4")
        #expect(k.availability(of: "_sysctl", arch: .x86_64) == .deprecated(since: KernelVersion(2, 6, 24)))
        #expect(k.exists("_sysctl") == true)
    }

    @Test func rejectsAReleaseThatDoesNotParse() {
        #expect(throws: KernelVersionError.self) { try KernelSyscallAvailability(release: "garbage") }
    }

    @Test func readsTheRunningKernel() throws {
        let release = try #require(KernelSyscallAvailability.runningRelease())
        let running = try #require(KernelSyscallAvailability.running())
        #expect(running.release == release)
        #expect(running.exists("read") == true)
    }

    @Test func fromATableTheAnswersAreTheKernelsOwn() throws {
        // A 3.10 kernel by version lacks getrandom; this one has it backported and kexec_load configured out.
        let k = KernelSyscallAvailability(table: try AbiKallsymsTests.old())
        #expect(k.exists(arch: .x86_64, number: 318) == true)  // getrandom
        #expect(k.exists(arch: .x86_64, number: 246) == false)  // kexec_load
        #expect(k.exists(arch: .x86_64, number: 332) == false)  // statx
        #expect(k.availability(of: "kexec_load", arch: .x86_64) == .notImplemented(configuredOut: true))
    }

    @Test func theAgentsAnswerOnThisHostComesFromKallsyms() throws {
        let host = try #require(KernelSyscallAvailability.host())
        #expect(host.table?.readFrom == "/proc/kallsyms")
        #expect(host.exists(arch: .x86_64, number: 0) == true)  // read
    }

    @Test func unknownNumberIsUnknown() throws {
        let k = try KernelSyscallAvailability(release: "6.1")
        #expect(k.availability(arch: .x86_64, number: 1023) == .unknown)
    }
}

/// The by-number table agrees with the by-name answers for every syscall libaudit numbers.
@Suite struct KernelSyscallAvailabilityTableTests {
    @Test(arguments: ["3.10", "4.11", "6.1", "table"])
    func byNumberAgreesWithByName(release: String) throws {
        let k =
            release == "table"
            ? KernelSyscallAvailability(table: try AbiKallsymsTests.new())
            : try KernelSyscallAvailability(release: release)
        for arch in SyscallTable.shared.arches {
            for n in SyscallTable.shared.allNumbers(on: arch) {
                let name = try #require(arch.syscallName(n))
                #expect(
                    k.availability(arch: arch, number: n) == k.availability(of: name, arch: arch), "\(arch) \(name)")
            }
        }
    }

    @Test func outOfRangeNumbersAreUnknown() throws {
        let k = try KernelSyscallAvailability(release: "6.1")
        #expect(k.availability(arch: .x86_64, number: -1) == .unknown)
        #expect(k.availability(arch: .x86_64, number: 5000) == .unknown)
        #expect(k.exists(arch: .x86_64, number: 332) == true)
    }
}
