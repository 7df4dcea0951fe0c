/// A Linux kernel release as major.minor.patch, for comparing what a kernel
/// offers with when a syscall appeared ("6.1", "5.15.0-91-generic", "3.10").
///
/// Only the numeric release counts: a distribution suffix ("-91-generic",
/// ".el7.x86_64") is ignored, so distribution backports are not seen.
public struct KernelVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `uname -r`-style text: at least "MAJOR.MINOR", then an optional
    /// ".PATCH", then anything that does not start with a digit or a dot
    /// ("-91-generic", "+", "_rc1"). "3.x" means 3.0.
    public init(parsing text: String) throws(KernelVersionError) {
        let trimmed = text.trimmingWhitespace()
        let head = trimmed.prefix { $0 == "." || $0 == "x" || ($0.isASCII && $0.isNumber) }
        let parts = head.split(separator: ".", omittingEmptySubsequences: false).prefix(3)
        var numbers: [Int] = []
        for (i, part) in parts.enumerated() {
            if part == "x", i > 0 {
                numbers.append(0)  // "3.x": the series' first release
            } else if let n = Int(part), part.count <= 6, part.allSatisfy(\.isNumber) {
                numbers.append(n)
            } else {
                throw KernelVersionError(text: text)
            }
        }
        guard numbers.count >= 2 else { throw KernelVersionError(text: text) }
        self.init(numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 0)
    }

    public static func < (a: KernelVersion, b: KernelVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    /// Whether `self` is in the same stable series (major.minor) as `other`.
    public func isSameSeries(as other: KernelVersion) -> Bool {
        major == other.major && minor == other.minor
    }

    /// "6.1" for 6.1.0, "2.6.16" with a patch level.
    public var description: String {
        patch == 0 ? "\(major).\(minor)" : "\(major).\(minor).\(patch)"
    }
}

/// A kernel version that could not be parsed.
public struct KernelVersionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was given.
    public var text: String

    public init(text: String) { self.text = text }

    public var description: String {
        "'\(text)' is not a kernel version; give MAJOR.MINOR[.PATCH], e.g. 6.1 or 5.15.0-91-generic (uname -r)"
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
