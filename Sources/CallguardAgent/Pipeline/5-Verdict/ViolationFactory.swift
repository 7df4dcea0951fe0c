import AuditKit
import ContainerKit
import PolicyKit
import SinkKit

/// Turns an event that broke its policy into a ``SinkKit/Violation``. This is
/// where strings are first materialised: comm, exe, the process title and the
/// path are decoded from the kernel's encoding here (and escaped later, by each
/// format), and only for violations.
public struct ViolationFactory: Sendable {
    /// `host.name` of every violation.
    public var hostName: String
    /// Whether each syscall exists on the kernel callguard runs on, by arch and number;
    /// nil when unknown.
    public let kernelHasSyscall: (@Sendable (AuditArch, Int32) -> Bool?)?
    /// Names and availability by arch and number, looked up once.
    private let syscalls: SyscallDescriptions

    public init(hostName: String, kernelHasSyscall: (@Sendable (AuditArch, Int32) -> Bool?)? = nil) {
        self.hostName = hostName
        self.kernelHasSyscall = kernelHasSyscall
        self.syscalls = SyscallDescriptions(kernelHasSyscall: kernelHasSyscall)
    }

    /// The violation for `event`, made by `container` and not allowed by `policy`.
    public func make(_ event: SyscallEvent, container: Violation.Container?, policy: CompiledPolicy) -> Violation {
        make(
            event, container: container, rule: Violation.Policy(name: policy.name, file: policy.file),
            severity: policy.severity.numericValue)
    }

    /// The violation for `event`, made by `container` (nil: not known) and
    /// reported under `rule` with `severity`. The command line and path come
    /// from the records the summary found (``SyscallEvent``), not from another
    /// walk over the event.
    public func make(
        _ event: SyscallEvent, container: Violation.Container?, rule: Violation.Policy, severity: Int
    ) -> Violation {
        let summary = event.summary
        let arch = summary.arch ?? .x86_64
        let number = summary.syscall ?? -1
        let timestamp = Timestamp.now()
        let described = syscalls.describe(arch: arch, number: number)
        var violation = Violation(
            timestamp: timestamp,
            event: Violation.Event(severity: severity),
            hostName: hostName,
            container: container,
            process: Violation.Process(
                pid: summary.pid ?? -1,
                ppid: summary.ppid,
                name: UntrustedBytes(summary.comm?.decodedBytes ?? []),
                executable: UntrustedBytes(summary.exe?.decodedBytes ?? []),
                userID: summary.uid.map(String.init) ?? "",
                commandLine: event.commandLine.map(UntrustedBytes.init),
                filePath: event.filePath.map(UntrustedBytes.init)),
            syscall: Violation.Syscall(
                name: described.name,
                number: Int(number),
                arch: described.archName,
                success: summary.success,
                exit: summary.exit,
                existsOnHostKernel: described.existsOnHostKernel),
            policy: rule,
            audit: Violation.Audit(
                serial: UInt64(event.event.id.serial),
                time: Timestamp(millisecondsSinceEpoch: Int64(event.event.id.timestampMilliseconds))))
        Self.describeSource(of: event, into: &violation)  // ViolationFactory+Source.swift
        return violation
    }

    /// The x32 ABI's bit in a syscall number: x32 calls come with the x86_64
    /// audit arch and this bit set (the kernel's `__X32_SYSCALL_BIT`).
    static let x32Bit: Int32 = 0x4000_0000

    /// Whether the call was made through the x32 ABI.
    static func isX32(arch: AuditArch, number: Int32) -> Bool {
        arch == .x86_64 && number >= 0 && number & x32Bit != 0
    }

    /// The violation's `container.*` for a container ContainerKit found.
    public static func container(_ info: ContainerInfo) -> Violation.Container {
        Violation.Container(
            id: info.id, runtime: info.runtime.rawValue, imageName: info.imageName ?? "",
            podName: info.pod?.name, namespace: info.pod?.namespace, containerName: info.pod?.containerName ?? info.name)
    }
}
