import AuditKit
import Logging
import PolicyKit
import SinkKit

/// `callguard replay`: the pipeline with a log file as its source and the
/// sinks as its last stage — what `run` does after its socket.
public struct LogReplay {
    /// The log to replay ("-" for standard input).
    public var path: String
    /// The policies in force.
    public var policies: PolicySet
    /// The image every event is taken to come from (an audit log names no containers).
    public var assumedImage: String?
    /// Sinks, format, queue and throttle settings.
    public var configuration: AgentConfiguration
    /// Seconds the sinks keep retrying, after the log is read, to deliver what
    /// their receivers did not take (`replay --timeout`).
    public var timeout: Double

    /// The default of ``timeout``.
    public static let defaultTimeout: Double = 30

    public init(
        path: String, policies: PolicySet, assumedImage: String?, configuration: AgentConfiguration,
        timeout: Double = LogReplay.defaultTimeout
    ) {
        self.path = path
        self.policies = policies
        self.assumedImage = assumedImage
        self.configuration = configuration
        self.timeout = timeout
    }

    /// Replays the log; returns its statistics once every violation is delivered,
    /// or ``timeout`` has passed (what is left is then counted as not delivered,
    /// or stays in the spool). Throws ``ReplayInputError`` for an unreadable log
    /// and ``SinkSet/Failure`` for an unusable sink.
    public func run(logger: Logger) throws -> PipelineStatistics {
        var sinkConfiguration = configuration
        // A log is read as fast as the disk allows: let the queue hold a whole
        // replay rather than drop what a slower sink has not taken yet.
        sinkConfiguration.queueCapacity = max(configuration.queueCapacity, 1 << 20)
        // And keep what a receiver does not take in memory (then the spool) until
        // it returns or the timeout ends, rather than drop it.
        sinkConfiguration.sinkHoldBytes = max(configuration.sinkHoldBytes, 64 << 20)
        let hostName = SinkConfiguration.systemHostName()
        let sinks = try SinkSet(sinkConfiguration, hostName: hostName, throttled: false, logger: logger)
        let source: ContainerSource = assumedImage.map { .assumed(imageName: $0) } ?? .none
        let evaluator = EventEvaluator(
            policies: PolicyStore(policies), source: source, factory: ViolationFactory(hostName: hostName),
            throttle: configuration.throttle, emit: sinks.submit)
        let pipeline = AuditPipeline(.logFile, stage: evaluator)
        let board = StatisticsBoard()
        pipeline.board = board
        let read: LogFileRead
        do {
            read = try pipeline.replay(path: path)
        } catch {
            sinks.shutdown(timeout: 1)
            throw error
        }
        sinks.shutdown(timeout: 10, persisting: timeout)
        var statistics = board.snapshot
        statistics.bytes = read.bytes
        statistics.seconds = read.seconds
        statistics.takeSinks(sinks.counters)
        return statistics
    }
}
