import CRELP
import Glibc

/// Syslog over RELP (rsyslog's Reliable Event Logging Protocol) with librelp as
/// the client, optionally over TLS: the receiver answers every message, so the
/// sink knows which messages arrived.
///
/// How acknowledgement is known. `relpCltSendSyslog` returns once a message is
/// in librelp's send window; the answers arrive later and librelp offers no call
/// that says how many are still open. But it only sends message *n* after the
/// open ones have dropped below the window size *W*, and a receiver answers in
/// order, so once *n* is sent, messages 1…*n*−*W* have their `200 OK` (an error
/// answer breaks the session and fails the send). ``acknowledgedPosition()`` is
/// that count, so on a connection loss the sink sends the last *W* messages
/// again, plus the one whose send failed: at-least-once, at most *W*+1
/// duplicates per loss. ``drain()`` closes the
/// session politely; the receiver answers `close` after every earlier message,
/// so a close without error means everything was acknowledged.
///
/// librelp's own `relpCltReconnect` is not used: it re-sends its unacknowledged
/// frames from memory, which a restart of the agent loses and which the sink's
/// spool re-sends anyway. A failed session is destroyed and a new one opened.
///
/// With TLS the receiver's certificate must verify against `ca=` and carry the
/// expected name (`name=`, else the host) as a DNS name SAN or CN (librelp's
/// "name" mode, which checks the chain first); an IP address cannot be checked
/// and is refused by ``SinkSpec``. librelp's GnuTLS backend is used: it keeps
/// the CA per session, where its OpenSSL backend loads the CA of the first
/// session into one context for the whole process (a second sink with another
/// `ca=` would be checked against the first one's CA).
public final class RELPTransport: Transport {
    public let destination: String
    private let host: String
    private let port: UInt16
    private let options: RELPOptions
    private var engine: OpaquePointer?
    private var client: OpaquePointer?
    /// Messages sent (over all sessions: positions never go back) and how many
    /// of them are known acknowledged.
    private var sent: UInt64 = 0
    private var acknowledged: UInt64 = 0
    /// Set by librelp's error callbacks (on the sink thread, inside a librelp call).
    fileprivate var sessionError: String?
    fileprivate var authError: String?

    public init(host: String, port: UInt16, options: RELPOptions) {
        self.host = host
        self.port = port
        self.options = options
        destination = "syslog+relp\(options.tls == nil ? "" : "+tls")://\(host):\(port)"
    }

    deinit {
        close()
        if engine != nil { _ = relpEngineDestruct(&engine) }
    }

    private func makeEngine() throws(TransportError) -> OpaquePointer {
        if let engine { return engine }
        // librelp writes with send(2): a vanished peer must not kill the agent.
        signal(SIGPIPE, SIG_IGN)
        var e: OpaquePointer?
        guard relpEngineConstruct(&e) == CRELP_ok(), let e else {
            throw TransportError(.configuration, "cannot create a RELP engine (librelp)")
        }
        guard CRELP_quiet(e) == CRELP_ok() else {
            var doomed: OpaquePointer? = e
            _ = relpEngineDestruct(&doomed)
            throw TransportError(.configuration, "cannot set up a RELP engine (librelp)")
        }
        // Errors come back through callbacks; they name the session through its user pointer.
        let onErr = relpEngineSetOnErr(e) { usr, _, message, _ in
            guard let usr else { return }
            let t = Unmanaged<RELPTransport>.fromOpaque(usr).takeUnretainedValue()
            t.sessionError = message.map { String(cString: $0) } ?? "session broken"
        }
        let onAuthErr = relpEngineSetOnAuthErr(e) { usr, info, message, _ in
            guard let usr else { return }
            let t = Unmanaged<RELPTransport>.fromOpaque(usr).takeUnretainedValue()
            let what = [info, message].compactMap { $0.map { String(cString: $0) } }.joined(separator: ": ")
            t.authError = what.isEmpty ? "certificate not accepted" : what
        }
        // The session must offer the syslog command, or the receiver refuses it at open.
        let enabled = Self.withC("syslog") { relpEngineSetEnableCmd(e, Self.unsigned($0), eRelpCmdState_Required) }
        guard onErr == CRELP_ok(), onAuthErr == CRELP_ok(), enabled == CRELP_ok() else {
            var doomed: OpaquePointer? = e
            _ = relpEngineDestruct(&doomed)
            throw TransportError(
                .configuration, "cannot set up a RELP engine (librelp errors \(onErr), \(onAuthErr), \(enabled))")
        }
        if options.tls != nil, relpEngineSetTLSLibByName(e, "gnutls") != CRELP_ok() {
            var doomed: OpaquePointer? = e
            _ = relpEngineDestruct(&doomed)
            throw TransportError(.configuration, "librelp here has no GnuTLS support; syslog+relp+tls needs it", tlsStep: .context)
        }
        engine = e
        return e
    }

    public func open() throws(TransportError) {
        guard client == nil else { return }
        let e = try makeEngine()
        var c: OpaquePointer?
        guard relpEngineCltConstruct(e, &c) == CRELP_ok(), let c else {
            throw TransportError(.unavailable, "cannot create a RELP client (librelp)")
        }
        sessionError = nil
        authError = nil
        do throws(TransportError) {
            try configure(c)
            let rc = Self.withC(String(port)) { p in Self.withC(host) { h in relpCltConnect(c, PF_UNSPEC, Self.unsigned(p), Self.unsigned(h)) } }
            guard rc == CRELP_ok() else { throw connectError(rc) }
        } catch {
            var doomed: OpaquePointer? = c
            _ = relpEngineCltDestruct(e, &doomed)
            throw error
        }
        client = c
        // What an earlier session sent was acknowledged or is back in the sink's spool.
        acknowledged = sent
    }

    /// Timeouts, window and TLS of a new client, each call's result checked.
    private func configure(_ c: OpaquePointer) throws(TransportError) {
        func check(_ rc: relpRetVal, _ step: TLSStep?, _ what: String) throws(TransportError) {
            guard rc == CRELP_ok() else {
                throw TransportError(.configuration, "\(what) (librelp error \(rc))", tlsStep: step)
            }
        }
        try check(relpCltSetUsrPtr(c, Unmanaged.passUnretained(self).toOpaque()), nil, "cannot set the RELP client's context")
        try check(relpCltSetTimeout(c, 5), nil, "cannot set the RELP timeout")
        try check(relpCltSetConnTimeout(c, 5), nil, "cannot set the RELP connect timeout")
        try check(relpCltSetWindowSize(c, Int32(options.window)), nil, "cannot set the RELP window to \(options.window)")
        guard let tls = options.tls else { return }
        guard !tls.serverName.isEmpty else {
            throw TransportError(
                .configuration, "the expected server name is empty; write name=SERVERNAME or leave name out to check the host itself",
                tlsStep: .expectedName)
        }
        try check(relpCltEnableTLS(c), .context, "cannot enable TLS on the RELP client")
        if let ca = tls.caFile {
            guard access(ca, R_OK) == 0 else {
                throw TransportError(
                    .configuration, "cannot read CA file \"\(ca)\"; ca= must name a readable PEM file of the CA that signs the receiver's certificate",
                    tlsStep: .caFile)
            }
            try check(Self.withC(ca) { relpCltSetCACert(c, $0) }, .caFile, "cannot set CA file \"\(ca)\"")
        } else {
            // librelp's OpenSSL mode verifies against a CA file only: without one, nothing would verify.
            throw TransportError(
                .configuration, "syslog+relp+tls needs ca=FILE (librelp does not use the system CA store)", tlsStep: .caFile)
        }
        if let cert = tls.certificateFile {
            let key = tls.privateKeyFile ?? cert
            for (file, step) in [(cert, TLSStep.clientCertificate), (key, .privateKey)] where access(file, R_OK) != 0 {
                throw TransportError(.configuration, "cannot read \"\(file)\" (PEM expected)", tlsStep: step)
            }
            try check(Self.withC(cert) { relpCltSetOwnCert(c, $0) }, .clientCertificate, "cannot set client certificate \"\(cert)\"")
            try check(Self.withC(key) { relpCltSetPrivKey(c, $0) }, .privateKey, "cannot set private key \"\(key)\"")
        }
        try check(Self.withC("name") { relpCltSetAuthMode(c, $0) }, .expectedName, "cannot select librelp's name check")
        try check(Self.withC(tls.serverName) { relpCltAddPermittedPeer(c, $0) }, .expectedName, "cannot set the expected server name \(tls.serverName)")
    }

    /// A failed connect, with what librelp's callbacks said.
    private func connectError(_ rc: relpRetVal) -> TransportError {
        let detail: String = sessionError.map { ": " + $0 } ?? ""
        if let authError {
            return TransportError(
                .unavailable, "TLS handshake with \(host):\(port) failed: certificate not accepted: \(authError)",
                tlsStep: .certificateVerification)
        }
        if options.tls != nil, Self.tlsErrors.contains(Int(rc) - Int(RELPERR_BASE)) {
            return TransportError(
                .unavailable, "TLS handshake with \(host):\(port) failed (librelp error \(rc))" + detail, tlsStep: .handshake)
        }
        return TransportError(.unavailable, "cannot open a RELP session with \(host):\(port) (librelp error \(rc))" + detail)
    }

    /// librelp's TLS and authentication errors (RELP_RET_*, less RELPERR_BASE).
    private static let tlsErrors: Set<Int> = [31, 33, 34, 35, 36, 39, 40]

    /// What a failed send says, with librelp's own words when it gave any.
    private func sendError(_ rc: relpRetVal) -> TransportError {
        let detail: String = sessionError.map { ": " + $0 } ?? ""
        return TransportError(.unavailable, "cannot send to \(destination) (librelp error \(rc))" + detail)
    }

    public func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64? {
        try open()
        guard let client else { throw TransportError(.unavailable, "not connected") }
        let base = message.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        let rc = relpCltSendSyslog(client, base, message.count)
        guard rc == CRELP_ok() else {
            if Int(rc) == Int(RELPERR_BASE) + 10 {
                throw TransportError(.messageTooLarge, "\(destination) refuses a message of \(message.count) bytes as too long")
            }
            throw sendError(rc)
        }
        sent += 1
        // Message n went out only after fewer than W were open: 1…n−W are answered.
        let window = UInt64(options.window)
        if sent > window { acknowledged = max(acknowledged, sent - window) }
        return sent
    }

    public func acknowledgedPosition() -> UInt64? { acknowledged }

    /// The receiver answers each message itself.
    public var receiverAcknowledges: Bool { true }

    /// Closes the session politely; when the receiver answered `close` without
    /// any error on the way, every message sent on it is acknowledged.
    public func drain() {
        guard let client, let engine else { return }
        sessionError = nil
        var doomed: OpaquePointer? = client
        _ = relpEngineCltDestruct(engine, &doomed)
        self.client = nil
        if sessionError == nil { acknowledged = sent }
    }

    public func close() {
        if let client, let engine {
            var doomed: OpaquePointer? = client
            _ = relpEngineCltDestruct(engine, &doomed)
        }
        client = nil
    }

    /// `s` as a NUL-terminated C string for the duration of `body` (librelp copies what it keeps).
    private static func withC<R>(_ s: String, _ body: (UnsafeMutablePointer<CChar>) -> R) -> R {
        var chars = Array(s.utf8CString)
        return chars.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    private static func unsigned(_ p: UnsafeMutablePointer<CChar>) -> UnsafeMutablePointer<UInt8> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: UInt8.self)
    }
}
