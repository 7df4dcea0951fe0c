import ArgumentParser
import CallguardAgent

/// `callguard hook install|uninstall`: the podman hook file for `callguard oci-hook`.
struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install or remove the podman precreate hook that gives containers their callguard profiles.",
        subcommands: [Install.self, Uninstall.self])

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the hook file (\(HookInstaller.fileName)) into the hooks directory.",
            discussion: """
                Never into \(HookInstaller.crioDirectory): CRI-O reads it and refuses hook files with \
                the precreate stage. The hook runs this callguard binary.
                """)

        @Option(name: .customLong("hooks-dir"), help: "The hooks directory podman reads.")
        var hooksDirectory = HookInstaller.defaultDirectory

        @Option(name: .customLong("state-dir"), help: "The agent's profile state directory (as `run --state-dir`).")
        var stateDirectory = ProfileDeliveryConfiguration.defaultStateDirectory

        @Option(name: .customLong("hook-failure"), help: "open or deny, when the hook cannot read the agent's index.")
        var hookFailure: HookFailureMode = .open

        func run() throws {
            do {
                let path = try HookInstaller.install(
                    directory: hooksDirectory, binary: HookInstaller.currentExecutable(), stateDirectory: stateDirectory,
                    failureMode: hookFailure)
                print("installed \(path)")
            } catch {
                printError("callguard: \(error.description)")
                throw ExitCode(2)
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the hook file from the hooks directory.")

        @Option(name: .customLong("hooks-dir"), help: "The hooks directory podman reads.")
        var hooksDirectory = HookInstaller.defaultDirectory

        func run() throws {
            do {
                let removed = try HookInstaller.uninstall(directory: hooksDirectory)
                print(removed ? "removed \(hooksDirectory)/\(HookInstaller.fileName)" : "no hook file in \(hooksDirectory)")
            } catch {
                printError("callguard: \(error.description)")
                throw ExitCode(2)
            }
        }
    }
}
