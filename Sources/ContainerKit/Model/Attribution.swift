/// Who made a syscall: the host, a container, or nobody the agent can name.
///
/// `unknown` is an honest answer: the process had exited, and neither it nor
/// its parent had been seen. The agent counts these and never guesses.
public enum Attribution: Sendable, Equatable, CustomStringConvertible {
    /// A process outside every recognised container.
    case host
    /// A process inside the container described.
    case container(ContainerInfo)
    /// The process could not be attributed.
    case unknown

    /// The container, when attributed to one.
    public var container: ContainerInfo? {
        if case .container(let info) = self { return info }
        return nil
    }

    public var description: String {
        switch self {
        case .host: "host"
        case .container(let info): info.description
        case .unknown: "unknown"
        }
    }
}
