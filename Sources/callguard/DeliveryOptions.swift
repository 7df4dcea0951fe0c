import ArgumentParser
import CallguardAgent

/// `run`'s options for profile delivery (the OCI hook's state, kubelet profiles).
struct DeliveryOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "Where the OCI hook's profile index and profiles go (default /run/callguard; none: nowhere).")
    var stateDirectory: String?

    @Option(name: .customLong("kubelet-seccomp-root"), help: "The kubelet's seccomp root; profiles go to ROOT/callguard/<policy>.json (default /var/lib/kubelet/seccomp, when it exists).")
    var kubeletSeccompRoot: String?

    @Option(name: .customLong("hook-failure"), help: "open (default): a container the hook cannot guard starts unguarded; deny: it does not start.")
    var hookFailure: HookFailureMode?

    @Option(name: .customLong("base-profile"), help: "The runtime default seccomp profile the policies narrow (default: the host's containers seccomp.json).")
    var baseProfile: String?

    func apply(to configuration: inout AgentConfiguration) {
        if let stateDirectory { configuration.profileDelivery.stateDirectory = stateDirectory == "none" ? nil : stateDirectory }
        if let kubeletSeccompRoot { configuration.profileDelivery.kubeletSeccompRoot = kubeletSeccompRoot }
        if let hookFailure { configuration.profileDelivery.hookFailure = hookFailure }
        if let baseProfile { configuration.profileDelivery.baseProfile = baseProfile }
    }
}
