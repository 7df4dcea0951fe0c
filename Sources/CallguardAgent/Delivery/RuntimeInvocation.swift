/// One command line of an OCI runtime (runc's syntax), as containerd's shim,
/// dockerd or a person gives it: `runc [global options] COMMAND [options] ID`.
///
/// Only what `callguard oci-runtime` needs is taken out: the command, and for
/// `create`/`run` the bundle directory and the container id; the global
/// `--log`/`--log-format` (where the shim reads the runtime's error message).
/// The arguments themselves are passed to the real runtime unchanged.
public struct RuntimeInvocation: Sendable, Equatable {
    /// The runc command (`create`, `start`, `state`, …); nil when there is none (`--version`).
    public var command: String?
    /// `--bundle`/`-b` of `create`/`run`, as given (nil: the working directory).
    public var bundle: String?
    /// The container id of `create`/`run`.
    public var id: String?
    /// The global `--log` file.
    public var log: String?
    /// The global `--log-format` (`text`, runc's default, or `json`).
    public var logFormat: String?

    /// Whether this invocation creates a container, so its config must be filtered first.
    public var createsContainer: Bool { command == "create" || command == "run" }

    /// runc's global options that take a value (runc 1.1).
    static let globalValueOptions: Set<String> = ["log", "log-format", "root", "criu", "rootless"]
    /// `create`/`run` options that take a value (runc 1.1, and `pidfd-socket` of 1.2).
    static let createValueOptions: Set<String> = ["bundle", "b", "console-socket", "pid-file", "preserve-fds", "pidfd-socket"]

    /// Parses `arguments` (without argv[0]). Go's flag syntax: `-x` and `--x`
    /// alike, a value either `--x=v` or the next argument, options end at the
    /// first non-option or at `--`.
    public init(_ arguments: [String]) {
        // Global options, up to the command.
        var i = Self.scanOptions(arguments, from: 0, valueOptions: Self.globalValueOptions) { name, value in
            if name == "log" { log = value }
            if name == "log-format" { logFormat = value }
        }
        guard i < arguments.count else { return }
        command = arguments[i]
        guard createsContainer else { return }
        i = Self.scanOptions(arguments, from: i + 1, valueOptions: Self.createValueOptions) { name, value in
            if name == "bundle" || name == "b" { bundle = value }
        }
        if i < arguments.count { id = arguments[i] }
    }

    /// Reads options from `start` (each with its value, inline or the next
    /// argument for `valueOptions`) until the first non-option or past `--`;
    /// returns the index after them.
    private static func scanOptions(
        _ arguments: [String], from start: Int, valueOptions: Set<String>, _ visit: (String, String?) -> Void
    ) -> Int {
        var i = start
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" { return i + 1 }
            guard let (name, inline) = option(arg) else { break }
            var value = inline
            if value == nil, valueOptions.contains(name), i + 1 < arguments.count {
                i += 1
                value = arguments[i]
            }
            visit(name, value)
            i += 1
        }
        return i
    }

    /// `-name`, `--name` or `--name=value`; nil when `arg` is no option.
    private static func option(_ arg: String) -> (String, String?)? {
        guard arg.hasPrefix("-"), arg != "-" else { return nil }
        var body = arg.dropFirst()
        if body.hasPrefix("-") { body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        if let eq = body.firstIndex(of: "=") {
            return (String(body[..<eq]), String(body[body.index(after: eq)...]))
        }
        return (String(body), nil)
    }
}
