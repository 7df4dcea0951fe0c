import CAudit

/// What makes two audit rules the same rule to the kernel: filter list,
/// action, syscall mask, and each field's type, operator and value (string
/// values such as the key included), in order. Unused field slots and padding
/// are left out, so a rule as libaudit builds it and the same rule as the
/// kernel lists it compare equal.
public struct RuleIdentity: Hashable, Sendable {
    let bytes: [UInt8]

    /// The identity of a `struct audit_rule_data` (fixed part plus string
    /// buffer) in `data`; nil when it is too short for what it declares.
    init?(ruleData data: UnsafeRawBufferPointer) {
        let fixed = MemoryLayout<audit_rule_data>.size
        guard data.count >= fixed else { return nil }
        let u32 = { (index: Int) in data.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self) }
        let maximum = Int(AUDIT_MAX_FIELDS)
        let count = min(Int(u32(2)), maximum)
        let maskAt = 3
        let fieldsAt = maskAt + Int(AUDIT_BITMASK_SIZE)
        let valuesAt = fieldsAt + maximum
        let flagsAt = valuesAt + maximum
        let buflen = Int(u32(flagsAt + maximum))
        guard fixed + buflen <= data.count else { return nil }
        var words: [UInt32] = [u32(0) & ~UInt32(AUDIT_FILTER_PREPEND), u32(1), UInt32(count)]
        for i in 0..<Int(AUDIT_BITMASK_SIZE) { words.append(u32(maskAt + i)) }
        for i in 0..<count { words += [u32(fieldsAt + i), u32(flagsAt + i), u32(valuesAt + i)] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 4 + buflen)
        for word in words { withUnsafeBytes(of: word.littleEndian) { bytes += $0 } }
        bytes += data[fixed..<(fixed + buflen)]
        self.bytes = bytes
    }
}

extension KernelRule {
    /// The rule's identity (see ``RuleIdentity``).
    public var identity: RuleIdentity? { data.withUnsafeBytes { RuleIdentity(ruleData: $0) } }
}
