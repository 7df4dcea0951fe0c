import AuditKit
import Glibc

/// Stage 1, live source: the audit socket. ``AuditKit/AuditReader`` receives
/// batches of netlink messages into one reused slab on its own thread and hands
/// each record to the pipeline here, which owns it from then on.
///
/// SECCOMP records (type 1326), which the kernel writes for processes under a
/// seccomp filter that returns `SECCOMP_RET_LOG` (an OCI profile's
/// `SCMP_ACT_LOG`), need no audit rule: they arrive on the same socket. When
/// the syscall is audited too, its SYSCALL record and EOE follow under the same
/// serial; when it is not, no EOE comes and the event completes at the
/// assembler's timeout (500 ms live).
extension AuditPipeline: AuditMessageConsumer {
    /// Starts the assembler's clock at the wall clock; call before the reader runs.
    public func startLive() { assembly.startLiveClock() }

    @inline(__always)
    public func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
        if _slowPath(!inBatch) {
            inBatch = true
            beforeBatch?()
            stage.beginBatch()
        }
        assembly.add(type: type, payload: payload)
    }

    /// The kernel's process announcements wait (the reader polls their
    /// descriptor): taken in at once, with the exits, so that a runtime's child
    /// is read while it runs the container's program.
    public func sideDescriptorReady() {
        stage.takeAnnouncements()
    }

    public func endOfBatch() {
        // An idle tick collects exits too: a process's exit is then known within a
        // tick, so a process started later is not taken for its child (runc create's).
        let idle = !inBatch
        if idle {
            beforeBatch?()
            stage.beginBatch()
            stage.takeAnnouncements()
        }
        inBatch = false
        assembly.endOfBatch()
        stage.endOfBatch()
        betweenBatches()
        // Publishing walks every counter under the board's lock and copies the
        // per-policy and per-cause tables: at most once per interval while
        // batches stream in (a flood's batches are a few records each), at
        // every idle tick, and at the end (``ReaderService``).
        let now = Self.monotonicNanoseconds()
        if idle || now &- lastPublished >= publishIntervalNanoseconds {
            lastPublished = now
            publish()
        }
    }

    @inline(__always)
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
