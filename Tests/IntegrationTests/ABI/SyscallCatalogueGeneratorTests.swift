import Foundation
import TestSupport
import Testing

/// Scripts/generate-syscall-catalogue.py: run on Debian's real syscalls(2) it
/// reproduces the committed table byte for byte; run on a page of quirks it
/// parses each one; a supplement that contradicts the page is refused.
@Suite struct SyscallCatalogueGeneratorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("Scripts/generate-syscall-catalogue.py").path
    static let committed = root.appendingPathComponent("Sources/PolicyKit/ABI/SyscallCatalogue+Generated.swift").path
    static let realPage = "/usr/share/man/man2/syscalls.2.gz"
    static var hasPython: Bool { RequireIntegration.hasExecutable("python3") }
    static var hasPage: Bool { FileManager.default.fileExists(atPath: realPage) }

    typealias Run = ChildProcess.Output

    func generate(_ args: [String]) throws -> Run {
        try ChildProcess.run("/usr/bin/env", ["python3", Self.script, "--output", "-"] + args)
    }

    func fixture(_ name: String) -> String {
        Self.root.appendingPathComponent("Tests/IntegrationTests/Fixtures/abi/\(name)").path
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPython && hasPage)))
    func realPageReproducesTheCommittedTable() throws {
        guard RequireIntegration.check(Self.hasPython, "python3 (Debian package python3)"),
            RequireIntegration.check(Self.hasPage, "\(Self.realPage) (Debian package manpages-dev)")
        else { return }
        let r = try generate([])
        #expect(r.status == 0, "\(r.stderr)")
        let committed = try String(contentsOfFile: Self.committed, encoding: .utf8)
        #expect(r.stdout == committed, "regenerate with `make syscall-catalogue` and commit the result")
        #expect(r.stdout.contains("man-pages 6.03"))
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPython)))
    func quirksOfThePageAreParsed() throws {
        guard RequireIntegration.check(Self.hasPython, "python3 (Debian package python3)") else { return }
        let r = try generate(["--page", fixture("quirks.2"), "--supplement", fixture("quirks-supplement.tsv")])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func entry(_ name: String) -> String? { lines.first { $0.hasPrefix("Entry(name: \"\(name)\",") } }
        #expect(r.stdout.contains("man-pages 9.99 (2099-01-01)"))
        #expect(r.stdout.contains("do not edit"))
        // Removed, then deprecated from the supplement.
        #expect(
            entry("_sysctl")?.contains(
                "removed: KernelVersion(5, 5, 0), deprecated: true, deprecatedSince: KernelVersion(2, 6, 24)") == true)
        #expect(entry("_sysctl")?.contains("source: .manPageAndSupplement") == true)
        // T{ ... T} notes joined into one line, font escapes removed.
        #expect(entry("accept")?.contains("notes: \"See notes on socketcall(2)\"") == true)
        #expect(entry("bdflush")?.contains("deprecatedSince: KernelVersion(2, 6, 0)") == true)
        // A per-arch introduction.
        #expect(entry("arch_prctl")?.contains("archIntroduced: [\"i386\": KernelVersion(4, 12, 0)]") == true)
        // A backport to an earlier series.
        #expect(
            entry("fgetxattr")?.contains("introduced: KernelVersion(2, 6, 0), alsoIn: [KernelVersion(2, 4, 18)]")
                == true)
        // A per-arch removal is not a removal.
        #expect(entry("getdtablesize")?.contains("removed:") == false)
        #expect(entry("getunwind")?.contains("deprecated: true, archNote: \"IA-64 only\"") == true)
        #expect(entry("newthing")?.contains("introduced: KernelVersion(3, 0, 0)") == true)  // "3.x"
        #expect(entry("perfmonctl")?.contains("removed: KernelVersion(5, 10, 0)") == true)
        #expect(entry("pread64")?.contains("introduced: KernelVersion(2, 2, 0)") == true)  // empty Kernel column
        #expect(entry("usr26")?.contains("introduced: KernelVersion(2, 4, 8)") == true)  // "2.4.8.1"
        // Commented-out rows are not syscalls.
        #expect(entry("cmpxchg") == nil)
        // The "not implemented" paragraph.
        #expect(entry("tuxcall")?.contains("unimplemented: true") == true)
        #expect(entry("vserver")?.contains("unimplemented: true") == true)
        // Removed ports: the later removal wins.
        #expect(
            entry("pread")?.contains("removed: KernelVersion(4, 17, 0), archNote: \"AVR32 and Blackfin only\"") == true)
        #expect(entry("mount_setattr")?.contains("source: .supplement") == true)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPython)))
    func laterReleasesTableLayoutIsParsed() throws {
        // Later man-pages releases put names in T{ .BR name (2) T} blocks, write
        // fonts as \f[B]..\f[], a plain header row and ", removed in".
        guard RequireIntegration.check(Self.hasPython, "python3 (Debian package python3)") else { return }
        let r = try generate([
            "--page", fixture("quirks-newer-format.2"), "--supplement", fixture("quirks-supplement.tsv"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func entry(_ name: String) -> String? { lines.first { $0.hasPrefix("Entry(name: \"\(name)\",") } }
        #expect(r.stdout.contains("man-pages 9.100"))
        #expect(entry("accept")?.contains("notes: \"See notes on socketcall(2)\"") == true)
        #expect(
            entry("bdflush")?.contains(
                "removed: KernelVersion(5, 15, 0), deprecated: true, deprecatedSince: KernelVersion(2, 6, 0)") == true)
        #expect(entry("chown")?.contains("notes: \"See chown(2) for version details\"") == true)
        #expect(entry("pwrite64")?.contains("introduced: KernelVersion(2, 2, 0)") == true)
        #expect(entry("sched_get_affinity")?.contains("Name of sched_getaffinity(2) on SPARC") == true)
        #expect(entry("statx")?.contains("introduced: KernelVersion(4, 11, 0)") == true)
        #expect(entry("tuxcall")?.contains("unimplemented: true") == true)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPython)))
    func supplementContradictingThePageIsRefused() throws {
        guard RequireIntegration.check(Self.hasPython, "python3 (Debian package python3)") else { return }
        let r = try generate(["--page", fixture("quirks.2"), "--supplement", fixture("contradicting-supplement.tsv")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("statx: introduced 4.12 contradicts the page's 4.11"))
        #expect(r.stdout.isEmpty)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPython)))
    func pageThatIsNotSyscalls2IsRefused() throws {
        guard RequireIntegration.check(Self.hasPython, "python3 (Debian package python3)") else { return }
        let r = try generate(["--page", fixture("quirks-supplement.tsv")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is this syscalls(2)?"))
    }
}
