/// A read-only reader of a bbolt database file (containerd's `meta.db`), enough
/// to follow nested buckets to one key. It reads the bytes as they are on disk
/// at one moment: the newer of the two meta pages names the root, and every
/// page it reaches is checked to lie inside the file; a malformed or torn file
/// yields nil, never a crash or an endless walk.
///
/// On-disk layout (bbolt): page header `id u64, flags u16, count u16, overflow u32`;
/// branch elements `pos u32, ksize u32, pgid u64`; leaf elements
/// `flags u32, pos u32, ksize u32, vsize u32` (flag 1: the value is a bucket,
/// `root pgid u64, sequence u64`, followed by an inline page when root is 0);
/// meta `magic u32, version u32, pageSize u32, flags u32, root bucket, …, txid u64`.
struct BoltFile {
    private let bytes: [UInt8]
    private let pageSize: Int
    private let rootPage: UInt64

    private static let magic: UInt32 = 0xED0C_DAED
    private static let branchPage: UInt16 = 0x01
    private static let leafPage: UInt16 = 0x02
    private static let bucketLeafFlag: UInt32 = 0x01
    private static let headerSize = 16
    private static let elementSize = 16
    /// Deeper than any real tree (bbolt's trees are a few levels): a cycle ends here.
    private static let maximumDepth = 64

    /// Parses the meta pages of `bytes`; nil when neither is a valid bbolt meta page.
    init?(bytes: [UInt8]) {
        self.bytes = bytes
        var best: (txid: UInt64, pageSize: Int, root: UInt64)?
        // The first meta is at offset 0; the second one page further (page size from the first valid meta).
        var offsets = [0]
        if let size = Self.metaPageSize(bytes, at: 0) { offsets.append(size) } else { offsets.append(4096) }
        for offset in offsets {
            let meta = offset + Self.headerSize
            guard let magic = Self.u32(bytes, meta), magic == Self.magic,
                let size = Self.u32(bytes, meta + 8), size >= 512, size <= 1 << 20,
                let root = Self.u64(bytes, meta + 16), let txid = Self.u64(bytes, meta + 48)
            else { continue }
            if best == nil || txid > best!.txid { best = (txid, Int(size), root) }
        }
        guard let best else { return nil }
        pageSize = best.pageSize
        rootPage = best.root
    }

    /// The value at `path`: every element but the last names a nested bucket, the
    /// last a key in the innermost one. Nil when any step is missing or malformed.
    func value(at path: [String]) -> [UInt8]? {
        guard !path.isEmpty else { return nil }
        var bucket = Bucket.page(rootPage)
        for (index, name) in path.enumerated() {
            guard let found = find(Array(name.utf8), in: bucket) else { return nil }
            if index == path.count - 1 { return found.isBucket ? nil : found.value }
            guard found.isBucket, let next = Self.nestedBucket(found.value) else { return nil }
            bucket = next
        }
        return nil
    }

    // MARK: - Buckets and pages

    private enum Bucket {
        case page(UInt64)
        /// An inline bucket's page, held in its parent's value.
        case inline([UInt8])
    }

    private struct Found {
        var isBucket: Bool
        var value: [UInt8]
    }

    private static func nestedBucket(_ value: [UInt8]) -> Bucket? {
        guard let root = u64(value, 0) else { return nil }
        if root != 0 { return .page(root) }
        guard value.count > 16 else { return nil }
        return .inline(Array(value[16...]))
    }

    private func find(_ key: [UInt8], in bucket: Bucket) -> Found? {
        switch bucket {
        case .inline(let page): return Self.search(key, page: page, base: 0, depth: 0, load: { _ in nil })
        case .page(let id):
            guard let base = pageOffset(id) else { return nil }
            return Self.search(key, page: bytes, base: base, depth: 0, load: pageOffset)
        }
    }

    private func pageOffset(_ id: UInt64) -> Int? {
        guard id < UInt64(bytes.count / pageSize) else { return nil }
        return Int(id) * pageSize
    }

    /// Binary-search-free walk (pages hold few elements): the branch element whose
    /// key is the greatest not above `key`, then the leaf element equal to it.
    private static func search(
        _ key: [UInt8], page: [UInt8], base: Int, depth: Int, load: (UInt64) -> Int?
    ) -> Found? {
        guard depth < maximumDepth, let flags = u16(page, base + 8), let count16 = u16(page, base + 10) else { return nil }
        let count = Int(count16)
        let elements = base + headerSize
        if flags & branchPage != 0 {
            var chosen: UInt64?
            for i in 0..<count {
                let e = elements + i * elementSize
                guard let pos = u32(page, e), let ksize = u32(page, e + 4), let child = u64(page, e + 8),
                    let k = slice(page, e + Int(pos), Int(ksize))
                else { return nil }
                if k.lexicographicallyPrecedes(key) || k == key[...] { chosen = child } else { break }
            }
            guard let child = chosen ?? (count > 0 ? u64(page, elements + 8) : nil), let next = load(child) else { return nil }
            return search(key, page: page, base: next, depth: depth + 1, load: load)
        }
        guard flags & leafPage != 0 else { return nil }
        for i in 0..<count {
            let e = elements + i * elementSize
            guard let elementFlags = u32(page, e), let pos = u32(page, e + 4), let ksize = u32(page, e + 8),
                let vsize = u32(page, e + 12), let k = slice(page, e + Int(pos), Int(ksize))
            else { return nil }
            guard k == key[...] else { continue }
            guard let v = slice(page, e + Int(pos) + Int(ksize), Int(vsize)) else { return nil }
            return Found(isBucket: elementFlags & bucketLeafFlag != 0, value: Array(v))
        }
        return nil
    }

    // MARK: - Little-endian fields, bounds-checked

    private static func metaPageSize(_ b: [UInt8], at offset: Int) -> Int? {
        guard let magic = u32(b, offset + headerSize), magic == Self.magic, let size = u32(b, offset + headerSize + 8),
            size >= 512, size <= 1 << 20
        else { return nil }
        return Int(size)
    }

    private static func slice(_ b: [UInt8], _ offset: Int, _ count: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, count >= 0, offset <= b.count, count <= b.count - offset else { return nil }
        return b[offset..<(offset + count)]
    }

    private static func u16(_ b: [UInt8], _ o: Int) -> UInt16? {
        guard let s = slice(b, o, 2) else { return nil }
        return UInt16(s[o]) | UInt16(s[o + 1]) << 8
    }

    private static func u32(_ b: [UInt8], _ o: Int) -> UInt32? {
        guard let s = slice(b, o, 4) else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(s[o + $1]) << (8 * UInt32($1)) }
    }

    private static func u64(_ b: [UInt8], _ o: Int) -> UInt64? {
        guard let s = slice(b, o, 8) else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(s[o + $1]) << (8 * UInt64($1)) }
    }
}
