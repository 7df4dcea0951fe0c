import ArgumentParser
import Foundation
import PolicyKit

/// `callguard rules`: prints the audit rules `run` would install for the
/// policies, in auditctl syntax, with how many syscalls are audited and how
/// many need no rule.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the audit rules 'run' would install, in auditctl syntax.")

    @OptionGroup var policies: PoliciesOptions

    @Option(help: "The pid the rules exclude (the agent's); default: this process's pid.")
    var agentPid: Int32?

    func run() async throws {
        let set = try policies.loadOrExit()
        let pid = agentPid ?? ProcessInfo.processInfo.processIdentifier
        if agentPid == nil {
            print("# pid!=\(pid) stands for the agent's pid: 'callguard run' excludes its own")
        }
        print(RuleCompiler().compile(set, excludingPid: pid).auditctl, terminator: "")
    }
}
