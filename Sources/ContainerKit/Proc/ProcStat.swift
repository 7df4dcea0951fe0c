/// The fields callguard needs from `/proc/PID/stat`.
public struct ProcStat: Sendable, Hashable {
    /// Field 1.
    public var pid: Int32
    /// Field 2 without its parentheses. Chosen by the process itself: hostile input.
    public var comm: String
    /// Field 4.
    public var ppid: Int32
    /// Field 22: start time in clock ticks after boot (USER_HZ: two processes
    /// started within one tick on the same pid have the same start time).
    public var startTime: UInt64
    /// Field 3: the state letter (`R`, `S`, `Z` for a zombie...).
    public var state: UInt8
    /// Field 9 (the kernel's task flags) has `PF_EXITING`: the process has begun
    /// to exit. From then on, while its state still reads `R` or `D` (tearing
    /// down a large address space takes tens of milliseconds), its cgroup v1
    /// lines read as the root, as a zombie's do.
    public var isExiting: Bool

    public init(
        pid: Int32, comm: String, ppid: Int32, startTime: UInt64, state: UInt8 = UInt8(ascii: "S"), isExiting: Bool = false
    ) {
        self.pid = pid
        self.comm = comm
        self.ppid = ppid
        self.startTime = startTime
        self.state = state
        self.isExiting = isExiting
    }

    /// `PF_EXITING` in field 9 (include/linux/sched.h).
    static let exitingFlag: UInt64 = 0x4

    /// Whether the process has exited and not been reaped yet (`Z`), or is being reaped (`X`).
    public var isZombie: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }

    /// The process's key (pid + start time).
    public var key: ProcessKey { ProcessKey(pid: pid, startTime: startTime) }

    /// Parses the text of `/proc/PID/stat`. `comm` may contain spaces and `)`,
    /// so the fields after it are found from the *last* `)`. Returns nil for
    /// text that is not a stat line.
    public static func parse<S: StringProtocol>(_ text: S) -> ProcStat? {
        let utf8 = Array(text.utf8)
        guard let open = utf8.firstIndex(of: UInt8(ascii: "(")),
            let close = utf8.lastIndex(of: UInt8(ascii: ")")), open < close
        else { return nil }
        guard let pid = Int32(String(decoding: utf8[..<open], as: UTF8.self).trimmingSpaces()) else { return nil }
        let comm = String(decoding: utf8[(open + 1)..<close], as: UTF8.self)
        // Fields after ")" start at field 3 (state).
        let rest = utf8[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // field n is rest[n - 3]
        guard rest.count >= 20,
            let ppid = Int32(String(decoding: rest[4 - 3], as: UTF8.self)),
            let start = UInt64(String(decoding: rest[22 - 3], as: UTF8.self))
        else { return nil }
        let flags = UInt64(String(decoding: rest[9 - 3], as: UTF8.self)) ?? 0
        return ProcStat(
            pid: pid, comm: comm, ppid: ppid, startTime: start, state: rest[0].first ?? UInt8(ascii: "?"),
            isExiting: flags & exitingFlag != 0)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
