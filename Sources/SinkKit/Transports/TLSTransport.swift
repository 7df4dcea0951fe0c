import COpenSSL
import Glibc

/// Syslog over TLS (RFC 5425) with OpenSSL: TLS 1.2 or later, the receiver's
/// certificate verified against a CA file (or the system store) and its name
/// checked, an optional client certificate, octet-counted frames.
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
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw tlsError(.configuration, "cannot create a TLS context") }
        COpenSSL_require_tls12(ctx)
        COpenSSL_auto_retry(ctx)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        if let ca = options.caFile {
            guard SSL_CTX_load_verify_locations(ctx, ca, nil) == 1 else {
                SSL_CTX_free(ctx)
                throw tlsError(.configuration, "cannot load CA file \(ca) (PEM expected)")
            }
        } else if SSL_CTX_set_default_verify_paths(ctx) != 1 {
            SSL_CTX_free(ctx)
            throw tlsError(.configuration, "cannot load the system CA store; pass ca=FILE")
        }
        if let cert = options.certificateFile {
            let key = options.privateKeyFile ?? cert
            guard SSL_CTX_use_certificate_chain_file(ctx, cert) == 1,
                SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1,
                SSL_CTX_check_private_key(ctx) == 1
            else {
                SSL_CTX_free(ctx)
                throw tlsError(.configuration, "cannot use client certificate \(cert) with key \(key)")
            }
        }
        context = ctx
        return ctx
    }

    public func open() throws(TransportError) {
        guard ssl == nil else { return }
        let ctx = try makeContext()
        let sock = try Sockets.connect(host: host, port: port, type: Int32(SOCK_STREAM.rawValue), timeoutMS: 5000)
        guard let s = SSL_new(ctx) else {
            Glibc.close(sock)
            throw tlsError(.unavailable, "cannot create a TLS session")
        }
        SSL_set_fd(s, sock)
        if Self.isIPAddress(options.serverName) {
            // An address is checked against the certificate's IP SANs, and never sent as SNI.
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), options.serverName)
        } else {
            COpenSSL_set_sni(s, options.serverName)
            SSL_set1_host(s, options.serverName)
        }
        ERR_clear_error()
        if SSL_connect(s) != 1 {
            let verify = SSL_get_verify_result(s)
            SSL_free(s)
            Glibc.close(sock)
            if verify != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verify))
                throw TransportError(.unavailable, "TLS handshake with \(host):\(port) failed: certificate not accepted: \(reason)")
            }
            throw tlsError(.unavailable, "TLS handshake with \(host):\(port) failed")
        }
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
            let error = tlsError(.unavailable, "\(host):\(port) closed the TLS session after the handshake (client certificate refused?)")
            SSL_free(s)
            Glibc.close(sock)
            throw error
        }
        ssl = s
        fd = sock
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
                throw tlsError(.unavailable, "cannot send to \(destination) (SSL error \(SSL_get_error(ssl, n)))", errno: e)
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

    private func tlsError(_ kind: TransportError.Kind, _ what: String, errno: Int32? = nil) -> TransportError {
        var details: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buf, buf.count)
            details.append(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let text = details.isEmpty ? what : "\(what): \(details.joined(separator: "; "))"
        return TransportError(kind, text, errno: errno == 0 ? nil : errno)
    }
}
