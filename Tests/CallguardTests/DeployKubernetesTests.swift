import CallguardAgent
import ContainerKit
import Foundation
import PolicyKit
import SinkKit
import Testing
import TestSupport

/// `deploy/kubernetes/`: the DaemonSet and its ConfigMaps, parsed with
/// PolicyKit's YAML reader and walked node by node.
@Suite struct DeployKubernetesTests {
    func daemonSet() throws -> YAMLNode {
        try #require(Deploy.object("DaemonSet", named: "callguard", in: try Deploy.yamlDocuments("kubernetes/daemonset.yaml")))
    }

    func podSpec() throws -> YAMLNode { try #require(try daemonSet()["spec"]?["template"]?["spec"]) }

    func container() throws -> YAMLNode {
        let containers = try podSpec()["containers"]?.items ?? []
        try #require(containers.count == 1)
        return containers[0]
    }

    /// volume name → its definition.
    func volumes() throws -> [String: YAMLNode] {
        var result: [String: YAMLNode] = [:]
        for v in try podSpec()["volumes"]?.items ?? [] {
            if let name = v["name"]?.scalar { result[name] = v }
        }
        return result
    }

    func configMaps() throws -> [YAMLNode] {
        try Deploy.yamlDocuments("kubernetes/configmap.yaml").filter { $0["kind"]?.scalar == "ConfigMap" }
    }

    @Test func daemonSetSharesTheHostPIDNamespace() throws {
        #expect(try podSpec()["hostPID"]?.scalar == "true")
    }

    @Test func daemonSetDropsAllCapabilitiesButTheAuditOnesAndTheStartUpOnes() throws {
        let sc = try #require(try container()["securityContext"])
        #expect(sc["capabilities"]?["drop"]?.items.compactMap(\.scalar) == ["ALL"])
        // NET_ADMIN (process events subscription) and SETPCAP (to drop it) are shed once started.
        #expect(Set(sc["capabilities"]?["add"]?.items.compactMap(\.scalar) ?? []) == ["AUDIT_CONTROL", "AUDIT_READ", "NET_ADMIN", "SETPCAP"])
        #expect(sc["privileged"]?.scalar == "false")
        #expect(sc["allowPrivilegeEscalation"]?.scalar == "false")
        #expect(sc["readOnlyRootFilesystem"]?.scalar == "true")
    }

    /// The same capability set as the systemd unit, in Kubernetes' spelling.
    @Test func daemonSetCapabilitiesMatchTheSystemdUnit() throws {
        let unit = DeploySystemdUnit(try Deploy.text("systemd/callguard.service"))
        let k8s = Set(try container()["securityContext"]?["capabilities"]?["add"]?.items.compactMap(\.scalar) ?? [])
        #expect(Set(unit.words("Service", "CapabilityBoundingSet").map { String($0.dropFirst(4)) }) == k8s)
    }

    @Test func policiesComeFromTheConfigMapMountedReadOnly() throws {
        let mounts = try container()["volumeMounts"]?.items ?? []
        let mount = try #require(mounts.first { $0["mountPath"]?.scalar == "/etc/callguard/policies" })
        #expect(mount["readOnly"]?.scalar == "true")
        let volume = try #require(try volumes()[mount["name"]?.scalar ?? ""])
        let name = try #require(volume["configMap"]?["name"]?.scalar)
        #expect(try configMaps().contains { $0["metadata"]?["name"]?.scalar == name }, "ConfigMap \(name) is in configmap.yaml")
    }

    /// The hostPath mounts of the agent's container: (mount path, host path, read-only, recursive read-only).
    func hostPathMounts() throws -> [(mountPath: String, hostPath: String, readOnly: Bool, recursiveReadOnly: String?)] {
        let volumes = try volumes()
        return (try container()["volumeMounts"]?.items ?? []).compactMap { mount in
            guard let name = mount["name"]?.scalar, let hostPath = volumes[name]?["hostPath"]?["path"]?.scalar,
                let mountPath = mount["mountPath"]?.scalar
            else { return nil }
            return (mountPath, hostPath, mount["readOnly"]?.scalar == "true", mount["recursiveReadOnly"]?.scalar)
        }
    }

    /// The files ContainerKit reads to attribute a container on a Kubernetes
    /// node (CRI-O, containerd; podman's index shares CRI-O's storage), for an
    /// example id. Docker's `config.v2.json` is not among them: Kubernetes has
    /// no docker runtime since 1.24 (see daemonset.yaml).
    static func attributionFiles() -> [String] {
        let id = String(repeating: "ab", count: 32)
        let roots = ContainerStateRoots()
        return roots.containersStorage.flatMap {
            ["\($0)/overlay-containers/containers.json", "\($0)/overlay-images/images.json", "\($0)/overlay-containers/\(id)/userdata/config.json"]
        } + roots.containersRun.map { "\($0)/overlay-containers/\(id)/userdata/config.json" }
            + roots.containerdTasks.map { "\($0)/k8s.io/\(id)/config.json" }
            + roots.containerd.map { "\($0)/io.containerd.metadata.v1.bolt/meta.db" }
    }

    /// The agent's own writable mounts: the spool, and the kubelet's seccomp
    /// root for the policies' Localhost profiles.
    static let writableMounts: Set<String> = ["/var/lib/callguard", "/var/lib/kubelet/seccomp"]

    /// Every file attribution reads is inside a read-only hostPath mount of
    /// the same host path, and every hostPath but the spool is read-only,
    /// recursively where the kubelet can.
    @Test func everyFileAttributionReadsIsUnderAReadOnlyMount() throws {
        let mounts = try hostPathMounts()
        #expect(mounts.count > 1, "the DaemonSet's hostPath mounts")
        for mount in mounts where !Self.writableMounts.contains(mount.mountPath) {
            #expect(mount.readOnly, "\(mount.mountPath) read-only")
            #expect(mount.recursiveReadOnly == "IfPossible" || mount.recursiveReadOnly == "Enabled", "\(mount.mountPath) recursively read-only")
            #expect(mount.hostPath == mount.mountPath, "host path mounted at the same path")
        }
        for file in Self.attributionFiles() {
            #expect(mounts.contains { $0.readOnly && file.hasPrefix($0.mountPath + "/") }, "\(file) is under a read-only mount")
        }
    }

    /// No mount reaches what attribution does not read: container logs, the
    /// container filesystems and volumes in the storage root, docker's
    /// per-container directories (logs beside config.v2.json), the kubelet's
    /// pod directories (secrets, service account tokens).
    @Test func noMountExposesContainerLogsFilesystemsOrSecretsBeyondTheBundleConfigs() throws {
        let forbidden = [
            "/var/log/pods", "/var/log/containers", "/var/lib/docker/containers", "/var/lib/containers/storage/overlay",
            "/var/lib/containers/storage/volumes", "/var/lib/containerd", "/var/lib/kubelet/pods", "/run/containers/storage/overlay",
        ]
        let mounts = try hostPathMounts()
        #expect(mounts.count > 1, "the DaemonSet's hostPath mounts")
        for mount in mounts {
            for path in forbidden {
                let exposes = path == mount.hostPath || path.hasPrefix(mount.hostPath == "/" ? "/" : mount.hostPath + "/")
                #expect(!exposes, "the hostPath \(mount.hostPath) exposes \(path)")
            }
        }
        // Each runtime-state mount is exactly the directory of a file attribution reads (no parent of it).
        let directories = Set(Self.attributionFiles().map { file -> String in
            let roots = ContainerStateRoots()
            let all = roots.containersStorage.flatMap { ["\($0)/overlay-containers", "\($0)/overlay-images"] }
                + roots.containersRun.map { "\($0)/overlay-containers" } + roots.containerdTasks
                + roots.containerd.map { "\($0)/io.containerd.metadata.v1.bolt" }
            return all.first { file.hasPrefix($0 + "/") } ?? file
        })
        for mount in try hostPathMounts() where !Self.writableMounts.contains(mount.mountPath) {
            #expect(directories.contains(mount.hostPath), "\(mount.hostPath) is not a directory attribution reads from")
        }
    }

    /// A read-only mount does not stop connect(2) on a socket inside it: the
    /// runtimes' API sockets must stay out of the pod.
    @Test func noRuntimeSocketIsMounted() throws {
        let paths = try volumes().values.compactMap { $0["hostPath"]?["path"]?.scalar }
        for forbidden in ["/run/containerd", "/run", "/var/run", "/run/docker.sock", "/var/run/docker.sock", "/run/crio", "/run/podman"] {
            #expect(!paths.contains(forbidden), "\(forbidden) must not be mounted")
        }
        #expect(!paths.contains { $0.hasSuffix(".sock") })
    }

    @Test func metricsPortMatchesTheConfigMapsMetricsAddress() throws {
        let ports = try container()["ports"]?.items ?? []
        let metrics = try #require(ports.first { $0["name"]?.scalar == "metrics" })
        let config = try configFromConfigMap()
        let address = try #require(config.metricsAddress)
        #expect(metrics["containerPort"]?.scalar == String(address.split(separator: ":").last ?? ""))
        // The listener is loopback only: reachable on the node only with the host's network.
        #expect(address.hasPrefix("127.0.0.1:"))
        #expect(try podSpec()["hostNetwork"]?.scalar == "true")
    }

    @Test func agentReadsTheConfigFileFromTheConfigMapMount() throws {
        let c = try container()
        let args = (c["args"]?.items ?? []).compactMap(\.scalar)
        let i = try #require(args.firstIndex(of: "--config"))
        let configPath = args[i + 1]
        let mount = try #require((c["volumeMounts"]?.items ?? []).first {
            configPath.hasPrefix(($0["mountPath"]?.scalar ?? "") + "/")
        })
        #expect(mount["readOnly"]?.scalar == "true")
        let volume = try #require(try volumes()[mount["name"]?.scalar ?? ""])
        let name = try #require(volume["configMap"]?["name"]?.scalar)
        let map = try #require(try configMaps().first { $0["metadata"]?["name"]?.scalar == name })
        #expect(map["data"]?[String(configPath.split(separator: "/").last!)] != nil)
    }

    func configFromConfigMap() throws -> AgentConfiguration {
        let map = try #require(try configMaps().first { $0["metadata"]?["name"]?.scalar == "callguard-config" })
        let text = try #require(map["data"]?["config.yaml"]?.scalar)
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("config.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        var configuration = AgentConfiguration()
        try AgentConfigurationFile.apply(file.path, to: &configuration)
        return configuration
    }

    @Test func configMapConfigIsAcceptedByTheAgent() throws {
        let config = try configFromConfigMap()
        #expect(config.policiesDirectory == "/etc/callguard/policies")
        for sink in config.sinks { _ = try SinkSpec(parsing: sink) }
        let spool = try #require(config.spoolDirectory)
        let spoolMount = try #require((try container()["volumeMounts"]?.items ?? []).first {
            spool.hasPrefix(($0["mountPath"]?.scalar ?? "") + "/")
        })
        #expect(spoolMount["readOnly"]?.scalar != "true", "the spool is writable")
    }

    /// The policies in the ConfigMap pass `callguard check` as a directory.
    @Test func configMapPoliciesPassCheck() throws {
        let map = try #require(try configMaps().first { $0["metadata"]?["name"]?.scalar == "callguard-policies" })
        let data = try #require(map["data"])
        try #require(!data.keys.isEmpty)
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for key in data.keys {
            #expect(key.hasSuffix(".yaml"))
            try #require(data[key]?.scalar).write(to: dir.appendingPathComponent(key), atomically: true, encoding: .utf8)
        }
        let r = try Deploy.run(Deploy.executable, ["check", "--policies", dir.path])
        #expect(r.status == 0, "callguard check: \(r.stdout)\(r.stderr)")
    }

    /// The ConfigMap's policies are the repository's, byte for byte.
    @Test func configMapPoliciesAreTheShippedOnes() throws {
        let map = try #require(try configMaps().first { $0["metadata"]?["name"]?.scalar == "callguard-policies" })
        for key in map["data"]?.keys ?? [] {
            let shipped = try String(contentsOf: Deploy.root.appendingPathComponent("policies/\(key)"), encoding: .utf8)
            #expect(map["data"]?[key]?.scalar == shipped, "policies/\(key) and the ConfigMap differ; regenerate it")
        }
    }

    @Test func podDoesNotMountTheServiceAccountToken() throws {
        #expect(try podSpec()["automountServiceAccountToken"]?.scalar == "false")
    }
}
