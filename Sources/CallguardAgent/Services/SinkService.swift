import Logging
import ServiceLifecycle

/// The sinks as a service: they run on their own threads from the start; on
/// graceful shutdown (after the reader has stopped and handed its last
/// violations on) they deliver what they can within `drainTimeout` seconds and
/// spool the rest.
public struct SinkService: Service {
    let sinks: SinkSet
    let drainTimeout: Double
    let logger: Logger

    public init(sinks: SinkSet, drainTimeout: Double = 5, logger: Logger) {
        self.sinks = sinks
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        if !sinks.shutdown(timeout: drainTimeout) {
            logger.warning("sinks did not drain within \(Int(drainTimeout)) s; the rest is spooled or counted as dropped")
        }
    }
}
