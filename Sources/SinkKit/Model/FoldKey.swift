extension Violation {
    /// What the throttle groups violations by: container, image, syscall and
    /// arch. Within one key, violations with different details (executable,
    /// command line, path) are distinct findings (see ``Violation/isSameFinding(as:)``).
    public struct FoldKey: Hashable, Sendable {
        public var containerID: String
        public var imageName: String
        public var syscall: String
        public var arch: String
    }

    /// This violation's fold key.
    public var foldKey: FoldKey {
        FoldKey(
            containerID: container?.id ?? "", imageName: container?.imageName ?? "",
            syscall: syscall.name, arch: syscall.arch)
    }

    /// Whether `other` is the same finding as this one: same executable, command
    /// line and path (pid, serial and time may differ).
    public func isSameFinding(as other: Violation) -> Bool {
        process.executable == other.process.executable && process.commandLine == other.process.commandLine
            && process.filePath == other.process.filePath
    }
}
