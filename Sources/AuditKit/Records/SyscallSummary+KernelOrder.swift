extension SyscallSummary {
    /// The fast path for SYSCALL records as the kernel writes them
    /// (`audit_log_exit`): a fixed order of fields, none containing a space.
    ///
    /// Each field it reads is checked by name, and each one it skips must hold
    /// no quote before its space; on any surprise it returns false and the
    /// caller falls back to the general tokeniser, so the result never differs
    /// from ``parseAnyOrder``. The fields after `ses=` (comm, exe, subj, key)
    /// are read by name in whatever order they come.
    @inline(__always)
    mutating func parseKernelOrder(_ record: AuditRecord) -> Bool {
        let s = record.body.start
        let end = record.body.count
        let type = record.type
        var p = 0

        /// Expects `name=` at p; returns the unquoted value's range and moves p past it.
        @inline(__always) func expect(_ name: StaticString) -> (Int, Int)? {
            let n = name.utf8CodeUnitCount
            guard p &+ n < end else { return nil }
            let literal = name.utf8Start
            var i = 0
            while i < n {
                if s[p &+ i] != literal[i] { return nil }
                i &+= 1
            }
            let valueStart = p &+ n
            let valueEnd = ByteScan.first(0x20, or: 0x22, in: s, from: valueStart, to: end)
            if valueEnd < end, s[valueEnd] == 0x22 { return nil }
            p = valueEnd &+ 1
            return (valueStart, valueEnd)
        }
        /// Skips `count` fields, none of which may hold a quote.
        @inline(__always) func skip(_ count: Int) -> Bool {
            var k = 0
            while k < count {
                let q = ByteScan.first(0x20, or: 0x22, in: s, from: p, to: end)
                guard q < end, s[q] == 0x20 else { return false }
                p = q &+ 1
                k &+= 1
            }
            return true
        }
        @inline(__always) func view(_ r: (Int, Int)) -> ByteView { ByteView(start: s + r.0, count: r.1 &- r.0) }

        guard let archValue = expect("arch="), let raw = view(archValue).hexadecimal(), let arch = UInt32(exactly: raw),
            let syscallValue = expect("syscall="), let syscall = view(syscallValue).decimal(),
            let successValue = expect("success="),
            let exitValue = expect("exit="), let exit = view(exitValue).signedDecimal(),
            skip(5),  // a0 a1 a2 a3 items
            let ppidValue = expect("ppid="), let ppid = view(ppidValue).decimal(),
            let pidValue = expect("pid="), let pid = view(pidValue).decimal(),
            let auidValue = expect("auid="), let auid = view(auidValue).decimal(),
            let uidValue = expect("uid="), let uid = view(uidValue).decimal(),
            skip(9)  // gid euid suid fsuid egid sgid fsgid tty ses
        else { return false }
        let success = view(successValue)
        self.arch = AuditArch(rawValue: arch)
        self.syscall = Int32(exactly: syscall)
        self.success = success.equals("yes") ? true : (success.equals("no") ? false : nil)
        self.exit = exit
        self.ppid = Int32(exactly: ppid)
        self.pid = Int32(exactly: pid)
        self.auid = UInt32(exactly: auid)
        self.uid = UInt32(exactly: uid)

        // comm= exe= [subj=] key=: text fields, quoted or hex-encoded.
        while p < end {
            let keyStart = p
            let eq = ByteScan.first(0x3D, or: 0x20, in: s, from: p, to: end)
            guard eq < end, s[eq] == 0x3D else { return false }
            let keyLength = eq &- keyStart
            var valueStart = eq &+ 1
            var valueEnd: Int
            var quoting = AuditField.Quoting.none
            if valueStart < end, s[valueStart] == 0x22 {
                valueStart &+= 1
                valueEnd = ByteScan.first(0x22, in: s, from: valueStart, to: end)
                guard valueEnd < end else { return false }
                p = valueEnd &+ 1
                guard p == end || s[p] == 0x20 else { return false }
                quoting = .double
            } else {
                valueEnd = ByteScan.first(0x20, or: 0x22, in: s, from: valueStart, to: end)
                if valueEnd < end, s[valueEnd] == 0x22 { return false }
                p = valueEnd
            }
            p &+= 1
            let field = AuditField(
                key: ByteView(start: s + keyStart, count: keyLength),
                value: ByteView(start: s + valueStart, count: valueEnd &- valueStart), quoting: quoting, recordType: type)
            switch keyLength {
            case 3:
                if field.key.equals("exe") { exe = field } else if field.key.equals("key") { key = field }
            case 4:
                if field.key.equals("comm") { comm = field }
            default:
                break
            }
        }
        return true
    }
}
