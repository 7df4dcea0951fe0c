// callguard-attribution-bench: ContainerKit's Attributor over the real /proc
// and the runtimes' real state, for live containers named on the command line
// (Scripts/bench-attribution.sh starts a docker and a podman one). Per
// container, interleaved so that both see the same machine load:
//
// - first sight: a fresh Attributor (and ContainerResolver) attributes the
//   container's first process: /proc (stat, cgroup, the parent: conmon or
//   containerd-shim), then the runtime's state (docker: config.v2.json and
//   the moby task bundle's config.json; podman: containers.json, images.json
//   and the bundle's userdata/config.json). What a new container's first
//   event costs.
// - new process, known container: the same Attributor attributes a second
//   process of that container (/proc only; the container is cached).
// - hit: a cached live process, the hot path (one table lookup), beside a
//   Dictionary<Int32, Int> lookup of the same pid in the same run.
//
// A host process (`host=PID`) gives the /proc floor of a first sight.
// Every attribution is checked (id and image): a wrong or missing one exits 1.
//
//   callguard-attribution-bench [--docker-root DIR] [--containerd-tasks DIR] [--storage DIR]
//       [--rounds N] [--hits N] LABEL=PID,PID2,ID,IMAGE ... [host=PID]
//
// Prints one JSON object: per label, medians (cold, new process) in µs and
// the hit time in ns per lookup (best of rounds), with the Dictionary's.
import ContainerKit
import Foundation

struct Target {
    var label: String
    var first: Int32
    var second: Int32
    var id: String
    var image: String
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("callguard-attribution-bench: \(message)\n".utf8))
    exit(1)
}

var roots = ContainerStateRoots()
var rounds = 200
var hitEvents = 2_000_000
var targets: [Target] = []
var hostPid: Int32?
var args = CommandLine.arguments.dropFirst()
@MainActor func value(of option: String) -> String {
    guard let v = args.popFirst() else { fail("\(option) needs a value") }
    return v
}
@MainActor func number(of option: String) -> Int {
    guard let n = Int(value(of: option)) else { fail("\(option) needs a number") }
    return n
}
while let arg = args.popFirst() {
    switch arg {
    case "--docker-root": roots.docker = [value(of: arg)]
    case "--containerd-tasks": roots.containerdTasks = [value(of: arg)]
    case "--storage": roots.containersStorage = [value(of: arg)]
    case "--rounds": rounds = number(of: arg)
    case "--hits": hitEvents = number(of: arg)
    default:
        let parts = arg.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { fail("unexpected argument \(arg)") }
        if parts[0] == "host" {
            guard let pid = Int32(parts[1]) else { fail("host=PID: \(arg)") }
            hostPid = pid
            continue
        }
        let fields = parts[1].split(separator: ",").map(String.init)
        guard fields.count == 4, let a = Int32(fields[0]), let b = Int32(fields[1]) else {
            fail("LABEL=PID,PID2,ID,IMAGE: \(arg)")
        }
        targets.append(Target(label: parts[0], first: a, second: b, id: fields[2], image: fields[3]))
    }
}
guard !targets.isEmpty else { fail("no container given") }

func seconds(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : s[s.count / 2]
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : s[min(s.count - 1, Int(Double(s.count) * p))]
}

func freshAttributor(_ roots: ContainerStateRoots) -> Attributor {
    var configuration = Attributor.Configuration()
    configuration.removalGrace = 0
    return Attributor(resolver: ContainerResolver(roots: roots, minReloadInterval: 0), configuration: configuration)
}

func check(_ attribution: Attribution, _ t: Target, _ pid: Int32) {
    guard let c = attribution.container else { fail("\(t.label) pid \(pid): \(attribution), not its container") }
    guard c.id == t.id, c.imageName == t.image else {
        fail("\(t.label) pid \(pid): attributed to \(c.id) \(c.imageName ?? "no image"), expected \(t.id) \(t.image)")
    }
}

var cold: [String: [Double]] = [:]
var second: [String: [Double]] = [:]
var reads: [String: (first: UInt64, second: UInt64)] = [:]
var hostCold: [Double] = []
// Keep every attributor of a round alive until the round ends, so that the
// next one's timing never includes the last one's teardown (closing pidfds).
for _ in 0..<rounds {
    var keep: [Attributor] = []
    for t in targets {
        let a = freshAttributor(roots)
        var got = Attribution.unknown
        cold[t.label, default: []].append(seconds { got = a.attribute(pid: t.first, ppid: 0) })
        check(got, t, t.first)
        let readsFirst = a.counters.procReads
        second[t.label, default: []].append(seconds { got = a.attribute(pid: t.second, ppid: 0) })
        check(got, t, t.second)
        reads[t.label] = (readsFirst, a.counters.procReads - readsFirst)
        guard a.counters.containersResolved == 1 else { fail("\(t.label): \(a.counters.containersResolved) resolutions, expected 1") }
        keep.append(a)
    }
    if let hostPid {
        let a = freshAttributor(roots)
        var got = Attribution.unknown
        hostCold.append(seconds { got = a.attribute(pid: hostPid, ppid: 0) })
        guard case .host = got else { fail("host pid \(hostPid): \(got)") }
        keep.append(a)
    }
    _ = keep.count
}

// Hits: one warm attributor over all containers, the same pid over and over.
let warm = freshAttributor(roots)
for t in targets { check(warm.attribute(pid: t.first, ppid: 0), t, t.first) }
var reference: [Int32: Int] = [:]
for (i, t) in targets.enumerated() { reference[t.first] = i }
var hit: [String: Double] = [:]
var dict: [String: Double] = [:]
var sink = 0
for _ in 0..<5 {
    for t in targets {
        let pid = t.first
        let d = seconds { for _ in 0..<hitEvents { sink &+= reference[pid] ?? 0 } }
        var inContainer = 0
        let h = seconds {
            for _ in 0..<hitEvents where warm.attribute(pid: pid, ppid: 0).container != nil { inContainer &+= 1 }
        }
        guard inContainer == hitEvents else { fail("\(t.label): \(hitEvents - inContainer) hits not in the container") }
        hit[t.label] = min(hit[t.label] ?? .infinity, h)
        dict[t.label] = min(dict[t.label] ?? .infinity, d)
    }
}
guard warm.counters.misses == UInt64(targets.count) else { fail("\(warm.counters.misses) misses while warm") }

var out: [String: Any] = ["rounds": rounds, "hit_events": hitEvents, "sink": sink & 1]
for t in targets {
    out[t.label] = [
        "cold_us_p50": median(cold[t.label]!) * 1e6, "cold_us_p90": percentile(cold[t.label]!, 0.9) * 1e6,
        "new_process_us_p50": median(second[t.label]!) * 1e6,
        "hit_ns": hit[t.label]! / Double(hitEvents) * 1e9, "dict_ns": dict[t.label]! / Double(hitEvents) * 1e9,
        "proc_reads_first": reads[t.label]!.first, "proc_reads_new_process": reads[t.label]!.second,
    ]
}
if !hostCold.isEmpty { out["host_cold_us_p50"] = median(hostCold) * 1e6 }
let json = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
