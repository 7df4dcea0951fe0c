import Foundation

/// Whether the host's runc can log the calls a seccomp profile *denies*.
///
/// A filter's `SCMP_ACT_LOG` calls always reach the audit stream; denied calls
/// (`spec.action: errno`, and the runtime's own denials) are logged only with
/// `SECCOMP_FILTER_FLAG_LOG`, which runc accepts from 1.2 on (crun always).
/// runc 1.1 (Debian 12's) rejects seccomp `flags`, so the agent says once, at
/// start, that enforced denials will not be seen there.
public enum RuntimeLogFlagNotice {
    /// The notice for runc's `--version` output `text`; nil when runc is 1.2
    /// or later, or its version cannot be read.
    public static func notice(runcVersionOutput text: String) -> String? {
        // "runc version 1.1.5+ds1\ncommit: ..."
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("runc version ") }) else { return nil }
        let version = line.dropFirst("runc version ".count)
        let numbers = version.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return nil }
        guard numbers[0] == 1 && numbers[1] < 2 || numbers[0] < 1 else { return nil }
        return "runc \(version) rejects seccomp flags: calls a callguard profile denies (spec.action errno, or the runtime's own denials) are not logged by the kernel here, only the ones it logs (SCMP_ACT_LOG); runc 1.2 or crun log them too"
    }

    /// The notice for the first `runc` on PATH (nil when none, or when it logs denials).
    public static func forHostRunc() -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":")
            .map { "\($0)/runc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return notice(runcVersionOutput: String(decoding: data, as: UTF8.self))
    }
}
