extension SyscallSummary {
    /// The fast path for SECCOMP records as the kernel writes them
    /// (`__audit_seccomp`: `audit_log_task`, then its own fields), a fixed
    /// order of fields, one space apart,
    ///
    ///     auid uid gid ses [subj...] pid comm exe sig arch syscall compat ip code
    ///
    /// the same in Linux 6.1 and since. Every field is checked by name, so
    /// only values are scanned; `comm` and `exe` are quoted without spaces,
    /// hex-encoded, or (`exe`) `(null)`. On any surprise — another order, a
    /// field more or fewer (no `exe=` at all for a task without an
    /// executable), a quote or space where the kernel writes none, a value
    /// that does not parse — it returns false and the caller falls back to
    /// the general tokeniser, so that the result never differs from
    /// ``parseAnyOrder``. Like the SYSCALL fast path
    /// (``parseKernelOrder(_:)``), it allocates nothing.
    @inline(__always)
    mutating func parseSeccompOrder(_ record: AuditRecord) -> Bool {
        let s = record.body.start
        var fields = KernelOrderCursor(s: s, end: record.body.count)
        guard let auid = fields.number("auid="), let uid = fields.number("uid="),
            fields.skip("gid="), fields.skip("ses="), fields.skipSubjects(),
            let pid = fields.number("pid="),
            let comm = fields.text("comm=", in: record.type), let exe = fields.text("exe=", in: record.type),
            fields.skip("sig="),
            let archValue = fields.value("arch="), let arch = Self.arch(s, archValue.start, archValue.count),
            let syscall = fields.number("syscall="),
            fields.skip("compat="), fields.skip("ip="),
            let code = fields.lastHexadecimal("code=")
        else { return false }
        self.auid = UInt32(exactly: auid)
        self.uid = UInt32(exactly: uid)
        self.pid = Int32(exactly: pid)
        self.comm = comm
        self.exe = exe
        self.arch = AuditArch(rawValue: arch)
        self.syscall = Int32(exactly: syscall)
        self.code = code
        return true
    }
}

extension KernelOrderCursor {
    /// The value of the record's last field, which must be named `name`
    /// (`code=`: shorter than 8 bytes, the name and its value at least 8),
    /// as hexadecimal that fits 32 bits (``ByteView/hexadecimal()``, as the
    /// general tokeniser reads it); nil when the value opens a quote, holds
    /// a space or a quote, or does not parse.
    @inline(__always)
    mutating func lastHexadecimal(_ name: StaticString) -> UInt32? {
        guard fieldStart &+ 8 <= end, ByteScan.hasLiteral(name, in: s, at: fieldStart) else { return nil }
        let valueStart = fieldStart &+ name.utf8CodeUnitCount
        // The commonest actions (log, kill the process), `0x` and 8 digits, compared as one word.
        if end &- valueStart == 10, s[valueStart] == 0x30, s[valueStart &+ 1] == 0x78 {
            switch ByteScan.load(s, at: end &- 8) {
            case ByteScan.word("7ffc0000"):
                fieldStart = end
                return 0x7FFC_0000
            case ByteScan.word("80000000"):
                fieldStart = end
                return 0x8000_0000
            default: break
            }
        }
        guard s[valueStart] != 0x27, ByteScan.firstSpaceOrQuote(in: s, from: valueStart, to: end) == end,
            let value = ByteView(start: s + valueStart, count: end &- valueStart).hexadecimal()
        else { return nil }
        fieldStart = end
        return UInt32(exactly: value)
    }
}
