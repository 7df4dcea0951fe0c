/// Builds the seccomp profile callguard delivers for a policy: the container
/// runtime's default profile (the base) narrowed to the policy
/// (``SeccompPolicyMerge``), written as pretty JSON with sorted keys so that
/// the same policy and base always give the same bytes, and so the same
/// ``ProfileDigest``.
public struct MergedProfileBuilder: Sendable {
    /// Why a base profile cannot be used.
    public struct BaseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A profile as written: its bytes and their digest.
    public struct Profile: Sendable, Equatable {
        public var text: String
        public var digest: String
        public var policy: String
        public var action: ProfileAction
    }

    /// The base profile, parsed.
    public let base: JSONObject
    /// Where the base came from (for messages).
    public let baseSource: String

    public init(base: JSONObject, source: String) {
        self.base = base
        self.baseSource = source
    }

    /// The base profile in `text` (JSON); it must be an object with a
    /// `defaultAction` and, when present, a `syscalls` list.
    public init(baseText text: String, source: String) throws(BaseError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw BaseError(description: "the base seccomp profile \(source) is \(error.description)")
        }
        guard let object = value.objectValue, object["defaultAction"]?.stringValue != nil else {
            throw BaseError(description: "the base seccomp profile \(source) has no defaultAction: it is not an OCI seccomp profile")
        }
        if let s = object["syscalls"], s != .null, s.arrayValue == nil {
            throw BaseError(description: "the base seccomp profile \(source) has a syscalls member that is not a list")
        }
        self.init(base: object, source: source)
    }

    /// The profile for `policy` with `action` (the policy's own when nil).
    public func build(_ policy: CompiledPolicy, action: ProfileAction? = nil) -> Profile {
        let merge = SeccompPolicyMerge(policy: policy, action: action)
        let text = JSONValue.object(merge.apply(to: base)).serialized(sortedKeys: true, pretty: true)
        return Profile(text: text, digest: ProfileDigest.of(text), policy: policy.name, action: merge.action)
    }

    /// The default profiles of container runtimes on a host, in the order
    /// looked for: containers-common's override, then its packaged default
    /// (podman, CRI-O, buildah).
    public static let hostDefaultCandidates = ["/etc/containers/seccomp.json", "/usr/share/containers/seccomp.json"]
}
