import AuditKit
import Foundation
import TestSupport
import Testing

/// A receive queue that overflows: ENOBUFS is counted as loss and reading goes on.
@Suite(.serialized)
struct LiveAuditOverrunTests {
    static var prerequisites: Bool {
        LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func multicastOverrunIsCountedAndReadingGoesOn() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, /usr/bin/python3") else { return }
        try await LiveAudit.withRestoredState {
            let rule = AuditRule(syscalls: ["getcwd"], fields: [.equal("ppid", getpid())])
            var configuration = AuditSessionConfiguration(socketMode: .multicast, rules: [rule])
            configuration.receiveBufferBytes = 4096  // the kernel's minimum is about 2 KiB
            let session = try AuditSession.start(configuration)
            defer { session.stop() }

            // Thousands of events while nobody reads: the multicast copies overflow the socket.
            try LiveAudit.runChild("/usr/bin/python3", ["-c", "import os\nfor _ in range(5000): os.getcwd()"])
            var collector = RecordCollector(waker: session.reader.waker) { _ in false }
            try session.reader.run(&collector, until: .now + .milliseconds(500))
            #expect(session.reader.stats.overruns >= 1)

            // Reading goes on: a later event arrives whole.
            let child = try LiveAudit.runChild("/usr/bin/python3", ["-c", "import os\nos.getcwd()"])
            var after = RecordCollector(waker: session.reader.waker) { $0.event(ofPid: child) != nil }
            try session.reader.run(&after, until: .now + .seconds(10))
            #expect(after.records.event(ofPid: child) != nil)
        }
    }
}
