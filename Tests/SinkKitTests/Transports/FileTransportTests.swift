import Foundation
import TestSupport
import Testing

@testable import SinkKit

/// The file sink appends lines, and cannot be made to write anywhere else
/// (issue 12, item 6): the agent is root, the directory may not be.
@Suite struct FileTransportTests {
    static let victimText = "root-only secret\n"

    func send(_ t: FileTransport, _ text: String) throws(TransportError) {
        let r: Result<UInt64?, TransportError> = Array(text.utf8).withUnsafeBytes { b in Result { () throws(TransportError) in try t.send(b) } }
        _ = try r.get()
    }

    func makeVictim(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.path + "/victim"
        try Self.victimText.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func linesAreAppendedAndTheFileIsReopenedAfterRotation() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/violations.json"
        let t = FileTransport(path: path)
        try send(t, "one")
        #expect(rename(path, path + ".1") == 0)
        try t.reopen()
        try send(t, "two")
        t.close()
        #expect(contents(path + ".1") == "one\n")
        #expect(contents(path) == "two\n")
    }

    @Test func sentLinesAreGatheredAndWrittenTogetherAtFlush() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/violations.json"
        let t = FileTransport(path: path)
        defer { t.close() }
        try send(t, "one")
        try send(t, "two")
        #expect(contents(path) == "", "nothing written before the flush")
        try t.flush()
        #expect(contents(path) == "one\ntwo\n")
    }

    @Test func gatheringBeyondItsBoundWritesWithoutWaitingForAFlush() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/violations.json"
        let t = FileTransport(path: path)
        defer { t.close() }
        let line = String(repeating: "x", count: 1023)
        for _ in 0..<(FileTransport.gatherBytes / 1024 + 1) { try send(t, line) }
        #expect((contents(path)?.utf8.count ?? 0) >= FileTransport.gatherBytes)
    }

    @Test func aLinkPlantedAsTheFileIsNotWrittenThrough() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let victim = try makeVictim(dir)
        #expect(mkdir(dir.path + "/log", 0o750) == 0)
        symlink(victim, dir.path + "/log/violations.json")
        let t = FileTransport(path: dir.path + "/log/violations.json")
        let error = #expect(throws: TransportError.self) { try send(t, "attacker-chosen bytes") }
        t.close()
        #expect(contents(victim) == Self.victimText)
        #expect(error?.description.contains("symbolic link") == true, "\(String(describing: error))")
    }

    @Test func aDirectoryWritableByOthersIsRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let victim = try makeVictim(dir)
        let log = dir.path + "/log"
        #expect(mkdir(log, 0o750) == 0)
        chmod(log, 0o777)
        let t = FileTransport(path: log + "/violations.json")
        var refusal: TransportError?
        do {
            try send(t, "first")
            // What another user can do in that directory: swap the file for a link.
            unlink(log + "/violations.json")
            symlink(victim, log + "/violations.json")
            try t.reopen()
            try send(t, "attacker-chosen bytes")
        } catch { refusal = error }
        t.close()
        #expect(contents(victim) == Self.victimText)
        let message = try #require(refusal, "a directory writable by others was accepted").description
        #expect(message.contains("writable by group or others") && message.contains("chmod go-w \(log)"), "\(message)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(RequireIntegration.isRoot)))
    func aDirectoryOwnedByAnotherUserIsRefused() throws {
        guard RequireIntegration.check(RequireIntegration.isRoot, "root (to chown a directory to another user)") else { return }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = dir.path + "/log"
        #expect(mkdir(log, 0o750) == 0)
        #expect(chown(log, 65534, 65534) == 0, "the test runs as root")
        let t = FileTransport(path: log + "/violations.json")
        let error = #expect(throws: TransportError.self) { try send(t, "x") }
        t.close()
        #expect(error?.description.contains("chown root:root \(log)") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: log + "/violations.json"))
    }

    /// A hard link to a root-only file (made while the directory was someone else's) is refused too.
    @Test func aHardLinkPlantedAsTheFileIsRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let victim = try makeVictim(dir)
        #expect(link(victim, dir.path + "/violations.json") == 0)
        let t = FileTransport(path: dir.path + "/violations.json")
        #expect(throws: TransportError.self) { try send(t, "x") }
        t.close()
        #expect(contents(victim) == Self.victimText)
    }
}
