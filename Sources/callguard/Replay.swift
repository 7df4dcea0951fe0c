import ArgumentParser
import CallguardAgent
import Logging
import SinkKit

/// `callguard replay FILE`: an auditd log through every stage after the socket.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay an auditd log (or - for stdin) through parsing, assembly, policy checks and sinks.",
        discussion: """
            An audit log names no containers: with --assume-image every event is checked \
            against the policy of that image. Exit status: 0 nothing found, 1 violations, \
            2 unusable input (unreadable log, policies that do not load, bad sink).
            """)

    @Argument(help: "An auditd log file (raw or enriched format), or - for standard input.")
    var file: String

    @OptionGroup var policies: PoliciesOptions

    @Option(help: "Check every event as coming from a container of this image.")
    var assumeImage: String?

    @OptionGroup var output: OutputOptions

    @Flag(help: "Print statistics as one JSON line on stderr.")
    var stats = false

    func run() async throws {
        let set = try policies.loadOrExit()
        if assumeImage == nil {
            printError("callguard: an audit log names no containers; without --assume-image IMAGE events are parsed and counted, not checked")
        }
        var configuration = AgentConfiguration()
        output.apply(to: &configuration)
        let runner = LogReplay(path: file, policies: set, assumedImage: assumeImage, configuration: configuration)
        let statistics: PipelineStatistics
        do {
            statistics = try runner.run(logger: Logger(label: "callguard"))
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
        if stats { printError(statistics.jsonLine) }
        // Nothing is lost silently: violations a sink could not deliver make
        // the run unusable, whatever else it found.
        if let sinks = statistics.sinks, sinks.dropped > 0 || sinks.spoolBytes > 0 {
            let causes = sinks.droppedByCause.filter { $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ")
            printError(
                "callguard: \(sinks.dropped) violation(s) were not delivered\(causes.isEmpty ? "" : " (\(causes))")"
                    + (sinks.spoolBytes > 0 ? "; \(sinks.spoolBytes) bytes stay in the spool for the next run" : "")
                    + "; check the sink (the warnings above say why)")
            throw ExitCode(2)
        }
        if statistics.violations > 0 { throw ExitCode(1) }
    }
}
