import Foundation
import Glibc
import Testing
import TestSupport

@testable import ContainerKit

/// Runtime state files are read on the reader thread when a new container
/// appears: each is refused from its size, before it is read, when it is
/// larger than any real host writes; and a large legal one resolves quickly.
@Suite struct StateFileLimitTests {
    /// How far the peak resident set may grow while a 200 MB file is refused.
    /// Reading it would cost at least 200 MB; the bound leaves room for tests
    /// running beside this one in the same process (the peak is the process's).
    static let memoryBound = 96 << 20

    static let id = "4e5a1f7d8b9c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b"

    /// A state tree under a temporary directory, removed at the end.
    final class Tree {
        let root: String
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-state-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        var roots: ContainerStateRoots { .under(root) }

        /// Creates `relative` as a sparse file of `size` bytes (no disk used, no memory).
        func sparse(_ relative: String, size: Int) throws {
            let path = root + relative
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            #expect(truncate(path, off_t(size)) == 0)
        }

        func write(_ relative: String, _ text: String) throws {
            let path = root + relative
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }
    }

    /// Resolves `ref` and returns what came back, how much the peak resident set grew and how long it took.
    static func measure(_ resolver: ContainerResolver, _ ref: ContainerRef) -> (ContainerInfo?, Int, Duration) {
        let started = ContinuousClock.now
        let (info, grown) = PeakMemory.growth { resolver.resolve(ref) }
        return (info, grown, ContinuousClock.now - started)
    }

    /// A 200 MB docker `config.v2.json` was read whole (486 MB resident on the reader thread).
    @Test func hugeDockerConfigIsRefusedWithoutBeingRead() throws {
        let tree = try Tree()
        try tree.sparse("/var/lib/docker/containers/\(Self.id)/config.v2.json", size: 200 << 20)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        let (info, grown, elapsed) = Self.measure(resolver, ContainerRef(runtime: .docker, id: Self.id))
        #expect(info?.imageName == nil)
        print("\(#function): peak resident grew by \(grown) bytes")
        #expect(grown < Self.memoryBound, "peak memory grew by \(grown) bytes")
        #expect(elapsed < .seconds(1))
    }

    @Test func hugeContainersJSONIsRefusedWithoutBeingRead() throws {
        let tree = try Tree()
        try tree.sparse("/var/lib/containers/storage/overlay-containers/containers.json", size: 200 << 20)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        let (info, grown, elapsed) = Self.measure(resolver, ContainerRef(runtime: .podman, id: Self.id))
        #expect(info?.imageName == nil)
        print("\(#function): peak resident grew by \(grown) bytes")
        #expect(grown < Self.memoryBound, "peak memory grew by \(grown) bytes")
        #expect(elapsed < .seconds(1))
    }

    @Test func hugeContainerdBundleConfigIsRefusedWithoutBeingRead() throws {
        let tree = try Tree()
        try tree.sparse("/run/containerd/io.containerd.runtime.v2.task/k8s.io/\(Self.id)/config.json", size: 200 << 20)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        let (info, grown, elapsed) = Self.measure(resolver, ContainerRef(runtime: .containerd, id: Self.id))
        #expect(info?.imageName == nil)
        print("\(#function): peak resident grew by \(grown) bytes")
        #expect(grown < Self.memoryBound, "peak memory grew by \(grown) bytes")
        #expect(elapsed < .seconds(1))
    }
    @Test func refusalIsCountedOnceAndNamesTheFile() throws {
        let tree = try Tree()
        let path = "/var/lib/docker/containers/\(Self.id)/config.v2.json"
        try tree.sparse(path, size: StateFileLimits.containerConfigBytes + 1)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        for _ in 0..<3 { _ = resolver.resolve(ContainerRef(runtime: .docker, id: Self.id)) }
        #expect(resolver.refusedStateFiles == 1)
        #expect(resolver.lastRefusedStateFile?.hasPrefix(tree.root + path + " is \(StateFileLimits.containerConfigBytes + 1) bytes") == true)
    }

    /// A FIFO where a state file should be cannot stall the reader thread.
    @Test func fifoInPlaceOfAStateFileIsRefusedWithoutBlocking() throws {
        let tree = try Tree()
        let path = tree.root + "/var/lib/docker/containers/\(Self.id)/config.v2.json"
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        #expect(mkfifo(path, 0o600) == 0)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        #expect(resolver.resolve(ContainerRef(runtime: .docker, id: Self.id)) == nil)
        #expect(resolver.refusedStateFiles == 1)
    }

    @Test func configJustUnderTheLimitIsStillRead() throws {
        let tree = try Tree()
        let padding = String(repeating: " ", count: StateFileLimits.containerConfigBytes - 200)
        try tree.write(
            "/var/lib/docker/containers/\(Self.id)/config.v2.json", #"{"Config":{"Image":"nginx:1"}}"# + padding)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        #expect(resolver.resolve(ContainerRef(runtime: .docker, id: Self.id))?.imageName == "nginx:1")
        #expect(resolver.refusedStateFiles == 0)
    }

    /// `containers.json` of a host with `count` podman containers (about 520 bytes each, as podman writes).
    static func containersJSON(count: Int) -> String {
        var entries: [String] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            let id = String(format: "%064x", i)
            entries.append(
                #"{"id":"\#(id)","names":["c\#(i)"],"image":"d1b5ca4678b12f46f489d665f0a28b383fd9a97cbed86b03ff0c7354a34d2e7d","layer":"446428fc4760c62fa95b38efa985a1606fa302a5e3878bee09f19edc5bb901a7","metadata":"{\"image-name\":\"localhost/app:\#(i)\",\"image-id\":\"d1b5ca4678b12f46f489d665f0a28b383fd9a97cbed86b03ff0c7354a34d2e7d\",\"name\":\"c\#(i)\",\"created-at\":1795936349}","created":"2026-11-29T07:12:29.307752102Z","flags":{"MountLabel":"","ProcessLabel":""}}"#)
        }
        return "[" + entries.joined(separator: ",") + "]"
    }

    /// The worst single resolution on a large but legal host: 20,000 podman
    /// containers (about 10 MB of containers.json) parsed on a lookup of a
    /// new container; the next change within nine parse times waits.
    @Test func largeLegalContainersJSONResolvesInBoundedTime() throws {
        let tree = try Tree()
        let file = "/var/lib/containers/storage/overlay-containers/containers.json"
        // CALLGUARD_MEASURE_CONTAINERS=N measures another host size (31,000 is just under the cap).
        let count = Int(ProcessInfo.processInfo.environment["CALLGUARD_MEASURE_CONTAINERS"] ?? "") ?? 20_000
        let text = Self.containersJSON(count: count)
        try tree.write(file, text)
        let resolver = ContainerResolver(roots: tree.roots, minReloadInterval: 0)
        let last = String(format: "%064x", 0)
        let started = ContinuousClock.now
        let info = resolver.resolve(ContainerRef(runtime: .podman, id: last))
        let elapsed = ContinuousClock.now - started
        print("containers.json of \(count) containers (\(text.utf8.count) bytes): one resolution took \(elapsed)")
        #expect(info?.imageName == "localhost/app:0")
        #expect(elapsed < .seconds(2))
        // A new container changes the file at once: its lookup is put off, not parsed again.
        try tree.write(file, String(text.dropLast()) + "," + Self.containersJSON(count: 1).dropFirst())
        #expect(resolver.resolve(ContainerRef(runtime: .podman, id: Self.id)) == nil)
        #expect(resolver.stateReloads == (1, 1))
    }
}
