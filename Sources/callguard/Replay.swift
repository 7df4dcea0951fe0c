import ArgumentParser
import CallguardAgent

/// `callguard replay FILE`: runs an auditd log through the pipeline after the socket.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay an auditd log (or - for stdin) through parsing, assembly and policy checks.")

    @Argument(help: "An auditd log file (raw or enriched format), or - for standard input.")
    var file: String

    @Flag(help: "Print statistics as one JSON line on stderr.")
    var stats = false

    func run() async throws {
        let statistics: PipelineStatistics
        do {
            statistics = try ReplayPipeline().run(path: file)
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
        if stats { printError(statistics.jsonLine) }
        if statistics.violations > 0 { throw ExitCode(1) }
    }
}
