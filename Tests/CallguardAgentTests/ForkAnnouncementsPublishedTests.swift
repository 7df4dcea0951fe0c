import CallguardAgent
import ContainerKit
import PolicyKit
import SinkKit
import Testing

/// Whether the live agent receives the kernel's fork announcements reaches
/// its statistics (and so the metrics), for the operator who started it
/// without them.
@Suite struct ForkAnnouncementsPublishedTests {
    func published(_ source: ContainerSource) throws -> PipelineStatistics {
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: FoldReplay.policies)]).get()
        let evaluator = EventEvaluator(
            policies: PolicyStore(set), source: source, factory: ViolationFactory(hostName: "node")) { _ in }
        var statistics = PipelineStatistics()
        evaluator.publish(into: &statistics)
        return statistics
    }

    @Test func aLiveAttributorWithoutAnnouncementsPublishesThatItHasNone() throws {
        let attributor = Attributor(announcements: nil, resolver: ContainerResolver(roots: .under("/nonexistent-callguard-test"), minReloadInterval: 0))
        #expect(try published(.live(attributor)).forkAnnouncements == false)
    }

    @Test func aSourceWithoutProcessesPublishesNothingOfAnnouncements() throws {
        #expect(try published(.assumed(imageName: "localhost/app:1")).forkAnnouncements == nil)
        #expect(try published(.none).forkAnnouncements == nil)
    }
}
