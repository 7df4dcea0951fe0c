import Foundation
import Testing

@testable import SinkKit
import TestSupport

@Suite struct JSONFormatterTests {
    /// DESIGN.md's violation: ECS fields, callguard's own under `callguard.`.
    @Test func designExampleIsReproducedFieldForField() {
        let out = String(decoding: JSONFormatter().format(Samples.violation()), as: UTF8.self)
        #expect(
            out == """
                {"@timestamp":"2026-11-29T06:00:00.120Z","ecs":{"version":"9.4.0"},\
                "event":{"kind":"alert","category":["process"],"type":["info"],"action":"syscall-not-allowed","outcome":"failure",\
                "severity":7,"sequence":456,"created":"2026-11-29T06:00:00.123Z"},\
                "host":{"name":"node-1"},"container":{"id":"3a5b0c","runtime":"podman","image":{"name":"localhost/app:1.0"}},\
                "process":{"pid":4242,"parent":{"pid":4200},"name":"sh","executable":"/bin/busybox","user":{"id":"0"}},\
                "rule":{"name":"app","reference":"policies/app.yaml"},\
                "callguard":{"syscall":{"name":"ptrace","number":101,"arch":"x86_64","success":false,"exit":-1},"count":1}}
                """)
    }

    @Test func kubernetesFieldsUseECSOrchestratorNames() throws {
        var v = Samples.violation()
        v.container = .init(id: "c1", runtime: "containerd", imageName: "nginx:1", podName: "web-0", namespace: "prod", containerName: "nginx")
        let obj = try #require(FormatParsers.json(JSONFormatter().format(v)))
        let orch = try #require(obj["orchestrator"] as? [String: Any])
        #expect(orch["namespace"] as? String == "prod")
        #expect((orch["resource"] as? [String: Any])?["name"] as? String == "web-0")
        #expect((obj["container"] as? [String: Any])?["name"] as? String == "nginx")
    }

    @Test func hostProcessHasNoContainerObject() throws {
        var v = Samples.violation()
        v.container = nil
        let obj = try #require(FormatParsers.json(JSONFormatter().format(v)))
        #expect(obj["container"] == nil)
        #expect(obj["process"] != nil)
    }

    @Test(arguments: Samples.hostile.map(\.label))
    func hostileProcessValuesStayInsideTheirFields(label: String) throws {
        let bytes = try #require(Samples.hostile.first { $0.label == label }).bytes
        let baseline = try #require(FormatParsers.json(JSONFormatter().format(Samples.violation())))
        let out = JSONFormatter().format(Samples.violation(name: UntrustedBytes(bytes), executable: UntrustedBytes(bytes)))
        #expect(!out.contains(0x0A) && !out.contains(0x0D))
        #expect(out.allSatisfy { $0 >= 0x20 })
        let obj = try #require(FormatParsers.json(out), "output must stay one valid JSON object")
        #expect(FormatParsers.keyPaths(obj) == FormatParsers.keyPaths(baseline))
        let process = try #require(obj["process"] as? [String: Any])
        let name = try #require(process["name"] as? String)
        #expect(FormatParsers.undisplay(name) == bytes, "display form must be lossless")
        #expect((process["executable"] as? String) == name)
        #expect((obj["event"] as? [String: Any])?["kind"] as? String == "alert")
    }
}

@Suite struct OptionalProcessFieldTests {
    @Test(arguments: Samples.hostile.map(\.label))
    func commandLineAndPathAreEscapedInEveryFormat(label: String) throws {
        let bytes = try #require(Samples.hostile.first { $0.label == label }).bytes
        var v = Samples.violation()
        v.process.commandLine = UntrustedBytes(bytes + [0] + bytes)
        v.process.filePath = UntrustedBytes(bytes)
        let json = try #require(FormatParsers.json(JSONFormatter().format(v)))
        let cmd = try #require((json["process"] as? [String: Any])?["command_line"] as? String)
        #expect(FormatParsers.undisplay(cmd) == bytes + [0] + bytes)
        let path = try #require((json["file"] as? [String: Any])?["path"] as? String)
        #expect(FormatParsers.undisplay(path) == bytes)
        let cef = try #require(FormatParsers.cef(String(decoding: CEFFormatter().format(v), as: UTF8.self)))
        #expect(FormatParsers.undisplay(cef.ext["callguardCallguardCommandLine"] ?? "") == bytes + [0] + bytes)
        #expect(FormatParsers.undisplay(cef.ext["filePath"] ?? "") == bytes)
        let leef = try #require(FormatParsers.leef(String(decoding: LEEFFormatter().format(v), as: UTF8.self)))
        #expect(FormatParsers.undisplay(leef.attrs["commandLine"] ?? "") == bytes + [0] + bytes)
        #expect(FormatParsers.undisplay(leef.attrs["filePath"] ?? "") == bytes)
    }
}

/// A guarded container's profile in every format.
struct ViolationProfileFieldTests {
    static var guarded: Violation {
        var v = Samples.violation()
        v.profile = .init(policy: "app", digest: "sha256:" + String(repeating: "a", count: 64), stale: true)
        return v
    }

    @Test func jsonCarriesTheProfileUnderCallguard() throws {
        let object = try #require(FormatParsers.json(JSONFormatter().format(Self.guarded)))
        let profile = try #require((object["callguard"] as? [String: Any])?["profile"] as? [String: Any])
        #expect(profile["policy"] as? String == "app")
        #expect(profile["digest"] as? String == "sha256:" + String(repeating: "a", count: 64))
        #expect(profile["stale"] as? Bool == true)
    }

    @Test func cefAndLeefCarryTheProfile() throws {
        let cef = try #require(FormatParsers.cef(String(decoding: CEFFormatter().format(Self.guarded), as: UTF8.self)))
        #expect(cef.ext["callguardCallguardProfilePolicy"] == "app")
        #expect(cef.ext["callguardCallguardProfileStale"] == "true")
        let leef = String(decoding: LEEFFormatter().format(Self.guarded), as: UTF8.self)
        #expect(leef.contains("^profilePolicy=app^profileDigest=sha256:"))
        #expect(leef.contains("^profileStale=true"))
    }

    @Test func unguardedViolationHasNoProfile() throws {
        let object = try #require(FormatParsers.json(JSONFormatter().format(Samples.violation())))
        #expect((object["callguard"] as? [String: Any])?["profile"] == nil)
    }
}
