import AuditKit
import Glibc

// Parser throughput on a file, measured the way the C references measure
// (References/floor.c, References/auparse.c): read the file in large chunks,
// do the work, print one JSON line with counts, seconds and peak RSS.
//
//   ParserThroughput pipeline FILE    what the agent reads per event
//   ParserThroughput all-fields FILE  every field of every record, every event
//   ParserThroughput generate SRC DST MEGABYTES
//                                     repeat SRC with renumbered serials and
//                                     shifted timestamps until DST has MEGABYTES

/// Writes `message` to standard error.
func report(_ message: String) {
    var text = message
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    report("usage: ParserThroughput pipeline|all-fields FILE | generate SRC DST MEGABYTES\n")
    exit(2)
}

if arguments[1] == "generate", arguments.count == 5, let megabytes = Int(arguments[4]) {
    do {
        try CorpusGenerator.generate(source: arguments[2], destination: arguments[3], megabytes: megabytes)
        exit(0)
    } catch {
        report("\(error)\n")
        exit(2)
    }
}

let mode = arguments[1]
let fd = open(arguments[2], O_RDONLY)
guard fd >= 0 else {
    report("cannot open \(arguments[2])\n")
    exit(2)
}

var events: UInt64 = 0
var fields: UInt64 = 0
var checksum: UInt64 = 0
var bodyErrors: UInt64 = 0
// Set up before the clock starts, as the C references allocate their buffer
// first: the parser's record-type table is built once per process.
let replayer = LogReplayer(configuration: .logFile)

var start = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
let statistics: LogReplayer.Statistics
do {
    switch mode {
    case "pipeline":
        statistics = try replayer.run(fd: fd) { event in
            events &+= 1
            for i in 0..<event.count {
                let record = event[i]
                guard record.type == .syscall || record.type == .seccomp else { continue }
                do throws(RecordParseError) {
                    let summary = try SyscallSummary(record)
                    checksum &+= UInt64(summary.syscall ?? 0) &+ UInt64(summary.pid ?? 0) &+ UInt64(summary.exe?.value.count ?? 0)
                } catch {
                    bodyErrors &+= 1
                }
                break
            }
        }
    case "all-fields":
        statistics = try replayer.run(fd: fd) { event in
            events &+= 1
            for i in 0..<event.count {
                let record = event[i]
                var iterator = record.fields.makeIterator()
                while let field = iterator.next() {
                    fields &+= 1
                    checksum &+= UInt64(field.value.count)
                }
                if iterator.error != nil { bodyErrors &+= 1 }
                var interpreted = record.interpretedFields.makeIterator()
                while let field = interpreted.next() {
                    fields &+= 1
                    checksum &+= UInt64(field.value.count)
                }
            }
        }
    default:
        report("unknown mode \(mode)\n")
        exit(2)
    }
} catch {
    report("\(error)\n")
    exit(2)
}

var end = timespec()
clock_gettime(CLOCK_MONOTONIC, &end)
let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print(
    "{\"records\":\(statistics.assembly.records),\"events\":\(events),\"fields\":\(fields),"
        + "\"malformed\":\(statistics.malformed.total + bodyErrors),\"bytes\":\(statistics.bytes),"
        + "\"seconds\":\(seconds),\"max_rss_kb\":\(usage.ru_maxrss),\"checksum\":\(checksum)}")
