import Foundation
import TestSupport

/// The one image the container tests run: Debian's busybox-static as a root
/// filesystem tarball, for `podman import`, `docker import` and `ctr`. Each
/// image holds a file naming it, so that two images differ in content too.
enum BusyboxRootfs {
    /// The applets linked in /bin (busybox-static runs the others too, from sh).
    static let applets = ["sh", "sleep", "true", "mkdir", "chmod", "ls", "cat", "date", "wc", "id", "ps", "uname", "touch", "echo"]

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Writes the rootfs of image `name` under `workDir` and returns the path of its tarball.
    static func tarball(named name: String, workDir: String) throws -> String {
        let fm = FileManager.default
        let slug = String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        let rootfs = "\(workDir)/rootfs-\(slug)"
        for directory in ["bin", "tmp", "etc", "proc", "sys", "dev"] {
            try fm.createDirectory(atPath: "\(rootfs)/\(directory)", withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: "/bin/busybox", toPath: "\(rootfs)/bin/busybox")
        for applet in applets {
            try fm.createSymbolicLink(atPath: "\(rootfs)/bin/\(applet)", withDestinationPath: "busybox")
        }
        try Data(name.utf8).write(to: URL(fileURLWithPath: "\(rootfs)/image-name"))
        let tar = "\(rootfs).tar"
        let out = try ChildProcess.run("/bin/tar", ["-C", rootfs, "-cf", tar, "."])
        guard out.status == 0 else { throw Failure(description: "tar failed: \(out.stderr)") }
        return tar
    }
}
