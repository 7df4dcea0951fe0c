import AuditKit
import Foundation
import TestSupport
import Testing

/// Shared helpers for the live kernel audit tests.
enum LiveAudit {
    /// Root, and the kernel answers on NETLINK_AUDIT.
    static var available: Bool {
        guard RequireIntegration.isRoot else { return false }
        return (try? AuditControl().status()) != nil
    }

    /// Runs `body` under the machine-wide audit lock and restores the kernel's
    /// audit state afterwards, whatever happens in between: rules with key
    /// callguard removed, the audit pid unset if it is this process, enabled
    /// and backlog settings as found.
    static func withRestoredState<T>(_ body: () async throws -> T) async throws -> T {
        try await KernelAuditLock.withLock {
            let control = try AuditControl()
            let before = try control.status()
            defer {
                _ = try? control.removeRules(withKey: AuditRule.callguardKey)
                _ = try? control.unregisterDaemon()
                _ = try? control.clearStaleDaemon()
                if let now = try? control.status(), !now.isLocked {
                    _ = try? control.apply(
                        AuditSettingsChange(
                            enabled: before.enabled, rateLimit: before.rateLimit, backlogLimit: before.backlogLimit,
                            backlogWaitTime: before.backlogWaitTime))
                }
            }
            return try await body()
        }
    }

    /// Runs `path` with `arguments` as a child of this process and waits for it; returns its pid.
    @discardableResult
    static func runChild(_ path: String, _ arguments: [String]) throws -> Int32 {
        let pid = try ChildProcess.spawn(path, arguments)
        _ = ChildProcess.wait(pid: pid)
        return pid
    }

    /// Runs `mkdir` as a child of this process on a path in a fresh temporary
    /// directory (removed afterwards): the event the mkdir rules of the live
    /// tests catch. Returns the child's pid.
    static func runMkdirChild(_ tag: String) throws -> Int32 {
        let dir = try temporaryDirectory(tag)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try runChild("/bin/mkdir", [dir.appendingPathComponent("made").path])
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ tag: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "callguard-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// One record as a test sees it: the netlink type and the payload text.
struct ReceivedRecord: Sendable {
    var type: UInt16
    var text: String

    /// The serial from `audit(SECS.MS:SERIAL):`.
    var serial: UInt64? {
        guard let open = text.firstIndex(of: ":"), let close = text.firstIndex(of: ")"), open < close else { return nil }
        return UInt64(text[text.index(after: open)..<close])
    }

    /// The raw value of `name=` (up to the next space), if present.
    func field(_ name: String) -> String? {
        for part in text.split(separator: " ") where part.hasPrefix(name + "=") {
            return String(part.dropFirst(name.count + 1))
        }
        return nil
    }
}

/// Collects records and stops the reader once `isComplete` says so.
struct RecordCollector: AuditMessageConsumer {
    var records: [ReceivedRecord] = []
    let waker: AuditReaderWaker
    let isComplete: ([ReceivedRecord]) -> Bool

    mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
        records.append(ReceivedRecord(type: type, text: String(decoding: payload, as: UTF8.self)))
    }

    mutating func endOfBatch() {
        if isComplete(records) { waker.stop() }
    }
}

/// Record types the tests look for.
enum RecordType {
    static let syscall: UInt16 = 1300
    static let path: UInt16 = 1302
    static let cwd: UInt16 = 1307
    static let eoe: UInt16 = 1320
    static let seccomp: UInt16 = 1326
    static let proctitle: UInt16 = 1327
}

extension Array where Element == ReceivedRecord {
    /// The records of the event whose SYSCALL record has `pid=pid`, up to and including its EOE.
    func event(ofPid pid: Int32) -> [ReceivedRecord]? {
        guard let syscall = first(where: { $0.type == RecordType.syscall && $0.field("pid") == String(pid) }),
            let serial = syscall.serial
        else { return nil }
        let records = filter { $0.serial == serial }
        return records.contains { $0.type == RecordType.eoe } ? records : nil
    }
}

/// A child started with a clean signal mask and default handlers, stopped with `terminate()`.
typealias SpawnedProcess = RunningChild
