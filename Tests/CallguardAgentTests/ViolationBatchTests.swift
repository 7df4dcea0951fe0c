import AuditKit
@testable import CallguardAgent
import ContainerKit
import Foundation
import Logging
import PolicyKit
import SinkKit
import Testing
import TestSupport

/// On the live path the evaluator hands a batch's violations to the sinks
/// together when the batch ends, in the order they were found.
extension EventEvaluatorTests {
    @Test func batchedViolationsReachTheSinksOnlyWhenTheBatchEnds() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        proc.add(pid: 510, ppid: 1, startTime: 5, comm: "sh", cgroup: Self.appCgroup)
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: Self.policies)]).get()
        let resolver = ContainerResolver(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []),
            minReloadInterval: 0)
        let out = root + "/violations.json"
        var configuration = AgentConfiguration()
        configuration.sinks = ["file:" + out]
        let sinks = try SinkSet(configuration, hostName: "node", throttled: false, logger: Logger(label: "test"))
        let evaluator = EventEvaluator(
            policies: PolicyStore(set), source: .live(Attributor(proc: proc, resolver: resolver)),
            factory: ViolationFactory(hostName: "node"), throttle: Throttle(windowMS: 0, maxPerSecond: 0),
            batchingInto: sinks)
        evaluator.beginBatch()
        let log = Fixtures.directory().appendingPathComponent("evaluator/unparsable.log").path
        try replayEvents(log) { evaluator.evaluate($0) }
        #expect(evaluator.counters.violations == 2)
        usleep(20_000)  // time enough for a sink thread to take anything submitted
        #expect(sinks.counters.sent == 0, "nothing handed to the sinks before the batch ends")
        evaluator.endOfBatch()
        #expect(sinks.shutdown())
        #expect(sinks.counters.sent == 2)
        let serials = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
            try #require(FormatParsers.value(FormatParsers.json(Array($0.utf8)), at: "event.sequence") as? Int)
        }
        #expect(serials.count == 2)
        #expect(serials == serials.sorted())
    }
}
