import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif
@testable import ContainerKit

/// Throughput of attribution, reported as a ratio to a plain `Dictionary<Int32, Int>`
/// lookup of the same pid sequence measured in the same run.
///
/// Always checks what the measurement relies on (a warm cache answers without
/// reading /proc; 10,000 new pids cost exactly 10,000 reads). The figures are
/// meaningful in a release build:
/// `swift build -c release --build-tests -Xswiftc -enable-testing` then
/// `CALLGUARD_BENCH_EVENTS=5000000 swift test -c release --skip-build --filter AttributionThroughputTests`.
@Suite(.serialized)
struct AttributionThroughputTests {
    static let distinctPids = 10_000
    static var events: Int {
        Int(ProcessInfo.processInfo.environment["CALLGUARD_BENCH_EVENTS"] ?? "") ?? 50_000
    }

    /// 10,000 processes: half on the host, half spread over four containers of four runtimes.
    static func makeSource() -> InMemoryProcSource {
        let cgroups = [
            "0::/user.slice/user-0.slice/session-1.scope\n",
            "0::/libpod_parent/libpod-\(TestIDs.podman)\n",
            "0::/user.slice/user-0.slice/session-1.scope\n",
            "0::/system.slice/docker-\(TestIDs.docker).scope\n",
            "0::/user.slice/user-0.slice/session-1.scope\n",
            "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0d7c1a52_3b1f_4c2e_9a7d_5e4f3c2b1a00.slice/crio-\(TestIDs.crio).scope\n",
            "0::/user.slice/user-0.slice/session-1.scope\n",
            "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8c7b6a59_4837_4261_9f0e_d1c2b3a49586.slice/cri-containerd-\(TestIDs.containerd).scope\n",
        ]
        let source = InMemoryProcSource()
        for i in 0..<distinctPids {
            let pid = Int32(10_000 + i * 3)
            source.add(pid: pid, ppid: 1, startTime: UInt64(1000 + i), cgroup: cgroups[i % cgroups.count])
        }
        return source
    }

    static var pids: [Int32] { (0..<distinctPids).map { Int32(10_000 + $0 * 3) } }

    /// The container `makeSource` put `pid` in, nil for a host process.
    static func expectedContainer(_ pid: Int32) -> String? {
        [nil, TestIDs.podman, nil, TestIDs.docker, nil, TestIDs.crio, nil, TestIDs.containerd][Int(pid - 10_000) / 3 % 8]
    }

    /// The pids whose attribution is not their container in `makeSource`.
    static func misattributed(by attributor: Attributor) -> [Int32] {
        pids.filter { attributor.attribute(pid: $0, ppid: 1).container?.id != expectedContainer($0) }
    }

    /// A pseudo-random event order over the distinct pids (fixed seed).
    static func eventOrder(count: Int) -> [Int32] {
        let pids = self.pids
        var random = SplitMix64(seed: 0x1234_5678_9abc_def1)
        return (0..<count).map { _ in pids[Int(random.next() % UInt64(pids.count))] }
    }

    /// The calling thread's heap allocation count when Benchmarks/ContainerKit/run.sh
    /// preloaded its malloc counter; nil otherwise.
    static let mallocCount: (@convention(c) () -> UInt)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "callguard_malloc_count") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> UInt).self)
    }()

    static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The best of `rounds` alternating runs of `reference` and `subject`, so
    /// that both see the same machine load (the build machines are shared).
    static func bestOf(
        _ rounds: Int, reference: () -> Void, subject: () -> Void
    ) -> (reference: Double, subject: Double) {
        var best = (reference: Double.infinity, subject: Double.infinity)
        for _ in 0..<rounds {
            best.reference = min(best.reference, seconds(reference))
            best.subject = min(best.subject, seconds(subject))
        }
        return best
    }

    @Test func warmCacheAnswersWithoutReadingProcAndReportsRatioToDictionary() {
        let source = Self.makeSource()
        let attributor = Attributor(
            proc: source, resolver: ContainerResolver(roots: TestIDs.roots.value))
        for pid in Self.pids { attributor.processSeen(pid: pid) }
        let readsAfterWarmUp = source.reads
        let order = Self.eventOrder(count: Self.events)
        let onePid = [Int32](repeating: Self.pids[1], count: Self.events)

        var reference: [Int32: Int] = [:]
        for (i, pid) in Self.pids.enumerated() { reference[pid] = i }

        var sink = 0
        var inContainers = (distinct: 0, hot: 0)
        let distinct = Self.bestOf(
            5,
            reference: { for pid in order { sink &+= reference[pid] ?? 0 } },
            subject: {
                for pid in order {
                    if case .container = attributor.attribute(pid: pid, ppid: 1) { inContainers.distinct += 1 }
                }
            })
        let hot = Self.bestOf(
            5,
            reference: { for pid in onePid { sink &+= reference[pid] ?? 0 } },
            subject: {
                for pid in onePid {
                    if case .container = attributor.attribute(pid: pid, ppid: 1) { inContainers.hot += 1 }
                }
            })
        let (dictTime, warmTime, dictOneTime, oneTime) = (distinct.reference, distinct.subject, hot.reference, hot.subject)

        if let count = Self.mallocCount {
            var sinkAfter = 0
            let before = count()
            for pid in order {
                if case .container = attributor.attribute(pid: pid, ppid: 1) { sinkAfter &+= 1 }
            }
            let allocations = count() - before
            print("allocations in \(order.count) warm attributions: \(allocations)")
            #expect(allocations == 0)
            #expect(sinkAfter > 0)
        }
        #expect(source.reads == readsAfterWarmUp)
        #expect(attributor.counters.misses == 0)
        #expect(attributor.counters.hits >= UInt64(10 * Self.events))
        // What the attributor answered while timed: containers exactly where the source put them.
        #expect(inContainers.distinct == 5 * order.count(where: { Self.expectedContainer($0) != nil }))
        #expect(inContainers.hot == 5 * Self.events)
        #expect(Self.misattributed(by: attributor).isEmpty)
        #expect(source.reads == readsAfterWarmUp)
        _ = sink  // the reference loops' result, kept so that they are not optimised away
        let n = Double(Self.events)
        print(
            """
            attribution throughput (best of 5 alternating runs of \(Self.events) events, \(Self.distinctPids) cached pids):
              warm, 10,000 distinct pids: \(Int(n / warmTime)) events/s = \(String(format: "%.2f", dictTime / warmTime))× Dictionary<Int32,Int> lookup (\(Int(n / dictTime))/s)
              warm, one hot pid:          \(Int(n / oneTime)) events/s = \(String(format: "%.2f", dictOneTime / oneTime))× Dictionary<Int32,Int> lookup (\(Int(n / dictOneTime))/s)
            """)
    }

    @Test func firstSightOfTenThousandPidsReadsEachOnceAndReportsRatio() {
        let source = Self.makeSource()
        let attributor = Attributor(
            proc: source, resolver: ContainerResolver(roots: TestIDs.roots.value))
        var reference: [Int32: Int] = [:]
        var sink = 0
        let pids = Self.pids
        let dictInsertTime = Self.seconds {
            for pid in pids { reference[pid] = Int(pid) }
        }
        let allocationsBefore = Self.mallocCount?() ?? 0
        let coldTime = Self.seconds {
            for pid in pids {
                if case .container = attributor.attribute(pid: pid, ppid: 1) { sink &+= 1 }
            }
        }
        if let count = Self.mallocCount {
            // Shows the counter works: first sight parses text and allocates.
            let perProcess = Double(count() - allocationsBefore) / Double(pids.count)
            print("allocations per new process (first sight): \(String(format: "%.1f", perProcess))")
            #expect(perProcess > 0)
        }
        #expect(source.reads == Self.distinctPids)
        #expect(attributor.counters.misses == UInt64(Self.distinctPids))
        #expect(sink == Self.distinctPids / 2)
        #expect(attributor.counters.containersResolved == 4)
        #expect(Self.misattributed(by: attributor).isEmpty)
        #expect(source.reads == Self.distinctPids)
        let n = Double(Self.distinctPids)
        print(
            """
            attribution of 10,000 new pids (in-memory ProcSource: stat + cgroup parse + container lookup):
              \(Int(n / coldTime)) processes/s = 1/\(String(format: "%.0f", coldTime / dictInsertTime)) of Dictionary<Int32,Int> insertion (\(Int(n / dictInsertTime))/s)
            """)
    }
}
