import Foundation
import Glibc
import PolicyKit

/// Writes and removes the hook file that makes podman run `callguard oci-hook`
/// at the libpod `precreate` stage for every container.
public enum HookInstaller {
    /// Why the hook file was not written or removed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let fileName = "callguard-seccomp.json"
    /// Where podman reads administrator hooks.
    public static let defaultDirectory = "/etc/containers/oci/hooks.d"
    /// The directory CRI-O reads by default: it refuses hook files with a
    /// stage it does not know (`precreate`), so callguard never writes there.
    public static let crioDirectory = "/usr/share/containers/oci/hooks.d"

    /// The hook file's JSON.
    public static func hookJSON(binary: String, stateDirectory: String, failureMode: HookFailureMode) -> String {
        func q(_ s: String) -> String {
            var out = ""
            JSONValue.appendQuoted(s, to: &out)
            return out
        }
        let args = ["callguard", "oci-hook", "--state-dir", stateDirectory, "--hook-failure", failureMode.rawValue]
        return """
            {
              "version": "1.0.0",
              "hook": {
                "path": \(q(binary)),
                "args": [\(args.map(q).joined(separator: ", "))]
              },
              "when": {"always": true},
              "stages": ["precreate"]
            }

            """
    }

    /// Writes the hook file into `directory` (created when missing) and
    /// returns its path.
    public static func install(
        directory: String, binary: String, stateDirectory: String, failureMode: HookFailureMode
    ) throws(Failure) -> String {
        try refuseCrio(directory)
        do throws(DeliveryFiles.Failure) {
            try DeliveryFiles.makeDirectory(directory)
            let path = directory + "/" + fileName
            try DeliveryFiles.writeAtomically(
                Array(hookJSON(binary: binary, stateDirectory: stateDirectory, failureMode: failureMode).utf8), to: path)
            return path
        } catch {
            throw Failure(description: "cannot install the hook: \(error.description)")
        }
    }

    /// Removes the hook file from `directory`; false when there was none.
    @discardableResult
    public static func uninstall(directory: String) throws(Failure) -> Bool {
        let path = directory + "/" + fileName
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw Failure(description: "cannot remove \(path): \(String(cString: strerror(errno)))")
    }

    private static func refuseCrio(_ directory: String) throws(Failure) {
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().standardizedFileURL.path
        let crio = URL(fileURLWithPath: crioDirectory).resolvingSymlinksInPath().standardizedFileURL.path
        if resolved == crio {
            throw Failure(
                description: "\(directory) is the hooks directory CRI-O reads, and CRI-O refuses hook files with the precreate stage; use \(defaultDirectory) (podman reads it)")
        }
    }

    /// This process's executable (`/proc/self/exe`), for the hook's `path`.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments.first ?? "callguard" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

