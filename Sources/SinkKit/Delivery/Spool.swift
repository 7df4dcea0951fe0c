import Glibc

/// A bounded, ordered on-disk queue of encoded messages, used while the receiver
/// is down and read back in order once it returns.
///
/// Messages live in segment files `<sequence>.spool` in one directory, each
/// record a 4-byte little-endian length and the message. The read position of
/// the first segment is persisted in `cursor`, so messages survive a restart
/// (a crash between send and cursor write may repeat that one message).
/// ``prepend(_:)`` puts messages back in front (those a dead connection never
/// delivered) by writing a segment numbered before the first.
///
/// The agent runs as root, so the directory must not let anyone else steer its
/// writes: it is opened with ``SafeDirectory`` (missing parents created mode
/// 0700; refused when another user owns or can write it, or when a link on the
/// way belongs to another user) and every file is opened under its descriptor
/// with `O_NOFOLLOW`, new segments with `O_EXCL`: a planted symbolic link is
/// never written through.
public final class Spool {
    /// Where the segments live.
    public let directory: String
    /// The most bytes the segments may take on disk.
    public let maxBytes: Int
    let segmentBytes: Int

    private struct Segment { var sequence: Int64; var size: Int; var readOffset: Int }
    private var segments: [Segment] = []
    private var dirFD: Int32 = -1
    private var tailFD: Int32 = -1
    private var cursorFD: Int32 = -1
    private var header = [UInt8](repeating: 0, count: 4)

    /// Opens (creating if needed) a spool in `directory`, picking up segments a
    /// previous run left behind.
    public init(directory: String, maxBytes: Int, segmentBytes: Int = 1 << 20) throws(SpoolError) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
        do throws(SafeDirectory.Refusal) {
            dirFD = try SafeDirectory.open(directory, create: true)
        } catch {
            throw SpoolError(what: "spool directory \(error.path) \(error.problem)", errno: error.errno ?? 0, remedy: error.remedy)
        }
        let listFD = dup(dirFD)
        guard listFD >= 0, let dir = fdopendir(listFD) else {
            let e = errno
            if listFD >= 0 { Glibc.close(listFD) }
            close()
            throw SpoolError(what: "cannot read spool directory \(directory)", errno: e)
        }
        rewinddir(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".spool"), let seq = Int64(name.dropLast(6)) else { continue }
            // Only regular files are segments; a link or anything else is never read or written.
            var st = stat()
            guard fstatat(dirFD, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            segments.append(Segment(sequence: seq, size: Int(st.st_size), readOffset: 0))
        }
        closedir(dir)
        segments.sort { $0.sequence < $1.sequence }
        cursorFD = openat(dirFD, "cursor", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard cursorFD >= 0 else {
            let e = errno
            close()
            throw SpoolError(
                what: "cannot open \(directory)/cursor", errno: e,
                remedy: e == ELOOP ? "it is a symbolic link, which the spool never follows: remove it" : nil)
        }
        var cursorStat = stat()
        guard fstat(cursorFD, &cursorStat) == 0, cursorStat.st_mode & S_IFMT == S_IFREG else {
            close()
            throw SpoolError(what: "\(directory)/cursor is not a regular file", errno: 0, remedy: "remove it")
        }
        // One sink per spool directory: a second one would interleave and re-deliver.
        guard flock(cursorFD, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            close()
            throw SpoolError(what: "spool directory \(directory) is in use by another sink; give each sink its own", errno: e)
        }
        var buf = [UInt8](repeating: 0, count: 64)
        let n = pread(cursorFD, &buf, buf.count, 0)
        if n > 0 {
            let parts = String(decoding: buf[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\0" })
            if parts.count >= 2, let seq = Int64(parts[0]), let off = Int(parts[1]),
                let i = segments.firstIndex(where: { $0.sequence == seq }), off <= segments[i].size
            {
                segments[i].readOffset = off
                for s in segments[..<i] { unlinkat(dirFD, name(s.sequence), 0) }  // delivered before the cursor
                segments.removeFirst(i)
            }
        }
    }

    deinit { close() }

    /// Closes the files and releases the directory for another sink. The spool
    /// must not be used afterwards.
    public func close() {
        if tailFD >= 0 { Glibc.close(tailFD) }
        if cursorFD >= 0 { Glibc.close(cursorFD) }
        if dirFD >= 0 { Glibc.close(dirFD) }
        tailFD = -1
        cursorFD = -1
        dirFD = -1
    }

    /// Whether every spooled message has been read.
    public var isEmpty: Bool { segments.allSatisfy { $0.readOffset >= $0.size } }

    /// Bytes on disk (the quantity bounded by `maxBytes`).
    public var diskBytes: Int { segments.reduce(0) { $0 + $1.size } }

    /// Bytes of messages still waiting (with their record headers).
    public var pendingBytes: Int { segments.reduce(0) { $0 + $1.size - $1.readOffset } }

    /// How many messages are still waiting (reads every record header: for a
    /// report at shutdown, not for the hot path). A torn record ends its segment's count.
    public func pendingMessages() -> Int {
        var count = 0
        var h = [UInt8](repeating: 0, count: 4)
        for s in segments where s.readOffset < s.size {
            let fd = openat(dirFD, name(s.sequence), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { Glibc.close(fd) }
            var offset = s.readOffset
            while offset + 4 <= s.size, pread(fd, &h, 4, off_t(offset)) == 4 {
                let len = Int(h[0]) | Int(h[1]) << 8 | Int(h[2]) << 16 | Int(h[3]) << 24
                guard len <= s.size - offset - 4 else { break }
                count += 1
                offset += 4 + len
            }
        }
        return count
    }

    /// Appends a message; returns false when the spool is full (the caller counts a drop).
    public func append(_ message: UnsafeRawBufferPointer) throws(SpoolError) -> Bool {
        let need = 4 + message.count
        if diskBytes + need > maxBytes {
            compact()
            if diskBytes + need > maxBytes { return false }
        }
        if tailFD < 0 || segments.isEmpty || segments[segments.count - 1].size + need > segmentBytes {
            let seq = (segments.last?.sequence ?? 1_000_000_000_000) + 1
            if tailFD >= 0 { Glibc.close(tailFD) }
            tailFD = try create(seq, O_APPEND)
            segments.append(Segment(sequence: seq, size: 0, readOffset: 0))
        }
        try writeRecord(tailFD, message)
        segments[segments.count - 1].size += need
        return true
    }

    /// Puts `messages` (oldest first) in front of everything spooled.
    public func prepend(_ messages: [[UInt8]]) throws(SpoolError) {
        guard !messages.isEmpty else { return }
        compact()
        let seq = (segments.first?.sequence ?? 1_000_000_000_000) - 1
        let fd = try create(seq, 0)
        defer { Glibc.close(fd) }
        var size = 0
        for m in messages {
            let r: Result<Void, SpoolError> = m.withUnsafeBytes { b in Result { () throws(SpoolError) in try writeRecord(fd, b) } }
            try r.get()
            size += 4 + m.count
        }
        // The earlier first segment keeps its read offset; the cursor moves to the new one.
        segments.insert(Segment(sequence: seq, size: size, readOffset: 0), at: 0)
        saveCursor()
    }

    /// The oldest unread message, without consuming it.
    public func peek() throws(SpoolError) -> [UInt8]? {
        compact()
        guard let s = segments.first, s.readOffset < s.size else { return nil }
        let fd = openat(dirFD, name(s.sequence), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError(what: "cannot read spool segment \(path(s.sequence))", errno: errno) }
        defer { Glibc.close(fd) }
        guard pread(fd, &header, 4, off_t(s.readOffset)) == 4 else { return skipCorrupt() }
        let len = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
        guard len <= s.size - s.readOffset - 4 else { return skipCorrupt() }
        var body = [UInt8](repeating: 0, count: len)
        guard len == 0 || pread(fd, &body, len, off_t(s.readOffset + 4)) == len else { return skipCorrupt() }
        return body
    }

    /// Consumes the message that ``peek()`` returned.
    public func advance() throws(SpoolError) {
        guard !segments.isEmpty else { return }
        let fd = openat(dirFD, name(segments[0].sequence), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError(what: "cannot read spool segment", errno: errno) }
        defer { Glibc.close(fd) }
        guard pread(fd, &header, 4, off_t(segments[0].readOffset)) == 4 else { return }
        let len = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
        segments[0].readOffset += 4 + len
        saveCursor()
    }

    /// A record that cannot be read (torn by a crash): the rest of that segment is abandoned.
    private func skipCorrupt() -> [UInt8]? {
        segments[0].readOffset = segments[0].size
        compact()
        return nil
    }

    /// Deletes fully read segments (the tail only once it is also read).
    private func compact() {
        while let s = segments.first, s.readOffset >= s.size {
            if segments.count == 1 {
                if tailFD >= 0 { Glibc.close(tailFD); tailFD = -1 }
            }
            unlinkat(dirFD, name(s.sequence), 0)
            segments.removeFirst()
        }
        saveCursor()
    }

    private func saveCursor() {
        let text = segments.first.map { "\($0.sequence) \($0.readOffset)\n" } ?? "0 0\n"
        var bytes = Array(text.utf8)
        bytes += [UInt8](repeating: 0x20, count: max(0, 48 - bytes.count))
        _ = pwrite(cursorFD, bytes, bytes.count, 0)
    }

    private func writeRecord(_ fd: Int32, _ message: UnsafeRawBufferPointer) throws(SpoolError) {
        let n = UInt32(message.count)
        header[0] = UInt8(n & 0xFF); header[1] = UInt8(n >> 8 & 0xFF)
        header[2] = UInt8(n >> 16 & 0xFF); header[3] = UInt8(n >> 24)
        let total = 4 + message.count
        let written = header.withUnsafeBytes { h in
            var iov = (
                iovec(iov_base: UnsafeMutableRawPointer(mutating: h.baseAddress), iov_len: 4),
                iovec(iov_base: UnsafeMutableRawPointer(mutating: message.baseAddress), iov_len: message.count)
            )
            return withUnsafePointer(to: &iov) { $0.withMemoryRebound(to: iovec.self, capacity: 2) { writev(fd, $0, 2) } }
        }
        guard written == total else { throw SpoolError(what: "cannot write to spool in \(directory)", errno: errno) }
    }

    /// A new segment file, never an existing one (O_EXCL: nothing planted under its name is opened).
    private func create(_ seq: Int64, _ flags: Int32) throws(SpoolError) -> Int32 {
        let fd = openat(dirFD, name(seq), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | flags, 0o600)
        guard fd >= 0 else {
            let e = errno
            throw SpoolError(
                what: "cannot create spool segment \(path(seq))", errno: e,
                remedy: e == EEXIST ? "something not written by this spool (a link?) is in the way: remove it" : nil)
        }
        return fd
    }

    private func name(_ seq: Int64) -> String { "\(seq).spool" }
    private func path(_ seq: Int64) -> String { "\(directory)/\(seq).spool" }
}

/// A spool directory or file that cannot be used; says which and why.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public var what: String
    /// The failed call's errno; 0 when a check (owner, mode, file type) refused.
    public var errno: Int32
    /// What to do about it; nil means "check permissions and free space".
    public var remedy: String?

    public init(what: String, errno: Int32, remedy: String? = nil) {
        self.what = what
        self.errno = errno
        self.remedy = remedy
    }

    public var description: String {
        let cause = errno == 0 ? "" : ": \(String(cString: strerror(errno))) (errno \(errno))"
        return "\(what)\(cause); \(remedy ?? "check the spool directory's permissions and free space")"
    }
}
