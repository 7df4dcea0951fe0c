import Testing
@testable import ContainerKit

/// Whole `/proc/PID/cgroup` files: v1, v2 and hybrid layouts.
struct ProcCgroupFileTests {
    @Test func podmanHybridFileFromThisMachineIsThePodmanContainer() throws {
        let text = try TestIDs.cgroupFixture("podman-cgroupfs-hybrid.txt")
        #expect(ProcCgroupFile.classify(text) == .container(ContainerRef(runtime: .podman, id: TestIDs.podman)))
    }

    @Test func conmonHybridFileIsHost() throws {
        #expect(ProcCgroupFile.classify(try TestIDs.cgroupFixture("conmon-cgroupfs-hybrid.txt")) == .host)
    }

    @Test func hostFileOfThisVMIsHost() throws {
        #expect(ProcCgroupFile.classify(try TestIDs.cgroupFixture("host-vm-hybrid.txt")) == .host)
    }

    @Test func hybridFileWithRootUnifiedLineUsesV1Lines() throws {
        let text = try TestIDs.cgroupFixture("docker-cgroupfs-hybrid.txt")
        #expect(ProcCgroupFile.classify(text) == .container(ContainerRef(runtime: .docker, id: TestIDs.docker)))
    }

    @Test func unifiedOnlyFileUsesTheUnifiedLine() throws {
        let text = try TestIDs.cgroupFixture("containerd-systemd-v2.txt")
        #expect(ProcCgroupFile.classify(text) == .container(
            ContainerRef(runtime: .containerd, id: TestIDs.containerd, podUID: "8c7b6a59-4837-4261-9f0e-d1c2b3a49586")))
    }

    @Test func v1OnlyKubepodsFileIsKubernetesContainer() throws {
        let text = try TestIDs.cgroupFixture("kubepods-cgroupfs-v1.txt")
        #expect(ProcCgroupFile.classify(text) == .container(
            ContainerRef(runtime: .kubernetes, id: TestIDs.containerd, podUID: "8c7b6a59-4837-4261-9f0e-d1c2b3a49586")))
    }

    @Test func deletedSuffixIsIgnored() throws {
        let text = try TestIDs.cgroupFixture("docker-systemd-v2-deleted.txt")
        #expect(ProcCgroupFile.classify(text) == .container(ContainerRef(runtime: .docker, id: TestIDs.docker)))
    }

    @Test func hostSessionFileIsHost() throws {
        #expect(ProcCgroupFile.classify(try TestIDs.cgroupFixture("host-systemd-v2.txt")) == .host)
    }

    @Test func unifiedLineTakesPrecedenceOverV1Lines() {
        let text = "4:memory:/docker/\(TestIDs.docker)\n0::/system.slice/docker-\(TestIDs.dockerK8s).scope\n"
        #expect(ProcCgroupFile.classify(text) == .container(ContainerRef(runtime: .docker, id: TestIDs.dockerK8s)))
    }

    @Test func garbageIsHost() {
        #expect(ProcCgroupFile.classify("no colons here\n:\n\u{0}\u{1}") == .host)
        #expect(ProcCgroupFile.classify("") == .host)
    }
}

/// Whatever bytes a cgroup file or stat line holds, parsing ends without a trap.
struct HostileProcTextTests {
    static func randomText(_ rng: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("0123456789abcdef:/()- \n.@\\x_podlibdockercrioscope".utf8) + [0xff, 0x00, 0xc3]
        let count = Int.random(in: 0..<200, using: &rng)
        return String(decoding: (0..<count).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self)
    }

    @Test func randomCgroupTextNeverTrapsAndMostlyIsHost() {
        var rng = SystemRandomNumberGenerator()
        var containers = 0
        for _ in 0..<5_000 {
            if case .container = ProcCgroupFile.classify(Self.randomText(&rng)) { containers += 1 }
        }
        // A random string almost never spells a 64-hex id after a runtime prefix.
        #expect(containers < 10)
    }

    @Test func randomStatTextNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<5_000 where ProcStat.parse(Self.randomText(&rng)) != nil { parsed += 1 }
        #expect(parsed < 5_000)
    }
}
