import ContainerKit
import Foundation
import Glibc
import Testing
import TestSupport

/// A real reused pid on the live `/proc`, through the agent's own path
/// (``Attributor/collectExits()`` per batch, then ``Attributor/attribute(pid:ppid:)``):
/// a host process is attributed and exits; its pid is handed to a new process
/// (`/proc/sys/kernel/ns_last_pid`) that is moved into a podman-like container
/// cgroup; the next event of that pid names the container, not "host".
@Suite(.serialized) struct LivePidReuseTests {
    static let containerID = String(repeating: "e", count: 64)
    static let cgroupDirectory = "/sys/fs/cgroup/pids/libpod_parent/libpod-\(containerID)"

    static var prerequisites: Bool {
        RequireIntegration.isRoot && FileManager.default.isWritableFile(atPath: "/proc/sys/kernel/ns_last_pid")
            && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids")
    }

    /// Starts `/bin/sleep 30`; when `pid` is given, asks the kernel to hand out that pid next.
    static func spawnSleep(wantingPid pid: pid_t? = nil) -> pid_t {
        if let pid { try? "\(pid - 1)".write(toFile: "/proc/sys/kernel/ns_last_pid", atomically: false, encoding: .utf8) }
        return (try? ChildProcess.spawn("/bin/sleep", ["30"])) ?? -1
    }

    static func stop(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func reusedPidNamesTheNewProcesssContainer() throws {
        guard RequireIntegration.check(Self.prerequisites, "root, writable ns_last_pid, cgroup v1 pids hierarchy") else { return }
        try FileManager.default.createDirectory(atPath: Self.cgroupDirectory, withIntermediateDirectories: true)
        defer { rmdir(Self.cgroupDirectory) }
        let attributor = Attributor()

        var reused: pid_t = -1
        for _ in 0..<50 {
            let first = Self.spawnSleep()
            attributor.collectExits()
            #expect(attributor.attribute(pid: first, ppid: getpid()) == .host)
            Self.stop(first)
            let second = Self.spawnSleep(wantingPid: first)
            if second == first {
                reused = second
                break
            }
            Self.stop(second)  // another process took the pid first: try again
        }
        try #require(reused > 0, "the kernel never handed the same pid out again")
        defer { Self.stop(reused) }
        try "\(reused)\n".write(toFile: Self.cgroupDirectory + "/cgroup.procs", atomically: false, encoding: .utf8)

        attributor.collectExits()  // the next batch begins
        let attribution = attributor.attribute(pid: reused, ppid: getpid())
        let cgroup = (try? String(contentsOfFile: "/proc/\(reused)/cgroup", encoding: .utf8)) ?? "?"
        #expect(attribution.container?.id == Self.containerID, "\(attribution) \(attributor.counters) \(cgroup)")
        #expect(attributor.counters.exitsSeen >= 1)
        #expect(attributor.counters.unwatched == 0, "pidfds are available here")
    }
}
