/// A position in a policy file: 1-based line and column, as editors count them.
public struct SourceMark: Hashable, Sendable, Comparable {
    /// The 1-based line.
    public var line: Int
    /// The 1-based column.
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of a file, for problems that belong to the whole file.
    public static let start = SourceMark(line: 1, column: 1)

    public static func < (a: SourceMark, b: SourceMark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}
