import COpenSSL
import Glibc

/// Syslog over TLS (RFC 5425) with OpenSSL: TLS 1.2 or later, the receiver's
/// certificate verified against a CA file (or the system store) and its name
/// checked, an optional client certificate, octet-counted frames. Every OpenSSL
/// call's result is checked; a failure is a ``TransportError`` naming its
/// ``TLSStep``, and an empty expected name is refused (OpenSSL would take it as
/// "check no name").
public final class TLSTransport: Transport {
    public let destination: String
    private let host: String
    private let port: UInt16
    private let options: TLSOptions
    private let framing: StreamFraming
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    private var fd: Int32 = -1
    private var frame: [UInt8] = []

    public init(host: String, port: UInt16, options: TLSOptions, framing: StreamFraming = .octetCounting) {
        self.host = host
        self.port = port
        self.options = options
        self.framing = framing
        destination = "syslog+tls://\(host):\(port)"
    }

    deinit {
        close()
        if let context { SSL_CTX_free(context) }
    }

    private func makeContext() throws(TransportError) -> OpaquePointer {
        if let context { return context }
        // OpenSSL writes with write(2): a vanished peer must not kill the agent.
        signal(SIGPIPE, SIG_IGN)
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw tlsError(.context, "cannot create a TLS context") }
        do throws(TransportError) {
            try configure(ctx)
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        context = ctx
        return ctx
    }

    /// Every setting of the context, each call's result checked.
    private func configure(_ ctx: OpaquePointer) throws(TransportError) {
        guard COpenSSL_require_tls12(ctx) == 1 else { throw tlsError(.minimumVersion, "cannot require TLS 1.2 or later") }
        COpenSSL_auto_retry(ctx)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        if let ca = options.caFile {
            guard !ca.isEmpty, SSL_CTX_load_verify_locations(ctx, ca, nil) == 1 else {
                throw tlsError(.caFile, "cannot load CA file \"\(ca)\"; ca= must name a readable PEM file of the CA that signs the receiver's certificate")
            }
        } else if SSL_CTX_set_default_verify_paths(ctx) != 1 {
            throw tlsError(.systemCAStore, "cannot load the system CA store; pass ca=FILE")
        }
        if let cert = options.certificateFile {
            let key = options.privateKeyFile ?? cert
            guard !cert.isEmpty, SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 else {
                throw tlsError(.clientCertificate, "cannot load client certificate \"\(cert)\" (PEM chain expected)")
            }
            guard !key.isEmpty, SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
                throw tlsError(.privateKey, "cannot load private key \"\(key)\" (PEM, unencrypted, expected)")
            }
            guard SSL_CTX_check_private_key(ctx) == 1 else {
                throw tlsError(.keyMatchesCertificate, "private key \(key) does not belong to client certificate \(cert)")
            }
        } else if options.privateKeyFile != nil {
            throw TransportError(.configuration, "key= without cert=: give the client certificate too", tlsStep: .clientCertificate)
        }
    }

    /// The checks the session makes of the receiver: its certificate must carry
    /// the expected name (or IP address). An empty name would turn the check off
    /// in OpenSSL, and a leading dot or a NUL would widen it, so they are refused
    /// here too (not only by the spec parser).
    private func setExpectedPeer(_ s: OpaquePointer) throws(TransportError) {
        let name = options.serverName
        guard !name.isEmpty else {
            throw TransportError(
                .configuration, "the expected server name is empty; write name=SERVERNAME or leave name out to check the host itself",
                tlsStep: .expectedName)
        }
        // A leading dot means "any subdomain" to OpenSSL, and a NUL ends the C
        // string early (possibly at "", which clears the check).
        guard SinkSpec.isCheckableServerName(name) else {
            throw TransportError(
                .configuration,
                "the expected server name \(name.debugDescription) is not a DNS name or IP address OpenSSL checks as written; write the name the receiver's certificate carries",
                tlsStep: .expectedName)
        }
        if Self.isIPAddress(name) {
            // An address is checked against the certificate's IP SANs, and never sent as SNI.
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), name) == 1 else {
                throw tlsError(.expectedAddress, "cannot set the expected IP address \(name)")
            }
        } else {
            SSL_set_hostflags(s, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard SSL_set1_host(s, name) == 1 else { throw tlsError(.expectedName, "cannot set the expected server name \(name)") }
            guard COpenSSL_set_sni(s, name) == 1 else { throw tlsError(.serverNameIndication, "cannot send \(name) as SNI") }
        }
    }

    public func open() throws(TransportError) {
        guard ssl == nil else { return }
        let ctx = try makeContext()
        let sock = try Sockets.connect(host: host, port: port, type: Int32(SOCK_STREAM.rawValue), timeoutMS: 5000)
        guard let s = SSL_new(ctx) else {
            Glibc.close(sock)
            throw tlsError(.session, "cannot create a TLS session", kind: .unavailable)
        }
        do throws(TransportError) {
            try handshake(s, sock)
        } catch {
            SSL_free(s)
            Glibc.close(sock)
            throw error
        }
        ssl = s
        fd = sock
    }

    /// Connects `s` over `sock` and checks the receiver; throws (leaving `s` and `sock` to the caller) on any failure.
    private func handshake(_ s: OpaquePointer, _ sock: Int32) throws(TransportError) {
        guard SSL_set_fd(s, sock) == 1 else { throw tlsError(.attachSocket, "cannot attach the socket to the TLS session", kind: .unavailable) }
        try setExpectedPeer(s)
        ERR_clear_error()
        if SSL_connect(s) != 1 {
            let verify = SSL_get_verify_result(s)
            if verify != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verify))
                ERR_clear_error()
                throw TransportError(
                    .unavailable, "TLS handshake with \(host):\(port) failed: certificate not accepted: \(reason)",
                    tlsStep: .certificateVerification)
            }
            throw tlsError(.handshake, "TLS handshake with \(host):\(port) failed", kind: .unavailable)
        }
        // SSL_VERIFY_PEER already fails the handshake on a bad certificate; this
        // makes sure nothing (a callback, a future default) let one through.
        let verify = SSL_get_verify_result(s)
        guard verify == X509_V_OK else {
            throw TransportError(
                .unavailable,
                "\(host):\(port) presented a certificate that did not verify: \(String(cString: X509_verify_cert_error_string(verify)))",
                tlsStep: .certificateVerification)
        }
        guard let peer = SSL_get1_peer_certificate(s) else {
            throw TransportError(.unavailable, "\(host):\(port) presented no certificate", tlsStep: .peerCertificate)
        }
        X509_free(peer)
        // With TLS 1.3 the receiver judges our certificate after the handshake:
        // give it a moment to refuse before any violation is written.
        Sockets.setTimeouts(sock, milliseconds: 200)
        var byte: UInt8 = 0
        ERR_clear_error()
        let peeked = SSL_peek(s, &byte, 1)
        let peekError = SSL_get_error(s, peeked)
        let peekErrno = errno
        Sockets.setTimeouts(sock, milliseconds: 5000)
        if peeked <= 0 && peekError != SSL_ERROR_WANT_READ
            && !(peekError == SSL_ERROR_SYSCALL && (peekErrno == EAGAIN || peekErrno == EWOULDBLOCK))
        {
            throw tlsError(
                .afterHandshake, "\(host):\(port) closed the TLS session after the handshake (client certificate refused?)", kind: .unavailable)
        }
    }

    public func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64? {
        try open()
        guard let ssl else { throw TransportError(.unavailable, "not connected") }
        frame.removeAll(keepingCapacity: true)
        framing.frame(message, into: &frame)
        var off = 0
        while off < frame.count {
            ERR_clear_error()
            let n = frame.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + off, Int32($0.count - off)) }
            if n <= 0 {
                let e = errno
                let detail = sslErrorDetails()
                let what = "cannot send to \(destination) (SSL error \(SSL_get_error(ssl, n)))"
                throw TransportError(.unavailable, detail.isEmpty ? what : "\(what): \(detail)", errno: e == 0 ? nil : e)
            }
            off += Int(n)
        }
        return BIO_number_written(SSL_get_wbio(ssl))
    }

    public func isAlive() -> Bool { fd >= 0 && !Sockets.peerHungUp(fd) }

    public func acknowledgedPosition() -> UInt64? { fd >= 0 ? Sockets.bytesAcked(fd) : nil }

    public func close() {
        if let ssl {
            // A close_notify, so the receiver ends the session cleanly and keeps
            // what it already read (rsyslog discards a session's data on an
            // "improperly terminated" error). Sent once; no wait for the reply.
            if fd >= 0 {
                Sockets.setTimeouts(fd, milliseconds: 200)
                ERR_clear_error()
                _ = SSL_shutdown(ssl)
            }
            SSL_free(ssl)
        }
        ssl = nil
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    static func isIPAddress(_ s: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }

    /// A failed step, with what OpenSSL's error queue says about it (the queue is emptied).
    private func tlsError(_ step: TLSStep, _ what: String, kind: TransportError.Kind = .configuration) -> TransportError {
        let detail = sslErrorDetails()
        return TransportError(kind, detail.isEmpty ? what : "\(what): \(detail)", tlsStep: step)
    }

    /// OpenSSL's queued errors as text, emptying the queue.
    private func sslErrorDetails() -> String {
        var details: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buf, buf.count)
            details.append(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return details.joined(separator: "; ")
    }
}
