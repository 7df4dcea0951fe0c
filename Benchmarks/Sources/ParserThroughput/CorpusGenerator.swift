import AuditKit
import Glibc

/// Builds a large benchmark corpus from a real one: the source is repeated,
/// each copy with its serials moved past the previous copy's and its
/// timestamps shifted by the copy's duration, so that every event stays
/// distinct and in order.
enum CorpusGenerator {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func generate(source: String, destination: String, megabytes: Int) throws {
        guard let input = fopen(source, "r") else { throw Failure(description: "cannot read \(source)") }
        defer { fclose(input) }
        var lines: [[UInt8]] = []
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        while true {
            let n = getline(&line, &capacity, input)
            if n < 0 { break }
            lines.append(Array(UnsafeRawBufferPointer(start: line, count: n).bindMemory(to: UInt8.self)))
        }
        free(line)

        // The span of serials and seconds in one copy.
        let parser = RecordParser()
        var minSerial = UInt64.max, maxSerial: UInt64 = 0, minSeconds = UInt64.max, maxSeconds: UInt64 = 0
        for l in lines {
            l.withUnsafeBufferPointer { b in
                guard let r = try? parser.parseLine(start: b.baseAddress!, count: max(0, b.count - 1)),
                    !r.type.isDaemonMessage
                else { return }
                minSerial = min(minSerial, UInt64(r.id.serial))
                maxSerial = max(maxSerial, UInt64(r.id.serial))
                minSeconds = min(minSeconds, r.id.seconds)
                maxSeconds = max(maxSeconds, r.id.seconds)
            }
        }
        let serialSpan = maxSerial - minSerial + 1
        let secondSpan = maxSeconds - minSeconds + 1

        guard let output = fopen(destination, "w") else { throw Failure(description: "cannot write \(destination)") }
        defer { fclose(output) }
        let target = UInt64(megabytes) * 1_000_000
        var written: UInt64 = 0
        var copy: UInt64 = 0
        let marker = Array("audit(".utf8)
        while written < target {
            for l in lines {
                var out = l
                if copy > 0, let at = find(marker, in: l) {
                    // audit(SECONDS.MILLIS:SERIAL)
                    var p = at + marker.count
                    var seconds: UInt64 = 0
                    while p < l.count, l[p] >= 0x30, l[p] <= 0x39 { seconds = seconds * 10 + UInt64(l[p] - 0x30); p += 1 }
                    let millisStart = p
                    while p < l.count, l[p] != UInt8(ascii: ":") { p += 1 }
                    let millis = Array(l[millisStart..<p])
                    p += 1
                    var serial: UInt64 = 0
                    while p < l.count, l[p] >= 0x30, l[p] <= 0x39 { serial = serial * 10 + UInt64(l[p] - 0x30); p += 1 }
                    let newSerial = (serial + copy * serialSpan) % (1 << 32)
                    let newSeconds = seconds + copy * secondSpan
                    out = Array(l[0..<at]) + marker + Array(String(newSeconds).utf8) + millis + [UInt8(ascii: ":")]
                        + Array(String(newSerial).utf8) + Array(l[p...])
                }
                out.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, output) }
                written += UInt64(out.count)
            }
            copy += 1
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
