import Foundation
import Logging
import Synchronization

/// Delivers violations to one destination without ever blocking the caller.
///
/// ``submit(_:)`` puts a violation in a bounded in-memory queue and returns. A
/// dedicated thread throttles, encodes and sends. While the receiver is down it
/// keeps what it cannot send (in memory up to ``SinkConfiguration/holdBytes``,
/// then in the bounded on-disk ``Spool``) and reconnects with backoff and
/// jitter; when the receiver returns, what it kept is delivered first, in order.
/// On a stream, messages that the peer had not acknowledged when the connection
/// died go back in front of the backlog. What is lost (queue and spool full) is
/// counted in ``counters`` by ``DropCause``, never silent; what the throttle
/// folds is counted by ``FoldCause`` and delivered in its summaries.
public final class ViolationSink: @unchecked Sendable {
    /// Delivery counters (sent, spooled, dropped and folded by cause, errors, queue depth, spool bytes).
    public let counters = SinkCounters()
    /// The destination, for logs.
    public let destination: String

    private let configuration: SinkConfiguration
    private let logger: Logger
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [Violation] = []
    private var stopping = false
    private var reopenRequested = false
    private var finished = false
    /// Until when (milliseconds since the epoch) a stopping sink keeps trying to
    /// deliver what it holds; nil: one last attempt.
    private var persistUntilMS: Int64?
    /// The sink thread is waiting for work (submit must wake it).
    private var sleeping = false
    /// How long the sink thread, woken by a first violation, lets more gather
    /// before it takes the queue: at most ~1000 wake-ups a second, not one per violation.
    static let gatherSeconds = 0.001
    // Owned by the sink thread:
    private let transport: any Transport
    private let backlog: Backlog
    private var encoder: MessageEncoder
    private var throttle: Throttle
    /// The throttle lets everything out: the sink thread skips it.
    private let passThrough: Bool
    private var backoff: Backoff
    private var connected = false
    private var nextAttemptMS: Int64 = 0
    /// The last reason the transport could not be opened, once logged as a
    /// warning (repeats of the same reason are logged at debug level).
    private var lastOpenFailure: String?
    /// Whether the last open failed for a reason retrying cannot mend (a
    /// refused file directory, an unreadable certificate): persisting stops.
    private var openRefused = false
    /// After a spool read error, the spool is left alone until then (no busy loop).
    private var spoolPausedUntilMS: Int64 = 0
    private var inflight: [(end: UInt64, message: [UInt8])] = []
    private var inflightHead = 0
    private var sendsSincePrune = 0
    /// Messages sent on the current connection (for what a broken one leaves unconfirmed).
    private var sentOnConnection = 0

    /// Creates the sink and starts its thread.
    public init(configuration: SinkConfiguration, logger: Logger = Logger(label: "callguard.sink")) throws(SpoolError) {
        self.configuration = configuration
        self.logger = logger
        transport = configuration.spec.makeTransport()
        destination = transport.destination
        let spool = try configuration.spoolDirectory.map { (dir) throws(SpoolError) in
            try Spool(directory: dir, maxBytes: configuration.spoolMaxBytes)
        }
        backlog = Backlog(memoryBytes: configuration.holdBytes, spool: spool)
        encoder = MessageEncoder(
            formatter: configuration.format.formatter(), syslog: configuration.spec.syslogHeader(hostName: configuration.hostName))
        throttle = configuration.throttle
        passThrough = configuration.throttle.passesEverything
        backoff = configuration.backoff
        queue.reserveCapacity(configuration.queueCapacity)
        counters.spoolBytesValue.store(spool?.diskBytes ?? 0, ordering: .relaxed)
        let thread = Thread { [self] in self.run() }
        thread.name = "callguard-sink"
        thread.start()
    }

    /// Queues a violation; never blocks on I/O. Returns false (and counts a
    /// drop) when the in-memory queue is full.
    @discardableResult
    public func submit(_ violation: Violation) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else {
            counters.drop(.stopped)
            return false
        }
        guard queue.count < configuration.queueCapacity else {
            counters.drop(.queueFull)
            return false
        }
        queue.append(violation)
        counters.queueDepthValue.store(queue.count, ordering: .relaxed)
        wakeIfDue()
        return true
    }

    /// Queues `violations` under one lock and at most one wake-up of the sink
    /// thread; never blocks on I/O. What does not fit in the queue is counted as
    /// dropped (``DropCause/queueFull``). Returns how many were queued.
    @discardableResult
    public func submit(contentsOf violations: some Collection<Violation>) -> Int {
        guard !violations.isEmpty else { return 0 }
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else {
            counters.drop(.stopped, violations.count)
            return 0
        }
        let room = max(0, configuration.queueCapacity - queue.count)
        let taken = min(room, violations.count)
        queue.append(contentsOf: violations.prefix(taken))
        if taken < violations.count { counters.drop(.queueFull, violations.count - taken) }
        counters.queueDepthValue.store(queue.count, ordering: .relaxed)
        if taken > 0 { wakeIfDue() }
        return taken
    }

    /// Queues `violations` as ``submit(contentsOf:)`` does, and leaves
    /// `violations` empty (its capacity kept): when the queue is empty and
    /// everything fits, the arrays are swapped, so nothing is copied.
    @discardableResult
    public func submit(taking violations: inout [Violation]) -> Int {
        guard !violations.isEmpty else { return 0 }
        condition.lock()
        guard queue.isEmpty, !stopping, violations.count <= configuration.queueCapacity else {
            condition.unlock()
            let taken = submit(contentsOf: violations)
            violations.removeAll(keepingCapacity: true)
            return taken
        }
        defer { condition.unlock() }
        swap(&queue, &violations)
        counters.queueDepthValue.store(queue.count, ordering: .relaxed)
        wakeIfDue()
        return queue.count
    }

    /// With `condition` held, after queueing: wakes the sink thread if it waits
    /// for work, or if the queue is half full while it gathers a batch.
    private func wakeIfDue() {
        if sleeping || queue.count >= wakeThreshold { condition.signal() }
    }

    /// Queue length at which a gathering sink thread is woken early.
    private var wakeThreshold: Int { max(1, configuration.queueCapacity / 2) }

    /// Asks the sink to reopen its file (after logrotate; the agent calls it on SIGHUP).
    public func reopen() {
        condition.lock()
        reopenRequested = true
        condition.signal()
        condition.unlock()
    }

    /// Whether nothing is waiting: the queue and the spool are empty.
    public var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return queue.isEmpty && counters.spoolBytesValue.load(ordering: .relaxed) == 0
            && counters.queueDepthValue.load(ordering: .relaxed) == 0
    }

    /// Stops the thread: delivers what it can, spools the rest, closes the
    /// transport. With `persisting` seconds it keeps reconnecting (at least once
    /// a second) and sending what it holds until the receiver has confirmed
    /// everything or that time is up; what is then still in memory is counted
    /// as dropped (``DropCause/timeout``), what is in the spool stays there.
    /// Returns whether the thread finished within `persisting` + `timeout` seconds.
    @discardableResult
    public func shutdown(timeout: Double = 5, persisting: Double = 0) -> Bool {
        beginShutdown(persisting: persisting)
        return waitUntilFinished(Date(timeIntervalSinceNow: timeout + max(0, persisting)))
    }

    /// Asks the thread to stop (see ``shutdown(timeout:persisting:)``) without
    /// waiting, so that several sinks persist at the same time.
    public func beginShutdown(persisting: Double = 0) {
        condition.lock()
        if !stopping, persisting > 0 {
            persistUntilMS = Timestamp.now().millisecondsSinceEpoch + Int64(persisting * 1000)
        }
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Waits until the thread has finished, or `deadline`; returns whether it finished.
    public func waitUntilFinished(_ deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { break }
        }
        return finished
    }

    // MARK: - Sink thread

    private func run() {
        var batch: [Violation] = []
        batch.reserveCapacity(configuration.queueCapacity)
        while true {
            condition.lock()
            while queue.isEmpty && !stopping && !reopenRequested {
                let wait = millisecondsUntilNextWork()
                if wait <= 0 { break }
                sleeping = true
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wait) / 1000))
                sleeping = false
            }
            // Work arrived: give the reader a moment to finish its batch, so one
            // wake-up takes the whole batch (submit does not signal meanwhile,
            // unless the queue is half full or the sink is stopping).
            if !queue.isEmpty, !stopping, queue.count < wakeThreshold {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.gatherSeconds))
            }
            swap(&batch, &queue)
            let stop = stopping
            let persistUntil = persistUntilMS
            let reopen = reopenRequested
            reopenRequested = false
            counters.queueDepthValue.store(batch.count, ordering: .relaxed)
            condition.unlock()

            if reopen {
                do { try transport.reopen() } catch {
                    counters.errorCount.add(1, ordering: .relaxed)
                    logger.warning("cannot reopen \(destination): \(error)")
                }
            }
            let now = Timestamp.now().millisecondsSinceEpoch
            if passThrough {
                // No window, no cap (the pipeline folded already): nothing to fold or count.
                // By index: the loop borrows each violation rather than copy it.
                for i in batch.indices { emit(batch[i], now: now) }
            } else {
                for v in throttle.closeWindows(now: now) { emit(v, now: now) }
                for v in batch {
                    if let out = throttle.admit(v, now: now) { emit(out, now: now) }
                }
            }
            batch.removeAll(keepingCapacity: true)
            flushTransport(now: now)  // written before the queue reads as empty
            counters.queueDepthValue.store(0, ordering: .relaxed)
            if !passThrough { counters.storeFolded(throttle.foldedByCause) }
            service(now: now)
            flushTransport(now: now)
            if stop {
                if !passThrough { for v in throttle.flushAll(now: now) { emit(v, now: now) } }
                service(now: now)
                if let persistUntil { persist(until: persistUntil) }
                finish()
                return
            }
        }
    }

    private func millisecondsUntilNextWork() -> Int64 {
        let now = Timestamp.now().millisecondsSinceEpoch
        var wake = now + 1000
        if !passThrough, let d = throttle.nextDeadline { wake = min(wake, d) }
        if !backlog.isEmpty { wake = min(wake, max(spoolPausedUntilMS, connected ? now : nextAttemptMS)) }
        return wake - now
    }

    /// After stopping: keeps reconnecting (at least once a second) and sending
    /// the backlog until it is empty and the peer confirmed what was sent, or
    /// `deadline` passes, or the transport refuses to open for a reason that
    /// waiting cannot mend (``TransportError/Kind/configuration``).
    private func persist(until deadline: Int64) {
        while true {
            var now = Timestamp.now().millisecondsSinceEpoch
            if backlog.isEmpty {
                confirmSent()  // what the peer does not confirm comes back into the backlog
                if backlog.isEmpty { return }
            }
            guard now < deadline, !openRefused else { return }
            nextAttemptMS = min(nextAttemptMS, now + 1000)
            let wake = min(deadline, max(spoolPausedUntilMS, connected ? now : nextAttemptMS))
            if wake > now { usleep(UInt32(min(wake - now, 1000)) * 1000) }
            now = Timestamp.now().millisecondsSinceEpoch
            service(now: now)
            flushTransport(now: now)
        }
    }

    /// Writes out what the transport gathered during this wake-up (one write
    /// for a file sink's batch); a failure loses the connection like a failed send.
    private func flushTransport(now: Int64) {
        guard connected else { return }
        do { try transport.flush() } catch { connectionLost(error.description, now: now) }
    }

    /// Reconnects when due and drains the backlog (a bounded amount per call).
    private func service(now: Int64) {
        guard !backlog.isEmpty, now >= spoolPausedUntilMS else { return }
        ensureConnected(now: now)
        guard connected else { return }
        var budget = 1000
        while connected, budget > 0 {
            budget -= 1
            let next: Backlog.Entry?
            do { next = try backlog.peek() } catch {
                spoolFailed(error)
                spoolPausedUntilMS = now + 1000
                return
            }
            guard let entry = next else { break }
            guard entry.message.withUnsafeBytes({ send($0, violations: entry.violations, now: now) }) != .lost else { break }
            do { try backlog.advance() } catch {
                spoolFailed(error)
                spoolPausedUntilMS = now + 1000
                return
            }
        }
        counters.spoolBytesValue.store(backlog.diskBytes, ordering: .relaxed)
    }

    private func emit(_ v: Violation, now: Int64) {
        encoder.encode(v) { message in deliver(message, now: now, violations: v.count) }
    }

    /// Sends or spools one message standing for `violations` violations (a
    /// summary's count); a loss counts them all.
    private func deliver(_ message: UnsafeRawBufferPointer, now: Int64, violations: Int) {
        ensureConnected(now: now)
        if connected, !backlog.isEmpty { service(now: now) }
        if connected && backlog.isEmpty {
            switch send(message, violations: violations, now: now) {
            case .sent:
                backoff.reset()
                return
            case .tooLarge: return
            case .lost: break
            }
        }
        hold(message, violations: violations)
    }

    /// What became of one message handed to ``send(_:violations:now:)``.
    private enum SendOutcome { case sent, tooLarge, lost }

    /// The one send path, for new messages and spooled ones alike: checks that
    /// the receiver is still there, sends, counts, and remembers the message
    /// until the peer acknowledges it. A message too large for the transport is
    /// dropped (counted for `violations`); any other failure loses the
    /// connection, and what it had not acknowledged goes back in front of the spool.
    private func send(_ message: UnsafeRawBufferPointer, violations: Int, now: Int64) -> SendOutcome {
        guard transport.isAlive() else {
            connectionLost("the receiver closed the connection", now: now)
            return .lost
        }
        do {
            let end = try transport.send(message)
            counters.sentCount.add(1, ordering: .relaxed)
            sentOnConnection += 1
            track(end, message)
            return .sent
        } catch {
            guard error.kind == .messageTooLarge else {
                connectionLost(error.description, now: now)
                return .lost
            }
            counters.drop(.tooLarge, violations)
            counters.errorCount.add(1, ordering: .relaxed)
            logger.error("dropped a violation: \(error)")
            return .tooLarge
        }
    }

    /// Keeps a message that could not be sent (memory, then spool); a loss
    /// counts every violation it stood for.
    private func hold(_ message: UnsafeRawBufferPointer, violations: Int) {
        do {
            switch try backlog.append(message, violations: violations) {
            case .memory: counters.heldCount.add(1, ordering: .relaxed)
            case .spool: counters.spooledCount.add(1, ordering: .relaxed)
            case .full: counters.drop(.spoolFull, violations)
            case .nowhere: counters.drop(.noSpool, violations)
            }
        } catch {
            counters.drop(.spoolError, violations)
            spoolFailed(error)
        }
        counters.spoolBytesValue.store(backlog.diskBytes, ordering: .relaxed)
    }

    private func ensureConnected(now: Int64) {
        guard !connected, now >= nextAttemptMS else { return }
        do {
            try transport.open()
            connected = true
            sentOnConnection = 0
            openRefused = false
            lastOpenFailure = nil
            logger.info("connected to \(destination)")
        } catch {
            counters.errorCount.add(1, ordering: .relaxed)
            openRefused = error.kind == .configuration
            nextAttemptMS = now + backoff.next()
            // A refusal (a file sink's unsafe directory, a certificate not accepted)
            // must reach the operator with its remedy, not only a debug line.
            let reason = error.description
            if reason != lastOpenFailure {
                lastOpenFailure = reason
                logger.warning("cannot reach \(destination): \(reason); violations are kept (in memory for replay, in the spool) or, without room, dropped and counted until it can be reached")
            } else {
                logger.debug("cannot reach \(destination): \(reason)")
            }
        }
    }

    /// Remembers a sent message until the peer acknowledges its last byte.
    private func track(_ end: UInt64?, _ message: UnsafeRawBufferPointer) {
        guard let end, configuration.retainUnacknowledged > 0 else { return }
        inflight.append((end, Array(message)))
        sendsSincePrune += 1
        if sendsSincePrune >= 32 || inflight.count - inflightHead > configuration.retainUnacknowledged {
            sendsSincePrune = 0
            let acked = transport.acknowledgedPosition() ?? 0
            while inflightHead < inflight.count
                && (inflight[inflightHead].end <= acked || inflight.count - inflightHead > configuration.retainUnacknowledged)
            {
                inflightHead += 1
            }
            if inflightHead > 1024 && inflightHead * 2 > inflight.count {
                inflight.removeFirst(inflightHead)
                inflightHead = 0
            }
        }
    }

    /// The connection is gone (`broken`: it failed under the sink, rather than
    /// being closed by it): what the peer had not acknowledged goes back in
    /// front of the backlog.
    private func connectionLost(_ reason: String, now: Int64, broken: Bool = true) {
        counters.errorCount.add(1, ordering: .relaxed)
        logger.warning("lost \(destination): \(reason); spooling and reconnecting")
        let position = transport.acknowledgedPosition()
        let acked = position ?? 0
        let unacked = inflight[inflightHead...].filter { $0.end > acked }.map(\.message)
        // TCP and TLS: what the receiver's kernel acknowledged on a broken connection
        // may have died with the receiver, and nobody can tell. Counted, not re-sent.
        if broken, position != nil, !transport.receiverAcknowledges {
            counters.unconfirmedCount.add(max(0, sentOnConnection - unacked.count), ordering: .relaxed)
        }
        sentOnConnection = 0
        inflight.removeAll(keepingCapacity: true)
        inflightHead = 0
        transport.close()
        connected = false
        nextAttemptMS = now + backoff.next()
        guard !unacked.isEmpty else { return }
        counters.sentCount.add(-unacked.count, ordering: .relaxed)
        counters.resentCount.add(unacked.count, ordering: .relaxed)
        do {
            switch try backlog.prepend(unacked) {
            case .memory: counters.heldCount.add(unacked.count, ordering: .relaxed)
            case .spool: counters.spooledCount.add(unacked.count, ordering: .relaxed)
            case .full, .nowhere: counters.drop(.noSpool, unacked.count)
            }
        } catch {
            counters.drop(.spoolError, unacked.count)
            spoolFailed(error)
        }
    }

    private func spoolFailed(_ error: any Error) {
        counters.errorCount.add(1, ordering: .relaxed)
        logger.error("spool failure: \(error)")
    }

    /// Waits briefly for the peer to acknowledge what was sent; what it did
    /// not goes back in front of the backlog.
    private func confirmSent() {
        guard connected, let last = inflight.last?.end else { return }
        transport.drain()
        let deadline = Timestamp.now().millisecondsSinceEpoch + 1000
        while (transport.acknowledgedPosition() ?? last) < last && Timestamp.now().millisecondsSinceEpoch < deadline {
            usleep(10_000)
        }
        let acked = transport.acknowledgedPosition() ?? last
        if acked < last {
            connectionLost("shutting down with unacknowledged messages", now: Timestamp.now().millisecondsSinceEpoch, broken: false)
        } else {
            inflight.removeAll(keepingCapacity: true)
            inflightHead = 0
        }
    }

    /// At shutdown: confirms what was sent, closes; what memory still holds is
    /// lost with the sink (counted), what the spool holds waits for the next one.
    private func finish() {
        confirmSent()
        transport.close()
        connected = false
        let held = backlog.discardMemory()
        if held.messages > 0 {
            counters.drop(.timeout, held.violations)
            logger.error("\(destination) did not take \(held.messages) message(s) in time; they are dropped")
        }
        counters.spoolBytesValue.store(backlog.diskBytes, ordering: .relaxed)
        counters.spoolMessagesValue.store(backlog.spool?.pendingMessages() ?? 0, ordering: .relaxed)
        backlog.spool?.close()  // releases the directory for a successor sink (reload)
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
