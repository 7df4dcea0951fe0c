/// Why a YAML file could not be turned into nodes: a syntax error or a broken
/// limit, with the place it happened.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark.line):\(mark.column): \(message)" }
}
