import AuditKit
import Foundation
import TestSupport

/// Parses the lines of a fixture with `body` seeing each record while its buffer lives.
func withRecords<T>(
    ofFixture name: String, _ body: ([AuditRecord]) throws -> T
) throws -> T {
    let bytes = try Fixtures.data(name)
    return try withRecords(in: bytes, body)
}

/// Parses every line of `bytes` (newline-separated auditd log text).
func withRecords<T>(in bytes: [UInt8], _ body: ([AuditRecord]) throws -> T) throws -> T {
    let parser = RecordParser()
    return try bytes.withUnsafeBufferPointer { buffer in
        var records: [AuditRecord] = []
        var start = 0
        for i in 0...buffer.count where i == buffer.count || buffer[i] == 0x0A {
            if i > start {
                records.append(try parser.parseLine(ByteView(start: buffer.baseAddress! + start, count: i - start)))
            }
            start = i + 1
        }
        return try body(records)
    }
}

/// Parses one line given as a string; `body` sees the record while it is valid.
func withRecord<T>(_ line: String, _ body: (AuditRecord) throws -> T) throws -> T {
    try withRecords(in: Array(line.utf8)) { records in try body(records[0]) }
}

/// The error `RecordParser` throws for `line`, or nil when it parses.
func parseError(_ line: [UInt8]) -> RecordParseError? {
    line.withUnsafeBufferPointer { buffer -> RecordParseError? in
        do throws(RecordParseError) {
            _ = try RecordParser().parseLine(start: buffer.baseAddress ?? ("" as StaticString).utf8Start, count: buffer.count)
            return nil
        } catch {
            return error
        }
    }
}
