import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads policy and profile files only from inside the directories policies
/// may come from (the policies directory and the configured profile
/// directories), so that an `include:` or a planted symlink cannot make
/// callguard read, and then quote, any other file of the host.
///
/// The check is on the resolved path (every symlink followed, `..` removed),
/// and again on the file actually opened (`/proc/self/fd`), so a symlink
/// swapped in between does not escape either. A file with more than one hard
/// link is refused: a hard link is inside the directory by path whatever file
/// it really is.
struct ConfinedFileReader {
    /// Why a file was not read. No case carries any of the file's content.
    enum Refusal: Error {
        /// The path does not exist (or a component is not a directory).
        case missing
        /// The path resolves to `resolved`, outside every allowed directory.
        case outside(resolved: String)
        /// Not a regular file (a directory, device, FIFO or socket).
        case notRegular
        /// A regular file with `links` hard links: inside by path, yet possibly
        /// another file of the host (a link to /etc/shadow is inside by path).
        case hardLinked(links: Int)
        /// The file, or the directory holding it, can be changed by someone
        /// other than root and the agent's user (`path` names which): anyone
        /// could plant or edit a policy that allows everything.
        case writableByOthers(path: String)
        /// Larger than the limit.
        case tooLarge(bytes: Int)
        /// open/read failed for another reason (permissions).
        case unreadable(errno: Int32)
    }

    /// The allowed directories as real paths (no symlinks, no trailing `/`).
    let roots: [String]
    /// The allowed directories as given, made absolute: a path that does not
    /// exist is judged by its name against these, so that the answer for a
    /// file outside does not tell whether it exists.
    let givenRoots: [String]
    let maxBytes: Int

    /// `directories` that do not exist are left out (nothing can be read from them).
    init(directories: [String], maxBytes: Int) {
        var seen = Set<String>()
        roots = directories.compactMap(Self.realPath).filter { seen.insert($0).inserted }
        givenRoots = directories.map(Self.absolute)
        self.maxBytes = maxBytes
    }

    /// `path` made absolute against the working directory and tidied (no `.`/`..`).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return PathNormalizer.normalize(path) }
        let cwd = FileManager.default.currentDirectoryPath
        return PathNormalizer.normalize(cwd + "/" + path)
    }

    /// The path with every symlink resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Whether the real path `resolved` is inside one of the roots.
    func contains(_ resolved: String) -> Bool {
        roots.contains { root in
            root == "/" || resolved.hasPrefix(root + "/")
        }
    }

    /// The bytes of the regular file at `path`, when it resolves inside a root.
    func read(_ path: String) -> Result<[UInt8], Refusal> {
        guard let resolved = Self.realPath(path) else {
            let e = errno
            let named = Self.absolute(path)
            let inside = givenRoots.contains { $0 == "/" || named.hasPrefix($0 + "/") } || contains(named)
            guard inside else { return .failure(.outside(resolved: named)) }
            return .failure(e == ENOENT || e == ENOTDIR ? .missing : .unreadable(errno: e))
        }
        guard contains(resolved) else { return .failure(.outside(resolved: resolved)) }
        // O_NONBLOCK: a FIFO planted in the directory must not hang the load.
        let fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let e = errno
            return .failure(e == ELOOP ? .outside(resolved: resolved) : .unreadable(errno: e))
        }
        defer { close(fd) }
        if let opened = Self.openedPath(fd), !contains(opened) { return .failure(.outside(resolved: opened)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(errno: errno)) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular) }
        guard st.st_nlink <= 1 else { return .failure(.hardLinked(links: Int(st.st_nlink))) }
        guard Self.onlyOwnersCanWrite(st) else { return .failure(.writableByOthers(path: Self.openedPath(fd) ?? resolved)) }
        let holder = PathNormalizer.directory(of: Self.openedPath(fd) ?? resolved)
        var dir = stat()
        guard stat(holder.isEmpty ? "/" : holder, &dir) == 0 else { return .failure(.unreadable(errno: errno)) }
        guard Self.onlyOwnersCanWrite(dir) else { return .failure(.writableByOthers(path: holder)) }
        guard Int(st.st_size) <= maxBytes else { return .failure(.tooLarge(bytes: Int(st.st_size))) }
        // Sized by fstat; grows (to the limit plus one) only if the file grew meanwhile.
        var bytes = [UInt8](repeating: 0, count: min(Int(st.st_size), maxBytes) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard bytes.count <= maxBytes else { break }
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, maxBytes + 1 - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errno: errno))
            }
            count += n
        }
        guard count <= maxBytes else { return .failure(.tooLarge(bytes: count)) }
        bytes.removeSubrange(count...)
        return .success(bytes)
    }

    /// Whether only root or the agent's own user can change a file or
    /// directory with status `st`: owned by one of them, not writable by group
    /// or others (a sticky world-writable directory still lets anyone add a file).
    static func onlyOwnersCanWrite(_ st: stat) -> Bool {
        (st.st_uid == 0 || st.st_uid == geteuid()) && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0
    }

    /// The path the kernel says `fd` is open on; nil without /proc.
    static func openedPath(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
