import Foundation
import Testing
@testable import ContainerKit

/// What exact pid-reuse invalidation costs the live agent per batch of audit
/// messages: one `epoll_wait` with timeout 0 over every watched process's pidfd.
@Suite(.serialized)
struct ExitCollectionCostTests {
    @Test
    func collectingNoExitsIsOneCheapCallWhateverTheNumberWatched() {
        let proc = ProcFileSystem()
        let pids = proc.allPids()
        let watched = pids.filter { proc.watchExit(pid: $0) }
        defer { for pid in watched { proc.unwatchExit(pid: pid) } }
        #expect(!watched.isEmpty, "pidfd_open works on this kernel")
        // Drain whatever exited meanwhile, then time calls that find nothing.
        proc.collectExits { _ in }
        let calls = 200_000
        var exits = 0
        let start = ContinuousClock.now
        for _ in 0..<calls { proc.collectExits { _ in exits += 1 } }
        let elapsed = ContinuousClock.now - start
        let ns = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(calls)
        print("collectExits with \(watched.count) watched processes: \(String(format: "%.0f", ns)) ns per batch (\(exits) exits seen)")
        #expect(proc.watchedProcesses <= watched.count)
    }
}
