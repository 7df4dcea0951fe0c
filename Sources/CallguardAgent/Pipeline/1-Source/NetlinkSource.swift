import AuditKit

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

    public func endOfBatch() {
        // An idle tick collects exits too: a process's exit is then known within a
        // tick, so a process started later is not taken for its child (runc create's).
        if !inBatch {
            beforeBatch?()
            stage.beginBatch()
        }
        inBatch = false
        assembly.endOfBatch()
        stage.endOfBatch()
        betweenBatches()
        publish()
    }
}
