import ContainerKit
import PolicyKit
import SinkKit

/// The report of a container running without a callguard seccomp profile
/// (`event.action` `container-unguarded`), made once per container: its
/// syscalls are not matched in the kernel, so under `--rules auto` it gets
/// bounded per-process audit rules instead, and under `none` it is not checked.
///
/// It travels as a ``SinkKit/Violation`` so that every sink and format carries
/// it: `container.*` and the policy that applies are set; the process is the
/// container's lowest pid; no syscall was made (`callguard.syscall.number` -1,
/// empty name and arch).
public enum UnguardedReport {
    /// `event.action` of the report.
    public static let action = Violation.Event.containerUnguarded

    /// The report for `entry`, under `policy` (the one its image gets).
    public static func make(_ entry: RunningContainers.Entry, policy: CompiledPolicy?, hostName: String) -> Violation {
        let now = Timestamp.now()
        let pid = entry.pids.first ?? 0
        return Violation(
            timestamp: now,
            event: Violation.Event(action: action, severity: policy?.severity.numericValue ?? PolicySeverity.high.numericValue),
            hostName: hostName,
            container: ViolationFactory.container(entry.info),
            process: Violation.Process(
                pid: pid, ppid: 0, name: UntrustedBytes(entry.firstCommand), executable: UntrustedBytes([]), userID: ""),
            syscall: Violation.Syscall(name: "", number: -1, arch: "", success: true, exit: 0),
            policy: Violation.Policy(name: policy?.name ?? "", file: policy?.file ?? ""),
            audit: Violation.Audit(serial: 0, time: now))
    }
}
