/// Which C library an image carries, and which version: what decides whether
/// a syscall the kernel lacks is absorbed (the library falls back on ENOSYS)
/// or breaks the image. Read from the image's files (``LibcDetector``), stated
/// by the operator (`--libc glibc-2.36`), or unknown.
public struct LibcIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The library family.
    public enum Family: String, Sendable, Hashable, CaseIterable {
        case glibc, musl
    }

    /// nil: unknown.
    public var family: Family?
    /// nil: the family is known but not its version.
    public var version: LibcVersion?
    /// Where the answer came from ("--libc", a file of the image), for the report.
    public var source: String?
    /// The oldest kernel the build runs on (glibc's ELF ABI tag), when read from the image.
    public var minimumKernel: KernelVersion?

    public init(family: Family?, version: LibcVersion? = nil, source: String? = nil, minimumKernel: KernelVersion? = nil) {
        self.family = family
        self.version = version
        self.source = source
        self.minimumKernel = minimumKernel
    }

    /// An unknown libc.
    public static let unknown = LibcIdentity(family: nil)

    /// Parses `glibc-2.36`, `musl-1.2.4`, `glibc`, `musl` or `unknown`.
    public init(parsing text: String) throws(LibcIdentityError) {
        let lower = text.lowercased()
        if lower == "unknown" {
            self = .unknown
            return
        }
        let parts = lower.split(separator: "-", maxSplits: 1).map(String.init)
        guard let family = Family(rawValue: parts[0]) else { throw LibcIdentityError(text: text) }
        var version: LibcVersion?
        if parts.count == 2 {
            guard let v = LibcVersion(parsing: parts[1]) else { throw LibcIdentityError(text: text) }
            version = v
        }
        self.init(family: family, version: version, source: "--libc")
    }

    /// "glibc 2.36", "musl (version unknown)", "unknown".
    public var description: String {
        guard let family else { return "unknown" }
        return version.map { "\(family.rawValue) \($0)" } ?? "\(family.rawValue) (version unknown)"
    }
}

/// A libc release: "2.36", "1.2.4".
public struct LibcVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var components: [Int]

    public init(_ components: Int...) { self.components = components }

    /// Parses "2.36", "1.2.4", "2.36-9+deb12u4", "2.36." (what follows the numbers is
    /// ignored); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        var head = text.prefix { $0 == "." || ($0.isASCII && $0.isNumber) }
        while head.last == "." { head = head.dropLast() }
        let parts = head.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 4 else { return nil }
        var numbers: [Int] = []
        for p in parts {
            guard let n = Int(p), p.count <= 4 else { return nil }
            numbers.append(n)
        }
        components = numbers
    }

    public static func < (a: LibcVersion, b: LibcVersion) -> Bool {
        for i in 0..<max(a.components.count, b.components.count) {
            let x = i < a.components.count ? a.components[i] : 0
            let y = i < b.components.count ? b.components[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    public var description: String { components.map(String.init).joined(separator: ".") }
}

/// A `--libc` value that does not parse.
public struct LibcIdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String

    public var description: String {
        "'\(text)' is not a libc; give glibc-VERSION, musl-VERSION, glibc, musl or unknown (e.g. glibc-2.36, musl-1.2.4)"
    }
}
