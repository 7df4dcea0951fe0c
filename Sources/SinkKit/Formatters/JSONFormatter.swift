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
        out.appendASCII("{\"@timestamp\":\"")
        v.audit.time.writeISO8601(into: &out)
        out.appendASCII("\",\"ecs\":{\"version\":\"")
        out.appendASCII(Self.ecsVersion)
        out.appendASCII("\"},\"event\":{\"kind\":")
        string(v.event.kind, &out)
        out.appendASCII(",\"category\":[\"process\"],\"type\":[\"info\"],\"action\":")
        string(v.event.action, &out)
        out.appendASCII(",\"outcome\":\"")
        out.appendASCII(v.outcome.name)
        out.appendASCII("\",\"severity\":")
        out.appendDecimal(v.event.severity)
        out.appendASCII(",\"sequence\":")
        out.appendDecimal(v.audit.serial)
        out.appendASCII(",\"created\":\"")
        v.timestamp.writeISO8601(into: &out)
        if let f = v.fold {
            out.appendASCII("\",\"end\":\"")
            f.lastTime.writeISO8601(into: &out)
        }
        out.appendASCII("\"},\"host\":{\"name\":")
        string(v.hostName, &out)
        out.appendASCII("}")
        if let c = v.container {
            out.appendASCII(",\"container\":{\"id\":")
            string(c.id, &out)
            out.appendASCII(",\"runtime\":")
            string(c.runtime, &out)
            out.appendASCII(",\"image\":{\"name\":")
            string(c.imageName, &out)
            out.appendASCII("}")
            if let name = c.containerName {
                out.appendASCII(",\"name\":")
                string(name, &out)
            }
            out.appendASCII("}")
            if c.namespace != nil || c.podName != nil {
                out.appendASCII(",\"orchestrator\":{\"type\":\"kubernetes\"")
                if let ns = c.namespace {
                    out.appendASCII(",\"namespace\":")
                    string(ns, &out)
                }
                if let pod = c.podName {
                    out.appendASCII(",\"resource\":{\"type\":\"pod\",\"name\":")
                    string(pod, &out)
                    out.appendASCII("}")
                }
                out.appendASCII("}")
            }
        }
        out.appendASCII(",\"process\":{\"pid\":")
        out.appendDecimal(v.process.pid)
        if let ppid = v.process.ppid {
            out.appendASCII(",\"parent\":{\"pid\":")
            out.appendDecimal(ppid)
            out.appendASCII("}")
        }
        out.appendASCII(",\"name\":")
        bytes(v.process.name.bytes, &out)
        out.appendASCII(",\"executable\":")
        bytes(v.process.executable.bytes, &out)
        if let cmd = v.process.commandLine {
            out.appendASCII(",\"command_line\":")
            bytes(cmd.bytes, &out)
        }
        out.appendASCII(",\"user\":{\"id\":")
        string(v.process.userID, &out)
        out.appendASCII("}}")
        if let path = v.process.filePath {
            out.appendASCII(",\"file\":{\"path\":")
            bytes(path.bytes, &out)
            out.appendASCII("}")
        }
        out.appendASCII(",\"rule\":{\"name\":")
        string(v.policy.name, &out)
        out.appendASCII(",\"reference\":")
        string(v.policy.file, &out)
        out.appendASCII("},\"callguard\":{\"syscall\":{\"name\":")
        string(v.syscall.name, &out)
        out.appendASCII(",\"number\":")
        out.appendDecimal(v.syscall.number)
        out.appendASCII(",\"arch\":")
        string(v.syscall.arch, &out)
        if let success = v.syscall.success { out.appendASCII(success ? ",\"success\":true" : ",\"success\":false") }
        if let exit = v.syscall.exit {
            out.appendASCII(",\"exit\":")
            out.appendDecimal(exit)
        }
        if let exists = v.syscall.existsOnHostKernel {
            out.appendASCII(exists ? ",\"exists_on_host_kernel\":true" : ",\"exists_on_host_kernel\":false")
        }
        out.appendASCII("}")
        if let source = v.source {
            out.appendASCII(",\"source\":\"")
            out.appendASCII(source.name)
            out.appendASCII("\"")
        }
        if let seccomp = v.seccomp {
            out.appendASCII(",\"seccomp\":{\"action\":\"")
            out.appendASCII(seccomp.action.name)
            out.appendASCII("\"")
            if let errno = seccomp.errno {
                out.appendASCII(",\"errno\":")
                out.appendDecimal(errno)
            }
            out.appendASCII("}")
        }
        out.appendASCII(",\"count\":")
        out.appendDecimal(v.count)
        if let p = v.profile {
            out.appendASCII(",\"profile\":{\"policy\":")
            string(p.policy, &out)
            out.appendASCII(",\"digest\":")
            string(p.digest, &out)
            if let stale = p.stale { out.appendASCII(stale ? ",\"stale\":true" : ",\"stale\":false") }
            out.appendASCII("}")
        }
        if let f = v.fold {
            out.appendASCII(",\"fold\":{\"kind\":\"")
            out.appendFoldKind(f.kind)
            out.appendASCII("\",\"first_serial\":")
            out.appendDecimal(f.firstSerial)
            out.appendASCII(",\"last_serial\":")
            out.appendDecimal(f.lastSerial)
            out.appendASCII(",\"first_time\":\"")
            f.firstTime.writeISO8601(into: &out)
            out.appendASCII("\"}")
        }
        out.appendASCII("}}")
    }

    @inline(__always)
    private func string(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        DisplayText.write(s, into: &out, Escaper.self)
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private func bytes(_ b: [UInt8], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        DisplayText.write(b, into: &out, Escaper.self)
        out.append(UInt8(ascii: "\""))
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
