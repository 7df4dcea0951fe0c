import CallguardAgent
import ContainerKit
import Foundation
import PolicyKit
import Testing

/// The hook's filter on fixture state: index lookup, passthrough, failures.
struct OCIHookFilterTests {
    static let id = String(repeating: "ab", count: 32)

    /// A state dir with an index for `localhost/app:*` (and a default policy when asked).
    func withState(
        hookFailure: HookFailureMode = .open, withDefault: Bool = false, _ body: (String) throws -> Void
    ) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-hookfilter-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var entries = [
            ProfileIndex.Entry(
                name: "app", images: ["localhost/app:*"], isDefault: false, profile: "profiles/app.json",
                digest: "sha256:" + String(repeating: "1", count: 64), action: "log", allow: ["read", "write"])
        ]
        if withDefault {
            entries.append(
                ProfileIndex.Entry(
                    name: "fallback", images: [], isDefault: true, profile: "profiles/fallback.json",
                    digest: "sha256:" + String(repeating: "2", count: 64), action: "errno", allow: ["read"]))
        }
        let index = ProfileIndex(hookFailure: hookFailure, base: "/base.json", policies: entries)
        try DeliveryFiles.writeAtomically(index.encoded(), to: dir + "/index.json")
        try body(dir)
    }

    func config(image: String?, cgroupsPath: String = "/libpod_parent/libpod-\(OCIHookFilterTests.id)") -> String {
        let ann = image.map { #","annotations":{"io.kubernetes.cri-o.ImageName":"\#($0)","x":"y"}"# } ?? ""
        return #"{"ociVersion":"1.0.2-dev","process":{"args":["sh"],"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":1024}]},"x-future":{"k":[1,2.50]},"linux":{"cgroupsPath":"\#(cgroupsPath)","seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read","uname","kexec_load_not"],"action":"SCMP_ACT_ALLOW"},{"names":["bpf"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}}\#(ann)}"#
    }

    func run(_ dir: String, _ text: String, storage: [String] = ["/nonexistent"]) -> OCIHookFilter.Result {
        var options = OCIHookFilter.Options()
        options.stateDirectory = dir
        options.storageRoots = storage
        return OCIHookFilter(options: options).run(input: Array(text.utf8))
    }

    @Test func matchedImageGetsTheNarrowedSeccompAndTheAnnotations() throws {
        try withState { dir in
            let r = run(dir, config(image: "localhost/app:1"))
            #expect(r.exitCode == 0)
            let out = try JSONParser.parse(try #require(r.output))
            let syscalls = out["linux"]?["seccomp"]?["syscalls"]?.arrayValue ?? []
            #expect(syscalls.count == 3)
            #expect(syscalls[0]["names"]?.stringArray == ["read"])
            #expect(syscalls[1]["names"]?.stringArray == ["uname", "kexec_load_not"])
            #expect(syscalls[1]["action"] == .string("SCMP_ACT_LOG"))
            #expect(syscalls[2]["action"] == .string("SCMP_ACT_ERRNO"))
            #expect(out["annotations"]?[ProfileStamp.policyAnnotation] == .string("app"))
            #expect(out["annotations"]?[ProfileStamp.digestAnnotation] == .string("sha256:" + String(repeating: "1", count: 64)))
            #expect(r.applied?.policy == "app")
        }
    }

    @Test func everyOtherMemberPassesThroughUnchanged() throws {
        try withState { dir in
            let input = try JSONParser.parse(config(image: "localhost/app:1"))
            let out = try JSONParser.parse(try #require(run(dir, config(image: "localhost/app:1")).output))
            #expect(out["x-future"] == input["x-future"])
            #expect(out["process"] == input["process"])
            #expect(out["ociVersion"] == input["ociVersion"])
            #expect(out["annotations"]?["x"] == .string("y"))
            #expect(out.objectValue?.keys == input.objectValue?.keys)
            #expect(String(decoding: try #require(run(dir, config(image: "localhost/app:1")).output), as: UTF8.self).contains("18446744073709551615"))
        }
    }

    @Test func imageNoPolicyClaimsIsWrittenBackByteForByte() throws {
        try withState { dir in
            let text = config(image: "docker.io/library/nginx:1")
            let r = run(dir, text)
            #expect(r.exitCode == 0)
            #expect(r.output == Array(text.utf8))
            #expect(r.applied == nil)
        }
    }

    @Test func defaultPolicyTakesWhatNoPatternMatches() throws {
        try withState(withDefault: true) { dir in
            let r = run(dir, config(image: "docker.io/library/nginx:1"))
            #expect(r.applied?.policy == "fallback")
        }
    }

    @Test func indexLookupMatchesAsThePolicySetDoes() throws {
        let index = ProfileIndex(
            hookFailure: .open, base: "b",
            policies: [
                .init(name: "wide", images: ["localhost/*:*"], isDefault: false, profile: "p", digest: "d1", action: "log", allow: []),
                .init(name: "narrow", images: ["localhost/app:1"], isDefault: false, profile: "p", digest: "d2", action: "log", allow: []),
            ])
        #expect(index.entry(forImage: "localhost/app:1")?.name == "narrow")
        #expect(index.entry(forImage: "localhost/other:2")?.name == "wide")
        #expect(index.entry(forImage: "docker.io/library/nginx:1") == nil)
    }

    @Test func missingIndexFailsOpenAndIsRecorded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-hookfilter-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = config(image: "localhost/app:1")
        let r = run(dir, text)
        #expect(r.exitCode == 0)
        #expect(r.output == Array(text.utf8))
        #expect(r.message?.contains("hookFailure: open") == true)
        #expect(HookFailureLog.read(stateDirectory: dir).first?.outcome == "open")
    }

    @Test func denyRefusesWhenTheImageCannotBeTold() throws {
        try withState(hookFailure: .deny) { dir in
            let r = run(dir, config(image: nil))
            #expect(r.exitCode != 0)
            #expect(r.output == nil)
            #expect(r.message?.contains("cannot tell the image") == true)
            #expect(HookFailureLog.read(stateDirectory: dir).first?.container == Self.id)
        }
    }

    @Test func unparsableConfigFailsOpenUnchanged() throws {
        try withState { dir in
            let r = run(dir, "{not json")
            #expect(r.exitCode == 0)
            #expect(r.output == Array("{not json".utf8))
        }
    }

    @Test(arguments: [
        ("/libpod_parent/libpod-\(id)", id),
        ("machine.slice:libpod:\(id)", id),
        ("kubepods-besteffort-pod1234.slice:crio:\(id)", id),
        ("/kubepods/besteffort/pod1/\(id)", id),
        ("/system.slice/other", nil),
    ] as [(String, String?)])
    func containerIDComesFromTheCgroupsPath(path: String, expected: String?) {
        #expect(OCIHookFilter.containerID(cgroupsPath: path) == expected)
    }

    @Test func installRefusesCRIOsHooksDirectory() {
        #expect(throws: HookInstaller.Failure.self) {
            try HookInstaller.install(
                directory: HookInstaller.crioDirectory, binary: "/usr/bin/callguard", stateDirectory: "/run/callguard",
                failureMode: .open)
        }
    }

    @Test func hookFileRunsOciHookAtPrecreate() throws {
        let text = HookInstaller.hookJSON(binary: "/usr/local/bin/callguard", stateDirectory: "/run/cg", failureMode: .deny)
        let v = try JSONParser.parse(text)
        #expect(v["version"] == .string("1.0.0"))
        #expect(v["hook"]?["path"] == .string("/usr/local/bin/callguard"))
        #expect(v["hook"]?["args"]?.stringArray == ["callguard", "oci-hook", "--state-dir", "/run/cg", "--hook-failure", "deny"])
        #expect(v["stages"]?.stringArray == ["precreate"])
        #expect(v["when"]?["always"] == .bool(true))
    }
}
