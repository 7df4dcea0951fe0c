/// Formats a violation in ArcSight's Common Event Format:
/// `CEF:0|callguard|callguard|VERSION|SIGNATURE|NAME|SEVERITY|extension`.
///
/// Header fields escape `\` and `|`; extension values escape `\` and `=` (and
/// line breaks, which the ``DisplayText`` transform already removed).
///
/// Only keys of CEF's extension dictionary are written, each with the meaning
/// the dictionary gives it (`rt`, `cat`, `act`, `dvchost`, `spid`, `sproc`,
/// `suid`, `filePath`, `fname` (the file name of `filePath`, never the
/// executable), `outcome` (left out when unknown), `cnt`, `externalId`, `start`, `end`), then the
/// labelled device custom keys `cn1`..`cn3` and `cs1`..`cs6` (`cn2`, the exit,
/// and `cn3`, the ppid, left out with their labels when unknown). `flexString1`,
/// `flexString2` and `flexDate1` are the customer's and never set. What the
/// dictionary has no key for (the executable, command line, container runtime,
/// Kubernetes names, the record's source and seccomp action, a summary's fold) goes into vendor-defined keys named as
/// CEF asks, one alphanumeric word `VendornameProductnameKeyName`:
/// `callguardCallguard…`.
public struct CEFFormatter: ViolationFormatter {
    /// The version in the header's fourth field.
    public var productVersion: String

    public init(productVersion: String = SinkKitVersion.string) { self.productVersion = productVersion }

    public func format(_ v: Violation, into out: inout [UInt8]) {
        out.appendASCII("CEF:0|callguard|callguard|")
        header(productVersion, &out)
        out.append(UInt8(ascii: "|"))
        header(v.event.action, &out)
        out.append(UInt8(ascii: "|"))
        if v.event.action == Violation.Event.containerUnguarded {
            out.appendASCII("container without a callguard seccomp profile, policy ")
        } else if v.event.action == Violation.Event.recordsLost {
            out.appendASCII("the kernel dropped audit records: violations may be missing")
        } else {
            out.appendASCII("syscall ")
            header(v.syscall.name, &out)
            out.appendASCII(" not allowed by policy ")
        }
        header(v.policy.name, &out)
        out.append(UInt8(ascii: "|"))
        out.appendDecimal(v.event.severity)
        out.appendASCII("|rt=")
        out.appendDecimal(v.timestamp.millisecondsSinceEpoch)
        out.appendASCII(" cat=")
        value(v.event.kind, &out)
        out.appendASCII(" act=")
        value(v.event.action, &out)
        out.appendASCII(" dvchost=")
        value(v.hostName, &out)
        if !v.process.isNone {
            out.appendASCII(" spid=")
            out.appendDecimal(v.process.pid)
            out.appendASCII(" sproc=")
            DisplayText.write(v.process.name.bytes, into: &out, ValueEscaper.self)
            out.appendASCII(" suid=")
            value(v.process.userID, &out)
        }
        if let path = v.process.filePath {
            out.appendASCII(" filePath=")
            DisplayText.write(path.bytes, into: &out, ValueEscaper.self)
            fileName(of: path.bytes, &out)
        }
        switch v.outcome {
        case .success: out.appendASCII(" outcome=success")
        case .failure: out.appendASCII(" outcome=failure")
        case .unknown: break  // CEF's eventOutcome has no "unknown": left out
        }
        out.appendASCII(" cnt=")
        out.appendDecimal(v.count)
        if !v.isNotice {
            out.appendASCII(" externalId=")
            out.appendDecimal(v.audit.serial)
        }
        out.appendASCII(" start=")
        out.appendDecimal(v.audit.time.millisecondsSinceEpoch)
        if let f = v.fold {
            out.appendASCII(" end=")
            out.appendDecimal(f.lastTime.millisecondsSinceEpoch)
        }
        if !v.isNotice {
            out.appendASCII(" cn1Label=syscallNumber cn1=")
            out.appendDecimal(v.syscall.number)
        }
        if let exit = v.syscall.exit {
            out.appendASCII(" cn2Label=syscallExit cn2=")
            out.appendDecimal(exit)
        }
        if let ppid = v.process.ppid {
            out.appendASCII(" cn3Label=ppid cn3=")
            out.appendDecimal(ppid)
        }
        if !v.isNotice {
            out.appendASCII(" cs1Label=syscall cs1=")
            value(v.syscall.name, &out)
            out.appendASCII(" cs2Label=arch cs2=")
            value(v.syscall.arch, &out)
        }
        if !v.policy.isNone {
            out.appendASCII(" cs3Label=policy cs3=")
            value(v.policy.name, &out)
            out.appendASCII(" cs4Label=policyFile cs4=")
            value(v.policy.file, &out)
        }
        if let c = v.container {
            out.appendASCII(" cs5Label=containerId cs5=")
            value(c.id, &out)
            out.appendASCII(" cs6Label=containerImage cs6=")
            value(c.imageName, &out)
        }
        if !v.process.isNone {
            out.appendASCII(" callguardCallguardExecutable=")
            DisplayText.write(v.process.executable.bytes, into: &out, ValueEscaper.self)
        }
        if let cmd = v.process.commandLine {
            out.appendASCII(" callguardCallguardCommandLine=")
            DisplayText.write(cmd.bytes, into: &out, ValueEscaper.self)
        }
        if let source = v.source {
            out.appendASCII(" callguardCallguardSource=")
            out.appendASCII(source.name)
        }
        if let seccomp = v.seccomp {
            out.appendASCII(" callguardCallguardSeccompAction=")
            out.appendASCII(seccomp.action.name)
            if let errno = seccomp.errno {
                out.appendASCII(" callguardCallguardSeccompErrno=")
                out.appendDecimal(errno)
            }
        }
        if let exists = v.syscall.existsOnHostKernel {
            out.appendASCII(
                exists ? " callguardCallguardSyscallOnHostKernel=true" : " callguardCallguardSyscallOnHostKernel=false")
        }
        if let c = v.container {
            out.appendASCII(" callguardCallguardContainerRuntime=")
            value(c.runtime, &out)
            if let name = c.containerName {
                out.appendASCII(" callguardCallguardContainerName=")
                value(name, &out)
            }
            if let ns = c.namespace {
                out.appendASCII(" callguardCallguardKubernetesNamespace=")
                value(ns, &out)
            }
            if let pod = c.podName {
                out.appendASCII(" callguardCallguardKubernetesPod=")
                value(pod, &out)
            }
        }
        if let p = v.profile {
            out.appendASCII(" callguardCallguardProfilePolicy=")
            value(p.policy, &out)
            out.appendASCII(" callguardCallguardProfileDigest=")
            value(p.digest, &out)
            if let stale = p.stale {
                out.appendASCII(stale ? " callguardCallguardProfileStale=true" : " callguardCallguardProfileStale=false")
            }
        }
        if let f = v.fold {
            out.appendASCII(" callguardCallguardFoldKind=")
            out.appendASCII(f.kind.name)
            out.appendASCII(" callguardCallguardFoldFirstSerial=")
            out.appendDecimal(f.firstSerial)
            out.appendASCII(" callguardCallguardFoldLastSerial=")
            out.appendDecimal(f.lastSerial)
            out.appendASCII(" callguardCallguardFoldFirstTime=")
            out.appendDecimal(f.firstTime.millisecondsSinceEpoch)
        }
    }

    /// ` fname=` and what follows the path's last `/`, when anything does
    /// (CEF's fileName is the name without its path).
    private func fileName(of path: [UInt8], _ out: inout [UInt8]) {
        let start = (path.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        guard start < path.count else { return }
        out.appendASCII(" fname=")
        path.withUnsafeBufferPointer { all in
            DisplayText.write(UnsafeBufferPointer(rebasing: all[start...]), into: &out, ValueEscaper.self)
        }
    }

    private func header(_ s: String, _ out: inout [UInt8]) {
        DisplayText.write(s, into: &out, HeaderEscaper.self)
    }

    private func value(_ s: String, _ out: inout [UInt8]) {
        DisplayText.write(s, into: &out, ValueEscaper.self)
    }
}

extension CEFFormatter {
    /// Header escaping: `\\` → `\\\\`, `|` → `\\|`.
    public enum HeaderEscaper: ByteEscaper {
        @inlinable public static var doublesBackslash: Bool { true }
        @inlinable public static func needsEscape(_ b: UInt8) -> Bool { b == UInt8(ascii: "\\") || b == UInt8(ascii: "|") }
        @inlinable public static func escape(_ b: UInt8, into out: inout [UInt8]) {
            out.append(UInt8(ascii: "\\"))
            out.append(b)
        }
    }

    /// Extension value escaping: `\\` → `\\\\`, `=` → `\\=`, LF → `\\n`, CR → `\\r`.
    public enum ValueEscaper: ByteEscaper {
        @inlinable public static var doublesBackslash: Bool { true }
        @inlinable public static func needsEscape(_ b: UInt8) -> Bool {
            b == UInt8(ascii: "\\") || b == UInt8(ascii: "=") || b == 0x0A || b == 0x0D
        }
        @inlinable public static func escape(_ b: UInt8, into out: inout [UInt8]) {
            switch b {
            case 0x0A: out.appendASCII("\\n")
            case 0x0D: out.appendASCII("\\r")
            default: out.append(UInt8(ascii: "\\")); out.append(b)
            }
        }
    }
}
