import Foundation
import Testing

@testable import SinkKit
import TestSupport

@Suite struct CEFFormatterTests {
    @Test func headerCarriesVendorProductVersionSignatureNameSeverity() throws {
        let out = String(decoding: CEFFormatter(productVersion: "1.2").format(Samples.violation()), as: UTF8.self)
        #expect(out.hasPrefix("CEF:0|callguard|callguard|1.2|syscall-not-allowed|syscall ptrace not allowed by policy app|7|"))
        let parsed = try #require(FormatParsers.cef(out))
        #expect(parsed.header.count == 7)
    }

    /// A violation with every optional field set, as a throttle summary.
    static var everyField: Violation {
        var v = Samples.violation()
        v.container = .init(id: "c1", runtime: "cri-o", imageName: "nginx:1", podName: "web-0", namespace: "shop", containerName: "nginx")
        v.process.commandLine = "sh -c x"
        v.process.filePath = "/etc/shadow"
        v.syscall.existsOnHostKernel = true
        v.count = 3
        v.fold = .init(
            kind: .repeats, firstSerial: 457, lastSerial: 460, firstTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_130),
            lastTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_190))
        v.profile = .init(policy: "nginx", digest: "sha256:" + String(repeating: "0", count: 64), stale: false)
        v.source = .seccomp
        v.seccomp = .init(action: .errno, errno: 1)
        return v
    }

    @Test func dictionaryFixtureIsLoaded() {
        #expect(SpecData.cef.types.count > 150 && SpecData.cef.contains("cs6") && !SpecData.cef.contains("cs7"))
        #expect(SpecData.cef.customer == ["flexString1", "flexString1Label", "flexString2", "flexString2Label", "flexDate1", "flexDate1Label"])
    }

    @Test func extensionUsesStandardKeys() throws {
        let parsed = try #require(FormatParsers.cef(String(decoding: CEFFormatter().format(Self.everyField), as: UTF8.self)))
        #expect(parsed.ext["dvchost"] == "node-1")
        #expect(parsed.ext["spid"] == "4242")
        #expect(parsed.ext["sproc"] == "sh")
        #expect(parsed.ext["fname"] == "shadow")
        #expect(parsed.ext["suid"] == "0")
        #expect(parsed.ext["rt"] == "1795932000123")
        #expect(parsed.ext["externalId"] == "456")
        #expect(parsed.ext["start"] == "1795932000120")
        #expect(parsed.ext["end"] == "1795932000190")
        #expect(parsed.ext["cnt"] == "3")
        #expect(parsed.ext["filePath"] == "/etc/shadow")
        #expect(parsed.ext["callguardCallguardExecutable"] == "/bin/busybox")
        #expect(parsed.ext["callguardCallguardCommandLine"] == "sh -c x")
        #expect(parsed.ext["callguardCallguardSyscallOnHostKernel"] == "true")
        #expect(parsed.ext["cs1Label"] == "syscall" && parsed.ext["cs1"] == "ptrace")
        #expect(parsed.ext["cs5Label"] == "containerId" && parsed.ext["cs5"] == "c1")
        #expect(parsed.ext["cs6Label"] == "containerImage" && parsed.ext["cs6"] == "nginx:1")
        #expect(parsed.ext["cn2Label"] == "syscallExit" && parsed.ext["cn2"] == "-1")
        #expect(parsed.ext["callguardCallguardContainerRuntime"] == "cri-o")
        #expect(parsed.ext["callguardCallguardKubernetesPod"] == "web-0")
        #expect(parsed.ext["callguardCallguardFoldFirstSerial"] == "457" && parsed.ext["callguardCallguardFoldLastSerial"] == "460")
    }

    @Test func headerEscapesPipeAndBackslash() {
        var v = Samples.violation()
        v.policy.name = "a|b\\c"
        let out = String(decoding: CEFFormatter().format(v), as: UTF8.self)
        #expect(out.contains("|syscall ptrace not allowed by policy a\\|b\\\\\\\\c|"))
    }

    @Test(arguments: Samples.hostile.map(\.label))
    func hostileProcessValuesStayInsideTheirFields(label: String) throws {
        let bytes = try #require(Samples.hostile.first { $0.label == label }).bytes
        let baseline = try #require(FormatParsers.cef(String(decoding: CEFFormatter().format(Samples.violation()), as: UTF8.self)))
        let out = CEFFormatter().format(Samples.violation(name: UntrustedBytes(bytes), executable: UntrustedBytes(bytes)))
        #expect(out.allSatisfy { $0 >= 0x20 && $0 != 0x7F }, "no control byte may reach the message")
        let parsed = try #require(FormatParsers.cef(String(decoding: out, as: UTF8.self)), "must parse as one CEF message")
        #expect(parsed.header == baseline.header)
        #expect(parsed.keys == baseline.keys, "no key may be added, dropped or reordered")
        let sproc = try #require(parsed.ext["sproc"])
        #expect(FormatParsers.undisplay(sproc) == bytes)
        #expect(parsed.ext["callguardCallguardExecutable"] == sproc)
        #expect(parsed.ext["dvchost"] == "node-1")
    }
}
