/// Writes a policy as YAML in the format ``PolicyLoader`` reads (for
/// `callguard learn --output FILE` and generators). Names are validated by
/// the caller's loader on the way back in; the writer quotes every string.
public struct PolicyWriter: Sendable {
    public var name: String
    public var images: [String]
    public var allow: [String]
    public var include: [String]
    public var severity: PolicySeverity
    /// Lines written as `# ...` above the policy (how it was made).
    public var comment: [String]
    /// A note written as a trailing `# ...` comment after an allowed name
    /// (`callguard learn` writes how often the name was called).
    public var allowNotes: [String: String] = [:]

    public init(
        name: String, images: [String], allow: [String], include: [String] = [], severity: PolicySeverity = .medium,
        comment: [String] = []
    ) {
        self.name = name
        self.images = images
        self.allow = allow
        self.include = include
        self.severity = severity
        self.comment = comment
    }

    /// The policy as YAML text; `allow` sorted and deduplicated.
    public var yaml: String {
        var out = ""
        for line in comment {
            out += "# " + line.filter { $0 != "\n" && $0 != "\r" } + "\n"
        }
        out += "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata:\n"
        out += "  name: \(Self.quote(name))\nspec:\n"
        out += "  images: [\(images.map(Self.quote).joined(separator: ", "))]\n"
        out += "  severity: \(severity.rawValue)\n"
        if !include.isEmpty { out += "  include: [\(include.map(Self.quote).joined(separator: ", "))]\n" }
        out += "  allow:\n"
        for n in Set(allow).sorted() {
            out += "    - \(Self.quote(n))"
            if let note = allowNotes[n] { out += "  # " + note.filter { $0 != "\n" && $0 != "\r" } }
            out += "\n"
        }
        return out
    }

    /// A double-quoted YAML scalar.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20 || u.value == 0x7F: out += "\\x" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
