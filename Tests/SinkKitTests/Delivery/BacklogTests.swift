import Foundation
import Testing

@testable import SinkKit

/// The backlog keeps order across memory and spool: memory is always ahead.
@Suite struct BacklogTests {
    func add(_ b: Backlog, _ text: String) throws -> Backlog.Placement {
        try Array(text.utf8).withUnsafeBytes { try b.append($0, violations: 1) }
    }

    func drain(_ b: Backlog) throws -> [String] {
        var out: [String] = []
        while let e = try b.peek() {
            out.append(String(decoding: e.message, as: UTF8.self))
            try b.advance()
        }
        return out
    }

    @Test func memoryFillsFirstThenTheSpoolAndBothComeBackInOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let b = Backlog(memoryBytes: 6, spool: try Spool(directory: dir.path + "/spool", maxBytes: 1 << 20))
        #expect(try ["aa", "bb", "cc", "dd", "ee"].map { try add(b, $0) } == [.memory, .memory, .memory, .spool, .spool])
        try b.advance()  // "aa" sent: memory has room again, but the spool is not empty, so order keeps "ff" behind it
        #expect(try add(b, "ff") == .spool)
        #expect(try drain(b) == ["bb", "cc", "dd", "ee", "ff"])
        #expect(b.isEmpty)
    }

    @Test func unacknowledgedMessagesGoInFrontOfEverything() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let b = Backlog(memoryBytes: 4, spool: try Spool(directory: dir.path + "/spool", maxBytes: 1 << 20))
        _ = try ["cc", "dd", "ee"].map { try add(b, $0) }
        #expect(try b.prepend([Array("aa".utf8), Array("bb".utf8)]) == .memory)
        #expect(try drain(b) == ["aa", "bb", "cc", "dd", "ee"])
    }

    @Test func withoutMemoryEverythingGoesToTheSpoolOrNowhere() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let spooled = Backlog(memoryBytes: 0, spool: try Spool(directory: dir.path + "/spool", maxBytes: 1 << 20))
        #expect(try add(spooled, "aa") == .spool)
        #expect(try spooled.prepend([Array("zz".utf8)]) == .spool)
        #expect(try drain(spooled) == ["zz", "aa"])
        let bare = Backlog(memoryBytes: 0, spool: nil)
        #expect(try add(bare, "aa") == .nowhere)
        #expect(bare.isEmpty)
    }

    @Test func theSpoolCountsItsWaitingMessages() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let spool = try Spool(directory: dir.path + "/spool", maxBytes: 1 << 20)
        for text in ["a", "bb", "ccc"] { _ = try Array(text.utf8).withUnsafeBytes { try spool.append($0) } }
        _ = try spool.peek()
        try spool.advance()
        #expect(spool.pendingMessages() == 2)
    }
}
