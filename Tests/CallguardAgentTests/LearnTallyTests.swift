import AuditKit
@testable import CallguardAgent
import ContainerKit
import Foundation
import Testing
import TestSupport

/// What learning counts: only the learned image's containers, without runc's
/// bootstrap, children through their parent, both arches by name.
@Suite struct LearnTallyTests {
    static let learned = String(repeating: "a", count: 64)
    static let other = String(repeating: "b", count: 64)

    /// Replays Fixtures/learn/events.log: pid 100 is in a container of
    /// localhost/app:1.0 (first as runc init under runc create, before its
    /// seccomp filter, doing pivot_root: left out by those facts, not by its name), 101 its exited
    /// child, 200 in a container of another image, 300 on the host.
    func tally(_ fixture: String = "events.log") throws -> LearnTally {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-learn-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/overlay-containers", withIntermediateDirectories: true)
        var entries: [[String: Any]] = []
        for (id, image) in [(Self.learned, "localhost/app:1.0"), (Self.other, "localhost/other:1.0")] {
            let metadata = String(decoding: try JSONSerialization.data(withJSONObject: ["image-name": image]), as: UTF8.self)
            entries.append(["id": id, "names": ["c"], "image": "", "metadata": metadata])
        }
        try JSONSerialization.data(withJSONObject: entries).write(to: URL(fileURLWithPath: root + "/overlay-containers/containers.json"))
        let proc = InMemoryProcSource()
        // 90 is runc create on the host (runc's own binary); 100 is its runc init,
        // which installs the container's seccomp filter after its first event.
        let runc = FileIdentity(device: 1, inode: 2)
        proc.addFile("/usr/sbin/runc", runc)
        proc.add(pid: 90, ppid: 1, startTime: 1, comm: "runc", cgroup: "1:cpu:/libpod_parent/conmon\n0::/\n", executable: runc)
        proc.add(pid: 100, ppid: 90, startTime: 1, comm: "sh", cgroup: "0::/libpod_parent/libpod-\(Self.learned)\n")
        proc.add(pid: 200, ppid: 90, startTime: 1, comm: "sh", cgroup: "0::/libpod_parent/libpod-\(Self.other)\n")
        proc.add(pid: 300, ppid: 1, startTime: 1, comm: "bash", cgroup: "0::/user.slice/session-1.scope\n")
        let resolver = ContainerResolver(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []))
        let tally = LearnTally(attributor: Attributor(proc: proc, resolver: resolver), matcher: try ImageMatcher("localhost/app:1.0"))
        let log = Fixtures.directory().appendingPathComponent("learn/\(fixture)").path
        var seen = 0
        try replayEvents(log) { event in
            tally.add(event)
            seen += 1
            if seen == 1 { proc.setSeccomp(pid: 100, SeccompState(mode: 2, filters: 1)) }
        }
        try? FileManager.default.removeItem(atPath: root)
        return tally
    }

    @Test func countsOnlyTheImagesContainersByNameOnBothArches() throws {
        let named = try tally().named()
        #expect(named.counts == ["mkdir": 2, "getdents64": 1, "read": 1])
        #expect(named.unnamed.isEmpty)
    }

    @Test func leavesRuncBootstrapOtherImagesAndTheHostOut() throws {
        let t = try tally()
        #expect(t.runtimeBootstrap == 1)
        #expect(t.ignored == 2)
        #expect(t.events == 4)
        #expect(t.containers == [Self.learned])
    }

    /// A guarded container's seccomp filter logs what its profile does not
    /// allow as a SECCOMP record with no SYSCALL record: learning counts it like
    /// any other call of the image (it once looked for SYSCALL records only).
    @Test func countsSyscallsSeenOnlyInSeccompRecords() throws {
        let t = try tally("seccomp.log")
        #expect(t.named().counts == ["ptrace": 1])
        #expect(t.events == 1)
        #expect(t.runtimeBootstrap == 1)
    }
}
