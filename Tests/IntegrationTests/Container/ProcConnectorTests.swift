import ContainerKit
import Foundation
import Testing
import TestSupport

/// The kernel's process announcements, read for real: the connector the agent
/// uses to know a short-lived process's parent.
struct ProcConnectorTests {
    static var prerequisites: Bool { geteuid() == 0 }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aChildThisProcessStartsIsAnnouncedWithThisProcessAsItsParentThenItsExecAndExitInOrder() throws {
        guard RequireIntegration.check(Self.prerequisites, "root (CAP_NET_ADMIN for the process events connector)") else { return }
        let forks = try ProcConnector()
        let child = try ChildProcess.spawn("/bin/true", [])
        _ = ChildProcess.wait(pid: child)
        var announced: [ProcessAnnouncement] = []
        forks.drain { announced.append($0) }
        let mine = announced.filter { $0 == .fork(child: child, parent: getpid()) || $0 == .exec(pid: child) || $0 == .exit(pid: child) }
        #expect(mine == [.fork(child: child, parent: getpid()), .exec(pid: child), .exit(pid: child)], "\(child): \(mine)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aThreadIsNotAnnouncedAsAProcess() throws {
        guard RequireIntegration.check(Self.prerequisites, "root (CAP_NET_ADMIN for the process events connector)") else { return }
        let forks = try ProcConnector()
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
        forks.drain { if case .fork(let child, _) = $0 { announced.insert(child) } }
        #expect(!announced.contains(getpid()), "a thread's creation was announced as the process \(getpid())")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites) && Self.kernelFiltersEvents))
    func aProcessRenamingItselfInALoopDeliversNothing() throws {
        guard RequireIntegration.check(Self.prerequisites, "root (CAP_NET_ADMIN for the process events connector)") else { return }
        let connector = try ProcConnector()
        connector.drain { _ in }
        let before = connector.datagrams
        // prctl(PR_SET_NAME) through /proc: each rename is a PROC_EVENT_COMM.
        let renamer = try ChildProcess.run(
            "/bin/sh", ["-c", "i=0; while [ $i -lt 200 ]; do echo x$i > /proc/self/comm; i=$((i+1)); done"])
        #expect(renamer.status == 0)
        connector.drain { _ in }
        // The shell's own fork, exec and exit (and the subshells'), not 200 renames.
        #expect(connector.datagrams - before < 50, "\(connector.datagrams - before) datagrams for 200 renames")
    }

    /// Whether the kernel takes an event filter with the subscription (6.6 and later).
    static var kernelFiltersEvents: Bool {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let parts = release.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        guard parts.count == 2 else { return false }
        return parts[0] > 6 || (parts[0] == 6 && parts[1] >= 6)
    }

    /// This process's threads, by the kernel's ids.
    static func threadIDs() -> Set<Int32> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { Int32($0) })
    }
}
