import Foundation
import Glibc
import SinkKit
import Synchronization

/// Formatting + syslog header + octet-counted framing, per format, against a
/// baseline that only frames a pre-rendered message of the same size. Prints
/// ratios (lower is better) and allocations per message.
@main struct SinkBench {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func violation(hostile: Bool) -> Violation {
        let exe: UntrustedBytes =
            hostile ? UntrustedBytes((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }) : "/usr/bin/busybox"
        return Violation(
            timestamp: Timestamp(millisecondsSinceEpoch: 1_795_932_000_123), hostName: "node-1",
            container: .init(id: String(repeating: "3a5b", count: 16), runtime: "podman", imageName: "localhost/app:1.0"),
            process: .init(pid: 4242, ppid: 4200, name: hostile ? UntrustedBytes([0x73, 0x68, 0x0A, 0xFF, 0x7C, 0x3D]) : "sh", executable: exe, userID: "0"),
            syscall: .init(name: "ptrace", number: 101, arch: "x86_64", success: false, exit: -1),
            policy: .init(name: "app", file: "policies/app.yaml"),
            audit: .init(serial: 456, time: Timestamp(millisecondsSinceEpoch: 1_795_932_000_120)))
    }

    struct Result { var nsPerMessage: Double; var allocationsPerMessage: Double; var bytes: Int }

    static func measure(iterations: Int, _ body: () -> Int) -> Result {
        for _ in 0..<1000 { _ = body() }  // warm up, let buffers reach their size
        let a0 = allocationCount.load(ordering: .relaxed)
        let t0 = now()
        var bytes = 0
        for _ in 0..<iterations { bytes &+= body() }
        let t1 = now()
        let a1 = allocationCount.load(ordering: .relaxed)
        return Result(
            nsPerMessage: Double(t1 - t0) / Double(iterations), allocationsPerMessage: Double(a1 - a0) / Double(iterations),
            bytes: bytes / iterations)
    }

    static func main() {
        let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
        let header = SyslogHeader(facility: .auth, hostName: "node-1", procID: "4242")
        var frame: [UInt8] = []
        frame.reserveCapacity(64 << 10)
        print("SinkKit formatting + framing, \(iterations) messages each (ratios to the baseline of the same run)")
        // Control: the allocation counter must see one allocation per copied array.
        var kept: [[UInt8]] = []
        kept.reserveCapacity(20_000)
        let control = measure(iterations: 10_000) {
            kept.append(Array(repeating: UInt8(1), count: 100 + Int.random(in: 0...1)))
            return kept.count
        }
        print("counter check (one array per iteration): \(control.allocationsPerMessage) allocations/iteration")
        var summary = violation(hostile: false)  // a throttle summary, with bidi controls and U+2028 in its fields
        summary.process.executable = UntrustedBytes("/tmp/evil\u{202E}hs.exe")
        summary.process.commandLine = UntrustedBytes("sh\u{0}-c\u{0}curl x\u{2028}|sh")
        summary.process.filePath = "/root/.ssh/id_rsa"
        summary.count = 41
        summary.fold = .init(
            kind: .repeats, firstSerial: 457, lastSerial: 497, firstTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_130),
            lastTime: Timestamp(millisecondsSinceEpoch: 1_795_932_009_990))
        var seccomp = violation(hostile: false)  // from a SECCOMP record: source and action, no ppid or result
        seccomp.process.ppid = nil
        seccomp.syscall.success = nil
        seccomp.syscall.exit = nil
        seccomp.source = .seccomp
        seccomp.seccomp = .init(code: 0x0005_0001)
        let cases = [
            ("-- typical violation --", violation(hostile: false)),
            ("\n-- seccomp-sourced violation (errno action; no ppid, no result) --", seccomp),
            ("\n-- hostile violation (4 KiB executable of binary bytes) --", violation(hostile: true)),
            ("\n-- throttle summary (fold span; bidi controls and U+2028 escaped) --", summary),
        ]
        for (title, v) in cases {
            // Baseline: frame an already rendered JSON message of the same size (memcpy + length prefix).
            var plainEncoder = MessageEncoder(formatter: JSONFormatter(), syslog: header)
            let rendered = plainEncoder.encode(v)
            let baseline = measure(iterations: iterations) {
                frame.removeAll(keepingCapacity: true)
                rendered.withUnsafeBytes { StreamFraming.octetCounting.frame($0, into: &frame) }
                return frame.count
            }
            print(title)
            print("baseline (frame a pre-rendered message): 1.00x time, \(baseline.allocationsPerMessage) allocations/message, \(baseline.bytes) bytes")
            for format in ViolationFormat.allCases {
                var encoder = MessageEncoder(formatter: format.formatter(), syslog: header)
                let r = measure(iterations: iterations) {
                    frame.removeAll(keepingCapacity: true)
                    encoder.encode(v) { StreamFraming.octetCounting.frame($0, into: &frame) }
                    return frame.count
                }
                let ratio = r.nsPerMessage / baseline.nsPerMessage
                let perSecond = 1e9 / r.nsPerMessage
                print(
                    "\(format.rawValue): \(String(format: "%.1f", ratio))x baseline time, ~\(Int(perSecond / 1000))k msg/s on this machine, \(r.allocationsPerMessage) allocations/message, \(r.bytes) bytes"
                )
            }
        }
    }
}
