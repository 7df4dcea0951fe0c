#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a whole file only when it is no larger than a limit: the size is
/// checked with `fstat(2)` before anything is read, and at most `limit + 1`
/// bytes are ever read (for files whose size `stat` does not tell, such as
/// pipes and /proc files). Used for the runtime state files read on the
/// reader thread and for the agent's config file.
public enum BoundedFile {
    /// What a bounded read found.
    public enum Outcome: Sendable {
        /// The file's bytes (at most the limit).
        case contents([UInt8])
        /// The file is larger than the limit: `size` from `fstat` for a regular
        /// file, nil when only the read passing the limit told.
        case tooLarge(size: Int?)
        /// The file is not a regular file and only regular files were allowed.
        case notRegularFile
        /// `open`, `fstat` or `read` failed with this errno (ENOENT: no such file).
        case failed(errno: Int32)
    }

    /// Reads `path` if it holds at most `limit` bytes. With `regularFileOnly`
    /// the file is opened non-blocking (a FIFO cannot stall the caller) and
    /// anything but a regular file is refused before it is read.
    public static func read(_ path: String, limit: Int, regularFileOnly: Bool = false) -> Outcome {
        let flags = O_RDONLY | O_CLOEXEC | (regularFileOnly ? O_NONBLOCK : 0)
        let fd = open(path, flags)
        guard fd >= 0 else { return .failed(errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failed(errno: errno) }
        let regular = (st.st_mode & S_IFMT) == S_IFREG
        if regularFileOnly, !regular { return .notRegularFile }
        if regular, Int(st.st_size) > limit { return .tooLarge(size: Int(st.st_size)) }
        // A regular file's size is known (it may still grow while it is read);
        // anything else is read in growing steps up to limit + 1.
        var capacity = regular ? min(limit + 1, Int(st.st_size) + 1) : min(limit + 1, 64 * 1024)
        var bytes = [UInt8](repeating: 0, count: capacity)
        var count = 0
        while true {
            if count == capacity {
                guard capacity <= limit else { break }
                capacity = min(limit + 1, capacity * 2)
                bytes.append(contentsOf: repeatElement(0, count: capacity - bytes.count))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, capacity - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(errno: errno)
            }
            if n == 0 { break }
            count += n
        }
        if count > limit { return .tooLarge(size: regular ? count : nil) }
        bytes.removeSubrange(count...)
        return .contents(bytes)
    }
}
