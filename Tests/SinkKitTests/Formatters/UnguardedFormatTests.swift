import Foundation
import Testing

@testable import SinkKit
import TestSupport

/// The `container-unguarded` report (no syscall: number -1, empty name and
/// arch) in every format, read back by the readers written from each format's
/// published specification.
@Suite struct UnguardedFormatTests {
    static let report = Violation(
        timestamp: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000),
        event: Violation.Event(action: Violation.Event.containerUnguarded, severity: 7), hostName: "node-1",
        container: Violation.Container(id: String(repeating: "ab", count: 32), runtime: "podman", imageName: "localhost/app:1"),
        process: Violation.Process(pid: 4242, ppid: 0, name: "sh", executable: UntrustedBytes([]), userID: ""),
        syscall: Violation.Syscall(name: "", number: -1, arch: "", success: true, exit: 0),
        policy: Violation.Policy(name: "app", file: "policies/app.yaml"),
        audit: Violation.Audit(serial: 0, time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)))

    static func text(_ f: some ViolationFormatter) -> String { String(decoding: f.format(report), as: UTF8.self) }

    @Test func jsonCarriesTheActionAndPassesTheECSReader() throws {
        let object = try #require(FormatParsers.json(JSONFormatter().format(Self.report)))
        #expect(FormatParsers.value(object, at: "event.action") as? String == "container-unguarded")
        #expect(ECSSpecReader.problems(object, fields: SpecData.ecs, namespace: "callguard") == [])
    }

    @Test func cefNamesTheActionWithoutASyscallAndPassesTheCEFReader() throws {
        let parsed = try #require(FormatParsers.cef(Self.text(CEFFormatter())))
        #expect(parsed.header.contains("container-unguarded"))
        #expect(parsed.header.contains("container without a callguard seccomp profile, policy app"))
        #expect(CEFSpecReader.problems(Self.text(CEFFormatter()), dictionary: SpecData.cef) == [])
    }

    @Test func leefNamesTheActionAndPassesTheLEEFReader() throws {
        let parsed = try #require(FormatParsers.leef(Self.text(LEEFFormatter())))
        #expect(parsed.header.contains("container-unguarded"))
        #expect(LEEFSpecReader.problems(Self.text(LEEFFormatter()), attributes: SpecData.leef) == [])
    }
}
