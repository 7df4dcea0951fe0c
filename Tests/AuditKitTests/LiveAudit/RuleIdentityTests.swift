import CAudit
import Testing

@testable import AuditKit

/// A rule's identity is what the kernel compares: the same rule listed by the
/// kernel and built by libaudit must match, and rules that differ must not.
@Suite
struct RuleIdentityTests {
    static let key = Array("callguard".utf8)

    static func identity(_ bytes: [UInt8]) -> RuleIdentity? {
        bytes.withUnsafeBytes { RuleIdentity(ruleData: $0) }
    }

    static func rule(pid: UInt32 = 42, key: [UInt8] = key, flags: UInt32 = 4) -> [UInt8] {
        AuditRuleTests.ruleBytes(
            fields: [(AUDIT_ARCH, 0xC000_003E), (AUDIT_PID, pid), (AUDIT_FILTERKEY, UInt32(key.count))], buffer: key, flags: flags)
    }

    @Test func unusedFieldSlotsAndThePrependFlagDoNotChangeTheIdentity() {
        var noisy = Self.rule(flags: 4 | UInt32(AUDIT_FILTER_PREPEND))
        // A value in a field slot past field_count (libaudit or the kernel may leave one).
        let valuesAt = 3 + Int(AUDIT_BITMASK_SIZE) + Int(AUDIT_MAX_FIELDS)
        noisy.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(7), toByteOffset: (valuesAt + 10) * 4, as: UInt32.self) }
        #expect(Self.identity(noisy) == Self.identity(Self.rule()))
    }

    @Test func aDifferentValueOrKeyIsADifferentRule() {
        #expect(Self.identity(Self.rule(pid: 43)) != Self.identity(Self.rule()))
        #expect(Self.identity(Self.rule(key: Array("callguarc".utf8))) != Self.identity(Self.rule()))
    }

    @Test func dataShorterThanItsStringBufferHasNoIdentity() {
        let cut = Array(Self.rule().dropLast(3))
        #expect(Self.identity(cut) == nil)
    }
}
