import Glibc

/// Appends one message per line to a file (or writes to standard output).
///
/// `reopen()` closes and reopens the path, which is what logrotate's
/// `postrotate … kill -HUP` expects.
///
/// The agent runs as root, so the file's directory must be one only root (or
/// the agent's user) controls (``SafeDirectory``: owner root or the agent, not
/// writable by group or others, no link of another user on the way), and the
/// file is opened under it with `O_NOFOLLOW`: a planted symbolic link is
/// refused, never written through; so is anything but a regular file with
/// one name.
public final class FileTransport: Transport {
    public let destination: String
    private let path: String?
    private var fd: Int32 = -1
    /// Lines sent since the last flush, not yet written.
    private var pending: [UInt8] = []
    /// Gathered bytes beyond which `send` writes at once.
    static let gatherBytes = 64 * 1024

    /// A transport that appends to `path`, creating it with mode 0640.
    public init(path: String) {
        self.path = path
        self.destination = "file:\(path)"
    }

    /// A transport that writes to standard output.
    public init(standardOutput: Void = ()) {
        self.path = nil
        self.destination = "stdout"
    }

    public func open() throws(TransportError) {
        guard fd < 0 else { return }
        guard let path else { fd = STDOUT_FILENO; return }
        guard let (directory, name) = SafeDirectory.split(path) else {
            throw TransportError(.configuration, "file sink \(path) does not name a file; write file:/var/log/callguard/violations.json")
        }
        let dirFD: Int32
        do throws(SafeDirectory.Refusal) {
            dirFD = try SafeDirectory.open(directory, create: false)
        } catch {
            throw TransportError(.configuration, "file sink \(path): directory \(error)")
        }
        defer { Glibc.close(dirFD) }
        // O_NONBLOCK: a FIFO in its place must not hang the sink thread (no effect on a regular file).
        let opened = openat(dirFD, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o640)
        if opened < 0 {
            let e = errno
            if e == ELOOP {
                throw TransportError(
                    .configuration, "file sink \(path) is a symbolic link, which the agent never writes through; remove it or configure the real file")
            }
            throw TransportError(.unavailable, "cannot open \(path) for appending", errno: e)
        }
        var st = stat()
        guard fstat(opened, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_nlink == 1 else {
            Glibc.close(opened)
            throw TransportError(
                .configuration, "file sink \(path) is not a regular file with a single name (a device, FIFO or hard link); remove it")
        }
        fd = opened
    }

    /// Gathers one line (the message and a newline); the sink calls
    /// ``flush()`` once per wake-up, so a batch is one write(2). Beyond
    /// ``gatherBytes`` the gathered lines are written at once.
    public func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64? {
        try open()
        // Flush first, so that a failure leaves this message to the sink (never both).
        if pending.count + message.count >= Self.gatherBytes { try flush() }
        pending.append(contentsOf: message)
        pending.append(0x0A)
        return nil
    }

    /// Writes the gathered lines, whole lines in one write where the kernel
    /// takes them (O_APPEND keeps concurrent writers' lines whole); what was
    /// not written stays gathered for the next attempt.
    public func flush() throws(TransportError) {
        guard !pending.isEmpty else { return }
        try open()
        var off = 0
        defer {
            if off == pending.count { pending.removeAll(keepingCapacity: true) } else { pending.removeFirst(off) }
        }
        while off < pending.count {
            let n = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TransportError(.unavailable, "cannot write to \(destination)", errno: errno)
            }
            off += n
        }
    }

    public func close() {
        try? flush()
        if fd >= 0 && path != nil { Glibc.close(fd) }
        fd = -1
    }

    public func reopen() throws(TransportError) {
        close()
        try open()
    }
}
