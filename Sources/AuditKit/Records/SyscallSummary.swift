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

    /// An empty summary.
    @inlinable
    public init() {}

    /// Picks the summary fields out of `record`'s body.
    /// Throws when the body is malformed (an unbalanced quote).
    @inlinable
    public init(_ record: AuditRecord) throws(RecordParseError) {
        self.init()
        var iterator = record.fields.makeIterator()
        while let field = try iterator.nextField() {
            let k = field.key
            switch k.count {
            case 3:
                if k.equals("pid") {
                    pid = field.value.decimal().flatMap { Int32(exactly: $0) }
                } else if k.equals("uid") {
                    uid = field.value.decimal().flatMap { UInt32(exactly: $0) }
                } else if k.equals("exe") {
                    exe = field
                } else if k.equals("key") {
                    key = field
                }
            case 4:
                if k.equals("arch") {
                    arch = field.value.hexadecimal().flatMap { UInt32(exactly: $0) }.map(AuditArch.init(rawValue:))
                } else if k.equals("ppid") {
                    ppid = field.value.decimal().flatMap { Int32(exactly: $0) }
                } else if k.equals("exit") {
                    exit = field.value.signedDecimal()
                } else if k.equals("comm") {
                    comm = field
                } else if k.equals("auid") {
                    auid = field.value.decimal().flatMap { UInt32(exactly: $0) }
                }
            case 7:
                if k.equals("syscall") {
                    syscall = field.value.decimal().flatMap { Int32(exactly: $0) }
                } else if k.equals("success") {
                    success = field.value.equals("yes") ? true : (field.value.equals("no") ? false : nil)
                }
            default:
                break
            }
        }
    }
}
