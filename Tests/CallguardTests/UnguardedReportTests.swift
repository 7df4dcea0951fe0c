import CallguardAgent
import ContainerKit
import Foundation
import SinkKit
import Testing
import TestSupport

/// The `container-unguarded` report as the agent makes it (its CEF and LEEF
/// forms are checked by SinkKitTests' `UnguardedFormatTests`).
@Suite struct UnguardedReportTests {
    static let report: Violation = {
        let info = ContainerInfo(
            id: String(repeating: "ab", count: 32), runtime: .podman, imageName: "localhost/app:1", imageDigest: nil,
            imageID: nil, name: "app", pod: nil, isResolved: true, profile: nil)
        let entry = RunningContainers.Entry(info: info, pids: [4242, 4243], firstCommand: "sh")
        return UnguardedReport.make(entry, policy: nil, hostName: "node-1")
    }()

    @Test func jsonCarriesTheActionTheContainerAndNoSyscall() throws {
        let object = try #require(FormatParsers.json(JSONFormatter().format(Self.report)))
        #expect(FormatParsers.value(object, at: "event.action") as? String == "container-unguarded")
        #expect(FormatParsers.value(object, at: "container.id") as? String == String(repeating: "ab", count: 32))
        #expect(FormatParsers.value(object, at: "container.image.name") as? String == "localhost/app:1")
        #expect(FormatParsers.value(object, at: "process.pid") as? Int == 4242)
        #expect(FormatParsers.value(object, at: "callguard.syscall") == nil, "no syscall was made: none is written")
    }
}
