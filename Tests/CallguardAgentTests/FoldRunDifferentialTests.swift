import AuditKit
import CallguardAgent
import Foundation
import SinkKit
import Testing

/// The fold's byte-compared run (``Fold/countRepeat(_:)`` then
/// ``Fold/admit(_:make:)``, what the verdict does) against the hash-only
/// admission it replaced (``Fold/admit(key:finding:serial:time:now:make:)``
/// with ``Fold/Finding/hash``, the fold before the run compared bytes): fed
/// the same random floods — findings that differ in one byte, empty against
/// absent fields, alternating containers and syscalls, runs across windows
/// closing and the rate cap, events of one finding spread over many batches
/// whose buffers are gone — both must send the SIEM exactly the same.
@Suite struct FoldRunDifferentialTests {
    /// What a SIEM receives of one violation (the fold's own clock aside).
    struct Sent: Equatable, CustomStringConvertible {
        var serial: UInt64
        var count: Int
        var fold: String
        var exe: String
        var title: String
        var path: String
        var syscall: Int
        var container: String
        var description: String { "#\(serial)x\(count) \(fold) \(container)/\(syscall) \(exe) [\(title)] [\(path)]" }

        init(_ v: Violation) {
            serial = v.audit.serial
            count = v.count
            fold = v.fold.map { "\($0.kind.rawValue):\($0.firstSerial)-\($0.lastSerial)" } ?? "-"
            exe = String(decoding: v.process.executable.bytes, as: UTF8.self)
            title = v.process.commandLine.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "<none>"
            path = v.process.filePath.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "<none>"
            syscall = v.syscall.number
            container = v.container?.id ?? "<none>"
        }
    }

    /// A random log of `count` events over a small alphabet of findings.
    static func log(count: Int, seed: UInt64) -> String {
        var rng = SplitMix(seed)
        let exes = ["exe=\"/bin/a\"", "exe=\"/bin/b\"", "exe=2F62696E2F61", "exe=\"/bin/ab\"", "exe=\"\"", ""]
        // nil: no PROCTITLE record.
        let titles: [String?] = [nil, "proctitle=\"\"", "proctitle=7368", "proctitle=736800", "proctitle=\"sh\"", "proctitle=\"7368\""]
        // Long names one byte apart at their end: past the run's first buffer (256 bytes).
        let long = String(repeating: "/d", count: 300)
        let paths: [String?] = [
            nil, "name=\"/etc/x\"", "name=\"/etc/x2\"", "name=(null)", "name=\"\"", "nametype=NORMAL",
            "name=\"\(long)/1\"", "name=\"\(long)/2\"",
        ]
        var text = ""
        var ms = 0
        for serial in 1...count {
            // Mostly runs of one finding, sometimes a different one.
            let same = rng.next() % 4 != 0
            if !same || serial == 1 { rng.pick = rng.next() }
            let pick = rng.pick
            let exe = exes[Int(pick % UInt64(exes.count))]
            let title = titles[Int((pick / 7) % UInt64(titles.count))]
            let path = paths[Int((pick / 61) % UInt64(paths.count))]
            let pid = [11, 12, 21, 31][Int((pick / 503) % 4)]
            let syscall = [101, 102][Int((pick / 2011) % 2)]
            ms += Int(rng.next() % 40)
            let seconds = 1_700_000_000 + ms / 1000
            let st = "msg=audit(\(seconds).\(String(format: "%03d", ms % 1000)):\(serial)):"
            text += "type=SYSCALL \(st) arch=c000003e syscall=\(syscall) success=no exit=-1 ppid=1 pid=\(pid) uid=0 comm=\"x\" \(exe) key=\"callguard\"\n"
            if let path { text += "type=PATH \(st) item=0 \(path) inode=1\n" }
            if let title { text += "type=PROCTITLE \(st) \(title)\n" }
            text += "type=EOE \(st) \n"
        }
        return text
    }

    struct SplitMix {
        var state: UInt64
        var pick: UInt64 = 0
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func run(seed: UInt64, throttle: Throttle) throws -> (bytes: [Sent], hash: [Sent]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-fold-diff-\(UUID().uuidString).log").path
        try Self.log(count: 400, seed: seed).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var sentBytes: [Sent] = []
        var sentHash: [Sent] = []
        let stage = TwoFoldsEmitting(throttle, bytes: { sentBytes.append(Sent($0)) }, hash: { sentHash.append(Sent($0)) })
        try AuditPipeline(.logFile, stage: stage).replay(path: path)
        stage.byBytes.flushAll(now: stage.now + 3_600_000)
        stage.byHash.flushAll(now: stage.now + 3_600_000)
        return (sentBytes, sentHash)
    }

    @Test(arguments: [
        Throttle(windowMS: 60_000, maxPerSecond: 0),
        Throttle(windowMS: 200, maxPerSecond: 3, maxKeys: 3, distinctPerKey: 2),
        Throttle(windowMS: 50, maxPerSecond: 1, maxKeys: 2, distinctPerKey: 1),
    ])
    func theByteComparedRunSendsWhatTheHashOnlyFoldSent(throttle: Throttle) throws {
        for seed in UInt64(1)...40 {
            let (bytes, hash) = try run(seed: seed, throttle: throttle)
            #expect(bytes == hash, "seed \(seed): \(bytes.count) vs \(hash.count) sent")
            if bytes != hash {
                for (i, pair) in zip(bytes, hash).enumerated() where pair.0 != pair.1 {
                    Issue.record("seed \(seed) #\(i): bytes \(pair.0) | hash \(pair.1)")
                    break
                }
                return
            }
        }
    }
}

/// Feeds each event to two folds, one by the verdict's path (run compared by
/// bytes) and one by the hash alone, handing what each sends to a closure.
final class TwoFoldsEmitting: PipelineStage {
    let byBytes: Fold
    let byHash: Fold
    let factory = ViolationFactory(hostName: "node")
    var now: Int64 = 1_700_000_000_000

    init(_ throttle: Throttle, bytes: @escaping (Violation) -> Void, hash: @escaping (Violation) -> Void) {
        byBytes = Fold(throttle, emit: { bytes($0) })
        byHash = Fold(throttle, emit: { hash($0) })
    }

    func take(_ event: SyscallEvent) {
        now = max(now, Int64(event.event.id.timestampMilliseconds))
        let container = Int(event.summary.pid ?? 0) / 10
        let admission = Fold.Admission(event, container: container, now: now)
        let make = { [factory] in
            factory.make(
                event, container: Violation.Container(id: "c\(container)", runtime: "test", imageName: "img"),
                rule: Violation.Policy(name: "p", file: "p.yaml"), severity: 7)
        }
        if !byBytes.countRepeat(admission) { byBytes.admit(admission, make: make) }
        byHash.admit(
            key: admission.key, finding: admission.finding.hash, serial: admission.serial, time: admission.time,
            now: admission.now, make: make)
    }

    func takeMalformed() {}

    func publish(into statistics: inout PipelineStatistics) {}
}
