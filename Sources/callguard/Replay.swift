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
            against the policy of that image. After the log, sinks whose receiver is down \
            keep retrying (holding what they could not send) until it takes everything \
            or --timeout ends. Exit status: 0 nothing found, 1 violations, 2 unusable \
            input (unreadable log, policies that do not load, bad sink) or violations \
            a sink could not deliver (it says how many).
            """)

    @Argument(help: "An auditd log file (raw or enriched format), or - for standard input.")
    var file: String

    @OptionGroup var policies: PoliciesOptions

    @Option(help: "Check every event as coming from a container of this image.")
    var assumeImage: String?

    @OptionGroup var output: OutputOptions

    @Flag(help: "Print statistics as one JSON line on stderr.")
    var stats = false

    @Option(help: "How long sinks keep retrying a receiver that is down, after the log is read (e.g. 30s, 2m; 0: one last attempt).")
    var timeout: String = "30s"

    func run() async throws {
        guard let retryFor = timeout == "0" ? Duration.zero : LearnDuration.parse(timeout) else {
            printError("callguard: --timeout '\(timeout)' is not a duration; write e.g. 30s, 500ms, 2m, or 0")
            throw ExitCode(2)
        }
        let set = try policies.loadOrExit()
        if assumeImage == nil {
            printError("callguard: an audit log names no containers; without --assume-image IMAGE events are parsed and counted, not checked")
        }
        var configuration = AgentConfiguration()
        output.apply(to: &configuration)
        let seconds = Double(retryFor.components.seconds) + Double(retryFor.components.attoseconds) / 1e18
        let runner = LogReplay(
            path: file, policies: set, assumedImage: assumeImage, configuration: configuration, timeout: seconds)
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
        if let sinks = statistics.sinks {
            if sinks.unconfirmed > 0 {
                printError(
                    "callguard: \(sinks.unconfirmed) message(s) went over a syslog TCP/TLS connection that then broke: "
                        + "the receiver's kernel took them, but whether the receiver kept them cannot be known "
                        + "(syslog over TCP has no acknowledgements); syslog+relp:// confirms every message")
            }
            if sinks.dropped > 0 || sinks.spoolBytes > 0 {
                let causes = sinks.droppedByCause.filter { $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
                    .map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ")
                let spooled = sinks.spoolMessages > 0 || sinks.spoolBytes > 0
                printError(
                    "callguard: \(sinks.dropped + sinks.spoolMessages) violation(s) were not delivered"
                        + (sinks.dropped > 0 ? "; \(sinks.dropped) dropped (\(causes))" : "")
                        + (spooled ? "; \(sinks.spoolMessages) message(s) (\(sinks.spoolBytes) bytes) stay in the spool for the next run" : "")
                        + (sinks.droppedByCause[.timeout, default: 0] > 0 ? "; the receiver did not take them within --timeout \(timeout)" : "")
                        + "; check the sink (the warnings above say why)")
                throw ExitCode(2)
            }
        }
        if statistics.violations > 0 { throw ExitCode(1) }
    }
}
