import Foundation
import SinkKit
import Testing
import TestSupport

/// deploy/SIEM.md documents exactly the keys SinkKit's formatters write: every
/// key of a violation with every optional field set appears in the notes.
@Suite struct DeploySIEMNotesTests {
    static let violation: Violation = {
        var v = Violation(
            timestamp: Timestamp(millisecondsSinceEpoch: 1_795_932_000_123),
            hostName: "node-1",
            container: .init(
                id: String(repeating: "3a", count: 32), runtime: "containerd", imageName: "docker.io/library/nginx:1.27",
                podName: "web-0", namespace: "shop", containerName: "nginx"),
            process: .init(
                pid: 4242, ppid: 4200, name: "sh", executable: "/bin/busybox", userID: "0",
                commandLine: "sh -c trace", filePath: "/etc/shadow"),
            syscall: .init(name: "ptrace", number: 101, arch: "x86_64", success: false, exit: -1, existsOnHostKernel: true),
            policy: .init(name: "nginx", file: "policies/nginx.yaml"),
            audit: .init(serial: 456, time: Timestamp(millisecondsSinceEpoch: 1_795_932_000_120)),
            count: 3)
        v.fold = .init(  // a throttle summary: every optional field set
            kind: .repeats, firstSerial: 457, lastSerial: 460, firstTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_130),
            lastTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_190))
        v.source = .seccomp
        v.seccomp = .init(action: .errno, errno: 1)
        return v
    }()

    func notes() throws -> String { try Deploy.text("SIEM.md") }

    func format(_ f: ViolationFormat) -> String {
        String(decoding: f.formatter().format(Self.violation), as: UTF8.self)
    }

    /// Dotted paths of every leaf in a JSON object.
    func leafPaths(_ value: Any, _ prefix: String = "") -> [String] {
        guard let object = value as? [String: Any] else { return [prefix] }
        return object.flatMap { leafPaths($0.value, prefix.isEmpty ? $0.key : "\(prefix).\($0.key)") }
    }

    @Test func everyJSONFieldIsDocumented() throws {
        let object = try JSONSerialization.jsonObject(with: Data(format(.json).utf8))
        let paths = leafPaths(object)
        #expect(paths.count > 25)
        let notes = try notes()
        for path in paths {
            #expect(notes.contains("`\(path)`"), "SIEM.md lacks the JSON field \(path)")
        }
    }

    @Test func everyCEFKeyIsDocumented() throws {
        let text = format(.cef)
        let extensionPart = text.split(separator: "|", maxSplits: 7, omittingEmptySubsequences: false)[7]
        let keys = extensionPart.split(separator: " ").compactMap { word -> String? in
            guard let eq = word.firstIndex(of: "=") else { return nil }
            return String(word[..<eq])
        }
        #expect(keys.contains("callguardCallguardCommandLine") && keys.contains("dvchost"))
        let notes = try notes()
        for key in keys where !key.hasSuffix("Label") {
            #expect(notes.contains("`\(key)`"), "SIEM.md lacks the CEF key \(key)")
        }
        // The labels, as callguard writes them.
        for word in extensionPart.split(separator: " ") where word.contains("Label=") {
            let label = word.split(separator: "=")[1]
            #expect(notes.contains("Label=\(label)`"), "SIEM.md lacks the CEF label \(word)")
        }
    }

    @Test func everyLEEFKeyIsDocumented() throws {
        let text = format(.leef)
        #expect(text.hasPrefix("LEEF:2.0|callguard|callguard|"))
        let attributes = text.split(separator: "|", maxSplits: 6, omittingEmptySubsequences: false)[6]
        let keys = attributes.split(separator: "^").compactMap { $0.split(separator: "=").first.map(String.init) }
        #expect(keys.contains("k8sPod") && keys.contains("devTime") && keys.contains("userId"))
        let notes = try notes()
        for key in keys {
            #expect(notes.contains("`\(key)`"), "SIEM.md lacks the LEEF key \(key)")
        }
    }

    /// The notes name no CEF key that callguard does not write (apart from
    /// the ones they say are not written).
    @Test func cefTableListsOnlyKeysCallguardWrites() throws {
        let notes = try notes()
        let section = try #require(notes.range(of: "## ArcSight (CEF)")).upperBound
        let keys = notes[section...].split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { row in
            row.dropFirst(3).split(separator: "`").first.map(String.init)
        }
        #expect(keys.count > 20)
        let written = format(.cef)
        for key in keys {
            #expect(written.contains(" \(key)=") || written.contains("|\(key)="), "SIEM.md's CEF table lists \(key), which callguard does not write")
        }
    }

    /// The QRadar table names no LEEF key that callguard does not write.
    @Test func leefTableListsOnlyKeysCallguardWrites() throws {
        let notes = try notes()
        let start = try #require(notes.range(of: "## IBM QRadar (LEEF 2.0)")).upperBound
        let end = try #require(notes.range(of: "## ArcSight (CEF)")).lowerBound
        let keys = notes[start..<end].split(separator: "\n").filter { $0.hasPrefix("| `") }.flatMap { row in
            row.split(separator: "|")[0].split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        #expect(keys.count > 20)
        let written = format(.leef)
        for key in keys {
            #expect(written.contains("^\(key)=") || written.contains("|\(key)="), "SIEM.md's LEEF table lists \(key), which callguard does not write")
        }
    }

    /// The notes never say callguard sets a key CEF reserves for the customer.
    @Test func cefNotesLeaveTheCustomersFlexKeysAlone() throws {
        let notes = try notes()
        let section = try #require(notes.range(of: "## ArcSight (CEF)")).upperBound
        let rows = notes[section...].split(separator: "\n").filter { $0.hasPrefix("| `") }
        #expect(rows.count > 20)
        for row in rows {
            #expect(!row.contains("flexString") && !row.contains("flexDate"), "\(row)")
        }
        #expect(!format(.cef).contains("flexString"))
    }
}
