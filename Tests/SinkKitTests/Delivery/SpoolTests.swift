import Foundation
import TestSupport
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

    // MARK: - The spool cannot be turned against the host (issue 12, item 6)

    static let victimText = "root-only secret\n"

    /// A root-only file a planted link points at; `untouched` says whether it still holds what it did.
    struct Victim {
        let path: String
        init(in dir: TemporaryDirectory) throws {
            path = dir.path + "/victim"
            try SpoolTests.victimText.write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, 0o600)
        }
        var untouched: Bool { (try? String(contentsOfFile: path, encoding: .utf8)) == SpoolTests.victimText }
    }

    /// What an attacker who can write the spool directory does: a link named as
    /// the next segment, planted after the agent opened the spool.
    @Test func aDirectoryWritableByOthersIsRefusedAndAPlantedSegmentLinkWritesNothing() throws {
        let base = TemporaryDirectory()
        defer { base.remove() }
        let victim = try Victim(in: base)
        let spoolDir = base.path + "/spool"
        #expect(mkdir(spoolDir, 0o700) == 0)
        chmod(spoolDir, 0o777)
        var refusal: SpoolError?
        do {
            let s = try Spool(directory: spoolDir, maxBytes: 1 << 20)
            symlink(victim.path, spoolDir + "/1000000000001.spool")
            _ = try? append(s, "attacker-chosen bytes")
        } catch { refusal = error }
        #expect(victim.untouched)
        let message = try #require(refusal, "a spool directory writable by others was accepted").description
        #expect(message.contains("writable by group or others") && message.contains("chmod go-w \(spoolDir)"), "\(message)")
    }

    /// Even in a directory only root can write, a link in the next segment's place is not written through.
    @Test func aLinkInTheNextSegmentsPlaceIsNotFollowed() throws {
        let base = TemporaryDirectory()
        defer { base.remove() }
        let victim = try Victim(in: base)
        let s = try Spool(directory: base.path + "/spool", maxBytes: 1 << 20)
        symlink(victim.path, base.path + "/spool/1000000000001.spool")
        let error = #expect(throws: SpoolError.self) { _ = try append(s, "x") }
        #expect(victim.untouched)
        #expect(error?.description.contains("remove it") == true, "\(String(describing: error))")
    }

    @Test func aLinkPlantedAsTheCursorIsNotFollowed() throws {
        let base = TemporaryDirectory()
        defer { base.remove() }
        let victim = try Victim(in: base)
        #expect(mkdir(base.path + "/spool", 0o700) == 0)
        symlink(victim.path, base.path + "/spool/cursor")
        do {
            let s = try Spool(directory: base.path + "/spool", maxBytes: 1 << 20)
            _ = try append(s, "x")
            _ = try s.peek()
            try s.advance()
            _ = try s.peek()  // writes the cursor
            Issue.record("a spool whose cursor is a link was opened")
        } catch {
            #expect("\(error)".contains("symbolic link"), "\(error)")
        }
        #expect(victim.untouched)
    }

    /// A link planted as a segment before start-up is neither read (its target
    /// would go to the SIEM) nor deleted through.
    @Test func aLinkNamedLikeASegmentIsNotReadBack() throws {
        let base = TemporaryDirectory()
        defer { base.remove() }
        let victim = base.path + "/victim"
        let secret = Data([16, 0, 0, 0]) + Data("root-only secret".utf8)  // reads as one spool record
        #expect(FileManager.default.createFile(atPath: victim, contents: secret, attributes: [.posixPermissions: 0o600]))
        #expect(mkdir(base.path + "/spool", 0o700) == 0)
        symlink(victim, base.path + "/spool/1000000000000.spool")
        let s = try Spool(directory: base.path + "/spool", maxBytes: 1 << 20)
        #expect(try s.peek() == nil)
        #expect(FileManager.default.contents(atPath: victim) == secret)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(RequireIntegration.isRoot)))
    func aDirectoryOwnedByAnotherUserIsRefused() throws {
        guard RequireIntegration.check(RequireIntegration.isRoot, "root (to chown a directory to another user)") else { return }
        let base = TemporaryDirectory()
        defer { base.remove() }
        let spoolDir = base.path + "/spool"
        #expect(mkdir(spoolDir, 0o700) == 0)
        #expect(chown(spoolDir, 65534, 65534) == 0, "the test runs as root")
        let error = #expect(throws: SpoolError.self) { _ = try Spool(directory: spoolDir, maxBytes: 1 << 20) }
        #expect(error?.description.contains("owned by uid 65534") == true, "\(String(describing: error))")
        #expect(error?.description.contains("chown root:root \(spoolDir)") == true)
    }

    /// A parent another user owns could swap the spool directory for a link.
    @Test(.enabled(if: RequireIntegration.shouldRun(RequireIntegration.isRoot)))
    func aParentOwnedByAnotherUserIsRefused() throws {
        guard RequireIntegration.check(RequireIntegration.isRoot, "root (to chown a directory to another user)") else { return }
        let base = TemporaryDirectory()
        defer { base.remove() }
        #expect(mkdir(base.path + "/theirs", 0o755) == 0)
        #expect(chown(base.path + "/theirs", 65534, 65534) == 0)
        let error = #expect(throws: SpoolError.self) { _ = try Spool(directory: base.path + "/theirs/spool", maxBytes: 1 << 20) }
        #expect(error?.description.contains("owned by uid 65534") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: base.path + "/theirs/spool"))
    }

    /// A link another user made (here in sticky /tmp-like directory) is not a way in.
    @Test(.enabled(if: RequireIntegration.shouldRun(RequireIntegration.isRoot)))
    func aSpoolPathThroughAnotherUsersLinkIsRefused() throws {
        guard RequireIntegration.check(RequireIntegration.isRoot, "root (to chown a directory to another user)") else { return }
        let base = TemporaryDirectory()
        defer { base.remove() }
        #expect(mkdir(base.path + "/shared", 0o700) == 0)
        chmod(base.path + "/shared", 0o1777)
        #expect(mkdir(base.path + "/elsewhere", 0o700) == 0)
        symlink(base.path + "/elsewhere", base.path + "/shared/spool")
        #expect(lchown(base.path + "/shared/spool", 65534, 65534) == 0)
        let error = #expect(throws: SpoolError.self) { _ = try Spool(directory: base.path + "/shared/spool", maxBytes: 1 << 20) }
        #expect(error?.description.contains("symbolic link owned by uid 65534") == true, "\(String(describing: error))")
    }

    /// With two sinks the agent uses SPOOL/sink-N; the deploy config's
    /// /var/lib/callguard/spool does not exist before the first start (issue 12, item 9).
    @Test func missingParentsAreCreatedOwnedByTheAgentWithMode0700() throws {
        let base = TemporaryDirectory()
        defer { base.remove() }
        let spoolDir = base.path + "/var/lib/callguard/spool/sink-1"
        let s = try Spool(directory: spoolDir, maxBytes: 1 << 20)
        #expect(try append(s, "kept"))
        for dir in ["/var", "/var/lib", "/var/lib/callguard", "/var/lib/callguard/spool", "/var/lib/callguard/spool/sink-1"] {
            var st = stat()
            #expect(lstat(base.path + dir, &st) == 0)
            #expect(st.st_mode & S_IFMT == S_IFDIR && st.st_mode & 0o777 == 0o700, "\(dir): \(String(st.st_mode, radix: 8))")
            #expect(st.st_uid == geteuid())
        }
        #expect(try drain(s) == ["kept"])
    }

    /// A root-owned link (as /var/run → /run) is still followed.
    @Test func aRootOwnedLinkOnTheWayIsFollowed() throws {
        let base = TemporaryDirectory()
        defer { base.remove() }
        #expect(mkdir(base.path + "/real", 0o700) == 0)
        symlink("real", base.path + "/alias")
        let s = try Spool(directory: base.path + "/alias/spool", maxBytes: 1 << 20)
        #expect(try append(s, "m"))
        #expect(FileManager.default.fileExists(atPath: base.path + "/real/spool/cursor"))
    }

    /// An empty directory would otherwise mean "/" once walked.
    @Test func anEmptyDirectoryPathIsRefused() {
        #expect(throws: SpoolError.self) { _ = try Spool(directory: "", maxBytes: 1 << 20) }
    }
}
