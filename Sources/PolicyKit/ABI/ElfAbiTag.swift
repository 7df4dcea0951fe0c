import Foundation

/// The oldest kernel a glibc build runs on, from its `libc.so.6`'s ELF note
/// `NT_GNU_ABI_TAG` (`.note.ABI-tag`: OS 0 = Linux, then major, minor, patch;
/// glibc's `--enable-kernel`). On an older kernel every dynamically linked
/// program of the image stops at start-up with "FATAL: kernel too old",
/// whatever syscalls it uses.
///
/// The file is hostile input: only little-endian ELF is read, every offset is
/// bounds-checked against the bytes read, and at most 64 KiB of headers and
/// notes are looked at.
public enum ElfAbiTag {
    /// The Linux version in the ABI tag of the ELF file at `path`, or nil.
    public static func minimumKernel(path: String) -> KernelVersion? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 1 << 16) else { return nil }
        return minimumKernel(elf: [UInt8](data))
    }

    /// The Linux version in the ABI tag of an ELF image's first bytes, or nil.
    public static func minimumKernel(elf b: [UInt8]) -> KernelVersion? {
        guard b.count >= 52, b[0] == 0x7F, b[1] == 0x45, b[2] == 0x4C, b[3] == 0x46, b[5] == 1 else { return nil }
        let is64 = b[4] == 2
        func u16(_ o: Int) -> Int? { o >= 0 && o + 2 <= b.count ? Int(b[o]) | Int(b[o + 1]) << 8 : nil }
        func u32(_ o: Int) -> Int? {
            guard o >= 0, o + 4 <= b.count else { return nil }
            return Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24
        }
        func u64(_ o: Int) -> Int? {
            guard let lo = u32(o), let hi = u32(o + 4), hi < 1 << 20 else { return nil }
            return lo | hi << 32
        }
        guard let phoff = is64 ? u64(32) : u32(28), let phentsize = u16(is64 ? 54 : 42),
            let phnum = u16(is64 ? 56 : 44), phentsize >= (is64 ? 56 : 32), phnum <= 64
        else { return nil }
        for i in 0..<phnum {
            let ph = phoff + i * phentsize
            guard let type = u32(ph), type == 4 else { continue }  // PT_NOTE
            guard let offset = is64 ? u64(ph + 8) : u32(ph + 4), let size = is64 ? u64(ph + 32) : u32(ph + 16),
                offset >= 0, size >= 0, offset + size <= b.count
            else { continue }
            var n = offset
            while n + 12 <= offset + size {
                guard let namesz = u32(n), let descsz = u32(n + 4), let ntype = u32(n + 8) else { break }
                let name = n + 12
                let desc = name + (namesz + 3) & ~3
                let next = desc + (descsz + 3) & ~3
                guard next <= offset + size, next > n else { break }
                if ntype == 1, namesz == 4, b[name] == 0x47, b[name + 1] == 0x4E, b[name + 2] == 0x55, descsz >= 16,
                    u32(desc) == 0, let major = u32(desc + 4), let minor = u32(desc + 8), let patch = u32(desc + 12),
                    major < 100, minor < 1000, patch < 1000
                {
                    return KernelVersion(major, minor, patch)
                }
                n = next
            }
        }
        return nil
    }
}
