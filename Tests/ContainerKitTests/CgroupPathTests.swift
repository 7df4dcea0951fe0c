import Testing
@testable import ContainerKit

/// Real cgroup path shapes, one per runtime and driver, and the host paths that must stay the host.
struct CgroupPathTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var label: String
        var path: String
        var runtime: ContainerRuntime?
        var id: String?
        var podUID: String? = nil
        var testDescription: String { label }
    }

    static let hexA = "4e5a1f7d8b9c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b"
    static let hexB = "3b1e2f9a8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"
    static let uid = "8c7b6a59-4837-4261-9f0e-d1c2b3a49586"
    static let uidSlice = "8c7b6a59_4837_4261_9f0e_d1c2b3a49586"

    static let containers: [Sample] = [
        // docker
        Sample(label: "docker cgroupfs", path: "/docker/\(hexA)", runtime: .docker, id: hexA),
        Sample(label: "docker systemd", path: "/system.slice/docker-\(hexA).scope", runtime: .docker, id: hexA),
        Sample(label: "docker systemd, container's own sub-cgroup", path: "/system.slice/docker-\(hexA).scope/init.scope",
               runtime: .docker, id: hexA),
        Sample(label: "docker under kubepods systemd",
               path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidSlice).slice/docker-\(hexA).scope",
               runtime: .docker, id: hexA, podUID: uid),
        // containerd / CRI
        Sample(label: "cri-containerd burstable",
               path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidSlice).slice/cri-containerd-\(hexB).scope",
               runtime: .containerd, id: hexB, podUID: uid),
        Sample(label: "cri-containerd besteffort",
               path: "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(uidSlice).slice/cri-containerd-\(hexB).scope",
               runtime: .containerd, id: hexB, podUID: uid),
        Sample(label: "cri-containerd guaranteed",
               path: "/kubepods.slice/kubepods-pod\(uidSlice).slice/cri-containerd-\(hexB).scope",
               runtime: .containerd, id: hexB, podUID: uid),
        Sample(label: "nerdctl (containerd without Kubernetes)", path: "/system.slice/nerdctl-\(hexB).scope",
               runtime: .containerd, id: hexB),
        Sample(label: "kubepods cgroupfs burstable", path: "/kubepods/burstable/pod\(uid)/\(hexB)",
               runtime: .kubernetes, id: hexB, podUID: uid),
        Sample(label: "kubepods cgroupfs besteffort", path: "/kubepods/besteffort/pod\(uid)/\(hexB)",
               runtime: .kubernetes, id: hexB, podUID: uid),
        Sample(label: "kubepods cgroupfs guaranteed", path: "/kubepods/pod\(uid)/\(hexB)",
               runtime: .kubernetes, id: hexB, podUID: uid),
        // CRI-O
        Sample(label: "crio systemd",
               path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidSlice).slice/crio-\(hexA).scope",
               runtime: .crio, id: hexA, podUID: uid),
        Sample(label: "crio systemd, crun's container sub-cgroup",
               path: "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(uidSlice).slice/crio-\(hexA).scope/container",
               runtime: .crio, id: hexA, podUID: uid),
        Sample(label: "crio cgroupfs", path: "/kubepods/burstable/pod\(uid)/crio-\(hexA)",
               runtime: .crio, id: hexA, podUID: uid),
        // podman
        Sample(label: "podman cgroupfs (this machine)", path: "/libpod_parent/libpod-\(hexA)", runtime: .podman, id: hexA),
        Sample(label: "podman systemd root", path: "/machine.slice/libpod-\(hexA).scope", runtime: .podman, id: hexA),
        Sample(label: "podman systemd, container sub-cgroup", path: "/machine.slice/libpod-\(hexA).scope/container",
               runtime: .podman, id: hexA),
        Sample(label: "podman rootless",
               path: "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(hexA).scope",
               runtime: .podman, id: hexA),
        Sample(label: "podman pod member",
               path: "/machine.slice/machine-libpod_pod_\(hexB).slice/libpod-\(hexA).scope",
               runtime: .podman, id: hexA),
        // machines
        Sample(label: "systemd-nspawn unit", path: "/machine.slice/systemd-nspawn@debian\\x2dbox.service/payload",
               runtime: .systemdNspawn, id: "debian-box"),
        Sample(label: "machined scope", path: "/machine.slice/machine-debian\\x2dbox.scope/payload",
               runtime: .machine, id: "debian-box"),
        Sample(label: "libvirt machine", path: "/machine.slice/machine-qemu\\x2d1\\x2dwin10.scope/libvirt/emulator",
               runtime: .machine, id: "qemu-1-win10"),
        // LXC / LXD
        Sample(label: "lxc legacy", path: "/lxc/web01", runtime: .lxc, id: "web01"),
        Sample(label: "lxc 4 payload", path: "/lxc.payload.web01", runtime: .lxc, id: "web01"),
        Sample(label: "lxc 4 payload sub-cgroup", path: "/lxc.payload.web01/system.slice/cron.service",
               runtime: .lxc, id: "web01"),
        // nesting: the outermost container wins
        Sample(label: "nested docker-in-docker names the outer container",
               path: "/system.slice/docker-\(hexA).scope/docker-\(hexB).scope", runtime: .docker, id: hexA),
        Sample(label: "kind node in podman names the podman container",
               path: "/libpod_parent/libpod-\(hexA)/kubepods/burstable/pod\(uid)/\(hexB)", runtime: .podman, id: hexA),
    ]

    static let hosts: [Sample] = [
        Sample(label: "root", path: "/"),
        Sample(label: "login session", path: "/user.slice/user-1000.slice/session-3.scope"),
        Sample(label: "system service", path: "/system.slice/sshd.service"),
        Sample(label: "docker daemon", path: "/system.slice/docker.service"),
        Sample(label: "containerd daemon and shims", path: "/system.slice/containerd.service"),
        Sample(label: "docker parent alone", path: "/docker"),
        Sample(label: "podman conmon cgroupfs (this machine)", path: "/libpod_parent/conmon"),
        Sample(label: "podman conmon systemd", path: "/machine.slice/libpod-conmon-\(hexA).scope"),
        Sample(label: "crio conmon",
               path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidSlice).slice/crio-conmon-\(hexA).scope"),
        Sample(label: "lxc monitor", path: "/lxc.monitor.web01"),
        Sample(label: "pod cgroup without a container", path: "/kubepods/burstable/pod\(uid)"),
        Sample(label: "pod slice without a container",
               path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidSlice).slice"),
        Sample(label: "podman pod slice alone", path: "/machine.slice/machine-libpod_pod_\(hexB).slice"),
        Sample(label: "32-hex job id on this VM", path: "/process_api/bad586fa68f69717511e8e30fc15b61a"),
        Sample(label: "64-hex id without a runtime parent", path: "/somewhere/\(hexA)"),
        Sample(label: "short docker id", path: "/docker/4e5a1f7d8b9c"),
        Sample(label: "uppercase hex is not an id", path: "/docker/\(hexA.uppercased())"),
        Sample(label: "docker prefix with a non-hex id", path: "/system.slice/docker-compose.scope"),
    ]

    @Test(arguments: containers)
    func recognisesContainerInRealPath(_ sample: Sample) {
        let expected = ContainerRef(runtime: sample.runtime!, id: sample.id!, podUID: sample.podUID)
        #expect(CgroupPath.classify(sample.path) == .container(expected))
    }

    @Test(arguments: hosts)
    func treatsNonContainerPathAsHost(_ sample: Sample) {
        #expect(CgroupPath.classify(sample.path) == .host)
    }
}
