import Foundation
import Logging
import SinkKit

/// The last stage of `run` and `replay`: the sinks violations go to, one
/// ``ViolationSink`` (queue, spool, its own thread) per configured destination.
public final class SinkSet: @unchecked Sendable {
    /// A sink spec or spool that cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The sinks, in the order configured.
    public let sinks: [ViolationSink]

    /// Opens every sink of `configuration`. With `throttled` false the sinks
    /// fold nothing themselves: the pipeline's fold stage (``Fold``) throttles
    /// before them, once for all.
    public init(_ configuration: AgentConfiguration, hostName: String, throttled: Bool = true, logger: Logger) throws(Failure) {
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
                throttle: throttled ? configuration.throttle : Throttle(windowMS: 0, maxPerSecond: 0),
                holdBytes: configuration.sinkHoldBytes)
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

    /// Hands `violations` to every sink, one lock and at most one wake-up per sink (never blocks).
    public func submit(contentsOf violations: [Violation]) {
        for sink in sinks { sink.submit(contentsOf: violations) }
    }

    /// Hands `violations` to every sink, one lock and at most one wake-up per
    /// sink (never blocks), and leaves `violations` empty: the last sink takes
    /// the array itself when its queue is empty.
    public func submit(taking violations: inout [Violation]) {
        guard let last = sinks.last else {
            violations.removeAll(keepingCapacity: true)
            return
        }
        for sink in sinks.dropLast() { sink.submit(contentsOf: violations) }
        last.submit(taking: &violations)
    }

    /// Reopens file sinks (SIGHUP, after logrotate).
    public func reopen() {
        for sink in sinks { sink.reopen() }
    }

    /// Delivers what can be delivered within `timeout` seconds, spools the rest;
    /// with `persisting` seconds every sink keeps trying that long first
    /// (``ViolationSink/shutdown(timeout:persisting:)``), all at the same time.
    @discardableResult
    public func shutdown(timeout: Double = 5, persisting: Double = 0) -> Bool {
        for sink in sinks { sink.beginShutdown(persisting: persisting) }
        let deadline = Date(timeIntervalSinceNow: timeout + max(0, persisting))
        var all = true
        for sink in sinks where !sink.waitUntilFinished(deadline) { all = false }
        return all
    }

    /// Delivery counters summed over the sinks.
    public var counters: SinkCounters.Snapshot {
        var total = SinkCounters.Snapshot()
        for sink in sinks { total.add(sink.counters.snapshot) }
        return total
    }
}

extension AgentConfiguration {
    /// The throttle settings (window, rate cap) of the fold stage.
    public var throttle: Throttle {
        Throttle(windowMS: throttleWindowMilliseconds, maxPerSecond: throttleMaximumPerSecond)
    }
}
