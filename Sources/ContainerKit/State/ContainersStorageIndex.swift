/// One containers/storage graph root (podman, CRI-O): the container list in
/// `overlay-containers/containers.json` and the image list in
/// `overlay-images/images.json`, parsed into dictionaries and re-parsed only
/// when an unknown id is asked for and the file changed (its stat stamp), at
/// most once per `minReloadInterval`; after a parse that took 0.1 s or more
/// (a file of thousands of containers), never sooner than nine times as long:
/// on such a host, whose containers come and go all the time, re-parsing
/// takes at most a tenth of the reader thread's time. Each file is refused
/// from its size over ``StateFileLimits/storageListBytes``.
final class ContainersStorageIndex {
    /// A container as containers/storage records it.
    struct Container: Decodable {
        var id: String
        var names: [String]?
        var image: String?
        var metadata: String?
    }

    /// The JSON inside a container's `metadata` string (podman and CRI-O write different subsets).
    struct Metadata: Decodable {
        var imageName: String?
        var imageID: String?
        var name: String?
        var podName: String?
        var metadataName: String?
        var namespace: String?
        var uid: String?
        var pod: Bool?

        enum CodingKeys: String, CodingKey {
            case imageName = "image-name", imageID = "image-id", name, podName = "pod-name"
            case metadataName = "metadata-name", namespace, uid, pod
        }
    }

    /// An image as containers/storage records it.
    struct Image: Decodable {
        var id: String
        var digest: String?
        var names: [String]?
    }

    let root: String
    private let clock: SecondsClock
    private let minReloadInterval: Double
    private var containers: [String: Container] = [:]
    private var images: [String: Image] = [:]
    private var containersStamp: FileStamp?
    private var imagesStamp: FileStamp?
    private var lastReload: Double = -.infinity
    /// A parse at least this long (about 3 MB of containers.json, thousands of
    /// containers) defers the next one.
    static let slowParseSeconds = 0.1
    /// How long the last re-parse took (seconds, on `clock`).
    private(set) var lastParseSeconds: Double = 0
    private let refusals: StateFileRefusals
    private(set) var reloads = 0
    private(set) var deferredReloads = 0

    var containersPath: String { root + "/overlay-containers/containers.json" }
    var imagesPath: String { root + "/overlay-images/images.json" }

    init(root: String, clock: @escaping SecondsClock, minReloadInterval: Double, refusals: StateFileRefusals) {
        self.root = root
        self.clock = clock
        self.minReloadInterval = minReloadInterval
        self.refusals = refusals
    }

    /// The container `id`, re-reading the state when it is unknown and the file changed.
    func container(_ id: String) -> Container? {
        if let c = containers[id] { return c }
        refreshIfChanged()
        return containers[id]
    }

    /// Whether `id` is still listed (after re-reading a changed file); nil when
    /// the file cannot be read now (state unknown, not proof of removal).
    func stillListed(_ id: String) -> Bool? {
        refreshIfChanged()
        guard containersStamp != nil else { return nil }
        return containers[id] != nil
    }

    /// The image with containers/storage id `id` (re-read when unknown and changed).
    func image(_ id: String) -> Image? {
        if let i = images[id] { return i }
        refreshIfChanged()
        return images[id]
    }

    /// What this root knows of container `id`, as a ``ContainerInfo`` for `runtime`.
    func info(id: String, runtime: ContainerRuntime, podUIDFromPath: String?) -> ContainerInfo? {
        guard let c = container(id) else { return nil }
        let meta = StateFile.decodeEmbedded(Metadata.self, from: c.metadata)
        let imageID = c.image ?? meta?.imageID
        let image = imageID.flatMap { self.image($0) }
        var pod: PodInfo?
        if meta?.namespace != nil || meta?.podName != nil || podUIDFromPath != nil {
            pod = PodInfo(
                name: nil, namespace: meta?.namespace, uid: meta?.uid ?? podUIDFromPath,
                containerName: meta?.pod == true ? "POD" : meta?.metadataName)
        }
        return ContainerInfo(
            id: id, runtime: runtime,
            imageName: meta?.imageName ?? image?.names?.first,
            imageDigest: image?.digest,
            imageID: imageID,
            name: meta?.name ?? c.names?.first,
            pod: pod)
    }

    private func refreshIfChanged() {
        let cStamp = FileStamp(path: containersPath)
        let iStamp = FileStamp(path: imagesPath)
        guard cStamp != containersStamp || iStamp != imagesStamp else { return }
        let now = clock()
        // A parse that took long (a large file) waits nine times as long before
        // the next, so re-parsing takes at most a tenth of the reader's time; a
        // quick one (any ordinary host) does not wait: a new container's first
        // syscalls come within milliseconds and must find its image.
        let backoff = lastParseSeconds >= Self.slowParseSeconds ? 9 * lastParseSeconds : 0
        guard now - lastReload >= max(minReloadInterval, backoff) else {
            deferredReloads += 1
            return
        }
        lastReload = now
        reloads += 1
        defer { lastParseSeconds = max(0, clock() - now) }
        let limit = StateFileLimits.storageListBytes
        if cStamp != containersStamp {
            let list =
                cStamp == nil ? [] : (StateFile.decode([Container].self, at: containersPath, limit: limit, refusals: refusals) ?? [])
            containers = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { _, new in new })
            containersStamp = cStamp
        }
        if iStamp != imagesStamp {
            let list = iStamp == nil ? [] : (StateFile.decode([Image].self, at: imagesPath, limit: limit, refusals: refusals) ?? [])
            images = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { _, new in new })
            imagesStamp = iStamp
        }
    }
}
