import Glibc

/// Reads an auditd log from a file descriptor in large chunks and hands out
/// each line as a ``ByteView`` into its one reused buffer: no allocation per
/// line. A line longer than the buffer's line limit is skipped and reported.
public final class LogLineReader {
    /// Why reading stopped.
    public struct ReadError: Error, CustomStringConvertible {
        /// The errno of the failed `read(2)`.
        public var errno: Int32
        public var description: String {
            "reading the audit log failed: \(String(cString: strerror(errno))) (errno \(errno)); check that the file is readable"
        }
    }

    private let fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let chunkSize: Int
    /// The longest line handed out; longer ones are skipped as too long.
    public let maximumLineLength: Int
    /// Bytes read so far.
    public private(set) var bytesRead: UInt64 = 0

    /// Reads from `fd` (not closed by the reader) in chunks of `chunkSize`.
    public init(fd: Int32, chunkSize: Int = 1 << 20, maximumLineLength: Int = 64 * 1024) {
        self.fd = fd
        self.maximumLineLength = maximumLineLength
        self.chunkSize = max(1, chunkSize)
        capacity = self.chunkSize + maximumLineLength
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Calls `line` with every line (without its newline; a final line without
    /// one included) and `overlong` for every line over the limit, until EOF.
    public func forEachLine(
        _ line: (ByteView) throws -> Void,
        overlong: () -> Void = {}
    ) throws {
        try forEachScannedLine({ view, _ in try line(view) }, overlong: overlong, beforeReuse: {})
    }

    /// Like ``forEachLine(_:overlong:)``, and hands each line's rare bytes
    /// (found in the same pass as its newline) to ``RecordParser``. Lines stay
    /// valid past their call, until `beforeReuse` (called before the buffer
    /// is moved or read into again).
    func forEachScannedLine(
        _ line: (ByteView, LineScan) throws -> Void,
        overlong: () -> Void,
        beforeReuse: () -> Void
    ) throws {
        var filled = 0  // bytes in buffer[0..<filled]
        var skipping = false  // inside an overlong line, dropping until its newline
        while true {
            let n = read(fd, buffer + filled, min(chunkSize, capacity - filled))
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            if n == 0 { break }
            bytesRead &+= UInt64(n)
            let end = filled + n
            var start = 0
            while start < end {
                // A line cut by the chunk's end is scanned again, whole, after the next read.
                var scan = LineScan()
                let newline = LineScan.findNewline(buffer, from: start, to: end, noting: &scan)
                guard newline < end else { break }
                if skipping {
                    skipping = false
                } else if newline - start > maximumLineLength {
                    overlong()
                } else if newline > start {
                    try line(ByteView(start: UnsafePointer(buffer + start), count: newline - start), scan)
                }
                start = newline + 1
            }
            beforeReuse()
            let rest = end - start
            if rest > maximumLineLength {
                // No newline within the limit: drop what we have and skip to the next newline.
                if !skipping { overlong() }
                skipping = true
                filled = 0
            } else {
                if rest > 0, start > 0 { memmove(buffer, buffer + start, rest) }
                filled = rest
            }
        }
        if filled > 0, !skipping {
            var scan = LineScan()
            _ = LineScan.findNewline(buffer, from: 0, to: filled, noting: &scan)
            try line(ByteView(start: UnsafePointer(buffer), count: filled), scan)
        }
    }
}
