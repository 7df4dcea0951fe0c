import ArgumentParser
import AuditKit
import CallguardAgent
import Foundation
import Logging
import PolicyKit

/// `callguard learn`: observe an image's live containers and write a policy.
struct Learn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Observe the live containers of an image and write a policy allowing exactly what they used.",
        discussion: """
            Needs root (CAP_AUDIT_CONTROL, CAP_AUDIT_READ). Audits only the processes of the \
            image's containers (per-process rules with key callguard, followed every --rescan \
            interval, at most --max-rules), leaves runc's bootstrap out, and restores the kernel's audit \
            state at the end or on SIGINT/SIGTERM. Without a running container of the image it \
            waits for one until the duration ends. An existing output file is merged: the union \
            of the syscalls, their counts added. Exit 0 when written; 2 when nothing could be \
            observed or the input is unusable; 1 when the policy was written but the policies \
            directory does not load with it.
            """)

    @Option(help: "The image to learn, as in a policy's spec.images (e.g. localhost/app:1.0).")
    var image: String

    @Option(help: "How long to observe: 500ms, 30s, 5m, 1h (a bare number is seconds).")
    var duration: String = "30s"

    @Option(help: "The policy file to write or merge into; default <policies dir or .>/<image name>.yaml.")
    var output: String?

    @Option(
        name: .customLong("policies"),
        help: "Directory of policies: the default place of the output, and checked with it afterwards.")
    var policiesDirectory: String?

    @Option(help: "How often to look for new and exited processes of the image's containers (e.g. 1s, 250ms).")
    var rescan: String = "1s"

    @Option(help: "The most audit rules at once (4 per process).")
    var maxRules: Int = 200

    @Option(help: "unicast: be the audit daemon (default); multicast: read beside a running auditd.")
    var socket: AuditSessionConfiguration.SocketMode = .unicast

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "callguard")
        guard let observeFor = LearnDuration.parse(duration) else {
            printError("callguard: --duration '\(duration)' is not a duration; write e.g. 30s, 500ms, 5m")
            throw ExitCode(2)
        }
        guard let rescanInterval = LearnDuration.parse(rescan), rescanInterval >= .milliseconds(50) else {
            printError("callguard: --rescan '\(rescan)' is not a duration of at least 50ms")
            throw ExitCode(2)
        }
        guard maxRules >= 4 else {
            printError("callguard: --max-rules must be at least 4 (one process's rules)")
            throw ExitCode(2)
        }
        var configuration = LearnConfiguration(image: image, duration: observeFor)
        configuration.maximumRules = maxRules
        configuration.rescanInterval = rescanInterval
        configuration.socketMode = socket
        let path = output ?? ((policiesDirectory ?? ".") + "/" + LearnedPolicy.name(forImage: image) + ".yaml")

        let observation: LearnObservation
        do {
            observation = try await LiveLearner(configuration: configuration, logger: logger).run()
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
        printError(Self.summaryLine(observation))
        if observation.kernelLost > 0 {
            logger.warning(
                "the kernel dropped \(observation.kernelLost) audit record(s) while learning: rare syscalls may be missing; learn again to merge more")
        }
        if observation.processesOverCap > 0 {
            logger.warning("\(observation.processesOverCap) process sighting(s) had no rules (cap \(maxRules)): their own syscalls were not observed")
        }
        guard !observation.containers.isEmpty else {
            printError("callguard: no container of image \(image) ran during \(duration); nothing written. Start one (podman ps shows the image names) and learn again")
            throw ExitCode(2)
        }
        let written: LearnedPolicy
        do {
            written = try LearnOutput.write(LearnOutput.policy(image: image, observation: observation), to: path)
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
        printError("callguard: wrote \(path): \(written.counts.count) syscall(s) allowed, \(written.runs) run(s)")
        if let policiesDirectory {
            do {
                let result = try PolicyLoader().load(directory: policiesDirectory)
                for d in result.diagnostics { printError(d.description) }
                if result.set == nil { throw ExitCode(1) }
            } catch let error as PolicyDirectoryError {
                printError("callguard: \(error.description)")
                throw ExitCode(1)
            }
        }
    }

    /// The observation as one JSON line (what `run` prints as statistics).
    static func summaryLine(_ o: LearnObservation) -> String { o.json.serialized() }
}
