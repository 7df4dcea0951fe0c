// callguard-live-drain: drains the live audit stream through AuditKit's reader
// for the live benchmark (Scripts/bench-live.sh), and restores audit state.
//
//   callguard-live-drain [--socket unicast|multicast] [--syscall NAME] [--exe PATH]
//                        [--backlog-limit N] [--ready-file PATH]
//
// Installs `-a always,exit -F arch=b64 -S NAME [-F exe=PATH] -k callguard`,
// registers (unicast) or joins multicast, drains until SIGINT/SIGTERM, then
// prints one JSON line of statistics on stdout and restores everything.
import AuditKit
import CallguardAgent
import ContainerKit
import PolicyKit
import Glibc

struct Options {
    var mode = AuditSessionConfiguration.SocketMode.unicast
    var syscall = "uname"
    var exe: String?
    var backlogLimit: UInt32 = 8192
    var readyFile: String?
    /// `count`: the reader alone; `parse`: RecordParser + EventAssembler + SyscallSummary per event;
    /// `evaluate`: parse, then the agent's EventEvaluator (attribution through
    /// ContainerKit and the policy verdict) per event.
    var pipeline = "parse"

    init(_ args: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < args.count else { fail("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--socket":
                guard let m = AuditSessionConfiguration.SocketMode(rawValue: value()) else { fail("bad --socket") }
                mode = m
            case "--syscall": syscall = value()
            case "--exe": exe = value()
            case "--backlog-limit": backlogLimit = UInt32(value()) ?? 8192
            case "--ready-file": readyFile = value()
            case "--pipeline":
                pipeline = value()
                guard ["count", "parse", "evaluate"].contains(pipeline) else { fail("bad --pipeline (count|parse|evaluate)") }
            default: fail("unknown option \(args[i])")
            }
            i += 1
        }
    }
}

func printError(_ text: String) {
    var line = text
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    printError("callguard-live-drain: \(message)\n")
    exit(2)
}

/// Counts records and events (EOE ends an event; a SECCOMP record is an event of its own).
struct CountingConsumer: AuditMessageConsumer {
    var records: UInt64 = 0
    var events: UInt64 = 0
    var checksum: UInt64 = 0

    mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
        records &+= 1
        if type == 1320 || type == 1326 { events &+= 1 }
        // Touch the payload like a parser would start to: the serial's last digit.
        if let i = payload.firstIndex(of: UInt8(ascii: ")")), i > 0 { checksum &+= UInt64(payload[i - 1]) }
    }
}

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
        + Double(u.ru_stime.tv_usec) / 1e6
}

let options = Options(CommandLine.arguments)

var configuration = AuditSessionConfiguration(socketMode: options.mode)
var fields: [AuditRuleField] = []
if let exe = options.exe { fields.append(.equal("exe", exe)) }
configuration.rules = [AuditRule(arch: .b64, syscalls: [.name(options.syscall)], fields: fields)]
configuration.backlogLimit = options.backlogLimit
configuration.backlogWaitTime = 0

let session: AuditSession
do {
    session = try AuditSession.start(configuration)
} catch {
    fail(error.message)
}
for refusal in session.ruleReport.refused { printError("callguard-live-drain: \(refusal)\n") }
for note in session.notes { printError("callguard-live-drain: \(note)\n") }

stopReaderOnSignals(session.reader.waker)

if let ready = options.readyFile {
    let fd = open(ready, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
    if fd >= 0 { close(fd) }
}

/// Per-event work of the parse pipeline: the syscall summary the policy stage reads.
final class EventCounter {
    var events: UInt64 = 0
    var syscalls: UInt64 = 0
    var checksum: UInt64 = 0
}
let counter = EventCounter()
var counting = CountingConsumer()
let evaluator = EventEvaluator(
    policies: PolicyStore(), source: .live(Attributor()), factory: ViolationFactory(hostName: "bench"),
    emit: { _ in counter.checksum &+= 1 })
let evaluating = options.pipeline == "evaluate"
var assembling = AssemblingConsumer(
    assembler: EventAssembler(configuration: .netlink) { event in
        counter.events &+= 1
        if evaluating {
            evaluator.evaluate(event)
            counter.syscalls = evaluator.counters.syscallEvents
            return
        }
        if let record = event.first(.syscall) ?? event.first(.seccomp),
            let summary = try? SyscallSummary(record), let n = summary.syscall
        {
            counter.syscalls &+= 1
            counter.checksum &+= UInt64(n) &+ UInt64(summary.pid ?? 0)
        }
    })
let cpu0 = cpuSeconds()
let t0 = ContinuousClock.now
var readError: AuditError?
do {
    if options.pipeline == "count" {
        try session.reader.run(&counting)
    } else {
        try session.reader.run(&assembling)
        assembling.assembler.flush()
    }
} catch {
    readError = error
}
let records = options.pipeline == "count" ? counting.records : assembling.assembler.statistics.records
let events = options.pipeline == "count" ? counting.events : counter.syscalls
let checksum = options.pipeline == "count" ? counting.checksum : counter.checksum
let malformed = assembling.malformed.total
let gaps = assembling.assembler.serialGaps
let elapsed = ContinuousClock.now - t0
let cpu = cpuSeconds() - cpu0
let lost = (try? session.kernelLostSinceStart()) ?? 0
let stats = session.reader.stats
let failures = session.stop()
for f in failures { printError("callguard-live-drain: restore: \(f)\n") }
if let readError { printError("callguard-live-drain: \(readError)\n") }

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(
    "{\"reader\":\"swift-\(options.pipeline)\",\"mode\":\"\(options.mode.rawValue)\",\"records\":\(records),\"events\":\(events),\"malformed\":\(malformed),\"serial_gaps\":\(gaps),\"lost\":\(lost),\"overruns\":\(stats.overruns),\"truncated\":\(stats.truncated),\"batches\":\(stats.batches),\"cpu_seconds\":\(cpu),\"seconds\":\(seconds),\"maxrss_kb\":\(usage.ru_maxrss),\"checksum\":\(checksum)}"
)
exit(readError == nil && failures.isEmpty ? 0 : 1)
