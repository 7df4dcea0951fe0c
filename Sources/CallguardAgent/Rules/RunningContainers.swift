import ContainerKit
import Glibc

/// The containers running now and their processes, from `/proc` and the
/// runtimes' state (never from anything a container's process controls:
/// its cgroup path is the kernel's, its image and profile the runtime's).
///
/// Cheap to repeat: a process's cgroup is read once for its lifetime (kept
/// by pid and start time); each scan lists `/proc` and reads each process's
/// stat line, and resolves a container's state when it is first seen and
/// again after a restart (one `stat(2)` of its bundle's config per scan).
/// A restart gives the container a new ``Entry/info`` instance.
public final class RunningContainers {
    /// One running container and its processes (ascending pids).
    public struct Entry: Sendable {
        public var info: ContainerInfo
        public var pids: [Int32]
        /// The command name of its lowest pid (from `/proc/PID/stat`: container-controlled, for display only).
        public var firstCommand: String

        public init(info: ContainerInfo, pids: [Int32], firstCommand: String) {
            self.info = info
            self.pids = pids
            self.firstCommand = firstCommand
        }
    }

    private let proc: ProcFileSystem
    private let resolver: ContainerResolver
    private var verdicts: [Int32: (startTime: UInt64, ref: ContainerRef?)] = [:]
    private var infos: [String: ContainerInfo] = [:]

    public init(resolver: ContainerResolver, proc: ProcFileSystem = ProcFileSystem()) {
        self.resolver = resolver
        self.proc = proc
    }

    /// The containers with at least one process now, by container id.
    public func scan() -> [String: Entry] {
        var entries: [String: Entry] = [:]
        var alive = Set<Int32>()
        for pid in proc.allPids() {
            guard let stat = proc.stat(pid: pid), !stat.isZombie else { continue }
            alive.insert(pid)
            let ref: ContainerRef?
            if let known = verdicts[pid], known.startTime == stat.startTime {
                ref = known.ref
            } else {
                guard let snapshot = proc.snapshot(pid: pid), snapshot.stat.startTime == stat.startTime else { continue }
                if case .container(let r) = ProcCgroupFile.classify(snapshot.cgroup) { ref = r } else { ref = nil }
                verdicts[pid] = (stat.startTime, ref)
            }
            guard let ref else { continue }
            if entries[ref.id] == nil {
                // Kept while resolved and of the container's current start (a restart rewrites its bundle).
                let known = infos[ref.id].flatMap { $0.isResolved && resolver.isCurrent($0) ? $0 : nil }
                let info = known ?? resolver.resolve(ref) ?? ContainerInfo.unresolved(ref)
                infos[ref.id] = info
                entries[ref.id] = Entry(info: info, pids: [], firstCommand: stat.comm)
            }
            entries[ref.id]!.pids.append(pid)
        }
        verdicts = verdicts.filter { alive.contains($0.key) }
        infos = infos.filter { entries[$0.key] != nil }
        for id in entries.keys { entries[id]!.pids.sort() }
        return entries
    }
}
