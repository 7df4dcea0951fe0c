import CPrivileges
import Glibc

/// What `callguard run` keeps of its privileges once the audit socket is open,
/// the rules are in and the sinks are open, and how it drops the rest.
///
/// Kept, and why (found by running the agent with less):
/// - `CAP_AUDIT_CONTROL`: SIGHUP installs and removes rules; stopping unsets
///   the audit pid, removes the rules and restores the enabled flag.
/// - `CAP_AUDIT_READ`: the multicast log group (`socket: multicast`); kept in
///   both modes.
///
/// The systemd unit and the DaemonSet also grant `CAP_NET_ADMIN` (the process
/// events subscription and SO_RCVBUFFORCE, both at start-up) and `CAP_SETPCAP`
/// (to drop it, and itself, from the bounding set).
///
/// Not kept: attribution reads `/proc/PID/stat` and `/proc/PID/cgroup` (mode
/// 0444, no ptrace check on the fields it uses) and the runtimes' state files,
/// which root owns (uid 0 reads them by owner permission, no CAP_DAC_*);
/// SIGHUP reopens file sinks and the spool in directories root owns. Nothing
/// else needs a capability after start-up (SO_RCVBUFFORCE is set before).
///
/// Every other capability leaves the effective, permitted, inheritable and
/// bounding sets of every thread, the ambient set is cleared, and
/// no_new_privs is set, so no later execve can regain any.
public enum CapabilityRestriction {
    /// A Linux capability by number.
    public struct Capability: Hashable, Sendable, CustomStringConvertible {
        public var number: Int
        public var name: String
        public var description: String { name }
        public static let auditControl = Capability(number: 30, name: "CAP_AUDIT_CONTROL")
        public static let auditRead = Capability(number: 37, name: "CAP_AUDIT_READ")
    }

    /// Why the capabilities could not be restricted; the agent refuses to run on.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What ``restrict(keeping:)`` did.
    public struct Report: Sendable {
        /// The capabilities every thread still holds (at most).
        public var kept: [Capability]
        /// How many threads were restricted.
        public var threads: Int
    }

    /// The set `callguard run` keeps.
    public static let agentCapabilities: [Capability] = [.auditControl, .auditRead]

    /// Restricts every thread of this process to `kept` and sets no_new_privs.
    public static func restrict(keeping kept: [Capability] = agentCapabilities) throws(Failure) -> Report {
        let mask = kept.reduce(UInt64(0)) { $0 | (UInt64(1) << UInt64($1.number)) }
        let result = cg_privileges_restrict(mask, lastCapability(), 2000)
        if result.failed_step != 0 {
            let steps = [1: "dropping it from the bounding set (PR_CAPBSET_DROP needs CAP_SETPCAP)",
                         2: "clearing the ambient set", 3: "lowering the effective and permitted sets (capset)",
                         4: "setting no_new_privs", 5: "signalling the other threads"]
            let what = steps[Int(result.failed_step)] ?? "step \(result.failed_step)"
            throw Failure(
                description: "cannot drop the capabilities callguard does not need: \(what) failed: \(String(cString: strerror(result.error))); "
                    + "start it with no capability but \(kept.map(\.name).joined(separator: " and ")) (as the systemd unit and the DaemonSet do), "
                    + "or let it call capset and prctl")
        }
        if result.remaining > 0 {
            throw Failure(
                description: "cannot drop the capabilities callguard does not need: \(result.remaining) of \(result.threads) thread(s) "
                    + "did not restrict themselves within 2 s (SIGSYS blocked?)")
        }
        return Report(kept: kept, threads: Int(result.threads))
    }

    /// `/proc/sys/kernel/cap_last_cap`, or 63 when it cannot be read.
    static func lastCapability() -> Int32 {
        let fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 63 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return 63 }
        let digits = String(decoding: buffer[..<n].filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)
        return Int32(digits).map { min($0, 63) } ?? 63
    }
}
