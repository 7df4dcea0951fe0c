import AuditKit

/// The reader thread's consumer: records go through the parser and assembler
/// (AuditKit's ``AssemblingConsumer``), whose events go to the evaluator; after
/// each batch the agent publishes its counters and pings the watchdog.
struct AgentConsumer: AuditMessageConsumer {
    var assembling: AssemblingConsumer
    let afterBatch: (AssemblingConsumer) -> Void

    mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
        assembling.consume(type: type, payload: payload)
    }

    mutating func endOfBatch() {
        assembling.endOfBatch()
        afterBatch(assembling)
    }
}
