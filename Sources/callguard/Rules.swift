import ArgumentParser
import Foundation
import PolicyKit

/// `callguard rules`: prints the audit rules `run --rules system` installs for
/// the policies, exactly as `auditctl -l` lists them once loaded, with how
/// many syscalls are audited and how many need no rule.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the audit rules 'run --rules system' installs, as 'auditctl -l' lists them.",
        discussion: """
            The default 'run --rules auto' installs none of these while every running container \
            has a callguard seccomp profile: only bounded per-process rules for unguarded containers.
            """)

    @OptionGroup var policies: PoliciesOptions

    @Option(help: "The pid the rules exclude (the agent's); default: this process's pid.")
    var agentPid: Int32?

    func run() async throws {
        let set = try policies.loadOrExit()
        let pid = agentPid ?? ProcessInfo.processInfo.processIdentifier
        if agentPid == nil {
            print("# pid!=\(pid) stands for the agent's pid: 'callguard run' excludes its own")
        }
        print(RuleCompiler().compile(set).auditctl(excludingPid: UInt32(bitPattern: pid)), terminator: "")
    }
}
