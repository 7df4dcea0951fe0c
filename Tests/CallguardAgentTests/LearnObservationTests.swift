import CallguardAgent
import PolicyKit
import Testing

/// `learn`'s statistics line, written by the statistics encoder.
@Suite struct LearnObservationTests {
    @Test func theSummaryLineKeepsItsKeysInOrder() {
        var o = LearnObservation()
        o.counts = ["read": 3, "write": 1]
        o.containers = ["a"]
        o.events = 4
        o.kernelLost = 2
        o.seconds = 1.5
        #expect(
            o.json.serialized()
                == #"{"learn":{"containers":1,"events":4,"syscalls":2,"runtime_bootstrap":0,"ignored":0,"unnamed":0,"peak_processes":0,"processes_over_cap":0,"rules_refused":0,"lost":2,"malformed":0,"seconds":1.5}}"#
        )
    }
}
