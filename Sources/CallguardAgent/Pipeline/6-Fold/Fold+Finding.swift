import AuditKit
import Glibc

extension Fold {
    /// What makes a violation's finding within its key: the executable,
    /// command line and path as the kernel wrote them (undecoded, views into
    /// the event's records, valid while the event is), each with its quoting.
    /// The kernel writes a value quoted when it is printable without spaces
    /// or double quotes and hex-encoded (unquoted) otherwise, so a value's
    /// bytes and quoting together are its meaning: the bytes alone are not
    /// (`name="2F61"`, a file named by those digits, and `name=2F61`, `/a`).
    /// All process-controlled: they only ever tell findings apart, never
    /// decide whether one is checked.
    public struct Finding {
        /// The syscall record's `exe=`.
        public var exe: AuditField?
        /// The PROCTITLE record's `proctitle=`.
        public var proctitle: AuditField?
        /// The first named PATH record's `name=`.
        public var path: AuditField?

        /// `event`'s finding.
        @inline(__always)
        public init(_ event: SyscallEvent) {
            exe = event.summary.exe
            proctitle = event.proctitleField
            path = event.pathField
        }

        /// The finding's identity in the fold's table (keyed SipHash of the three values and their quoting).
        public var hash: Int {
            var hasher = Hasher()
            func combine(_ field: AuditField?) {
                if let field {
                    hasher.combine(UInt8(1) &+ field.quoting.rawValue)
                    // The length too: where one value ends never depends on
                    // which bytes follow (the kernel writes none below 0x20,
                    // a crafted log for `replay` might).
                    hasher.combine(field.value.count)
                    hasher.combine(bytes: UnsafeRawBufferPointer(field.value.buffer))
                } else {
                    hasher.combine(UInt8(0))
                }
            }
            combine(exe)
            combine(proctitle)
            combine(path)
            return hasher.finalize()
        }
    }

    /// A finding's values copied out of its event (which the next batch
    /// overwrites), in memory the fold owns: compared with a later event's
    /// without reference counting or hashing.
    struct FindingCopy: ~Copyable {
        private var bytes: UnsafeMutableRawBufferPointer
        /// The executable's, command line's and path's lengths in `bytes`, one after another (-1: absent).
        private var lengths: (exe: Int, proctitle: Int, path: Int) = (-1, -1, -1)
        /// Their quoting (meaningless for an absent one).
        private var quotings: (exe: AuditField.Quoting, proctitle: AuditField.Quoting, path: AuditField.Quoting) =
            (.none, .none, .none)
        /// Whether a finding is held.
        private(set) var isSet = false

        init() { bytes = .allocate(byteCount: 256, alignment: 1) }

        deinit { bytes.deallocate() }

        /// Holds `finding`'s values.
        mutating func set(_ finding: Finding) {
            let total = (finding.exe?.value.count ?? 0) + (finding.proctitle?.value.count ?? 0) + (finding.path?.value.count ?? 0)
            if total > bytes.count {
                bytes.deallocate()
                bytes = .allocate(byteCount: total, alignment: 1)
            }
            var at = 0
            func put(_ field: AuditField?) -> Int {
                guard let field else { return -1 }
                let n = field.value.count
                if n > 0 { (bytes.baseAddress! + at).copyMemory(from: field.value.start, byteCount: n) }
                at += n
                return n
            }
            lengths = (put(finding.exe), put(finding.proctitle), put(finding.path))
            quotings = (finding.exe?.quoting ?? .none, finding.proctitle?.quoting ?? .none, finding.path?.quoting ?? .none)
            isSet = true
        }

        /// Holds nothing.
        mutating func clear() { isSet = false }

        /// Whether a finding is held and `finding`'s values are its values, byte
        /// for byte and quoted alike (their hashes are then equal too).
        @inline(__always)
        func matches(_ finding: Finding) -> Bool {
            guard isSet else { return false }
            var at = 0
            @inline(__always) func same(_ field: AuditField?, _ length: Int, _ quoting: AuditField.Quoting) -> Bool {
                guard let field else { return length < 0 }
                let n = field.value.count
                guard n == length, field.quoting == quoting else { return false }
                defer { at += n }
                return n == 0 || memcmp(field.value.start, bytes.baseAddress! + at, n) == 0
            }
            return same(finding.exe, lengths.exe, quotings.exe) && same(finding.proctitle, lengths.proctitle, quotings.proctitle)
                && same(finding.path, lengths.path, quotings.path)
        }
    }
}
