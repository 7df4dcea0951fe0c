/// An image pattern from a policy's `spec.images`: an image reference whose
/// registry, repository and tag may contain `*` globs.
///
/// Precedence: when several policies' patterns match an image, the most
/// specific one wins, compared part by part (digest, registry, repository,
/// tag; see ``ImageSpecificity``). Two patterns of equal specificity that can
/// match the same image are a load error. `*` alone is the default policy's
/// pattern and matches what nothing else matches.
/// A pattern without tag or digest means `:latest` (as `docker pull` does);
/// write `nginx:*` for every tag. A tag of exactly `*` also matches references
/// that carry only a digest.
public struct ImagePattern: Hashable, Sendable, CustomStringConvertible {
    /// The text as written in the policy.
    public let text: String
    /// The normalised pattern.
    public let reference: ImageReference
    /// Higher wins.
    public let specificity: ImageSpecificity

    public init(_ text: String) throws(ImageReferenceError) {
        self.text = text
        guard text != "*" else {
            throw ImageReferenceError("'*' is only valid as the single image of the default policy")
        }
        reference = try ImageReference.parse(text, allowGlobs: true)
        specificity = ImageSpecificity(reference)
    }

    public var description: String { reference.description }

    /// Whether the (normalised) `image` matches this pattern. `digest` is the
    /// image's digest as the runtime resolved it (`sha256:…`), for references
    /// that name the image by tag: a pattern's digest matches either digest.
    public func matches(_ image: ImageReference, digest: String? = nil) -> Bool {
        guard Glob.matches(reference.registry, image.registry),
            Glob.matches(reference.repository, image.repository)
        else { return false }
        if let wanted = reference.digest, image.digest != wanted, digest != wanted { return false }
        if let tag = reference.tag {
            if let imageTag = image.tag {
                if !Glob.matches(tag, imageTag) { return false }
            } else if tag != "*" {
                return false
            }
        }
        return true
    }

    /// Whether some image could match both patterns.
    public func overlaps(_ other: ImagePattern) -> Bool {
        let a = reference
        let b = other.reference
        guard Glob.overlaps(a.registry, b.registry), Glob.overlaps(a.repository, b.repository) else { return false }
        if let x = a.digest, let y = b.digest, x != y { return false }
        switch (a.tag, b.tag) {
        case (let x?, let y?): return Glob.overlaps(x, y)
        default: return true
        }
    }
}
