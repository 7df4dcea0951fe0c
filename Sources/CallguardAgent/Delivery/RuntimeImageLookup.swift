import ContainerKit
import Foundation

/// Where `callguard oci-runtime` finds the image of a container that no CRI
/// annotation names, at `runc create` time:
///
/// - docker: `<data-root>/containers/<id>/config.v2.json` (`Config.Image`),
///   written by `docker create` before dockerd asks containerd for the task;
/// - plain containerd (`ctr run`, any API client): containerd's metadata,
///   `<root>/io.containerd.metadata.v1.bolt/meta.db`, in the namespace the
///   shim's bundle path names (`<state>/io.containerd.runtime.v2.task/<namespace>/<id>`);
///   not while another namespace has a task of the same id (then the image is
///   unknown, and the failure rule applies).
///
/// Only the id and bundle the runtime was given decide where to look; nothing
/// inside the container does.
public struct RuntimeImageLookup: Sendable {
    /// The container being created, as runc is told.
    public struct Container: Sendable, Equatable {
        /// The container id (`runc create … ID`).
        public var id: String
        /// The bundle directory (`--bundle`, or the working directory).
        public var bundle: String

        public init(id: String, bundle: String) {
            self.id = id
            self.bundle = bundle
        }

        /// The containerd namespace and task directory, when the bundle is a
        /// containerd shim's `<tasks>/<namespace>/<id>`.
        var containerdTask: (tasks: String, namespace: String)? {
            let parts = bundle.split(separator: "/", omittingEmptySubsequences: true)
            guard bundle.hasPrefix("/"), parts.count >= 3, parts[parts.count - 1] == Substring(id),
                RuntimeImageLookup.isPlainName(parts[parts.count - 2])
            else { return nil }
            return ("/" + parts.dropLast(2).joined(separator: "/"), String(parts[parts.count - 2]))
        }
    }

    /// Docker data roots (`dockerd --data-root`).
    public var dockerRoots: [String]
    /// containerd roots (`containerd --root`).
    public var containerdRoots: [String]

    public init(dockerRoots: [String] = ["/var/lib/docker"], containerdRoots: [String] = ["/var/lib/containerd"]) {
        self.dockerRoots = dockerRoots
        self.containerdRoots = containerdRoots
    }

    /// The image name (and digest, when the name carries one) of `container`;
    /// nil when neither docker nor containerd state names it.
    public func image(of container: Container) -> (name: String, digest: String?)? {
        guard Self.isPlainName(Substring(container.id)) else { return nil }
        let docker = ContainerStateRoots(containersStorage: [], containersRun: [], containerdTasks: [], docker: dockerRoots, containerd: [])
        if let info = ContainerResolver(roots: docker, minReloadInterval: 0).resolve(ContainerRef(runtime: .docker, id: container.id)),
            let name = info.imageName
        {
            return (name, info.imageDigest)
        }
        guard let task = container.containerdTask else { return nil }
        // ContainerResolver takes the first namespace holding the id: only
        // asked when that can only be this bundle's.
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: task.tasks)) ?? []
        let holders = namespaces.filter { FileManager.default.fileExists(atPath: "\(task.tasks)/\($0)/\(container.id)/config.json") }
        guard holders == [task.namespace] else { return nil }
        let containerd = ContainerStateRoots(
            containersStorage: [], containersRun: [], containerdTasks: [task.tasks], docker: [], containerd: containerdRoots)
        if let info = ContainerResolver(roots: containerd, minReloadInterval: 0).resolve(ContainerRef(runtime: .containerd, id: container.id)),
            let name = info.imageName
        {
            return (name, info.imageDigest)
        }
        return nil
    }

    /// Where it looked, for a failure message.
    public var searched: String {
        "no docker config.v2.json under \(dockerRoots.joined(separator: ", ")) and no containerd metadata under \(containerdRoots.joined(separator: ", "))"
    }

    /// A container id or containerd namespace: letters, digits, `-`, `_`, `.`, never `.` or `..`.
    static func isPlainName(_ s: Substring) -> Bool {
        guard !s.isEmpty, s != ".", s != "..", s.utf8.count <= 255 else { return false }
        return s.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95 || b == 46
        }
    }
}
