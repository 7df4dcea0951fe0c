import Logging
import ServiceLifecycle
import UnixSignals

/// The services of one command (`run`, `learn`) as one group: any service
/// that ends, or fails, shuts the whole group down gracefully, in reverse
/// start order; SIGTERM and SIGINT do the same.
public enum AgentServices {
    /// Runs `services` (in start order, each with its name) until they are all
    /// stopped; a group failure is logged, never thrown.
    public static func run(_ services: [(any Service, String)], logger: Logger) async {
        let configured: [ServiceGroupConfiguration.ServiceConfiguration] = services.map {
            .init(
                service: $0.0, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.1)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: configured, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("\(error)")
        }
    }
}
