/// Docker's per-container state, `<data-root>/containers/<id>/config.v2.json`:
/// `Config.Image` is the image as the user named it, `Image` its id, and the
/// `io.kubernetes.*` labels (cri-dockerd) carry the pod.
struct DockerConfig: Decodable {
    struct Inner: Decodable {
        var Image: String?
        var Labels: [String: String]?
    }

    var ID: String?
    var Name: String?
    var Image: String?
    var Config: Inner?

    static func path(root: String, id: String) -> String { "\(root)/containers/\(id)/config.v2.json" }

    static func info(root: String, id: String, podUIDFromPath: String?, refusals: StateFileRefusals) -> ContainerInfo? {
        guard
            let cfg = StateFile.decode(
                DockerConfig.self, at: path(root: root, id: id), limit: StateFileLimits.containerConfigBytes,
                refusals: refusals)
        else { return nil }
        let labels = cfg.Config?.Labels ?? [:]
        func label(_ k: String) -> String? { labels[k].flatMap { $0.isEmpty ? nil : $0 } }
        let pod = PodInfo(
            name: label("io.kubernetes.pod.name"), namespace: label("io.kubernetes.pod.namespace"),
            uid: label("io.kubernetes.pod.uid") ?? podUIDFromPath,
            containerName: label("io.kubernetes.container.name"))
        var name = cfg.Name
        if name?.hasPrefix("/") == true { name = String(name!.dropFirst()) }
        let imageName = cfg.Config?.Image.flatMap { $0.isEmpty ? nil : $0 }
        return ContainerInfo(
            id: id, runtime: .docker,
            imageName: imageName,
            imageDigest: imageName.flatMap(OCIAnnotations.digest(inReference:)),
            imageID: cfg.Image,
            name: name,
            pod: pod.isEmpty ? nil : pod)
    }
}
