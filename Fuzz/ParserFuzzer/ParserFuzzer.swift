#if canImport(AuditKit)
import AuditKit
#endif

/// libFuzzer entry point: the input is one chunk of an audit stream. It is
/// parsed as auditd log lines and as a netlink payload; every field is
/// tokenised and decoded, the SYSCALL summary taken, and the records
/// assembled. Anything but a clean parse or a typed error is a finding
/// (AddressSanitizer catches out-of-bounds reads).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parser = RecordParser(maximumRecordLength: 4096)
    let assembler = EventAssembler(configuration: .init(maximumOpenEvents: 4, maximumRecordsPerEvent: 8, maximumBytesPerEvent: 4096)) { event in
        for i in 0..<event.count { exercise(event[i]) }
    }
    var start = 0
    for i in 0...size where i == size || data[i] == 0x0A {
        do throws(RecordParseError) {
            let record = try parser.parseLine(start: data + start, count: i - start)
            exercise(record)
            assembler.add(record)
        } catch {
            precondition(error.offset >= 0 && error.offset <= max(i - start, 4096))
        }
        start = i + 1
    }
    assembler.flush()
    do throws(RecordParseError) {
        let record = try parser.parseNetlink(type: .syscall, payload: UnsafeRawBufferPointer(start: data, count: size))
        exercise(record)
    } catch {}
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
}
