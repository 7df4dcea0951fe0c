import ServiceLifecycle

/// The Prometheus endpoint as a service: serves from its listener's thread
/// while the group runs, stops at graceful shutdown.
public struct MetricsService: Service {
    let server: MetricsServer

    public init(server: MetricsServer) { self.server = server }

    public func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}
