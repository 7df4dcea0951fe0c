import Foundation
import TestSupport

/// Runs podman (with runc and cgroupfs, as this machine needs) for the
/// container integration tests, and cleans up what it created.
struct PodmanHarness {
    struct CommandError: Error, CustomStringConvertible {
        var command: [String]
        var status: Int32
        var output: String
        var description: String { "`\(command.joined(separator: " "))` exited \(status): \(output)" }
    }

    static var prerequisitesMet: Bool {
        RequireIntegration.isRoot && executable("podman") != nil && executable("runc") != nil
            && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
    }

    /// The full path of `name` on the PATH or in the usual system directories.
    static func executable(_ name: String) -> String? { ChildProcess.executable(name) }

    /// Runs `argv` and returns its trimmed stdout; throws with stderr when it fails.
    static func run(_ argv: [String]) throws -> String {
        guard let executable = executable(argv[0]) else {
            throw CommandError(command: argv, status: -1, output: "\(argv[0]) not found")
        }
        let r = try ChildProcess.run(executable, Array(argv.dropFirst()))
        guard r.status == 0 else { throw CommandError(command: argv, status: r.status, output: r.stderr) }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func podman(_ args: [String]) throws -> String {
        try run(["podman"] + args)
    }

    /// Imports the busybox-static rootfs (``BusyboxRootfs``) as image `name` (e.g. `localhost/x:1`).
    static func importBusyboxImage(named name: String, workDir: String) throws {
        _ = try podman(["import", try BusyboxRootfs.tarball(named: name, workDir: workDir), name])
    }

    /// Starts a detached container and returns its full id.
    static func runDetached(name: String, image: String, command: [String]) throws -> String {
        try podman(
            [
                "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                "--name", name, image,
            ] + command)
    }

    /// The container's init pid on the host.
    static func pid(ofContainer name: String) throws -> Int32 {
        let text = try podman(["inspect", "-f", "{{.State.Pid}}", name])
        guard let pid = Int32(text), pid > 0 else {
            throw CommandError(command: ["podman", "inspect", name], status: 0, output: "no pid in \(text)")
        }
        return pid
    }

    /// Removes containers and images, ignoring the ones already gone.
    static func cleanUp(containers: [String], images: [String]) {
        for c in containers { _ = try? podman(["rm", "-f", "-t", "0", c]) }
        for i in images { _ = try? podman(["rmi", "-f", i]) }
    }

    /// Host pids whose parent is `ppid` (from /proc/*/stat).
    static func children(of ppid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var result: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
                let close = data.lastIndex(of: UInt8(ascii: ")"))
            else { continue }
            let fields = data[(close + 1)...].split(separator: UInt8(ascii: " "))
            if fields.count > 1, Int32(String(decoding: fields[1], as: UTF8.self)) == ppid { result.append(pid) }
        }
        return result
    }

    static func exists(pid: Int32) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/\(pid)")
    }
}
