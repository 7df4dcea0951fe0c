import Logging
import SinkKit

/// The sinks violations go to: one ``ViolationSink`` (queue, spool, throttle,
/// its own thread) per configured destination.
public final class SinkSet: @unchecked Sendable {
    /// A sink spec or spool that cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The sinks, in the order configured.
    public let sinks: [ViolationSink]

    /// Opens every sink of `configuration`.
    public init(_ configuration: AgentConfiguration, hostName: String, logger: Logger) throws(Failure) {
        var sinks: [ViolationSink] = []
        for (index, text) in configuration.sinks.enumerated() {
            let spec: SinkSpec
            do {
                spec = try SinkSpec(parsing: text)
            } catch {
                throw Failure(description: "\(error); use stdout, file:PATH or syslog+{unix,udp,tcp,tls,relp,relp+tls}://...")
            }
            let spool = configuration.spoolDirectory.map { configuration.sinks.count > 1 ? "\($0)/sink-\(index)" : $0 }
            let sinkConfiguration = SinkConfiguration(
                spec: spec, format: configuration.format, hostName: hostName,
                queueCapacity: configuration.queueCapacity, spoolDirectory: spool,
                spoolMaxBytes: configuration.spoolMaximumBytes,
                throttle: Throttle(windowMS: configuration.throttleWindowMilliseconds, maxPerSecond: configuration.throttleMaximumPerSecond))
            do {
                sinks.append(try ViolationSink(configuration: sinkConfiguration, logger: logger))
            } catch {
                for sink in sinks { sink.shutdown(timeout: 1) }
                throw Failure(description: "sink \(text): \(error)")
            }
        }
        self.sinks = sinks
    }

    /// Hands `violation` to every sink (never blocks).
    public func submit(_ violation: Violation) {
        for sink in sinks { sink.submit(violation) }
    }

    /// Reopens file sinks (SIGHUP, after logrotate).
    public func reopen() {
        for sink in sinks { sink.reopen() }
    }

    /// Delivers what can be delivered within `timeout` seconds, spools the rest.
    @discardableResult
    public func shutdown(timeout: Double = 5) -> Bool {
        var all = true
        for sink in sinks where !sink.shutdown(timeout: timeout) { all = false }
        return all
    }

    /// Delivery counters summed over the sinks.
    public var counters: SinkCounters.Snapshot {
        var total = SinkCounters.Snapshot()
        for sink in sinks { total.add(sink.counters.snapshot) }
        return total
    }
}
