import CallguardAgent
import ContainerKit
import PolicyKit
import SinkKit
import Testing

/// Records answered unknown because their pid's process started after them
/// (reused while the agent was behind) reach the statistics and the metrics.
@Suite struct RecordsBeforeTheirProcessPublishedTests {
    @Test func aRecordWrittenBeforeItsPidsProcessStartedIsPublished() throws {
        let proc = InMemoryProcSource()
        proc.wallClockAtBoot = 1_780_000_000_000
        proc.add(pid: 900, ppid: 1, startTime: 1_000_000, cgroup: "0::/user.slice/user-0.slice/session-1.scope\n")
        let attributor = Attributor(
            proc: proc, resolver: ContainerResolver(roots: .under("/nonexistent-callguard-test"), minReloadInterval: 0))
        attributor.collectExits()
        // Written 10 s before the process that has pid 900 now started.
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: 1_780_000_000_000 + 9_990_000) == .unknown)
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: FoldReplay.policies)]).get()
        let evaluator = EventEvaluator(
            policies: PolicyStore(set), source: .live(attributor), factory: ViolationFactory(hostName: "node")) { _ in }
        var statistics = PipelineStatistics()
        evaluator.publish(into: &statistics)
        #expect(statistics.recordsBeforeTheirProcess == 1)
        #expect(PrometheusText.render(statistics).contains(
            "# TYPE callguard_records_predating_their_process_total counter\ncallguard_records_predating_their_process_total 1\n"))
    }
}
