@testable import AuditKit
import Testing
import TestSupport

/// The line reader's one pass (newline, ENRICHED separator, NUL, high bytes)
/// and the parser's use of it: a line parsed with its scan gives exactly what
/// the parser's own checks give.
@Suite struct LineScanTests {
    /// `bytes` up to the first newline, as ``LineScan/findNewline`` sees them.
    static func scan(_ bytes: [UInt8]) -> (end: Int, scan: LineScan) {
        bytes.withUnsafeBufferPointer { buffer in
            var scan = LineScan()
            let end = LineScan.findNewline(buffer.baseAddress!, from: 0, to: buffer.count, noting: &scan)
            return (end, scan)
        }
    }

    /// What the parser makes of `line`, with and without the reader's scan:
    /// the record as offsets into the line, or the error.
    static func bothParses(_ line: [UInt8]) -> (plain: String, prescanned: String) {
        line.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            var scan = LineScan()
            _ = LineScan.findNewline(start, from: 0, to: buffer.count, noting: &scan)
            func describe(_ parse: () throws(RecordParseError) -> AuditRecord) -> String {
                do {
                    let r = try parse()
                    func at(_ v: ByteView) -> String { v.isEmpty ? "-" : "\(v.start - start)+\(v.count)" }
                    return "\(r.type.rawValue) \(r.id) node \(at(r.node)) body \(at(r.body)) enriched \(at(r.interpreted))"
                } catch {
                    return "\(error)"
                }
            }
            let parser = RecordParser()
            return (
                describe { () throws(RecordParseError) in try parser.parseLine(start: start, count: buffer.count) },
                describe { () throws(RecordParseError) in try parser.parseLine(start: start, count: buffer.count, scan: scan) }
            )
        }
    }

    static let syscallLine = Array(
        #"type=SYSCALL msg=audit(1795934548.910:25328341): arch=c000003e syscall=59 success=yes exit=0 ppid=11981 pid=12036 comm="podman" exe="/usr/bin/podman" key="exec""#
            .utf8)

    @Test func theNewlineEndsTheLine() {
        let result = Self.scan(Self.syscallLine + [0x0A] + Array("type=EOE".utf8))
        #expect(result.end == Self.syscallLine.count)
        #expect(result.scan == LineScan())
    }

    @Test func aLineWithoutNewlineRunsToTheEnd() {
        #expect(Self.scan(Self.syscallLine).end == Self.syscallLine.count)
    }

    @Test func theFirstSeparatorNulAndHighByteAreNoted() {
        var line = Self.syscallLine
        line[100] = 0x1D
        line[120] = 0x00
        line[130] = 0xC3
        line[140] = 0x1D
        line[150] = 0x00
        let result = Self.scan(line)
        #expect(result.end == line.count)
        #expect(result.scan.groupSeparator == 100)
        #expect(result.scan.nul == 120)
        #expect(result.scan.hasHighBit)
    }

    @Test func everyFixtureLineParsesTheSameWithTheReadersScan() throws {
        var compared = 0
        for name in try Fixtures.names(in: "records") + Fixtures.names(in: "assembly") where name.hasSuffix(".log") {
            let bytes = try Fixtures.data(name)
            for line in bytes.split(separator: 0x0A).map(Array.init) {
                let (plain, prescanned) = Self.bothParses(line)
                #expect(plain == prescanned, "\(name)")
                compared += 1
            }
        }
        #expect(compared > 100, "fixture lines compared")
    }

    /// A rare byte at every offset of a plain line, an ENRICHED one and one
    /// with `node=`: the parse with the reader's scan matches the parser's
    /// own checks, error or record.
    @Test(arguments: [0x00, 0x1D, 0x09, 0x80, 0xC3, 0xFF] as [UInt8])
    func aRareByteAnywhereParsesTheSameWithTheReadersScan(rare: UInt8) throws {
        let enriched = try Fixtures.data("records/enriched.log").split(separator: 0x0A).map(Array.init)[0]
        for line in [Self.syscallLine, enriched, Array("node=web-1 ".utf8) + Self.syscallLine] {
            for offset in line.indices {
                var mutated = line
                mutated[offset] = rare
                let (plain, prescanned) = Self.bothParses(mutated)
                #expect(plain == prescanned, "byte \(rare) at \(offset)")
            }
        }
    }
}
