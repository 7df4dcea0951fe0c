import Foundation

/// The process's peak resident memory (`VmHWM` in /proc/self/status), for
/// tests that prove a hostile input is refused without being read into memory.
public enum PeakMemory {
    /// The peak resident set since the process started (or since the last ``reset()``), in bytes.
    public static func current() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// Resets the peak to the current resident set (writing 5 to /proc/self/clear_refs, Linux ≥ 4.0).
    public static func reset() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        handle.write(Data("5".utf8))
        try? handle.close()
    }

    /// How far `body` raised the peak resident set above where it started, in
    /// bytes. Other threads of the process count too: keep the bound generous.
    public static func growth<T>(during body: () throws -> T) rethrows -> (result: T, bytes: Int) {
        reset()
        let before = current()
        let result = try body()
        return (result, max(0, current() - before))
    }
}
