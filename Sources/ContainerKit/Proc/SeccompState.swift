/// A process's seccomp state, from the `Seccomp:` and `Seccomp_filters:` lines
/// of `/proc/PID/status`: the kernel's own account, which the process cannot
/// forge (it can only add filters, never remove one).
public struct SeccompState: Sendable, Hashable {
    /// 0 disabled, 1 strict, 2 filter.
    public var mode: Int
    /// How many filters are attached (kernel 5.9 and later); nil when the kernel does not say.
    public var filters: Int?

    public init(mode: Int, filters: Int?) {
        self.mode = mode
        self.filters = filters
    }

    /// Parses the text of `/proc/PID/status`; nil when it has no `Seccomp:` line.
    public static func parse<S: StringProtocol>(status text: S) -> SeccompState? {
        var mode: Int?
        var filters: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Seccomp:") {
                mode = Int(line.dropFirst("Seccomp:".count).drop { $0 == " " || $0 == "\t" })
            } else if line.hasPrefix("Seccomp_filters:") {
                filters = Int(line.dropFirst("Seccomp_filters:".count).drop { $0 == " " || $0 == "\t" })
            }
        }
        return mode.map { SeccompState(mode: $0, filters: filters) }
    }

    /// Whether a process in this state has attached a filter its parent in
    /// state `parent` does not have (filters are inherited and never removed).
    /// Without filter counts (kernels before 5.9) any filter counts as its own:
    /// when the answer cannot be known, it is the one that keeps the process checked.
    public func hasFilterBeyond(_ parent: SeccompState) -> Bool {
        if let mine = filters, let theirs = parent.filters { return mine > theirs }
        return mode != 0
    }
}
