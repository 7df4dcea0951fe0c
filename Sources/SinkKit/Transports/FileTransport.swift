import Glibc

/// Appends one message per line to a file (or writes to standard output).
///
/// `reopen()` closes and reopens the path, which is what logrotate's
/// `postrotate … kill -HUP` expects.
public final class FileTransport: Transport {
    public let destination: String
    private let path: String?
    private var fd: Int32 = -1
    private var line: [UInt8] = []

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
        fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        if fd < 0 { throw TransportError(.unavailable, "cannot open \(path) for appending", errno: errno) }
    }

    public func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64? {
        try open()
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: message)
        line.append(0x0A)
        // One write per line: O_APPEND keeps concurrent writers' lines whole.
        var off = 0
        while off < line.count {
            let n = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TransportError(.unavailable, "cannot write to \(destination)", errno: errno)
            }
            off += n
        }
        return nil
    }

    public func close() {
        if fd >= 0 && path != nil { Glibc.close(fd) }
        fd = -1
    }

    public func reopen() throws(TransportError) {
        close()
        try open()
    }
}
