/// How specific an image pattern is, compared part by part in the order a
/// reference is read, never by its length:
///
/// 1. a pattern with a digest beats every pattern without one (a digest names
///    one image's content, whatever it is called);
/// 2. then the registry, 3. then the repository, 4. then the tag: in each part
///    an exact value (no `*`) beats any glob, and of two globs the one with
///    more literal characters in that part wins. A missing tag (a digest
///    pattern like `nginx@sha256:…`) ranks like the tag `*`.
///
/// The first part that differs decides, so `docker.io/library/nginx:*` beats
/// `*/*:*-alpine-slim` (exact repository against a glob), whatever the tags.
/// Patterns equal in every part that can match one image are a load error.
public struct ImageSpecificity: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// The rank of one part of a pattern; later cases rank higher.
    public enum Part: Comparable, Hashable, Sendable, CustomStringConvertible {
        /// A glob with this many literal (non-`*`) characters; `*` alone is 0.
        case glob(literals: Int)
        /// No `*`: the part matches one value only.
        case exact

        init(_ text: String?) {
            guard let text else {
                self = .glob(literals: 0)
                return
            }
            let star = UInt8(ascii: "*")
            let literals = text.utf8.reduce(0) { $0 + ($1 == star ? 0 : 1) }
            self = literals == text.utf8.count ? .exact : .glob(literals: literals)
        }

        public var description: String {
            switch self {
            case .exact: return "exact"
            case .glob(let n): return "glob(\(n))"
            }
        }
    }

    public let pinsDigest: Bool
    public let registry: Part
    public let repository: Part
    public let tag: Part

    public init(pinsDigest: Bool, registry: Part, repository: Part, tag: Part) {
        self.pinsDigest = pinsDigest
        self.registry = registry
        self.repository = repository
        self.tag = tag
    }

    /// The specificity of a (glob) pattern reference.
    init(_ reference: ImageReference) {
        self.init(
            pinsDigest: reference.digest != nil, registry: Part(reference.registry),
            repository: Part(reference.repository), tag: Part(reference.tag))
    }

    public static func < (a: ImageSpecificity, b: ImageSpecificity) -> Bool {
        if a.pinsDigest != b.pinsDigest { return !a.pinsDigest }
        if a.registry != b.registry { return a.registry < b.registry }
        if a.repository != b.repository { return a.repository < b.repository }
        return a.tag < b.tag
    }

    public var description: String {
        "digest: \(pinsDigest ? "yes" : "no"), registry: \(registry), repository: \(repository), tag: \(tag)"
    }
}
