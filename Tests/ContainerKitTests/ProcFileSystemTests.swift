import Foundation
import Testing
import TestSupport
@testable import ContainerKit

/// ``ProcFileSystem`` over a fixture directory laid out like /proc.
struct ProcFileSystemTests {
    var source: ProcFileSystem { ProcFileSystem(root: TestIDs.fixtures.appendingPathComponent("proc").path) }

    @Test func snapshotReadsStatAndCgroupOfFixtureProcess() throws {
        let snap = try #require(source.snapshot(pid: 9675))
        #expect(snap.stat.startTime == 44533)
        #expect(snap.cgroup.contains("libpod-\(TestIDs.podman)"))
    }

    @Test func missingProcessHasNoSnapshot() {
        #expect(source.snapshot(pid: 12345) == nil)
        #expect(source.stat(pid: 12345) == nil)
        #expect(source.snapshot(pid: 0) == nil)
        #expect(source.snapshot(pid: -1) == nil)
    }

    @Test func statAloneReadsParent() throws {
        let stat = try #require(source.stat(pid: 9664))
        #expect(stat.comm == "conmon")
        #expect(stat.ppid == 1)
    }
}
