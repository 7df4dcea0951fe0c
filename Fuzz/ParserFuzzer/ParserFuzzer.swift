#if canImport(AuditKit)
import AuditKit
#endif

/// libFuzzer entry point: the input is one chunk of an audit stream. It is
/// parsed as auditd log lines and as a netlink payload; every field is
/// tokenised and decoded, the SYSCALL summary taken, and the records
/// assembled. Anything but a clean parse or a typed error is a finding
/// (AddressSanitizer catches out-of-bounds reads), and so is a fast path that
/// disagrees with its general counterpart: the line reader's scan against the
/// parser's own checks, the SYSCALL and SECCOMP kernel-order readers against
/// the general tokeniser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parser = RecordParser(maximumRecordLength: 4096)
    let assembler = EventAssembler(configuration: .init(maximumOpenEvents: 4, maximumRecordsPerEvent: 8, maximumBytesPerEvent: 4096)) { event in
        for i in 0..<event.count { exercise(event[i]) }
    }
    // Every other line is borrowed from a buffer of its own, freed at the
    // next detach: AddressSanitizer reports any record the assembler failed
    // to copy before its buffer went.
    var borrowedBuffers: [UnsafeMutablePointer<UInt8>] = []
    func detach() {
        assembler.detachBorrowed()
        for buffer in borrowedBuffers { buffer.deallocate() }
        borrowedBuffers.removeAll()
    }
    var line = 0
    var start = 0
    for i in 0...size where i == size || data[i] == 0x0A {
        let plain = outcome { () throws(RecordParseError) in try parser.parseLine(start: data + start, count: i - start) }
        // The line reader's one-pass scan must lead to the same record or error.
        var scan = LineScan()
        let newline = LineScan.findNewline(data, from: start, to: size, noting: &scan)
        precondition(newline == i)
        let prescanned = outcome { () throws(RecordParseError) in
            try parser.parseLine(start: data + start, count: i - start, scan: scan)
        }
        precondition(same(plain, prescanned, base: data + start))
        switch plain {
        case .success(let record):
            exercise(record)
            if line.isMultiple(of: 2) {
                assembler.add(record)
            } else {
                let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: i - start)
                copy.update(from: data + start, count: i - start)
                borrowedBuffers.append(copy)
                if let borrowed = try? parser.parseLine(start: copy, count: i - start) { assembler.add(borrowing: borrowed) }
            }
        case .failure(let error):
            precondition(error.offset >= 0 && error.offset <= max(i - start, 4096))
        }
        line += 1
        if line.isMultiple(of: 5) { detach() }
        start = i + 1
    }
    detach()
    assembler.flush()
    for type in [RecordType.syscall, .seccomp] {
        do throws(RecordParseError) {
            let record = try parser.parseNetlink(type: type, payload: UnsafeRawBufferPointer(start: data, count: size))
            exercise(record)
        } catch {}
    }
    return 0
}

private func exercise(_ record: AuditRecord) {
    var scratch: [UInt8] = []
    for sequence in [record.fields, record.interpretedFields] {
        var iterator = sequence.makeIterator()
        while let field = iterator.next() {
            scratch.removeAll(keepingCapacity: true)
            field.decode(into: &scratch)
            _ = field.decimal
            _ = field.hexadecimal
            _ = field.signedDecimal
            if field.quoting == .single {
                var nested = field.nestedFields.makeIterator()
                while let inner = nested.next() { inner.decode(into: &scratch) }
            }
        }
    }
    _ = try? SyscallSummary(record)
    // The SYSCALL and SECCOMP fast paths, when they accept a record (of any
    // type), agree with the general tokeniser.
    var fast = SyscallSummary()
    if fast.parseKernelOrder(record) { agreesWithTheGeneralTokeniser(fast, record) }
    var seccomp = SyscallSummary()
    if seccomp.parseSeccompOrder(record) { agreesWithTheGeneralTokeniser(seccomp, record) }
}

private func agreesWithTheGeneralTokeniser(_ fast: SyscallSummary, _ record: AuditRecord) {
    var general = SyscallSummary()
    do throws(RecordParseError) {
        try general.parseAnyOrder(record)
    } catch {
        preconditionFailure("a fast path accepted a record the general tokeniser rejects")
    }
    precondition(summaryFields(fast) == summaryFields(general))
}

private func outcome(_ parse: () throws(RecordParseError) -> AuditRecord) -> Result<AuditRecord, RecordParseError> {
    do { return .success(try parse()) } catch { return .failure(error) }
}

/// Whether two parses of the line at `base` gave the same record (as offsets) or the same error.
private func same(_ a: Result<AuditRecord, RecordParseError>, _ b: Result<AuditRecord, RecordParseError>, base: UnsafePointer<UInt8>) -> Bool {
    switch (a, b) {
    case (.failure(let x), .failure(let y)): return x == y
    case (.success(let x), .success(let y)):
        func at(_ v: ByteView) -> [Int] { v.isEmpty ? [] : [v.start - base, v.count] }
        return x.type == y.type && x.id == y.id && at(x.node) == at(y.node) && at(x.body) == at(y.body)
            && at(x.interpreted) == at(y.interpreted) && at(x.raw) == at(y.raw)
    default: return false
    }
}

private func summaryFields(_ s: SyscallSummary) -> [String] {
    func text(_ f: AuditField?) -> String { f.map { "\($0.key.bytes)\($0.value.bytes)\($0.quoting)" } ?? "-" }
    return [
        "\(String(describing: s.arch))", "\(String(describing: s.syscall))", "\(String(describing: s.success))",
        "\(String(describing: s.exit))", "\(String(describing: s.ppid))", "\(String(describing: s.pid))",
        "\(String(describing: s.uid))", "\(String(describing: s.auid))", text(s.comm), text(s.exe), text(s.key),
        "\(String(describing: s.code))",
    ]
}
