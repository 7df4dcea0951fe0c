/// Reads the text of `/proc/PID/cgroup` (cgroup v1, v2 or hybrid) and decides
/// which container, if any, the process is in.
///
/// Each line is `hierarchy-ID:controllers:path`. The unified (v2) line `0::`
/// is consulted first, then the `name=systemd` line, then the v1 controller
/// lines in file order; the first that names a container decides. On hybrid
/// hosts the v2 line is often `/` while the v1 lines carry the container. A
/// process that no line places in a container is the host's.
public enum ProcCgroupFile {
    /// The verdict for the whole file.
    public static func classify<S: StringProtocol>(_ text: S) -> CgroupPath.Verdict {
        var unified: Substring?
        var systemd: Substring?
        var others: [Substring] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = Substring(rawLine)
            guard let firstColon = line.firstIndex(of: ":") else { continue }
            let rest = line[line.index(after: firstColon)...]
            guard let secondColon = rest.firstIndex(of: ":") else { continue }
            let hierarchy = line[..<firstColon]
            let controllers = rest[..<secondColon]
            var path = rest[rest.index(after: secondColon)...]
            if path.hasSuffix(" (deleted)") { path = path.dropLast(" (deleted)".count) }
            if hierarchy == "0" && controllers.isEmpty {
                unified = path
            } else if controllers == "name=systemd" {
                systemd = path
            } else {
                others.append(path)
            }
        }
        for path in [unified, systemd].compactMap({ $0 }) + others {
            if case .container(let ref) = CgroupPath.classify(path) { return .container(ref) }
        }
        return .host
    }
}
