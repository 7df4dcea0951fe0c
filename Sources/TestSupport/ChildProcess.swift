import Foundation

/// Runs a program to its end and hands back its exit status and what it
/// wrote: for tests that call `callguard`, python3, openssl, rsyslogd, podman
/// and the like. Standard input is /dev/null.
public enum ChildProcess {
    /// How a run ended.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `path` with `arguments` (in `directory`, if given) and waits for it.
    /// Both pipes are drained at once, so a child that writes much to either
    /// cannot block on a full pipe.
    public static func run(_ path: String, _ arguments: [String], in directory: String? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let errorBox = DataBox()
        let reader = Thread { errorBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        return Output(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: errorBox.data, as: UTF8.self))
    }
}

/// Data written by one thread and read by another after `done`.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _data = Data()
    private var _done = false
    var data: Data {
        get { lock.withLock { _data } }
        set { lock.withLock { _data = newValue; _done = true } }
    }
    var done: Bool { lock.withLock { _done } }
}
