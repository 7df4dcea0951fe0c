import CAudit

/// A rule as the kernel lists it (`AUDIT_LIST_RULES`): its binary form, which
/// is what deleting it takes, and the keys it carries.
public struct KernelRule: Hashable, Sendable {
    /// The `struct audit_rule_data` bytes including the string buffer.
    public var data: [UInt8]
    /// The filter list (`AUDIT_FILTER_EXIT` = 4, ...).
    public var filter: UInt32
    /// The action (`AUDIT_ALWAYS` = 2, `AUDIT_NEVER` = 0).
    public var action: UInt32
    /// The keys (`-k`); the kernel stores several joined by `\u{1}`.
    public var keys: [String]
    /// How many fields (conditions) the rule has.
    public var fieldCount: Int
    /// The syscall numbers the rule matches (from its bitmask), for ``arch``.
    public var syscallNumbers: [Int32]
    /// The rule's `arch=` field, if it has one.
    public var arch: AuditArch?

    /// Whether the rule is on a syscall list (exit, entry, task, io_uring):
    /// while any such rule is loaded, the kernel keeps every syscall's audit
    /// context live (`audit_n_rules`), so that a SECCOMP record is followed by
    /// the SYSCALL record (and EOE) of its serial. The user, exclude and
    /// filesystem lists do not count.
    public var isSyscallRule: Bool {
        switch Int32(bitPattern: filter) {
        case AUDIT_FILTER_USER, AUDIT_FILTER_EXCLUDE, AUDIT_FILTER_FS: false
        default: true
        }
    }

    /// Whether the rule carries `key` among its keys.
    public func hasKey(_ key: String) -> Bool { keys.contains(key) }

    /// Decodes a rule from an `AUDIT_LIST_RULES` reply payload.
    init?(_ body: UnsafeRawBufferPointer) {
        let fixed = MemoryLayout<audit_rule_data>.size
        guard body.count >= fixed else { return nil }
        let u32 = { (index: Int) in body.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self) }
        let flags = u32(0)
        let action = u32(1)
        let count = min(Int(u32(2)), Int(AUDIT_MAX_FIELDS))
        // Layout: flags, action, field_count, mask[64], fields[64], values[64], fieldflags[64], buflen, buf[].
        let fieldsAt = 3 + Int(AUDIT_BITMASK_SIZE)
        let valuesAt = fieldsAt + Int(AUDIT_MAX_FIELDS)
        let buflenAt = valuesAt + 2 * Int(AUDIT_MAX_FIELDS)
        let buflen = Int(u32(buflenAt))
        guard fixed + buflen <= body.count else { return nil }
        var keys: [String] = []
        var arch: AuditArch?
        var offset = fixed
        for i in 0..<count where u32(fieldsAt + i) == UInt32(AUDIT_ARCH) {
            arch = AuditArch(rawValue: u32(valuesAt + i))
        }
        var numbers: [Int32] = []
        for word in 0..<Int(AUDIT_BITMASK_SIZE) {
            let bits = u32(3 + word)
            guard bits != 0 else { continue }
            for bit in 0..<32 where bits & (UInt32(1) << UInt32(bit)) != 0 {
                numbers.append(Int32(word * 32 + bit))
            }
        }
        for i in 0..<count {
            let field = u32(fieldsAt + i)
            guard KernelRule.isStringField(field) else { continue }
            let len = Int(u32(valuesAt + i))
            guard offset + len <= fixed + buflen else { return nil }
            if field == UInt32(AUDIT_FILTERKEY) {
                let text = String(decoding: body[offset..<offset + len], as: UTF8.self)
                keys += text.split(separator: "\u{1}").map(String.init)
            }
            offset += len
        }
        self.data = Array(body[0..<(fixed + buflen)])
        self.filter = flags & ~UInt32(AUDIT_FILTER_PREPEND)
        self.action = action
        self.keys = keys
        self.fieldCount = count
        self.syscallNumbers = numbers
        self.arch = arch
    }

    /// Fields whose value lives in the string buffer (the kernel's audit_unpack_string users).
    static func isStringField(_ f: UInt32) -> Bool {
        switch Int32(f) {
        case AUDIT_WATCH, AUDIT_DIR, AUDIT_FILTERKEY, AUDIT_EXE,
            AUDIT_SUBJ_USER, AUDIT_SUBJ_ROLE, AUDIT_SUBJ_TYPE, AUDIT_SUBJ_SEN, AUDIT_SUBJ_CLR,
            AUDIT_OBJ_USER, AUDIT_OBJ_ROLE, AUDIT_OBJ_TYPE, AUDIT_OBJ_LEV_LOW, AUDIT_OBJ_LEV_HIGH:
            true
        default:
            false
        }
    }
}
