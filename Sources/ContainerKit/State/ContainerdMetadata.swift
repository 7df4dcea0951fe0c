import Foundation

/// containerd's own metadata store, `<root>/io.containerd.metadata.v1.bolt/meta.db`
/// (a bbolt file): for a container started without the CRI plugin (`ctr run`,
/// or any client of the containerd API) this is the only place on disk that
/// names its image, at `v1/<namespace>/containers/<id>/image`. The task bundle's
/// `config.json` carries no image for such containers.
enum ContainerdMetadata {
    /// Larger files are not read (a real meta.db is a few MB at most).
    static let maximumBytes = 64 << 20

    static func path(root: String) -> String { "\(root)/io.containerd.metadata.v1.bolt/meta.db" }

    /// The image reference of container `id` in `namespace`; nil when the file,
    /// the container or its image key is missing, or the file is unreadable.
    static func imageName(root: String, namespace: String, id: String) -> String? {
        let file = path(root: root)
        guard let size = FileStamp(path: file)?.size, size > 0, size <= Int64(maximumBytes),
            let data = FileManager.default.contents(atPath: file),
            let bolt = BoltFile(bytes: [UInt8](data)),
            let value = bolt.value(at: ["v1", namespace, "containers", id, "image"]), !value.isEmpty
        else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
