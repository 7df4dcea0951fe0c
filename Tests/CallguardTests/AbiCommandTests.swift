import Foundation
import Glibc
import TestSupport
import Testing

/// `callguard abi`, run as the built executable: exit 0 when every image runs
/// on the target kernel, 1 when one would break, 2 for unusable input.
@Suite struct AbiCommandTests {
    func fixture(_ name: String) -> String {
        Fixtures.directory().appendingPathComponent("abi/\(name)").path
    }

    @Test func imageThatRunsWithWarningsExitsZero() throws {
        let r = try callguard(["abi", "--kernel", "4.11", fixture("legacy")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("legacy [registry.example/legacy:*]: runs, with warnings on Linux 4.11 (x86_64)"))
        #expect(r.stdout.contains("_sysctl  deprecated"))
    }

    @Test func removedSyscallOnTheTargetExitsOne() throws {
        let r = try callguard(["abi", "--kernel", "6.1", fixture("legacy")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("_sysctl  removed"))
        #expect(r.stdout.contains("1 of 1 images would break on Linux 6.1 (x86_64)"))
    }

    @Test func missingSyscallOnAnOldKernelExitsOne() throws {
        let r = try callguard(["abi", "--kernel", "3.10.0-1160.el7.x86_64", fixture("legacy/legacy.yaml")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("statx    missing"))
    }

    @Test func jsonListsEachImageAndTheFloor() throws {
        let r = try callguard([
            "abi", "--kernel", "5.15.0-91-generic", "--since", "3.10", "--format", "json", fixture("legacy"),
            fixture("modern"),
        ])
        #expect(r.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["kernel"] as? String == "5.15")
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.map { $0["name"] as? String } == ["legacy", "modern"])
        #expect(images.map { $0["breaks"] as? Bool } == [true, false])
        let modernNewer = try #require(images[1]["newer_than_since"] as? [[String: Any]])
        #expect(modernNewer.map { $0["name"] as? String } == ["statx"])
    }

    @Test func auditLogIsJudgedByWhatItObserved() throws {
        let r = try callguard(["abi", "--kernel", "6.1", fixture("legacy-observed.log")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("_sysctl  removed"))
        #expect(r.stdout.contains("3 syscalls, 1 removed"))
    }

    @Test func seccompProfileIsJudgedByItsAllowedSyscalls() throws {
        let r = try callguard(["abi", "--kernel", "3.10", fixture("legacy-profile.json")])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("statx    missing"))
        #expect(r.stdout.contains("legacy-profile: BREAKS on Linux 3.10 (x86_64)"))
    }

    @Test func policiesOptionIsTheDefaultInput() throws {
        let r = try callguard(["abi", "--kernel", "6.1", "--policies", fixture("modern")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("remap_file_pages  deprecated"))
    }

    @Test func badKernelVersionExitsTwo() throws {
        let r = try callguard(["abi", "--kernel", "latest", fixture("legacy")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("'latest' is not a kernel version"))
    }

    @Test func badSinceExitsTwo() throws {
        let r = try callguard(["abi", "--kernel", "6.1", "--since", "x", fixture("legacy")])
        #expect(r.status == 2)
    }

    @Test func unknownArchExitsTwo() throws {
        let r = try callguard(["abi", "--kernel", "6.1", "--arch", "sparc", fixture("legacy")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown or uncovered arch 'sparc'"))
    }

    @Test func missingInputExitsTwo() throws {
        let r = try callguard(["abi", "--kernel", "6.1", "/nonexistent/callguard-abi.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no such file"))
    }

    @Test func runningKernelIsAccepted() throws {
        let r = try callguard(["abi", "--kernel", "running", fixture("modern")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("0 of 1 images would break on Linux "))
    }
}

/// `callguard abi --host`, `--export-host`, `--kernel-table` and the libc
/// options, run as the built executable on this machine's kernel.
@Suite struct AbiHostCommandTests {
    let command = AbiCommandTests()

    func exportHost() throws -> String {
        let r = try callguard(["abi", "--export-host"])
        #expect(r.status == 0, "\(r.stderr)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-host-\(getpid()).json").path
        try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func exportHostWritesTheRunningKernelsTable() throws {
        let path = try exportHost()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = try #require(FileManager.default.contents(atPath: path))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["format"] as? String == "callguard-kernel-table/1")
        #expect(object["read_from"] as? String == "/proc/kallsyms")
        let arches = try #require(object["arches"] as? [String: [String: [String]]])
        let x86 = try #require(arches["x86_64"])
        #expect(x86["implemented"]?.contains("statx") == true)
        #expect(x86["configured_out"]?.contains("kexec_load") == true)
    }

    @Test func hostSaysConfiguredOutSyscallsBreak() throws {
        let r = try callguard(["abi", "--host", command.fixture("host/modules.yaml")])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("init_module    not implemented (breaks)  configured out (weak entry point: ENOSYS)"))
        #expect(r.stdout.contains("3 not implemented"))
        #expect(!r.stdout.contains("statx "))
    }

    @Test func kernelTableGivesTheSameAnswerAsHost() throws {
        let path = try exportHost()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let host = try callguard(["abi", "--host", "--format", "json", command.fixture("host/modules.yaml")])
        let table = try callguard(["abi", "--kernel-table", path, "--format", "json", command.fixture("host/modules.yaml")])
        #expect(table.status == 1)
        let a = try #require(try JSONSerialization.jsonObject(with: Data(host.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(table.stdout.utf8)) as? [String: Any])
        #expect((a["images"] as? NSArray) == (b["images"] as? NSArray))
        #expect((b["kernel_table"] as? String)?.hasPrefix(path) == true)
    }

    @Test func versionAloneCallsConfiguredOutSyscallsPresent() throws {
        // What --host corrects: by version, 6.18 has init_module.
        let r = try callguard(["abi", "--kernel", "6.18", command.fixture("host/modules.yaml")])
        #expect(r.status == 0)
    }

    @Test func glibcAbsorbsWhatAnOldKernelLacks() throws {
        let r = try callguard(["abi", "--kernel", "3.10", "--libc", "glibc-2.36", command.fixture("host/spawner.yaml")])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("statx    missing (libc falls back: statx → fstatat, glibc ≥ 2.28)"))
        #expect(r.stdout.contains("clone3   missing (libc falls back: clone3 → clone, glibc ≥ 2.34)"))
    }

    @Test func muslDoesNotAbsorbIt() throws {
        let r = try callguard(["abi", "--kernel", "3.10", "--libc", "musl-1.2.4", command.fixture("host/spawner.yaml")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("statx    missing (breaks)"))
    }

    @Test func unknownLibcIsSaidAndCountsAsBreaking() throws {
        let r = try callguard(["abi", "--kernel", "3.10", command.fixture("host/spawner.yaml")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("would fall back under statx → fstatat, glibc ≥ 2.28; statx → fstatat, musl ≥ 1.2.5, but the libc is unknown"))
        #expect(r.stdout.contains("libc: unknown"))
    }

    @Test func rootfsGivesTheLibc() throws {
        let r = try callguard(["abi", "--kernel", "3.10", "--rootfs", "/", command.fixture("host/spawner.yaml")])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("libc: glibc 2."))
    }

    @Test func rootfsLibcRefusesAKernelOlderThanItsAbiTag() throws {
        let r = try callguard(["abi", "--kernel", "2.6.0", "--rootfs", "/", command.fixture("host/spawner.yaml")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FATAL: kernel too old"))
    }

    @Test func badLibcExitsTwo() throws {
        let r = try callguard(["abi", "--kernel", "3.10", "--libc", "bionic", command.fixture("host/spawner.yaml")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("'bionic' is not a libc"))
    }

    @Test func twoTargetsExitTwo() throws {
        let r = try callguard(["abi", "--kernel", "3.10", "--host", command.fixture("host/spawner.yaml")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("give one target"))
    }

    @Test func unreadableKernelTableExitsTwo() throws {
        let r = try callguard(["abi", "--kernel-table", "/nonexistent/host.json", command.fixture("host/spawner.yaml")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/nonexistent/host.json"))
    }
}

/// Usage errors exit 2 (DESIGN.md), for `abi` as for every subcommand.
@Suite struct UsageExitCodeTests {
    let command = AbiCommandTests()

    @Test func missingKernelOptionExitsTwo() throws {
        let r = try callguard(["abi"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--kernel"))
    }

    @Test func unknownFormatExitsTwo() throws {
        let r = try callguard(["abi", "--kernel", "6.1", "--format", "yaml"])
        #expect(r.status == 2)
    }

    @Test func helpStillExitsZero() throws {
        let r = try callguard(["abi", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--kernel"))
    }
}
