import Foundation

/// The annotations of an OCI runtime bundle's `config.json` (CRI-O's
/// `userdata/config.json`, containerd's task bundle), and what they say about
/// the image and the Kubernetes pod.
struct OCIAnnotations {
    var values: [String: String]

    private struct Spec: Decodable {
        var annotations: [String: String]?
    }

    /// Reads `config.json` at `path`; nil when missing, unreadable or over
    /// ``StateFileLimits/containerConfigBytes`` (counted in `refusals`).
    init?(configAt path: String, refusals: StateFileRefusals) {
        guard
            let spec = StateFile.decode(
                Spec.self, at: path, limit: StateFileLimits.containerConfigBytes, refusals: refusals)
        else { return nil }
        values = spec.annotations ?? [:]
    }

    init(_ values: [String: String]) { self.values = values }

    subscript(_ key: String) -> String? {
        guard let v = values[key], !v.isEmpty else { return nil }
        return v
    }

    /// CRI-O: `io.kubernetes.cri-o.ImageName`, digest from `io.kubernetes.cri-o.ImageRef`,
    /// pod from the top-level Kubernetes labels or the `io.kubernetes.cri-o.Labels` JSON.
    func crioInfo(id: String, podUIDFromPath: String?) -> ContainerInfo {
        let labels = StateFile.decodeEmbedded([String: String].self, from: self["io.kubernetes.cri-o.Labels"]) ?? [:]
        func label(_ key: String) -> String? { self[key] ?? labels[key].flatMap { $0.isEmpty ? nil : $0 } }
        let isSandbox = self["io.kubernetes.cri-o.ContainerType"] == "sandbox"
        let pod = PodInfo(
            name: label("io.kubernetes.pod.name") ?? self["io.kubernetes.cri-o.KubeName"],
            namespace: label("io.kubernetes.pod.namespace") ?? self["io.kubernetes.cri-o.Namespace"],
            uid: label("io.kubernetes.pod.uid") ?? podUIDFromPath,
            containerName: isSandbox ? "POD" : label("io.kubernetes.container.name"))
        let ref = self["io.kubernetes.cri-o.ImageRef"]
        return ContainerInfo(
            id: id, runtime: .crio,
            imageName: self["io.kubernetes.cri-o.ImageName"] ?? self["io.kubernetes.cri-o.Image"],
            imageDigest: ref.flatMap(Self.digest(inReference:)),
            imageID: self["io.kubernetes.cri-o.Image"].flatMap { $0.hasPrefix("sha256:") || Self.isHex($0) ? $0 : nil },
            name: self["io.kubernetes.cri-o.ContainerName"],
            pod: pod.isEmpty ? nil : pod)
    }

    /// containerd's CRI plugin: `io.kubernetes.cri.image-name` (the sandbox's
    /// `io.kubernetes.cri.podsandbox.image-name`), sandbox name/namespace/uid, container name.
    /// A plain (non-CRI) containerd container yields an info without image name.
    func containerdInfo(id: String, podUIDFromPath: String?) -> ContainerInfo {
        let isSandbox = self["io.kubernetes.cri.container-type"] == "sandbox"
        let pod = PodInfo(
            name: self["io.kubernetes.cri.sandbox-name"],
            namespace: self["io.kubernetes.cri.sandbox-namespace"],
            uid: self["io.kubernetes.cri.sandbox-uid"] ?? podUIDFromPath,
            containerName: isSandbox ? "POD" : self["io.kubernetes.cri.container-name"])
        let ref = self["io.kubernetes.cri.image-ref"]
        return ContainerInfo(
            id: id, runtime: .containerd,
            imageName: self["io.kubernetes.cri.image-name"] ?? self["io.kubernetes.cri.podsandbox.image-name"],
            imageDigest: ref.flatMap(Self.digest(inReference:)),
            name: self["io.kubernetes.cri.container-name"] ?? self["nerdctl/name"],
            pod: pod.isEmpty ? nil : pod)
    }

    /// The callguard profile the OCI hook recorded (`dev.callguard.policy`,
    /// `dev.callguard.profile-digest`); nil unless both are there and plausible.
    var profileStamp: ProfileStamp? {
        guard let policy = self[ProfileStamp.policyAnnotation], let digest = self[ProfileStamp.digestAnnotation],
            policy.utf8.count <= 253, digest.utf8.count <= 128
        else { return nil }
        let token = self[ProfileStamp.tokenAnnotation].flatMap { $0.utf8.count <= 64 ? $0 : nil }
        return ProfileStamp(policy: policy, digest: digest, token: token)
    }

    /// `sha256:…` from `repo@sha256:…` or a bare `sha256:…`; nil otherwise.
    static func digest(inReference ref: String) -> String? {
        if ref.hasPrefix("sha256:") { return ref }
        if let at = ref.range(of: "@sha256:") { return String(ref[ref.index(after: at.lowerBound)...]) }
        return nil
    }

    static func isHex(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
