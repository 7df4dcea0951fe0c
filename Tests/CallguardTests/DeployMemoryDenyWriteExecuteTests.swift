import Foundation
import Testing
import TestSupport

/// The unit sets MemoryDenyWriteExecute=yes. The kernel's own form of that
/// rule is prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) (Linux 6.3+; systemd
/// 252 enforces the same rule with seccomp): no mapping may be writable and
/// executable, and no mapping may become executable later. It is inherited
/// across execve, so setting it in a small wrapper and exec'ing callguard
/// shows the executable, the Swift runtime and every shared library load and
/// run without W^X exceptions (no executable stack, no text relocations, no JIT).
@Suite struct DeployMemoryDenyWriteExecuteTests {
    static let python = Deploy.tool("/usr/bin/python3")
    static let kernelHasMDWE: Bool = {
        guard let python else { return false }
        let r = try? Deploy.run(python, ["-c", "import ctypes; l = ctypes.CDLL(None); print(l.prctl(66, 0, 0, 0, 0))"])
        return r?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }()

    /// Sets PR_SET_MDWE (65) to PR_MDWE_REFUSE_EXEC_GAIN (1), then runs argv.
    static let wrapper = """
        import ctypes, os, sys
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(65, 1, 0, 0, 0) != 0:
            sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
        if sys.argv[1] == "--try-wx":
            import mmap
            try:
                mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            except OSError:
                sys.exit(0)
            sys.exit("a writable and executable mapping was allowed")
        os.execv(sys.argv[1], sys.argv[1:])
        """

    func underMDWE(_ arguments: [String]) throws -> Deploy.Run {
        try Deploy.run(Self.python!, ["-c", Self.wrapper] + arguments)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(kernelHasMDWE)))
    func wrapperRefusesWritableExecutableMemory() throws {
        guard RequireIntegration.check(Self.kernelHasMDWE, "python3 and a kernel with PR_SET_MDWE (Linux 6.3+)") else { return }
        let r = try underMDWE(["--try-wx"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(kernelHasMDWE)), arguments: ["json", "cef", "leef"])
    func callguardRunsUnderMemoryDenyWriteExecute(format: String) throws {
        guard RequireIntegration.check(Self.kernelHasMDWE, "python3 and a kernel with PR_SET_MDWE (Linux 6.3+)") else { return }
        let log = Fixtures.directory().appendingPathComponent("deploy/ptrace.log").path
        let policies = Deploy.root.appendingPathComponent("policies").path
        let r = try underMDWE([
            Deploy.executable, "replay", "--policies", policies, "--assume-image", "localhost/busybox:1",
            "--format", format, log,
        ])
        // Exit 1: violations found (the fixture's ptrace is not in the busybox policy).
        #expect(r.status == 1, "callguard replay under MDWE: \(r.stderr)")
        #expect(r.stdout.contains("syscall-not-allowed") && r.stdout.contains("ptrace"))
    }
}
