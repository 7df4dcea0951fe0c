import Foundation
import Testing

@testable import SinkKit
import TestSupport

/// The `audit-records-lost` notice (no container, process or syscall; the
/// count is how many records the kernel dropped) in every format, read back by
/// the readers written from each format's published specification.
@Suite struct RecordsLostFormatTests {
    static let notice = Violation(
        timestamp: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000),
        event: Violation.Event(kind: "event", action: Violation.Event.recordsLost, severity: 5), hostName: "node-1",
        container: nil,
        process: Violation.Process(pid: 0, ppid: nil, name: UntrustedBytes([]), executable: UntrustedBytes([]), userID: ""),
        syscall: Violation.Syscall(name: "", number: -1, arch: "", success: nil, exit: nil),
        policy: Violation.Policy(name: "", file: ""),
        audit: Violation.Audit(serial: 0, time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)),
        count: 3_744_600)

    static func text(_ f: some ViolationFormatter) -> String { String(decoding: f.format(notice), as: UTF8.self) }

    @Test func jsonCarriesTheActionAndCountAndPassesTheECSReader() throws {
        let object = try #require(FormatParsers.json(JSONFormatter().format(Self.notice)))
        #expect(FormatParsers.value(object, at: "event.action") as? String == "audit-records-lost")
        #expect(FormatParsers.value(object, at: "callguard.count") as? Int == 3_744_600)
        #expect(ECSSpecReader.problems(object, fields: SpecData.ecs, namespace: "callguard") == [])
    }

    @Test func cefSaysWhatWasDroppedAndPassesTheCEFReader() throws {
        let parsed = try #require(FormatParsers.cef(Self.text(CEFFormatter())))
        #expect(parsed.header.contains("the kernel dropped audit records: violations may be missing"))
        #expect(CEFSpecReader.problems(Self.text(CEFFormatter()), dictionary: SpecData.cef) == [])
    }

    @Test func leefNamesTheActionAndPassesTheLEEFReader() throws {
        let parsed = try #require(FormatParsers.leef(Self.text(LEEFFormatter())))
        #expect(parsed.header.contains("audit-records-lost"))
        #expect(LEEFSpecReader.problems(Self.text(LEEFFormatter()), attributes: SpecData.leef) == [])
    }
}
