import AuditKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The audit reader as a service: owns the audit session while it runs. The
/// reader is a blocking hot loop, so it keeps a dedicated thread of its own
/// (never a cooperative one); this service waits for that thread without
/// blocking. On graceful shutdown it stops the reader through its eventfd
/// (``AuditKit/AuditReaderWaker``), hands the last open events on, and calls
/// `onStopped` (which restores the kernel's audit state). A reader that fails
/// ends the service, and with it the group, gracefully.
public final class ReaderService<Stage: PipelineStage & SendableMetatype>: Service, @unchecked Sendable {
    private let session: AuditSession
    private let pipeline: AuditPipeline<Stage>
    private let threadName: String
    private let logger: Logger
    private let onStopped: @Sendable () -> Void
    /// Why the reader stopped, if it failed.
    public let failure = Mutex<AuditError?>(nil)

    /// A service reading `session`'s socket into `pipeline`.
    public init(
        session: AuditSession, pipeline: AuditPipeline<Stage>, threadName: String = "callguard-reader", logger: Logger,
        onStopped: @escaping @Sendable () -> Void
    ) {
        self.session = session
        self.pipeline = pipeline
        self.threadName = threadName
        self.logger = logger
        self.onStopped = onStopped
    }

    public func run() async throws {
        let reader = session.reader
        let owned = Owned(pipeline)
        pipeline.startLive()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        do throws(AuditError) {
                            try reader.run(&owned.pipeline)
                        } catch {
                            failure.withLock { $0 = error }
                        }
                        done.resume()
                    }
                    thread.name = threadName
                    thread.start()
                }
            } onGracefulShutdown: {
                reader.waker.stop()
            }
        } onCancel: {
            reader.waker.stop()
        }
        if let error = failure.withLock({ $0 }) {
            logger.error("the audit reader stopped: \(error.description)")
        }
        // The reader thread has returned: its last open events are handed on from here.
        pipeline.flush()
        pipeline.publish()
        onStopped()
    }
}

/// Hands the pipeline to the reader thread, which owns it until it returns.
private final class Owned<Stage: PipelineStage>: @unchecked Sendable {
    var pipeline: AuditPipeline<Stage>
    init(_ pipeline: AuditPipeline<Stage>) { self.pipeline = pipeline }
}
