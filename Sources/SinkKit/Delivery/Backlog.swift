/// What a sink could not send yet, oldest first: up to a bound in memory, the
/// rest in the on-disk ``Spool`` (when there is one).
///
/// Memory is always ahead of the spool: a message goes to memory only while the
/// spool holds nothing, and messages the peer never acknowledged go back in
/// front of memory. With a memory bound of 0 (`run`) everything goes to the
/// spool, as if there were no memory at all.
final class Backlog {
    /// Where ``append(_:violations:)`` put a message.
    enum Placement: Equatable { case memory, spool, full, nowhere }

    /// A waiting message and the violations it stands for (a summary's count;
    /// 1 for a spooled message, whose count is not kept on disk).
    struct Entry {
        var message: [UInt8]
        var violations: Int
    }

    let spool: Spool?
    private let memoryLimit: Int
    private var memory: [Entry] = []
    private var head = 0
    private var memoryBytes = 0

    init(memoryBytes: Int, spool: Spool?) {
        memoryLimit = max(0, memoryBytes)
        self.spool = spool
    }

    /// Whether nothing waits, in memory or in the spool.
    var isEmpty: Bool { head == memory.count && (spool?.isEmpty ?? true) }

    /// Messages and violations waiting in memory.
    var inMemory: (messages: Int, violations: Int) {
        (memory.count - head, memory[head...].reduce(0) { $0 + $1.violations })
    }

    /// Bytes on disk in the spool.
    var diskBytes: Int { spool?.diskBytes ?? 0 }

    /// Keeps `message` after everything waiting: in memory while the spool is
    /// empty and memory has room, else in the spool.
    func append(_ message: UnsafeRawBufferPointer, violations: Int) throws(SpoolError) -> Placement {
        if spool?.isEmpty ?? true, memoryBytes + message.count <= memoryLimit {
            memory.append(Entry(message: Array(message), violations: violations))
            memoryBytes += message.count
            return .memory
        }
        guard let spool else { return .nowhere }
        return try spool.append(message) ? .spool : .full
    }

    /// Puts `messages` (oldest first) in front of everything waiting: in memory
    /// when memory is used at all (beyond its bound if need be: they are at most
    /// the sink's unacknowledged window), else in the spool.
    func prepend(_ messages: [[UInt8]]) throws(SpoolError) -> Placement {
        guard !messages.isEmpty else { return .memory }
        if memoryLimit > 0 {
            memory.removeFirst(head)
            head = 0
            memory.insert(contentsOf: messages.map { Entry(message: $0, violations: 1) }, at: 0)
            memoryBytes += messages.reduce(0) { $0 + $1.count }
            return .memory
        }
        guard let spool else { return .nowhere }
        try spool.prepend(messages)
        return .spool
    }

    /// The oldest waiting message, without consuming it.
    func peek() throws(SpoolError) -> Entry? {
        if head < memory.count { return memory[head] }
        return try spool?.peek().map { Entry(message: $0, violations: 1) }
    }

    /// Consumes the message that ``peek()`` returned.
    func advance() throws(SpoolError) {
        guard head < memory.count else {
            try spool?.advance()
            return
        }
        memoryBytes -= memory[head].message.count
        head += 1
        if head == memory.count {
            memory.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > memory.count {
            memory.removeFirst(head)
            head = 0
        }
    }

    /// Empties memory (the sink is stopping and memory dies with it); returns what it held.
    func discardMemory() -> (messages: Int, violations: Int) {
        let held = inMemory
        memory.removeAll()
        head = 0
        memoryBytes = 0
        return held
    }
}
