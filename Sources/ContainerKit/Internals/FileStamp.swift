#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Identity of a file's current content as far as `stat(2)` tells: inode,
/// size and modification time. Used to re-parse a state file only when it changed.
struct FileStamp: Equatable, Sendable {
    var inode: UInt64
    var size: Int64
    var mtimeSeconds: Int
    var mtimeNanos: Int

    /// The stamp of `path`, or nil when it does not exist.
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        mtimeSeconds = Int(st.st_mtim.tv_sec)
        mtimeNanos = Int(st.st_mtim.tv_nsec)
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }
}

/// Small helpers to read runtime state files.
enum StateFile {
    /// The decoded JSON at `path`, or nil when the file is missing, not of the
    /// expected shape, or larger than `limit` (checked before it is read, and
    /// recorded in `refusals`).
    static func decode<T: Decodable>(
        _ type: T.Type, at path: String, limit: Int, refusals: StateFileRefusals
    ) -> T? {
        switch BoundedFile.read(path, limit: limit, regularFileOnly: true) {
        case .contents(let bytes):
            return try? JSONDecoder().decode(T.self, from: Data(bytes))
        case .tooLarge(let size):
            refusals.record(path: path, size: size, limit: limit)
            return nil
        case .notRegularFile:
            refusals.record(path: path, size: nil, limit: limit)
            return nil
        case .failed:
            return nil
        }
    }

    /// The JSON object encoded inside a string (containers/storage `metadata`, CRI-O `Labels`).
    static func decodeEmbedded<T: Decodable>(_ type: T.Type, from text: String?) -> T? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    /// The entries of a directory, or [] when it cannot be listed.
    static func list(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }
}

/// A runtime bundle's `config.json` and its ``FileStamp`` when it was read.
struct BundleFile: Equatable, Sendable {
    var path: String
    var stamp: FileStamp

    /// `path` as it is now; nil when it does not exist.
    init?(path: String) {
        guard let stamp = FileStamp(path: path) else { return nil }
        self.path = path
        self.stamp = stamp
    }
}
