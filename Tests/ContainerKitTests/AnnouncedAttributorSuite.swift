@testable import ContainerKit

/// A suite of tests of an ``Attributor`` fed by in-memory processes and
/// process announcements, with a manual clock: the fixture the announcement,
/// zombie, exiting-process, CLONE_PARENT and overflow suites share.
protocol AnnouncedAttributorSuite {
    var proc: InMemoryProcSource { get }
    var forks: InMemoryProcessAnnouncements { get }
    var clock: ManualClock { get }
}

extension AnnouncedAttributorSuite {
    /// An attributor over `proc` and `forks`, resolving the test state roots.
    func makeAttributor() -> Attributor {
        Attributor(
            proc: proc, announcements: forks,
            resolver: ContainerResolver(roots: TestIDs.roots.value, minReloadInterval: 0, clock: clock.now),
            clock: clock.now)
    }
}
