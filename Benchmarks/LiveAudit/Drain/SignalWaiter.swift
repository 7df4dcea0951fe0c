import AuditKit
import Glibc

/// Blocks SIGINT and SIGTERM in every thread and starts a thread that waits
/// for either and then stops the reader through its waker.
nonisolated func stopReaderOnSignals(_ waker: AuditReaderWaker) {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let box = Unmanaged.passRetained(WaiterContext(waker, signals)).toOpaque()
    var thread = pthread_t()
    _ = pthread_create(&thread, nil, signalWaiterMain, box)
    pthread_detach(thread)
}

private final class WaiterContext: @unchecked Sendable {
    let waker: AuditReaderWaker
    var signals: sigset_t
    init(_ w: AuditReaderWaker, _ s: sigset_t) { waker = w; signals = s }
}

private nonisolated func signalWaiterMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let ctx = Unmanaged<WaiterContext>.fromOpaque(raw!).takeRetainedValue()
    var sig: Int32 = 0
    sigwait(&ctx.signals, &sig)
    ctx.waker.stop()
    return nil
}
