/// A container image reference split into its parts and normalised the way
/// docker and podman do: `nginx` is `docker.io/library/nginx:latest`.
///
/// - registry: the first path component when it contains `.` or `:` or is
///   `localhost`, else `docker.io` (`index.docker.io` is folded into it);
/// - repository: the rest of the path, with `library/` in front of one-part
///   Docker Hub names;
/// - tag: after the last `:` of the last component, `latest` when neither a tag
///   nor a digest is given;
/// - digest: after `@` (`sha256:` + 64 hex digits).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public var registry: String
    public var repository: String
    public var tag: String?
    public var digest: String?

    public init(registry: String, repository: String, tag: String?, digest: String?) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// The normalised text: `registry/repository[:tag][@digest]`.
    public var description: String {
        var s = registry + "/" + repository
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest }
        return s
    }

    /// Parses and normalises `text`; `allowGlobs` admits `*` in registry,
    /// repository and tag (for policy patterns). Throws a message saying what
    /// is wrong with the reference.
    public static func parse(_ text: String, allowGlobs: Bool = false) throws(ImageReferenceError)
        -> ImageReference
    {
        guard !text.isEmpty else { throw .init("the image reference is empty") }
        guard text.utf8.count <= 512 else { throw .init("the image reference is longer than 512 characters") }
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let d = rest[rest.index(after: at)...]
            try validateDigest(d)
            digest = String(d)
            rest = rest[..<at]
        }
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/")
        let lastComponentStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[lastComponentStart...].lastIndex(of: ":") {
            let t = rest[rest.index(after: colon)...]
            try validateTag(t, allowGlobs: allowGlobs)
            tag = String(t)
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        var registry = "docker.io"
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            registry = first.lowercased()
            components.removeFirst()
            try validateRegistry(registry, allowGlobs: allowGlobs)
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = "docker.io" }
        for c in components { try validateComponent(c, allowGlobs: allowGlobs) }
        if registry == "docker.io", components.count == 1 { components.insert("library", at: 0) }
        if tag == nil, digest == nil { tag = "latest" }
        return ImageReference(
            registry: registry, repository: components.joined(separator: "/"), tag: tag, digest: digest)
    }

    static func validateDigest(_ d: Substring) throws(ImageReferenceError) {
        let parts = d.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw .init("digest '\(d)' is not ALGORITHM:HEX (for example sha256: and 64 hex digits)")
        }
        let hex = parts[1]
        let expected = parts[0] == "sha256" ? 64 : parts[0] == "sha512" ? 128 : nil
        guard hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), hex.count >= 32,
            expected.map({ hex.count == $0 }) ?? true
        else {
            throw .init("digest '\(d)' must be \(parts[0]): followed by \(expected ?? 64) lowercase hex digits")
        }
    }

    static func validateTag(_ t: Substring, allowGlobs: Bool) throws(ImageReferenceError) {
        guard !t.isEmpty, t.count <= 128 else { throw .init("tag '\(t)' must be 1 to 128 characters") }
        for (i, c) in t.enumerated() {
            let ok = c.isASCII && (c.isLetter || c.isNumber || c == "_" || (i > 0 && (c == "." || c == "-")))
            if !(ok || (allowGlobs && c == "*")) {
                throw .init("tag '\(t)' has '\(c)': tags are letters, digits, '_', '.', '-' (not first)")
            }
        }
    }

    static func validateRegistry(_ r: String, allowGlobs: Bool) throws(ImageReferenceError) {
        for c in r {
            let ok = c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == ":")
            if !(ok || (allowGlobs && c == "*")) {
                throw .init("registry '\(r)' has '\(c)': a registry is a host name with an optional :PORT")
            }
        }
        if let colon = r.lastIndex(of: ":") {
            let port = r[r.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber || (allowGlobs && $0 == "*") })
            else { throw .init("registry port in '\(r)' is not a number") }
        }
    }

    static func validateComponent(_ c: Substring, allowGlobs: Bool) throws(ImageReferenceError) {
        guard !c.isEmpty else { throw .init("the repository has an empty path component ('//' or a leading '/')") }
        for ch in c {
            if ch.isASCII && (ch.isLowercase || ch.isNumber || ch == "." || ch == "_" || ch == "-") { continue }
            if allowGlobs && ch == "*" { continue }
            if ch.isUppercase {
                throw .init("repository component '\(c)' has uppercase '\(ch)': image repositories are lowercase")
            }
            throw .init("repository component '\(c)' has '\(ch)': use lowercase letters, digits, '.', '_', '-'")
        }
    }
}

/// Why a string is not a valid image reference or pattern.
public struct ImageReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
