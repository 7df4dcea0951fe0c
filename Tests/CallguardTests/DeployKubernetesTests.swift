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

    @Test func daemonSetDropsAllCapabilitiesButTheAuditOnes() throws {
        let sc = try #require(try container()["securityContext"])
        #expect(sc["capabilities"]?["drop"]?.items.compactMap(\.scalar) == ["ALL"])
        #expect(Set(sc["capabilities"]?["add"]?.items.compactMap(\.scalar) ?? []) == ["AUDIT_CONTROL", "AUDIT_READ"])
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

    /// Every root ContainerKit reads by default is inside a read-only hostPath
    /// mount at the same path, and every hostPath but the spool is read-only.
    @Test func runtimeStateIsMountedReadOnlyWhereContainerKitLooks() throws {
        let volumes = try volumes()
        let mounts = (try container()["volumeMounts"]?.items ?? []).filter {
            volumes[$0["name"]?.scalar ?? ""]?["hostPath"] != nil
        }
        for mount in mounts where mount["mountPath"]?.scalar != "/var/lib/callguard" {
            #expect(mount["readOnly"]?.scalar == "true", "\(mount["mountPath"]?.scalar ?? "?") read-only")
            let hostPath = volumes[mount["name"]!.scalar!]?["hostPath"]?["path"]?.scalar
            #expect(hostPath == mount["mountPath"]?.scalar, "host path mounted at the same path")
        }
        let readOnly = mounts.filter { $0["readOnly"]?.scalar == "true" }.compactMap { $0["mountPath"]?.scalar }
        let roots = ContainerStateRoots()
        let needed = roots.containersStorage + roots.containersRun + roots.containerdTasks + roots.docker.map { $0 + "/containers" }
        for root in needed {
            #expect(readOnly.contains { root == $0 || root.hasPrefix($0 + "/") }, "\(root) is mounted read-only")
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
