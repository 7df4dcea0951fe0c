import AuditKit
import Foundation
import PolicyKit
import TestSupport
import Testing

/// This machine's kernel, read from its /proc/kallsyms: what its version
/// claims and what it really implements differ (6.18 built without module
/// loading, kexec and uselib), and that is what `abi --host` and the agent's
/// `exists_on_host_kernel` now say.
@Suite struct HostKernelTableTests {
    static var hasKallsyms: Bool { FileManager.default.isReadableFile(atPath: "/proc/kallsyms") }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasKallsyms)))
    func configuredOutSyscallsAreNotImplemented() throws {
        guard RequireIntegration.check(Self.hasKallsyms, "a readable /proc/kallsyms") else { return }
        let table = try KernelSyscallTable.running()
        for name in ["kexec_load", "init_module", "uselib"] {
            #expect(table.implementation(of: name, arch: .x86_64) == .configuredOut, "\(name)")
        }
        // By version alone, the same kernel has them.
        let byVersion = try KernelSyscallAvailability(release: table.release)
        #expect(byVersion.exists("kexec_load", arch: .x86_64) == true)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasKallsyms)))
    func statxAndGetrandomAreImplemented() throws {
        guard RequireIntegration.check(Self.hasKallsyms, "a readable /proc/kallsyms") else { return }
        let table = try KernelSyscallTable.running()
        #expect(table.implementation(of: "statx", arch: .x86_64) == .implemented)
        #expect(table.implementation(of: "getrandom", arch: .x86_64) == .implemented)
        #expect(table.convention == .ptRegsWrappers)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasKallsyms)))
    func agentFlagComesFromTheTable() throws {
        guard RequireIntegration.check(Self.hasKallsyms, "a readable /proc/kallsyms") else { return }
        let host = try #require(KernelSyscallAvailability.host())
        let kexec = try #require(AuditArch.x86_64.syscallNumber("kexec_load"))
        let statx = try #require(AuditArch.x86_64.syscallNumber("statx"))
        #expect(host.hasSyscall(.x86_64, kexec) == false)
        #expect(host.hasSyscall(.x86_64, statx) == true)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasKallsyms)))
    func readingKallsymsIsQuickAndSmall() throws {
        guard RequireIntegration.check(Self.hasKallsyms, "a readable /proc/kallsyms") else { return }
        let start = Date()
        let r = try KallsymsReader().read(path: "/proc/kallsyms")
        let seconds = Date().timeIntervalSince(start)
        #expect(r.lines > 50_000)
        #expect(r.symbols.count < 10_000)  // only entry points are kept
        #expect(seconds < 2, "read \(r.lines) lines in \(seconds) s")
    }
}

/// A real Debian image (bookworm with nginx-light, built with mmdebstrap)
/// checked against this host's exported table, its libc read from its files.
@Suite(.serialized) struct DebianImageAbiTests {
    static var prerequisites: Bool {
        RequireIntegration.isRoot && RequireIntegration.hasExecutable("mmdebstrap")
            && FileManager.default.fileExists(atPath: "/etc/apt/sources.list.d/debian.sources")
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func nginxPolicy() throws -> CompiledPolicy {
        let result = try PolicyLoader().load(directory: Self.repository.appendingPathComponent("policies").path)
        let set = try #require(result.set, "\(result.diagnostics)")
        return try #require(set.policy(named: "nginx"))
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)), .timeLimit(.minutes(5)))
    func nginxImageOnThisHostAndOnAnOldOne() throws {
        guard RequireIntegration.check(Self.prerequisites, "root, mmdebstrap and Debian's apt sources") else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-abi-nginx-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = try ChildProcess.run(
            "/usr/bin/mmdebstrap",
            ["--quiet", "--variant=apt", "--include=nginx-light", "--format=directory", "bookworm", root,
             "/etc/apt/sources.list.d/debian.sources"])
        try #require(build.status == 0, "\(build.stderr)")
        let libc = LibcDetector(root: root).detect()
        #expect(libc.family == .glibc)
        #expect(libc.version == LibcVersion(2, 36))
        #expect(libc.minimumKernel == KernelVersion(3, 2))

        // This host, through an exported table, as an operator would collect it.
        let exported = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-host-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: exported) }
        try KernelSyscallTable.running().jsonData().write(to: exported)
        let table = try KernelSyscallTable.load(path: exported.path)
        let here = AbiAnalyzer(table: table, libc: libc).analyze(policy: try nginxPolicy())
        #expect(!here.breaks, "\(here.breaking.map(\.name))")

        // A 3.10-style kernel: statx, rseq and faccessat2 absorbed by glibc 2.36; getrandom is the program's.
        let old = try KernelSyscallTable(
            symbols: try KallsymsReader().read(
                path: Self.repository.appendingPathComponent(
                    "Tests/PolicyKitTests/Fixtures/kallsyms/linux-3.10-x86_64.kallsyms"
                ).path),
            release: "3.10.0-1160.el7.x86_64", machine: "x86_64", readFrom: "fixture")
        let there = AbiAnalyzer(table: old, libc: libc).analyze(policy: try nginxPolicy())
        #expect(there.absorbed.map(\.name).contains("statx"))
        #expect(there.absorbed.map(\.name).contains("rseq"))
    }
}
