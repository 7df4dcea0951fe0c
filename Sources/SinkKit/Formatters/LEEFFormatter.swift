/// Formats a violation in IBM QRadar's Log Event Extended Format 2.0:
/// `LEEF:2.0|callguard|callguard|VERSION|EVENTID|x09|key=value<TAB>key=value`.
///
/// The attribute delimiter is a tab, declared in the header. Values cannot
/// contain it: the ``DisplayText`` transform turns every control byte into
/// `\xNN` (and doubles `\`, so the form is already unambiguous). Header fields
/// escape `\` and `|`; values need no escaping beyond the display form.
/// QRadar's standard keys are used where they exist (`devTime`, `devTimeFormat`,
/// `cat`, `sev`, `identHostName`, `usrName`), callguard's own names otherwise.
public struct LEEFFormatter: ViolationFormatter {
    /// The version in the header's fourth field.
    public var productVersion: String

    public init(productVersion: String = SinkKitVersion.string) { self.productVersion = productVersion }

    public func format(_ v: Violation, into out: inout [UInt8]) {
        out.appendASCII("LEEF:2.0|callguard|callguard|")
        header(productVersion, &out)
        out.append(UInt8(ascii: "|"))
        header(v.event.action, &out)
        out.appendASCII("|x09|devTime=")
        v.timestamp.writeISO8601(into: &out)
        out.appendASCII("\tdevTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\tcat=")
        value(v.event.kind, &out)
        out.appendASCII("\tsev=")
        out.appendDecimal(v.event.severity)
        out.appendASCII("\tidentHostName=")
        value(v.hostName, &out)
        out.appendASCII("\tpid=")
        out.appendDecimal(v.process.pid)
        out.appendASCII("\tppid=")
        out.appendDecimal(v.process.ppid)
        out.appendASCII("\tprocessName=")
        DisplayText.write(v.process.name.bytes, into: &out, escape: LEEFFormatter.escapeValue)
        out.appendASCII("\tprocessPath=")
        DisplayText.write(v.process.executable.bytes, into: &out, escape: LEEFFormatter.escapeValue)
        out.appendASCII("\tusrName=")
        value(v.process.userID, &out)
        out.appendASCII("\tsyscall=")
        value(v.syscall.name, &out)
        out.appendASCII("\tsyscallNumber=")
        out.appendDecimal(v.syscall.number)
        out.appendASCII("\tarch=")
        value(v.syscall.arch, &out)
        out.appendASCII(v.syscall.success ? "\tsuccess=true\texit=" : "\tsuccess=false\texit=")
        out.appendDecimal(v.syscall.exit)
        out.appendASCII("\tpolicy=")
        value(v.policy.name, &out)
        out.appendASCII("\tpolicyFile=")
        value(v.policy.file, &out)
        if let c = v.container {
            out.appendASCII("\tcontainerId=")
            value(c.id, &out)
            out.appendASCII("\tcontainerRuntime=")
            value(c.runtime, &out)
            out.appendASCII("\tcontainerImage=")
            value(c.imageName, &out)
            if let ns = c.namespace {
                out.appendASCII("\tk8sNamespace=")
                value(ns, &out)
            }
            if let pod = c.podName {
                out.appendASCII("\tk8sPod=")
                value(pod, &out)
            }
            if let name = c.containerName {
                out.appendASCII("\tcontainerName=")
                value(name, &out)
            }
        }
        out.appendASCII("\tauditSerial=")
        out.appendDecimal(v.audit.serial)
        out.appendASCII("\tauditTime=")
        v.audit.time.writeISO8601(into: &out)
        out.appendASCII("\tcount=")
        out.appendDecimal(v.count)
    }

    private func header(_ s: String, _ out: inout [UInt8]) {
        withUTF8Bytes(s) { DisplayText.write($0, into: &out, escape: CEFFormatter.escapeHeader) }
    }

    private func value(_ s: String, _ out: inout [UInt8]) {
        withUTF8Bytes(s) { DisplayText.write($0, into: &out, escape: LEEFFormatter.escapeValue) }
    }

    /// Value escaping: a tab (impossible after the display transform) would be `\t`.
    @inlinable
    static func escapeValue(_ b: UInt8, _ out: inout [UInt8]) {
        if b == 0x09 { out.appendASCII("\\t") } else { out.append(b) }
    }
}
