/// Formats a violation in IBM QRadar's Log Event Extended Format 2.0:
/// `LEEF:2.0|callguard|callguard|VERSION|EVENTID|^|key=value^key=value`.
///
/// The attribute delimiter is `^`, declared in the header (LEEF 2.0 lets the
/// sender choose). It is printable on purpose: syslog relays such as rsyslog
/// rewrite a tab to `#011` by default, which breaks tab-delimited LEEF. A `^`
/// inside a value is written `\x5e`, in the same display form that turns every
/// control byte into `\xNN` and doubles `\`, so values stay lossless and can
/// never add or split an attribute. Header fields escape `\` and `|`.
///
/// LEEF's predefined keys are used only with the meaning IBM gives them
/// (`devTime`, `devTimeFormat`, `cat`, `sev` (1–10)); everything else is a
/// custom key, one alphanumeric word that is not a predefined key's name
/// (`usrName` is a user name and `policy` a user account's policy, so the uid
/// is `userId` and the callguard policy `policyName`). Each key appears once;
/// what the kernel's record does not say (`ppid`, `success`, `exit` of a
/// SECCOMP record) is left out, and `outcome` says `unknown`.
public struct LEEFFormatter: ViolationFormatter {
    /// The version in the header's fourth field.
    public var productVersion: String

    public init(productVersion: String = SinkKitVersion.string) { self.productVersion = productVersion }

    public func format(_ v: Violation, into out: inout [UInt8]) {
        out.appendASCII("LEEF:2.0|callguard|callguard|")
        header(productVersion, &out)
        out.append(UInt8(ascii: "|"))
        header(v.event.action, &out)
        out.appendASCII("|^|devTime=")
        v.timestamp.writeISO8601(into: &out)
        out.appendASCII("^devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX^cat=")
        value(v.event.kind, &out)
        out.appendASCII("^sev=")
        out.appendDecimal(max(1, v.event.severity))  // LEEF's range is 1-10
        out.appendASCII("^hostName=")
        value(v.hostName, &out)
        if !v.process.isNone {
            out.appendASCII("^pid=")
            out.appendDecimal(v.process.pid)
            if let ppid = v.process.ppid {
                out.appendASCII("^ppid=")
                out.appendDecimal(ppid)
            }
            out.appendASCII("^processName=")
            DisplayText.write(v.process.name.bytes, into: &out, ValueEscaper.self)
            out.appendASCII("^processPath=")
            DisplayText.write(v.process.executable.bytes, into: &out, ValueEscaper.self)
            out.appendASCII("^userId=")
            value(v.process.userID, &out)
            if let cmd = v.process.commandLine {
                out.appendASCII("^commandLine=")
                DisplayText.write(cmd.bytes, into: &out, ValueEscaper.self)
            }
            if let path = v.process.filePath {
                out.appendASCII("^filePath=")
                DisplayText.write(path.bytes, into: &out, ValueEscaper.self)
            }
        }
        if !v.isNotice {
            out.appendASCII("^syscall=")
            value(v.syscall.name, &out)
            out.appendASCII("^syscallNumber=")
            out.appendDecimal(v.syscall.number)
            out.appendASCII("^arch=")
            value(v.syscall.arch, &out)
            if let success = v.syscall.success { out.appendASCII(success ? "^success=true" : "^success=false") }
            if let exit = v.syscall.exit {
                out.appendASCII("^exit=")
                out.appendDecimal(exit)
            }
        }
        out.appendASCII("^outcome=")
        out.appendASCII(v.outcome.name)
        if let source = v.source {
            out.appendASCII("^source=")
            out.appendASCII(source.name)
        }
        if let seccomp = v.seccomp {
            out.appendASCII("^seccompAction=")
            out.appendASCII(seccomp.action.name)
            if let errno = seccomp.errno {
                out.appendASCII("^seccompErrno=")
                out.appendDecimal(errno)
            }
        }
        if let exists = v.syscall.existsOnHostKernel {
            out.appendASCII(exists ? "^syscallOnHostKernel=true" : "^syscallOnHostKernel=false")
        }
        if !v.policy.isNone {
            out.appendASCII("^policyName=")
            value(v.policy.name, &out)
            out.appendASCII("^policyFile=")
            value(v.policy.file, &out)
        }
        if let c = v.container {
            out.appendASCII("^containerId=")
            value(c.id, &out)
            out.appendASCII("^containerRuntime=")
            value(c.runtime, &out)
            out.appendASCII("^containerImage=")
            value(c.imageName, &out)
            if let ns = c.namespace {
                out.appendASCII("^k8sNamespace=")
                value(ns, &out)
            }
            if let pod = c.podName {
                out.appendASCII("^k8sPod=")
                value(pod, &out)
            }
            if let name = c.containerName {
                out.appendASCII("^containerName=")
                value(name, &out)
            }
        }
        if let p = v.profile {
            out.appendASCII("^profilePolicy=")
            value(p.policy, &out)
            out.appendASCII("^profileDigest=")
            value(p.digest, &out)
            if let stale = p.stale { out.appendASCII(stale ? "^profileStale=true" : "^profileStale=false") }
        }
        if !v.isNotice {
            out.appendASCII("^auditSerial=")
            out.appendDecimal(v.audit.serial)
        }
        out.appendASCII("^auditTime=")
        v.audit.time.writeISO8601(into: &out)
        out.appendASCII("^count=")
        out.appendDecimal(v.count)
        if let f = v.fold {
            out.appendASCII("^foldKind=")
            out.appendASCII(f.kind.name)
            out.appendASCII("^foldFirstSerial=")
            out.appendDecimal(f.firstSerial)
            out.appendASCII("^foldLastSerial=")
            out.appendDecimal(f.lastSerial)
            out.appendASCII("^foldFirstTime=")
            f.firstTime.writeISO8601(into: &out)
            out.appendASCII("^foldLastTime=")
            f.lastTime.writeISO8601(into: &out)
        }
    }

    private func header(_ s: String, _ out: inout [UInt8]) {
        DisplayText.write(s, into: &out, CEFFormatter.HeaderEscaper.self)
    }

    private func value(_ s: String, _ out: inout [UInt8]) {
        DisplayText.write(s, into: &out, ValueEscaper.self)
    }
}

extension LEEFFormatter {
    /// Value escaping: the delimiter `^` becomes `\\x5e` (display form).
    public enum ValueEscaper: ByteEscaper {
        @inlinable public static func needsEscape(_ b: UInt8) -> Bool { b == UInt8(ascii: "^") }
        @inlinable public static func escape(_ b: UInt8, into out: inout [UInt8]) { out.appendASCII("\\x5e") }
    }
}
