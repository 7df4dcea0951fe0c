import ArgumentParser
import PolicyKit

/// `callguard check`: validates the policies directory and prints every
/// problem as FILE:LINE:COL: message. Exit 0 clean, 1 on any error, 2 when the
/// directory cannot be read.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the policies; print every error as FILE:LINE:COL: message.")

    @OptionGroup var policies: PoliciesOptions

    func run() async throws {
        let dir = policies.resolvedDirectory
        let loader = try policies.loaderOrExit()
        let result: PolicyLoadResult
        do {
            result = try loader.load(directory: dir)
        } catch {
            PolicyCommandOutput.stderr("callguard: \(error.description)\n")
            throw ExitCode(2)
        }
        for d in result.diagnostics { print(d.description) }
        let errors = result.errors.count
        if errors > 0 {
            let files = Set(result.errors.map(\.file)).count
            print("\(errors) error\(errors == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")")
            throw ExitCode(1)
        }
        let set = result.set ?? .empty
        let active = set.activePolicies.count
        let def = set.defaultPolicy.map { "default policy '\($0.name)'" } ?? "no default policy"
        print("ok: \(set.policiesByName.count) policies, \(active) active, \(def)")
    }
}
