import Foundation
import Glibc

/// Reads which C library an image carries from its files: an unpacked image,
/// a mounted one (`podman image mount`), or a running container's root
/// (`/proc/PID/root`). musl by its dynamic loader (`/lib/ld-musl-ARCH.so.1`)
/// and its version from apk's database; glibc by `libc.so.6` and its version
/// from the banner inside it ("... release version 2.36."), and the oldest
/// kernel it runs on from its ELF ABI tag (``ElfAbiTag``).
///
/// The image is hostile input: symlinks are resolved inside the root (an
/// absolute link restarts at the root, never at the host's `/`), the file read
/// is opened without following a symlink and must be a regular file (not a
/// FIFO that blocks), reads are bounded, and nothing read decides more than
/// the version printed.
public struct LibcDetector: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    /// The libc of the image at ``root``; ``LibcIdentity/unknown`` with a reason in `source` when none is found.
    public func detect() -> LibcIdentity {
        for dir in ["/lib", "/usr/lib"] {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: resolve(dir) ?? "") else {
                continue
            }
            if let loader = entries.sorted().first(where: { $0.hasPrefix("ld-musl-") && $0.hasSuffix(".so.1") }) {
                let version = muslVersion()
                return LibcIdentity(
                    family: .musl, version: version,
                    source: "\(root)\(dir)/\(loader)" + (version == nil ? "" : " and \(root)/lib/apk/db/installed"))
            }
        }
        let candidates = [
            "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6",
            "/usr/lib64/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6",
            "/lib/i386-linux-gnu/libc.so.6", "/usr/lib/i386-linux-gnu/libc.so.6", "/lib/libc.so.6",
            "/usr/lib/libc.so.6",
        ]
        for path in candidates {
            guard let real = resolve(path), let version = glibcVersion(file: real) else { continue }
            return LibcIdentity(
                family: .glibc, version: version, source: root + path,
                minimumKernel: Self.openNoFollow(real).flatMap { h in
                    defer { try? h.close() }
                    return (try? h.read(upToCount: 1 << 16)).flatMap { ElfAbiTag.minimumKernel(elf: [UInt8]($0)) }
                })
        }
        for path in candidates where resolve(path).map(FileManager.default.fileExists(atPath:)) == true {
            return LibcIdentity(family: .glibc, version: nil, source: root + path)
        }
        return LibcIdentity(family: nil, version: nil, source: "no libc.so.6 or ld-musl loader under \(root)")
    }

    /// `path` (absolute within the image) as a host path, following symlinks inside
    /// the image only; nil when it does not exist or loops.
    func resolve(_ path: String) -> String? {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            let host = root + "/" + (resolved + [part]).joined(separator: "/")
            var st = stat()
            guard lstat(host, &st) == 0 else { return nil }
            if st.st_mode & S_IFMT == S_IFLNK {
                hops += 1
                guard hops <= 40, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: host) else {
                    return nil
                }
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
            } else {
                resolved.append(part)
            }
        }
        return root + "/" + resolved.joined(separator: "/")
    }

    /// `path` opened for reading without following a symlink in its last
    /// component (one swapped in after ``resolve(_:)`` looked is refused).
    static func openNoFollow(_ path: String) -> FileHandle? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// The version in glibc's banner ("stable release version 2.36."), read in
    /// bounded blocks; nil when the file has none.
    func glibcVersion(file: String) -> LibcVersion? {
        guard let handle = Self.openNoFollow(file) else { return nil }
        defer { try? handle.close() }
        let needle = Array("release version ".utf8)
        var tail: [UInt8] = []
        var total = 0
        while total < 16 << 20, let block = try? handle.read(upToCount: 1 << 20), !block.isEmpty {
            total += block.count
            let bytes = tail + [UInt8](block)
            if let r = bytes.firstRange(of: needle) {
                let after = bytes[r.upperBound...].prefix(12)
                return LibcVersion(parsing: String(decoding: after, as: UTF8.self))
            }
            tail = Array(bytes.suffix(needle.count + 12))
        }
        return nil
    }

    /// musl's version from apk's database (Alpine): the `V:` line after `P:musl`.
    func muslVersion() -> LibcVersion? {
        guard let path = resolve("/lib/apk/db/installed"), let handle = Self.openNoFollow(path),
            let data = try? handle.read(upToCount: 8 << 20)
        else { return nil }
        try? handle.close()
        var inMusl = false
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { inMusl = false }
            if line == "P:musl" { inMusl = true }
            if inMusl, line.hasPrefix("V:") { return LibcVersion(parsing: line.dropFirst(2)) }
        }
        return nil
    }
}
