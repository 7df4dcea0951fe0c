import Foundation
import Glibc

/// File operations of profile delivery: whole-file atomic replacement (write a
/// temporary file beside the target, fsync, rename) and bounded reads.
public enum DeliveryFiles {
    /// A failed file operation, naming the path and the errno.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ what: String, _ path: String, _ err: Int32 = errno) {
            description = "\(what) \(path): \(String(cString: strerror(err)))"
        }
        init(message: String) { description = message }
    }

    /// Replaces `path` with `bytes` (mode 0644): readers see the old file or
    /// the new one, never a part.
    public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String) throws(Failure) {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let temp = "\(dir)/.\(base).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw Failure("cannot create", temp) }
        let array = Array(bytes)
        var written = 0
        while written < array.count {
            let n = array.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                unlink(temp)
                throw Failure("cannot write", temp, e)
            }
            written += n
        }
        fchmod(fd, 0o644)
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            unlink(temp)
            throw Failure("cannot sync", temp, e)
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw Failure("cannot rename \(temp) to", path, e)
        }
    }

    /// Creates `path` and its parents (mode 0755) when missing.
    public static func makeDirectory(_ path: String) throws(Failure) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw Failure(message: "cannot create the directory \(path): \(error.localizedDescription)")
        }
    }

    /// The contents of `path`, refused over `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(Failure) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("cannot open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure("cannot stat", path) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Failure(message: "\(path) is not a regular file") }
        guard Int(st.st_size) <= limit else { throw Failure(message: "\(path) is larger than \(limit) bytes") }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure("cannot read", path)
            }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
            guard data.count <= limit else { throw Failure(message: "\(path) is larger than \(limit) bytes") }
        }
        return data
    }
}
