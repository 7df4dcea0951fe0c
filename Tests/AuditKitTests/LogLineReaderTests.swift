import AuditKit
import Foundation
import Testing
import TestSupport

/// The reader hands out the same lines however the bytes arrive: whole, one
/// byte at a time, or in odd chunks that split lines anywhere.
@Suite struct LogLineReaderTests {
    static func lines(of bytes: [UInt8], chunkSize: Int, maximumLineLength: Int = 64 * 1024) throws -> (lines: [[UInt8]], overlong: Int) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-reader-\(UUID()).log").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var lines: [[UInt8]] = []
        var overlong = 0
        let reader = LogLineReader(fd: fd, chunkSize: chunkSize, maximumLineLength: maximumLineLength)
        try reader.forEachLine({ lines.append($0.bytes) }, overlong: { overlong += 1 })
        return (lines, overlong)
    }

    @Test(arguments: [1, 7, 64, 4096, 1 << 20])
    func chunkingDoesNotChangeTheLines(chunkSize: Int) throws {
        let bytes = try Fixtures.data("assembly/interleaved.log")
        let expected = bytes.split(separator: 0x0A).map(Array.init)
        #expect(try Self.lines(of: bytes, chunkSize: chunkSize).lines == expected)
    }

    @Test func lastLineWithoutNewlineIsDelivered() throws {
        #expect(try Self.lines(of: Array("a=1\nb=2".utf8), chunkSize: 3).lines == [Array("a=1".utf8), Array("b=2".utf8)])
    }

    @Test(arguments: [1, 5, 100])
    func overlongLineIsSkippedAndTheNextOneSurvives(chunkSize: Int) throws {
        let bytes = Array(repeating: UInt8(ascii: "x"), count: 300) + [0x0A] + Array("ok=1\n".utf8)
        let result = try Self.lines(of: bytes, chunkSize: chunkSize, maximumLineLength: 64)
        #expect(result.lines == [Array("ok=1".utf8)])
        #expect(result.overlong == 1)
    }

    @Test func randomChunksOfTheRealCorpusExcerptGiveTheSameRecords() throws {
        let bytes = try Fixtures.data("assembly/interleaved.log")
        var generator = SystemRandomNumberGenerator()
        let size = Int.random(in: 2...333, using: &generator)
        #expect(try Self.lines(of: bytes, chunkSize: size).lines.count == 60, "chunk size \(size)")
    }
}
