import Glibc

/// Opens a directory the agent (root) writes files in, so that no other user can
/// make it write somewhere else.
///
/// The path is walked from `/` one component at a time with
/// `openat(O_NOFOLLOW | O_DIRECTORY)`; every directory on the way must be owned
/// by root or the agent's effective uid and not writable by group or others
/// (an ancestor may be, if it has the sticky bit, like /tmp), and the directory
/// itself must not be writable by group or others at all. A symbolic link on the
/// way is followed only when root or the agent owns it (its directory was
/// already found safe). Missing directories are created, when asked, with
/// mode 0700 (owned by the agent). Files are then created with `openat` under
/// the returned descriptor, so a path swapped later changes nothing. `..` goes
/// to the real parent of the directory reached so far (already checked).
enum SafeDirectory {
    /// The most symbolic links followed in one path (as the kernel's ELOOP limit).
    static let maximumLinks = 40

    /// Why a directory cannot be used; `remedy` says what to run.
    struct Refusal: Error, Sendable, CustomStringConvertible {
        var path: String
        var problem: String
        var remedy: String
        var errno: Int32?
        var description: String {
            let cause = errno.map { ": \(String(cString: strerror($0))) (errno \($0))" } ?? ""
            return "\(path) \(problem)\(cause); \(remedy)"
        }
    }

    /// An O_DIRECTORY descriptor of `path` (the caller closes it). With `create`,
    /// missing directories on the way are made with mode 0700.
    static func open(_ path: String, create: Bool) throws(Refusal) -> Int32 {
        guard !path.isEmpty else { throw Refusal(path: "\"\"", problem: "is not a directory path", remedy: "give an absolute path") }
        var absolute = path
        if !absolute.hasPrefix("/") {
            guard let cwd = getcwd(nil, 0) else {
                throw Refusal(path: path, problem: "is relative and the working directory is unknown", remedy: "give an absolute path", errno: errno)
            }
            absolute = String(cString: cwd) + "/" + path
            free(cwd)
        }
        var pending = Array(components(absolute).reversed())
        var fd = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Refusal(path: "/", problem: "cannot be opened", remedy: "check the root directory", errno: errno) }
        var shown = ""
        var links = 0
        do throws(Refusal) {
            try check(fd, shown.isEmpty ? "/" : shown, isTarget: pending.isEmpty)
            while let name = pending.popLast() {
                if name == ".." {
                    // Every directory held was reached from / through real directories, so its
                    // parent is one already checked on the way (and / is its own parent).
                    let parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard parent >= 0 else { throw Refusal(path: shown + "/..", problem: "cannot be opened", remedy: "check its permissions", errno: errno) }
                    Glibc.close(fd)
                    fd = parent
                    shown = shown.lastIndex(of: "/").map { String(shown[..<$0]) } ?? ""
                    if pending.isEmpty { try check(fd, shown.isEmpty ? "/" : shown, isTarget: true) }
                    continue
                }
                let here = shown + "/" + name
                var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if next < 0 && errno == ENOENT && create {
                    if mkdirat(fd, name, 0o700) != 0 && errno != EEXIST {
                        throw Refusal(path: here, problem: "cannot be created", remedy: "create it (root-owned, mode 0700) or fix its parent", errno: errno)
                    }
                    next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                if next < 0 {
                    let e = errno
                    var st = stat()
                    if (e == ELOOP || e == ENOTDIR) && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
                        guard st.st_uid == 0 || st.st_uid == geteuid() else {
                            throw Refusal(
                                path: here, problem: "is a symbolic link owned by uid \(st.st_uid) (not root)",
                                remedy: "remove it, or configure the real directory's path")
                        }
                        links += 1
                        guard links <= maximumLinks, let target = readLink(fd, name) else {
                            throw Refusal(path: here, problem: "cannot be resolved (a loop, or too many symbolic links)", remedy: "configure the real directory's path")
                        }
                        if target.hasPrefix("/") {
                            Glibc.close(fd)
                            fd = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            guard fd >= 0 else { throw Refusal(path: "/", problem: "cannot be opened", remedy: "check the root directory", errno: errno) }
                            shown = ""
                        }
                        pending.append(contentsOf: components(target).reversed())
                        if pending.isEmpty { try check(fd, shown.isEmpty ? "/" : shown, isTarget: true) }
                        continue
                    }
                    if e == ENOTDIR { throw Refusal(path: here, problem: "is not a directory", remedy: "remove it or configure another path") }
                    throw Refusal(path: here, problem: "cannot be opened", remedy: create ? "check its permissions" : "create it (root-owned, mode 0700 or 0750)", errno: e)
                }
                Glibc.close(fd)
                fd = next
                shown = here
                try check(fd, shown, isTarget: pending.isEmpty)
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Refuses a directory another user owns or can write to.
    static func check(_ fd: Int32, _ path: String, isTarget: Bool) throws(Refusal) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Refusal(path: path, problem: "cannot be examined", remedy: "check its permissions", errno: errno) }
        let euid = geteuid()
        guard st.st_uid == 0 || st.st_uid == euid else {
            let owner = euid == 0 ? "root:root" : "\(euid)"
            throw Refusal(
                path: path, problem: "is owned by uid \(st.st_uid), not root: that user could make the agent write anywhere",
                remedy: "run chown \(owner) \(path)")
        }
        let writableByOthers = st.st_mode & (S_IWGRP | S_IWOTH) != 0
        let sticky = st.st_mode & S_ISVTX != 0
        guard !writableByOthers || (!isTarget && sticky) else {
            let mode = String(st.st_mode & 0o7777, radix: 8)
            throw Refusal(
                path: path, problem: "is writable by group or others (mode \(mode)): they could plant links the agent would write through",
                remedy: "run chmod go-w \(path) (0700 for a spool, 0750 for a log directory)")
        }
    }

    /// The path's components, without empty ones and ".".
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    static func readLink(_ dirFD: Int32, _ name: String) -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(dirFD, name, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The final component and parent directory of a file path.
    static func split(_ path: String) -> (directory: String, name: String)? {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let name = String(path[path.index(after: slash)...])
        let dir = String(path[..<slash])
        guard !name.isEmpty, name != ".", name != ".." else { return nil }
        return (dir.isEmpty ? "/" : dir, name)
    }
}
