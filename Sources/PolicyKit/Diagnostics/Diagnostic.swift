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

    /// Control characters in `file` and `message` (which quote file content)
    /// are escaped, so one diagnostic is always one line.
    public init(file: String, mark: SourceMark, message: String, severity: Severity = .error) {
        self.file = Self.escapeControls(file)
        self.mark = mark
        self.message = Self.escapeControls(message)
        self.severity = severity
    }

    static func escapeControls(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += "\\x" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
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
