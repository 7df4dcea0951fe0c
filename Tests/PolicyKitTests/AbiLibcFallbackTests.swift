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
        #expect(!LibcFallbackCatalogue.entries.isEmpty)
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

    @Test func fifoInPlaceOfLibcDoesNotBlock() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/lib64", withIntermediateDirectories: true)
        #expect(mkfifo(root + "/lib64/libc.so.6", 0o600) == 0)
        let libc = LibcDetector(root: root).detect()
        #expect(libc.family == .glibc && libc.version == nil)
    }

    @Test func thisHostsGlibcIsRead() throws {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count)
        try #require(n > 0)
        let running = String(cString: buffer)  // "glibc 2.36"
        #expect(LibcDetector(root: "/").detect().description == running)
    }
}

/// The oldest kernel a glibc build runs on, from its ELF ABI tag.
@Suite struct AbiElfAbiTagTests {
    /// A minimal little-endian ELF64 with one PT_NOTE holding `GNU` ABI tag `Linux major.minor.patch`.
    static func elf(major: UInt32, minor: UInt32, patch: UInt32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 64 + 56 + 32)
        b[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        b[4] = 2  // ELFCLASS64
        b[5] = 1  // little-endian
        func put16(_ o: Int, _ v: Int) { b[o] = UInt8(v & 0xFF); b[o + 1] = UInt8(v >> 8 & 0xFF) }
        func put32(_ o: Int, _ v: UInt32) { for i in 0..<4 { b[o + i] = UInt8(v >> (8 * UInt32(i)) & 0xFF) } }
        put32(32, 64)  // e_phoff
        put16(54, 56)  // e_phentsize
        put16(56, 1)  // e_phnum
        put32(64, 4)  // PT_NOTE
        put32(64 + 8, 120)  // p_offset
        put32(64 + 32, 32)  // p_filesz
        put32(120, 4)  // namesz
        put32(124, 16)  // descsz
        put32(128, 1)  // NT_GNU_ABI_TAG
        b[132...135] = [0x47, 0x4E, 0x55, 0]
        put32(136, 0)  // Linux
        put32(140, major)
        put32(144, minor)
        put32(148, patch)
        return b
    }

    @Test func readsTheTag() {
        #expect(ElfAbiTag.minimumKernel(elf: Self.elf(major: 3, minor: 2, patch: 0)) == KernelVersion(3, 2, 0))
    }

    @Test func truncatedOrForeignFilesGiveNothing() {
        let full = Self.elf(major: 3, minor: 2, patch: 0)
        #expect(ElfAbiTag.minimumKernel(elf: Array(full.prefix(140))) == nil)
        var bigEndian = full
        bigEndian[5] = 2
        #expect(ElfAbiTag.minimumKernel(elf: bigEndian) == nil)
        #expect(ElfAbiTag.minimumKernel(elf: Array("not an elf".utf8)) == nil)
    }

    @Test func thisHostsLibcHasATag() throws {
        let libc = LibcDetector(root: "/").detect()
        let needed = try #require(libc.minimumKernel)
        #expect(needed >= KernelVersion(2, 6, 32))
    }

    @Test func anOlderKernelThanTheTagBreaksEveryImage() throws {
        var libc = try LibcIdentity(parsing: "glibc-2.36")
        libc.minimumKernel = KernelVersion(3, 2)
        let analyzer = AbiAnalyzer(kernel: KernelVersion(2, 6, 32), libc: libc)
        let report = AbiReport(
            analyzer: analyzer, images: [analyzer.analyze(subject: "x", file: "x", images: [], syscalls: ["read"])])
        #expect(report.breaks)
        #expect(AbiReportFormatter.table(report).contains("libc needs Linux ≥ 3.2 (the ELF ABI tag of its libc.so.6)"))
        let newer = AbiAnalyzer(kernel: KernelVersion(3, 10), libc: libc)
        #expect(!AbiReport(analyzer: newer, images: []).breaks)
    }
}
