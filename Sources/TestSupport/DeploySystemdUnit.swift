import Foundation

/// A systemd unit file read into its sections' directives, the way systemd
/// reads it: `[Section]` headers, `Key=Value` lines, `#`/`;` comments, and a
/// trailing backslash continuing a line. A key may appear more than once.
public struct DeploySystemdUnit: Sendable {
    /// One `Key=Value` line, with its section and (first) line number.
    public struct Directive: Equatable, Sendable {
        public var section: String
        public var key: String
        public var value: String
        public var line: Int
    }

    /// Every directive in file order.
    public var directives: [Directive] = []
    /// Lines that are neither a section, a directive, a comment nor blank.
    public var malformedLines: [Int] = []

    public init(_ text: String) {
        var section = ""
        var pending = ""
        var pendingLine = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty {
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                pendingLine = index + 1
            } else if line.hasPrefix("#") || line.hasPrefix(";") {
                continue
            }
            if line.hasSuffix("\\") {
                line.removeLast()
                pending += line + " "
                continue
            }
            line = pending + line
            pending = ""
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                directives.append(Directive(section: section, key: key, value: value, line: pendingLine))
            } else {
                malformedLines.append(pendingLine)
            }
        }
    }

    /// Every value of `key` in `section`, in order.
    public func values(_ section: String, _ key: String) -> [String] {
        directives.filter { $0.section == section && $0.key == key }.map(\.value)
    }

    /// The last value of `key` in `section` (the one systemd uses for single-valued keys).
    public func value(_ section: String, _ key: String) -> String? { values(section, key).last }

    /// The space-separated words of every `key` in `section`, joined.
    public func words(_ section: String, _ key: String) -> Set<String> {
        Set(values(section, key).flatMap { $0.split(separator: " ").map(String.init) })
    }
}
