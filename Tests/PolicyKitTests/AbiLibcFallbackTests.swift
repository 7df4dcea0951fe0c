import AuditKit
import Foundation
import Glibc
import PolicyKit
import TestSupport
import Testing

/// Missing is not always broken: a policy with statx and clone3 against a
/// 3.10-style kernel table falls back under glibc and breaks under a libc
/// without those fallbacks; an unknown libc is judged as breaking.
@Suite struct AbiLibcFallbackTests {
    func spawner() throws -> CompiledPolicy {
        let path = Fixtures.directory().appendingPathComponent("abi/spawner.yaml").path
        let result = PolicyLoader().load(paths: [path])
        let set = try #require(result.set, "\(result.diagnostics)")
        return try #require(set.policy(named: "spawner"))
    }

    func report(libc: String, table: KernelSyscallTable? = nil) throws -> ImageAbiReport {
        let t = try table ?? AbiKallsymsTests.old()
        return AbiAnalyzer(table: t, libc: try LibcIdentity(parsing: libc)).analyze(policy: try spawner())
    }

    @Test func statxAndClone3On3_10FallBackUnderGlibc() throws {
        let r = try report(libc: "glibc-2.36")
        #expect(r.missing.map(\.name) == ["clone3", "statx"])
        #expect(r.absorbed.map { $0.fallback?.summary } == ["clone3 → clone, glibc ≥ 2.34", "statx → fstatat, glibc ≥ 2.28"])
        #expect(!r.breaks)
    }

    @Test func statxAndClone3On3_10BreakUnderMuslBefore1_2_5() throws {
        let r = try report(libc: "musl-1.2.4")
        #expect(r.breaking.map(\.name) == ["clone3", "statx"])
        #expect(r.breaks)
    }

    @Test func unknownLibcCountsAsBreaking() throws {
        let r = try report(libc: "unknown")
        #expect(r.breaking.map(\.name) == ["clone3", "statx"])
    }

    @Test func glibcOlderThanTheFallbackBreaks() throws {
        // glibc 2.27 has no statx wrapper: a statx call is the program's own.
        let r = try report(libc: "glibc-2.27")
        #expect(r.breaking.map(\.name) == ["clone3", "statx"])
    }

    @Test func fallbackNeedsItsTargetOnTheKernel() throws {
        var t = try AbiKallsymsTests.old()
        t.arches["x86_64"]?["newfstatat"] = .absent
        let r = try report(libc: "glibc-2.36", table: t)
        #expect(r.breaking.map(\.name).contains("statx"))
    }

    @Test func tableVerdictSaysFallsBackOrBreaks() throws {
        let t = try AbiKallsymsTests.old()
        let glibc = AbiAnalyzer(table: t, libc: try LibcIdentity(parsing: "glibc-2.36"))
        let text = AbiReportFormatter.table(glibc.report(policies: [try spawner()]))
        #expect(text.contains("missing (libc falls back: statx → fstatat, glibc ≥ 2.28)"))
        #expect(text.contains("spawner [registry.example/spawner:*]: runs, with warnings on Linux 3.10.0-1160.el7.x86_64"))
        let musl = AbiAnalyzer(table: t, libc: try LibcIdentity(parsing: "musl-1.2.4"))
        let broken = AbiReportFormatter.table(musl.report(policies: [try spawner()]))
        #expect(broken.contains("statx    missing (breaks)"))
        #expect(broken.contains("libc: musl 1.2.4 (from --libc)"))
    }

    @Test func configuredOutSyscallBreaks() throws {
        let r = AbiAnalyzer(table: try AbiKallsymsTests.new())
            .analyze(subject: "x", file: "x", images: [], syscalls: ["read", "kexec_load", "init_module"])
        #expect(r.notImplemented.map(\.name) == ["init_module", "kexec_load"])
        #expect(r.notImplemented.first?.availability == .notImplemented(configuredOut: true))
        #expect(r.breaks)
    }

    @Test func backportIsPresentWhateverTheVersion() throws {
        let r = AbiAnalyzer(table: try AbiKallsymsTests.old())
            .analyze(subject: "x", file: "x", images: [], syscalls: ["getrandom"])
        #expect(r.lacking.isEmpty)
    }

    @Test(arguments: [
        ("glibc-2.36", "glibc 2.36"), ("musl-1.2.4", "musl 1.2.4"), ("glibc", "glibc (version unknown)"),
        ("unknown", "unknown"),
    ])
    func libcOptionParses(text: String, expected: String) throws {
        #expect(try LibcIdentity(parsing: text).description == expected)
    }

    @Test func badLibcOptionIsRefused() {
        #expect(throws: LibcIdentityError.self) { try LibcIdentity(parsing: "uclibc-1.0") }
        #expect(throws: LibcIdentityError.self) { try LibcIdentity(parsing: "glibc-x") }
    }

    @Test func everyFallbackCitesAFunctionAndAFile() {
        for e in LibcFallbackCatalogue.entries {
            #expect(e.function.contains("() in ") && e.function.contains("/"), "\(e.syscall) \(e.family)")
            if e.fallsBack { #expect(!e.to.isEmpty) }
        }
    }
}

/// Reading an image's libc from its files, with the image treated as hostile.
@Suite struct AbiLibcDetectorTests {
    func makeRoot() throws -> String {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("callguard-rootfs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test func glibcBannerGivesTheVersionThroughAnAbsoluteSymlink() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/usr/lib/x86_64-linux-gnu", withIntermediateDirectories: true)
        // Debian's merged /usr: /lib → usr/lib; absolute here, so it must resolve inside the root.
        try FileManager.default.createSymbolicLink(atPath: root + "/lib", withDestinationPath: "/usr/lib")
        var bytes = [UInt8](repeating: 0, count: 1 << 20)  // the banner straddles the first block's end
        bytes += Array("GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/usr/lib/x86_64-linux-gnu/libc.so.6"))
        let libc = LibcDetector(root: root).detect()
        #expect(libc.description == "glibc 2.36")
        #expect(libc.source == root + "/lib/x86_64-linux-gnu/libc.so.6")
    }

    @Test func muslLoaderAndApkDatabaseGiveTheVersion() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/lib/apk/db", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/lib/ld-musl-x86_64.so.1", contents: Data())
        try "P:busybox\nV:1.36.1-r2\n\nP:musl\nV:1.2.4-r2\n\n".write(
            toFile: root + "/lib/apk/db/installed", atomically: true, encoding: .utf8)
        #expect(LibcDetector(root: root).detect().description == "musl 1.2.4")
    }

    @Test func symlinkOutOfTheRootStaysInside() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/lib64", withIntermediateDirectories: true)
        // Points at the host's libc when followed naively.
        try FileManager.default.createSymbolicLink(
            atPath: root + "/lib64/libc.so.6", withDestinationPath: "../../../../../../../lib/x86_64-linux-gnu/libc.so.6")
        let libc = LibcDetector(root: root).detect()
        #expect(libc.family == nil)
    }

    @Test func thisHostsGlibcIsRead() throws {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count)
        try #require(n > 0)
        let running = String(cString: buffer)  // "glibc 2.36"
        #expect(LibcDetector(root: "/").detect().description == running)
    }
}
