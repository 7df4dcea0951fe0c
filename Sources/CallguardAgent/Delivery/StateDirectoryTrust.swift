import Glibc

/// Whether the profile state directory (`--state-dir`) can be trusted: the
/// OCI hook (root) takes a container's seccomp filter from it, and the agent
/// takes its word (``HookStampLedger``) on which containers are guarded. So
/// only root (or the agent's own user) may be able to change it.
///
/// The directory (links resolved) must be owned by root or this process's
/// user and not writable by group or others; every directory above it must be
/// owned likewise and not writable by group or others unless sticky (as
/// `/tmp`: others cannot rename what root made in it). Files read from it must
/// be regular, singly linked, owned likewise and not writable by group or
/// others (PolicyKit's rule for policy files).
public enum StateDirectoryTrust {
    /// Why a state directory or file is not trusted, with what to do.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// Root or this process's user.
    static func trustedOwner(_ st: stat) -> Bool { st.st_uid == 0 || st.st_uid == geteuid() }

    static func mode(_ st: stat) -> String { String(st.st_mode & 0o7777, radix: 8) }

    /// Throws unless `path` is a directory only root (or this user) can change.
    public static func check(directory path: String) throws(Refusal) {
        guard let resolved = realpath(path, nil) else {
            throw Refusal(description: "cannot resolve the state directory \(path): \(String(cString: strerror(errno)))")
        }
        let real = String(cString: resolved)
        free(resolved)
        var st = stat()
        guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw Refusal(description: "the state directory \(path) is not a directory")
        }
        let fix = "use a directory only root can write (the default /run/callguard), e.g. `install -d -o root -m 0755 DIR`"
        guard trustedOwner(st) else {
            throw Refusal(description: "refusing the state directory \(real): owned by uid \(st.st_uid), not root; \(fix)")
        }
        guard st.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw Refusal(description: "refusing the state directory \(real): writable by group or others (mode \(mode(st))); \(fix)")
        }
        var parent = real
        while parent != "/" {
            parent = parent.lastIndex(of: "/").map { String(parent[..<$0]) } ?? "/"
            if parent.isEmpty { parent = "/" }
            var p = stat()
            guard stat(parent, &p) == 0 else {
                throw Refusal(description: "cannot check \(parent) above the state directory: \(String(cString: strerror(errno)))")
            }
            guard trustedOwner(p), p.st_mode & (S_IWGRP | S_IWOTH) == 0 || p.st_mode & S_ISVTX != 0 else {
                throw Refusal(
                    description: "refusing the state directory \(real): \(parent) above it can be changed by another user (uid \(p.st_uid), mode \(mode(p))); \(fix)")
            }
        }
    }

    /// Throws unless the open file `fd` (named `path`) is one only root (or this user) can change.
    public static func check(file fd: Int32, path: String) throws(Refusal) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Refusal(description: "cannot stat \(path): \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Refusal(description: "refusing \(path): not a regular file") }
        guard st.st_nlink <= 1 else { throw Refusal(description: "refusing \(path): it has \(st.st_nlink) hard links") }
        guard trustedOwner(st), st.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw Refusal(
                description: "refusing \(path): owned by uid \(st.st_uid) with mode \(mode(st)); only root may be able to write the callguard state")
        }
    }
}
