import ContainerKit
import Foundation
import Testing
import TestSupport

/// The kernel's fork announcements, read for real: the connector the agent
/// uses to know a short-lived process's parent.
struct ProcConnectorForksTests {
    static var prerequisites: Bool { geteuid() == 0 }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aChildThisProcessStartsIsAnnouncedWithThisProcessAsItsParent() throws {
        guard RequireIntegration.check(Self.prerequisites, "root (CAP_NET_ADMIN for the process events connector)") else { return }
        let forks = try ProcConnectorForks()
        let child = try ChildProcess.spawn("/bin/true", [])
        _ = ChildProcess.wait(pid: child)
        var announced: [(child: Int32, parent: Int32)] = []
        forks.drain { announced.append(($0, $1)) }
        #expect(announced.contains { $0.child == child && $0.parent == getpid() }, "\(child) not announced: \(announced.prefix(20))")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aThreadIsNotAnnouncedAsAProcess() throws {
        guard RequireIntegration.check(Self.prerequisites, "root (CAP_NET_ADMIN for the process events connector)") else { return }
        let forks = try ProcConnectorForks()
        let before = Self.threadIDs()
        let release = DispatchSemaphore(value: 0)
        Thread.detachNewThread { release.wait() }
        defer { release.signal() }
        var started = false
        for _ in 0..<100 where !started {
            started = !Self.threadIDs().subtracting(before).isEmpty
            usleep(10_000)
        }
        #expect(started, "no new thread appeared")
        // A thread's creation names its process as the "child": never a new process.
        var announced: Set<Int32> = []
        forks.drain { child, _ in announced.insert(child) }
        #expect(!announced.contains(getpid()), "a thread's creation was announced as the process \(getpid())")
    }

    /// This process's threads, by the kernel's ids.
    static func threadIDs() -> Set<Int32> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { Int32($0) })
    }
}
