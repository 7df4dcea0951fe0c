import Testing
@testable import ContainerKit

/// Late events of a container process that has exited, while its parent reaps
/// it: the agent checks an exited process's cached entry with `isGone` (kill 0)
/// and then `stat`; the parent's wait() can land between the two, so the stat
/// finds nothing although no other process has the pid. Found by
/// Scripts/bench-attribution.sh: a podman storm's last 24,804 records (the
/// backlog drained after the storm's child exited; pid_max 32768, the pid not
/// reused) came out as syscall-not-allowed-container-unknown, every one after
/// the first, because the unknown answer is then cached for the pid.
struct AttributorReapRaceTests {
    /// The in-memory table, plus zombies (exited, not reaped: `stat` shows `Z`)
    /// and a reap that lands right after the next `isGone` of a pid answered "not gone".
    final class ReapingProcSource: ProcSource {
        let inner = InMemoryProcSource()
        private var zombies: [Int32: ProcStat] = [:]
        /// The zombie reaped by its parent just after the next `isGone(pid:)` of it.
        var reapAfterNextIsGone: Int32?

        /// The process exits: its exit is reported, it stays a zombie until reaped.
        func exitAsZombie(pid: Int32) {
            guard let s = inner.stat(pid: pid) else { return }
            inner.remove(pid: pid)
            zombies[pid] = ProcStat(pid: pid, comm: s.comm, ppid: s.ppid, startTime: s.startTime, state: UInt8(ascii: "Z"))
        }

        func isGone(pid: Int32) -> Bool {
            let gone = inner.isGone(pid: pid) && zombies[pid] == nil
            if !gone, reapAfterNextIsGone == pid {
                zombies[pid] = nil
                reapAfterNextIsGone = nil
            }
            return gone
        }

        func stat(pid: Int32) -> ProcStat? { zombies[pid] ?? inner.stat(pid: pid) }
        func snapshot(pid: Int32) -> ProcSnapshot? { zombies[pid] == nil ? inner.snapshot(pid: pid) : nil }
        func allPids() -> [Int32] { inner.allPids() }
        func watchExit(pid: Int32) -> Bool { inner.watchExit(pid: pid) }
        func unwatchExit(pid: Int32) { inner.unwatchExit(pid: pid) }
        func exitedSinceWatch(pid: Int32) -> Bool { inner.exitedSinceWatch(pid: pid) }
        func collectExits(_ body: (Int32) -> Void) { inner.collectExits(body) }
        func seccomp(pid: Int32) -> SeccompState? { inner.seccomp(pid: pid) }
        func executable(pid: Int32) -> FileIdentity? { inner.executable(pid: pid) }
        func file(atPath path: String) -> FileIdentity? { inner.file(atPath: path) }
        func arguments(pid: Int32) -> [String]? { inner.arguments(pid: pid) }
        func ticksSinceBoot() -> UInt64 { inner.ticksSinceBoot() }
    }

    let proc = ReapingProcSource()

    func makeAttributor() -> Attributor {
        Attributor(proc: proc, resolver: ContainerResolver(roots: TestIDs.roots.value, minReloadInterval: 0))
    }

    /// The fake's own premise: a zombie's late event keeps its container.
    @Test func aZombiesLateEventKeepsItsContainer() {
        proc.inner.add(pid: 900, ppid: 1, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 900, ppid: 0).container?.id == TestIDs.podman)
        proc.exitAsZombie(pid: 900)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 900, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.counters.pidReuses == 0)
    }

    @Test func aLateEventReadWhileTheParentReapsTheProcessKeepsItsContainer() {
        proc.inner.add(pid: 901, ppid: 1, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 901, ppid: 0).container?.id == TestIDs.podman)
        proc.exitAsZombie(pid: 901)
        attributor.collectExits()
        proc.reapAfterNextIsGone = 901
        // SECCOMP records carry no ppid (0): nothing but the cache can name the container.
        #expect(attributor.attribute(pid: 901, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.attribute(pid: 901, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.counters.pidReuses == 0)
    }
}
