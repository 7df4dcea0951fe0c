/// What the agent reads of a SYSCALL (or SECCOMP) record, picked out in one
/// pass over its fields without allocating: the pipeline's view of an event.
///
/// Text fields (`comm`, `exe`, `key`) stay as ``AuditField``s, views into the
/// record, so that they are decoded only for a violation.
public struct SyscallSummary {
    /// `arch=`: the audit architecture.
    public var arch: AuditArch?
    /// `syscall=`: the syscall number on ``arch``.
    public var syscall: Int32?
    /// `success=`: yes or no; nil for SECCOMP records, which have none.
    public var success: Bool?
    /// `exit=`: the syscall's return value.
    public var exit: Int64?
    /// `pid=`.
    public var pid: Int32?
    /// `ppid=`.
    public var ppid: Int32?
    /// `uid=`.
    public var uid: UInt32?
    /// `auid=`.
    public var auid: UInt32?
    /// `comm=`: the process name (process-controlled).
    public var comm: AuditField?
    /// `exe=`: the executable's path (process-controlled).
    public var exe: AuditField?
    /// `key=`: the audit rule key, or `(null)`.
    public var key: AuditField?
    /// The type of the record this summary was read from: ``RecordType/syscall``
    /// (an audit rule matched) or ``RecordType/seccomp`` (a seccomp filter
    /// logged the call); nil for an empty summary.
    public var recordType: RecordType?
    /// `code=` of a SECCOMP record: the filter's action
    /// (`SECCOMP_RET_ACTION_FULL` of its return value: the kernel logs the
    /// action alone, so an errno action reads `0x50000` whatever the errno);
    /// nil for SYSCALL records, which have none.
    public var code: UInt32?

    /// An empty summary.
    public init() {}

    /// Picks the summary fields out of `record`'s body in one pass.
    ///
    /// This is the agent's per-event hot path, so it tokenises with its own
    /// loop: delimiters are found eight bytes at a time (``ByteScan``), each key
    /// (up to 8 bytes) is loaded as one integer and dispatched with one compare,
    /// and only the values it wants are converted. Tokenisation follows
    /// ``FieldIterator`` exactly. SYSCALL and SECCOMP records in the kernel's
    /// own layout take a faster path first (``parseKernelOrder(_:)``,
    /// ``parseSeccompOrder(_:)``), which reads the same summary.
    /// Throws when the body is malformed (an unbalanced quote).
    public init(_ record: AuditRecord) throws(RecordParseError) {
        self.init()
        recordType = record.type
        if record.type == .syscall, parseKernelOrder(record) { return }
        if record.type == .seccomp, parseSeccompOrder(record) { return }
        self = SyscallSummary()
        recordType = record.type
        try parseAnyOrder(record)
    }

    /// The general tokeniser: any field order, any quoting.
    mutating func parseAnyOrder(_ record: AuditRecord) throws(RecordParseError) {
        let s = record.body.start
        let end = record.body.count
        let type = record.type
        var p = 0
        while p < end {
            while p < end, s[p] == 0x20 { p &+= 1 }
            if p >= end { break }
            let keyStart = p
            p = ByteScan.first(0x3D, or: 0x20, in: s, from: p, to: end)  // '=' or ' '
            let keyLength = p &- keyStart
            guard p < end, s[p] == 0x3D else { continue }  // a bare token
            let key = ByteScan.key(s, at: keyStart, length: keyLength, end: end)
            p &+= 1
            let valueStart: Int
            let valueEnd: Int
            var quoting = AuditField.Quoting.none
            if p < end, s[p] == 0x22 {  // "
                valueStart = p &+ 1
                let q = ByteScan.first(0x22, in: s, from: valueStart, to: end)
                guard q < end else { throw RecordParseError(.unbalancedQuote, at: p) }
                valueEnd = q
                p = q &+ 1
                quoting = .double
            } else if p < end, s[p] == 0x27 {  // ' runs to the last ' of the body
                valueStart = p &+ 1
                var q = end &- 1
                while q >= valueStart, s[q] != 0x27 { q &-= 1 }
                guard q >= valueStart else { throw RecordParseError(.unbalancedQuote, at: p) }
                valueEnd = q
                p = q &+ 1
                quoting = .single
            } else {
                valueStart = p
                p = ByteScan.first(0x20, in: s, from: p, to: end)
                valueEnd = p
            }
            let value = ByteView(start: s + valueStart, count: valueEnd - valueStart)
            @inline(__always) func textField() -> AuditField {
                AuditField(key: ByteView(start: s + keyStart, count: keyLength), value: value, quoting: quoting, recordType: type)
            }
            switch (keyLength, key) {
            case (3, 0x646970): pid = Self.int32(value, quoting)  // pid
            case (3, 0x646975): uid = Self.uint32(value, quoting)  // uid
            case (3, 0x657865): exe = textField()  // exe
            case (3, 0x79656b): self.key = textField()  // key
            case (4, 0x6863_7261):  // arch
                if quoting == .none, let raw = value.hexadecimal(), let arch = UInt32(exactly: raw) {
                    self.arch = AuditArch(rawValue: arch)
                }
            case (4, 0x6469_7070): ppid = Self.int32(value, quoting)  // ppid
            case (4, 0x7469_7865): exit = quoting == .none ? value.signedDecimal() : nil  // exit
            case (4, 0x6d6d_6f63): comm = textField()  // comm
            case (4, 0x6469_7561): auid = Self.uint32(value, quoting)  // auid
            case (4, 0x6564_6f63):  // code
                if quoting == .none, let raw = value.hexadecimal() { code = UInt32(exactly: raw) }
            case (7, 0x6c_6c61_6373_7973): syscall = Self.int32(value, quoting)  // syscall
            case (7, 0x73_7365_6363_7573):  // success
                success = value.equals("yes") ? true : (value.equals("no") ? false : nil)
            default: break
            }
        }
    }

    @inline(__always)
    private static func int32(_ value: ByteView, _ quoting: AuditField.Quoting) -> Int32? {
        guard quoting == .none, let n = value.decimal() else { return nil }
        return Int32(exactly: n)
    }

    @inline(__always)
    private static func uint32(_ value: ByteView, _ quoting: AuditField.Quoting) -> UInt32? {
        guard quoting == .none, let n = value.decimal() else { return nil }
        return UInt32(exactly: n)
    }
}
