/// Recognises the container in one cgroup path, as real runtimes write them.
///
/// The path is read from the root down, and the *outermost* container component
/// wins: that one was created by the host's runtime, while anything below it
/// may have been created by the container itself (a container with a delegated
/// cgroup can name a sub-cgroup `docker-<other id>.scope`; it must not become
/// that other container). A runtime helper met before any container
/// (`libpod-conmon-…`, `crio-conmon-…`, `lxc.monitor.…`) is the host, and so is
/// every path that names no container.
public enum CgroupPath {
    /// What a cgroup path says about the process in it.
    public enum Verdict: Sendable, Equatable {
        /// Not in a recognised container (including runtime helpers such as conmon).
        case host
        /// In the container described.
        case container(ContainerRef)
    }

    /// Classifies one cgroup path such as `/libpod_parent/libpod-<id>` or
    /// `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope`.
    public static func classify<S: StringProtocol>(_ path: S) -> Verdict {
        var podUID: String?
        var inKubepods = false
        var previous: Substring = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            let comp = Substring(component)
            defer { previous = comp }
            if comp.hasPrefix("kubepods") {
                inKubepods = true
                if let uid = podUIDFromSlice(comp) { podUID = uid }
                continue
            }
            if inKubepods, comp.hasPrefix("pod"), comp.count > 3, !comp.hasSuffix(".slice") {
                podUID = String(comp.dropFirst(3))
                continue
            }
            if isRuntimeHelper(comp) { return .host }
            if let ref = container(in: comp, previous: previous, inKubepods: inKubepods, podUID: podUID) {
                return .container(ref)
            }
        }
        return .host
    }

    // MARK: - Components

    /// Runtime helpers that live in cgroups named after the container but are
    /// not the container: conmon (podman, CRI-O) and the LXC monitor.
    static func isRuntimeHelper(_ comp: Substring) -> Bool {
        for prefix in ["libpod-conmon-", "crio-conmon-"] where comp.hasPrefix(prefix) {
            return isHexID(stripScope(comp.dropFirst(prefix.count)))
        }
        return comp == "lxc.monitor" || comp.hasPrefix("lxc.monitor.")
    }

    static func container(
        in comp: Substring, previous: Substring, inKubepods: Bool, podUID: String?
    ) -> ContainerRef? {
        let base = stripScope(comp)
        let prefixed: [(String, ContainerRuntime)] = [
            ("docker-", .docker), ("cri-containerd-", .containerd), ("nerdctl-", .containerd), ("crio-", .crio),
            ("libpod-", .podman),
        ]
        for (prefix, runtime) in prefixed where base.hasPrefix(prefix) {
            let id = base.dropFirst(prefix.count)
            if isHexID(id) { return ContainerRef(runtime: runtime, id: String(id), podUID: podUID) }
        }
        if isHexID(comp) {
            if previous == "docker" { return ContainerRef(runtime: .docker, id: String(comp), podUID: podUID) }
            if inKubepods && podUID != nil {
                return ContainerRef(runtime: .kubernetes, id: String(comp), podUID: podUID)
            }
            return nil
        }
        if comp.hasPrefix("systemd-nspawn@"), comp.hasSuffix(".service") {
            let name = comp.dropFirst("systemd-nspawn@".count).dropLast(".service".count)
            if !name.isEmpty { return ContainerRef(runtime: .systemdNspawn, id: unescapeSystemd(name)) }
        }
        if comp.hasPrefix("machine-"), comp.hasSuffix(".scope") {
            let name = comp.dropFirst("machine-".count).dropLast(".scope".count)
            if !name.isEmpty { return ContainerRef(runtime: .machine, id: unescapeSystemd(name)) }
        }
        if comp.hasPrefix("lxc.payload.") {
            let name = comp.dropFirst("lxc.payload.".count)
            if !name.isEmpty { return ContainerRef(runtime: .lxc, id: String(name)) }
        }
        if previous == "lxc" || previous == "lxc.payload" {
            return ContainerRef(runtime: .lxc, id: String(comp))
        }
        return nil
    }

    /// `kubepods-burstable-pod1234_5678.slice` or `kubepods-pod1234_5678.slice` → `1234-5678`.
    static func podUIDFromSlice(_ comp: Substring) -> String? {
        guard comp.hasSuffix(".slice") else { return nil }
        let body = comp.dropLast(".slice".count)
        for part in body.split(separator: "-") where part.hasPrefix("pod") && part.count > 3 {
            return String(part.dropFirst(3).map { $0 == "_" ? "-" : $0 })
        }
        return nil
    }

    static func stripScope(_ s: Substring) -> Substring {
        s.hasSuffix(".scope") ? s.dropLast(".scope".count) : s
    }

    /// A container id: exactly 64 lowercase hex digits.
    static func isHexID(_ s: Substring) -> Bool {
        guard s.utf8.count == 64 else { return false }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): continue
            default: return false
            }
        }
        return true
    }

    /// Undoes systemd's unit-name escaping (`\x2d` → `-`).
    static func unescapeSystemd(_ s: Substring) -> String {
        guard s.contains("\\") else { return String(s) }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"),
                let hi = hexValue(bytes[i + 2]), let lo = hexValue(bytes[i + 3])
            {
                out.append(hi << 4 | lo)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
