import CAudit
import Glibc

/// Maps a record type's name, as bytes of an auditd log line, to its number
/// without allocating: an open-addressing table built once from libaudit's
/// names (`audit_msg_type_to_name`) for every type from 1000 to 2999.
///
/// auditd writes types libaudit does not know as `UNKNOWN[1334]`; those are
/// parsed from the number in brackets.
public final class RecordTypeTable: @unchecked Sendable {
    /// The table for this process's libaudit.
    public static let shared = RecordTypeTable()

    private struct Entry {
        var hash: UInt32
        var type: UInt16
        var nameOffset: UInt32
        var nameLength: UInt16
    }

    private let slots: UnsafeMutablePointer<Entry>
    private let mask: Int
    private let names: UnsafeMutablePointer<UInt8>
    /// How many names the table holds.
    public let count: Int

    private init() {
        var collected: [(UInt16, [UInt8])] = []
        for number in 1000..<3000 {
            guard let cName = audit_msg_type_to_name(Int32(number)) else { continue }
            collected.append((UInt16(number), Array(String(cString: cName).utf8)))
        }
        let capacity = 4096
        precondition(collected.count * 2 < capacity)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Entry(hash: 0, type: 0, nameOffset: 0, nameLength: 0), count: capacity)
        mask = capacity - 1
        let total = collected.reduce(0) { $0 + $1.1.count }
        let nameBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        let table = slots
        var offset = 0
        for (type, name) in collected {
            name.withUnsafeBufferPointer { (nameBytes + offset).update(from: $0.baseAddress!, count: name.count) }
            let hash = Self.hash(UnsafePointer(nameBytes + offset), name.count)
            var index = Int(hash) & (capacity - 1)
            while table[index].type != 0 { index = (index + 1) & (capacity - 1) }
            table[index] = Entry(hash: hash, type: type, nameOffset: UInt32(offset), nameLength: UInt16(name.count))
            offset += name.count
        }
        names = nameBytes
        count = collected.count
    }

    deinit {
        slots.deallocate()
        names.deallocate()
    }

    @inline(__always)
    private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for i in 0..<n { h = (h ^ UInt32(p[i])) &* 16_777_619 }
        return h | 1  // never 0, so 0 can mark an empty slot's hash
    }

    /// The type named by `name` ("SYSCALL", "UNKNOWN[1334]"), or nil.
    public func type(named name: ByteView) -> RecordType? {
        // The types of nearly every syscall event, compared as one word before hashing.
        if name.count == 7, name.equals("SYSCALL") { return .syscall }
        if name.count == 9, name.equals("PROCTITLE") { return .proctitle }
        if name.count == 4, name.equals("PATH") { return .path }
        let h = Self.hash(name.start, name.count)
        var index = Int(h) & mask
        while true {
            let entry = slots[index]
            if entry.type == 0 { break }
            if entry.hash == h, Int(entry.nameLength) == name.count,
                memcmp(names + Int(entry.nameOffset), name.start, name.count) == 0
            {
                return RecordType(rawValue: entry.type)
            }
            index = (index + 1) & mask
        }
        // auditd's spelling for a type its libaudit did not know.
        if name.hasPrefix("UNKNOWN["), name.count > 9, name[name.count - 1] == UInt8(ascii: "]"),
            let number = name.slice(8..<(name.count - 1)).decimal(), number <= UInt64(UInt16.max)
        {
            return RecordType(rawValue: UInt16(number))
        }
        return nil
    }
}
