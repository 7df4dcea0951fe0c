import AuditKit
import Logging
import PolicyKit
import SinkKit

/// `callguard replay`: policies, an auditd log, the evaluator and the sinks,
/// wired as `run` wires them after its socket.
public struct ReplayRunner {
    /// The log to replay ("-" for standard input).
    public var path: String
    /// The policies in force.
    public var policies: PolicySet
    /// The image every event is taken to come from (an audit log names no containers).
    public var assumedImage: String?
    /// Sinks, format, queue and throttle settings.
    public var configuration: AgentConfiguration

    public init(path: String, policies: PolicySet, assumedImage: String?, configuration: AgentConfiguration) {
        self.path = path
        self.policies = policies
        self.assumedImage = assumedImage
        self.configuration = configuration
    }

    /// Replays the log; returns its statistics once every violation is delivered
    /// (or spooled). Throws ``ReplayPipeline/InputError`` for an unreadable log
    /// and ``SinkSet/Failure`` for an unusable sink.
    public func run(logger: Logger) throws -> PipelineStatistics {
        var sinkConfiguration = configuration
        // A log is read as fast as the disk allows: let the queue hold a whole
        // replay rather than drop what a slower sink has not taken yet.
        sinkConfiguration.queueCapacity = max(configuration.queueCapacity, 1 << 20)
        let hostName = SinkConfiguration.systemHostName()
        let sinks = try SinkSet(sinkConfiguration, hostName: hostName, logger: logger)
        let source: ContainerSource = assumedImage.map { .assumed(imageName: $0) } ?? .none
        let evaluator = EventEvaluator(
            policies: PolicyStore(policies), source: source, factory: ViolationFactory(hostName: hostName),
            emit: sinks.submit)
        var statistics: PipelineStatistics
        do {
            statistics = try ReplayPipeline().run(path: path, onEvent: evaluator.evaluate)
        } catch {
            sinks.shutdown(timeout: 1)
            throw error
        }
        sinks.shutdown(timeout: 30)
        statistics.violations = evaluator.counters.violations
        // SyscallSummary fails only on an unbalanced quote.
        statistics.malformed.count(.unbalancedQuote, times: evaluator.counters.malformed)
        statistics.unattributed = evaluator.counters.unattributed
        statistics.noPolicy = evaluator.counters.noPolicy
        statistics.unparsableSyscalls = evaluator.counters.unparsableSyscall
        statistics.sinks = sinks.counters
        return statistics
    }
}
