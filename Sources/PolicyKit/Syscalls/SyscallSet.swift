import AuditKit

/// A set of syscalls, as one bitmap per architecture indexed by syscall number:
/// membership is one word load and a mask, with no allocation.
public struct SyscallSet: Sendable, Hashable {
    @usableFromInline static var wordsPerArch: Int { SyscallTable.capacity / 64 }
    @usableFromInline static var slots: Int { 3 }

    /// slot-major bitmap: words [slot * wordsPerArch ..< (slot + 1) * wordsPerArch].
    @usableFromInline var words: [UInt64]

    /// The empty set.
    public init() {
        words = [UInt64](repeating: 0, count: Self.wordsPerArch * Self.slots)
    }

    /// Whether `syscall` is in the set for `arch`. O(1), allocation-free;
    /// an arch the set does not cover or a number out of range is not in it.
    @inlinable
    public func contains(arch: AuditArch, syscall: Int32) -> Bool {
        guard let slot = SyscallTable.slot(of: arch) else { return false }
        return contains(slot: slot, syscall: syscall)
    }

    @inlinable
    func contains(slot: Int, syscall: Int32) -> Bool {
        guard syscall >= 0, Int(syscall) < SyscallTable.capacity else { return false }
        let word = words[slot &* Self.wordsPerArch &+ Int(syscall) >> 6]
        return word & (1 << UInt64(syscall & 63)) != 0
    }

    /// Adds `syscall` on `arch`; numbers out of range and uncovered arches are ignored.
    public mutating func insert(arch: AuditArch, syscall: Int32) {
        guard let slot = SyscallTable.slot(of: arch), syscall >= 0, Int(syscall) < SyscallTable.capacity
        else { return }
        words[slot * Self.wordsPerArch + Int(syscall) >> 6] |= 1 << UInt64(syscall & 63)
    }

    /// Removes `syscall` on `arch`.
    public mutating func remove(arch: AuditArch, syscall: Int32) {
        guard let slot = SyscallTable.slot(of: arch), syscall >= 0, Int(syscall) < SyscallTable.capacity
        else { return }
        words[slot * Self.wordsPerArch + Int(syscall) >> 6] &= ~(1 << UInt64(syscall & 63))
    }

    /// Adds the syscall called `name` on every arch that has it; returns false
    /// when no covered arch knows the name.
    @discardableResult
    public mutating func insert(name: String, table: SyscallTable = .shared) -> Bool {
        table.forEachNumber(of: name) { arch, n in insert(arch: arch, syscall: n) }
    }

    /// Adds every member of `other`.
    public mutating func formUnion(_ other: SyscallSet) {
        for i in words.indices { words[i] |= other.words[i] }
    }

    /// Keeps only members also in `other`.
    public mutating func formIntersection(_ other: SyscallSet) {
        for i in words.indices { words[i] &= other.words[i] }
    }

    /// The members on `arch`, ascending.
    public func numbers(on arch: AuditArch) -> [Int32] {
        guard let slot = SyscallTable.slot(of: arch) else { return [] }
        return (0..<Int32(SyscallTable.capacity)).filter { contains(slot: slot, syscall: $0) }
    }

    /// The members on `arch` by name, in number order.
    public func names(on arch: AuditArch, table: SyscallTable = .shared) -> [String] {
        numbers(on: arch).compactMap { arch.syscallName($0) }
    }

    /// The number of members on `arch`.
    public func count(on arch: AuditArch) -> Int {
        guard let slot = SyscallTable.slot(of: arch) else { return 0 }
        let base = slot * Self.wordsPerArch
        return words[base..<base + Self.wordsPerArch].reduce(0) { $0 + $1.nonzeroBitCount }
    }
}
