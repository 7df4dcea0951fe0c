extension SinkSpec {
    /// The transport that delivers to this destination.
    public func makeTransport() -> any Transport {
        switch self {
        case .stdout: return FileTransport(standardOutput: ())
        case .file(let path): return FileTransport(path: path)
        case .syslog(let d):
            switch d.transport {
            case .unix(let path): return DatagramTransport(.unix(path))
            case .udp(let host, let port): return DatagramTransport(.udp(host: host, port: port))
            case .tcp(let host, let port): return TCPTransport(host: host, port: port, framing: d.framing)
            case .tls(let host, let port, let options):
                return TLSTransport(host: host, port: port, options: options, framing: d.framing)
            case .relp(let host, let port, let options):
                return RELPTransport(host: host, port: port, options: options)
            }
        }
    }

    /// The syslog header to write for this destination; nil for stdout and files.
    public func syslogHeader(hostName: String) -> SyslogHeader? {
        guard case .syslog(let d) = self else { return nil }
        return SyslogHeader(facility: d.facility, hostName: hostName, layout: d.layout)
    }
}
