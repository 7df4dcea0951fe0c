import Foundation
import Testing
@testable import ContainerKit

/// A plain containerd container (`ctr run`) sits in cgroup `/<namespace>/<id>`,
/// which names no runtime: it is a container only when containerd has that task.
struct ContainerdTaskCgroupTests {
    /// A tasks root holding `default/web/config.json`.
    static func resolver() throws -> (ContainerResolver, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-tasks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(root)/default/web", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(root)/default/web/config.json"))
        let roots = ContainerStateRoots(containersStorage: [], containersRun: [], containerdTasks: [root], docker: [], containerd: [])
        return (ContainerResolver(roots: roots), root)
    }

    @Test func aCgroupNamingAnExistingTaskIsThatContainer() throws {
        let (resolver, root) = try Self.resolver()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(resolver.containerdTask(inCgroupFile: "9:name=systemd:/default/web\n8:pids:/default/web\n")?.id == "web")
        // A sub-cgroup the container made itself is still the container.
        #expect(resolver.containerdTask(inCgroupFile: "0::/default/web/inner\n")?.id == "web")
    }

    @Test func aCgroupNamingNoTaskIsTheHost() throws {
        let (resolver, root) = try Self.resolver()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(resolver.containerdTask(inCgroupFile: "0::/system.slice/ssh.service\n") == nil)
        #expect(resolver.containerdTask(inCgroupFile: "0::/default\n") == nil)
        #expect(resolver.containerdTask(inCgroupFile: "0::/\n") == nil)
    }

    @Test func dotComponentsNeverLeaveTheTasksRoot() throws {
        let (resolver, root) = try Self.resolver()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // `<root>/default/../default/web` would exist; `..` is refused before any lookup.
        #expect(resolver.containerdTask(inCgroupFile: "0::/../default/web\n") == nil)
        #expect(resolver.containerdTask(inCgroupFile: "0::/./web\n") == nil)
    }
}
