/// Formats a violation as one line of JSON in the Elastic Common Schema
/// (DESIGN.md): every fact that has an ECS field is written there with the
/// type ECS gives it (`@timestamp`, `ecs.version`, `event.*`, `host.name`,
/// `container.*`, `orchestrator.*` for Kubernetes, `process.*`, `file.path`,
/// `rule.*`); callguard's own facts (the syscall, where it was seen, the
/// seccomp action, the count, a summary's fold)
/// live under the one `callguard.*` object; nothing else is at the top level.
///
/// What the kernel's record does not say is left out, never invented:
/// `process.parent.pid` and `callguard.syscall.{success,exit}` of a SECCOMP
/// record; `event.outcome` is then `unknown` unless the filter refused the call.
///
/// `@timestamp` is when the audited syscall happened (the audit record's time),
/// `event.created` when callguard found it, `event.sequence` the audit serial.
///
/// Strings are escaped per RFC 8259 after the ``DisplayText`` transform, so
/// control bytes and ill-formed UTF-8 never reach the output raw.
public struct JSONFormatter: ViolationFormatter {
    /// The ECS release whose field reference this output follows (`ecs.version`).
    public static let ecsVersion: StaticString = "9.4.0"

    public init() {}

    public func format(_ v: Violation, into out: inout [UInt8]) {
        out.write(bound: Self.bound(v)) { write(v, &$0) }
    }

    /// At least the bytes ``format(_:into:)`` writes for `v`: the fixed text and
    /// numbers within 2 KiB, and each string at most five bytes per byte
    /// (`\\xNN`; a quote or backslash takes two, each of a backslash's two four).
    static func bound(_ v: Violation) -> Int {
        var n = 0
        func add(_ s: String?) { n += s?.utf8.count ?? 0 }
        func add(_ b: UntrustedBytes?) { n += b?.bytes.count ?? 0 }
        add(v.event.kind); add(v.event.action); add(v.hostName)
        if let c = v.container {
            add(c.id); add(c.runtime); add(c.imageName); add(c.containerName); add(c.namespace); add(c.podName)
        }
        add(v.process.name); add(v.process.executable); add(v.process.commandLine); add(v.process.userID)
        add(v.process.filePath)
        add(v.policy.name); add(v.policy.file); add(v.syscall.name); add(v.syscall.arch)
        if let p = v.profile {
            add(p.policy); add(p.digest)
        }
        return 2048 + 6 * n
    }

    private func write(_ v: Violation, _ out: inout ByteCursor) {
        out.ascii("{\"@timestamp\":\"")
        out.iso8601(v.audit.time)
        out.ascii("\",\"ecs\":{\"version\":\"")
        out.ascii(Self.ecsVersion)
        out.ascii("\"},\"event\":{\"kind\":")
        string(v.event.kind, &out)
        out.ascii(",\"category\":[\"process\"],\"type\":[\"info\"],\"action\":")
        string(v.event.action, &out)
        out.ascii(",\"outcome\":\"")
        out.ascii(v.outcome.name)
        out.ascii("\",\"severity\":")
        out.decimal(v.event.severity)
        if !v.isNotice {
            out.ascii(",\"sequence\":")
            out.decimal(v.audit.serial)
        }
        out.ascii(",\"created\":\"")
        out.iso8601(v.timestamp)
        if let f = v.fold {
            out.ascii("\",\"end\":\"")
            out.iso8601(f.lastTime)
        }
        out.ascii("\"},\"host\":{\"name\":")
        string(v.hostName, &out)
        out.ascii("}")
        if let c = v.container {
            out.ascii(",\"container\":{\"id\":")
            string(c.id, &out)
            out.ascii(",\"runtime\":")
            string(c.runtime, &out)
            out.ascii(",\"image\":{\"name\":")
            string(c.imageName, &out)
            out.ascii("}")
            if let name = c.containerName {
                out.ascii(",\"name\":")
                string(name, &out)
            }
            out.ascii("}")
            if c.namespace != nil || c.podName != nil {
                out.ascii(",\"orchestrator\":{\"type\":\"kubernetes\"")
                if let ns = c.namespace {
                    out.ascii(",\"namespace\":")
                    string(ns, &out)
                }
                if let pod = c.podName {
                    out.ascii(",\"resource\":{\"type\":\"pod\",\"name\":")
                    string(pod, &out)
                    out.ascii("}")
                }
                out.ascii("}")
            }
        }
        if !v.process.isNone {
            out.ascii(",\"process\":{\"pid\":")
            out.decimal(v.process.pid)
            if let ppid = v.process.ppid {
                out.ascii(",\"parent\":{\"pid\":")
                out.decimal(ppid)
                out.ascii("}")
            }
            out.ascii(",\"name\":")
            bytes(v.process.name.bytes, &out)
            out.ascii(",\"executable\":")
            bytes(v.process.executable.bytes, &out)
            if let cmd = v.process.commandLine {
                out.ascii(",\"command_line\":")
                bytes(cmd.bytes, &out)
            }
            out.ascii(",\"user\":{\"id\":")
            string(v.process.userID, &out)
            out.ascii("}}")
            if let path = v.process.filePath {
                out.ascii(",\"file\":{\"path\":")
                bytes(path.bytes, &out)
                out.ascii("}")
            }
        }
        if !v.policy.isNone {
            out.ascii(",\"rule\":{\"name\":")
            string(v.policy.name, &out)
            out.ascii(",\"reference\":")
            string(v.policy.file, &out)
            out.ascii("}")
        }
        if v.isNotice {
            // No syscall: the count opens the object.
            out.ascii(",\"callguard\":{\"count\":")
            out.decimal(v.count)
        } else {
            syscall(v.syscall, &out)
        }
        if let source = v.source {
            out.ascii(",\"source\":\"")
            out.ascii(source.name)
            out.ascii("\"")
        }
        if let seccomp = v.seccomp {
            out.ascii(",\"seccomp\":{\"action\":\"")
            out.ascii(seccomp.action.name)
            out.ascii("\"")
            if let errno = seccomp.errno {
                out.ascii(",\"errno\":")
                out.decimal(errno)
            }
            out.ascii("}")
        }
        if !v.isNotice {
            out.ascii(",\"count\":")
            out.decimal(v.count)
        }
        if let p = v.profile {
            out.ascii(",\"profile\":{\"policy\":")
            string(p.policy, &out)
            out.ascii(",\"digest\":")
            string(p.digest, &out)
            if let stale = p.stale { out.ascii(stale ? ",\"stale\":true" : ",\"stale\":false") }
            out.ascii("}")
        }
        if let f = v.fold {
            out.ascii(",\"fold\":{\"kind\":\"")
            out.ascii(f.kind.name)
            out.ascii("\",\"first_serial\":")
            out.decimal(f.firstSerial)
            out.ascii(",\"last_serial\":")
            out.decimal(f.lastSerial)
            out.ascii(",\"first_time\":\"")
            out.iso8601(f.firstTime)
            out.ascii("\"}")
        }
        out.ascii("}}")
    }

    /// `,"callguard":{"syscall":{...}`: the object opened, its syscall written.
    private func syscall(_ syscall: Violation.Syscall, _ out: inout ByteCursor) {
        out.ascii(",\"callguard\":{\"syscall\":{\"name\":")
        string(syscall.name, &out)
        out.ascii(",\"number\":")
        out.decimal(syscall.number)
        out.ascii(",\"arch\":")
        string(syscall.arch, &out)
        if let success = syscall.success { out.ascii(success ? ",\"success\":true" : ",\"success\":false") }
        if let exit = syscall.exit {
            out.ascii(",\"exit\":")
            out.decimal(exit)
        }
        if let exists = syscall.existsOnHostKernel {
            out.ascii(exists ? ",\"exists_on_host_kernel\":true" : ",\"exists_on_host_kernel\":false")
        }
        out.ascii("}")
    }

    @inline(__always)
    private func string(_ s: String, _ out: inout ByteCursor) {
        out.put(UInt8(ascii: "\""))
        out.text(s, Escaper.self)
        out.put(UInt8(ascii: "\""))
    }

    @inline(__always)
    private func bytes(_ b: [UInt8], _ out: inout ByteCursor) {
        out.put(UInt8(ascii: "\""))
        out.text(b, Escaper.self)
        out.put(UInt8(ascii: "\""))
    }
}

extension JSONFormatter {
    /// RFC 8259 string escaping of display text: `"`, `\\` and control bytes.
    public enum Escaper: ByteEscaper {
        @inlinable public static var doublesBackslash: Bool { true }
        @inlinable
        public static func isPlainWord(_ word: UInt64) -> Bool {
            ByteWord.isPrintableWithoutBackslash(word) && !ByteWord.contains(word, UInt8(ascii: "\""))
        }
    @inlinable
    public static func needsEscape(_ b: UInt8) -> Bool { b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 }

    @inlinable
    public static func escape(_ b: UInt8, into out: inout [UInt8]) {
        switch b {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
        case 0..<0x20:
            out.appendASCII("\\u00")
            let hex: StaticString = "0123456789abcdef"
            hex.withUTF8Buffer { out.append($0[Int(b >> 4)]); out.append($0[Int(b & 15)]) }
        default: out.append(b)
        }
    }
}
}
