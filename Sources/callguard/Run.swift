import ArgumentParser
import AuditKit
import CallguardAgent
import ContainerKit
import Foundation
import Logging
import PolicyKit

/// `callguard run`: the agent on the live kernel.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit the live kernel: install rules, read the audit stream, report violations.",
        discussion: """
            Needs root (CAP_AUDIT_CONTROL, CAP_AUDIT_READ); once started, keeps only those two \
            capabilities and sets no_new_privs. Stops on SIGTERM or SIGINT and \
            restores the kernel's audit state; SIGHUP reloads the policies (the old set stays \
            in force when the new one has errors) and reopens file sinks; SIGUSR1 prints \
            statistics as one JSON line on stderr, as does the exit.
            """)

    @OptionGroup var policies: PoliciesOptions

    @Option(help: "A YAML config file (policies, sinks, format, socket, backlog, cache, queue, throttle, spool); options override it.")
    var config: String?

    @OptionGroup var output: OutputOptions

    @OptionGroup var delivery: DeliveryOptions

    @Option(help: "unicast: be the audit daemon (default); multicast: read beside a running auditd.")
    var socket: AuditSessionConfiguration.SocketMode?

    @Option(help: "Audit exit rules: auto (default: none while every container has a callguard seccomp profile; bounded per-process rules for the others), none (unguarded containers are reported, not checked), containers (per-process rules for every container), system (system-wide rules: every host process pays).")
    var rules: RuleMode?

    @Option(help: "Serve Prometheus metrics on this loopback HOST:PORT, e.g. 127.0.0.1:9477.")
    var metrics: String?

    @Option(name: .customLong("docker-root"), help: "Also read docker state under this data root (dockerd --data-root), beside /var/lib/docker. Repeatable.")
    var dockerRoots: [String] = []

    @Option(name: .customLong("containerd-state"), help: "Also read containerd task bundles under this state directory (containerd --state), beside /run/containerd. Repeatable.")
    var containerdStates: [String] = []

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "callguard")
        var configuration = AgentConfiguration()
        if let config {
            do {
                try AgentConfigurationFile.apply(config, to: &configuration)
            } catch {
                printError("callguard: \(error)")
                throw ExitCode(2)
            }
        }
        output.apply(to: &configuration)
        delivery.apply(to: &configuration)
        if let socket { configuration.socketMode = socket }
        if let metrics { configuration.metricsAddress = metrics }
        if let rules { configuration.ruleMode = rules }
        configuration.stateRoots.docker += dockerRoots
        configuration.stateRoots.containerdTasks += containerdStates.map { "\($0)/io.containerd.runtime.v2.task" }
        var directory = policies.resolvedDirectory
        if policies.directory == nil, let configured = configuration.policiesDirectory { directory = configured }
        var chosen = policies
        chosen.directory = directory
        let set = try chosen.loadOrExit()
        logger.info("\(set.policiesByName.count) policies loaded from \(directory)")

        let agent = LiveAgent(configuration: configuration, policies: set, policiesDirectory: directory, logger: logger)
        let statistics: PipelineStatistics
        do {
            statistics = try await agent.run()
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
        printError(statistics.jsonLine)
    }
}

extension AuditSessionConfiguration.SocketMode: ExpressibleByArgument {}
extension RuleMode: ExpressibleByArgument {}
