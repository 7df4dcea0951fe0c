import CAudit
import Testing

@testable import AuditKit

/// The rule value type and the decoding of rules as the kernel lists them.
@Suite
struct AuditRuleTests {
    @Test func descriptionIsAuditctlListingWithCallguardKey() {
        // i386: mkdir is 39, uname 122; listed by number, each once.
        let rule = AuditRule(arch: .b32, syscalls: ["uname", .number(39), "mkdir"], fields: [.equal("ppid", 7), .notEqual("uid", 0)])
        #expect(rule.description == "-a always,exit -F arch=b32 -S mkdir,uname -F ppid=7 -F uid!=0 -F key=callguard")
        #expect(rule.auditctl(excludingPid: 42) == "-a always,exit -F arch=b32 -S mkdir,uname -F ppid=7 -F uid!=0 -F pid!=42 -F key=callguard")
    }

    @Test func everySyscallRendersAsAll() {
        let rule = AuditRule(syscalls: [.all], fields: [.equal("pid", 9)])
        #expect(rule.auditctl(excludingPid: 3) == "-a always,exit -F arch=b64 -S all -F pid=9 -F pid!=3 -F key=callguard")
    }

    /// The bytes of a `struct audit_rule_data` with the given (field, value) pairs and string buffer.
    static func ruleBytes(fields: [(Int32, UInt32)], buffer: [UInt8], flags: UInt32 = 4, action: UInt32 = 2) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: MemoryLayout<audit_rule_data>.size + buffer.count)
        bytes.withUnsafeMutableBytes { raw in
            func put(_ index: Int, _ v: UInt32) { raw.storeBytes(of: v, toByteOffset: index * 4, as: UInt32.self) }
            put(0, flags)
            put(1, action)
            put(2, UInt32(fields.count))
            let fieldsAt = 3 + Int(AUDIT_BITMASK_SIZE)
            let valuesAt = fieldsAt + Int(AUDIT_MAX_FIELDS)
            for (i, f) in fields.enumerated() {
                put(fieldsAt + i, UInt32(bitPattern: f.0))
                put(valuesAt + i, f.1)
            }
            put(valuesAt + 2 * Int(AUDIT_MAX_FIELDS), UInt32(buffer.count))
        }
        bytes.replaceSubrange(MemoryLayout<audit_rule_data>.size..., with: buffer)
        return bytes
    }

    @Test func keysAreFoundAfterOtherStringFields() throws {
        let dir = Array("/etc".utf8)
        let key = Array("callguard\u{1}other".utf8)
        let bytes = Self.ruleBytes(
            fields: [(AUDIT_ARCH, 0xC000_003E), (AUDIT_DIR, UInt32(dir.count)), (AUDIT_FILTERKEY, UInt32(key.count))],
            buffer: dir + key)
        let rule = try #require(bytes.withUnsafeBytes { KernelRule($0) })
        #expect(rule.keys == ["callguard", "other"])
        #expect(rule.hasKey(AuditRule.callguardKey))
        #expect(rule.filter == 4)
        #expect(rule.action == 2)
        #expect(rule.data == bytes)
    }

    @Test func ruleWithoutKeyHasNone() throws {
        let bytes = Self.ruleBytes(fields: [(AUDIT_ARCH, 0xC000_003E), (AUDIT_PID, 1)], buffer: [])
        let rule = try #require(bytes.withUnsafeBytes { KernelRule($0) })
        #expect(rule.keys.isEmpty)
        #expect(!rule.hasKey(AuditRule.callguardKey))
    }

    @Test func ruleWhoseStringsOverrunItsBufferIsRejected() {
        let bytes = Self.ruleBytes(fields: [(AUDIT_FILTERKEY, 50)], buffer: Array("short".utf8))
        #expect(bytes.withUnsafeBytes { KernelRule($0) } == nil)
    }

    @Test func settingsUndoRestoresOnlyWhatChanged() {
        var raw = audit_status()
        raw.backlog_limit = 64
        raw.backlog_wait_time = 15000
        raw.enabled = 0
        let status = AuditStatus(raw)
        let change = AuditSettingsChange(enabled: .enabled, backlogLimit: 8192)
        let undo = change.undo(from: status)
        #expect(undo == AuditSettingsChange(enabled: .disabled, backlogLimit: 64))
    }
}
