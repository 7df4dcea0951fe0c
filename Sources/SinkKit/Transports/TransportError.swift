import Glibc

/// A transport failure: what failed, with errno where there is one.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Whether retrying later can help.
    public enum Kind: Sendable { case unavailable, messageTooLarge, configuration }
    public var kind: Kind
    public var what: String
    public var errno: Int32?
    /// For TLS: the OpenSSL step that failed (nil for other transports).
    public var tlsStep: TLSStep?

    public init(_ kind: Kind, _ what: String, errno: Int32? = nil, tlsStep: TLSStep? = nil) {
        self.kind = kind
        self.what = what
        self.errno = errno
        self.tlsStep = tlsStep
    }

    public var description: String {
        let text = tlsStep.map { "TLS step \($0.rawValue): \(what)" } ?? what
        if let errno { return "\(text): \(String(cString: strerror(errno))) (errno \(errno))" }
        return text
    }
}

/// The steps of setting up a TLS session, each checked: a failure names its step
/// and never lets the session go on with a weaker check than configured.
public enum TLSStep: String, Sendable {
    case context = "create context"
    case minimumVersion = "require TLS 1.2"
    case caFile = "load CA file"
    case systemCAStore = "load system CA store"
    case clientCertificate = "load client certificate"
    case privateKey = "load private key"
    case keyMatchesCertificate = "check private key"
    case session = "create session"
    case attachSocket = "attach socket"
    case expectedName = "set expected name"
    case expectedAddress = "set expected IP address"
    case serverNameIndication = "set SNI"
    case handshake = "handshake"
    case certificateVerification = "verify certificate"
    case peerCertificate = "get peer certificate"
    case afterHandshake = "after handshake"
}
