import AuditKit

/// The reader thread's consumer: records go through the parser and assembler
/// (AuditKit's ``AssemblingConsumer``), whose events go to the evaluator; after
/// each batch the agent publishes its counters and pings the watchdog.
/// `beforeBatch` runs once per batch, before its first message is handed on
/// (the attribution cache drops processes that have exited by then), and at
/// each idle tick.
struct AgentConsumer: AuditMessageConsumer {
    var assembling: AssemblingConsumer
    let afterBatch: (AssemblingConsumer) -> Void
    var beforeBatch: () -> Void = {}
    private var inBatch = false

    init(assembling: AssemblingConsumer, afterBatch: @escaping (AssemblingConsumer) -> Void, beforeBatch: @escaping () -> Void = {}) {
        self.assembling = assembling
        self.afterBatch = afterBatch
        self.beforeBatch = beforeBatch
    }

    mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
        if _slowPath(!inBatch) {
            inBatch = true
            beforeBatch()
        }
        assembling.consume(type: type, payload: payload)
    }

    mutating func endOfBatch() {
        // An idle tick collects exits too: a process's exit is then known within a
        // tick, so a process started later is not taken for its child (runc create's).
        if !inBatch { beforeBatch() }
        inBatch = false
        assembling.endOfBatch()
        afterBatch(assembling)
    }
}
