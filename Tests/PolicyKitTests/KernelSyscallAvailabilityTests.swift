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

    @Test func unknownNumberIsUnknown() throws {
        let k = try KernelSyscallAvailability(release: "6.1")
        #expect(k.availability(arch: .x86_64, number: 1023) == .unknown)
    }
}
