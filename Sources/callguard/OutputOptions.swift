import ArgumentParser
import CallguardAgent
import SinkKit

/// `--sink` and `--format`, shared by `run` and `replay`.
struct OutputOptions: ParsableArguments {
    @Option(
        name: .customLong("sink"),
        help: "Where violations go: stdout, file:PATH, syslog+unix:///dev/log, syslog+udp|tcp|tls|relp|relp+tls://HOST:PORT (repeatable; relp: acknowledged, at-least-once).")
    var sinks: [String] = []

    @Option(help: "Violation format: json (Elastic Common Schema), cef (ArcSight) or leef (QRadar).")
    var format: ViolationFormat?

    /// Applies the options over `configuration` (options win over the config file).
    func apply(to configuration: inout AgentConfiguration) {
        if !sinks.isEmpty { configuration.sinks = sinks }
        if let format { configuration.format = format }
    }
}

extension ViolationFormat: ExpressibleByArgument {}
