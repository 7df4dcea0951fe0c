import Glibc

/// A transport failure: what failed, with errno where there is one.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Whether retrying later can help.
    public enum Kind: Sendable { case unavailable, messageTooLarge, configuration }
    public var kind: Kind
    public var what: String
    public var errno: Int32?

    public init(_ kind: Kind, _ what: String, errno: Int32? = nil) {
        self.kind = kind
        self.what = what
        self.errno = errno
    }

    public var description: String {
        if let errno { return "\(what): \(String(cString: strerror(errno))) (errno \(errno))" }
        return what
    }
}
