import ArgumentParser

/// `callguard replay FILE`: runs an auditd log through the pipeline after the socket.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay an auditd log (or - for stdin) through parsing and assembly.")

    @Argument(help: "An auditd log file, or - for standard input.")
    var file: String

    @Flag(help: "Print statistics as one JSON line on stderr.")
    var stats = false

    func run() async throws {}
}
