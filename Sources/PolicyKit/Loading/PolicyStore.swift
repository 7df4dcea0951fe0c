import Synchronization

/// Holds the policy set in force and swaps in a new one only when it loaded
/// without errors, so a broken edit never replaces working policies
/// (SIGHUP reload).
public final class PolicyStore: Sendable {
    private struct State {
        var set: PolicySet
        var generation: UInt64
    }

    private let state: Mutex<State>
    /// `state.generation` as last published, read without the lock (the
    /// verdict reads it for every event).
    private let published = Atomic<UInt64>(0)

    public init(_ initial: PolicySet = .empty) {
        state = Mutex(State(set: initial, generation: 0))
    }

    /// The set in force.
    public var current: PolicySet { state.withLock { $0.set } }

    /// Increases with every successful swap; callers that cache per-container
    /// policies drop their cache when it changes.
    public var generation: UInt64 { published.load(ordering: .acquiring) }

    /// Puts `set` in force.
    public func replace(with set: PolicySet) {
        state.withLock {
            $0.set = set
            $0.generation &+= 1
            published.store($0.generation, ordering: .releasing)
        }
    }

    /// The checked set in `directory`, or every reason it is not one (a
    /// directory that cannot be read is one diagnostic at its path).
    private static func load(directory: String, loader: PolicyLoader) throws(PolicyLoadFailure) -> PolicySet {
        let result: PolicyLoadResult
        do {
            result = try loader.load(directory: directory)
        } catch {
            throw PolicyLoadFailure(diagnostics: [
                Diagnostic(file: directory, mark: .start, message: error.description)
            ])
        }
        return try result.get()
    }

    /// Loads `directory` with `loader` (by default the one the set in force was
    /// loaded with, profile directories included); on success swaps the new set
    /// in and returns it, otherwise keeps the set in force and throws every error.
    @discardableResult
    public func reload(directory: String, loader: PolicyLoader? = nil) throws(PolicyLoadFailure)
        -> PolicySet
    {
        let set = try Self.load(directory: directory, loader: loader ?? current.loader)
        replace(with: set)
        return set
    }

    /// Loads `directory` (with `loader`, by default the one the set in force was
    /// loaded with), lets `beforeSwap` act on the checked new set (install
    /// its audit rules, for example) and swaps it in only when that succeeds.
    /// Any error, from loading or from `beforeSwap`, leaves the set in force
    /// and is rethrown. Reloads are meant to run one at a time (SIGHUP handling).
    @discardableResult
    public func reload(
        directory: String, loader: PolicyLoader? = nil, beforeSwap: (PolicySet) throws -> Void
    ) throws -> PolicySet {
        let set = try Self.load(directory: directory, loader: loader ?? current.loader)
        try beforeSwap(set)
        replace(with: set)
        return set
    }
}
