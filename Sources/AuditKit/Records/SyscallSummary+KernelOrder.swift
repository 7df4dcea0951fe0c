extension SyscallSummary {
    /// The fast path for SYSCALL records as the kernel writes them
    /// (`audit_log_exit`): a fixed order of fields, one space apart,
    ///
    ///     arch syscall success exit a0 a1 a2 a3 items ppid pid auid uid gid euid
    ///     suid fsuid egid sgid fsgid tty ses comm exe [subj...] key
    ///
    /// Every field is checked by name (its `name=` compared as one word), so
    /// only values are scanned: each for its ending space, eight bytes per
    /// step. Values before `comm=` hold no quote; `comm`, `exe` and `key` are
    /// quoted without spaces or hex-encoded. On any surprise — another order,
    /// another field, a quote or space where the kernel writes none — it
    /// returns false and the caller falls back to the general tokeniser, so
    /// that a record it accepts has the kernel's layout exactly and the result
    /// never differs from ``parseAnyOrder``.
    @inline(__always)
    mutating func parseKernelOrder(_ record: AuditRecord) -> Bool {
        var fields = KernelOrderCursor(s: record.body.start, end: record.body.count)
        let s = record.body.start
        guard let archValue = fields.value("arch="), let arch = Self.arch(s, archValue.start, archValue.count),
            let syscall = fields.number("syscall="),
            let successValue = fields.value("success="),
            let exit = fields.signedNumber("exit="),
            fields.skip("a0="), fields.skip("a1="), fields.skip("a2="), fields.skip("a3="), fields.skip("items="),
            let ppid = fields.number("ppid="), let pid = fields.number("pid="),
            let auid = fields.number("auid="), let uid = fields.number("uid="),
            fields.skip("gid="), fields.skip("euid="), fields.skip("suid="), fields.skip("fsuid="),
            fields.skip("egid="), fields.skip("sgid="), fields.skip("fsgid="), fields.skip("tty="), fields.skip("ses=")
        else { return false }
        let success: Bool? =
            successValue.count == 3 && ByteScan.hasLiteral("yes", in: s, at: successValue.start)
            ? true : (successValue.count == 2 && ByteScan.hasLiteral("no", in: s, at: successValue.start) ? false : nil)
        self.arch = AuditArch(rawValue: arch)
        self.syscall = Int32(exactly: syscall)
        self.success = success
        self.exit = exit
        self.ppid = Int32(exactly: ppid)
        self.pid = Int32(exactly: pid)
        self.auid = UInt32(exactly: auid)
        self.uid = UInt32(exactly: uid)
        // comm= exe= [subj...=] key=, key last.
        guard let comm = fields.text("comm=", in: record.type), let exe = fields.text("exe=", in: record.type),
            fields.skipSubjects(), let key = fields.text("key=", in: record.type), fields.fieldStart == fields.end
        else { return false }
        self.comm = comm
        self.exe = exe
        self.key = key
        return true
    }

    /// The `arch=` value at `s[p..<p+n]` (8 bytes may be read at `p`): the common
    /// architectures' spellings compared as one word, any other parsed as hexadecimal.
    @inline(__always)
    static func arch(_ s: UnsafePointer<UInt8>, _ p: Int, _ n: Int) -> UInt32? {
        if n == 8 {
            switch ByteScan.load(s, at: p) {
            case ByteScan.word("c000003e"): return AuditArch.x86_64.rawValue
            case ByteScan.word("c00000b7"): return AuditArch.aarch64.rawValue
            case ByteScan.word("40000003"): return AuditArch.i386.rawValue
            default: break
            }
        }
        guard let raw = ByteView(start: s + p, count: n).hexadecimal() else { return nil }
        return UInt32(exactly: raw)
    }
}

/// A field name of at most 8 bytes (`key=`) as one little-endian word and
/// its length; built from a literal, it folds to two constants.
struct FieldName: ExpressibleByStringLiteral {
    let word: UInt64
    let length: Int

    @inline(__always)
    init(stringLiteral literal: StaticString) {
        word = ByteScan.word(literal)
        length = literal.utf8CodeUnitCount
    }
}

/// Where ``SyscallSummary/parseKernelOrder(_:)`` is in a record body (the
/// start of the next field), and how it reads the next field's value.
struct KernelOrderCursor {
    let s: UnsafePointer<UInt8>
    let end: Int
    /// Where the next field starts.
    var fieldStart = 0

    init(s: UnsafePointer<UInt8>, end: Int) {
        self.s = s
        self.end = end
    }

    /// The value of the next field, which must be named `name`, end at a
    /// space, and not open a quote (the general tokeniser reads those
    /// differently). 8 bytes may then be read at the value's start.
    @inline(__always)
    mutating func value(_ name: FieldName) -> (start: Int, count: Int)? {
        let valueStart = fieldStart &+ name.length
        guard valueStart &+ 8 <= end else { return nil }
        let word = ByteScan.load(s, at: fieldStart)
        var space: Int
        if name.length < 8 {
            // The word holds the name and the value's first bytes: a short
            // value's end is found without another load.
            let mask: UInt64 = (1 &<< UInt64(name.length &* 8)) &- 1
            guard word & mask == name.word else { return nil }
            let head = word &>> UInt64(name.length &* 8)
            guard head & 0xFF != 0x27 else { return nil }
            let ends = ByteScan.spacesOrQuotes(head)
            space =
                ends != 0
                ? valueStart &+ (ends.trailingZeroBitCount &>> 3)
                : ByteScan.firstSpaceOrQuote(in: s, from: fieldStart &+ 8, to: end)
        } else {
            guard word == name.word, s[valueStart] != 0x27 else { return nil }
            space = ByteScan.firstSpaceOrQuote(in: s, from: valueStart, to: end)
        }
        guard space < end, s[space] == 0x20 else { return nil }
        fieldStart = space &+ 1
        return (valueStart, space &- valueStart)
    }

    /// The next field, which must be named `name` (`comm=`: shorter than 8
    /// bytes), as a text field the way the general tokeniser reads it; nil
    /// when its value is not a quoted run without spaces (the kernel's
    /// untrusted strings) or an unquoted run without quotes (hex-encoded,
    /// `(null)`), or is not followed by one space and a field or the body's end.
    @inline(__always)
    mutating func text(_ name: StaticString, in type: RecordType) -> AuditField? {
        let n = name.utf8CodeUnitCount
        var p = fieldStart
        guard p &+ 8 <= end, ByteScan.hasLiteral(name, in: s, at: p) else { return nil }
        let key = ByteView(start: s + p, count: n &- 1)
        var valueStart = p &+ n
        let valueEnd: Int
        let quoting: AuditField.Quoting
        if s[valueStart] == 0x22 {
            valueStart &+= 1
            valueEnd = ByteScan.firstSpaceOrQuote(in: s, from: valueStart, to: end)
            guard valueEnd < end, s[valueEnd] == 0x22 else { return nil }
            p = valueEnd &+ 1
            quoting = .double
        } else {
            guard s[valueStart] != 0x27 else { return nil }
            valueEnd = ByteScan.firstSpaceOrQuote(in: s, from: valueStart, to: end)
            guard valueEnd == end || s[valueEnd] == 0x20 else { return nil }
            p = valueEnd
            quoting = .none
        }
        // One space before the next field, or the body's end.
        if p < end {
            guard s[p] == 0x20, p &+ 1 < end else { return nil }
            p &+= 1
        }
        fieldStart = p
        return AuditField(key: key, value: ByteView(start: s + valueStart, count: valueEnd &- valueStart), quoting: quoting, recordType: type)
    }

    /// Steps over the `subj=` fields (none, or one per LSM: any name that
    /// starts with `subj`), each read as the general tokeniser would: an
    /// unquoted value ending at a space, and after it at most one bare word
    /// in parentheses, AppArmor's mode (`subj=docker-default (enforce)`),
    /// which the general tokeniser skips as a token without `=`. False when
    /// a field is not so.
    @inline(__always)
    mutating func skipSubjects() -> Bool {
        while fieldStart &+ 8 <= end, ByteScan.hasLiteral("subj", in: s, at: fieldStart) {
            let eq = ByteScan.first(0x3D, or: 0x20, in: s, from: fieldStart, to: end)
            guard eq < end, s[eq] == 0x3D, eq &+ 1 < end, s[eq &+ 1] != 0x22, s[eq &+ 1] != 0x27 else { return false }
            let space = ByteScan.firstSpaceOrQuote(in: s, from: eq &+ 1, to: end)
            guard space < end, s[space] == 0x20 else { return false }
            fieldStart = space &+ 1
            if fieldStart < end, s[fieldStart] == 0x28 {  // (
                // Up to its space: no `=` on the way (else the general
                // tokeniser reads a field), and a `)` before the space.
                let close = ByteScan.first(0x3D, or: 0x20, in: s, from: fieldStart, to: end)
                guard close < end, s[close] == 0x20, s[close &- 1] == 0x29 else { return false }
                fieldStart = close &+ 1
            }
        }
        return true
    }

    /// Steps over the next field, which must be named `name`.
    @inline(__always)
    mutating func skip(_ name: FieldName) -> Bool { value(name) != nil }

    /// The next field's value as an unsigned decimal.
    @inline(__always)
    mutating func number(_ name: FieldName) -> UInt64? {
        guard let v = value(name) else { return nil }
        return Self.decimal(s, v.start, v.count, end)
    }

    /// The next field's value as a signed decimal.
    @inline(__always)
    mutating func signedNumber(_ name: FieldName) -> Int64? {
        guard let v = value(name) else { return nil }
        return Self.signedDecimal(s, v.start, v.count, end)
    }

    /// An unsigned decimal at `s[p..<p+n]`; 8 bytes may be read at `p` (see `value`).
    @inline(__always)
    static func decimal(_ s: UnsafePointer<UInt8>, _ p: Int, _ n: Int, _ end: Int) -> UInt64? {
        if n >= 1, n <= 8 { return ByteScan.digits(s, at: p, count: n) }
        if n <= 16, p &+ 16 <= end, let high = ByteScan.eightDigits(ByteScan.load(s, at: p)),
            let low = ByteScan.digits(s, at: p &+ 8, count: n &- 8)
        {
            var scale: UInt64 = 1
            for _ in 8..<n { scale &*= 10 }
            return high &* scale &+ low
        }
        return ByteView(start: s + p, count: n).decimal()
    }

    /// A signed decimal (`exit=`) at `s[p..<p+n]`; 8 bytes may be read at `p`.
    @inline(__always)
    static func signedDecimal(_ s: UnsafePointer<UInt8>, _ p: Int, _ n: Int, _ end: Int) -> Int64? {
        if n >= 1, n <= 8, let value = ByteScan.digits(s, at: p, count: n) { return Int64(value) }
        if n >= 2, n <= 9, p &+ 9 <= end, s[p] == UInt8(ascii: "-"), let value = ByteScan.digits(s, at: p &+ 1, count: n &- 1) {
            return -Int64(value)
        }
        return ByteView(start: s + p, count: n).signedDecimal()
    }
}
