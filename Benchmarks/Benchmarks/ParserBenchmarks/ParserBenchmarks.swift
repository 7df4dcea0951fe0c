import AuditKit
import Benchmark
import Glibc

// Allocation counts on the parser's hot path. The corpus is read into memory
// and run once through parsing and assembly to let the assembler's arenas
// reach their working size; the measured passes must then allocate nothing:
// mallocCountTotal is 0 per pass (132,367 records), the threshold in
// Thresholds/. Only malloc and wall-clock metrics are collected: the memory
// metrics sample from a background thread whose own allocations would count.

/// The corpus in memory, split into lines once (setup, not measured).
final class Corpus: @unchecked Sendable {
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let lines: [(Int, Int)]

    init() {
        let path = ProcessInfo.corpusPath
        let file = fopen(path, "r")
        precondition(file != nil, "benchmark corpus not found at \(path); run `make bench`")
        fseek(file, 0, SEEK_END)
        let size = ftell(file)
        fseek(file, 0, SEEK_SET)
        bytes = .allocate(capacity: size)
        _ = fread(bytes.baseAddress, 1, size, file)
        fclose(file)
        var lines: [(Int, Int)] = []
        var start = 0
        for i in 0..<size where bytes[i] == 0x0A {
            if i > start { lines.append((start, i - start)) }
            start = i + 1
        }
        self.lines = lines
    }
}

enum ProcessInfo {
    static var corpusPath: String {
        if let p = getenv("CALLGUARD_BENCH_CORPUS") { return String(cString: p) }
        return "../.build/bench/raw.log"
    }
}

let benchmarks: @Sendable () -> Void = {
    let corpus = Corpus()
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .wallClock],
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    Benchmark("pipeline-parse-assemble-summarise-per-corpus-pass") { benchmark in
        var checksum = 0
        measurePasses(over: corpus, benchmark) { event in
            for i in 0..<event.count where event[i].type == .syscall {
                checksum &+= Int((try? SyscallSummary(event[i]))?.syscall ?? 0)
                break
            }
        }
        blackHole(checksum)
    }

    // The corpus holds no SECCOMP records (the seccomp feed's only kind):
    // 1000 of them in the kernel's layout, parsed in setup, summarised per pass.
    let seccomp = SeccompRecords(count: 1000)
    Benchmark("seccomp-summary-per-1000-records") { benchmark in
        var checksum = 0
        for record in seccomp.records { checksum &+= Int((try? SyscallSummary(record))?.syscall ?? 0) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for record in seccomp.records {
                checksum &+= Int((try? SyscallSummary(record))?.code ?? 0)
            }
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }

    Benchmark("all-fields-parse-assemble-tokenise-per-corpus-pass") { benchmark in
        var fields = 0
        measurePasses(over: corpus, benchmark) { event in
            for i in 0..<event.count {
                var iterator = event[i].fields.makeIterator()
                while let field = iterator.next() { fields &+= field.value.count }
            }
        }
        blackHole(fields)
    }
}

/// `count` SECCOMP records as this machine's kernel (6.18) writes them, with
/// varied pids, comms (some hex-encoded) and actions; parsed once, held for
/// the process's life.
final class SeccompRecords: @unchecked Sendable {
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let records: [AuditRecord]

    init(count: Int) {
        var text: [UInt8] = []
        var lines: [(Int, Int)] = []
        for i in 0..<count {
            let comm = i % 4 == 3 ? "6120622263" : "\"worker-\(i % 7)\""
            let code = i % 10 == 9 ? "0x80000000" : "0x7ffc0000"
            let line = "type=SECCOMP msg=audit(1796639231.\(100 + i % 900):\(26_385_625 + i)): auid=4294967295 uid=0 gid=0 "
                + "ses=4294967295 pid=\(11_753 + i) comm=\(comm) exe=\"/bin/busybox\" sig=0 arch=c000003e "
                + "syscall=\(i % 3 == 0 ? 63 : 230) compat=0 ip=0x4bfde3 code=\(code)"
            lines.append((text.count, line.utf8.count))
            text += Array(line.utf8)
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
        _ = buffer.initialize(from: text)
        let parser = RecordParser()
        bytes = buffer
        records = lines.map { try! parser.parseLine(start: buffer.baseAddress! + $0.0, count: $0.1) }
    }
}

/// Parses and assembles the whole corpus once to warm the assembler, then
/// measures `benchmark.scaledIterations` more passes; `onEvent` sees each event.
func measurePasses(over corpus: Corpus, _ benchmark: Benchmark, onEvent: @escaping (AssembledEvent) -> Void) {
    let parser = RecordParser()
    let assembler = EventAssembler(configuration: .logFile, handler: onEvent)
    func pass() {
        for (start, count) in corpus.lines {
            if let record = try? parser.parseLine(start: corpus.bytes.baseAddress! + start, count: count) {
                assembler.add(record)
            }
        }
        assembler.flush()
    }
    pass()
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations { pass() }
    benchmark.stopMeasurement()
}
