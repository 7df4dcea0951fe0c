import Foundation
import Testing

@testable import SinkKit

@Suite struct SpoolTests {
    func append(_ s: Spool, _ text: String) throws -> Bool {
        try Array(text.utf8).withUnsafeBytes { try s.append($0) }
    }

    func drain(_ s: Spool) throws -> [String] {
        var out: [String] = []
        while let m = try s.peek() {
            out.append(String(decoding: m, as: UTF8.self))
            try s.advance()
        }
        return out
    }

    @Test func messagesComeBackInOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let s = try Spool(directory: dir.path, maxBytes: 1 << 20, segmentBytes: 64)
        for i in 0..<50 { #expect(try append(s, "message \(i)")) }
        #expect(try drain(s) == (0..<50).map { "message \($0)" })
        #expect(s.isEmpty)
        #expect(s.diskBytes == 0)
    }

    @Test func fullSpoolRefusesInsteadOfGrowing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let s = try Spool(directory: dir.path, maxBytes: 100)
        var accepted = 0
        for _ in 0..<20 where try append(s, "0123456789") { accepted += 1 }
        #expect(accepted == 7)  // 7 × (4 + 10) = 98 <= 100
        #expect(s.diskBytes <= 100)
    }

    @Test func prependedMessagesComeFirst() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let s = try Spool(directory: dir.path, maxBytes: 1 << 20)
        _ = try append(s, "c")
        _ = try append(s, "d")
        _ = try s.peek()
        try s.prepend([Array("a".utf8), Array("b".utf8)])
        #expect(try drain(s) == ["a", "b", "c", "d"])
    }

    @Test func unreadMessagesSurviveAReopen() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        do {
            let s = try Spool(directory: dir.path, maxBytes: 1 << 20, segmentBytes: 40)
            for i in 0..<10 { _ = try append(s, "m\(i)") }
            for _ in 0..<4 { _ = try s.peek(); try s.advance() }
        }
        let again = try Spool(directory: dir.path, maxBytes: 1 << 20, segmentBytes: 40)
        #expect(try drain(again) == (4..<10).map { "m\($0)" })
    }

    @Test func tornRecordIsSkippedNotMisread() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        do {
            let s = try Spool(directory: dir.path, maxBytes: 1 << 20)
            _ = try append(s, "whole")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".spool") }
        let handle = try #require(FileHandle(forWritingAtPath: dir.path + "/" + files[0]))
        handle.seekToEndOfFile()
        handle.write(Data([200, 0, 0, 0, 65]))  // claims 200 bytes, has 1
        handle.closeFile()
        let s = try Spool(directory: dir.path, maxBytes: 1 << 20)
        #expect(try drain(s) == ["whole"])
    }

    @Test func aSecondSpoolOnTheSameDirectoryIsRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let first = try Spool(directory: dir.path, maxBytes: 1 << 20)
        #expect(throws: SpoolError.self) { _ = try Spool(directory: dir.path, maxBytes: 1 << 20) }
        _ = first
    }
}
