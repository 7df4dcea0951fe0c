import ArgumentParser
import CallguardAgent
import Foundation
import Glibc

/// `callguard oci-hook`: the libpod precreate hook (see ``OCIHookFilter``).
/// Reads the proposed OCI config on stdin and writes it, with the image's
/// callguard profile merged in, on stdout.
struct OciHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci-hook",
        abstract: "The podman precreate hook: OCI config on stdin, with the image's callguard profile on stdout.",
        discussion: """
            Installed by `callguard hook install`. Reads the agent's profile index from the state \
            directory; needs no running agent. On failure the container starts unchanged \
            (hookFailure: open) or is refused (deny), and the failure is recorded under \
            STATE-DIR/hook-failures/.
            """)

    @Option(name: .customLong("state-dir"), help: "The agent's profile state directory.")
    var stateDirectory = ProfileDeliveryConfiguration.defaultStateDirectory

    @Option(name: .customLong("hook-failure"), help: "open or deny, when the index itself cannot be read (otherwise the index decides).")
    var hookFailure: HookFailureMode = .open

    @Option(name: .customLong("storage-root"), help: "A containers/storage graph root whose containers.json names images. Repeatable.")
    var storageRoots: [String] = []

    func run() throws {
        var options = OCIHookFilter.Options()
        options.stateDirectory = stateDirectory
        options.failureModeWithoutIndex = hookFailure
        if !storageRoots.isEmpty { options.storageRoots = storageRoots }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let result = OCIHookFilter(options: options).run(input: Array(input))
        if let message = result.message {
            printError(message)
            // podman 4.3.1 discards a hook's stderr: say it to syslog (the journal) too.
            withVaList([message]) { vsyslog(LOG_WARNING | LOG_DAEMON, "%s", $0) }
        }
        if let output = result.output {
            output.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        break
                    }
                    offset += n
                }
            }
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

extension HookFailureMode: ExpressibleByArgument {}
