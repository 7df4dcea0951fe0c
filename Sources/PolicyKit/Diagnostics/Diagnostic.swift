/// One problem found while loading policies, tied to a place in a file.
///
/// Rendered as `FILE:LINE:COL: message` (errors) or
/// `FILE:LINE:COL: warning: message` (warnings), the format editors and CI
/// annotators understand.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible, Error {
    /// Whether the problem stops the policy set from loading.
    public enum Severity: String, Hashable, Sendable {
        case error, warning
    }

    public var file: String
    public var mark: SourceMark
    public var message: String
    public var severity: Severity

    public init(file: String, mark: SourceMark, message: String, severity: Severity = .error) {
        self.file = file
        self.mark = mark
        self.message = message
        self.severity = severity
    }

    public var description: String {
        let prefix = "\(file):\(mark.line):\(mark.column): "
        return severity == .error ? prefix + message : prefix + "warning: " + message
    }
}

/// Collects diagnostics while a policy set loads, so that every problem is
/// reported, not only the first.
struct DiagnosticCollector {
    private(set) var diagnostics: [Diagnostic] = []

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func error(_ file: String, _ mark: SourceMark, _ message: String) {
        diagnostics.append(Diagnostic(file: file, mark: mark, message: message))
    }

    mutating func warning(_ file: String, _ mark: SourceMark, _ message: String) {
        diagnostics.append(Diagnostic(file: file, mark: mark, message: message, severity: .warning))
    }

    mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    /// The diagnostics in file, then position order.
    var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            if a.element.file != b.element.file { return a.element.file < b.element.file }
            if a.element.mark != b.element.mark { return a.element.mark < b.element.mark }
            return a.offset < b.offset
        }.map(\.element)
    }
}
