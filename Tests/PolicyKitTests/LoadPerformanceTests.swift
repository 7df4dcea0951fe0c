import AuditKit
import CYAML
import Foundation
import Testing
@testable import PolicyKit

/// Loading and checking 1,000 policy files, against a plain libyaml event
/// parse of the same files in the same run (the floor any YAML loader pays).
@Suite(.serialized) struct LoadPerformanceTests {
    static let names = [
        "read", "write", "openat", "close", "mmap", "munmap", "brk", "futex", "epoll_wait", "epoll_ctl",
        "accept4", "recvfrom", "sendto", "clock_gettime", "getpid", "rt_sigaction", "rt_sigprocmask",
        "exit_group", "newfstatat", "lseek", "pread64", "pwrite64", "socket", "connect", "bind", "listen",
        "setsockopt", "getsockopt", "fcntl", "ioctl", "dup3", "pipe2", "clone3", "execve", "wait4",
        "nanosleep", "getrandom", "madvise", "mprotect", "prlimit64",
    ]

    func generate(into dir: URL, count: Int) throws {
        let base = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: base}
            spec:
              allow: [read, write, close, exit_group]
            """
        try Data(base.utf8).write(to: dir.appendingPathComponent("base.yaml"))
        for i in 0..<count {
            let allow = (0..<30).map { Self.names[($0 * 7 + i) % Self.names.count] }
            let text = """
                # generated policy \(i)
                apiVersion: callguard.dev/v1
                kind: SyscallPolicy
                metadata:
                  name: app-\(i)
                  description: generated for the load benchmark
                spec:
                  images: ["registry.example.com:5000/team/app-\(i):*", "localhost/app-\(i):1.\(i % 10)"]
                  severity: high
                  include: [base]
                  allow:
                \(allow.map { "    - \($0)" }.joined(separator: "\n"))
                """
            try Data(text.utf8).write(to: dir.appendingPathComponent(String(format: "app-%04d.yaml", i)))
        }
    }

    /// Reads every file and runs libyaml's event parser over it, building nothing.
    func plainParse(_ paths: [String]) -> Int {
        var events = 0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = Array(data)
            bytes.withUnsafeBufferPointer { buffer in
                var parser = yaml_parser_t()
                yaml_parser_initialize(&parser)
                defer { yaml_parser_delete(&parser) }
                yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
                while true {
                    var event = yaml_event_t()
                    guard yaml_parser_parse(&parser, &event) != 0 else { return }
                    let done = event.type == YAML_STREAM_END_EVENT
                    yaml_event_delete(&event)
                    events += 1
                    if done { return }
                }
            }
        }
        return events
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    @Test func thousandPolicyFilesLoadAndCheckQuickly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try generate(into: dir, count: 1000)
        let paths = try PolicyLoader.policyFiles(in: dir.path)
        _ = SyscallTable.shared  // built once per process; not part of a load

        let clock = ContinuousClock()
        var events = 0
        let reference = clock.measure { events = plainParse(paths) }
        var result: PolicyLoadResult?
        let load = try clock.measure { result = try PolicyLoader().load(directory: dir.path) }
        let set = try #require(result).get()
        #expect(set.activePolicies.count == 1000)
        #expect(events > 50_000)
        let loadSeconds = Self.seconds(load)
        let refSeconds = Self.seconds(reference)
        print("policy-load-benchmark: 1,001 files, load+check / plain libyaml parse = \(String(format: "%.1f", loadSeconds / refSeconds))x")
        // Generous bound for unoptimised debug builds on a shared 2-core machine.
        #expect(loadSeconds < 10)
    }
}

/// The per-event verdict: a bitmap test, against `Set<Int32>.contains` on the
/// same syscalls in the same run.
@Suite(.serialized) struct VerdictPerformanceTests {
    @Test func verdictIsABitmapTest() throws {
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: p}
            spec: {images: ["*"], allow: [\(LoadPerformanceTests.names.joined(separator: ", "))]}
            """)]).get()
        let policy = try #require(set.defaultPolicy)
        let hashed = Set(policy.allowed.numbers(on: .x86_64))
        let events = (0..<4096).map { Int32(($0 * 37) % 460) }
        let rounds = 2_000
        let clock = ContinuousClock()
        var bitmapHits = 0
        let bitmap = clock.measure {
            for _ in 0..<rounds { for n in events where policy.allows(arch: .x86_64, syscall: n) { bitmapHits += 1 } }
        }
        var setHits = 0
        let hashedTime = clock.measure {
            for _ in 0..<rounds { for n in events where hashed.contains(n) { setHits += 1 } }
        }
        #expect(bitmapHits == setHits)
        let ratio = LoadPerformanceTests.seconds(bitmap) / LoadPerformanceTests.seconds(hashedTime)
        print("verdict-benchmark: \(rounds * events.count) lookups, CompiledPolicy.allows / Set<Int32>.contains = \(String(format: "%.2f", ratio))x")
    }
}
