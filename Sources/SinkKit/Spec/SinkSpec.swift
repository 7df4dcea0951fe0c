/// Where violations go: the typed form of a `--sink` string (DESIGN.md).
///
/// `stdout`, `file:PATH`, `syslog+unix:///dev/log`, `syslog+udp://HOST:PORT`,
/// `syslog+tcp://HOST:PORT`, `syslog+tls://HOST:PORT`, `syslog+relp://HOST:PORT`,
/// `syslog+relp+tls://HOST:PORT`. Syslog specs take optional query parameters:
/// `facility=local0`, `rfc3164`, `framing=lf` (TCP and TLS streams), for TLS
/// (both kinds) `ca=FILE`, `cert=FILE`, `key=FILE`, `name=SERVERNAME`, and for
/// RELP `window=N` (messages sent before their acknowledgement, 2...1024).
/// An option given twice, or a TLS option with an empty value (`name=`, a bare
/// `name`), is an error: an empty expected name would switch the certificate's
/// name check off.
public enum SinkSpec: Sendable, Hashable {
    /// JSON lines (or the chosen format) on standard output.
    case stdout
    /// Lines appended to a file, reopened on request (logrotate, SIGHUP).
    case file(path: String)
    /// A syslog receiver.
    case syslog(SyslogDestination)

    /// Parses a sink spec string.
    public init(parsing text: String) throws(SinkSpecError) {
        if text == "stdout" || text == "-" { self = .stdout; return }
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw SinkSpecError(spec: text, reason: "file: needs a path, as in file:/var/log/callguard.json") }
            self = .file(path: path)
            return
        }
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw SinkSpecError(spec: text, reason: "expected stdout, file:PATH or syslog+{unix,udp,tcp,tls,relp,relp+tls}://…")
        }
        let scheme = String(parts[0])
        var rest = String(parts[1])
        var query: [(key: String, value: String?)] = []
        if let q = rest.firstIndex(of: "?") {
            for item in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0])
                // Given twice, one of the two would win silently (which one depends on nothing the operator sees).
                guard !query.contains(where: { $0.key == key }) else {
                    throw SinkSpecError(spec: text, reason: "option \(key) is given twice; keep one")
                }
                query.append((key, kv.count > 1 ? String(kv[1]) : nil))
            }
            rest = String(rest[..<q])
        }
        var dest: SyslogDestination
        switch scheme {
        case "syslog+unix":
            guard rest.hasPrefix("/") else { throw SinkSpecError(spec: text, reason: "syslog+unix needs an absolute socket path, as in syslog+unix:///dev/log") }
            dest = SyslogDestination(transport: .unix(path: rest))
        case "syslog+udp", "syslog+tcp", "syslog+tls", "syslog+relp", "syslog+relp+tls":
            let (host, port) = try Self.hostPort(rest, spec: text)
            switch scheme {
            case "syslog+udp": dest = SyslogDestination(transport: .udp(host: host, port: port))
            case "syslog+tcp": dest = SyslogDestination(transport: .tcp(host: host, port: port))
            case "syslog+relp": dest = SyslogDestination(transport: .relp(host: host, port: port, RELPOptions()))
            case "syslog+relp+tls":
                dest = SyslogDestination(transport: .relp(host: host, port: port, RELPOptions(tls: TLSOptions(serverName: host))))
            default: dest = SyslogDestination(transport: .tls(host: host, port: port, TLSOptions(serverName: host)))
            }
        default:
            throw SinkSpecError(
                spec: text, reason: "unknown scheme \(scheme); use syslog+unix, syslog+udp, syslog+tcp, syslog+tls, syslog+relp or syslog+relp+tls")
        }
        for (key, given) in query {
            let value = given ?? ""
            switch key {
            case "facility":
                guard let f = SyslogFacility(name: value) else { throw SinkSpecError(spec: text, reason: "unknown facility \(value)") }
                dest.facility = f
            case "rfc3164": dest.layout = .rfc3164
            case "rfc5424": dest.layout = .rfc5424
            case "framing":
                guard let f = ["lf": StreamFraming.lineFeed, "octet": .octetCounting][value] else {
                    throw SinkSpecError(spec: text, reason: "framing must be lf or octet")
                }
                dest.framing = f
            case "window":
                guard case .relp(let h, let p, var relp) = dest.transport else {
                    throw SinkSpecError(spec: text, reason: "window= applies to syslog+relp and syslog+relp+tls only")
                }
                guard let n = Int(value), RELPOptions.windowRange.contains(n) else {
                    throw SinkSpecError(spec: text, reason: "window must be 2...1024 (messages in flight before an acknowledgement), not \(value)")
                }
                relp.window = n
                dest.transport = .relp(host: h, port: p, relp)
            case "ca", "cert", "key", "name":
                let tlsOptions: TLSOptions
                switch dest.transport {
                case .tls(_, _, let t): tlsOptions = t
                case .relp(_, _, let r) where r.tls != nil: tlsOptions = r.tls!
                default: throw SinkSpecError(spec: text, reason: "\(key)= applies to syslog+tls and syslog+relp+tls only")
                }
                var tls = tlsOptions
                let h = host(of: dest.transport)
                // An empty value must never reach OpenSSL: an empty expected name
                // would switch the certificate's name check off.
                guard !value.isEmpty else { throw SinkSpecError(spec: text, reason: Self.emptyTLSOption(key, host: h)) }
                switch key {
                case "ca": tls.caFile = value
                case "cert": tls.certificateFile = value
                case "key": tls.privateKeyFile = value
                default: tls.serverName = value
                }
                dest.transport = dest.transport.with(tls)
            default:
                throw SinkSpecError(spec: text, reason: "unknown option \(key)")
            }
        }
        let tls: TLSOptions?
        switch dest.transport {
        case .tls(_, _, let t): tls = t
        case .relp(_, _, let r): tls = r.tls
        default: tls = nil
        }
        if let tls, !Self.isCheckableServerName(tls.serverName) {
            throw SinkSpecError(
                spec: text,
                reason: "the expected server name must be a DNS name (letters, digits, -, _ and dots, not starting with a dot, no *) or an IP address; the TLS library would not check it as written (a NUL ends it early, a leading dot accepts every subdomain)")
        }
        if let tls, tls.privateKeyFile != nil, tls.certificateFile == nil {
            throw SinkSpecError(spec: text, reason: "key= without cert=: add cert=FILE (the client certificate the key belongs to)")
        }
        if case .relp(_, _, let r) = dest.transport, let t = r.tls, t.caFile == nil {
            throw SinkSpecError(
                spec: text,
                reason: "syslog+relp+tls needs ca=FILE, the PEM file of the CA that signs the receiver's certificate (librelp does not read the system store)")
        }
        if case .relp(let h, _, let r) = dest.transport, let t = r.tls, TLSTransport.isIPAddress(t.serverName) {
            // librelp compares the expected name with the certificate's DNS names and CN only;
            // an address would be matched as text against them, never against an IP address SAN.
            throw SinkSpecError(
                spec: text,
                reason: "syslog+relp+tls checks the receiver's certificate by DNS name only (librelp has no IP address check):"
                    + " add name=SERVERNAME, the DNS name in the certificate of \(h)")
        }
        self = .syslog(dest)
    }

    /// Whether OpenSSL checks `name` exactly as written: an IP address, or a DNS
    /// name of letters, digits, `-`, `_` and single dots that does not start with
    /// a dot (OpenSSL reads a leading dot as "any subdomain"; a NUL ends the C
    /// string early, and an empty name turns the check off).
    static func isCheckableServerName(_ name: String) -> Bool {
        if TLSTransport.isIPAddress(name) { return true }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, first != UInt8(ascii: "."), !name.contains("..") else { return false }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
                || b == UInt8(ascii: ".")
        }
    }

    /// What to write instead of an empty `key=` (or a bare `key`) on a TLS sink.
    static func emptyTLSOption(_ key: String, host: String) -> String {
        switch key {
        case "name":
            return "name= needs the name the receiver's certificate carries, as in name=siem.example.net;"
                + " leave name out to check \(host) itself (its DNS name or IP address SAN)"
        case "ca": return "ca= needs the PEM file of the CA that signs the receiver's certificate, as in ca=/etc/callguard/tls/ca.pem; leave ca out to use the system store"
        case "cert": return "cert= needs the PEM client certificate file, as in cert=/etc/callguard/tls/client.pem"
        default: return "key= needs the PEM private key file of cert=, as in key=/etc/callguard/tls/client.key"
        }
    }

    static func hostPort(_ s: String, spec: String) throws(SinkSpecError) -> (String, UInt16) {
        var host: Substring
        var portText: Substring
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            guard after.hasPrefix(":") else { throw SinkSpecError(spec: spec, reason: "missing :PORT") }
            portText = after.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { throw SinkSpecError(spec: spec, reason: "missing :PORT, as in syslog+tcp://siem.example:514") }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        }
        if portText.hasSuffix("/") { portText = portText.dropLast() }
        guard !host.isEmpty else { throw SinkSpecError(spec: spec, reason: "missing host") }
        guard let port = UInt16(portText), port > 0 else { throw SinkSpecError(spec: spec, reason: "port must be 1...65535, not \(portText)") }
        return (String(host), port)
    }
}

/// A syslog receiver: how to reach it and how to write messages for it.
public struct SyslogDestination: Sendable, Hashable {
    /// The socket type and address.
    public var transport: SyslogTransportKind
    /// PRI's facility (default `auth`, where security events go).
    public var facility: SyslogFacility = .auth
    /// RFC 5424 (default) or RFC 3164 headers.
    public var layout: SyslogProtocol = .rfc5424
    /// Framing on TCP and TLS (default octet counting).
    public var framing: StreamFraming = .octetCounting

    public init(transport: SyslogTransportKind) { self.transport = transport }
}

/// The socket a syslog destination uses.
public enum SyslogTransportKind: Sendable, Hashable {
    case unix(path: String)
    case udp(host: String, port: UInt16)
    case tcp(host: String, port: UInt16)
    case tls(host: String, port: UInt16, TLSOptions)
    /// RELP (rsyslog's Reliable Event Logging Protocol): every message acknowledged.
    case relp(host: String, port: UInt16, RELPOptions)

    /// The same destination with other TLS settings (TLS and RELP over TLS).
    func with(_ tls: TLSOptions) -> SyslogTransportKind {
        switch self {
        case .tls(let h, let p, _): return .tls(host: h, port: p, tls)
        case .relp(let h, let p, var r):
            r.tls = tls
            return .relp(host: h, port: p, r)
        default: return self
        }
    }
}

/// The host a destination names ("" for a unix socket).
func host(of transport: SyslogTransportKind) -> String {
    switch transport {
    case .unix: return ""
    case .udp(let h, _), .tcp(let h, _), .tls(let h, _, _), .relp(let h, _, _): return h
    }
}

/// Settings of syslog over RELP.
public struct RELPOptions: Sendable, Hashable {
    /// The window sizes accepted (librelp refuses 1; 1024 bounds memory and duplicates).
    public static let windowRange = 2...1024
    /// TLS settings for `syslog+relp+tls`; nil for plain RELP.
    public var tls: TLSOptions?
    /// How many messages may await their acknowledgement. It bounds both the
    /// throughput over a slow link and the duplicates a receiver may see after a
    /// connection loss (at most this many, plus the one being sent, go again).
    public var window: Int

    public init(tls: TLSOptions? = nil, window: Int = 64) {
        self.tls = tls
        self.window = window
    }
}

/// TLS settings for syslog over TLS (RFC 5425).
public struct TLSOptions: Sendable, Hashable {
    /// PEM file of the CA(s) that sign the receiver's certificate; nil means the system store.
    public var caFile: String?
    /// PEM client certificate (chain) for mutual TLS.
    public var certificateFile: String?
    /// PEM private key of the client certificate.
    public var privateKeyFile: String?
    /// The name the receiver's certificate must carry (and SNI); defaults to the host.
    public var serverName: String

    public init(caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil, serverName: String) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
    }
}

/// A sink spec that does not parse; the message says what to write instead.
public struct SinkSpecError: Error, Sendable, CustomStringConvertible {
    public var spec: String
    public var reason: String
    public var description: String { "invalid sink \"\(spec)\": \(reason)" }
}
