import CallguardAgent
import Foundation
import TestSupport

/// The set-up the hooked-container tests share: a work directory, a busybox
/// image, one policy for it (podman's default allowlist without `forbidden`),
/// the callguard hook installed in a hooks directory of its own, and the agent
/// and hooked containers started from them. Call ``cleanUp()`` (in a `defer`):
/// it removes the containers, the image and the directory.
final class HookedPodmanScenario {
    let work: URL
    let image: String
    let policies: String
    let state: String
    let hooks: String
    /// Names given to containers, unique to this scenario.
    private let tag: String
    private var containers: [String] = []

    /// Imports the image, writes its policy and installs the hook (fail-open).
    init(label: String, forbidden: Set<String>) throws {
        work = try LiveAudit.temporaryDirectory(label)
        tag = UUID().uuidString.prefix(8).lowercased()
        image = "localhost/callguard-\(label)-\(tag):1"
        policies = work.path + "/policies"
        state = work.path + "/state"
        hooks = work.path + "/hooks"
        try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        let allowed = try SeccompExportPodmanTests().podmanDefaultNames().filter { !forbidden.contains($0) }
        try AgentProfileDeliveryTests().writePolicy(policies, image: image, allow: allowed)
        _ = try HookInstaller.install(directory: hooks, binary: AgentProcess.executable, stateDirectory: state, failureMode: .open)
    }

    /// `callguard run` on the scenario's policies and state, violations on
    /// stdout; `config` (YAML) is written to a file and passed with `--config`.
    func startAgent(_ arguments: [String] = [], config: String? = nil) throws -> AgentProcess {
        var all = ["--policies", policies, "--sink", "stdout", "--state-dir", state] + arguments
        if let config {
            let path = work.path + "/config.yaml"
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            all += ["--config", path]
        }
        return try AgentProcess(all, directory: work.path)
    }

    /// A container name unique to this scenario (removed by ``cleanUp()``).
    func containerName(_ suffix: String) -> String {
        let name = "callguard-\(tag)-\(suffix)"
        containers.append(name)
        return name
    }

    /// `podman run -d` of the image with the hook (runc, cgroupfs), as
    /// `name`; returns the container's id.
    func runHooked(_ name: String, _ command: [String], podmanOptions: [String] = []) throws -> String {
        try PodmanHarness.podman(
            ["--hooks-dir", hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
             "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
                + podmanOptions + ["--name", name, image] + command)
    }

    func cleanUp() {
        PodmanHarness.cleanUp(containers: containers, images: [image])
        try? FileManager.default.removeItem(at: work)
    }
}
