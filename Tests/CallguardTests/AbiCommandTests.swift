import Foundation
import TestSupport
import Testing

/// `callguard abi`, run as the built executable: exit 0 when every image runs
/// on the target kernel, 1 when one would break, 2 for unusable input.
@Suite struct AbiCommandTests {
    func callguard(_ args: [String]) throws -> CallguardCommand.Result {
        try CallguardCommand.run(args)
    }

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

/// Usage errors exit 2 (DESIGN.md), for `abi` as for every subcommand.
@Suite struct UsageExitCodeTests {
    let command = AbiCommandTests()

    @Test func missingKernelOptionExitsTwo() throws {
        let r = try command.callguard(["abi"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--kernel"))
    }

    @Test func unknownFormatExitsTwo() throws {
        let r = try command.callguard(["abi", "--kernel", "6.1", "--format", "yaml"])
        #expect(r.status == 2)
    }

    @Test func helpStillExitsZero() throws {
        let r = try command.callguard(["abi", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--kernel"))
    }
}
